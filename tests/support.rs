//! Helpers shared by the workspace's test binaries (`e2e`, `reliability`).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::Duration;

use dmemfs_core::{FsError, MemFs, Reason, guard::MemoryGuard};
use dmemfs_test::Tree;

/// The lock timeout of test filesystems: short, so a lock conflict fails a test quickly
/// instead of hanging it for the 30 s default.
pub const SHORT: Duration = Duration::from_millis(50);

/// A filesystem of `quota` bytes with Linux's open-file model (`Semantics::Posix`).
pub fn posix_fs(quota: u64) -> MemFs {
    MemFs::builder()
        .quota(quota)
        .semantics(dmemfs_core::Semantics::Posix)
        .build()
        .expect("a builder without node limit or memory guard cannot fail")
}

/// A 1 MiB filesystem whose memory guard errors on any growth beyond what the returned
/// counter says the host has available (1 MiB to start with), asked again on every write.
pub fn guarded_fs() -> (MemFs, Arc<AtomicU64>) {
    let available = Arc::new(AtomicU64::new(1 << 20));
    let probe = Arc::clone(&available);
    let fs = MemFs::builder()
        .quota(1 << 20)
        .memory_guard(MemoryGuard::per_write(Duration::ZERO).error())
        .memory_probe(move || Some(probe.load(SeqCst)))
        .build()
        .unwrap();
    (fs, available)
}

/// The error kinds an operation racing other threads on overlapping paths may meet: the
/// path changed under it, a lock was held, or the quota was taken first.
pub const RACE_ERROR_KINDS: [io::ErrorKind; 10] = [
    io::ErrorKind::NotFound,
    io::ErrorKind::AlreadyExists,
    io::ErrorKind::IsADirectory,
    io::ErrorKind::NotADirectory,
    io::ErrorKind::DirectoryNotEmpty,
    io::ErrorKind::StorageFull,
    io::ErrorKind::WouldBlock,
    io::ErrorKind::ResourceBusy,
    io::ErrorKind::InvalidInput,
    io::ErrorKind::QuotaExceeded,
];

/// A filesystem with `quota` bytes and the [`SHORT`] lock timeout.
pub fn test_fs(quota: u64) -> MemFs {
    MemFs::builder()
        .quota(quota)
        .lock_timeout(Some(SHORT))
        .build()
        .expect("build a test filesystem")
}

/// Asserts that `result` failed with `kind`, and returns the error's typed payload.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(result: io::Result<T>, kind: io::ErrorKind) -> FsError {
    let err = result.expect_err("the operation should have failed");
    assert_eq!(err.kind(), kind, "wrong kind for error: {err}");
    FsError::from_io(&err)
        .unwrap_or_else(|| panic!("no FsError payload in {err:?}"))
        .clone()
}

/// Asserts that `result` failed with `kind` and a given reason.
#[track_caller]
pub fn expect_reason<T: std::fmt::Debug>(
    result: io::Result<T>,
    kind: io::ErrorKind,
    reason: &Reason,
) {
    let err = expect_err(result, kind);
    assert_eq!(err.reason(), reason, "wrong reason: {err}");
}

/// Everything observable about a filesystem, for "nothing changed" checks: the harness's
/// [`Tree`] of the whole filesystem (every path with its type, contents or link target) and
/// the usage figures `[used, files, dirs]`.
pub fn snapshot(fs: &MemFs) -> (Tree, [u64; 3]) {
    let stats = fs.stats();
    (tree(fs), [stats.used, stats.files, stats.dirs])
}

/// The harness's [`Tree`] of the whole filesystem (read without waiting on handles the
/// test holds, and past any installed fault plan).
pub fn tree(fs: &MemFs) -> Tree {
    Tree::from_memfs(fs, "/").expect("read the whole tree")
}

/// Asserts the accounting invariants: `used` is the sum of file lengths, counts add up.
#[track_caller]
pub fn assert_invariants(fs: &MemFs) {
    let tree = tree(fs);
    let total: u64 = tree.files().map(|(_, c)| c.len() as u64).sum();
    let stats = fs.stats();
    assert_eq!(stats.used, total, "used != sum of file lengths");
    assert_eq!(stats.used + stats.free, stats.quota);
    assert!(stats.peak_used >= stats.used);
    let files = tree.files().count() as u64;
    assert_eq!(stats.files, files);
    // The tree's entries are every path but the root.
    assert_eq!(stats.dirs, tree.len() as u64 + 1 - files);
    assert_eq!(stats.nodes, stats.files + stats.dirs);
}

/// How many proptest cases to run: `PROPTEST_CASES` when set (for long runs), else `default`
/// (sized for CI).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
