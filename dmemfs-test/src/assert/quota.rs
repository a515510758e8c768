//! Support for `assert_quota!` and `assert_no_open_handles!`.

use dmemfs_core::{MemFs, Stats, parse_size};

use crate::tree::RenderOptions;

/// A bound in [`assert_quota!`](crate::assert_quota): a `u64` (any integer literal works;
/// cast other integers, such as a `usize` count, with `as u64`), or a size string such as
/// `"1M"` (see [`parse_size`]).
///
/// ```
/// use dmemfs_test::ByteCount;
/// assert_eq!(ByteCount::byte_count("1K"), 1024);
/// assert_eq!(7u64.byte_count(), 7);
/// ```
pub trait ByteCount {
    /// The value in bytes (or as a count).
    ///
    /// # Panics
    /// For an invalid size string.
    fn byte_count(self) -> u64;
}

impl ByteCount for u64 {
    fn byte_count(self) -> u64 {
        self
    }
}

impl ByteCount for &str {
    #[track_caller]
    fn byte_count(self) -> u64 {
        match parse_size(self) {
            Ok(bytes) => bytes,
            Err(err) => panic!("assert_quota!: {err}"),
        }
    }
}

/// Checks one usage figure against a bound; on failure, panics with the figures and the tree.
#[track_caller]
pub fn check_quota(
    fs: &MemFs,
    field: &str,
    actual: u64,
    op: &str,
    holds: bool,
    bound: u64,
    expr: &str,
) {
    if holds {
        return;
    }
    let unit = if matches!(field, "used" | "free" | "quota" | "peak_used") {
        " bytes"
    } else {
        ""
    };
    panic!(
        "assert_quota!({expr}) failed: {field} is {actual}{unit}, expected {op} {bound}{unit}\n  {}\n{}",
        fs.stats(),
        overview(fs)
    );
}

/// Checks that no handle is open.
#[track_caller]
pub fn check_no_open_handles(fs: &MemFs) {
    let open = fs.stats().open_handles;
    if open > 0 {
        panic!(
            "assert_no_open_handles! failed: {open} handles are still open\n  {}",
            fs.stats()
        );
    }
}

/// The stats of `fs`, for the macro to read a field of.
pub fn stats(fs: &MemFs) -> Stats {
    fs.stats()
}

/// The whole tree without contents, for failure messages.
pub(crate) fn overview(fs: &MemFs) -> String {
    RenderOptions::new()
        .contents(false)
        .render(fs, "/")
        .unwrap_or_else(|err| format!("(tree unavailable: {err})"))
}
