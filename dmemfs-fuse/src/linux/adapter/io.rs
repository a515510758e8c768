//! Requests on open files: open, create, read, write, release.

use std::ffi::OsStr;
use std::time::Duration;

use dmemfs_core::{MemFile, OpenOptions, Permissions, Semantics};
use fuser::{Errno, FileAttr, FopenFlags, INodeNo, OpenAccMode, OpenFlags};

use super::handles::{How, OpenFile};
use super::{Adapter, Failure, Served};

/// What an `open(2)` asked for.
#[derive(Clone, Copy, Debug)]
struct Access {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
}

impl Access {
    fn of(flags: i32) -> Access {
        let acc = OpenFlags(flags).acc_mode();
        Access {
            read: matches!(acc, OpenAccMode::O_RDONLY | OpenAccMode::O_RDWR),
            write: matches!(acc, OpenAccMode::O_WRONLY | OpenAccMode::O_RDWR),
            append: flags & libc::O_APPEND != 0,
            // Only with FUSE_ATOMIC_O_TRUNC does the kernel pass O_TRUNC to open.
            truncate: flags & libc::O_TRUNC != 0,
        }
    }

    /// Options for a `MemFs` handle, which never waits for a D-MemFS lock: a request that
    /// waited would stall every other request on the mount, so it fails with `EAGAIN`.
    fn options(self, opener: &Adapter) -> OpenOptions {
        let mut options = opener.fs.options();
        options
            .read(self.read || !self.write)
            .write(self.write && !self.append)
            .append(self.append)
            .lock_timeout(Some(Duration::ZERO));
        options
    }
}

impl Adapter {
    pub(super) fn do_open(&self, ino: INodeNo, flags: i32, pid: u32) -> Served<(u64, FopenFlags)> {
        let access = Access::of(flags);
        // O_TRUNC empties the file whatever the access mode, as on Linux (the kernel has
        // checked the caller may write it).
        if access.truncate {
            drop(self.open_ino(ino, &self.emptying())?);
        }
        let (path, file) = self.open_ino(ino, &access.options(self))?;
        Ok((
            self.keep(ino.0, pid, path, access, file),
            self.fopen_flags(),
        ))
    }

    /// A new `MemFs` handle on the file numbered `ino`: by the path it is reached by, or,
    /// when it has none left (unlinked while open, then reopened through `/proc/PID/fd/N`),
    /// from a handle another open holds.
    pub(super) fn open_ino(
        &self,
        ino: INodeNo,
        options: &OpenOptions,
    ) -> Served<(String, MemFile)> {
        match self.path_of(ino) {
            Ok(path) => {
                let file = options.open(&path)?;
                if file.metadata()?.ino() != ino.0 {
                    return Err(Failure(Errno::ESTALE));
                }
                Ok((path, file))
            }
            Err(Failure(errno)) if errno == Errno::ESTALE => {
                let file = self
                    .handles
                    .with_held(ino.0, |held| options.reopen(held))
                    .ok_or(Failure(Errno::ESTALE))??;
                Ok((file.path().to_owned(), file))
            }
            Err(failure) => Err(failure),
        }
    }

    pub(super) fn do_create(
        &self,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        flags: i32,
        pid: u32,
    ) -> Served<(FileAttr, u64, FopenFlags)> {
        let path = self.child_path(parent, name)?;
        let access = Access::of(flags);
        let exclusive = flags & libc::O_EXCL != 0;
        // Create it new, so the mode is set only on a file this call made.
        let made = self
            .fs
            .options()
            .write(true)
            .create_new(true)
            .lock_timeout(Some(Duration::ZERO))
            .open(&path);
        match made {
            Ok(file) => {
                file.set_permissions(Permissions::from_mode(mode & 0o7777))?;
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && !exclusive => {
                if access.truncate {
                    self.truncate(&path)?;
                }
            }
            Err(err) => return Err(err.into()),
        }
        let file = access.options(self).open(&path)?;
        let attr = self.looked_up(parent, name)?;
        let fh = self.keep(attr.ino.0, pid, path, access, file);
        Ok((attr, fh, self.fopen_flags()))
    }

    /// Empties the file at `path` (`O_TRUNC`), without waiting for a lock.
    fn truncate(&self, path: &str) -> Served<()> {
        self.emptying().open(path)?;
        Ok(())
    }

    /// Options that empty a file (`O_TRUNC`), without waiting for a lock.
    fn emptying(&self) -> OpenOptions {
        let mut options = self.fs.options();
        options
            .write(true)
            .truncate(true)
            .lock_timeout(Some(Duration::ZERO));
        options
    }

    /// Registers an open file: in POSIX semantics its `MemFs` handle is kept until release;
    /// with D-MemFS's locks it is dropped now, and each request takes its own.
    fn keep(&self, ino: u64, pid: u32, path: String, access: Access, file: MemFile) -> u64 {
        let how = match self.fs.semantics() {
            Semantics::Posix => How::Held(file),
            _ => {
                drop(file);
                How::PerRequest {
                    read: access.read || !access.write,
                    write: access.write,
                    append: access.append,
                }
            }
        };
        self.handles.add_file(OpenFile {
            ino,
            pid,
            path,
            how,
        })
    }

    fn fopen_flags(&self) -> FopenFlags {
        // No FLUSH at every close: writes are synchronous (no writeback cache) and locks
        // are the kernel's, so there is nothing to flush; one request less per open.
        let mut flags = FopenFlags::FOPEN_NOFLUSH;
        if self.settings.direct_io {
            flags |= FopenFlags::FOPEN_DIRECT_IO;
        }
        if self.settings.keep_cache {
            flags |= FopenFlags::FOPEN_KEEP_CACHE;
        }
        flags
    }

    /// Runs `op` on the `MemFs` handle of the open file `fh`.
    fn with_file<T>(&self, fh: u64, op: impl FnOnce(&MemFile) -> std::io::Result<T>) -> Served<T> {
        let open = self.handles.file(fh).ok_or(Failure(Errno::EBADF))?;
        match &open.how {
            How::Held(file) => Ok(op(file)?),
            &How::PerRequest {
                read,
                write,
                append,
            } => {
                let path = self.path_of(INodeNo(open.ino))?;
                let access = Access {
                    read,
                    write,
                    append,
                    truncate: false,
                };
                let file = access.options(self).open(&path)?;
                Ok(op(&file)?)
            }
        }
    }

    pub(super) fn do_read(&self, fh: u64, offset: u64, size: u32) -> Served<Vec<u8>> {
        let direct = self.settings.direct_io;
        self.with_file(fh, |file| {
            let mut buf = vec![0; size as usize];
            let mut filled = 0;
            // Through the page cache a short read means end of file to the kernel, so a
            // short read (an injected one) is completed; with direct I/O it reaches the caller.
            while filled < buf.len() {
                let n = file.read_at(&mut buf[filled..], offset + filled as u64)?;
                filled += n;
                if n == 0 || direct {
                    break;
                }
            }
            buf.truncate(filled);
            Ok(buf)
        })
    }

    pub(super) fn do_write(&self, fh: u64, offset: u64, data: &[u8]) -> Served<u32> {
        let written = self.with_file(fh, |file| file.write_at(data, offset))?;
        // A request is at most `max_write` bytes, far below u32::MAX.
        Ok(u32::try_from(written).unwrap_or(u32::MAX))
    }

    pub(super) fn do_release(&self, fh: u64) {
        self.handles.release_file(fh);
    }
}
