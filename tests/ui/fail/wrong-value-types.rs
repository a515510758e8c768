use dmemfs_test::with_memfs;

#[with_memfs(quota = true)]
#[test]
fn quota_bool(fs: dmemfs_test::MemFs) {}

#[with_memfs(max_nodes = "ten")]
#[test]
fn max_nodes_string(fs: dmemfs_test::MemFs) {}

#[with_memfs(lock_timeout = 5)]
#[test]
fn timeout_integer(fs: dmemfs_test::MemFs) {}

#[with_memfs(dump = 3)]
#[test]
fn dump_integer(fs: dmemfs_test::MemFs) {}

#[with_memfs(seed = 1)]
#[test]
fn seed_integer(fs: dmemfs_test::MemFs) {}

fn main() {}
