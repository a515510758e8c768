// Every argument at once (the seed is the generated project's own directory here).
use dmemfs_test::{MemFs, with_memfs};

#[with_memfs(
    quota = "1.5GiB",
    max_nodes = 10_000,
    lock_timeout = "250ms",
    memory_guard = "per_write(500ms), error",
    seed = ".",
    dump = "target/my-dumps",
    crate = "dmemfs_test",
)]
#[test]
fn everything(fs: MemFs) {
    let _ = fs;
}

#[with_memfs(quota = 4096, lock_timeout = "none", memory_guard = "init", dump = false)]
#[test]
fn other_forms(fs: MemFs) {
    let _ = fs;
}

fn main() {}
