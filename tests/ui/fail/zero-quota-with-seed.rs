use dmemfs_test::with_memfs;

#[with_memfs(quota = 0, seed = ".")]
#[test]
fn t(fs: dmemfs_test::MemFs) {}

fn main() {}
