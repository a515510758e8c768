//! Values describing nodes and the filesystem: [`Metadata`], [`FileType`], [`DirEntry`],
//! [`ReadDir`] and [`Stats`].

use std::fmt;
use std::io;
use std::time::SystemTime;

use crate::attrs::Permissions;
use crate::engine::{Attrs, FileNode, Ino, Node, SymlinkNode};

/// Whether a node is a file, a directory or a symbolic link.
///
/// This corresponds to [`std::fs::FileType`].
///
/// ```
/// use dmemfs_core::{FileType, MemFs};
/// let fs = MemFs::new();
/// fs.write("/f", "")?;
/// assert_eq!(fs.metadata("/f")?.file_type(), FileType::File);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (seen by [`MemFs::symlink_metadata`](crate::MemFs::symlink_metadata)
    /// and in listings; other calls follow it).
    Symlink,
}

impl FileType {
    /// The `S_IFMT` bits of `st_mode`.
    fn mode_bits(self) -> u32 {
        match self {
            FileType::File => 0o100000,
            FileType::Dir => 0o040000,
            FileType::Symlink => 0o120000,
        }
    }

    /// Whether this is a regular file.
    ///
    /// ```
    /// assert!(dmemfs_core::FileType::File.is_file());
    /// ```
    pub fn is_file(self) -> bool {
        self == FileType::File
    }

    /// Whether this is a directory.
    ///
    /// ```
    /// assert!(dmemfs_core::FileType::Dir.is_dir());
    /// ```
    pub fn is_dir(self) -> bool {
        self == FileType::Dir
    }

    /// Whether this is a symbolic link.
    ///
    /// This corresponds to [`std::fs::FileType::is_symlink`].
    ///
    /// ```
    /// assert!(dmemfs_core::FileType::Symlink.is_symlink());
    /// ```
    pub fn is_symlink(self) -> bool {
        self == FileType::Symlink
    }
}

/// A snapshot of a node's metadata.
///
/// This corresponds to [`std::fs::Metadata`]. Timestamps and the generation counter follow
/// D-MemFS: a file's `modified` time and `generation` change with every write call that writes
/// bytes, every length change, a truncating open and a preallocation that grows it; renaming
/// changes neither. A directory's `modified` time changes when an entry is added or removed, as on
/// Linux; directories report generation 0.
///
/// ```
/// use dmemfs_core::MemFs;
///
/// let fs = MemFs::new();
/// fs.write("/log.txt", b"one")?;
/// let first = fs.metadata("/log.txt")?;
/// fs.append("/log.txt", b" two")?;
/// let second = fs.metadata("/log.txt")?;
/// assert_eq!((first.len(), second.len()), (3, 7));
/// assert!(second.generation() > first.generation());
/// assert!(fs.metadata("/")?.is_dir());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    file_type: FileType,
    len: u64,
    /// `None` where a host filesystem does not record it (an [`OsFs`](crate::OsFs)'s).
    created: Option<SystemTime>,
    attrs: Attrs,
    /// `None` on a host filesystem: it does not count changes.
    generation: Option<u64>,
    ino: Ino,
    nlink: u32,
}

impl Metadata {
    pub(crate) fn of(node: &Node) -> Metadata {
        match node {
            Node::Dir(dir) => Metadata {
                file_type: FileType::Dir,
                len: 0,
                created: Some(dir.created()),
                attrs: dir.attrs,
                generation: Some(0),
                ino: dir.ino,
                nlink: dir.links(),
            },
            Node::File(file) => Metadata::of_file(file),
            Node::Symlink(link) => Metadata::of_symlink(link),
        }
    }

    pub(crate) fn of_symlink(link: &SymlinkNode) -> Metadata {
        Metadata {
            file_type: FileType::Symlink,
            // As Linux: a link's size is its target's length.
            len: link.target.len() as u64,
            created: Some(link.created()),
            attrs: *link.attrs.lock(),
            generation: Some(0),
            ino: link.id.ino(),
            nlink: link.id.links(),
        }
    }

    /// A host node's metadata, as an [`OsFs`](crate::OsFs) reads it (`mode` as `st_mode`).
    #[cfg(feature = "os")]
    #[allow(clippy::too_many_arguments)] // one of each `stat` field, named at the one call
    pub(crate) fn of_host(
        file_type: FileType,
        len: u64,
        [accessed, modified, changed]: [SystemTime; 3],
        created: Option<SystemTime>,
        ino: u64,
        nlink: u64,
        mode: u32,
    ) -> Metadata {
        Metadata {
            file_type,
            len,
            created,
            attrs: Attrs::from_times(accessed, modified, changed, mode),
            generation: None,
            ino,
            nlink: u32::try_from(nlink).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn of_file(file: &FileNode) -> Metadata {
        let data = file.data.read();
        Metadata {
            file_type: FileType::File,
            len: data.storage.len(),
            created: Some(data.created()),
            attrs: data.attrs,
            generation: Some(data.generation.get()),
            ino: file.ino(),
            nlink: file.links(),
        }
    }

    /// The file's length in bytes (0 for a directory).
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", [0; 5])?;
    /// assert_eq!(fs.metadata("/f")?.len(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the node is a regular file.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", "x")?;
    /// assert!(fs.metadata("/f")?.is_file());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_file(&self) -> bool {
        self.file_type.is_file()
    }

    /// Whether the node is a directory.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// assert!(fs.metadata("/")?.is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_dir(&self) -> bool {
        self.file_type.is_dir()
    }

    /// The node's type.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// assert_eq!(fs.metadata("/")?.file_type(), dmemfs_core::FileType::Dir);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn file_type(&self) -> FileType {
        self.file_type
    }

    /// When the node was created (its birth time).
    ///
    /// This corresponds to [`std::fs::Metadata::created`]: it never fails on a
    /// [`MemFs`](crate::MemFs); on an [`OsFs`](crate::OsFs) it is `Unsupported` where the host
    /// filesystem does not record it.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", "x")?;
    /// let m = fs.metadata("/f")?;
    /// assert!(m.created()? <= m.modified()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn created(&self) -> io::Result<SystemTime> {
        self.created.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::Unsupported,
                "creation time is not available on this filesystem",
            )
        })
    }

    /// When the contents last changed: a file's bytes or length, a directory's entries.
    ///
    /// This corresponds to [`std::fs::Metadata::modified`]; it never fails here.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", "x")?;
    /// assert!(fs.metadata("/f")?.modified()? <= std::time::SystemTime::now());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn modified(&self) -> io::Result<SystemTime> {
        Ok(self.attrs.modified())
    }

    /// When the node was last accessed. Reads do not update it (as a `noatime` mount):
    /// it changes when set with [`MemFs::set_times`](crate::MemFs::set_times).
    ///
    /// This corresponds to [`std::fs::Metadata::accessed`]; it never fails here.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", "x")?;
    /// let m = fs.metadata("/f")?;
    /// assert_eq!(m.accessed()?, m.created()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn accessed(&self) -> io::Result<SystemTime> {
        Ok(self.attrs.accessed())
    }

    /// When the node's contents or status (mode, times, names) last changed: `ctime`.
    ///
    /// This corresponds to `std::os::unix::fs::MetadataExt::ctime`.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", "x")?;
    /// let m = fs.metadata("/f")?;
    /// assert!(m.changed() >= m.modified()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn changed(&self) -> SystemTime {
        self.attrs.changed()
    }

    /// The inode number: stable while the node lives, shared by a file's hard links, and
    /// reused after the node is gone. The root is 1.
    ///
    /// This corresponds to `std::os::unix::fs::MetadataExt::ino`.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a", "x")?;
    /// let ino = fs.metadata("/a")?.ino();
    /// fs.rename("/a", "/b")?;
    /// assert_eq!(fs.metadata("/b")?.ino(), ino);
    /// assert_eq!(fs.metadata("/")?.ino(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ino(&self) -> u64 {
        self.ino
    }

    /// The number of names: a file's hard links (0 once removed while a handle keeps it), a
    /// directory's 2 plus its subdirectories, as on Linux.
    ///
    /// This corresponds to `std::os::unix::fs::MetadataExt::nlink`.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/d/sub")?;
    /// fs.write("/d/f", "x")?;
    /// assert_eq!((fs.metadata("/d")?.nlink(), fs.metadata("/d/f")?.nlink()), (3, 1));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn nlink(&self) -> u64 {
        u64::from(self.nlink)
    }

    /// The file type and permission bits, as `st_mode` (`0o100644` for a new file,
    /// `0o40755` for a new directory).
    ///
    /// This corresponds to `std::os::unix::fs::MetadataExt::mode`.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", "x")?;
    /// assert_eq!(fs.metadata("/f")?.mode(), 0o100644);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn mode(&self) -> u32 {
        self.file_type.mode_bits() | self.attrs.mode
    }

    /// The permissions. They are stored and reported, not enforced: this process owns every
    /// file, as root would.
    ///
    /// This corresponds to [`std::fs::Metadata::permissions`].
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/f", "x")?;
    /// assert!(!fs.metadata("/f")?.permissions().readonly());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn permissions(&self) -> Permissions {
        Permissions::from_mode(self.mode())
    }

    /// How many times the file's contents or length have changed since it was created, copied
    /// or imported (0 for directories). Cheap change detection without comparing bytes.
    /// `Some` on a [`MemFs`](crate::MemFs); `None` on an [`OsFs`](crate::OsFs), whose disk
    /// does not count changes.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.create("/f")?;
    /// assert_eq!(fs.metadata("/f")?.generation(), Some(0));
    /// fs.append("/f", "x")?;
    /// assert_eq!(fs.metadata("/f")?.generation(), Some(1));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn generation(&self) -> Option<u64> {
        self.generation
    }
}

/// An entry of a directory listing or a walk.
///
/// This corresponds to [`std::fs::DirEntry`]; its metadata is captured with the listing.
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// fs.write("/notes.txt", "hi")?;
/// let entry = fs.read_dir("/")?.next().unwrap()?;
/// assert_eq!((entry.file_name(), entry.path(), entry.metadata().len()), ("notes.txt", "/notes.txt", 2));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    path: String,
    name_start: usize,
    metadata: Metadata,
    depth: usize,
}

impl DirEntry {
    /// Renames the entry from below `from` to below `to` (a listing through a link).
    pub(crate) fn rebase(&mut self, from: &str, to: &str) {
        let path = crate::path::rebase(&self.path, from, to);
        *self = DirEntry::new(path, self.metadata, self.depth);
    }

    pub(crate) fn new(path: String, metadata: Metadata, depth: usize) -> DirEntry {
        let name_start = if path == "/" {
            0
        } else {
            path.rfind('/').map_or(0, |i| i + 1)
        };
        DirEntry {
            path,
            name_start,
            metadata,
            depth,
        }
    }

    /// The entry's full virtual path.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// let entry = fs.read_dir("/a")?.next().unwrap()?;
    /// assert_eq!(entry.path(), "/a/b");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The entry's name, the last component of its path (`"/"` for the root of a walk).
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// assert_eq!(fs.read_dir("/a")?.next().unwrap()?.file_name(), "b");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn file_name(&self) -> &str {
        if self.path == "/" {
            "/"
        } else {
            &self.path[self.name_start..]
        }
    }

    /// Whether the entry is a file or a directory.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// assert!(fs.read_dir("/a")?.next().unwrap()?.file_type().is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn file_type(&self) -> FileType {
        self.metadata.file_type()
    }

    /// The entry's metadata, as captured when it was listed.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a.txt", "hello")?;
    /// assert_eq!(fs.read_dir("/")?.next().unwrap()?.metadata().len(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metadata(&self) -> Metadata {
        self.metadata
    }

    /// How deep below the listed or walked directory the entry is (1 for its children; 0 for
    /// the root of a walk).
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// let depths: Vec<usize> = fs.walk("/a")?.map(|e| e.map(|e| e.depth())).collect::<Result<_, _>>()?;
    /// assert_eq!(depths, [0, 1]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// The entries of one directory, sorted by name.
///
/// This corresponds to [`std::fs::ReadDir`]. The listing is a snapshot taken by
/// [`MemFs::read_dir`](crate::MemFs::read_dir), so iterating never fails; items are
/// `io::Result` so that code written for `std::fs::read_dir` compiles unchanged.
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// fs.create_dir_all("/d/b")?;
/// fs.create_dir("/d/a")?;
/// let listing = fs.read_dir("/d")?;
/// assert_eq!(listing.len(), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReadDir {
    entries: std::vec::IntoIter<DirEntry>,
}

impl ReadDir {
    pub(crate) fn new(entries: Vec<DirEntry>) -> ReadDir {
        ReadDir {
            entries: entries.into_iter(),
        }
    }
}

/// A listing of entries already read: what an implementation of
/// [`FileSystem`](crate::FileSystem) of your own (a wrapper that hides some entries, an
/// overlay of two) returns from `read_dir`.
///
/// ```
/// use dmemfs_core::{DirEntry, MemFs, ReadDir};
///
/// let fs = MemFs::new();
/// fs.write("/.hidden", "x")?;
/// fs.write("/shown", "y")?;
/// let shown: Vec<DirEntry> = fs
///     .read_dir("/")?
///     .filter(|e| e.as_ref().map_or(true, |e| !e.file_name().starts_with('.')))
///     .collect::<std::io::Result<_>>()?;
/// assert_eq!(ReadDir::from(shown).len(), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
impl From<Vec<DirEntry>> for ReadDir {
    fn from(entries: Vec<DirEntry>) -> ReadDir {
        ReadDir::new(entries)
    }
}

/// As [`From<Vec<DirEntry>>`](#impl-From%3CVec%3CDirEntry%3E%3E-for-ReadDir).
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// fs.create_dir("/a")?;
/// let again: dmemfs_core::ReadDir = fs.read_dir("/")?.map(Result::unwrap).collect();
/// assert_eq!(again.len(), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
impl FromIterator<DirEntry> for ReadDir {
    fn from_iter<I: IntoIterator<Item = DirEntry>>(entries: I) -> ReadDir {
        ReadDir::new(entries.into_iter().collect())
    }
}

impl Iterator for ReadDir {
    type Item = io::Result<DirEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        self.entries.next().map(Ok)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for ReadDir {}

/// Usage figures of a filesystem, from [`MemFs::stats`](crate::MemFs::stats).
///
/// `used` is the sum of all file lengths; `used + free == quota` always holds.
///
/// ```
/// use dmemfs_core::MemFs;
///
/// let fs = MemFs::with_quota(1000);
/// fs.create_dir("/d")?;
/// fs.write("/d/f", [0; 300])?;
/// let s = fs.stats();
/// assert_eq!((s.used, s.free, s.quota), (300, 700, 1000));
/// assert_eq!((s.files, s.dirs, s.nodes), (1, 2, 3)); // the root counts as a directory
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// The byte quota.
    pub quota: u64,
    /// Bytes in use: the sum of all file lengths.
    pub used: u64,
    /// Bytes still available: `quota - used`.
    pub free: u64,
    /// The highest `used` has ever been; never below `used` in one reading, even while
    /// other threads write.
    pub peak_used: u64,
    /// Number of files.
    pub files: u64,
    /// Number of directories, the root included.
    pub dirs: u64,
    /// Number of symbolic links.
    pub symlinks: u64,
    /// Files, directories and symbolic links.
    pub nodes: u64,
    /// The node limit, if one is set.
    pub max_nodes: Option<u64>,
    /// Handles currently open. A handle open throughout the call is always counted, even
    /// while other handles are opened on one thread and dropped on another.
    pub open_handles: u64,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} bytes used (peak {}), {} files, {} directories",
            self.used, self.quota, self.peak_used, self.files, self.dirs
        )?;
        if let Some(limit) = self.max_nodes {
            write!(f, ", {} of {limit} nodes", self.nodes)?;
        }
        write!(f, ", {} open handles", self.open_handles)
    }
}
