use dmemfs_test::with_memfs;

#[with_memfs(seed = "tests/fixtures/does-not-exist")]
#[test]
fn t(fs: dmemfs_test::MemFs) {}

fn main() {}
