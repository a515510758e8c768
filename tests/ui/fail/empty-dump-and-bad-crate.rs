use dmemfs_test::with_memfs;

#[with_memfs(dump = "")]
#[test]
fn dump(fs: dmemfs_test::MemFs) {}

#[with_memfs(crate = "not a path")]
#[test]
fn krate(fs: dmemfs_test::MemFs) {}

fn main() {}
