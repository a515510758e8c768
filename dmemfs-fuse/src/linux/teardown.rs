//! Unmounting lazily, and sweeping away mounts whose server died.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use rustix::mount::{UnmountFlags, unmount};

use super::DIR_PREFIX;
use crate::options::SOURCE;

/// Detaches the mount at `dir` (`umount -l`): it leaves the namespace at once, and its server
/// ends when the last open file is closed. fuser 0.18's own unmount fails with `EBUSY` while
/// a file is open and then leaves a dead mount behind.
pub(super) fn lazy_unmount(dir: &Path) -> io::Result<()> {
    match unmount(dir, UnmountFlags::DETACH) {
        Ok(()) => Ok(()),
        // Already gone (unmounted by someone else).
        Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOENT) => Ok(()),
        // Not root: the setuid helper may unmount what the user mounted.
        Err(rustix::io::Errno::PERM) => {
            let helper =
                std::env::var_os("FUSERMOUNT_PATH").unwrap_or_else(|| "fusermount3".into());
            let status = Command::new(&helper)
                .arg("-u")
                .arg("-z")
                .arg(dir)
                .status()?;
            if status.success() {
                Ok(())
            } else {
                Err(io::Error::other(format!(
                    "`{} -u -z {}` failed ({status})",
                    helper.to_string_lossy(),
                    dir.display()
                )))
            }
        }
        Err(errno) => Err(io::Error::from_raw_os_error(errno.raw_os_error())),
    }
}

/// Removes the mounts of this crate whose server is gone (a test process killed by
/// `SIGKILL`, an abort, `process::exit`): they answer every access with "Transport endpoint
/// is not connected". Only mounts whose source starts with `dmemfs` and whose directory is a
/// fresh one of [`mount`](crate::mount) are touched. Returns how many were removed.
///
/// # Errors
/// `/proc/self/mountinfo` could not be read, or unmounting a dead mount failed.
///
/// ```no_run
/// let removed = dmemfs_fuse::sweep_stale()?;
/// println!("removed {removed} dead mounts");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn sweep_stale() -> io::Result<usize> {
    let base = std::env::temp_dir();
    let mut removed = 0;
    for dir in mounts()? {
        let fresh = dir.parent() == Some(base.as_path())
            && dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(DIR_PREFIX));
        let dead =
            matches!(std::fs::metadata(&dir), Err(e) if e.raw_os_error() == Some(libc::ENOTCONN));
        if fresh && dead {
            lazy_unmount(&dir)?;
            let _ = std::fs::remove_dir(&dir);
            removed += 1;
        }
    }
    Ok(removed)
}

/// The directories where a `MemFs` of this crate is mounted now (in this process's mount
/// namespace), live or dead, read from `/proc/self/mountinfo`.
///
/// # Errors
/// `/proc/self/mountinfo` could not be read.
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// # if dmemfs_fuse::available().is_err() { return Ok(()); }
/// let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
/// let dir = mount.path().to_owned();
/// assert!(dmemfs_fuse::mounts()?.contains(&dir));
/// drop(mount);
/// assert!(!dmemfs_fuse::mounts()?.contains(&dir));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn mounts() -> io::Result<Vec<PathBuf>> {
    Ok(ours(&std::fs::read_to_string("/proc/self/mountinfo")?))
}

/// One line of `/proc/self/mountinfo`.
pub(super) struct Mounted {
    pub(super) point: PathBuf,
    pub(super) kind: String,
    pub(super) source: String,
}

/// Every mount of this process's namespace.
pub(super) fn mount_table() -> io::Result<Vec<Mounted>> {
    Ok(parse(&std::fs::read_to_string("/proc/self/mountinfo")?))
}

fn parse(mountinfo: &str) -> Vec<Mounted> {
    let mut all = Vec::new();
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let mut right = right.split(' ');
        let (Some(kind), Some(source)) = (right.next(), right.next()) else {
            continue;
        };
        let Some(point) = left.split(' ').nth(4) else {
            continue;
        };
        all.push(Mounted {
            point: PathBuf::from(unescape(point)),
            kind: kind.to_owned(),
            source: unescape(source),
        });
    }
    all
}

/// The mount points of `mountinfo` whose filesystem is FUSE with a `dmemfs` source.
fn ours(mountinfo: &str) -> Vec<PathBuf> {
    parse(mountinfo)
        .into_iter()
        .filter(|m| {
            let is_source = m.source == SOURCE || m.source.starts_with(&format!("{SOURCE}:"));
            (m.kind == "fuse" || m.kind.starts_with("fuse.")) && is_source
        })
        .map(|m| m.point)
        .collect()
}

/// mountinfo writes space, tab, newline and backslash as octal escapes (`\040`).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dmemfs_fuse_mounts_are_ours() {
        let table = "\
36 25 0:32 / /tmp/dmemfs-mnt-1-0 rw,nosuid,nodev,relatime - fuse.dmemfs dmemfs:t::a rw,user_id=0
37 25 0:33 / /tmp/with\\040space rw - fuse dmemfs rw
38 25 0:34 / /tmp/other rw - fuse sshfs rw
39 25 0:35 / /dev/shm rw - tmpfs dmemfs rw
40 25 0:36 / /tmp/x rw - fuse dmemfsx rw";
        assert_eq!(
            ours(table),
            [
                PathBuf::from("/tmp/dmemfs-mnt-1-0"),
                PathBuf::from("/tmp/with space")
            ]
        );
    }
}
