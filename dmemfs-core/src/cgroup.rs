//! The memory left to the cgroup this process runs in, for the memory guard.
//!
//! sysinfo reads the limits of the cgroup hierarchy's root as this process sees it: right in
//! a container with its own cgroup namespace, wrong everywhere else (a systemd unit with
//! `MemoryMax=`, a CI job in a per-job cgroup, a test run in a nested cgroup), where the
//! process is OOM-killed long before the host runs out. This reads the process's own cgroup,
//! from `/proc/self/cgroup` and `/proc/self/mountinfo`, in both versions: cgroup v2
//! (`memory.max`, `memory.current`) and the v1 memory controller (`memory.limit_in_bytes`,
//! `memory.usage_in_bytes`). Every level from the process's cgroup up to the mount's root is
//! read, since a parent's limit binds its children too; the least memory left wins.

use std::fs;
use std::path::{Path, PathBuf};

/// Limits at or above this are "no limit" (v1 writes one near `i64::MAX`, page-aligned).
const UNLIMITED: u64 = 1 << 60;

/// Bytes the process's cgroups still allow, or `None` where no limit applies or none can be
/// read (not Linux, no cgroup mounted, files unreadable).
pub(crate) fn available() -> Option<u64> {
    available_under(Path::new("/"))
}

/// [`available`], with `/proc` and `/sys` found under `root` (a prepared tree in tests).
fn available_under(root: &Path) -> Option<u64> {
    let memberships = fs::read_to_string(root.join("proc/self/cgroup")).ok()?;
    let mountinfo = fs::read_to_string(root.join("proc/self/mountinfo")).ok()?;
    let mounts: Vec<Mount> = mountinfo.lines().filter_map(Mount::parse).collect();
    let mut least: Option<u64> = None;
    for line in memberships.lines() {
        // `hierarchy-ID:controller-list:cgroup-path`; the path may itself hold colons.
        let mut fields = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let version = if id == "0" && controllers.is_empty() {
            Version::V2
        } else if controllers.split(',').any(|c| c == "memory") {
            Version::V1
        } else {
            continue;
        };
        let Some(mount) = mounts.iter().find(|m| m.serves(version)) else {
            continue;
        };
        if let Some(left) = mount.available(root, path, version) {
            least = Some(least.map_or(left, |l| l.min(left)));
        }
    }
    least
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

impl Version {
    fn limit_file(self) -> &'static str {
        match self {
            Version::V1 => "memory.limit_in_bytes",
            Version::V2 => "memory.max",
        }
    }

    fn usage_file(self) -> &'static str {
        match self {
            Version::V1 => "memory.usage_in_bytes",
            Version::V2 => "memory.current",
        }
    }

    /// The `memory.stat` key of page cache the kernel reclaims before it OOM-kills: counted
    /// in the usage, yet still available.
    fn reclaimable_key(self) -> &'static str {
        match self {
            Version::V1 => "total_inactive_file",
            Version::V2 => "inactive_file",
        }
    }
}

/// A cgroup filesystem mount, from one line of `/proc/self/mountinfo`.
#[derive(Debug)]
struct Mount {
    /// The cgroup the mount shows at its mount point (not `/` inside a cgroup namespace or
    /// for a bind mount).
    root: String,
    point: String,
    fstype: String,
    super_options: String,
}

impl Mount {
    /// `id parent major:minor root mount-point options [optional...] - fstype source super`.
    fn parse(line: &str) -> Option<Mount> {
        let (before, after) = line.split_once(" - ")?;
        let mut before = before.split(' ');
        let root = unescape(before.nth(3)?);
        let point = unescape(before.next()?);
        let mut after = after.split(' ');
        let fstype = after.next()?.to_owned();
        let super_options = after.nth(1).unwrap_or_default().to_owned();
        Some(Mount {
            root,
            point,
            fstype,
            super_options,
        })
    }

    fn serves(&self, version: Version) -> bool {
        match version {
            Version::V2 => self.fstype == "cgroup2",
            Version::V1 => {
                self.fstype == "cgroup" && self.super_options.split(',').any(|o| o == "memory")
            }
        }
    }

    /// The least memory left over the levels from the cgroup at `path` up to this mount's
    /// root.
    fn available(&self, root: &Path, path: &str, version: Version) -> Option<u64> {
        // The cgroup's path is relative to the hierarchy; the mount shows it from `self.root`.
        let below = if self.root == "/" {
            path
        } else {
            path.strip_prefix(self.root.as_str()).unwrap_or("")
        };
        let top = root.join(self.point.trim_start_matches('/'));
        let mut dir: PathBuf = top.join(below.trim_start_matches('/'));
        let mut least: Option<u64> = None;
        loop {
            if let Some(left) = level_available(&dir, version) {
                least = Some(least.map_or(left, |l| l.min(left)));
            }
            if dir == top || !dir.pop() || !dir.starts_with(&top) {
                return least;
            }
        }
    }
}

/// What one cgroup's own limit leaves: `None` without a limit.
fn level_available(dir: &Path, version: Version) -> Option<u64> {
    let limit = read_number(&dir.join(version.limit_file()))?;
    if limit >= UNLIMITED {
        return None;
    }
    let usage = read_number(&dir.join(version.usage_file())).unwrap_or(0);
    let reclaimable = fs::read_to_string(dir.join("memory.stat"))
        .ok()
        .and_then(|stat| {
            stat.lines()
                .filter_map(|line| line.split_once(' '))
                .find(|(key, _)| *key == version.reclaimable_key())
                .and_then(|(_, value)| value.trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    Some(limit.saturating_sub(usage.saturating_sub(reclaimable)))
}

/// A number in a cgroup file; `max` (v2's "no limit") and anything unreadable are `None`.
fn read_number(file: &Path) -> Option<u64> {
    fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// Undoes mountinfo's octal escapes of spaces, tabs, newlines and backslashes (`\040`).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|digits| {
            let text = std::str::from_utf8(digits).ok()?;
            u8::from_str_radix(text, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake `/`: `/proc/self/{cgroup,mountinfo}` and cgroup files, path to contents.
    fn fake_root(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (path, contents) in files {
            let file = root.path().join(path.trim_start_matches('/'));
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, contents).unwrap();
        }
        root
    }

    const MIB: u64 = 1 << 20;

    #[test]
    fn v2_reads_the_own_cgroup_and_its_parents() {
        let root = fake_root(&[
            ("proc/self/cgroup", "0::/ci/job 7\n"),
            (
                "proc/self/mountinfo",
                "29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
            ),
            // The job: 192 MiB, 100 MiB used of which 10 MiB reclaimable page cache.
            ("sys/fs/cgroup/ci/job 7/memory.max", "201326592\n"),
            ("sys/fs/cgroup/ci/job 7/memory.current", "104857600\n"),
            (
                "sys/fs/cgroup/ci/job 7/memory.stat",
                "anon 1\ninactive_file 10485760\n",
            ),
            // Its parent: no limit.
            ("sys/fs/cgroup/ci/memory.max", "max\n"),
            ("sys/fs/cgroup/ci/memory.current", "999999999\n"),
        ]);
        assert_eq!(available_under(root.path()), Some((192 - 90) * MIB));
    }

    #[test]
    fn a_parent_limit_binds_the_child() {
        let root = fake_root(&[
            ("proc/self/cgroup", "0::/a/b\n"),
            (
                "proc/self/mountinfo",
                "1 0 0:1 / /sys/fs/cgroup rw - cgroup2 none rw\n",
            ),
            ("sys/fs/cgroup/a/b/memory.max", "max\n"),
            ("sys/fs/cgroup/a/memory.max", &(64 * MIB).to_string()),
            ("sys/fs/cgroup/a/memory.current", &(60 * MIB).to_string()),
        ]);
        assert_eq!(available_under(root.path()), Some(4 * MIB));
    }

    #[test]
    fn v1_reads_the_memory_controllers_cgroup() {
        let root = fake_root(&[
            (
                "proc/self/cgroup",
                "4:memory:/runner/4a35\n3:cpuset:/\n0::/\n",
            ),
            (
                "proc/self/mountinfo",
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
                 41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
            ),
            (
                "sys/fs/cgroup/memory/runner/4a35/memory.limit_in_bytes",
                "201326592",
            ),
            (
                "sys/fs/cgroup/memory/runner/4a35/memory.usage_in_bytes",
                "62914560",
            ),
            // The hierarchy's root: "unlimited" as v1 writes it.
            (
                "sys/fs/cgroup/memory/memory.limit_in_bytes",
                "9223372036854771712",
            ),
            // The v2 root, holding the process as well, has no limit file.
        ]);
        assert_eq!(available_under(root.path()), Some(132 * MIB));
    }

    #[test]
    fn a_mount_showing_a_subtree_strips_its_root() {
        // Inside a cgroup namespace or a bind mount: the mount shows `/kubepods/pod1`.
        let root = fake_root(&[
            ("proc/self/cgroup", "0::/kubepods/pod1/app\n"),
            (
                "proc/self/mountinfo",
                "1 0 0:1 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 none rw\n",
            ),
            ("sys/fs/cgroup/app/memory.max", &(8 * MIB).to_string()),
            ("sys/fs/cgroup/app/memory.current", &(3 * MIB).to_string()),
        ]);
        assert_eq!(available_under(root.path()), Some(5 * MIB));
    }

    #[test]
    fn no_limit_or_no_cgroup_is_none() {
        let unlimited = fake_root(&[
            ("proc/self/cgroup", "0::/\n"),
            (
                "proc/self/mountinfo",
                "1 0 0:1 / /sys/fs/cgroup rw - cgroup2 none rw\n",
            ),
        ]);
        assert_eq!(available_under(unlimited.path()), None);
        let nothing = fake_root(&[]);
        assert_eq!(available_under(nothing.path()), None);
    }

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape(r"/a\040b\\c"), r"/a b\\c");
        assert_eq!(unescape(r"/x\134y"), r"/x\y");
    }
}
