//! The shared helpers, from the crate's library target.

pub(crate) use dmemfs_e2e::support::*;

/// Levels of a deep host tree: past the ~650 at which a recursion per level overflowed
/// a debug test thread's stack, and short enough for PATH_MAX (two bytes a level).
pub(crate) const DEEP_LEVELS: usize = 700;

/// A host directory holding a chain of `DEEP_LEVELS` directories `d/d/...`, with the file
/// `leaf` at the bottom; returns it and the chain's relative path.
pub(crate) fn deep_host_tree() -> (tempfile::TempDir, String) {
    let root = tempfile::tempdir().unwrap();
    let chain = vec!["d"; DEEP_LEVELS].join("/");
    std::fs::create_dir_all(root.path().join(&chain)).unwrap();
    std::fs::write(root.path().join(&chain).join("leaf"), "bottom").unwrap();
    (root, chain)
}

/// Runs `f` on a thread with a small stack (256 KiB), so that a recursion per level of a
/// deep tree fails the same way whatever RUST_MIN_STACK says.
pub(crate) fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn_scoped(s, f)
            .unwrap()
            .join()
            .unwrap()
    })
}
