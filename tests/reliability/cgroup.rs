//! The memory guard in a real cgroup: a child process of this test binary moves itself into a
//! fresh memory cgroup of 192 MiB, nested below this process's own, and must get
//! `OutOfMemory` from the guard instead of being OOM-killed. Needs root (CI runs as root);
//! anywhere a cgroup cannot be made, the test prints why and passes without checking.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use dmemfs_core::{FsError, MemFs, Reason, guard::MemoryGuard};

const LIMIT: u64 = 192 << 20;
/// Set in the child's environment: the cgroup directory to join.
const CHILD_ENV: &str = "DMEMFS_CGROUP_CHILD";
const CHILD_TEST: &str = "cgroup::child_in_a_small_cgroup";

/// The memory cgroup this process is in, as a directory, and whether it is v2: v1's memory
/// controller if mounted, else the v2 hierarchy.
fn own_memory_cgroup() -> Result<(PathBuf, bool), String> {
    let cgroups = std::fs::read_to_string("/proc/self/cgroup").map_err(|e| e.to_string())?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").map_err(|e| e.to_string())?;
    let mount_of = |v2: bool| {
        mountinfo.lines().find_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let mut fields = before.split(' ');
            let (root, point) = (fields.nth(3)?, fields.next()?);
            let mut after = after.split(' ');
            let fstype = after.next()?;
            let options = after.nth(1).unwrap_or_default();
            let serves = if v2 {
                fstype == "cgroup2"
            } else {
                fstype == "cgroup" && options.split(',').any(|o| o == "memory")
            };
            (serves && root == "/").then(|| PathBuf::from(point))
        })
    };
    for line in cgroups.lines() {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next(), fields.next(), fields.next());
        let (Some(controllers), Some(path)) = (controllers, path) else {
            continue;
        };
        if controllers.split(',').any(|c| c == "memory")
            && let Some(point) = mount_of(false)
        {
            return Ok((point.join(path.trim_start_matches('/')), false));
        }
    }
    for line in cgroups.lines() {
        if let Some(path) = line.strip_prefix("0::")
            && let Some(point) = mount_of(true)
        {
            return Ok((point.join(path.trim_start_matches('/')), true));
        }
    }
    Err("no memory cgroup mounted with its root visible".into())
}

/// A fresh cgroup of `LIMIT` bytes below this process's, removed when dropped.
struct SmallCgroup(PathBuf);

impl SmallCgroup {
    fn create() -> Result<SmallCgroup, String> {
        let (own, v2) = own_memory_cgroup()?;
        let dir = own.join(format!("dmemfs-guard-{}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let cgroup = SmallCgroup(dir);
        let limit_file = if v2 {
            "memory.max"
        } else {
            "memory.limit_in_bytes"
        };
        std::fs::write(cgroup.0.join(limit_file), LIMIT.to_string()).map_err(|e| {
            format!(
                "cannot limit {} (is the memory controller enabled there?): {e}",
                cgroup.0.display()
            )
        })?;
        if v2 {
            // No swap to spill into: the limit is the memory.
            let _ = std::fs::write(cgroup.0.join("memory.swap.max"), "0");
        }
        Ok(cgroup)
    }
}

impl Drop for SmallCgroup {
    fn drop(&mut self) {
        // The child has exited; the kernel may take a moment to let the cgroup go.
        for _ in 0..50 {
            if std::fs::remove_dir(&self.0).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("cgroup test: could not remove {}", self.0.display());
    }
}

#[test]
fn the_memory_guard_sees_the_cgroup_the_process_runs_in() {
    let cgroup = match SmallCgroup::create() {
        Ok(cgroup) => cgroup,
        Err(why) => {
            println!("cgroup test skipped: {why}");
            return;
        }
    };
    let output = Command::new(std::env::current_exe().unwrap())
        .args([CHILD_TEST, "--exact", "--ignored", "--nocapture"])
        .env(CHILD_ENV, &cgroup.0)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the child in a {} MiB cgroup ended with {} (an OOM kill is signal 9):\n{stdout}\n{stderr}",
        LIMIT >> 20,
        output.status
    );
    assert!(stdout.contains("guard refused"), "{stdout}\n{stderr}");
    println!(
        "{}",
        stdout
            .lines()
            .filter(|l| l.starts_with("cgroup"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The child: joins the cgroup, then checks that the guard knows its limit, at build time
/// and on writes.
#[test]
#[ignore = "run by the_memory_guard_sees_the_cgroup_the_process_runs_in, in a cgroup"]
fn child_in_a_small_cgroup() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    std::fs::write(dir.join("cgroup.procs"), std::process::id().to_string()).unwrap();
    let guard = MemoryGuard::per_write(Duration::ZERO).error();

    // A quota of 2 GiB cannot be backed in 192 MiB: refused when the filesystem is built.
    let err = MemFs::builder()
        .quota(2 << 30)
        .memory_guard(guard)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfMemory, "{err}");
    println!("cgroup: building with a 2 GiB quota: {err}");

    // 160 MiB fits; then 64 MiB of the process's own memory leaves ~128 MiB, and the writes
    // must be refused before the kernel kills the process.
    let fs = MemFs::builder()
        .quota(160 << 20)
        .memory_guard(guard)
        .build()
        .unwrap();
    let ballast = std::hint::black_box(vec![1u8; 64 << 20]);
    let chunk = vec![7u8; 1 << 20];
    let mut written = 0u64;
    let err = loop {
        match fs.write(format!("/f{written}"), &chunk) {
            Ok(()) => written += 1,
            Err(err) => break err,
        }
    };
    assert_eq!(
        err.kind(),
        ErrorKind::OutOfMemory,
        "after {written} MiB: {err}"
    );
    assert!(
        matches!(
            FsError::from_io(&err).unwrap().reason(),
            Reason::MemoryGuard { .. }
        ),
        "{err}"
    );
    println!("cgroup: guard refused a write after {written} MiB: {err}");
    drop(ballast);
}
