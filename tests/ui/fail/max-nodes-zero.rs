use dmemfs_test::with_memfs;

#[with_memfs(max_nodes = 0)]
#[test]
fn t(fs: dmemfs_test::MemFs) {}

fn main() {}
