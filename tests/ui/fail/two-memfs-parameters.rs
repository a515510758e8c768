use dmemfs_test::with_memfs;

#[with_memfs]
#[test]
fn t(a: dmemfs_test::MemFs, b: &dmemfs_test::MemFs) {}

fn main() {}
