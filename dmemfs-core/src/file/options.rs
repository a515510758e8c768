//! [`OpenOptions`]: how to open a file, mirroring `std::fs::OpenOptions`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::{MemFile, Mode};
use crate::engine::{Key, Miss};
use crate::error::{ArgError, Op, PathError, Reason, fail};
use crate::fs::{Claim, Created, Held, Lookup, MemFs, NewFile, Wait};
use crate::lock::Access;
use crate::semantics::Semantics;
use crate::storage::{MAX_FILE_SIZE, Storage};

/// Options for opening a file, from [`MemFs::options`].
///
/// This corresponds to [`std::fs::OpenOptions`], with the same flag rules as on Linux, plus
/// [`preallocate`](Self::preallocate) and [`lock_timeout`](Self::lock_timeout). The D-MemFS
/// modes map to:
///
/// | D-MemFS | dmemfs |
/// |---|---|
/// | `rb` | `fs.open(p)` = `.read(true)` |
/// | `wb` | `fs.create(p)` = `.write(true).create(true).truncate(true)` |
/// | `ab` | `.append(true).create(true)` |
/// | `r+b` | `.read(true).write(true)` |
/// | `xb` | `.write(true).create_new(true)` |
///
/// ```
/// use dmemfs_core::MemFs;
/// use std::io::Write;
///
/// let fs = MemFs::new();
/// let mut log = fs.options().append(true).create(true).open("/app.log")?;
/// log.write_all(b"started\n")?;
/// drop(log);
/// let again = fs.options().write(true).create_new(true).open("/app.log");
/// assert_eq!(again.unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "options do nothing until `open` is called"]
pub struct OpenOptions {
    fs: MemFs,
    flags: Flags,
}

/// The settings of an [`OpenOptions`], apart from the filesystem.
#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
    preallocate: u64,
    /// `None`: the filesystem's default.
    lock_timeout: Option<Option<Duration>>,
}

/// One open in progress: the filesystem borrowed, so that [`MemFs::open`] and
/// [`MemFs::create`] need not clone it into an [`OpenOptions`].
struct Opener<'a> {
    fs: &'a MemFs,
    flags: Flags,
}

impl std::ops::Deref for Opener<'_> {
    type Target = Flags;

    fn deref(&self) -> &Flags {
        &self.flags
    }
}

impl MemFs {
    /// Options to open a file with, all off to start with.
    ///
    /// This corresponds to [`std::fs::OpenOptions::new`] (and `File::options`).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a", "abc")?;
    /// let f = fs.options().read(true).write(true).open("/a")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn options(&self) -> OpenOptions {
        OpenOptions {
            fs: self.clone(),
            flags: Flags::default(),
        }
    }

    /// Opens a file for reading.
    ///
    /// This corresponds to [`std::fs::File::open`].
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory`, `NotADirectory` (a file in the middle of the path),
    /// `WouldBlock` if a writer holds the file beyond the lock timeout, `InvalidInput` for an
    /// invalid path.
    ///
    /// ```
    /// use std::io::Read;
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a.txt", "text")?;
    /// let mut s = String::new();
    /// fs.open("/a.txt")?.read_to_string(&mut s)?;
    /// assert_eq!(s, "text");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open(&self, path: impl AsRef<str>) -> io::Result<MemFile> {
        let flags = Flags {
            read: true,
            ..Flags::default()
        };
        Opener { fs: self, flags }.open(path.as_ref())
    }

    /// Opens a file for writing, creating it or truncating it.
    ///
    /// This corresponds to [`std::fs::File::create`].
    ///
    /// # Errors
    /// `NotFound` if the parent directory is missing, `IsADirectory`, `WouldBlock` if other
    /// handles hold the file beyond the lock timeout, `QuotaExceeded` at the node limit,
    /// `InvalidInput` for an invalid path or the root.
    ///
    /// ```
    /// use std::io::Write;
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create("/a.txt")?.write_all(b"new")?;
    /// assert_eq!(fs.read("/a.txt")?, b"new");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create(&self, path: impl AsRef<str>) -> io::Result<MemFile> {
        let flags = Flags {
            write: true,
            create: true,
            truncate: true,
            ..Flags::default()
        };
        Opener { fs: self, flags }.open(path.as_ref())
    }
}

impl OpenOptions {
    /// Allow reading.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new(); fs.write("/a", "")?;
    /// fs.options().read(true).open("/a")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.flags.read = read;
        self
    }

    /// Allow writing.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new(); fs.write("/a", "")?;
    /// fs.options().write(true).open("/a")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.flags.write = write;
        self
    }

    /// Write at the end of the file, whatever the cursor (implies write access).
    ///
    /// ```
    /// use std::io::Write;
    /// # let fs = dmemfs_core::MemFs::new(); fs.write("/a", "ab")?;
    /// fs.options().append(true).open("/a")?.write_all(b"c")?;
    /// assert_eq!(fs.read("/a")?, b"abc");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn append(&mut self, append: bool) -> &mut Self {
        self.flags.append = append;
        self
    }

    /// Truncate an existing file to length 0 on open (needs write access, not append).
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new(); fs.write("/a", "old")?;
    /// fs.options().write(true).truncate(true).open("/a")?;
    /// assert!(fs.read("/a")?.is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.flags.truncate = truncate;
        self
    }

    /// Create the file if it does not exist (needs write or append access).
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.options().write(true).create(true).open("/new")?;
    /// assert!(fs.is_file("/new"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.flags.create = create;
        self
    }

    /// Create the file, failing with `AlreadyExists` if anything is at the path (needs write
    /// or append access). Checked before waiting for any lock.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::new();
    /// fs.options().write(true).create_new(true).open("/once")?;
    /// assert!(fs.options().write(true).create_new(true).open("/once").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut Self {
        self.flags.create_new = create_new;
        self
    }

    /// Make the file at least `len` bytes long on open, zero-filled and charged to the quota,
    /// so later writes inside that length cannot run out of quota. Needs write access. The
    /// cursor stays at 0.
    ///
    /// ```
    /// # let fs = dmemfs_core::MemFs::with_quota(100);
    /// let f = fs.options().write(true).create(true).preallocate(64).open("/reserved")?;
    /// assert_eq!(f.metadata()?.len(), 64);
    /// assert_eq!(fs.stats().used, 64);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn preallocate(&mut self, len: u64) -> &mut Self {
        self.flags.preallocate = len;
        self
    }

    /// How long to wait for the file's lock: `Some(d)` waits up to `d` (zero tries once),
    /// `None` waits without limit. If not called, the filesystem's default applies.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let fs = dmemfs_core::MemFs::new();
    /// let _writer = fs.create("/busy")?;
    /// let err = fs.options().read(true).lock_timeout(Some(Duration::from_millis(10))).open("/busy");
    /// assert_eq!(err.unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock_timeout(&mut self, timeout: Option<Duration>) -> &mut Self {
        self.flags.lock_timeout = Some(timeout);
        self
    }

    /// Opens the file at `path` with these options.
    ///
    /// This corresponds to [`std::fs::OpenOptions::open`].
    ///
    /// # Errors
    /// - `InvalidInput`: no access mode, `truncate`/`create`/`create_new` without write
    ///   access, `truncate` with `append`, `preallocate` without write access, an invalid
    ///   path, or the root with `create`/`create_new`;
    /// - `NotFound`: the file (without `create`) or its parent directory is missing;
    /// - `AlreadyExists`: `create_new` and something is at the path;
    /// - `IsADirectory`, `NotADirectory` (a file in the middle of the path);
    /// - `WouldBlock`: other handles hold the file beyond the lock timeout;
    /// - `StorageFull` (preallocation beyond the quota), `QuotaExceeded` (node limit).
    ///
    /// A failed open changes nothing: a file it would have created does not appear.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// let err = fs.options().read(true).truncate(true).open("/a").unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn open(&self, path: impl AsRef<str>) -> io::Result<MemFile> {
        self.open_through(&self.fs, path.as_ref())
    }

    /// Opens with these flags through `fs`, a handle to the same filesystem with its own
    /// wait policy (the async wrapper's single-try handle).
    pub(crate) fn open_through(&self, fs: &MemFs, path: &str) -> io::Result<MemFile> {
        debug_assert!(Arc::ptr_eq(&fs.inner, &self.fs.inner));
        Opener {
            fs,
            flags: self.flags,
        }
        .open(path)
    }

    /// Opens `file` again with these options: a new handle on the same file, with its own
    /// access mode and cursor, even if the file has been renamed or has lost its last name
    /// since (with [`Semantics::Posix`](crate::Semantics::Posix)).
    ///
    /// This corresponds to opening `/proc/self/fd/N` on Linux (a new open file description,
    /// unlike [`std::fs::File::try_clone`], which shares the cursor). `truncate` and
    /// `preallocate` apply as in [`open`](Self::open); `create` changes nothing (the file
    /// exists) and `create_new` fails with `AlreadyExists`. With D-MemFS's locks the new
    /// handle takes its own lock, so a writable reopen of a file held open fails with
    /// `WouldBlock` after the lock timeout.
    ///
    /// # Errors
    /// `InvalidInput` for the flag combinations [`open`](Self::open) refuses or for a `file`
    /// of another filesystem; `AlreadyExists` with `create_new`; `StorageFull` when a
    /// preallocation does not fit.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, Semantics};
    ///
    /// let fs = MemFs::builder().semantics(Semantics::Posix).build()?;
    /// let reader = fs.create("/tmp.bin").and_then(|_| fs.open("/tmp.bin"))?;
    /// fs.remove_file("/tmp.bin")?;
    /// let writer = fs.options().write(true).reopen(&reader)?;
    /// writer.write_all_at(b"still here", 0)?;
    /// let mut buf = [0; 10];
    /// reader.read_exact_at(&mut buf, 0)?;
    /// assert_eq!(&buf, b"still here");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn reopen(&self, file: &MemFile) -> io::Result<MemFile> {
        let opener = Opener {
            fs: &self.fs,
            flags: self.flags,
        };
        opener
            .reopen(file)
            .map_err(|reason| fail(Op::Open, file.path(), reason))
    }
}

impl Opener<'_> {
    fn reopen(&self, file: &MemFile) -> Result<MemFile, Reason> {
        if !Arc::ptr_eq(&self.fs.inner, &file.inner) {
            return Err(Reason::InvalidArgument(ArgError::ForeignFile));
        }
        self.check_flags()?;
        if self.create_new {
            return Err(Reason::AlreadyExists);
        }
        let path: Key = file.path.clone();
        self.fs.intercept(Op::Open, &path, None, None)?;
        let held = match self.fs.inner.semantics {
            Semantics::Posix => self.fs.inner.pin_again(&file.held),
            // A locked file keeps its name while `file` holds it: the path still leads to it.
            Semantics::Locked => {
                let access = self.access();
                let mut wait = Wait::new(self.fs.lock_timeout_for(self.lock_timeout));
                match self.fs.inner.lock_file(&path, access, &mut wait)? {
                    Lookup::File(held, _) => held,
                    Lookup::Missing(miss) => return Err(miss.into_reason()),
                    Lookup::Dir => return Err(Reason::IsADirectory),
                }
            }
        };
        self.prepare_existing(&held)?;
        Ok(self.handle(held, path))
    }
}

impl Opener<'_> {
    fn open(&self, raw: &str) -> io::Result<MemFile> {
        let op = if self.create || self.create_new {
            Op::Create
        } else {
            Op::Open
        };
        self.check_flags().map_err(|reason| fail(op, raw, reason))?;
        if let Some(file) = self.open_as_given(raw) {
            return file.map_err(|reason| fail(op, raw, reason));
        }
        // O_CREAT | O_EXCL does not follow a link at the path, as on Linux.
        let path = self.fs.resolve(op, raw, !self.create_new)?;
        self.fs
            .intercept(op, &path, None, None)
            .map_err(|reason| fail(op, raw, reason))?;
        self.open_normalized(&path)
            .map_err(|reason| fail(op, raw, reason))
    }

    /// Opening an existing file by the path as given, when nothing needs it normalised first
    /// (no links, no fault injector): `None` if it names no file, or the open creates (a new
    /// path is not known to be normal). Most opens name a file that exists.
    fn open_as_given(&self, raw: &str) -> Option<Result<MemFile, Reason>> {
        let inner = &self.fs.inner;
        if self.create
            || self.create_new
            || inner.ledger.symlinks() > 0
            || (self.fs.faults && inner.faults.is_armed())
        {
            return None;
        }
        let access = self.access();
        let mut wait = Wait::new(self.fs.lock_timeout_for(self.lock_timeout));
        let found = inner.lock_file_as_given(raw, access, &mut wait);
        Some(match found {
            Ok(Some((held, key))) => self
                .prepare_existing(&held)
                .map(|()| self.handle(held, key)),
            Ok(None) => return None,
            Err(reason) => Err(reason),
        })
    }

    /// The flag rules of `std::fs::OpenOptions` on Linux, and `preallocate`'s.
    fn check_flags(&self) -> Result<(), Reason> {
        let refused = |why| Err(Reason::InvalidArgument(why));
        check_open_flags(
            self.read,
            self.write || self.append,
            self.append,
            self.truncate,
            self.create || self.create_new,
            self.create_new,
        )?;
        if self.preallocate > 0 && !self.write && !self.append {
            return refused(ArgError::NeedsWriteAccess);
        }
        if self.preallocate > MAX_FILE_SIZE {
            return refused(ArgError::LengthTooLarge {
                length: self.preallocate,
            });
        }
        Ok(())
    }

    fn mode(&self) -> Mode {
        Mode {
            read: self.read,
            write: self.write || self.append,
            append: self.append,
        }
    }

    // Out of line: the common open of an existing file (`open_as_given`) stays small.
    #[inline(never)]
    fn open_normalized(&self, path: &str) -> Result<MemFile, Reason> {
        let creating = self.create || self.create_new;
        if path == "/" {
            return Err(if creating {
                Reason::InvalidPath(PathError::RootHasNoName)
            } else {
                Reason::IsADirectory
            });
        }
        let inner = &self.fs.inner;
        let access = self.access();
        if creating && self.preallocate == 0 {
            match inner.create_or_lock(path, access, self.create_new)? {
                Claim::Created(held, key) => return Ok(self.handle(held, key)),
                Claim::Existing(held, key) => {
                    self.prepare_existing(&held)?;
                    return Ok(self.handle(held, key));
                }
                // Held by another handle: wait below, without the tree lock.
                Claim::Busy => {}
            }
        } else if self.create_new && inner.exists_normalized(path) {
            return Err(Reason::AlreadyExists);
        }
        let mut wait = Wait::new(self.fs.lock_timeout_for(self.lock_timeout));
        loop {
            match inner.lock_file(path, access, &mut wait)? {
                Lookup::Dir => return Err(Reason::IsADirectory),
                Lookup::File(..) if self.create_new => return Err(Reason::AlreadyExists),
                Lookup::File(held, key) => {
                    self.prepare_existing(&held)?;
                    return Ok(self.handle(held, key));
                }
                Lookup::Missing(miss) if !creating => return Err(miss.into_reason()),
                Lookup::Missing(Miss::Leaf) => {
                    if let Some((held, key)) = self.create_file(path, access)? {
                        return Ok(self.handle(held, key));
                    }
                    // Something appeared at the path meanwhile: look again.
                }
                Lookup::Missing(miss) => return Err(miss.into_parent_reason(path)),
            }
        }
    }

    /// The lock a handle with these options takes: exclusive if it writes.
    fn access(&self) -> Access {
        if self.mode().write {
            Access::Exclusive
        } else {
            Access::Shared
        }
    }

    #[inline(always)]
    fn handle(&self, held: Held, path: Key) -> MemFile {
        MemFile::new(self.fs, held, path, self.mode())
    }

    /// Applies `truncate` and `preallocate` to an existing file, all or nothing.
    fn prepare_existing(&self, held: &Held) -> Result<(), Reason> {
        let truncate = self.truncate && self.mode().write;
        if !truncate && self.preallocate == 0 {
            return Ok(());
        }
        let inner = &self.fs.inner;
        let mut data = held.node.data.write();
        let old = data.storage.len();
        let base = if truncate { 0 } else { old };
        let grows = self.preallocate > base;
        let new_len = base.max(self.preallocate);
        let reservation = inner.reserve(new_len.saturating_sub(old))?;
        if truncate {
            let fresh = Storage::zeroed(new_len)
                .map(|s| inner.contents(s))
                .map_err(|_| Reason::AllocationFailed(new_len))?;
            drop(std::mem::replace(&mut data.storage, fresh));
            data.touch(inner.now());
        } else if grows {
            data.storage
                .set_len(new_len)
                .map_err(|_| Reason::AllocationFailed(new_len - old))?;
        }
        reservation.commit();
        inner.release(old.saturating_sub(new_len));
        if grows {
            data.touch(inner.now());
        }
        Ok(())
    }

    /// Creates the file (preallocated), held for the handle; `None` if the path got taken
    /// meanwhile.
    fn create_file(&self, path: &str, access: Access) -> Result<Option<(Held, Key)>, Reason> {
        let inner = &self.fs.inner;
        let len = self.preallocate;
        let new = NewFile {
            changed: len > 0,
            mode: None,
            hold: Some(access),
        };
        let make = || Storage::zeroed(len).map_err(|_| Reason::AllocationFailed(len));
        match inner.create_with(path, len, new, make)? {
            Created::New(held) => Ok(held),
            Created::Taken if self.create_new => Err(Reason::AlreadyExists),
            Created::Taken => Ok(None),
        }
    }
}

/// The flag rules of `std::fs::OpenOptions` on Linux, for every implementation of the
/// [`FileSystem`](crate::FileSystem) trait: one place, so that all refuse the same
/// combinations alike.
// Also OsFs's (through FsOpenOptions::check).
pub(crate) fn check_open_flags(
    read: bool,
    writes: bool,
    append: bool,
    truncate: bool,
    creating: bool,
    create_new: bool,
) -> Result<(), Reason> {
    let refused = |why| Err(Reason::InvalidArgument(why));
    if !read && !writes {
        return refused(ArgError::NoAccessMode);
    }
    if !writes && (truncate || creating) {
        return refused(ArgError::NeedsWriteAccess);
    }
    if append && truncate && !create_new {
        return refused(ArgError::TruncateWithAppend);
    }
    Ok(())
}
