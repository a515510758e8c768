//! The typed details of [`Reason::InvalidPath`](super::Reason::InvalidPath),
//! [`Reason::InvalidArgument`](super::Reason::InvalidArgument) and
//! [`Reason::WrongMode`](super::Reason::WrongMode): a caller tells one case from another
//! by matching, never by comparing message text.

use std::fmt;
use std::io::SeekFrom;
use std::path::PathBuf;

/// What is wrong with a path ([`Reason::InvalidPath`](super::Reason::InvalidPath), always
/// [`InvalidInput`](std::io::ErrorKind::InvalidInput)).
///
/// ```
/// use dmemfs_core::{FsError, MemFs, Reason, error::PathError};
///
/// let fs = MemFs::new();
/// let err = fs.read("/../etc/passwd").unwrap_err();
/// let reason = FsError::from_io(&err).unwrap().reason();
/// assert_eq!(reason, &Reason::InvalidPath(PathError::AboveRoot));
/// assert_eq!(err.to_string(), "read `/../etc/passwd`: invalid path: climbs above the root");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathError {
    /// The path contains a NUL byte.
    Nul,
    /// A `..` climbs above the root.
    AboveRoot,
    /// The operation needs a name, and `/` has none (creating the root, or a file there).
    RootHasNoName,
    /// The operation needs a parent directory, and `/` has none.
    RootHasNoParent,
    /// The root cannot be renamed, moved or replaced.
    RootImmovable,
    /// The root is a directory; a file cannot be put there.
    RootNotAFile,
    /// The root cannot be removed.
    RootNotRemovable,
    /// A single name (as [`MemFs::lookup`](crate::MemFs::lookup) takes) is empty or holds a
    /// `/` or NUL.
    BadName,
    /// A symbolic link's target is empty (`ENOENT` on Linux; refused here as invalid).
    EmptyLinkTarget,
}

impl std::error::Error for PathError {}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::Nul => "contains a NUL byte",
            PathError::AboveRoot => "climbs above the root",
            PathError::RootHasNoName => "the root has no name",
            PathError::RootHasNoParent => "the root has no parent",
            PathError::RootImmovable => "the root cannot be renamed, moved or replaced",
            PathError::RootNotAFile => "the root is a directory, not a file",
            PathError::RootNotRemovable => "the root cannot be removed",
            PathError::BadName => "a name must be non-empty and hold no `/` or NUL",
            PathError::EmptyLinkTarget => "a link's target cannot be empty",
        })
    }
}

/// Which argument was rejected, and why ([`Reason::InvalidArgument`](super::Reason::InvalidArgument),
/// always [`InvalidInput`](std::io::ErrorKind::InvalidInput)).
///
/// ```
/// use dmemfs_core::{FsError, MemFs, Reason, error::ArgError};
///
/// let fs = MemFs::new();
/// fs.create_dir_all("/a/b")?;
/// let err = fs.rename("/a", "/a/b/c").unwrap_err();
/// let reason = FsError::from_io(&err).unwrap().reason();
/// assert_eq!(reason, &Reason::InvalidArgument(ArgError::IntoItself));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgError {
    /// Open options with none of read, write or append.
    NoAccessMode,
    /// `truncate`, `create`, `create_new` or `preallocate` without write or append access.
    NeedsWriteAccess,
    /// `truncate` combined with `append`.
    TruncateWithAppend,
    /// A length (`set_len`, `preallocate`) beyond [`MAX_FILE_SIZE`](crate::MAX_FILE_SIZE).
    LengthTooLarge {
        /// The length asked for.
        length: u64,
    },
    /// A seek before the start of the file or past [`MAX_FILE_SIZE`](crate::MAX_FILE_SIZE).
    SeekOutOfRange(SeekFrom),
    /// A file of another filesystem was passed
    /// ([`OpenOptions::reopen`](crate::OpenOptions::reopen)).
    ForeignFile,
    /// A directory was to be moved or copied into itself.
    IntoItself,
    /// The source and the destination of a copy are the same file.
    SameFile,
    /// Two paths of one import name the same file.
    DuplicatePath {
        /// The first path, as given.
        first: String,
        /// The second path, as given.
        second: String,
        /// The file both name.
        normalized: String,
    },
    /// A host directory being imported holds something that cannot be imported: a symbolic
    /// link, a special file (a FIFO would block forever, a device might never end), or a
    /// name with a `\`, which virtual paths read as a separator.
    UnsupportedHostEntry {
        /// The host entry.
        host_path: PathBuf,
        /// What it is.
        why: &'static str,
    },
    /// `max_nodes(0)`: the root directory is a node.
    ZeroMaxNodes,
    /// A glob pattern has a `..` component.
    ParentInGlob,
    /// A glob pattern does not parse.
    MalformedGlob {
        /// The pattern's segment that does not parse.
        segment: String,
        /// What the glob parser says.
        message: String,
    },
}

impl std::error::Error for ArgError {}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::NoAccessMode => f.write_str("no access mode: set read, write or append"),
            ArgError::NeedsWriteAccess => f.write_str(
                "truncate, create, create_new and preallocate need write or append access",
            ),
            ArgError::TruncateWithAppend => f.write_str("truncate cannot be combined with append"),
            ArgError::LengthTooLarge { length } => {
                write!(f, "length {length} exceeds the maximum file size")
            }
            ArgError::SeekOutOfRange(pos) => write!(
                f,
                "{pos:?} leads before the start or past the maximum file size"
            ),
            ArgError::ForeignFile => f.write_str("the file belongs to another filesystem"),
            ArgError::IntoItself => f.write_str("cannot move or copy a directory into itself"),
            ArgError::SameFile => f.write_str("source and destination are the same file"),
            ArgError::DuplicatePath {
                first,
                second,
                normalized,
            } => write!(
                f,
                "`{first}` and `{second}` name the same file `{normalized}`"
            ),
            ArgError::UnsupportedHostEntry { host_path, why } => {
                write!(f, "`{}` {why}", host_path.display())
            }
            ArgError::ZeroMaxNodes => {
                f.write_str("max_nodes must be at least 1: the root directory is a node")
            }
            ArgError::ParentInGlob => f.write_str("`..` is not allowed in a glob pattern"),
            ArgError::MalformedGlob { segment, message } => {
                write!(f, "malformed pattern `{segment}`: {message}")
            }
        }
    }
}

/// The access a handle lacked ([`Reason::WrongMode`](super::Reason::WrongMode), always
/// [`Unsupported`](std::io::ErrorKind::Unsupported)).
///
/// ```
/// use dmemfs_core::{FsError, MemFs, Reason, error::HandleMode};
/// use std::io::Write;
///
/// let fs = MemFs::new();
/// fs.write("/a", "x")?;
/// let err = fs.open("/a")?.write(b"y").unwrap_err();
/// assert_eq!(FsError::from_io(&err).unwrap().reason(), &Reason::WrongMode(HandleMode::Write));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HandleMode {
    /// Reading.
    Read,
    /// Writing (or changing the length).
    Write,
}

impl std::error::Error for HandleMode {}

impl fmt::Display for HandleMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandleMode::Read => "reading",
            HandleMode::Write => "writing",
        })
    }
}
