//! Typed errors carried inside every [`io::Error`] this crate returns.
//!
//! The public API returns [`io::Result`] so that code written against `std::fs` ports over
//! unchanged and matches on [`io::ErrorKind`] keep working. The payload inside each error is an
//! [`FsError`] naming the operation, the path and the precise [`Reason`]; reach it with
//! [`FsError::from_io`] (or `err.get_ref()` and `downcast_ref`).

mod detail;
mod op;
mod reason;

use std::fmt;
use std::io;

pub use detail::{ArgError, HandleMode, PathError};
pub use op::Op;
pub use reason::Reason;

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
///
/// Two `FsError`s are equal when their operation, paths and reason are: the
/// [source](#impl-Error-for-FsError) is left out, as it tells how the host failed, not what
/// failed, so an [`OsFs`](crate::OsFs)'s error equals a `MemFs`'s for the same failure.
#[derive(Clone, Debug, Eq)]
pub struct FsError {
    op: Op,
    path: String,
    target: Option<String>,
    reason: Reason,
    /// The host's own error behind a mapped reason (an `OsFs`'s `NotFound`, ...).
    source: Option<IoSource>,
}

impl PartialEq for FsError {
    fn eq(&self, other: &FsError) -> bool {
        (self.op, &self.path, &self.target, &self.reason)
            == (other.op, &other.path, &other.target, &other.reason)
    }
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
            source: None,
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

    /// Keeps `source`, the host's own error that this one was mapped from, as the
    /// [`source()`](#impl-Error-for-FsError): the reason stays as given.
    ///
    /// ```
    /// use std::error::Error;
    /// use dmemfs_core::{FsError, Op, Reason};
    /// let e = FsError::new(Op::Read, "/a", Reason::NotFound)
    ///     .with_source(std::io::Error::from_raw_os_error(2));
    /// let os = e.source().unwrap().downcast_ref::<std::io::Error>().unwrap();
    /// assert_eq!(os.raw_os_error(), Some(2));
    /// assert_eq!(e.reason(), &Reason::NotFound);
    /// // Left out of equality.
    /// assert_eq!(e, FsError::new(Op::Read, "/a", Reason::NotFound));
    /// ```
    pub fn with_source(mut self, source: impl Into<IoSource>) -> Self {
        self.source = Some(source.into());
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

    /// The path the operation was given (as the caller wrote it); empty for an operation on
    /// no path ([`Op::Build`]).
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

    /// The host's error this one was mapped from, if [`with_source`](FsError::with_source)
    /// kept one.
    #[cfg(feature = "os")]
    pub(crate) fn io_source(&self) -> Option<&IoSource> {
        self.source.as_ref()
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
        // Building a filesystem is an operation on no path: it names none.
        if self.op == Op::Build && self.path.is_empty() {
            return write!(f, "{}: {}", self.op, self.reason);
        }
        write!(f, "{} `{}`", self.op, self.path)?;
        if let Some(target) = &self.target {
            write!(f, " to `{target}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// The source of an `FsError` is the operating system's or the host's own error, when the
/// failure came from one: its `raw_os_error()` is there.
///
/// That is every error of an [`OsFs`](crate::OsFs) that the OS reported, whatever
/// [`Reason`] it was mapped to (`NotFound`, `NotADirectory`, ... or [`Reason::Os`]), a
/// `MemFs`'s [`Reason::Host`] (a host directory it imports from or exports to), and
/// [`Reason::Archive`] when the reader, writer or archive crate failed. A `MemFs`'s own
/// failures have none.
///
/// ```
/// use std::error::Error;
/// use dmemfs_core::{FileSystem, FsError, OsFs, Reason};
///
/// let host = tempfile::tempdir()?;
/// let fs = OsFs::new(host.path())?;
/// let err = fs.read("/missing.txt").unwrap_err();
/// let detail = FsError::from_io(&err).unwrap();
/// assert_eq!(detail.reason(), &Reason::NotFound); // as a MemFs says it
/// let os = detail.source().unwrap().downcast_ref::<std::io::Error>().unwrap();
/// assert_eq!(os.raw_os_error(), Some(2)); // ENOENT, as the host said it
///
/// let fs = dmemfs_core::MemFs::new();
/// let err = fs.import_from_dir("/nonexistent/dmemfs-seed", "/").unwrap_err();
/// let detail = FsError::from_io(&err).unwrap();
/// let host = detail.source().unwrap().downcast_ref::<std::io::Error>().unwrap();
/// assert_eq!(host.raw_os_error(), Some(2));
///
/// // A MemFs's own failure has no source.
/// assert!(FsError::from_io(&fs.read("/missing.txt").unwrap_err()).unwrap().source().is_none());
/// # Ok::<(), std::io::Error>(())
/// ```
impl std::error::Error for FsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // Kept beside a mapped reason (an OsFs's NotFound, ...), or inside the reason itself.
        let in_reason = match &self.reason {
            Reason::Os { error, .. } | Reason::Host { error, .. } => error.as_cause(),
            Reason::Archive {
                error: Some(error), ..
            } => Some(error),
            _ => None,
        };
        let source = self.source.as_ref().or(in_reason)?;
        Some(source.get_ref())
    }
}

/// An I/O error kept whole inside a [`Reason`], shared so that reasons stay cheap to clone.
/// Two are equal when their kind, OS error number and message are.
///
/// ```
/// use dmemfs_core::error::IoSource;
/// let denied = IoSource::new(std::io::Error::from_raw_os_error(13));
/// assert_eq!(denied.get_ref().raw_os_error(), Some(13));
/// assert_eq!(denied, denied.clone());
/// ```
#[derive(Clone, Debug)]
pub struct IoSource(std::sync::Arc<io::Error>);

impl IoSource {
    /// Keeps `error`.
    pub fn new(error: io::Error) -> IoSource {
        IoSource(std::sync::Arc::new(error))
    }

    /// The error kept.
    pub fn get_ref(&self) -> &io::Error {
        &self.0
    }
}

impl From<io::Error> for IoSource {
    fn from(error: io::Error) -> IoSource {
        IoSource::new(error)
    }
}

impl PartialEq for IoSource {
    fn eq(&self, other: &IoSource) -> bool {
        let (a, b) = (self.get_ref(), other.get_ref());
        a.kind() == b.kind()
            && a.raw_os_error() == b.raw_os_error()
            && a.to_string() == b.to_string()
    }
}

impl Eq for IoSource {}

impl fmt::Display for IoSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl IoSource {
    /// What a reason keeping this error says of it: the kind of an error the OS reported
    /// ("permission denied"), whose own text, with its number, is the source; the text of an
    /// error of ours, which is no separate cause. A chain (`anyhow`'s `{:#}`) then says each
    /// thing once.
    pub(crate) fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_cause() {
            Some(_) => write!(f, "{}", self.0.kind()),
            None => write!(f, "{}", self.0),
        }
    }

    /// The error as the cause of a reason that keeps it: one the OS reported.
    pub(crate) fn as_cause(&self) -> Option<&IoSource> {
        self.0.raw_os_error().is_some().then_some(self)
    }
}

impl From<FsError> for io::Error {
    fn from(err: FsError) -> io::Error {
        io::Error::new(err.kind(), err)
    }
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
