use dmemfs_test::with_memfs;

#[with_memfs(quota = "32Q")]
#[test]
fn unknown_unit(fs: dmemfs_test::MemFs) {}

#[with_memfs(quota = "0.3K")]
#[test]
fn not_whole_bytes(fs: dmemfs_test::MemFs) {}

fn main() {}
