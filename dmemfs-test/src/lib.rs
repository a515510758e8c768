//! Test harness for [dmemfs](dmemfs_core): give every test its own in-memory filesystem with a
//! hard quota, and assert on files the way you assert on values.
//!
//! ```
//! use dmemfs_test::{MemFs, assert_file_eq, assert_quota, with_memfs};
//!
//! /// The code under test writes a report.
//! fn write_report(fs: &MemFs, rows: &[(&str, u32)]) -> std::io::Result<()> {
//!     fs.create_dir_all("/out")?;
//!     let body: String = rows.iter().map(|(k, v)| format!("{k},{v}\n")).collect();
//!     fs.write("/out/report.csv", format!("region,total\n{body}"))
//! }
//!
//! #[with_memfs(quota = "32M")]
//! #[test]
//! fn writes_report(fs: MemFs) -> std::io::Result<()> {
//!     write_report(&fs, &[("north", 12)])?;
//!     assert_file_eq!(fs, "/out/report.csv", "region,total\nnorth,12\n");
//!     assert_quota!(fs, used <= "1K");
//!     Ok(())
//! }
//! # let fs = MemFs::new();
//! # write_report(&fs, &[("north", 12)]).unwrap();
//! # assert_file_eq!(fs, "/out/report.csv", "region,total\nnorth,12\n");
//! ```
//!
//! Add `dmemfs-test` to `[dev-dependencies]`; next to the [`with_memfs`] attribute it names
//! what tests use most from `dmemfs-core` ([`MemFs`], [`MemFile`], [`OpenOptions`],
//! [`FileSystem`], [`Semantics`]) and re-exports the whole crate as [`dmemfs_core`] for the
//! rest. Its
//! features `tokio`, `tar`, `zip`, `vfs` and `conformance` turn on dmemfs-core's, so one line
//! is enough: `dmemfs-test = { version = "0.1", features = ["tar", "tokio"] }`; `mount` adds
//! `#[with_memfs(mount)]`.
//!
//! # What is here
//! - [`#[with_memfs(...)]`](with_memfs): a fresh, isolated filesystem per test, with a quota,
//!   node limit, lock timeout, memory guard and a seed directory; composes with `#[test]`,
//!   `#[rstest]` and `#[tokio::test]`. Without a `MemFs` parameter, [`current()`] returns it.
//! - **Dump on failure**: when a test fails, its tree lands in
//!   `target/dmemfs-failures/<package>/<crate>/<module>.<test>/` ([`DumpOnFailure`],
//!   [`DUMP_ENV`]).
//! - **Tree snapshots**: [`assert_tree_snapshot!`] (insta), [`Tree::to_snapshot`] for serde
//!   snapshots, [`assert_tree_eq!`] with a readable diff, [`RenderOptions`] (which paths,
//!   how much of each file, and per glob: [size only](RenderOptions::size_only),
//!   [digest only](RenderOptions::digest_only) or [a renderer of
//!   yours](RenderOptions::render_with), such as gunzip).
//! - **Assertions**: [`assert_quota!`], [`assert_no_open_handles!`], [`assert_exists!`],
//!   [`assert_missing!`], [`assert_is_dir!`], [`assert_is_file!`], [`assert_file_eq!`],
//!   [`assert_file_contains!`], [`assert_file_matches!`]; failures show the tree around the
//!   path, and report the test's own line whatever the cause (a missing file included).
//! - **Fault injection**: [`FaultPlan`] makes chosen operations fail, come up short or slow
//!   down, and records what it did; [`FaultPlan::install`] returns a [`FaultGuard`] that
//!   uninstalls it when dropped.
//! - **rstest**: the [`memfs`](fn@memfs) fixture.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
// Every dependency is used (the library itself; tests and examples have their own).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]
// The examples show `#[test]` functions as users write them; doctests check that they compile,
// and the workspace's e2e suite runs them.
#![allow(clippy::test_attr_in_doctest)]

mod assert;
mod checks;
mod dump;
mod fault;
#[cfg(feature = "rstest")]
mod fixture;
mod macros;
mod mount;
mod session;
mod tree;

/// The filesystem crate itself, for what the harness does not name at its root (the fault
/// hook, archives, the memory guard, ...): `dmemfs_test::dmemfs_core::archive::ExtractOptions`.
pub use dmemfs_core;
/// What a test names most: the filesystem, its files and the trait production code takes.
#[doc(no_inline)]
pub use dmemfs_core::{FileSystem, MemFile, MemFs, MemFsBuilder, OpenOptions, Semantics};
#[doc(inline)]
pub use dmemfs_macros::with_memfs;

pub use assert::{ByteCount, TreeSource};
#[cfg(feature = "mount")]
pub use dmemfs_fuse::REQUIRE_FUSE_ENV;
pub use dump::{DUMP_ENV, DumpOnFailure, Outcome};
pub use fault::{Effect, FaultGuard, FaultPlan, Injection, Rule};
#[cfg(feature = "rstest")]
pub use fixture::{memfs, test_builder};
pub use mount::mount_dir;
pub use session::{
    BindFuture, Bound, DEFAULT_TEST_LOCK_TIMEOUT, DEFAULT_TEST_QUOTA, bind, bind_future, current,
    try_current,
};
pub use tree::{RenderOptions, Tree, TreeEntry, TreeSnapshot};

/// What generated code and the exported macros use. Not a public API: it may change in any
/// release.
#[doc(hidden)]
pub mod __private {
    pub use core::time::Duration;
    // A filesystem parameter in a smart pointer (`Arc<dyn FileSystem>`, ...).
    pub use std::{boxed::Box, rc::Rc, sync::Arc};

    pub use dmemfs_core::{Semantics, guard::MemoryGuard};
    #[cfg(feature = "snapshots")]
    pub use insta;

    // `#[with_memfs]`'s compile-time checks of sizes and durations.
    pub use crate::checks::{Message, duration, quota};

    pub use crate::assert::{
        ByteCount, Expect, assert_trees_equal, check_file_contains, check_file_eq,
        check_file_matches, check_no_open_handles, check_path, check_quota, read_or_panic,
        render_snapshot, snapshot_name, stats,
    };
    pub use crate::mount::Skipped;
    pub use crate::session::{
        AnyFailure, Config, Described, DisplayFailure, Dump, Session, TestId,
    };
}
