//! [`OsFs`]: a real host directory behind the [`FileSystem`](super::FileSystem) trait,
//! confined to that directory.

mod attrs;
mod file;
mod glob;
mod ops;
mod tree;

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::error::{FsError, IoSource, Op, Reason, fail, fail2};
use crate::metadata::FileType;
use crate::metadata::Metadata;

/// A directory on the host disk used as the root of a virtual filesystem: the
/// [`FileSystem`](super::FileSystem) that production code gets where tests pass a
/// [`MemFs`](crate::MemFs).
///
/// Virtual paths follow the same rules as on a `MemFs` (see the [crate docs](crate#paths)):
/// `/reports/q1.csv` is `<root>/reports/q1.csv` on the host, `..` above the root and NUL
/// bytes are `InvalidInput`, and `..` is resolved on the path's text before the disk is
/// consulted. Errors have the same kinds and the same [`FsError`] payload: the operation and
/// the virtual path as the caller wrote it, never the host path, and the reason a `MemFs`
/// gives ([`Reason::Os`], with the OS error's kind and message, when no other reason fits).
/// An error the OS reported is kept whole as the payload's
/// [`source`](FsError#impl-Error-for-FsError), with its `raw_os_error()`.
///
/// # Confinement
/// Every path is resolved beneath the root by [`cap_std`] (`openat2` with `RESOLVE_BENEATH`
/// on Linux 5.6+, a careful component-by-component walk elsewhere), so nothing outside the
/// root can be read, written, created or removed through an `OsFs`:
/// - a symbolic link on disk that leads outside the root (absolute, or climbing with `..`)
///   is refused with `PermissionDenied` ([`Reason::EscapesRoot`]); nothing is accessed;
/// - a symbolic link that stays inside the root is followed, like on a disk;
/// - removing or renaming a symbolic link acts on the link itself, never on its target.
/// - [`hard_link`](super::FileSystem::hard_link) of a symbolic link links the link itself
///   (as `std::fs::hard_link` on Linux); [`set_permissions`](super::FileSystem::set_permissions)
///   and [`set_times`](super::FileSystem::set_times) follow a link inside the root to its target.
///
/// What confinement does not cover: hard links and bind mounts made on the host are ordinary
/// files and directories to an `OsFs` and are not detected.
///
/// # Listings and symbolic links
/// [`read_dir`](super::FileSystem::read_dir), [`walk`](super::FileSystem::walk) and
/// [`glob`](super::FileSystem::glob) report a link that resolves inside the root as the file
/// or directory it points to, but never descend into a linked directory (as `walkdir` does by
/// default), so a link to an ancestor cannot make them loop; `copy_dir_all` copies what
/// `walk` yields, so a linked directory is copied as an empty directory. Entries that an
/// `OsFs` cannot address or represent are left out of listings: names that are not UTF-8 or
/// that contain `\` (a separator in virtual paths), dangling or escaping links, and special
/// files (sockets, FIFOs, devices), whose [`metadata`](super::FileSystem::metadata) is
/// `Unsupported` (opening one is left to the OS: opening a FIFO waits for a writer, as with
/// `std::fs`).
///
/// # Differences from a `MemFs`
/// Listed in the [module docs](crate::backend#where-implementations-differ): no file
/// locks (an open file can be removed or renamed, two writers can coexist), no quota, no
/// atomic whole-file writes, directory timestamps that follow the disk, and permissions that
/// the OS enforces.
///
/// ```
/// use dmemfs_core::{FileSystem, OsFs};
///
/// let host = tempfile::tempdir()?;
/// let fs = OsFs::new(host.path())?;
/// fs.create_dir_all("/out/logs")?;
/// fs.write("/out/logs/run.log", b"step 1 done\n")?;
/// assert_eq!(std::fs::read_to_string(host.path().join("out/logs/run.log"))?, "step 1 done\n");
///
/// // The root is the top: `..` cannot leave it.
/// assert_eq!(fs.read("/../etc/passwd").unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct OsFs {
    root: Arc<Root>,
}

#[derive(Debug)]
struct Root {
    dir: Dir,
    host: PathBuf,
}

impl fmt::Debug for OsFs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OsFs")
            .field("host_root", &self.root.host)
            .finish()
    }
}

impl OsFs {
    /// Opens the host directory `host_dir` as the root of an `OsFs`.
    ///
    /// The directory is opened once, as a handle: if it is later renamed on the host, the
    /// `OsFs` keeps working on it.
    ///
    /// # Errors
    /// `NotFound` if the directory does not exist, `NotADirectory` if it is a file, or the
    /// OS error (such as `PermissionDenied`), with [`Op::Build`] and the host path.
    ///
    /// ```
    /// let host = tempfile::tempdir()?;
    /// let fs = dmemfs_core::OsFs::new(host.path())?;
    /// assert_eq!(fs.host_root(), host.path());
    /// let missing = dmemfs_core::OsFs::new(host.path().join("missing"));
    /// assert_eq!(missing.unwrap_err().kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(host_dir: impl AsRef<Path>) -> io::Result<OsFs> {
        let host = host_dir.as_ref();
        let dir = Dir::open_ambient_dir(host, ambient_authority())
            .map_err(|err| OsFailure::from(err).at(Op::Build, &host.display().to_string()))?;
        Ok(OsFs {
            root: Arc::new(Root {
                dir,
                host: host.to_path_buf(),
            }),
        })
    }

    /// The host directory this filesystem's root was opened from.
    ///
    /// ```
    /// let host = tempfile::tempdir()?;
    /// assert_eq!(dmemfs_core::OsFs::new(host.path())?.host_root(), host.path());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn host_root(&self) -> &Path {
        &self.root.host
    }

    fn dir(&self) -> &Dir {
        &self.root.dir
    }

    /// Normalises `raw` with the virtual-path rules, failing `op` on it.
    fn normalize<'p>(&self, op: Op, raw: &'p str) -> io::Result<Cow<'p, str>> {
        crate::path::normalize(raw).map_err(|reason| fail(op, raw, reason))
    }

    /// Normalises both paths of a two-path operation; an error names both.
    fn normalize_pair<'p>(
        &self,
        op: Op,
        from: &'p str,
        to: &'p str,
    ) -> io::Result<(Cow<'p, str>, Cow<'p, str>)> {
        let both = || Ok((crate::path::normalize(from)?, crate::path::normalize(to)?));
        both().map_err(|reason| fail2(op, from, to, reason))
    }

    /// The metadata of a normalised path, following links that stay inside the root.
    fn stat(&self, normal: &str) -> Result<Metadata, OsFailure> {
        let meta = if normal == "/" {
            self.dir().dir_metadata()
        } else {
            self.dir().metadata(relative(normal))
        };
        metadata_of(&meta?)
    }
}

/// A normalised virtual path as a path relative to the root handle (`"."` for the root):
/// cap-std refuses absolute paths.
fn relative(normal: &str) -> &str {
    match normal.strip_prefix('/') {
        Some("") | None => ".",
        Some(rest) => rest,
    }
}

/// Why an operation of an `OsFs` failed: the reason a [`MemFs`](crate::MemFs) would give, and
/// the OS error it was mapped from, kept whole as the [`FsError`]'s source (so that its
/// `raw_os_error()` is not lost). An `io::Error` converts with `?`.
#[derive(Debug)]
struct OsFailure {
    reason: Reason,
    source: Option<IoSource>,
}

impl OsFailure {
    /// The error `op` on `path` fails with.
    fn at(self, op: Op, path: &str) -> io::Error {
        self.error(op, path, None)
    }

    /// Two-path variant of [`at`](OsFailure::at).
    fn at2(self, op: Op, path: &str, target: &str) -> io::Error {
        self.error(op, path, Some(target))
    }

    #[cold]
    fn error(self, op: Op, path: &str, target: Option<&str>) -> io::Error {
        let mut error = FsError::new(op, path, self.reason);
        if let Some(target) = target {
            error = error.with_target(target);
        }
        if let Some(source) = self.source {
            error = error.with_source(source);
        }
        error.into()
    }

    /// The same OS error, said as `reason`: a MemFs names some failures more precisely than
    /// their errno does.
    fn named(self, reason: Reason) -> OsFailure {
        OsFailure { reason, ..self }
    }

    /// The failure inside an error this crate returned (another operation's, such as a
    /// walk's), with its source.
    fn caught(err: io::Error) -> OsFailure {
        match FsError::from_io(&err) {
            Some(detail) => OsFailure {
                reason: detail.reason().clone(),
                source: detail.io_source().cloned(),
            },
            None => OsFailure::from(err),
        }
    }
}

impl From<Reason> for OsFailure {
    /// A failure found before or without the OS: it has no source.
    fn from(reason: Reason) -> OsFailure {
        OsFailure {
            reason,
            source: None,
        }
    }
}

impl From<io::Error> for OsFailure {
    /// An OS error, with the reason a [`MemFs`](crate::MemFs) would give for its kind.
    fn from(err: io::Error) -> OsFailure {
        use io::ErrorKind as K;
        let source = IoSource::new(err);
        let err = source.get_ref();
        let reason = match err.kind() {
            // cap-std reports an escape as a PermissionDenied error of its own, not an errno.
            K::PermissionDenied if err.raw_os_error().is_none() => Reason::EscapesRoot,
            K::NotFound => Reason::NotFound,
            K::AlreadyExists => Reason::AlreadyExists,
            K::IsADirectory => Reason::IsADirectory,
            K::NotADirectory => Reason::NotADirectory,
            K::DirectoryNotEmpty => Reason::DirectoryNotEmpty,
            K::InvalidFilename => Reason::NameTooLong,
            K::FileTooLarge => Reason::FileTooLarge,
            // OS messages name no path ("Permission denied (os error 13)").
            kind => Reason::Os {
                kind,
                error: source.clone(),
            },
        };
        OsFailure {
            reason,
            source: Some(source),
        }
    }
}

/// [`Metadata`] from the host's metadata; special files have no place in it.
fn metadata_of(meta: &cap_std::fs::Metadata) -> Result<Metadata, OsFailure> {
    let file_type = if meta.is_dir() {
        FileType::Dir
    } else if meta.is_file() {
        FileType::File
    } else {
        let kind = io::ErrorKind::Unsupported;
        // Not the OS's error: kept in the reason only.
        return Err(Reason::Os {
            kind,
            error: IoSource::new(io::Error::new(
                kind,
                "neither a regular file nor a directory",
            )),
        }
        .into());
    };
    let modified = meta.modified()?.into_std();
    let (ino, nlink, mode, changed) = attrs::unix_numbers(meta, file_type);
    // Every platform std supports reports the access time; the modification time stands in
    // otherwise, and for the status change time off Unix.
    let accessed = meta.accessed().map_or(modified, |t| t.into_std());
    Ok(Metadata::of_host(
        file_type,
        if file_type.is_dir() { 0 } else { meta.len() },
        [accessed, modified, changed.unwrap_or(modified)],
        meta.created().ok().map(|t| t.into_std()),
        ino,
        nlink,
        mode,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_for_the_root_handle() {
        assert_eq!(relative("/"), ".");
        assert_eq!(relative("/a"), "a");
        assert_eq!(relative("/a/b"), "a/b");
    }

    #[test]
    fn os_errors_keep_their_kind_and_themselves() {
        let denied = OsFailure::from(io::Error::from_raw_os_error(13)).reason;
        assert_eq!(denied.kind(), io::ErrorKind::PermissionDenied);
        let Reason::Os { error, .. } = denied else {
            panic!("{denied:?}")
        };
        assert_eq!(error.get_ref().raw_os_error(), Some(13));
        let escape = io::Error::new(io::ErrorKind::PermissionDenied, "outside");
        assert_eq!(OsFailure::from(escape).reason, Reason::EscapesRoot);
        let not_empty = OsFailure::from(io::Error::from_raw_os_error(39));
        assert_eq!(not_empty.reason, Reason::DirectoryNotEmpty);
        let source = not_empty.source.as_ref().map(IoSource::get_ref);
        assert_eq!(source.and_then(io::Error::raw_os_error), Some(39));
    }

    #[test]
    fn a_failure_caught_from_another_operation_keeps_its_source() {
        let walked = OsFailure::from(io::Error::from_raw_os_error(20)).at(Op::Walk, "/d");
        let caught = OsFailure::caught(walked);
        assert_eq!(caught.reason, Reason::NotADirectory);
        let source = caught.source.as_ref().map(IoSource::get_ref);
        assert_eq!(source.and_then(io::Error::raw_os_error), Some(20));
    }
}
