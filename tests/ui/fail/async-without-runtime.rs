use dmemfs_test::with_memfs;

#[with_memfs]
async fn t(fs: dmemfs_test::MemFs) {}

fn main() {}
