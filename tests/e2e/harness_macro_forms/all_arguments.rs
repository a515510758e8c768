// Every argument at once, with a trailing comma (kept from rustfmt).
use dmemfs_test::{MemFs, with_memfs};

#[rustfmt::skip]
#[with_memfs(
    quota = "1.5GiB",
    max_nodes = 10_000,
    lock_timeout = "250ms",
    memory_guard = "per_write(500ms), error",
    seed = "e2e/fixtures/seed",
    dump = "target/my-dumps",
    crate = "dmemfs_test",
)]
#[test]
fn everything(fs: MemFs) {
    let _ = fs;
}

#[with_memfs(
    quota = 4096,
    lock_timeout = "none",
    memory_guard = "init",
    dump = false
)]
#[test]
fn other_forms(fs: MemFs) {
    let _ = fs;
}
