//! [`FsFile`]: the open file handle of a [`FileSystem`](super::FileSystem).

use std::fmt;
use std::io::{self, Read, Seek, Write};
use std::time::SystemTime;

use crate::attrs::{FileTimes, Permissions};
use crate::metadata::Metadata;

/// An open file handle, as [`FileSystem::open_with`](super::FileSystem::open_with) returns it.
///
/// This corresponds to [`std::fs::File`]: [`Read`], [`Write`] and [`Seek`] plus the few methods
/// every implementation can honour. Errors carry an [`FsError`](crate::FsError) naming the
/// operation and the file's virtual path.
///
/// ```
/// use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
/// use std::io::{Read, Seek, SeekFrom, Write};
///
/// let fs: &dyn FileSystem = &MemFs::new();
/// let mut file = fs.open_with("/data.bin", FsOpenOptions::new().read(true).write(true).create(true))?;
/// file.write_all(b"hello world")?;
/// file.seek(SeekFrom::Start(6))?;
/// let mut word = String::new();
/// file.read_to_string(&mut word)?;
/// assert_eq!((word.as_str(), file.path()), ("world", "/data.bin"));
/// file.set_len(5)?;
/// assert_eq!(file.metadata()?.len(), 5);
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait FsFile: Read + Write + Seek + Send + fmt::Debug {
    /// The file's normalised virtual path, as it was opened.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir("/notes")?;
    /// assert_eq!(fs.create("notes//today.txt/")?.path(), "/notes/today.txt");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn path(&self) -> &str;

    /// The file's current metadata.
    ///
    /// This corresponds to [`std::fs::File::metadata`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// use std::io::Write;
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// let mut f = fs.create("/a")?;
    /// f.write_all(b"abc")?;
    /// assert_eq!(f.metadata()?.len(), 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn metadata(&self) -> io::Result<Metadata>;

    /// Truncates or extends the file to `size` bytes (an extension reads as zeros); the cursor
    /// does not move.
    ///
    /// This corresponds to [`std::fs::File::set_len`].
    ///
    /// # Errors
    /// `Unsupported` on a handle opened without write access; on a [`MemFs`](crate::MemFs),
    /// `StorageFull` when the quota cannot hold the extension.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// let f = fs.create("/a")?;
    /// f.set_len(4)?;
    /// drop(f);
    /// assert_eq!(fs.read("/a")?, [0; 4]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn set_len(&self, size: u64) -> io::Result<()>;

    /// Makes the contents durable: a no-op in memory, `fsync` on a disk.
    ///
    /// This corresponds to [`std::fs::File::sync_all`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create("/a")?.sync_all()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn sync_all(&self) -> io::Result<()>;

    /// Sets the file's permission bits (the low twelve bits of
    /// [`Permissions::mode`]). Any handle may, a read-only one included, as `fchmod(2)`. A
    /// [`MemFs`](crate::MemFs) stores and reports them without enforcing them; an
    /// [`OsFs`](crate::OsFs) applies them on the host (off Unix, only
    /// [`readonly`](Permissions::readonly) is applied).
    ///
    /// This corresponds to [`std::fs::File::set_permissions`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, Permissions};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// let script = fs.create("/run.sh")?;
    /// script.set_permissions(Permissions::from_mode(0o755))?;
    /// assert_eq!(script.metadata()?.mode() & 0o7777, 0o755);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn set_permissions(&self, perm: Permissions) -> io::Result<()>;

    /// Sets the access and modification times given in `times` (those not set stay as they
    /// are); any handle may, a read-only one included, as `futimens(2)`.
    ///
    /// This corresponds to [`std::fs::File::set_times`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, FileTimes, MemFs};
    /// use std::time::{Duration, SystemTime};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// let file = fs.create("/a")?;
    /// let then = SystemTime::UNIX_EPOCH + Duration::new(1_000_000_000, 5);
    /// file.set_times(FileTimes::new().set_accessed(then).set_modified(then))?;
    /// let meta = file.metadata()?;
    /// assert_eq!((meta.accessed()?, meta.modified()?), (then, then));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn set_times(&self, times: FileTimes) -> io::Result<()>;

    /// Sets the modification time, as [`set_times`](Self::set_times) with only that.
    ///
    /// This corresponds to [`std::fs::File::set_modified`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// use std::time::SystemTime;
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// let file = fs.create("/a")?;
    /// file.set_modified(SystemTime::UNIX_EPOCH)?;
    /// assert_eq!(file.metadata()?.modified()?, SystemTime::UNIX_EPOCH);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn set_modified(&self, time: SystemTime) -> io::Result<()> {
        self.set_times(FileTimes::new().set_modified(time))
    }
}
