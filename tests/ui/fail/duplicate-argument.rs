use dmemfs_test::with_memfs;

#[with_memfs(quota = "1M", quota = "2M")]
#[test]
fn t(fs: dmemfs_test::MemFs) {}

fn main() {}
