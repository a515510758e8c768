//! The values the [`FileSystem`](super::FileSystem) trait passes around, shared by every
//! implementation: [`FsOpenOptions`], [`FsMetadata`] and [`FsDirEntry`].

use std::time::SystemTime;

use crate::attrs::Permissions;
#[cfg(feature = "os")]
use crate::error::{Op, Reason};
use crate::metadata::{DirEntry, FileType, Metadata};

/// How to open a file through [`FileSystem::open_with`](super::FileSystem::open_with).
///
/// This corresponds to [`std::fs::OpenOptions`] (and takes the same flag rules as on Linux),
/// but is a plain value not tied to a filesystem, so it can cross the trait:
/// `fs.open_with(path, FsOpenOptions::new().append(true).create(true))`, as with
/// `cap_std::fs::Dir::open_with`. The [`MemFs`](crate::MemFs)-only settings
/// ([`preallocate`](crate::OpenOptions::preallocate),
/// [`lock_timeout`](crate::OpenOptions::lock_timeout)) stay on [`MemFs::options`](crate::MemFs::options).
///
/// ```
/// use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
/// use std::io::Write;
///
/// let fs: &dyn FileSystem = &MemFs::new();
/// let mut log = fs.open_with("/app.log", FsOpenOptions::new().append(true).create(true))?;
/// log.write_all(b"started\n")?;
/// drop(log);
/// assert_eq!(fs.read_to_string("/app.log")?, "started\n");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FsOpenOptions {
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) append: bool,
    pub(crate) truncate: bool,
    pub(crate) create: bool,
    pub(crate) create_new: bool,
}

impl FsOpenOptions {
    /// All flags off, as [`std::fs::OpenOptions::new`].
    ///
    /// ```
    /// let options = dmemfs_core::backend::FsOpenOptions::new();
    /// assert_eq!(options, Default::default());
    /// ```
    pub fn new() -> FsOpenOptions {
        FsOpenOptions::default()
    }

    /// Allow reading.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
    /// # let fs: &dyn FileSystem = &MemFs::new(); fs.write("/a", b"")?;
    /// fs.open_with("/a", FsOpenOptions::new().read(true))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.read = read;
        self
    }

    /// Allow writing.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
    /// # let fs: &dyn FileSystem = &MemFs::new(); fs.write("/a", b"")?;
    /// fs.open_with("/a", FsOpenOptions::new().write(true))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.write = write;
        self
    }

    /// Write at the end of the file, whatever the cursor (implies write access).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
    /// use std::io::Write;
    /// # let fs: &dyn FileSystem = &MemFs::new(); fs.write("/a", b"ab")?;
    /// fs.open_with("/a", FsOpenOptions::new().append(true))?.write_all(b"c")?;
    /// assert_eq!(fs.read("/a")?, b"abc");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn append(&mut self, append: bool) -> &mut Self {
        self.append = append;
        self
    }

    /// Truncate an existing file to length 0 on open (needs write access, not append).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
    /// # let fs: &dyn FileSystem = &MemFs::new(); fs.write("/a", b"old")?;
    /// fs.open_with("/a", FsOpenOptions::new().write(true).truncate(true))?;
    /// assert!(fs.read("/a")?.is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.truncate = truncate;
        self
    }

    /// Create the file if it does not exist (needs write or append access).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.open_with("/new", FsOpenOptions::new().write(true).create(true))?;
    /// assert!(fs.is_file("/new"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.create = create;
        self
    }

    /// Create the file, failing with `AlreadyExists` if anything is at the path (needs write
    /// or append access).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, backend::FsOpenOptions};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// let mut once = FsOpenOptions::new();
    /// once.write(true).create_new(true);
    /// fs.open_with("/once", &once)?;
    /// assert!(fs.open_with("/once", &once).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut Self {
        self.create_new = create_new;
        self
    }
}

// What OsFs needs to carry the options out itself (a MemFs turns them into its OpenOptions).
#[cfg(feature = "os")]
impl FsOpenOptions {
    /// The operation an open with these options is reported as: [`Op::Create`] when it may
    /// create the file, [`Op::Open`] otherwise.
    pub(crate) fn op(&self) -> Op {
        if self.creating() {
            Op::Create
        } else {
            Op::Open
        }
    }

    pub(crate) fn creating(&self) -> bool {
        self.create || self.create_new
    }

    pub(crate) fn writes(&self) -> bool {
        self.write || self.append
    }

    /// The flag rules of `std::fs::OpenOptions` on Linux, as every implementation checks them.
    pub(crate) fn check(&self) -> Result<(), Reason> {
        crate::file::check_open_flags(
            self.read,
            self.writes(),
            self.append,
            self.truncate,
            self.creating(),
            self.create_new,
        )
    }
}

/// A snapshot of a file's or directory's metadata, as every [`FileSystem`](super::FileSystem)
/// can report it.
///
/// This corresponds to [`std::fs::Metadata`] (with the Unix `MetadataExt` numbers
/// [`ino`](Self::ino), [`nlink`](Self::nlink) and [`mode`](Self::mode)). It is [`Metadata`]
/// minus what a real disk cannot give honestly: [`generation`](Self::generation) is `Some`
/// only on a [`MemFs`](crate::MemFs), and [`created`](Self::created) is `None` where the host
/// filesystem does not record it. `len` is 0 for directories on every implementation (a disk
/// reports its block size).
///
/// ```
/// use dmemfs_core::{FileSystem, MemFs};
///
/// let fs: &dyn FileSystem = &MemFs::new();
/// fs.write("/a.txt", b"hello")?;
/// let meta = fs.metadata("/a.txt")?;
/// assert!(meta.is_file() && meta.len() == 5);
/// assert_eq!((meta.nlink(), meta.mode()), (1, 0o100644));
/// assert_eq!(meta.generation(), Some(1)); // a MemFs counts changes
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FsMetadata {
    pub(crate) file_type: FileType,
    /// 0 for a directory.
    pub(crate) len: u64,
    pub(crate) modified: SystemTime,
    pub(crate) accessed: SystemTime,
    pub(crate) created: Option<SystemTime>,
    pub(crate) generation: Option<u64>,
    pub(crate) ino: u64,
    pub(crate) nlink: u64,
    /// `st_mode`: the file type bits and the permission bits.
    pub(crate) mode: u32,
}

impl FsMetadata {
    /// Whether this is a file or a directory.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, FileType, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// assert_eq!(fs.metadata("/")?.file_type(), FileType::Dir);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn file_type(&self) -> FileType {
        self.file_type
    }

    /// Whether this is a regular file.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"")?;
    /// assert!(fs.metadata("/f")?.is_file());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_file(&self) -> bool {
        self.file_type.is_file()
    }

    /// Whether this is a directory.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// assert!(fs.metadata("/")?.is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_dir(&self) -> bool {
        self.file_type.is_dir()
    }

    /// The file's length in bytes (0 for a directory).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", &[0; 5])?;
    /// assert_eq!(fs.metadata("/f")?.len(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// When the contents last changed. On a [`MemFs`](crate::MemFs) a directory keeps its
    /// creation time; on a disk, adding or removing an entry updates it.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"x")?;
    /// assert!(fs.metadata("/f")?.modified() <= std::time::SystemTime::now());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn modified(&self) -> SystemTime {
        self.modified
    }

    /// When the node was created, if the filesystem records it (always on a
    /// [`MemFs`](crate::MemFs); on a disk, where the host filesystem reports a birth time).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"x")?;
    /// assert!(fs.metadata("/f")?.created().is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn created(&self) -> Option<SystemTime> {
        self.created
    }

    /// When the node was last accessed. A [`MemFs`](crate::MemFs) changes it only when it is
    /// set ([`FileSystem::set_times`](super::FileSystem::set_times)), as a `noatime` mount;
    /// on a disk, reads may update it too, as the mount options say (`relatime` by default
    /// on Linux).
    ///
    /// This corresponds to [`std::fs::Metadata::accessed`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, FileTimes, MemFs};
    /// use std::time::SystemTime;
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"x")?;
    /// fs.set_times("/f", FileTimes::new().set_accessed(SystemTime::UNIX_EPOCH))?;
    /// assert_eq!(fs.metadata("/f")?.accessed(), SystemTime::UNIX_EPOCH);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn accessed(&self) -> SystemTime {
        self.accessed
    }

    /// The inode number: the same for every hard link of a file, unchanged by a rename. On a
    /// [`MemFs`](crate::MemFs) the root is 1 and numbers are reused once a node is gone; on an
    /// [`OsFs`](crate::OsFs) it is the host's (0 off Unix, where `std` does not report it).
    ///
    /// This corresponds to `std::os::unix::fs::MetadataExt::ino`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", b"x")?;
    /// fs.hard_link("/a", "/b")?;
    /// assert_eq!(fs.metadata("/a")?.ino(), fs.metadata("/b")?.ino());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ino(&self) -> u64 {
        self.ino
    }

    /// The number of names: a file's hard links; for a directory, what the filesystem counts
    /// (2 plus its subdirectories on a [`MemFs`](crate::MemFs) and on most Linux filesystems,
    /// 1 on some, such as btrfs). On an [`OsFs`](crate::OsFs) off Unix, always 1.
    ///
    /// This corresponds to `std::os::unix::fs::MetadataExt::nlink`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a", b"x")?;
    /// fs.hard_link("/a", "/b")?;
    /// assert_eq!(fs.metadata("/b")?.nlink(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn nlink(&self) -> u64 {
        self.nlink
    }

    /// The file type and permission bits, as `st_mode`: `0o100644` for a new file on a
    /// [`MemFs`](crate::MemFs), `0o40755` for a new directory; on an [`OsFs`](crate::OsFs) the
    /// host's (off Unix, derived from the read-only flag: `0o444` or `0o666` plus `0o111` for
    /// a directory).
    ///
    /// This corresponds to `std::os::unix::fs::MetadataExt::mode`.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"x")?;
    /// assert_eq!(fs.metadata("/f")?.mode(), 0o100644);
    /// assert_eq!(fs.metadata("/")?.mode() & 0o170000, 0o040000);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// The permissions, [`mode`](Self::mode) as a [`Permissions`].
    ///
    /// This corresponds to [`std::fs::Metadata::permissions`].
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs, Permissions};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"x")?;
    /// let mut perm = fs.metadata("/f")?.permissions();
    /// assert!(!perm.readonly());
    /// perm.set_readonly(true);
    /// fs.set_permissions("/f", perm)?;
    /// assert!(fs.metadata("/f")?.permissions().readonly());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn permissions(&self) -> Permissions {
        Permissions::from_mode(self.mode)
    }

    /// [`Metadata::generation`], the change counter of a [`MemFs`](crate::MemFs) file; `None`
    /// on filesystems that keep no such counter, such as [`OsFs`](crate::OsFs).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/f", b"x")?;
    /// fs.append("/f", b"y")?;
    /// assert_eq!(fs.metadata("/f")?.generation(), Some(2));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn generation(&self) -> Option<u64> {
        self.generation
    }
}

impl From<Metadata> for FsMetadata {
    /// Everything a [`MemFs`](crate::MemFs) knows, generation and creation time included.
    fn from(meta: Metadata) -> FsMetadata {
        // A MemFs's times never fail.
        let epoch = |time: std::io::Result<SystemTime>| time.unwrap_or(SystemTime::UNIX_EPOCH);
        FsMetadata {
            file_type: meta.file_type(),
            len: meta.len(),
            modified: epoch(meta.modified()),
            accessed: epoch(meta.accessed()),
            created: meta.created().ok(),
            generation: Some(meta.generation()),
            ino: meta.ino(),
            nlink: meta.nlink(),
            mode: meta.mode(),
        }
    }
}

/// An entry of a listing ([`FileSystem::read_dir`](super::FileSystem::read_dir)) or a walk
/// ([`FileSystem::walk`](super::FileSystem::walk)).
///
/// This corresponds to [`std::fs::DirEntry`] and to [`DirEntry`]; its metadata is captured
/// with the listing.
///
/// ```
/// use dmemfs_core::{FileSystem, MemFs};
///
/// let fs: &dyn FileSystem = &MemFs::new();
/// fs.create_dir("/docs")?;
/// fs.write("/docs/notes.txt", b"hi")?;
/// let entry = &fs.read_dir("/docs")?[0];
/// assert_eq!((entry.path(), entry.file_name(), entry.depth()), ("/docs/notes.txt", "notes.txt", 1));
/// assert_eq!(entry.metadata().len(), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsDirEntry {
    path: String,
    metadata: FsMetadata,
    depth: usize,
}

impl FsDirEntry {
    pub(crate) fn new(path: String, metadata: FsMetadata, depth: usize) -> FsDirEntry {
        FsDirEntry {
            path,
            metadata,
            depth,
        }
    }

    /// The entry's full, normalised virtual path.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// assert_eq!(fs.read_dir("a/")?[0].path(), "/a/b");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The last component of the path (`"/"` for the root of a walk).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// assert_eq!(fs.read_dir("/a")?[0].file_name(), "b");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn file_name(&self) -> &str {
        match self.path.rfind('/') {
            Some(slash) if self.path != "/" => &self.path[slash + 1..],
            _ => &self.path,
        }
    }

    /// Whether the entry is a file or a directory.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// assert!(fs.read_dir("/a")?[0].file_type().is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn file_type(&self) -> FileType {
        self.metadata.file_type()
    }

    /// The entry's metadata, as captured when it was listed.
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.write("/a.txt", b"hello")?;
    /// assert_eq!(fs.read_dir("/")?[0].metadata().len(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metadata(&self) -> FsMetadata {
        self.metadata
    }

    /// How deep below the listed or walked directory the entry is (1 for its children; 0 for
    /// the walked directory itself).
    ///
    /// ```
    /// # use dmemfs_core::{FileSystem, MemFs};
    /// # let fs: &dyn FileSystem = &MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// let depths: Vec<usize> = fs.walk("/a")?.map(|e| e.map(|e| e.depth())).collect::<Result<_, _>>()?;
    /// assert_eq!(depths, [0, 1]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn depth(&self) -> usize {
        self.depth
    }
}

impl From<DirEntry> for FsDirEntry {
    fn from(entry: DirEntry) -> FsDirEntry {
        let metadata = entry.metadata().into();
        let depth = entry.depth();
        FsDirEntry::new(entry.path().to_owned(), metadata, depth)
    }
}
