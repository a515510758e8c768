use dmemfs_test::with_memfs;

#[with_memfs(quota)]
#[test]
fn flag(fs: dmemfs_test::MemFs) {}

#[with_memfs(quota = 1 + 1)]
#[test]
fn expression(fs: dmemfs_test::MemFs) {}

fn main() {}
