// The basic shape: a #[test] with a `MemFs` parameter and a size string.
use dmemfs_test::{MemFs, with_memfs};

#[with_memfs(quota = "32M")]
#[test]
fn writes_report(fs: MemFs) {
    fs.write("/report.csv", "a,b\n").unwrap();
}
