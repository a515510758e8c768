use dmemfs_test::with_memfs;

#[with_memfs(qouta = "32M")]
#[test]
fn t(fs: dmemfs_test::MemFs) {}

fn main() {}
