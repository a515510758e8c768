//! Whole-file operations: `read`, `read_to_string`, `write`, `append`, `remove_file`.
//! Each is one atomic step: it takes the file's lock for its whole duration.

use std::io;
use std::sync::Arc;

use super::contents::{Created, NewFile, write_locked};
use super::{Lookup, MemFs};
use crate::engine::{Miss, Node, freed_file_bytes};
use crate::error::{Op, PathError, Reason, fail};
use crate::lock::Access;
use crate::storage::{Growth, MAX_FILE_SIZE, Storage};

impl MemFs {
    /// Reads a whole file into a new vector.
    ///
    /// This corresponds to [`std::fs::read`]. It waits (up to the lock timeout) while a
    /// writer holds the file, so it never sees a write half done.
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory`, `NotADirectory` (a file in the middle of the path),
    /// `WouldBlock` (lock timeout), `InvalidInput` (invalid path).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a.bin", [1, 2, 3])?;
    /// assert_eq!(fs.read("/a.bin")?, [1, 2, 3]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read(&self, path: impl AsRef<str>) -> io::Result<Vec<u8>> {
        self.read_inner(Op::Read, path.as_ref())
    }

    fn read_inner(&self, op: Op, raw: &str) -> io::Result<Vec<u8>> {
        let path = self.resolve(op, raw, true)?;
        self.intercept(op, &path, None, None)
            .map_err(|reason| fail(op, raw, reason))?;
        let held = self
            .inner
            .lock_existing(&path, Access::Shared, &mut self.wait())
            .map_err(|reason| fail(op, raw, reason))?;
        let data = held.node.data.read();
        let mut out = Vec::new();
        data.storage
            .read_to_end(0, &mut out)
            .map_err(|_| fail(op, raw, Reason::AllocationFailed(data.storage.len())))?;
        Ok(out)
    }

    /// Reads a file's current contents without taking its lock: for inspection (assertions,
    /// snapshots, dumps, debugging) while handles may be open.
    ///
    /// Unlike [`read`](Self::read), it never waits: with a writer open it sees every write
    /// call completed so far (each one whole), which may be a state the writer was not done
    /// with. It is not subject to a [fault injector](Self::set_fault_injector). Metadata
    /// queries work the same way.
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory`, `NotADirectory`, `InvalidInput` (invalid path).
    ///
    /// ```
    /// use std::io::Write;
    /// let fs = dmemfs_core::MemFs::new();
    /// let mut log = fs.create("/log")?;
    /// log.write_all(b"step 1\n")?;
    /// // `fs.read` would wait for the writer to finish; `peek` shows the progress so far.
    /// assert_eq!(fs.peek("/log")?, b"step 1\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peek(&self, path: impl AsRef<str>) -> io::Result<Vec<u8>> {
        let raw = path.as_ref();
        let path = self.resolve(Op::Read, raw, true)?;
        let node = {
            let tree = self.inner.tree.read();
            match tree.get(&path) {
                Some(Node::File(node)) => Arc::clone(node),
                Some(Node::Dir(_)) => return Err(fail(Op::Read, raw, Reason::IsADirectory)),
                Some(Node::Symlink(_)) => {
                    let reason = Reason::UnexpectedLink { path: path.into() };
                    return Err(fail(Op::Read, raw, reason));
                }
                None => return Err(fail(Op::Read, raw, tree.miss(&path).into_reason())),
            }
        };
        let data = node.data.read();
        let mut out = Vec::new();
        data.storage
            .read_to_end(0, &mut out)
            .map_err(|_| fail(Op::Read, raw, Reason::AllocationFailed(data.storage.len())))?;
        Ok(out)
    }

    /// Reads a whole file into a string.
    ///
    /// This corresponds to [`std::fs::read_to_string`].
    ///
    /// # Errors
    /// As [`read`](Self::read), plus `InvalidData` if the contents are not UTF-8.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/hello.txt", "héllo")?;
    /// assert_eq!(fs.read_to_string("/hello.txt")?, "héllo");
    /// fs.write("/bin", [0xff])?;
    /// assert_eq!(fs.read_to_string("/bin").unwrap_err().kind(), std::io::ErrorKind::InvalidData);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_to_string(&self, path: impl AsRef<str>) -> io::Result<String> {
        let raw = path.as_ref();
        let bytes = self.read_inner(Op::Read, raw)?;
        String::from_utf8(bytes).map_err(|_| fail(Op::Read, raw, Reason::InvalidUtf8))
    }

    /// Writes `contents` as the whole file, creating it or replacing what it held.
    ///
    /// This corresponds to [`std::fs::write`], but is atomic: if the new contents do not fit
    /// the quota, the old contents stay (`std::fs::write` would have truncated them already).
    /// The quota is charged the difference between the new and the old length.
    ///
    /// # Errors
    /// `StorageFull` (quota), `QuotaExceeded` (node limit), `NotFound` (parent missing),
    /// `IsADirectory`, `NotADirectory`, `WouldBlock` (lock timeout), `InvalidInput` (invalid
    /// path or the root).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::with_quota(10);
    /// fs.write("/a", "12345678")?;
    /// fs.write("/a", "1234567890")?; // replaces: needs only 2 more bytes
    /// assert_eq!(fs.write("/a", "12345678901").unwrap_err().kind(), std::io::ErrorKind::StorageFull);
    /// assert_eq!(fs.read("/a")?, b"1234567890"); // untouched
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write(&self, path: impl AsRef<str>, contents: impl AsRef<[u8]>) -> io::Result<()> {
        self.put(Op::Write, path.as_ref(), contents.as_ref(), false)
    }

    /// Appends `contents` to a file, creating it if missing.
    ///
    /// This is one atomic write at the end of the file (like opening with
    /// `.append(true).create(true)` and writing once).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.append("/log", "a\n")?;
    /// fs.append("/log", "b\n")?;
    /// assert_eq!(fs.read_to_string("/log")?, "a\nb\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn append(&self, path: impl AsRef<str>, contents: impl AsRef<[u8]>) -> io::Result<()> {
        self.put(Op::Append, path.as_ref(), contents.as_ref(), true)
    }

    fn put(&self, op: Op, raw: &str, contents: &[u8], append: bool) -> io::Result<()> {
        let path = self.resolve(op, raw, true)?;
        let len = Some(contents.len() as u64);
        self.intercept(op, &path, None, len)
            .map_err(|reason| fail(op, raw, reason))?;
        self.put_normalized(&path, contents, append)
            .map_err(|reason| fail(op, raw, reason))
    }

    fn put_normalized(&self, path: &str, contents: &[u8], append: bool) -> Result<(), Reason> {
        if path == "/" {
            return Err(Reason::InvalidPath(PathError::RootHasNoName));
        }
        let len = contents.len() as u64;
        if len > MAX_FILE_SIZE {
            return Err(Reason::FileTooLarge);
        }
        let inner = &self.inner;
        let mut wait = self.wait();
        loop {
            match inner.lock_file(path, Access::Exclusive, &mut wait)? {
                Lookup::Dir => return Err(Reason::IsADirectory),
                Lookup::File(held, _) => {
                    if append {
                        let mut data = held.node.data.write();
                        let end = data.storage.len();
                        return write_locked(inner, &mut data, end, contents, Growth::Tight);
                    }
                    return inner.replace_contents(&held, len, None, || {
                        Storage::from_slice(contents).map_err(|_| Reason::AllocationFailed(len))
                    });
                }
                Lookup::Missing(Miss::Leaf) => {
                    let len = contents.len() as u64;
                    let make =
                        || Storage::from_slice(contents).map_err(|_| Reason::AllocationFailed(len));
                    let new = NewFile {
                        changed: len > 0,
                        ..NewFile::default()
                    };
                    if let Created::New(_) = inner.create_with(path, len, new, make)? {
                        return Ok(());
                    }
                }
                Lookup::Missing(miss) => return Err(miss.into_parent_reason(path)),
            }
        }
    }

    /// Removes a file, giving its bytes back to the quota.
    ///
    /// This corresponds to [`std::fs::remove_file`].
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory`, `NotADirectory` (a file in the middle of the path),
    /// `ResourceBusy` if a handle has it open, `InvalidInput` (invalid path).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a", "x")?;
    /// let handle = fs.open("/a")?;
    /// assert_eq!(fs.remove_file("/a").unwrap_err().kind(), std::io::ErrorKind::ResourceBusy);
    /// drop(handle);
    /// fs.remove_file("/a")?;
    /// assert!(!fs.exists("/a"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn remove_file(&self, path: impl AsRef<str>) -> io::Result<()> {
        let raw = path.as_ref();
        let path = self.resolve(Op::RemoveFile, raw, false)?;
        self.intercept(Op::RemoveFile, &path, None, None)
            .map_err(|r| fail(Op::RemoveFile, raw, r))?;
        // The node (and its memory) is dropped after the tree lock is released.
        let _removed = {
            let mut tree = self.inner.tree.write();
            let node = match tree.get(&path) {
                None => return Err(fail(Op::RemoveFile, raw, tree.miss(&path).into_reason())),
                Some(Node::Dir(_)) => return Err(fail(Op::RemoveFile, raw, Reason::IsADirectory)),
                // The link goes, not what it points to.
                Some(Node::Symlink(_)) => {
                    tree.remove(&path);
                    return Ok(());
                }
                Some(Node::File(node)) => Arc::clone(node),
            };
            self.inner
                .busy_within(&tree, &path)
                .map_err(|r| fail(Op::RemoveFile, raw, r))?;
            tree.remove(&path);
            // Released under the tree lock, so no concurrent growth is counted on top of it.
            self.inner.release(freed_file_bytes(&node));
            node
        };
        Ok(())
    }
}
