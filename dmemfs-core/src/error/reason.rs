//! Why an operation failed: [`Reason`] and the [`io::ErrorKind`] each maps to.

use std::fmt;
use std::io;
use std::time::Duration;

use super::IoSource;
use super::detail::{ArgError, HandleMode, PathError};

/// Why an operation failed. Each reason maps to one [`io::ErrorKind`] (see [`Reason::kind`]).
///
/// ```
/// use dmemfs_core::{FsError, MemFs, Reason};
/// let fs = MemFs::with_quota(4);
/// let err = fs.write("/a", "hello").unwrap_err();
/// match FsError::from_io(&err).unwrap().reason() {
///     Reason::QuotaExceeded { requested, available, .. } => assert_eq!((*requested, *available), (5, 4)),
///     other => panic!("unexpected {other}"),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The path does not exist.
    NotFound,
    /// The parent directory of the path does not exist.
    ParentNotFound {
        /// The missing parent.
        parent: String,
    },
    /// The path already exists.
    AlreadyExists,
    /// A file operation met a directory.
    IsADirectory,
    /// A directory operation met a file.
    NotADirectory,
    /// A component in the middle of the path is a file.
    ComponentNotADirectory {
        /// The leading part of the path that names a file.
        component: String,
    },
    /// The directory still has entries.
    DirectoryNotEmpty,
    /// The byte quota cannot hold the requested growth. Nothing was written.
    QuotaExceeded {
        /// Bytes the operation needed.
        requested: u64,
        /// Bytes still free when it was refused.
        available: u64,
        /// The filesystem's quota.
        quota: u64,
    },
    /// The node limit cannot hold the files and directories the operation would create.
    NodeLimit {
        /// Nodes the operation would create.
        requested: u64,
        /// Nodes in use (files plus directories, root included).
        current: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The file's lock was held by other handles for longer than the lock timeout.
    LockTimeout {
        /// How long the operation waited.
        waited: Duration,
    },
    /// The file (or a file below the directory) is open, so it cannot be removed or moved.
    Busy {
        /// The open file.
        open: String,
    },
    /// Resolving the path met more than 40 symbolic links, or a loop of them (`ELOOP`).
    FilesystemLoop {
        /// The path being resolved.
        path: String,
    },
    /// A symbolic link appeared at a path while it was being resolved (another thread
    /// created it): the operation does not follow it (`ELOOP`, as with `O_NOFOLLOW`).
    UnexpectedLink {
        /// The path.
        path: String,
    },
    /// A broken symbolic link stands where a directory must be created (`EEXIST`, as
    /// `mkdir -p` reports it): its target is not created through it.
    DanglingLink {
        /// The link.
        link: String,
    },
    /// `read_link` on something that is not a symbolic link (`EINVAL` on Linux).
    NotALink,
    /// A hard link to a directory was asked for (`EPERM` on Linux).
    LinkToDirectory,
    /// The path is not a valid virtual path, or names the root where the operation cannot
    /// take it.
    InvalidPath(PathError),
    /// A name or the whole path is longer than the limits ([`NAME_MAX`](crate::NAME_MAX),
    /// [`PATH_MAX`](crate::PATH_MAX)).
    NameTooLong,
    /// An argument was rejected.
    InvalidArgument(ArgError),
    /// The handle was not opened in a mode that allows this.
    WrongMode(HandleMode),
    /// The operation would grow a file beyond [`MAX_FILE_SIZE`](crate::MAX_FILE_SIZE).
    FileTooLarge,
    /// The memory guard refused the growth: the host does not have the memory.
    MemoryGuard {
        /// Bytes the operation needed (the quota, for the check at build time).
        requested: u64,
        /// Bytes of physical memory available (container limits included).
        available: u64,
    },
    /// The allocator could not provide the memory.
    AllocationFailed(u64),
    /// The file ended before the bytes asked for (`read_exact_at`).
    UnexpectedEof {
        /// Bytes asked for.
        wanted: u64,
        /// Bytes the file lacked.
        missing: u64,
    },
    /// A write made no progress before the whole buffer was written (`write_all_at` when
    /// a write, cut short by a fault injector, transferred nothing).
    WriteZero {
        /// Bytes asked for.
        wanted: u64,
        /// Bytes written before the write that wrote nothing.
        written: u64,
    },
    /// The file's contents are not valid UTF-8.
    InvalidUtf8,
    /// A [`FaultInjector`](crate::fault::FaultInjector) made the operation fail.
    Injected {
        /// The kind the injector chose.
        kind: io::ErrorKind,
    },
    /// The path resolves outside the root directory of an [`OsFs`](crate::OsFs), through a
    /// symbolic link on disk (`..` above the root is refused earlier, as
    /// [`InvalidPath`](Reason::InvalidPath)). Nothing was accessed.
    EscapesRoot,
    /// An operating-system call of an [`OsFs`](crate::OsFs) failed in a way no other reason
    /// describes (permission denied, I/O error, read-only filesystem, ...).
    Os {
        /// The OS error's kind.
        kind: io::ErrorKind,
        /// The OS error itself (its message names no host path); also the
        /// [`FsError`](crate::FsError)'s [`source`](std::error::Error::source).
        error: IoSource,
    },
    /// A host filesystem call failed (import from or export to a host directory).
    Host {
        /// The host path involved.
        host_path: String,
        /// The host error's kind.
        kind: io::ErrorKind,
        /// The host error itself; also the [`FsError`](crate::FsError)'s
        /// [`source`](std::error::Error::source).
        error: IoSource,
    },
    /// An archive entry's name would not land below the destination directory (an absolute
    /// name, a `..` component, a drive prefix) or names nothing. Nothing was extracted.
    UnsafeEntry {
        /// The entry's name as the archive spells it.
        entry: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An archive could not be read or written: it is corrupt or truncated, holds an entry
    /// that was refused, or the reader or writer failed (its error kind is kept).
    Archive {
        /// The entry being read or written, when one was.
        entry: Option<String>,
        /// `InvalidData` (corrupt), `UnexpectedEof` (truncated), `Unsupported` (a refused
        /// entry), or the reader's or writer's own kind.
        kind: io::ErrorKind,
        /// What went wrong.
        message: String,
        /// The reader's, writer's or archive crate's own error, when there was one; also the
        /// [`FsError`](crate::FsError)'s [`source`](std::error::Error::source).
        error: Option<IoSource>,
    },
}

impl Reason {
    /// The [`io::ErrorKind`] an error with this reason carries.
    ///
    /// ```
    /// use dmemfs_core::Reason;
    /// use std::io::ErrorKind;
    ///
    /// let full = Reason::QuotaExceeded { requested: 10, available: 2, quota: 8 };
    /// assert_eq!(full.kind(), ErrorKind::StorageFull);
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        use io::ErrorKind as K;
        match self {
            Reason::NotFound | Reason::ParentNotFound { .. } => K::NotFound,
            Reason::AlreadyExists | Reason::DanglingLink { .. } => K::AlreadyExists,
            Reason::IsADirectory => K::IsADirectory,
            Reason::NotADirectory | Reason::ComponentNotADirectory { .. } => K::NotADirectory,
            Reason::DirectoryNotEmpty => K::DirectoryNotEmpty,
            Reason::QuotaExceeded { .. } => K::StorageFull,
            Reason::NodeLimit { .. } => K::QuotaExceeded,
            Reason::LockTimeout { .. } => K::WouldBlock,
            Reason::Busy { .. } => K::ResourceBusy,
            Reason::InvalidPath(_) | Reason::InvalidArgument(_) | Reason::NotALink => {
                K::InvalidInput
            }
            Reason::NameTooLong => K::InvalidFilename,
            Reason::WrongMode(_) => K::Unsupported,
            Reason::FileTooLarge => K::FileTooLarge,
            Reason::MemoryGuard { .. } | Reason::AllocationFailed(_) => K::OutOfMemory,
            Reason::InvalidUtf8 => K::InvalidData,
            Reason::UnexpectedEof { .. } => K::UnexpectedEof,
            Reason::WriteZero { .. } => K::WriteZero,
            Reason::EscapesRoot | Reason::LinkToDirectory => K::PermissionDenied,
            Reason::FilesystemLoop { .. } | Reason::UnexpectedLink { .. } => loop_kind(),
            Reason::Os { kind, .. } => *kind,
            Reason::UnsafeEntry { .. } => K::InvalidData,
            Reason::Host { kind, .. }
            | Reason::Injected { kind }
            | Reason::Archive { kind, .. } => *kind,
        }
    }
}

/// A reason is an error of its own: `Box<dyn Error>`, `anyhow` and `?` take it.
impl std::error::Error for Reason {}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotFound => f.write_str("no such file or directory"),
            Reason::ParentNotFound { parent } => {
                write!(f, "parent directory `{parent}` does not exist")
            }
            Reason::AlreadyExists => f.write_str("already exists"),
            Reason::IsADirectory => f.write_str("is a directory"),
            Reason::NotADirectory => f.write_str("not a directory"),
            Reason::ComponentNotADirectory { component } => {
                write!(f, "`{component}` is a file, not a directory")
            }
            Reason::DirectoryNotEmpty => f.write_str("directory not empty"),
            Reason::QuotaExceeded {
                requested,
                available,
                quota,
            } => write!(
                f,
                "byte quota exceeded: {requested} bytes requested, {available} of {quota} available"
            ),
            Reason::NodeLimit {
                requested,
                current,
                limit,
            } => write!(
                f,
                "node limit reached: {requested} new nodes requested, {current} of {limit} in use"
            ),
            Reason::LockTimeout { waited } => {
                write!(
                    f,
                    "file is locked by another handle; gave up after {waited:?}"
                )
            }
            Reason::Busy { open } => write!(f, "`{open}` is open in a handle"),
            Reason::FilesystemLoop { path } => {
                write!(f, "too many levels of symbolic links resolving `{path}`")
            }
            Reason::UnexpectedLink { path } => {
                write!(
                    f,
                    "`{path}` became a symbolic link while it was being resolved"
                )
            }
            Reason::DanglingLink { link } => write!(f, "`{link}` is a symbolic link to nothing"),
            Reason::NotALink => f.write_str("not a symbolic link"),
            Reason::LinkToDirectory => f.write_str("directories cannot have hard links"),
            Reason::InvalidPath(why) => write!(f, "invalid path: {why}"),
            Reason::NameTooLong => f.write_str("file name or path too long"),
            Reason::InvalidArgument(why) => why.fmt(f),
            Reason::WrongMode(mode) => write!(f, "handle was not opened for {mode}"),
            Reason::FileTooLarge => f.write_str("file too large"),
            Reason::MemoryGuard {
                requested,
                available,
            } => write!(
                f,
                "memory guard: {requested} bytes requested but only {available} bytes of \
                 physical memory are available"
            ),
            Reason::AllocationFailed(bytes) => write!(f, "allocating {bytes} bytes failed"),
            Reason::UnexpectedEof { wanted, missing } => write!(
                f,
                "the file ends {missing} bytes short of the {wanted} bytes requested"
            ),
            Reason::WriteZero { wanted, written } => write!(
                f,
                "wrote {written} of the {wanted} bytes requested, then nothing more"
            ),
            Reason::InvalidUtf8 => f.write_str("stream did not contain valid UTF-8"),
            Reason::Injected { kind } => write!(f, "injected fault ({kind})"),
            Reason::EscapesRoot => {
                f.write_str("resolves outside the root directory (through a symbolic link)")
            }
            Reason::Os { error, .. } => error.describe(f),
            Reason::Host {
                host_path, error, ..
            } => {
                write!(f, "host path `{host_path}`: ")?;
                error.describe(f)
            }
            Reason::UnsafeEntry { entry, why } => write!(f, "unsafe entry name `{entry}`: {why}"),
            Reason::Archive { entry, message, .. } => match entry {
                Some(name) => write!(f, "archive entry `{name}`: {message}"),
                None => write!(f, "archive: {message}"),
            },
        }
    }
}

/// The kind of `ELOOP` (`ErrorKind::FilesystemLoop`, which stable Rust cannot name yet), as
/// `std` maps it, so that a loop reads the same as one met on a real disk.
fn loop_kind() -> io::ErrorKind {
    #[cfg(unix)]
    {
        io::Error::from(rustix::io::Errno::LOOP).kind()
    }
    #[cfg(not(unix))]
    {
        io::ErrorKind::Other
    }
}
