//! Writing code against a filesystem: the [`FileSystem`] trait, implemented by [`MemFs`](crate::MemFs) (in
//! memory) and [`OsFs`] (a real directory, confined to it).
//!
//! A Rust program cannot have `std::fs` swapped out under it, so code that should run on a
//! [`MemFs`](crate::MemFs) in tests and on the disk in production takes a `&dyn FileSystem`:
//!
//! ```
//! use dmemfs_core::{FileSystem, MemFs, OsFs};
//! use std::io;
//!
//! /// Production code: knows nothing of where the files live.
//! fn rotate_log(fs: &dyn FileSystem, log: &str) -> io::Result<()> {
//!     if fs.exists(log) {
//!         fs.rename(log, &format!("{log}.1"))?;
//!     }
//!     fs.write(log, b"")
//! }
//!
//! // A test passes a MemFs...
//! let mem = MemFs::new();
//! mem.write("/app.log", "old entries")?;
//! rotate_log(&mem, "/app.log")?;
//! assert_eq!(mem.read_to_string("/app.log.1")?, "old entries");
//!
//! // ...and `main` passes an OsFs rooted at the application's data directory.
//! let data_dir = tempfile::tempdir()?;
//! let disk = OsFs::new(data_dir.path())?;
//! rotate_log(&disk, "/app.log")?;
//! assert!(data_dir.path().join("app.log").is_file());
//! # Ok::<(), io::Error>(())
//! ```
//!
//! For wiring, an `Arc<dyn FileSystem>` can be stored in a struct and cloned into threads;
//! `&T`, `Box<T>` and `Arc<T>` implement the trait too, so APIs that take
//! `&impl FileSystem` accept them as well.
//!
//! # Why the trait is object safe
//! Choosing the filesystem is a run-time decision (a `--dry-run` flag, a test, a
//! configuration), and a generic parameter would spread through every type that stores one;
//! a `dyn FileSystem` keeps signatures plain and compiles the code once. Object safety costs
//! little: paths are `&str` rather than `impl AsRef<str>` (write `fs.read("/a")` or
//! `fs.read(&path)`), contents `&[u8]`, open handles come boxed as [`Box<dyn FsFile>`] (one
//! allocation per open), and [`walk`](FileSystem::walk) returns a boxed iterator. One virtual
//! call per operation is negligible next to a system call, or next to the locking a `MemFs`
//! does. [`MemFs`](crate::MemFs)'s inherent methods are unchanged and remain the generic, unboxed way to use
//! it directly; the trait methods delegate to them.
//!
//! # Metadata and entries
//! The trait reports the same [`Metadata`](crate::Metadata), [`DirEntry`](crate::DirEntry)
//! and [`ReadDir`](crate::ReadDir) a `MemFs` gives through its own methods; where a disk
//! cannot answer honestly, the answer says so: it has no change counter, so
//! [`generation`](crate::Metadata::generation) is `None` on an [`OsFs`], and
//! [`created`](crate::Metadata::created) is `Unsupported` where the host filesystem records no
//! birth time. Listings are sorted by name on every implementation. Opening takes
//! [`FsOpenOptions`] (its docs say why it is not [`OpenOptions`](crate::OpenOptions)), a
//! handle is a [`Box<dyn FsFile>`] rather than a [`MemFile`](crate::MemFile), and a walk an
//! [`FsWalk`] (a `MemFs`'s own [`Walk`](crate::Walk) can also skip directories).
//!
//! # Where implementations differ
//! The conformance suite (`conformance_tests!`, feature `conformance`) checks that both
//! implementations agree on everything else; these differences are inherent, and tested
//! separately:
//!
//! | | [`MemFs`](crate::MemFs) | [`OsFs`] |
//! |---|---|---|
//! | file locks | by default ([`Semantics::Locked`](crate::Semantics)) handles lock their file: a second writer waits, then `WouldBlock`; none with [`Semantics::Posix`](crate::Semantics) | none: any number of handles, as the OS allows |
//! | removing or renaming an open file | `ResourceBusy` by default; allowed with [`Semantics::Posix`](crate::Semantics) | allowed (Linux semantics) |
//! | byte quota, node limit | `StorageFull`, `QuotaExceeded` | none beyond the disk's own (`StorageFull` from `ENOSPC`) |
//! | failed `write`, `copy`, truncating open | atomic: the old contents stay | as `std::fs`: the file may be truncated or partly written (a file `copy` created is removed again) |
//! | [`Metadata::generation`](crate::Metadata::generation) | `Some(count of changes)` | `None` |
//! | symbolic links | followed; more than 40 or a loop is `FilesystemLoop` | followed inside the root; escaping ones refused (`PermissionDenied`); listings never descend into linked directories (see [`OsFs`]) |
//! | other processes | cannot see the files | see and change them |
//! | error [`Reason`](crate::Reason)s (kinds agree) | precise: `ParentNotFound { parent }`, `ComponentNotADirectory { component }`, ... | from the OS error: `NotFound`, `NotADirectory`, [`Reason::Os`](crate::Reason::Os), [`Reason::EscapesRoot`](crate::Reason::EscapesRoot) |
//! | `walk` items | never `Err` | `Err` for a directory that cannot be listed (permissions) |
//! | permissions ([`FileSystem::set_permissions`]) | stored and reported, never enforced: the process may read and write every file, as root may | applied on the host and enforced by the OS, except for a privileged process (CI runs as root); off Unix only the read-only flag is applied; [`set_times`](FileSystem::set_times) opens the node, so it fails on a file the process may neither read nor write |
//! | mode of a new node | `0o644` for a file, `0o755` for a directory | from the process's umask |
//! | [`Metadata::accessed`](crate::Metadata::accessed) | changes only when set (as a `noatime` mount) | as the mount says: with Linux's default `relatime`, a read may update it |
//! | [`Metadata::ino`](crate::Metadata::ino), [`Metadata::nlink`](crate::Metadata::nlink) | numbered by the `MemFs`: the root is 1, numbers are reused once a node is gone; a directory has 2 plus its subdirectories | the host's (`nlink` of a directory is 1 on some filesystems, such as btrfs); 0 and 1 off Unix |

#[cfg(feature = "conformance")]
pub mod conformance;
mod forward;
mod handle;
mod memfs;
#[cfg(feature = "os")]
#[cfg_attr(docsrs, doc(cfg(feature = "os")))]
mod os;
mod traits;
mod types;

pub use handle::FsFile;
#[cfg(feature = "os")]
pub use os::OsFs;
pub use traits::{FileSystem, FsWalk};
pub use types::FsOpenOptions;
