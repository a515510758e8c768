// Every argument problem is reported, not just the first.
use dmemfs_test::with_memfs;

#[with_memfs(quota = "lots", max_nodes = 0, colour = "blue", quota = "1M")]
#[test]
fn t(fs: dmemfs_test::MemFs) {}

fn main() {}
