// Without a parameter, the filesystem is `dmemfs_test::current()`.
use dmemfs_test::{current, with_memfs};

#[with_memfs(quota = "1M")]
#[test]
fn ambient() {
    current().write("/a", "x").unwrap();
}
