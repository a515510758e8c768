//! The `FileSystem` conformance suite (`dmemfs_core::conformance_tests!`), run against both
//! implementations so that they agree: `MemFs`, and `OsFs` on a fresh temporary directory.
//! What they legitimately differ on is tested in `os_fs.rs`.

mod memfs {
    use dmemfs_core::MemFs;

    dmemfs_core::conformance_tests!(crate::common::test_fs(16 << 20));

    /// The suite also runs through the forwarding impls (`Arc<dyn FileSystem>` here).
    mod through_arc {
        use std::sync::Arc;

        use dmemfs_core::FileSystem;

        dmemfs_core::conformance_tests!(Arc::new(super::MemFs::new()) as Arc<dyn FileSystem>);
    }

    /// And with Linux's open-file semantics (no handle locks, open files can be removed).
    mod posix {
        use dmemfs_core::{MemFs, Semantics};

        dmemfs_core::conformance_tests!(
            MemFs::builder()
                .quota(16 << 20)
                .semantics(Semantics::Posix)
                .build()
                .expect("build a Posix MemFs")
        );
    }
}

mod os_fs {
    use dmemfs_core::OsFs;

    /// The temporary directory is the guard: it lives, and is removed, with each test.
    fn fixture() -> (OsFs, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let fs = OsFs::new(dir.path()).expect("open it as an OsFs");
        (fs, dir)
    }

    dmemfs_core::conformance_tests!(fixture());
}
