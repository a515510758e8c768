//! Typed errors carried inside every [`io::Error`] this crate returns.
//!
//! The public API returns [`io::Result`] so that code written against `std::fs` ports over
//! unchanged and matches on [`io::ErrorKind`] keep working. The payload inside each error is an
//! [`FsError`] naming the operation, the path and the precise [`Reason`]; reach it with
//! [`FsError::from_io`] (or `err.get_ref()` and `downcast_ref`).

use std::fmt;
use std::io;
use std::time::Duration;

/// The filesystem operation that failed.
///
/// ```
/// use dmemfs_core::{FsError, MemFs, Op};
/// let fs = MemFs::new();
/// let err = fs.create_dir("/a/b").unwrap_err();
/// assert_eq!(FsError::from_io(&err).unwrap().op(), Op::CreateDir);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// Building a [`MemFs`](crate::MemFs), or opening an [`OsFs`](crate::OsFs).
    Build,
    /// Opening an existing file ([`MemFs::open`](crate::MemFs::open), or
    /// [`OpenOptions::open`](crate::OpenOptions::open) without `create`).
    Open,
    /// Opening a file that may be created ([`MemFs::create`](crate::MemFs::create), or
    /// [`OpenOptions::open`](crate::OpenOptions::open) with `create` or `create_new`).
    Create,
    /// Reading from a file or a handle.
    Read,
    /// Writing to a file or a handle.
    Write,
    /// Appending to a file ([`MemFs::append`](crate::MemFs::append)).
    Append,
    /// Moving a handle's cursor.
    Seek,
    /// Changing a file's length.
    SetLen,
    /// Querying metadata.
    Metadata,
    /// Listing a directory.
    ReadDir,
    /// Creating one directory.
    CreateDir,
    /// Creating a directory and its missing parents.
    CreateDirAll,
    /// Removing a file.
    RemoveFile,
    /// Removing an empty directory.
    RemoveDir,
    /// Removing a directory and everything below it.
    RemoveDirAll,
    /// Renaming with `std::fs::rename` semantics.
    Rename,
    /// Moving with D-MemFS `move` semantics ([`MemFs::move_path`](crate::MemFs::move_path)).
    Move,
    /// Copying a file.
    Copy,
    /// Copying a directory tree.
    CopyDirAll,
    /// Walking a directory tree.
    Walk,
    /// Matching a glob pattern.
    Glob,
    /// Exporting files to a map.
    ExportTree,
    /// Importing files from a map.
    ImportTree,
    /// Exporting files to a host directory.
    ExportToDir,
    /// Importing files from a host directory.
    ImportFromDir,
    /// Extracting a tar archive (feature `tar`).
    ExtractTar,
    /// Extracting a zip archive (feature `zip`).
    ExtractZip,
    /// Writing a subtree as a tar archive (feature `tar`).
    ExportTar,
    /// [`MemFs::set_permissions`](crate::MemFs::set_permissions) and its handle form.
    SetPermissions,
    /// [`MemFs::set_times`](crate::MemFs::set_times) and its handle form.
    SetTimes,
    /// [`MemFs::hard_link`](crate::MemFs::hard_link).
    HardLink,
    /// [`MemFs::symlink`](crate::MemFs::symlink).
    Symlink,
    /// [`MemFs::read_link`](crate::MemFs::read_link).
    ReadLink,
    /// [`MemFs::lookup`](crate::MemFs::lookup) and
    /// [`MemFs::metadata_by_ino`](crate::MemFs::metadata_by_ino).
    Lookup,
}

impl Op {
    /// The operation's name as it appears in messages, e.g. `"create_dir_all"`.
    ///
    /// ```
    /// assert_eq!(dmemfs_core::Op::CreateDirAll.name(), "create_dir_all");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Op::Build => "build",
            Op::Open => "open",
            Op::Create => "create",
            Op::Read => "read",
            Op::Write => "write",
            Op::Append => "append",
            Op::Seek => "seek",
            Op::SetLen => "set_len",
            Op::Metadata => "metadata",
            Op::ReadDir => "read_dir",
            Op::CreateDir => "create_dir",
            Op::CreateDirAll => "create_dir_all",
            Op::RemoveFile => "remove_file",
            Op::RemoveDir => "remove_dir",
            Op::RemoveDirAll => "remove_dir_all",
            Op::Rename => "rename",
            Op::Move => "move_path",
            Op::Copy => "copy",
            Op::CopyDirAll => "copy_dir_all",
            Op::Walk => "walk",
            Op::Glob => "glob",
            Op::ExportTree => "export_tree",
            Op::ImportTree => "import_tree",
            Op::ExportToDir => "export_to_dir",
            Op::ImportFromDir => "import_from_dir",
            Op::ExtractTar => "extract_tar",
            Op::ExtractZip => "extract_zip",
            Op::ExportTar => "export_tar",
            Op::SetPermissions => "set_permissions",
            Op::SetTimes => "set_times",
            Op::HardLink => "hard_link",
            Op::Lookup => "lookup",
            Op::Symlink => "symlink",
            Op::ReadLink => "read_link",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// The path does not exist.
    #[error("no such file or directory")]
    NotFound,
    /// The parent directory of the path does not exist.
    #[error("parent directory `{parent}` does not exist")]
    ParentNotFound {
        /// The missing parent.
        parent: String,
    },
    /// The path already exists.
    #[error("already exists")]
    AlreadyExists,
    /// A file operation met a directory.
    #[error("is a directory")]
    IsADirectory,
    /// A directory operation met a file.
    #[error("not a directory")]
    NotADirectory,
    /// A component in the middle of the path is a file.
    #[error("`{component}` is a file, not a directory")]
    ComponentNotADirectory {
        /// The leading part of the path that names a file.
        component: String,
    },
    /// The directory still has entries.
    #[error("directory not empty")]
    DirectoryNotEmpty,
    /// The byte quota cannot hold the requested growth. Nothing was written.
    #[error("byte quota exceeded: {requested} bytes requested, {available} of {quota} available")]
    QuotaExceeded {
        /// Bytes the operation needed.
        requested: u64,
        /// Bytes still free when it was refused.
        available: u64,
        /// The filesystem's quota.
        quota: u64,
    },
    /// The node limit cannot hold the files and directories the operation would create.
    #[error("node limit reached: {requested} new nodes requested, {current} of {limit} in use")]
    NodeLimit {
        /// Nodes the operation would create.
        requested: u64,
        /// Nodes in use (files plus directories, root included).
        current: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The file's lock was held by other handles for longer than the lock timeout.
    #[error("file is locked by another handle; gave up after {waited:?}")]
    LockTimeout {
        /// How long the operation waited.
        waited: Duration,
    },
    /// The file (or a file below the directory) is open, so it cannot be removed or moved.
    #[error("`{open}` is open in a handle")]
    Busy {
        /// The open file.
        open: String,
    },
    /// Resolving the path met more than 40 symbolic links, or a loop of them (`ELOOP`).
    #[error("too many levels of symbolic links resolving `{path}`")]
    FilesystemLoop {
        /// The path being resolved.
        path: String,
    },
    /// A symbolic link appeared at a path while it was being resolved (another thread
    /// created it): the operation does not follow it (`ELOOP`, as with `O_NOFOLLOW`).
    #[error("`{path}` became a symbolic link while it was being resolved")]
    UnexpectedLink {
        /// The path.
        path: String,
    },
    /// A broken symbolic link stands where a directory must be created (`EEXIST`, as
    /// `mkdir -p` reports it): its target is not created through it.
    #[error("`{link}` is a symbolic link to nothing")]
    DanglingLink {
        /// The link.
        link: String,
    },
    /// `read_link` on something that is not a symbolic link (`EINVAL` on Linux).
    #[error("not a symbolic link")]
    NotALink,
    /// A hard link to a directory was asked for (`EPERM` on Linux).
    #[error("directories cannot have hard links")]
    LinkToDirectory,
    /// The path is not a valid virtual path.
    #[error("invalid path: {0}")]
    InvalidPath(&'static str),
    /// A name or the whole path is longer than the limits ([`NAME_MAX`](crate::NAME_MAX),
    /// [`PATH_MAX`](crate::PATH_MAX)).
    #[error("file name or path too long")]
    NameTooLong,
    /// An argument was rejected.
    #[error("{0}")]
    InvalidArgument(String),
    /// The handle was not opened in a mode that allows this.
    #[error("handle was not opened for {0}")]
    WrongMode(&'static str),
    /// The operation would grow a file beyond [`MAX_FILE_SIZE`](crate::MAX_FILE_SIZE).
    #[error("file too large")]
    FileTooLarge,
    /// The memory guard refused the growth: the host does not have the memory.
    #[error(
        "memory guard: {requested} bytes requested but only {available} bytes of physical memory are available"
    )]
    MemoryGuard {
        /// Bytes the operation needed (the quota, for the check at build time).
        requested: u64,
        /// Bytes of physical memory available (container limits included).
        available: u64,
    },
    /// The allocator could not provide the memory.
    #[error("allocating {0} bytes failed")]
    AllocationFailed(u64),
    /// The file ended before the bytes asked for (`read_exact_at`).
    #[error("the file ends {missing} bytes short of the {wanted} bytes requested")]
    UnexpectedEof {
        /// Bytes asked for.
        wanted: u64,
        /// Bytes the file lacked.
        missing: u64,
    },
    /// A write made no progress before the whole buffer was written (`write_all_at` when
    /// a write, cut short by a fault injector, transferred nothing).
    #[error("wrote {written} of the {wanted} bytes requested, then nothing more")]
    WriteZero {
        /// Bytes asked for.
        wanted: u64,
        /// Bytes written before the write that wrote nothing.
        written: u64,
    },
    /// The file's contents are not valid UTF-8.
    #[error("stream did not contain valid UTF-8")]
    InvalidUtf8,
    /// A [`FaultInjector`](crate::FaultInjector) made the operation fail.
    #[error("injected fault ({kind})")]
    Injected {
        /// The kind the injector chose.
        kind: io::ErrorKind,
    },
    /// The path resolves outside the root directory of an [`OsFs`](crate::OsFs), through a
    /// symbolic link on disk (`..` above the root is refused earlier, as
    /// [`InvalidPath`](Reason::InvalidPath)). Nothing was accessed.
    #[error("resolves outside the root directory (through a symbolic link)")]
    EscapesRoot,
    /// An operating-system call of an [`OsFs`](crate::OsFs) failed in a way no other reason
    /// describes (permission denied, I/O error, read-only filesystem, ...).
    #[error("{message}")]
    Os {
        /// The OS error's kind.
        kind: io::ErrorKind,
        /// The OS error's message (it names no host path).
        message: String,
    },
    /// A host filesystem call failed (import from or export to a host directory).
    #[error("host path `{host_path}`: {message}")]
    Host {
        /// The host path involved.
        host_path: String,
        /// The host error's kind.
        kind: io::ErrorKind,
        /// The host error's message.
        message: String,
    },
    /// An archive entry's name would not land below the destination directory (an absolute
    /// name, a `..` component, a drive prefix) or names nothing. Nothing was extracted.
    #[error("unsafe entry name `{entry}`: {why}")]
    UnsafeEntry {
        /// The entry's name as the archive spells it.
        entry: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An archive could not be read or written: it is corrupt or truncated, holds an entry
    /// that was refused, or the reader or writer failed (its error kind is kept).
    #[error("archive{}: {message}", entry_label(.entry.as_deref()))]
    Archive {
        /// The entry being read or written, when one was.
        entry: Option<String>,
        /// `InvalidData` (corrupt), `UnexpectedEof` (truncated), `Unsupported` (a refused
        /// entry), or the reader's or writer's own kind.
        kind: io::ErrorKind,
        /// What went wrong.
        message: String,
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

/// The payload of every error returned by this crate: which operation failed, on which path,
/// and why.
///
/// ```
/// use dmemfs_core::{FsError, MemFs, Op, Reason};
///
/// let fs = MemFs::new();
/// let err = fs.read("/missing.txt").unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// assert_eq!(err.to_string(), "read `/missing.txt`: no such file or directory");
///
/// let detail = FsError::from_io(&err).unwrap();
/// assert_eq!(detail.op(), Op::Read);
/// assert_eq!(detail.path(), "/missing.txt");
/// assert_eq!(detail.reason(), &Reason::NotFound);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsError {
    op: Op,
    path: String,
    target: Option<String>,
    reason: Reason,
}

impl FsError {
    /// Builds an error for `op` on `path`.
    ///
    /// ```
    /// use dmemfs_core::{FsError, Op, Reason};
    /// let e = FsError::new(Op::Open, "/a", Reason::NotFound);
    /// assert_eq!(e.to_string(), "open `/a`: no such file or directory");
    /// ```
    pub fn new(op: Op, path: impl Into<String>, reason: Reason) -> Self {
        FsError {
            op,
            path: path.into(),
            target: None,
            reason,
        }
    }

    /// Adds the second path of a two-path operation (rename, copy, ...).
    ///
    /// ```
    /// use dmemfs_core::{FsError, Op, Reason};
    /// let e = FsError::new(Op::Rename, "/a", Reason::NotFound).with_target("/b");
    /// assert_eq!(e.to_string(), "rename `/a` to `/b`: no such file or directory");
    /// ```
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The operation that failed.
    ///
    /// ```
    /// # use dmemfs_core::{FsError, Op, Reason};
    /// assert_eq!(FsError::new(Op::Open, "/a", Reason::NotFound).op(), Op::Open);
    /// ```
    pub fn op(&self) -> Op {
        self.op
    }

    /// The path the operation was given (as the caller wrote it).
    ///
    /// ```
    /// # use dmemfs_core::{FsError, Op, Reason};
    /// assert_eq!(FsError::new(Op::Open, "/a", Reason::NotFound).path(), "/a");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The second path of a two-path operation, if any.
    ///
    /// ```
    /// # use dmemfs_core::{FsError, Op, Reason};
    /// let e = FsError::new(Op::Copy, "/a", Reason::NotFound).with_target("/b");
    /// assert_eq!(e.target(), Some("/b"));
    /// ```
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// Why the operation failed.
    ///
    /// ```
    /// # use dmemfs_core::{FsError, Op, Reason};
    /// assert_eq!(FsError::new(Op::Open, "/a", Reason::NotFound).reason(), &Reason::NotFound);
    /// ```
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// The [`io::ErrorKind`] this error converts to.
    ///
    /// ```
    /// # use dmemfs_core::{FsError, Op, Reason};
    /// let e = FsError::new(Op::Open, "/a", Reason::NotFound);
    /// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        self.reason.kind()
    }

    /// The `FsError` inside an [`io::Error`] returned by this crate, if there is one.
    ///
    /// ```
    /// use dmemfs_core::{FsError, MemFs};
    /// let fs = MemFs::new();
    /// let err = fs.remove_file("/nope").unwrap_err();
    /// assert_eq!(FsError::from_io(&err).unwrap().path(), "/nope");
    /// assert!(FsError::from_io(&std::io::Error::other("foreign")).is_none());
    /// ```
    pub fn from_io(err: &io::Error) -> Option<&FsError> {
        err.get_ref()?.downcast_ref::<FsError>()
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.op, self.path)?;
        if let Some(target) = &self.target {
            write!(f, " to `{target}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for FsError {}

impl From<FsError> for io::Error {
    fn from(err: FsError) -> io::Error {
        io::Error::new(err.kind(), err)
    }
}

/// ` entry `name``, or nothing, for [`Reason::Archive`] messages.
fn entry_label(entry: Option<&str>) -> String {
    entry.map_or_else(String::new, |name| format!(" entry `{name}`"))
}

/// Shorthand used throughout the crate: fail `op` on `path` with `reason`.
#[cold]
pub(crate) fn fail(op: Op, path: &str, reason: Reason) -> io::Error {
    FsError::new(op, path, reason).into()
}

/// Two-path variant of [`fail`].
#[cold]
pub(crate) fn fail2(op: Op, path: &str, target: &str, reason: Reason) -> io::Error {
    FsError::new(op, path, reason).with_target(target).into()
}

/// The kind of `ELOOP` (`ErrorKind::FilesystemLoop`, which stable Rust cannot name yet), as
/// `std` maps it, so that a loop reads the same as one met on a real disk.
fn loop_kind() -> std::io::ErrorKind {
    #[cfg(unix)]
    {
        std::io::Error::from(rustix::io::Errno::LOOP).kind()
    }
    #[cfg(not(unix))]
    {
        std::io::ErrorKind::Other
    }
}
