use dmemfs_test::with_memfs;

#[with_memfs]
#[test]
fn t(fs: &mut dmemfs_test::MemFs) {}

fn main() {}
