//! The rstest fixture: `#[rstest] fn t(memfs: MemFs)`.

// rstest generates a struct next to the fixture function, which cannot carry docs.
#![allow(missing_docs)]

use dmemfs_core::{MemFs, MemFsBuilder, parse_size};

use crate::session::{DEFAULT_TEST_LOCK_TIMEOUT, DEFAULT_TEST_QUOTA};

/// A builder with the harness's defaults: a 64 MiB quota and a 2-second lock timeout.
///
/// ```
/// let fs = dmemfs_test::test_builder().max_nodes(100).build()?;
/// assert_eq!(fs.stats().quota, dmemfs_test::DEFAULT_TEST_QUOTA);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn test_builder() -> MemFsBuilder {
    MemFs::builder()
        .quota(DEFAULT_TEST_QUOTA)
        .lock_timeout(Some(DEFAULT_TEST_LOCK_TIMEOUT))
}

/// An rstest fixture giving each test a fresh filesystem with the harness's defaults. Set the
/// quota with `#[with("1M")]`:
///
/// ```
/// use dmemfs_test::{MemFs, memfs};
/// use rstest::rstest;
///
/// #[rstest]
/// fn uses_the_fixture(memfs: MemFs) {
///     memfs.write("/a", "x").unwrap();
/// }
///
/// #[rstest]
/// fn with_a_tiny_quota(#[with("16")] memfs: MemFs) {
///     assert!(memfs.write("/big", [0; 17]).is_err());
/// }
/// # let fs = memfs("16");
/// # assert_eq!(fs.stats().quota, 16);
/// ```
///
/// It gives no dump on failure (a fixture cannot see the test end); use `#[with_memfs]` for
/// that.
///
/// # Panics
/// If `quota` is not a valid size (see [`parse_size`]).
#[rstest::fixture]
pub fn memfs(#[default("64M")] quota: &str) -> MemFs {
    let quota = parse_size(quota).unwrap_or_else(|err| panic!("memfs fixture: {err}"));
    test_builder()
        .quota(quota)
        .build()
        .unwrap_or_else(|err| panic!("memfs fixture: {err}"))
}
