// The filesystem parameter may name the `FileSystem` trait; other parameters belong to rstest.

#[dmemfs_test::with_memfs]
#[test]
fn by_reference(fs: &dyn dmemfs_test::FileSystem) {
    fs.write("/a", b"x").unwrap();
}

#[dmemfs_test::with_memfs]
#[test]
fn in_an_arc(fs: std::sync::Arc<dyn dmemfs_test::FileSystem + Send + Sync>) {
    fs.write("/a", b"x").unwrap();
}

#[dmemfs_test::with_memfs]
#[rstest::rstest]
#[case("/a")]
fn with_cases(fs: &dyn dmemfs_test::FileSystem, #[case] name: &str) {
    fs.write(name, b"x").unwrap();
}
