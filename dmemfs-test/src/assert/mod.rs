//! Support for the assertion macros (see `macros.rs`).

mod files;
mod quota;
mod tree;

pub use files::{Expect, check_file_contains, check_file_eq, check_file_matches, check_path};
pub use quota::{ByteCount, check_no_open_handles, check_quota, stats};
pub use tree::{TreeSource, assert_trees_equal, read_or_panic, render_snapshot, snapshot_name};
