//! How to open a file through the [`FileSystem`](super::FileSystem) trait: [`FsOpenOptions`].
//! (What the trait reports is the crate's own [`Metadata`](crate::Metadata),
//! [`DirEntry`](crate::DirEntry) and [`ReadDir`](crate::ReadDir), the same a `MemFs` gives.)

#[cfg(feature = "os")]
use crate::error::{Op, Reason};

/// How to open a file through [`FileSystem::open_with`](super::FileSystem::open_with).
///
/// This corresponds to [`std::fs::OpenOptions`] (and takes the same flag rules as on Linux),
/// but is a plain value not tied to a filesystem, so it can cross the trait:
/// `fs.open_with(path, FsOpenOptions::new().append(true).create(true))`, as with
/// `cap_std::fs::Dir::open_with`. The [`MemFs`](crate::MemFs)-only settings
/// ([`preallocate`](crate::OpenOptions::preallocate),
/// [`lock_timeout`](crate::OpenOptions::lock_timeout)) stay on [`MemFs::options`](crate::MemFs::options).
///
/// It cannot be the same type as [`OpenOptions`](crate::OpenOptions): that one comes from a
/// filesystem ([`MemFs::options`](crate::MemFs::options)) and opens files of that filesystem
/// (`fs.options().read(true).open(path)`, as `std::fs::OpenOptions::open`), so it holds the
/// filesystem; a value that crosses a `&dyn FileSystem` must not.
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
