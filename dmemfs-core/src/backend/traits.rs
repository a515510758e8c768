//! The [`FileSystem`] trait and [`FsWalk`].

use std::fmt;
use std::io;
use std::time::SystemTime;

use super::handle::FsFile;
use super::types::FsOpenOptions;
use crate::attrs::{FileTimes, Permissions};
use crate::error::{Op, Reason, fail};
use crate::metadata::{DirEntry, Metadata, ReadDir};

/// The iterator [`FileSystem::walk`] returns: entries in pre-order, children sorted by name.
///
/// A boxed iterator, so that the trait stays object safe whatever each implementation's walk
/// type is.
///
/// ```
/// use dmemfs_core::{FileSystem, MemFs, backend::FsWalk};
///
/// let fs: &dyn FileSystem = &MemFs::new();
/// fs.create_dir("/a")?;
/// let walk: FsWalk<'_> = fs.walk("/")?;
/// assert_eq!(walk.count(), 2);
///
/// // An implementation of your own wraps its iterator:
/// let mine = FsWalk::new(std::iter::empty());
/// assert_eq!(mine.count(), 0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct FsWalk<'a> {
    inner: Box<dyn Iterator<Item = io::Result<DirEntry>> + Send + 'a>,
}

impl<'a> FsWalk<'a> {
    /// Wraps an iterator of walk entries.
    ///
    /// ```
    /// let walk = dmemfs_core::backend::FsWalk::new(Vec::new().into_iter());
    /// assert_eq!(walk.count(), 0);
    /// ```
    pub fn new(entries: impl Iterator<Item = io::Result<DirEntry>> + Send + 'a) -> FsWalk<'a> {
        FsWalk {
            inner: Box::new(entries),
        }
    }
}

impl Iterator for FsWalk<'_> {
    type Item = io::Result<DirEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl fmt::Debug for FsWalk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FsWalk").finish_non_exhaustive()
    }
}

/// A filesystem that code can be written against, so that tests pass a
/// [`MemFs`](crate::MemFs) and production passes an [`OsFs`](crate::OsFs).
///
/// The methods mirror `std::fs` (and [`MemFs`](crate::MemFs)'s inherent methods, which they
/// delegate to on a `MemFs`), with the same virtual-path rules and error kinds on every
/// implementation; the [module docs](crate::backend) list where implementations
/// legitimately differ (locks, quota, timestamps, symlinks, permission enforcement). The trait
/// is object safe: take `&dyn FileSystem` (or `Arc<dyn FileSystem>`) in production code, or
/// `&impl FileSystem` if you prefer static dispatch.
///
/// Paths are `&str` virtual paths: absolute POSIX-style, normalised (`\` is a separator, `.`
/// and repeated slashes vanish, `..` pops a component); `..` above the root and NUL bytes are
/// `InvalidInput`. Every error carries an [`FsError`](crate::FsError) naming the operation and
/// the path as the caller wrote it.
///
/// ```
/// use dmemfs_core::{FileSystem, MemFs};
///
/// fn save_report(fs: &dyn FileSystem, name: &str, body: &str) -> std::io::Result<()> {
///     fs.create_dir_all("/reports")?;
///     fs.write(&format!("/reports/{name}.txt"), body.as_bytes())
/// }
///
/// let fs = MemFs::new();
/// save_report(&fs, "q1", "north,12")?;
/// assert_eq!(fs.read_to_string("/reports/q1.txt")?, "north,12");
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait FileSystem: Send + Sync + fmt::Debug {
    /// Opens a file with `options`.
    ///
    /// This corresponds to [`std::fs::OpenOptions::open`] (and [`MemFs::options`](crate::MemFs::options)).
    ///
    /// # Errors
    /// `InvalidInput` (flag combinations `std` refuses, invalid paths, the root with `create`),
    /// `NotFound`, `AlreadyExists` (`create_new`), `IsADirectory` (also for a read-only open,
    /// which Linux would allow), `NotADirectory`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// let err = fs.open_with("/a", FsOpenOptions::new().read(true).truncate(true)).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    fn open_with(&self, path: &str, options: &FsOpenOptions) -> io::Result<Box<dyn FsFile>>;

    /// Opens a file for reading, as [`std::fs::File::open`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// use std::io::Read;
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", b"text")?;
    /// let mut s = String::new();
    /// fs.open("/a")?.read_to_string(&mut s)?;
    /// assert_eq!(s, "text");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn open(&self, path: &str) -> io::Result<Box<dyn FsFile>> {
        self.open_with(path, FsOpenOptions::new().read(true))
    }

    /// Opens a file for writing, creating or truncating it, as [`std::fs::File::create`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// use std::io::Write;
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create("/a")?.write_all(b"new")?;
    /// assert_eq!(fs.read("/a")?, b"new");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn create(&self, path: &str) -> io::Result<Box<dyn FsFile>> {
        self.open_with(
            path,
            FsOpenOptions::new().write(true).create(true).truncate(true),
        )
    }

    /// Reads a whole file, as [`std::fs::read`].
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory`, `NotADirectory`, `InvalidInput`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", &[1, 2, 3])?;
    /// assert_eq!(fs.read("/a")?, [1, 2, 3]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;

    /// Reads a whole file into a string, as [`std::fs::read_to_string`]: as
    /// [`read`](Self::read), plus `InvalidData` for contents that are not UTF-8.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", "héllo".as_bytes())?;
    /// assert_eq!(fs.read_to_string("/a")?, "héllo");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn read_to_string(&self, path: &str) -> io::Result<String> {
        let bytes = self.read(path)?;
        String::from_utf8(bytes).map_err(|_| fail(Op::Read, path, Reason::InvalidUtf8))
    }

    /// Writes `contents` as the whole file, creating or replacing it, as [`std::fs::write`].
    ///
    /// # Errors
    /// `NotFound` (parent missing), `IsADirectory`, `NotADirectory`, `InvalidInput` (invalid
    /// path, the root); on a [`MemFs`](crate::MemFs), `StorageFull` and `QuotaExceeded`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", b"v1")?;
    /// fs.write("/a", b"v2")?;
    /// assert_eq!(fs.read("/a")?, b"v2");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn write(&self, path: &str, contents: &[u8]) -> io::Result<()>;

    /// Appends `contents` to a file, creating it if missing; errors as [`write`](Self::write).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.append("/log", b"a\n")?;
    /// fs.append("/log", b"b\n")?;
    /// assert_eq!(fs.read_to_string("/log")?, "a\nb\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn append(&self, path: &str, contents: &[u8]) -> io::Result<()>;

    /// The metadata of a file or directory, as [`std::fs::metadata`].
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (a file in the middle of the path), `InvalidInput`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// assert!(fs.metadata("/")?.is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn metadata(&self, path: &str) -> io::Result<Metadata>;

    /// Whether `path` names a file or directory; `false` for invalid paths and on errors.
    ///
    /// This corresponds to [`std::path::Path::exists`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// assert!(fs.exists("/") && !fs.exists("/nope") && !fs.exists("/.."));
    /// ```
    fn exists(&self, path: &str) -> bool {
        self.metadata(path).is_ok()
    }

    /// Whether `path` names a file, as [`std::path::Path::is_file`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"")?;
    /// assert!(fs.is_file("/f") && !fs.is_file("/"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn is_file(&self, path: &str) -> bool {
        self.metadata(path).is_ok_and(|meta| meta.is_file())
    }

    /// Whether `path` names a directory, as [`std::path::Path::is_dir`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// assert!(fs.is_dir("/") && !fs.is_dir("/nope"));
    /// ```
    fn is_dir(&self, path: &str) -> bool {
        self.metadata(path).is_ok_and(|meta| meta.is_dir())
    }

    /// Creates one directory, as [`std::fs::create_dir`].
    ///
    /// # Errors
    /// `AlreadyExists`, `NotFound` (parent missing), `NotADirectory`, `InvalidInput` (invalid
    /// path, the root).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir("/a")?;
    /// assert_eq!(fs.create_dir("/a").unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn create_dir(&self, path: &str) -> io::Result<()>;

    /// Creates a directory and its missing parents, as [`std::fs::create_dir_all`].
    ///
    /// # Errors
    /// `AlreadyExists` (a file at the path), `NotADirectory` (a file in the middle),
    /// `InvalidInput`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/a/b/c")?;
    /// fs.create_dir_all("/a/b/c")?;
    /// assert!(fs.is_dir("/a/b"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn create_dir_all(&self, path: &str) -> io::Result<()>;

    /// Removes a file, as [`std::fs::remove_file`].
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory`, `NotADirectory`, `InvalidInput`; on a
    /// [`MemFs`](crate::MemFs), `ResourceBusy` while a handle has the file open.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", b"x")?;
    /// fs.remove_file("/a")?;
    /// assert!(!fs.exists("/a"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn remove_file(&self, path: &str) -> io::Result<()>;

    /// Removes an empty directory, as [`std::fs::remove_dir`].
    ///
    /// # Errors
    /// `DirectoryNotEmpty`, `NotFound`, `NotADirectory`, `InvalidInput` (invalid path, the
    /// root).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir("/a")?;
    /// fs.remove_dir("/a")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn remove_dir(&self, path: &str) -> io::Result<()>;

    /// Removes a directory and everything below it, as [`std::fs::remove_dir_all`].
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory`, `InvalidInput` (invalid path, the root); on a
    /// [`MemFs`](crate::MemFs), `ResourceBusy` if a file below is open.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/build/out")?;
    /// fs.write("/build/out/app", b"")?;
    /// fs.remove_dir_all("/build")?;
    /// assert!(!fs.exists("/build"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn remove_dir_all(&self, path: &str) -> io::Result<()>;

    /// Lists a directory, sorted by name (byte order), as [`std::fs::read_dir`].
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory`, `InvalidInput`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/b.txt", b"")?;
    /// fs.create_dir("/a")?;
    /// let mut names = Vec::new();
    /// for entry in fs.read_dir("/")? {
    ///     names.push(entry?.file_name().to_owned());
    /// }
    /// assert_eq!(names, ["a", "b.txt"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn read_dir(&self, path: &str) -> io::Result<ReadDir>;

    /// Walks the directory `path` and everything below it: the directory itself first (depth
    /// 0), then each entry before its contents, children sorted by name. Each directory is
    /// listed when the walk reaches it.
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory`, `InvalidInput`, from this call; a directory that cannot be
    /// listed later yields one `Err` item.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// fs.write("/a/b/c.txt", b"")?;
    /// let paths: Vec<String> = fs.walk("/a")?.map(|e| e.map(|e| e.path().to_owned())).collect::<Result<_, _>>()?;
    /// assert_eq!(paths, ["/a", "/a/b", "/a/b/c.txt"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn walk(&self, path: &str) -> io::Result<FsWalk<'_>>;

    /// Every path matching a shell-style pattern, sorted, without duplicates; the pattern
    /// language is [`MemFs::glob`](crate::MemFs::glob)'s (`*`, `?`, `[a-z]`, `[!a]`, `**`).
    ///
    /// # Errors
    /// `InvalidInput` for a malformed pattern, a `..` name or a NUL byte.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/src/net")?;
    /// fs.write("/src/lib.rs", b"")?;
    /// fs.write("/src/net/tcp.rs", b"")?;
    /// assert_eq!(fs.glob("/src/**/*.rs")?, ["/src/lib.rs", "/src/net/tcp.rs"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn glob(&self, pattern: &str) -> io::Result<Vec<String>>;

    /// Renames a file or directory, replacing the destination as [`std::fs::rename`] does on
    /// Linux (a file replaces a file, a directory an empty directory).
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory` (file onto directory), `NotADirectory` (directory onto
    /// file), `DirectoryNotEmpty`, `InvalidInput` (a directory into itself, the root); on a
    /// [`MemFs`](crate::MemFs), `ResourceBusy` when an open file is involved.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/draft", b"v2")?;
    /// fs.rename("/draft", "/final")?;
    /// assert_eq!(fs.read("/final")?, b"v2");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn rename(&self, from: &str, to: &str) -> io::Result<()>;

    /// Copies a file's contents to another file, creating or replacing it; returns the number
    /// of bytes copied. This corresponds to [`std::fs::copy`], except that copying a file onto
    /// itself is `InvalidInput` (Linux would truncate it to nothing).
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory` (either side), `NotADirectory`, `InvalidInput`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", b"data")?;
    /// assert_eq!(fs.copy("/a", "/b")?, 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn copy(&self, from: &str, to: &str) -> io::Result<u64>;

    /// Copies a directory tree to a new path, which must not exist (its parent must).
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (the source is a file), `AlreadyExists` (the destination,
    /// the root included), `InvalidInput`. The source is checked before the destination, in
    /// every implementation.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/src/sub")?;
    /// fs.write("/src/sub/a", b"a")?;
    /// fs.copy_dir_all("/src", "/backup")?;
    /// assert_eq!(fs.read("/backup/sub/a")?, b"a");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn copy_dir_all(&self, from: &str, to: &str) -> io::Result<()>;

    /// Gives the file at `original` a second name, `link`: both names are then the same file
    /// (same contents, same [`ino`](Metadata::ino), [`nlink`](Metadata::nlink) counting the
    /// names), which lives until its last name is removed.
    ///
    /// This corresponds to [`std::fs::hard_link`].
    ///
    /// # Errors
    /// `NotFound` (`original` or `link`'s parent missing), `AlreadyExists` (`link` exists),
    /// `PermissionDenied` (`original` is a directory, as `EPERM` on Linux), `NotADirectory`,
    /// `InvalidInput`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", b"shared")?;
    /// fs.hard_link("/a", "/b")?;
    /// fs.append("/b", b"!")?;
    /// assert_eq!(fs.read("/a")?, b"shared!");
    /// assert_eq!(fs.metadata("/a")?.nlink(), 2);
    /// fs.remove_file("/a")?;
    /// assert_eq!(fs.read("/b")?, b"shared!");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn hard_link(&self, original: &str, link: &str) -> io::Result<()>;

    /// Sets the permission bits of a file or directory (the low twelve bits of
    /// [`Permissions::mode`]), following symbolic links. A [`MemFs`](crate::MemFs) stores and
    /// reports them without enforcing them; an [`OsFs`](crate::OsFs) applies them on the host,
    /// where the OS enforces them (off Unix, only [`readonly`](Permissions::readonly) is
    /// applied).
    ///
    /// This corresponds to [`std::fs::set_permissions`].
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (a file in the middle of the path), `InvalidInput`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, Permissions};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/key", b"secret")?;
    /// fs.set_permissions("/key", Permissions::from_mode(0o600))?;
    /// assert_eq!(fs.metadata("/key")?.permissions().mode() & 0o7777, 0o600);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn set_permissions(&self, path: &str, perm: Permissions) -> io::Result<()>;

    /// Sets the access and modification times given in `times` of a file or directory (those
    /// not set stay as they are), following symbolic links, as `touch -d` or `utimensat(2)`.
    ///
    /// This corresponds to [`std::fs::File::set_times`] on an opened file, by path.
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (a file in the middle of the path), `InvalidInput`; on an
    /// [`OsFs`](crate::OsFs), which opens the node to set its times, `PermissionDenied` for a
    /// file this process may neither read nor write (as `File::open` then `set_times` with
    /// `std`), and `Unsupported` for a special file.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, FileTimes, MemFs};
    /// use std::time::{Duration, SystemTime};
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/old.log", b"x")?;
    /// let last_week = SystemTime::now() - Duration::from_secs(7 * 86_400);
    /// fs.set_times("/old.log", FileTimes::new().set_accessed(last_week).set_modified(last_week))?;
    /// assert_eq!(fs.metadata("/old.log")?.modified()?, last_week);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn set_times(&self, path: &str, times: FileTimes) -> io::Result<()>;

    /// Sets the modification time of a file or directory, as [`set_times`](Self::set_times)
    /// with only that (errors as `set_times`, with its [`Op::SetTimes`]).
    ///
    /// This corresponds to [`std::fs::File::set_modified`] on an opened file, by path.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// use std::time::SystemTime;
    /// let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir("/d")?;
    /// fs.set_modified("/d", SystemTime::UNIX_EPOCH)?;
    /// assert_eq!(fs.metadata("/d")?.modified()?, SystemTime::UNIX_EPOCH);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn set_modified(&self, path: &str, time: SystemTime) -> io::Result<()> {
        self.set_times(path, FileTimes::new().set_modified(time))
    }
}
