// Async tests under tokio, alone and with rstest.
use dmemfs_test::{MemFs, current, with_memfs};
use rstest::rstest;

#[with_memfs]
#[tokio::test]
async fn current_thread(fs: MemFs) {
    fs.write("/a", "x").unwrap();
}

#[with_memfs(quota = "1M")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread() {
    current().write("/a", "x").unwrap();
}

#[with_memfs]
#[rstest]
#[case("a")]
#[tokio::test]
async fn with_rstest(fs: MemFs, #[case] name: &str) {
    fs.write(format!("/{name}"), "x").unwrap();
}
