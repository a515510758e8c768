use dmemfs_test::with_memfs;

#[with_memfs(lock_timeout = "soon")]
#[test]
fn timeout(fs: dmemfs_test::MemFs) {}

#[with_memfs(memory_guard = "always")]
#[test]
fn guard_mode(fs: dmemfs_test::MemFs) {}

#[with_memfs(memory_guard = "init, shout")]
#[test]
fn guard_action(fs: dmemfs_test::MemFs) {}

fn main() {}
