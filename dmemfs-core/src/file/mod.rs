//! [`MemFile`], an open file handle, and [`OpenOptions`].

mod attrs;
mod options;

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;

use parking_lot::Mutex;

pub use options::OpenOptions;
#[cfg(feature = "os")]
pub(crate) use options::check_open_flags;

use crate::counter::Counted;
use crate::engine::{FileData, Key};
use crate::error::{ArgError, HandleMode, Op, Reason, fail};
use crate::fault::Call;
use crate::fs::{Held, Inner, MemFs, write_locked};
use crate::metadata::Metadata;
use crate::storage::{Growth, MAX_FILE_SIZE};

/// What an open handle may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mode {
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) append: bool,
}

/// An open file in a [`MemFs`](crate::MemFs).
///
/// This corresponds to [`std::fs::File`]: it implements [`Read`], [`Write`] and [`Seek`], also
/// for `&MemFile` (the cursor is shared, and each call is atomic), and offers positional
/// [`read_at`](MemFile::read_at) / [`write_at`](MemFile::write_at) that leave the cursor alone.
///
/// A handle holds its file's lock from open to drop: a read-only handle shares it with other
/// readers, a writable one holds it alone. While any handle is open, the file cannot be
/// removed or renamed (`ResourceBusy`). Writes go straight into the file: other handles and
/// whole-file reads see them as soon as the call returns; there is nothing to flush.
///
/// ```
/// use dmemfs_core::MemFs;
/// use std::io::{Read, Seek, SeekFrom, Write};
///
/// let fs = MemFs::new();
/// let mut file = fs.options().read(true).write(true).create(true).open("/data.bin")?;
/// file.write_all(b"hello world")?;
/// file.seek(SeekFrom::Start(6))?;
/// let mut word = String::new();
/// file.read_to_string(&mut word)?;
/// assert_eq!(word, "world");
/// file.write_at(b"HELLO", 0)?;
/// drop(file);
/// assert_eq!(fs.read("/data.bin")?, b"HELLO world");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct MemFile {
    inner: Arc<Inner>,
    /// Whether calls consult the fault injector (see [`MemFs::without_faults`](crate::MemFs::without_faults)).
    faults: bool,
    held: Held,
    path: Key,
    cursor: Mutex<u64>,
    mode: Mode,
    /// Whether a write left spare capacity for [`Drop`] to give back: most handles write
    /// exact sizes, and their drop then skips the data lock.
    slack: AtomicBool,
    /// This handle in the count of open handles, taken back when it drops.
    counted: Counted,
}

impl fmt::Debug for MemFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemFile")
            .field("path", &self.path)
            .field("read", &self.mode.read)
            .field("write", &self.mode.write)
            .field("append", &self.mode.append)
            .field("position", &*self.cursor.lock())
            .finish()
    }
}

// See the same impls for `MemFs`: operations are atomic and locks do not poison.
impl std::panic::UnwindSafe for MemFile {}
impl std::panic::RefUnwindSafe for MemFile {}

impl MemFile {
    #[inline]
    pub(crate) fn new(fs: &MemFs, held: Held, path: Key, mode: Mode) -> MemFile {
        let counted = fs.inner.open_handles.increment();
        MemFile {
            counted,
            inner: Arc::clone(&fs.inner),
            faults: fs.faults,
            held,
            path,
            cursor: Mutex::new(0),
            mode,
            slack: AtomicBool::new(false),
        }
    }

    /// The file's normalised virtual path, as it was opened: with
    /// [`Semantics::Posix`](crate::Semantics::Posix) the file may since have been renamed or
    /// removed (a `std::fs::File` has no path at all).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir("/logs")?;
    /// assert_eq!(fs.create("logs//today.txt/")?.path(), "/logs/today.txt");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The file's current metadata.
    ///
    /// This corresponds to [`std::fs::File::metadata`].
    ///
    /// ```
    /// use std::io::Write;
    /// let fs = dmemfs_core::MemFs::new();
    /// let mut f = fs.create("/a")?;
    /// f.write_all(b"abc")?;
    /// assert_eq!(f.metadata()?.len(), 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metadata(&self) -> io::Result<Metadata> {
        Ok(Metadata::of_file(&self.held.node))
    }

    /// Truncates or extends the file to `size` bytes; extension reads as zeros and is charged
    /// to the quota. The cursor does not move.
    ///
    /// This corresponds to [`std::fs::File::set_len`].
    ///
    /// # Errors
    /// `Unsupported` on a handle opened without write access, `InvalidInput` above
    /// [`MAX_FILE_SIZE`](crate::MAX_FILE_SIZE), `StorageFull` when the quota cannot hold the
    /// extension (nothing changes).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// let f = fs.create("/a")?;
    /// f.set_len(4)?;
    /// drop(f); // the writer holds the file's lock until dropped
    /// assert_eq!(fs.read("/a")?, [0, 0, 0, 0]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_len(&self, size: u64) -> io::Result<()> {
        if !self.mode.write {
            return Err(self.fail(Op::SetLen, Reason::WrongMode(HandleMode::Write)));
        }
        self.intercept(Op::SetLen, Some(size))?;
        if size > MAX_FILE_SIZE {
            return Err(self.fail(
                Op::SetLen,
                Reason::InvalidArgument(ArgError::LengthTooLarge { length: size }),
            ));
        }
        let mut data = self.held.node.data.write();
        let old = data.storage.len();
        if size == old {
            return Ok(());
        }
        let reservation = self
            .inner
            .reserve(size.saturating_sub(old))
            .map_err(|r| self.fail(Op::SetLen, r))?;
        data.storage
            .set_len(size)
            .map_err(|_| self.fail(Op::SetLen, Reason::AllocationFailed(size - old.min(size))))?;
        reservation.commit();
        self.inner.release(old.saturating_sub(size));
        data.touch(self.inner.now());
        Ok(())
    }

    /// Does nothing: contents live in memory and are always up to date. Present so code
    /// written for [`std::fs::File`] compiles unchanged.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create("/a")?.sync_all()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn sync_all(&self) -> io::Result<()> {
        Ok(())
    }

    /// Does nothing, like [`sync_all`](Self::sync_all).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create("/a")?.sync_data()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    /// Reads from `offset` into `buf` without moving the cursor; returns the bytes read
    /// (0 at or past the end).
    ///
    /// This corresponds to `std::os::unix::fs::FileExt::read_at`.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a", "0123456789")?;
    /// let f = fs.open("/a")?;
    /// let mut buf = [0; 3];
    /// assert_eq!(f.read_at(&mut buf, 4)?, 3);
    /// assert_eq!(&buf, b"456");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if !self.mode.read {
            return Err(self.fail(Op::Read, Reason::WrongMode(HandleMode::Read)));
        }
        let buf = shorten_mut(buf, self.intercept(Op::Read, Some(buf.len() as u64))?);
        Ok(self.held.node.data.read().storage.read_at(offset, buf))
    }

    /// Reads exactly `buf.len()` bytes from `offset`, without moving the cursor.
    ///
    /// This corresponds to `std::os::unix::fs::FileExt::read_exact_at`.
    ///
    /// # Errors
    /// `UnexpectedEof` if the file ends first (then `buf`'s contents are unspecified).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a", "0123")?;
    /// let f = fs.open("/a")?;
    /// let mut buf = [0; 2];
    /// f.read_exact_at(&mut buf, 2)?;
    /// assert_eq!(&buf, b"23");
    /// assert!(f.read_exact_at(&mut buf, 3).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_exact_at(&self, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
        // Loops as std's `FileExt::read_exact_at` does: a read may come up short (a fault
        // injector's `Short` verdict) or be interrupted, and neither is the end of the file.
        let wanted = buf.len() as u64;
        while !buf.is_empty() {
            match self.read_at(buf, offset) {
                Ok(0) => {
                    let missing = buf.len() as u64;
                    return Err(self.fail(Op::Read, Reason::UnexpectedEof { wanted, missing }));
                }
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Writes `buf` at `offset` without moving the cursor, zero-filling any gap past the end.
    /// The whole buffer is written or, on error, nothing.
    ///
    /// This corresponds to `std::os::unix::fs::FileExt::write_at`. As on Linux, a handle
    /// opened for appending writes at the end whatever the offset.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// let f = fs.create("/a")?;
    /// f.write_at(b"xy", 3)?;
    /// drop(f);
    /// assert_eq!(fs.read("/a")?, b"\0\0\0xy");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        if !self.mode.write {
            return Err(self.fail(Op::Write, Reason::WrongMode(HandleMode::Write)));
        }
        let buf = shorten(buf, self.intercept(Op::Write, Some(buf.len() as u64))?);
        if buf.is_empty() {
            // As Linux: writing nothing changes nothing, not even the modification time.
            return Ok(0);
        }
        let mut data = self.held.node.data.write();
        let offset = if self.mode.append {
            data.storage.len()
        } else {
            offset
        };
        write_locked(&self.inner, &mut data, offset, buf, Growth::Double)
            .map_err(|r| self.fail(Op::Write, r))?;
        self.note_slack(&data);
        Ok(buf.len())
    }

    /// Writes all of `buf` at `offset`, calling [`write_at`](Self::write_at) until it is
    /// written, as std's version does: a short write (from a fault injector) is continued
    /// and an `Interrupted` one retried.
    ///
    /// This corresponds to `std::os::unix::fs::FileExt::write_all_at`.
    ///
    /// # Errors
    /// The first error of a `write_at` other than `Interrupted` (the bytes written before it
    /// stay), or `WriteZero` if a write transferred nothing.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create("/a")?.write_all_at(b"hi", 0)?;
    /// assert_eq!(fs.read("/a")?, b"hi");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_all_at(&self, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
        let wanted = buf.len() as u64;
        while !buf.is_empty() {
            match self.write_at(buf, offset) {
                Ok(0) => {
                    let written = wanted - buf.len() as u64;
                    return Err(self.fail(Op::Write, Reason::WriteZero { wanted, written }));
                }
                Ok(n) => {
                    buf = &buf[n..];
                    // An append handle ignores the offset; this one stays as std keeps it.
                    offset += n as u64;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    fn fail(&self, op: Op, reason: Reason) -> io::Error {
        fail(op, &self.path, reason)
    }

    /// Asks the fault injector; `Some(n)` caps the transfer at `n` bytes.
    fn intercept(&self, op: Op, len: Option<u64>) -> io::Result<Option<usize>> {
        // Armed first: the call names the path, which a short one gives only after a check.
        if !self.faults || !self.inner.faults.is_armed() {
            return Ok(None);
        }
        let call = Call {
            op,
            path: &self.path,
            target: None,
            len,
            handle: matches!(op, Op::Read | Op::Write),
        };
        self.inner
            .faults
            .check(&call)
            .map_err(|reason| self.fail(op, reason))
    }

    /// Runs `f` with the cursor: locked for `&MemFile` (shared between threads), or taken
    /// directly through `&mut MemFile`, which no other thread can be using.
    fn with_cursor<T>(&self, f: impl FnOnce(&mut u64) -> T) -> T {
        f(&mut self.cursor.lock())
    }

    fn with_cursor_mut<T>(&mut self, f: impl FnOnce(&MemFile, &mut u64) -> T) -> T {
        let mut cursor = *self.cursor.get_mut();
        let result = f(self, &mut cursor);
        *self.cursor.get_mut() = cursor;
        result
    }

    fn read_cursor(&self, cursor: &mut u64, buf: &mut [u8]) -> io::Result<usize> {
        if !self.mode.read {
            return Err(self.fail(Op::Read, Reason::WrongMode(HandleMode::Read)));
        }
        let buf = shorten_mut(buf, self.intercept(Op::Read, Some(buf.len() as u64))?);
        let n = self.held.node.data.read().storage.read_at(*cursor, buf);
        *cursor += n as u64;
        Ok(n)
    }

    fn read_cursor_to_end(&self, cursor: &mut u64, out: &mut Vec<u8>) -> io::Result<usize> {
        if !self.mode.read {
            return Err(self.fail(Op::Read, Reason::WrongMode(HandleMode::Read)));
        }
        // A short read would only split this into several reads with the same result.
        self.intercept(Op::Read, None)?;
        let data = self.held.node.data.read();
        let n = data.storage.read_to_end(*cursor, out).map_err(|_| {
            self.fail(
                Op::Read,
                Reason::AllocationFailed(data.storage.len().saturating_sub(*cursor)),
            )
        })?;
        *cursor += n as u64;
        Ok(n)
    }

    fn write_cursor(&self, cursor: &mut u64, buf: &[u8]) -> io::Result<usize> {
        if !self.mode.write {
            return Err(self.fail(Op::Write, Reason::WrongMode(HandleMode::Write)));
        }
        let buf = shorten(buf, self.intercept(Op::Write, Some(buf.len() as u64))?);
        if buf.is_empty() {
            // As Linux: writing nothing moves nothing, not even an append handle's cursor.
            return Ok(0);
        }
        let mut data = self.held.node.data.write();
        let offset = if self.mode.append {
            data.storage.len()
        } else {
            *cursor
        };
        write_locked(&self.inner, &mut data, offset, buf, Growth::Double)
            .map_err(|r| self.fail(Op::Write, r))?;
        self.note_slack(&data);
        *cursor = offset + buf.len() as u64;
        Ok(buf.len())
    }

    fn seek_cursor(&self, pos: SeekFrom) -> io::Result<u64> {
        let mut cursor = self.cursor.lock();
        let target = match pos {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(delta) => cursor.checked_add_signed(delta),
            SeekFrom::End(delta) => self
                .held
                .node
                .data
                .read()
                .storage
                .len()
                .checked_add_signed(delta),
        };
        match target {
            Some(n) if n <= MAX_FILE_SIZE => {
                *cursor = n;
                Ok(n)
            }
            _ => Err(self.fail(
                Op::Seek,
                Reason::InvalidArgument(ArgError::SeekOutOfRange(pos)),
            )),
        }
    }
}

/// The first `limit` bytes of `buf`, if a fault injector asked for a short transfer.
fn shorten(buf: &[u8], limit: Option<usize>) -> &[u8] {
    limit.map_or(buf, |n| &buf[..n.min(buf.len())])
}

fn shorten_mut(buf: &mut [u8], limit: Option<usize>) -> &mut [u8] {
    match limit {
        Some(n) => {
            let n = n.min(buf.len());
            &mut buf[..n]
        }
        None => buf,
    }
}

impl MemFile {
    /// Remembers that the storage has spare capacity to give back when this writer lets go.
    fn note_slack(&self, data: &FileData) {
        if data.storage.has_slack() {
            self.slack.store(true, Relaxed);
        }
    }
}

impl Drop for MemFile {
    fn drop(&mut self) {
        if self.mode.write && self.slack.load(Relaxed) {
            self.held.node.data.write().storage.compact();
        }
        self.inner.open_handles.decrement(self.counted);
        // `held` releases the file lock after this body.
    }
}

impl MemFile {
    fn read_cursor_to_string(&self, cursor: &mut u64, buf: &mut String) -> io::Result<usize> {
        let mut bytes = Vec::new();
        self.read_cursor_to_end(cursor, &mut bytes)?;
        let text =
            String::from_utf8(bytes).map_err(|_| self.fail(Op::Read, Reason::InvalidUtf8))?;
        buf.push_str(&text);
        Ok(text.len())
    }
}

impl Read for &MemFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.with_cursor(|cursor| self.read_cursor(cursor, buf))
    }

    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.with_cursor(|cursor| self.read_cursor_to_end(cursor, buf))
    }

    fn read_to_string(&mut self, buf: &mut String) -> io::Result<usize> {
        self.with_cursor(|cursor| self.read_cursor_to_string(cursor, buf))
    }
}

// Through `&mut`, no other thread can use the handle: the cursor needs no locking.
impl Read for MemFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.with_cursor_mut(|file, cursor| file.read_cursor(cursor, buf))
    }

    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.with_cursor_mut(|file, cursor| file.read_cursor_to_end(cursor, buf))
    }

    fn read_to_string(&mut self, buf: &mut String) -> io::Result<usize> {
        self.with_cursor_mut(|file, cursor| file.read_cursor_to_string(cursor, buf))
    }
}

impl Write for &MemFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.with_cursor(|cursor| self.write_cursor(cursor, buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for MemFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.with_cursor_mut(|file, cursor| file.write_cursor(cursor, buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for &MemFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.seek_cursor(pos)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        Ok(*self.cursor.lock())
    }
}

impl Seek for MemFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        (&*self).seek(pos)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        (&*self).stream_position()
    }
}
