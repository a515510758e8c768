//! A thread-safe, in-process, in-memory filesystem with a hard byte quota and a
//! `std::fs`-shaped API.
//!
//! ```
//! use dmemfs_core::{MemFs, parse_size};
//! use std::io::{ErrorKind, Write};
//!
//! let fs = MemFs::with_quota(parse_size("1M")?);
//! fs.create_dir_all("/out/logs")?;
//! let mut log = fs.create("/out/logs/run.log")?;
//! writeln!(log, "step 1 done")?;
//! drop(log);
//! assert_eq!(fs.read_to_string("/out/logs/run.log")?, "step 1 done\n");
//!
//! // The quota is hard and checked before memory is taken: this write changes nothing.
//! let err = fs.write("/out/huge.bin", vec![0u8; 2 << 20]).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::StorageFull);
//! assert_eq!(fs.stats().used, 12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it is for
//! Tests, CI jobs and data pipelines that need files but not a disk: each [`MemFs`] is an
//! isolated tree that disappears when dropped, cannot exhaust the host (quota, node limit,
//! memory guard), and behaves like `std::fs` on Linux, error kinds included, so code under
//! test sees what it would see on a real disk. It is a Rust take on the Python library
//! D-MemFS, with that library's known bugs fixed.
//!
//! Code reaches the files through this API, or through the [`FileSystem`] trait, which
//! [`MemFs`] and [`OsFs`] (a real directory) both implement; programs and `std::fs` code reach
//! them through a FUSE mount (the `dmemfs-fuse` crate, `dmemfs mount`, or
//! `#[with_memfs(mount)]` in `dmemfs-test`).
//!
//! # Where to start
//! - [`MemFs::new`], [`MemFs::with_quota`] or [`MemFs::builder`] make a filesystem; its
//!   methods mirror `std::fs` (`write`, `read`, `create_dir_all`, `rename`, `read_dir`, ...).
//! - [`MemFs::create`], [`MemFs::open`] and [`MemFs::options`] give a [`MemFile`], which
//!   implements `Read`, `Write` and `Seek`.
//! - In tests, the `dmemfs-test` crate gives each test its own filesystem
//!   (`#[with_memfs(quota = "32M")]`), tree snapshots, file assertions and fault injection.
//! - Production code takes `&dyn FileSystem` ([`backend`]): tests pass a `MemFs`, `main` an
//!   [`OsFs`] (feature `os`).
//! - The modules hold the rest: [`archive`] (tar and zip), [`fault`] (the fault hook),
//!   [`guard`] (the memory guard), [`clock`], [`error`] (the typed error details), [`watch`],
//!   [`vpath`] (path helpers), [`memory_cache`].
//!
//! The reference for paths, nodes, locks and error kinds follows (the same file,
//! `docs/reference.md`, is what the workspace README links to). In short: paths are
//! UTF-8 strings ([`vpath`] has `Path`-shaped helpers); every node has an inode number
//! ([`Metadata::ino`]), names are separate from nodes ([`MemFs::hard_link`]), permission bits
//! are stored ([`MemFs::set_permissions`]), times can be set ([`MemFs::set_times`]) or come
//! from an injected [`Clock`](clock::Clock); how open files behave is chosen per filesystem
//! ([`Semantics`]); every error is a [`std::io::Error`] holding an [`FsError`] with its
//! [`Op`], path and [`Reason`], and a failed operation changes nothing.
//!
#![doc = include_str!("../../docs/reference.md")]
//!
//! # Quota
//! The quota counts file contents: the sum of file lengths, preallocation and zero-filled
//! extensions included. A write that does not fit writes nothing, so a test can predict
//! exactly which write fails. A file's bytes are counted once however many names it has, and
//! until its last handle drops when it is removed while open ([`Semantics::Posix`]).
//! Directories and symbolic links cost one node each and no bytes. The memory held
//! stays close to that figure: contents live in 64 KiB chunks, the last one sized to fit.
//!
//! # Concurrency
//! `MemFs` is `Send + Sync` and cheap to clone; each single read or write call is atomic.
//! Open files follow [`Semantics`]: D-MemFS's per-file locks by default (waits bounded by
//! [`MemFsBuilder::lock_timeout`] and [`OpenOptions::lock_timeout`]), or Linux's sharing.
//! "Locks, or Linux's shared open files" above has the details.
//!
//! # Archives
//! Cargo features `tar` and `zip` add `MemFs::extract_tar` (plain or gzip, from any reader),
//! `MemFs::extract_zip` (from a seekable reader) and `MemFs::export_tar` (a subtree to any
//! writer, plain or gzip, readable by the system `tar`). The `tar`, `flate2` and `zip` crates
//! parse and write the formats. Extraction into a directory:
//! - refuses entry names that would leave it: absolute names, `..` components, drive prefixes
//!   (`\` counts as a separator, so `..\x` is caught too): `InvalidData`, with
//!   `Reason::UnsafeEntry` naming the entry;
//! - is all or nothing by default: each entry's declared size and new nodes are checked
//!   against the quota and the node limit before its bytes are read (for zip, every entry's,
//!   from the central directory, before anything is inflated), and any failure leaves the tree
//!   and `stats().used` as they were. `ExtractMode::Streaming` installs entries one at a time,
//!   holding one entry's bytes, and undoes them on failure;
//! - skips links, devices and FIFOs and lists them in the `ArchiveReport` (or refuses them,
//!   `SpecialEntries::Refuse`): extraction creates no links, and extracting through one is
//!   how archives write outside their destination;
//! - applies a `Conflict` policy to existing files (`Error` by default, `Overwrite`, `Skip`);
//!   directories merge.
//!
//! # Async
//! Cargo feature `tokio` adds `AsyncMemFs`, a wrapper with the same operations as `async fn`s
//! (named as in `tokio::fs`), whose files (`AsyncMemFile`) implement Tokio's `AsyncRead`,
//! `AsyncWrite` and `AsyncSeek`. Operations run inline, as memory copies, except that waiting
//! for a file lock never blocks a runtime worker: an operation that finds a lock taken waits
//! on Tokio's blocking pool instead, with the same timeout and the same `WouldBlock` error.
//! There is no async counterpart of the [`FileSystem`] trait: async code that must run on a
//! `MemFs` in tests and on the disk in production takes a `&dyn FileSystem` today and calls it
//! from `spawn_blocking` (every `MemFs` operation is a memory copy).
//!
//! # vfs
//! Cargo feature `vfs` implements `vfs::FileSystem` for `MemFs`, so code written for the `vfs`
//! crate gets quotas, locks and the harness; vfs's conformance suite passes against it. Its
//! docs, on the impl, list how each method and error kind maps.
//!
//! # Writing code against a filesystem
//! The [`backend`] module has the object-safe [`FileSystem`] trait: production code takes
//! a `&dyn FileSystem`, tests pass a [`MemFs`], `main` passes an [`OsFs`], a host directory
//! used as the root with the same path rules and error kinds, confined to it (`..` and
//! symbolic links cannot lead out; [`cap_std`] resolves every path beneath the root). Cargo
//! feature `conformance` exports `conformance_tests!`, the suite both implementations pass,
//! for your own implementations too; the module docs list where the two differ (locks, quota,
//! timestamps).
//!
//! # Features
//! None is on by default: the filesystem, its handles, the [`FileSystem`] trait, fault
//! injection and the clock need only small crates (`cargo tree -p dmemfs-core -e normal`:
//! 16 crates on Linux, dmemfs-core included; with `os`, 27).
//!
//! | feature | adds | pulls in |
//! |---|---|---|
//! | `os` | [`OsFs`], the trait over a real directory, confined to it | `cap-std` |
//! | `memory-guard` | [`MemFsBuilder::memory_guard`]: refuse growth the host has no memory for | `sysinfo` |
//! | `tar`, `zip` | archives in and out ([`archive`]) | `tar`, `flate2`, `zip` |
//! | `tokio` | `AsyncMemFs` | `tokio` (`rt`) |
//! | `vfs` | `impl vfs::FileSystem for MemFs` | `vfs` |
//! | `conformance` | `conformance_tests!` for your own [`FileSystem`] | nothing |
//!
#![doc = include_str!("../../docs/d-memfs.md")]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
// Every dependency is used (the library itself; tests and examples have their own).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]
#![warn(rustdoc::broken_intra_doc_links)]

// First, in this order: the documentation lists `MemFs`'s methods in declaration order, so its
// page opens with the constructors and the everyday operations, archives last.
mod fs;
// (then opening files)
mod file;

#[cfg(any(feature = "tar", feature = "zip"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tar", feature = "zip"))))]
pub mod archive;
#[cfg(feature = "tokio")]
mod async_fs;
mod attrs;
pub mod backend;
#[cfg(feature = "memory-guard")]
mod cgroup;
pub mod clock;
mod counter;
mod duration;
mod engine;
pub mod error;
pub mod fault;
mod glob_pattern;
#[cfg(feature = "memory-guard")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory-guard")))]
pub mod guard;
// Without the feature the guard is always off; its bookkeeping stays, unused.
#[cfg(not(feature = "memory-guard"))]
mod guard;
#[cfg(feature = "vfs")]
mod interop;
mod lock;
mod metadata;
mod path;
mod precedence;
mod quota;
mod semantics;
mod size;
mod storage;
pub mod vpath;
// The walk driver of MemFs's Walk and OsFs's walk.
mod walk;

// The primary types, at the root; the rest lives in the modules above, named for what they do.
#[cfg(feature = "tokio")]
pub use async_fs::{AsyncMemFile, AsyncMemFs, AsyncOpenOptions};
pub use attrs::{FileTimes, Permissions};
// Production code takes `&dyn FileSystem` and `main` passes an `OsFs`: the two names such code
// uses, also at the root. Their companions stay in `backend`.
#[doc(inline)]
pub use backend::FileSystem;
#[cfg(feature = "os")]
#[doc(inline)]
pub use backend::OsFs;
#[doc(inline)]
pub use error::{FsError, Op, Reason};
pub use file::{MemFile, OpenOptions};
pub use fs::{DEFAULT_LOCK_TIMEOUT, DEFAULT_QUOTA, ExportIter, MemFs, MemFsBuilder, Walk};
pub use glob_pattern::GlobPattern;
pub use metadata::{DirEntry, FileType, Metadata, ReadDir, Stats};
pub use path::{NAME_MAX, PATH_MAX};
pub use semantics::Semantics;
pub use size::{ParseSizeError, parse_size};
pub use storage::MAX_FILE_SIZE;

/// Being told when names go away: [`NameWatcher`](watch::NameWatcher), for servers that cache names (a FUSE mount
/// does) and must forget them when the API removes, renames or replaces them.
pub mod watch {
    pub use crate::engine::NameWatcher;
}

/// The process-wide cache of freed file memory.
///
/// Chunks of file contents freed by any [`MemFs`] (a file removed, truncated, or a
/// filesystem dropped) are kept, up to a limit, and reused by the next file that grows:
/// mapping fresh memory costs the kernel a page fault and a page of zeroing per 4 KiB, several
/// times the cost of copying data into memory already mapped. Programs that create and drop
/// filesystems in a loop (test suites, pipeline stages) therefore stop paying for fresh
/// memory after the first round. The cache holds at most 1/16 of physical memory (1 GiB at
/// most) by default; [`set_limit`](memory_cache::set_limit) changes that (`0` turns it off)
/// and [`trim`](memory_cache::trim) frees what it holds. Cached memory is not counted by any
/// quota, the memory guard's host probe counts it as available (it is reused before the host
/// is asked for more), and buffers of `zeroize_on_free` filesystems are wiped before they are
/// cached.
pub mod memory_cache {
    pub use crate::storage::pool::{cached_bytes, set_limit, trim};
}

/// Not public API: the const parsers `#[with_memfs]` evaluates at compile time, through
/// `dmemfs_test::__private` (the generated code names nothing else). Sizes go through the same
/// parser as [`parse_size`].
#[doc(hidden)]
pub mod __private {
    pub use crate::duration::{
        DURATION_EXPECTED, DURATION_UNITS, DurationProblem, parse_duration_const,
    };
    pub use crate::size::{SIZE_EXPECTED, SIZE_UNITS, SizeProblem, parse_size_const};
}
