//! Shared by the mount tests: a mounted filesystem (or a printed skip), and shell helpers.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::process::{Command, Output};

use dmemfs_core::{MemFs, Semantics};
use dmemfs_fuse::{Mount, MountOptions};

/// A POSIX-semantics filesystem with this quota.
pub fn posix(quota: u64) -> MemFs {
    MemFs::builder()
        .quota(quota)
        .semantics(Semantics::Posix)
        .build()
        .unwrap()
}

/// Whether FUSE works here (else the test is skipped, or fails with DMEMFS_REQUIRE_FUSE=1).
#[track_caller]
pub fn fuse_or_skip() -> bool {
    let test = std::thread::current()
        .name()
        .unwrap_or("a mount test")
        .to_owned();
    dmemfs_fuse::can_mount_or_skip(&test)
}

/// `fs` mounted with the default options, or `None` (skipped) where FUSE is unavailable.
pub fn mounted(fs: &MemFs) -> Option<Mount> {
    fuse_or_skip().then(|| dmemfs_fuse::mount(fs, &MountOptions::new()).unwrap())
}

/// Runs `script` with `sh -c` in `dir`.
pub fn sh(dir: &Path, script: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Runs `script` and fails the test with its output unless it succeeds; returns stdout.
pub fn sh_ok(dir: &Path, script: &str) -> String {
    let out = sh(dir, script);
    assert!(
        out.status.success(),
        "`{script}` failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether `program` is on PATH.
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether a dmemfs mount is at `dir` (matched whole: `…-1` is not `…-10`).
pub fn is_mounted(dir: &Path) -> bool {
    dmemfs_fuse::mounts().unwrap().iter().any(|d| d == dir)
}

/// The bytes `fs` still charges once nothing holds files any more: the kernel releases a file
/// after `close` returns, so this waits (up to 5 s) for the count to reach zero.
pub fn used_after_release(fs: &MemFs) -> u64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while fs.stats().used != 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    fs.stats().used
}
