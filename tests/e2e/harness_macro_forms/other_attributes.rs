// Attributes the macro does not own are kept: #[ignore], #[should_panic], docs, cfg.
use dmemfs_test::{MemFs, with_memfs};

/// Documented.
#[with_memfs]
#[test]
#[ignore = "slow"]
#[allow(unused_variables)]
fn kept(fs: MemFs) {}

#[with_memfs]
#[test]
#[should_panic(expected = "boom")]
fn panics(fs: MemFs) {
    let _ = fs;
    panic!("boom");
}

// No test attribute: #[test] is added.
#[with_memfs]
fn plain(fs: MemFs) {
    let _ = fs;
}
