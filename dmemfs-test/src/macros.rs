//! The assertion macros. They forward to functions in `__private`, which carry
//! `#[track_caller]` so failures point at the test.

/// Snapshots a filesystem's tree with insta: `assert_tree_snapshot!(fs)`, a subtree
/// `assert_tree_snapshot!(fs, "/out")`, custom [`RenderOptions`](crate::RenderOptions)
/// `assert_tree_snapshot!(fs, "/out", options)`, or inline:
/// `assert_tree_snapshot!(fs, "/out", @"...")`.
///
/// Snapshot files follow insta's layout (`snapshots/<module>__<name>.snap`) and its review
/// flow (`cargo insta review`). Names come from the test's path, so each rstest case gets its
/// own snapshot; later snapshots in one test get `-2`, `-3`, ... The rendering is described on
/// [`RenderOptions`](crate::RenderOptions).
///
/// ```
/// use dmemfs_test::{MemFs, assert_tree_snapshot};
///
/// let fs = MemFs::new();
/// fs.create_dir_all("/out/logs")?;
/// fs.write("/out/logs/run.log", "started\ndone\n")?;
/// fs.write("/out/empty.txt", "")?;
/// assert_tree_snapshot!(fs, "/out", @r"
/// /out
/// ├── empty.txt (0 bytes)
/// └── logs/
///     └── run.log (13 bytes)
///             started
///             done
/// ");
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "snapshots")]
#[macro_export]
macro_rules! assert_tree_snapshot {
    ($fs:expr, $root:expr, @$snapshot:literal $(,)?) => {{
        let rendered = $crate::__private::render_snapshot(&$fs, $root, &$crate::RenderOptions::default());
        $crate::__private::insta::assert_snapshot!(rendered, @$snapshot);
    }};
    ($fs:expr, @$snapshot:literal $(,)?) => {
        $crate::assert_tree_snapshot!($fs, "/", @$snapshot)
    };
    ($fs:expr, $root:expr, $options:expr $(,)?) => {{
        let fs: &$crate::MemFs = &$fs;
        let root: &str = $root;
        let rendered = $crate::__private::render_snapshot(fs, root, &$options);
        $crate::__private::insta::assert_snapshot!(
            $crate::__private::snapshot_name(::core::module_path!(), fs),
            rendered,
            &::std::format!("tree of {} at `{}`", ::core::stringify!($fs), root)
        );
    }};
    ($fs:expr, $root:expr $(,)?) => {
        $crate::assert_tree_snapshot!($fs, $root, $crate::RenderOptions::default())
    };
    ($fs:expr $(,)?) => {
        $crate::assert_tree_snapshot!($fs, "/")
    };
}

/// Asserts that two trees are equal, each a [`TreeSource`](crate::TreeSource): a `MemFs`,
/// `(&fs, "/subdir")`, a host directory path, or a [`Tree`](crate::Tree). On a difference it
/// lists the differing paths and shows a diff of the two renderings.
///
/// ```
/// use dmemfs_test::{MemFs, assert_tree_eq};
///
/// let fs = MemFs::new();
/// fs.create_dir_all("/a/x")?;
/// fs.write("/a/x/f", "same")?;
/// fs.copy_dir_all("/a", "/b")?;
/// assert_tree_eq!((&fs, "/a"), (&fs, "/b"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_tree_eq {
    ($left:expr, $right:expr $(,)?) => {{
        let left = $crate::__private::read_or_panic(&$left, ::core::stringify!($left));
        let right = $crate::__private::read_or_panic(&$right, ::core::stringify!($right));
        $crate::__private::assert_trees_equal(
            &left,
            &right,
            ::core::stringify!($left),
            ::core::stringify!($right),
        );
    }};
}

/// Asserts a bound on a usage figure of a filesystem: `assert_quota!(fs, used <= "1M")`.
///
/// The figure is a field of [`Stats`](dmemfs_core::Stats) (`used`, `free`, `quota`, `peak_used`,
/// `files`, `dirs`, `nodes`, `open_handles`); the comparison is any of `==`, `!=`, `<`, `<=`,
/// `>`, `>=`; the bound is an integer or a size string (`"1M"`, `"512K"`). On failure the
/// message shows the figures and the tree.
///
/// ```
/// use dmemfs_test::{MemFs, assert_quota};
///
/// let fs = MemFs::new();
/// fs.write("/a", vec![0; 1000])?;
/// assert_quota!(fs, used <= "1K");
/// assert_quota!(fs, peak_used == 1000);
/// assert_quota!(fs, files == 1);
/// assert_quota!(fs, open_handles == 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_quota {
    ($fs:expr, $field:ident $op:tt $bound:expr $(,)?) => {{
        let fs = &$fs;
        let actual: u64 = $crate::__private::stats(fs).$field;
        let bound: u64 = $crate::__private::ByteCount::byte_count($bound);
        $crate::__private::check_quota(
            fs,
            ::core::stringify!($field),
            actual,
            ::core::stringify!($op),
            actual $op bound,
            bound,
            ::core::stringify!($fs, $field $op $bound),
        );
    }};
}

/// Asserts that no handle of the filesystem is open (a leaked handle keeps its file locked).
///
/// ```
/// use dmemfs_test::{MemFs, assert_no_open_handles};
/// let fs = MemFs::new();
/// drop(fs.create("/a")?);
/// assert_no_open_handles!(fs);
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_no_open_handles {
    ($fs:expr $(,)?) => {
        $crate::__private::check_no_open_handles(&$fs)
    };
}

/// Asserts that a path exists (file or directory); on failure, shows the tree around it.
///
/// ```
/// # let fs = dmemfs_test::MemFs::new(); fs.write("/a", "")?;
/// dmemfs_test::assert_exists!(fs, "/a");
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_exists {
    ($fs:expr, $path:expr $(,)?) => {
        $crate::__private::check_path(
            &$fs,
            ::core::convert::AsRef::<str>::as_ref(&$path),
            $crate::__private::Expect::Exists,
            "assert_exists",
        )
    };
}

/// Asserts that nothing is at a path; on failure, shows the tree around it.
///
/// ```
/// # let fs = dmemfs_test::MemFs::new();
/// dmemfs_test::assert_missing!(fs, "/nope");
/// ```
#[macro_export]
macro_rules! assert_missing {
    ($fs:expr, $path:expr $(,)?) => {
        $crate::__private::check_path(
            &$fs,
            ::core::convert::AsRef::<str>::as_ref(&$path),
            $crate::__private::Expect::Missing,
            "assert_missing",
        )
    };
}

/// Asserts that a path is a directory; on failure, shows the tree around it.
///
/// ```
/// # let fs = dmemfs_test::MemFs::new();
/// dmemfs_test::assert_is_dir!(fs, "/");
/// ```
#[macro_export]
macro_rules! assert_is_dir {
    ($fs:expr, $path:expr $(,)?) => {
        $crate::__private::check_path(
            &$fs,
            ::core::convert::AsRef::<str>::as_ref(&$path),
            $crate::__private::Expect::Dir,
            "assert_is_dir",
        )
    };
}

/// Asserts that a path is a file; on failure, shows the tree around it.
///
/// ```
/// # let fs = dmemfs_test::MemFs::new(); fs.write("/f", "")?;
/// dmemfs_test::assert_is_file!(fs, "/f");
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_is_file {
    ($fs:expr, $path:expr $(,)?) => {
        $crate::__private::check_path(
            &$fs,
            ::core::convert::AsRef::<str>::as_ref(&$path),
            $crate::__private::Expect::File,
            "assert_is_file",
        )
    };
}

/// Asserts a file's exact contents (a string or bytes); on failure, shows a diff.
///
/// ```
/// # let fs = dmemfs_test::MemFs::new();
/// fs.write("/greeting", "hello\n")?;
/// dmemfs_test::assert_file_eq!(fs, "/greeting", "hello\n");
/// dmemfs_test::assert_file_eq!(fs, "/greeting", b"hello\n");
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_file_eq {
    ($fs:expr, $path:expr, $expected:expr $(,)?) => {
        $crate::__private::check_file_eq(
            &$fs,
            ::core::convert::AsRef::<str>::as_ref(&$path),
            ::core::convert::AsRef::<[u8]>::as_ref(&$expected),
        )
    };
}

/// Asserts that a file contains a string or byte sequence.
///
/// ```
/// # let fs = dmemfs_test::MemFs::new();
/// fs.write("/log", "level=warn msg=disk almost full\n")?;
/// dmemfs_test::assert_file_contains!(fs, "/log", "almost full");
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_file_contains {
    ($fs:expr, $path:expr, $needle:expr $(,)?) => {
        $crate::__private::check_file_contains(
            &$fs,
            ::core::convert::AsRef::<str>::as_ref(&$path),
            ::core::convert::AsRef::<[u8]>::as_ref(&$needle),
        )
    };
}

/// Asserts that a file's contents satisfy a predicate on bytes.
///
/// ```
/// # let fs = dmemfs_test::MemFs::new();
/// fs.write("/data.csv", "a,b\n1,2\n")?;
/// dmemfs_test::assert_file_matches!(fs, "/data.csv", |bytes| bytes.ends_with(b"\n"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[macro_export]
macro_rules! assert_file_matches {
    ($fs:expr, $path:expr, $predicate:expr $(,)?) => {
        $crate::__private::check_file_matches(
            &$fs,
            ::core::convert::AsRef::<str>::as_ref(&$path),
            $predicate,
            ::core::stringify!($predicate),
        )
    };
}
