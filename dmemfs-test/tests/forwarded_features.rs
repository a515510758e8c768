//! dmemfs-core's optional parts, reached through dmemfs-test's own features alone.

#[cfg(feature = "tar")]
#[test]
fn tar_feature_gives_archives() {
    let fs = dmemfs_test::MemFs::new();
    fs.write("/a.txt", "x").unwrap();
    let mut archive = Vec::new();
    let report = fs
        .export_tar(
            "/",
            &mut archive,
            &dmemfs_test::dmemfs_core::archive::ExportOptions::new(),
        )
        .unwrap();
    assert_eq!(report.files, 1);
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_feature_gives_async_memfs() {
    let fs = dmemfs_test::MemFs::new();
    let wrapped = dmemfs_test::dmemfs_core::AsyncMemFs::new(fs.clone());
    assert_eq!(wrapped.as_std().id(), fs.id());
}
