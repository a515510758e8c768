//! For test suites: run where FUSE works, skip with the reason printed elsewhere, or fail
//! when the machine must be able to mount.

/// The environment variable that turns a skipped mount test into a failure when set to `1`:
/// for CI machines that must run them.
pub const REQUIRE_FUSE_ENV: &str = "DMEMFS_REQUIRE_FUSE";

/// Whether the test `test` can mount: `true` if [`available`](crate::available) says so;
/// otherwise prints `dmemfs: skipped TEST: FUSE unavailable: REASON` and returns `false`, so
/// the test returns early.
///
/// # Panics
/// Where FUSE is unavailable and `DMEMFS_REQUIRE_FUSE=1`: a machine that must run mount
/// tests fails them instead of skipping.
///
/// ```
/// fn copies_through_the_mount() {
///     if !dmemfs_fuse::can_mount_or_skip("copies_through_the_mount") {
///         return;
///     }
///     let fs = dmemfs_core::MemFs::new();
///     let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new()).unwrap();
///     std::fs::write(mount.host_path("/a"), "x").unwrap();
///     assert!(fs.exists("/a"));
/// }
/// # copies_through_the_mount();
/// ```
#[track_caller]
pub fn can_mount_or_skip(test: &str) -> bool {
    match crate::available() {
        Ok(()) => true,
        Err(why) if std::env::var(REQUIRE_FUSE_ENV).as_deref() == Ok("1") => {
            panic!("{test}: {why} ({REQUIRE_FUSE_ENV}=1)")
        }
        Err(why) => {
            eprintln!("dmemfs: skipped {test}: {why}");
            false
        }
    }
}
