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
//! Other processes cannot see these files: code must be written against this API, or against
//! the [`FileSystem`] trait, which [`MemFs`] and [`OsFs`] (a real directory) both implement.
//!
//! # Paths
//! Virtual paths are UTF-8 strings (`impl AsRef<str>`), never `std::path::Path`, so a virtual
//! path cannot be mistaken for a host path. They are absolute POSIX-style paths; every path
//! argument is normalised first:
//! - `\` is a separator like `/`; a relative path is taken from the root (`a/b` is `/a/b`);
//! - empty and `.` components vanish, `..` removes the previous component, repeated and
//!   trailing slashes are dropped (`//a//b/` is `/a/b`; `""` is the root);
//! - a path that climbs above the root or holds a NUL byte is an `InvalidInput` error; a
//!   component longer than [`NAME_MAX`] or a path longer than [`PATH_MAX`] is
//!   `InvalidFilename`, as on Linux.
//!
//! Names are case-sensitive. Symbolic links are followed as Linux follows them (at most 40 in
//! a path), after normalisation, so `..` is lexical (see [`MemFs::symlink`]).
//!
//! [`vpath`] has `std::path::Path`-shaped helpers for these strings: [`vpath::join`],
//! [`vpath::parent`], [`vpath::file_name`], [`vpath::file_stem`], [`vpath::extension`].
//!
//! # Files as on Linux
//! Every node has an inode number ([`Metadata::ino`]), names are separate from nodes
//! ([`MemFs::hard_link`], [`Metadata::nlink`]), permission bits are stored and reported
//! ([`MemFs::set_permissions`], not enforced), times follow Linux and can be set
//! ([`MemFs::set_times`]) or come from an injected [`Clock`]. How open files behave is chosen
//! per filesystem: [`Semantics`].
//!
//! # Errors
//! Every fallible call returns [`std::io::Result`] with the [`io::ErrorKind`](std::io::ErrorKind)
//! `std::fs` gives on Linux (`NotFound`, `AlreadyExists`, `IsADirectory`, `NotADirectory`,
//! `DirectoryNotEmpty`, ...), plus:
//!
//! | kind | when |
//! |---|---|
//! | `StorageFull` | the byte quota cannot hold the growth (as ENOSPC from a full tmpfs) |
//! | `QuotaExceeded` | the node limit is reached |
//! | `WouldBlock` | a file's lock was not obtained within the lock timeout |
//! | `ResourceBusy` | removing or renaming a file that a handle has open (locked semantics) |
//! | `FilesystemLoop` | more than 40 symbolic links in a path (as `ELOOP`) |
//! | `PermissionDenied` | a hard link to a directory (as `EPERM`) |
//! | `Unsupported` | writing through a read-only handle, or reading a write-only one |
//! | `OutOfMemory` | the memory guard refused the growth |
//! | `InvalidInput` | invalid paths and arguments; the root where a name is needed |
//!
//! Inside each error is an [`FsError`] with the [`Op`], the path and the [`Reason`]
//! (for quota errors: requested and available bytes); [`FsError::from_io`] gets it.
//! Messages read like `` write `/out/huge.bin`: byte quota exceeded: ... ``.
//!
//! A failed operation changes nothing: no partial writes, no half-created directory chains,
//! no empty files left by a failed copy, quota and node counts as before.
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
//! `MemFs` is `Send + Sync` and cheap to clone. Each single read or write call is atomic. With
//! [`Semantics::Posix`] that is all: open files are shared as on Linux. With the default,
//! [`Semantics::Locked`], each file has a lock held by its open handles,
//! as in D-MemFS: any number of read-only handles, or one writable handle. Opening waits for a
//! conflicting handle up to the lock timeout (30 s by default, see
//! [`MemFsBuilder::lock_timeout`] and [`OpenOptions::lock_timeout`]); whole-file helpers
//! ([`MemFs::read`], [`MemFs::write`], ...) take the lock for their duration, so each is
//! atomic. Waiting never blocks other threads' operations on other files. Files that are open
//! cannot be removed or renamed (`ResourceBusy`); metadata queries never wait.
//!
//! Readers are preferred: a thread may hold several read handles of one file even while a
//! writer waits, and a steady stream of readers can make a writer time out.
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
//!
//! # vfs
//! Cargo feature `vfs` implements `vfs::FileSystem` for `MemFs`, so code written for the `vfs`
//! crate gets quotas, locks and the harness; vfs's conformance suite passes against it. Its
//! docs, on the impl, list how each method and error kind maps.
//!
//! # Writing code against a filesystem
//! The [`abstraction`] module has the object-safe [`FileSystem`] trait: production code takes
//! a `&dyn FileSystem`, tests pass a [`MemFs`], `main` passes an [`OsFs`], a host directory
//! used as the root with the same path rules and error kinds, confined to it (`..` and
//! symbolic links cannot lead out; [`cap_std`] resolves every path beneath the root). Cargo
//! feature `conformance` exports `conformance_tests!`, the suite both implementations pass,
//! for your own implementations too; the module docs list where the two differ (locks, quota,
//! timestamps).
//!
//! # Coming from D-MemFS
//! | D-MemFS | dmemfs |
//! |---|---|
//! | `MemoryFileSystem(max_quota=...)` | [`MemFs::with_quota`], [`MemFs::builder`] |
//! | `open(p, "rb" / "wb" / "ab" / "r+b" / "xb")` | [`MemFs::open`], [`MemFs::create`], [`MemFs::options`] |
//! | `mkdir(p, exist_ok=True)` | [`MemFs::create_dir_all`] |
//! | `listdir`, `walk`, `glob` | [`MemFs::read_dir`], [`MemFs::walk`], [`MemFs::glob`] |
//! | `remove`, `rmtree` | [`MemFs::remove_file`], [`MemFs::remove_dir_all`] |
//! | `rename`, `move` | [`MemFs::rename`] (replaces like `std::fs`), [`MemFs::move_path`] |
//! | `copy`, `copy_tree` | [`MemFs::copy`], [`MemFs::copy_dir_all`] |
//! | `stat`, `get_size`, `stats` | [`MemFs::metadata`], [`Metadata::len`], [`MemFs::stats`] |
//! | `export_tree`, `iter_export_tree`, `import_tree` | [`MemFs::export_tree`], [`MemFs::export_iter`], [`MemFs::import_tree`] |
//! | `export_as_bytesio(p)` | `std::io::Cursor::new(fs.read(p)?)` |
//! | `memory_guard=..., memory_guard_action=...` | [`MemFsBuilder::memory_guard`] with [`MemoryGuard`] |

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

pub mod abstraction;
#[cfg(any(feature = "tar", feature = "zip"))]
mod archive;
#[cfg(feature = "tokio")]
mod async_fs;
mod attrs;
mod cgroup;
mod clock;
mod counter;
mod engine;
mod error;
mod fault;
mod file;
mod fs;
mod glob_pattern;
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

#[cfg(feature = "conformance")]
pub use abstraction::conformance;
pub use abstraction::{FileSystem, FsDirEntry, FsFile, FsMetadata, FsOpenOptions, FsWalk, OsFs};
#[cfg(any(feature = "tar", feature = "zip"))]
pub use archive::{
    ArchiveReport, Compression, Conflict, ExportOptions, ExtractMode, ExtractOptions, SkipReason,
    SkippedEntry, SpecialEntries,
};
#[cfg(feature = "tokio")]
pub use async_fs::{AsyncMemFile, AsyncMemFs, AsyncOpenOptions};
pub use attrs::{FileTimes, Permissions};
pub use clock::{Clock, ManualClock};
pub use error::{FsError, Op, Reason};
pub use fault::{Call, FaultInjector, Verdict};
pub use file::{MemFile, OpenOptions};
pub use fs::{DEFAULT_LOCK_TIMEOUT, DEFAULT_QUOTA, ExportIter, MemFs, MemFsBuilder, Walk};
pub use glob_pattern::GlobPattern;
pub use guard::{GuardAction, GuardMode, MemoryGuard};
pub use metadata::{DirEntry, FileType, Metadata, ReadDir, Stats};
pub use path::{NAME_MAX, PATH_MAX};
pub use semantics::Semantics;
pub use size::{ParseSizeError, parse_size};
pub use storage::MAX_FILE_SIZE;

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
