//! `impl vfs::FileSystem for MemFs` (feature `vfs`).
//!
//! `::vfs` is written with leading colons throughout: this module is itself named `vfs`.

use std::io::{self, Cursor};

use ::vfs::error::VfsErrorKind;
use ::vfs::{FileSystem, SeekAndRead, SeekAndWrite, VfsError, VfsFileType, VfsMetadata, VfsResult};

use crate::error::{FsError, Reason};
use crate::fs::MemFs;

/// A [`MemFs`] is a [`vfs`](::vfs) filesystem: code written against `vfs::FileSystem` or
/// `vfs::VfsPath` gets the byte quota, the node limit, file locks, fault injection and the test
/// harness. It passes vfs's own conformance suite (`vfs::test_vfs!`).
///
/// Paths are vfs's (`""` for the root, `"/a/b"` otherwise), which are valid dmemfs paths.
/// Each method calls the `MemFs` method of the same meaning:
///
/// | vfs | dmemfs |
/// |---|---|
/// | `read_dir` | [`MemFs::read_dir`] (names, sorted) |
/// | `create_dir` | [`MemFs::create_dir`] |
/// | `open_file` | [`MemFs::read`]: a snapshot, see below |
/// | `create_file` | [`MemFs::create`]: a writable [`MemFile`](crate::MemFile) |
/// | `append_file` | [`MemFs::options`] with `append(true)` (the file must exist) |
/// | `metadata` | [`MemFs::metadata`]; `accessed` is `None` |
/// | `exists` | [`MemFs::exists`] |
/// | `remove_file`, `remove_dir` | [`MemFs::remove_file`], [`MemFs::remove_dir`] |
/// | `copy_file` | [`MemFs::copy`] (atomic, replaces like `std::fs::copy`) |
/// | `move_file`, `move_dir` | [`MemFs::rename`] (atomic, like vfs's `PhysicalFS`) |
/// | `set_creation_time`, `set_modification_time`, `set_access_time` | `NotSupported` |
///
/// # Handles and locks
/// A file from `create_file` or `append_file` is a real handle: it holds the file's lock until
/// dropped, each write is charged to the quota when it happens (a write that does not fit
/// fails with `StorageFull` and writes nothing), and nothing is left to flush on drop.
///
/// `open_file` instead reads the whole file under its lock (waiting for a writer, up to the
/// lock timeout, as [`MemFs::read`] does) and returns a reader over that snapshot, holding no
/// lock. So an open vfs reader never blocks a writer, a rename or a removal, as an open file
/// descriptor on Linux does not; vfs relies on this, for example when
/// [`VfsPath::move_file`](::vfs::VfsPath::move_file) to another filesystem removes the source
/// while its reader is still open (dmemfs refuses to remove a file a [`MemFile`](crate::MemFile)
/// has open). The snapshot is a heap copy outside the quota, freed with the reader.
///
/// # Errors
/// vfs has few error kinds, so the `io::Error` is mapped onto them where one fits:
/// `NotFound` to `FileNotFound`; `AlreadyExists` to `DirectoryExists` or `FileExists`
/// (whichever is at the path); an invalid path to `InvalidPath`. The `io::Error` itself is then
/// the error's [`source`](std::error::Error::source): a `Box<VfsError>` (vfs boxes causes) of
/// kind `IoError`, with the [`FsError`] inside ([`FsError::from_io`]). For `FileNotFound` that
/// inner `io::Error` has kind `Other`, since vfs turns an `IoError` of kind `NotFound` into a
/// bare `FileNotFound`.
/// Every other error (`StorageFull`, `ResourceBusy`, `WouldBlock`, `DirectoryNotEmpty`, ...)
/// is `VfsErrorKind::IoError` holding our `io::Error` unchanged.
///
/// # Differences
/// - Timestamps cannot be set: dmemfs keeps D-MemFS's rules (`modified` changes with each
///   write, `created` at creation) and tracks no access time. The three `set_*_time` methods
///   return `NotSupported`, which vfs documents as optional.
/// - A `\` in a name is a separator in dmemfs, as for every dmemfs path.
/// - `move_file` and `move_dir` are both `rename`: each moves files and directories alike.
///
/// ```
/// use dmemfs_core::MemFs;
/// use std::io::{ErrorKind, Write};
/// use vfs::VfsPath;
///
/// let fs = MemFs::with_quota(16);
/// let root: VfsPath = fs.clone().into();
/// root.join("logs")?.create_dir()?;
/// root.join("logs/app.log")?.create_file()?.write_all(b"started")?;
/// assert_eq!(fs.read_to_string("/logs/app.log")?, "started");
///
/// // The quota holds through vfs: this write fails and writes nothing.
/// let mut big = root.join("big.bin")?.create_file()?;
/// assert_eq!(big.write(&[0; 32]).unwrap_err().kind(), ErrorKind::StorageFull);
/// assert_eq!(fs.stats().used, 7);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl FileSystem for MemFs {
    fn read_dir(&self, path: &str) -> VfsResult<Box<dyn Iterator<Item = String> + Send>> {
        let names: Vec<String> = MemFs::read_dir(self, path)
            .map_err(|err| self.vfs_error(err, path))?
            .map(|entry| entry.map(|entry| entry.file_name().to_owned()))
            .collect::<io::Result<_>>()
            .map_err(|err| self.vfs_error(err, path))?;
        Ok(Box::new(names.into_iter()))
    }

    fn create_dir(&self, path: &str) -> VfsResult<()> {
        // dmemfs refuses the root as a name to create; vfs expects "it exists".
        if path.is_empty() || path == "/" {
            return Err(VfsErrorKind::DirectoryExists.into());
        }
        MemFs::create_dir(self, path).map_err(|err| self.vfs_error(err, path))
    }

    fn open_file(&self, path: &str) -> VfsResult<Box<dyn SeekAndRead + Send>> {
        let contents = MemFs::read(self, path).map_err(|err| self.vfs_error(err, path))?;
        Ok(Box::new(Cursor::new(contents)))
    }

    fn create_file(&self, path: &str) -> VfsResult<Box<dyn SeekAndWrite + Send>> {
        let file = MemFs::create(self, path).map_err(|err| self.vfs_error(err, path))?;
        Ok(Box::new(file))
    }

    fn append_file(&self, path: &str) -> VfsResult<Box<dyn SeekAndWrite + Send>> {
        let file = self
            .options()
            .append(true)
            .open(path)
            .map_err(|err| self.vfs_error(err, path))?;
        Ok(Box::new(file))
    }

    fn metadata(&self, path: &str) -> VfsResult<VfsMetadata> {
        let meta = MemFs::metadata(self, path).map_err(|err| self.vfs_error(err, path))?;
        Ok(VfsMetadata {
            file_type: if meta.is_dir() {
                VfsFileType::Directory
            } else {
                VfsFileType::File
            },
            len: meta.len(),
            created: meta.created().ok(),
            modified: meta.modified().ok(),
            accessed: None,
        })
    }

    fn exists(&self, path: &str) -> VfsResult<bool> {
        Ok(MemFs::exists(self, path))
    }

    fn remove_file(&self, path: &str) -> VfsResult<()> {
        MemFs::remove_file(self, path).map_err(|err| self.vfs_error(err, path))
    }

    fn remove_dir(&self, path: &str) -> VfsResult<()> {
        MemFs::remove_dir(self, path).map_err(|err| self.vfs_error(err, path))
    }

    fn copy_file(&self, src: &str, dest: &str) -> VfsResult<()> {
        MemFs::copy(self, src, dest)
            .map(drop)
            .map_err(|err| self.vfs_error(err, dest))
    }

    fn move_file(&self, src: &str, dest: &str) -> VfsResult<()> {
        MemFs::rename(self, src, dest).map_err(|err| self.vfs_error(err, dest))
    }

    fn move_dir(&self, src: &str, dest: &str) -> VfsResult<()> {
        MemFs::rename(self, src, dest).map_err(|err| self.vfs_error(err, dest))
    }
}

impl MemFs {
    /// Maps one of our errors onto vfs's kinds (see the impl's docs); `existing` is the path
    /// an `AlreadyExists` is about.
    fn vfs_error(&self, err: io::Error, existing: &str) -> VfsError {
        let invalid_path = FsError::from_io(&err)
            .is_some_and(|e| matches!(e.reason(), Reason::InvalidPath(_) | Reason::NameTooLong));
        let kind = match err.kind() {
            io::ErrorKind::NotFound => VfsErrorKind::FileNotFound,
            io::ErrorKind::AlreadyExists if self.is_dir(existing) => VfsErrorKind::DirectoryExists,
            io::ErrorKind::AlreadyExists => VfsErrorKind::FileExists,
            _ if invalid_path => VfsErrorKind::InvalidPath,
            _ => return VfsErrorKind::IoError(err).into(),
        };
        // vfs would turn an `IoError` of kind `NotFound` back into a bare `FileNotFound`.
        let cause = if err.kind() == io::ErrorKind::NotFound {
            match FsError::from_io(&err) {
                Some(detail) => io::Error::other(detail.clone()),
                None => io::Error::other(err.to_string()),
            }
        } else {
            err
        };
        VfsError::from(kind).with_cause(VfsErrorKind::IoError(cause).into())
    }
}
