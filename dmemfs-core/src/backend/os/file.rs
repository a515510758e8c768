//! [`OsFile`]: an open host file behind the [`FsFile`] trait.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::attrs::{host_permissions, set_file_times};
use super::{OsFailure, metadata_of};
use crate::attrs::{FileTimes, Permissions};
use crate::backend::handle::FsFile;
use crate::error::{HandleMode, Op, Reason, fail};
use crate::metadata::Metadata;

/// An open file of an [`OsFs`](super::OsFs).
///
/// It checks the access mode itself before calling the OS, so that writing through a
/// read-only handle is `Unsupported` as on a [`MemFs`](crate::MemFs), not the OS's `EBADF`.
pub(super) struct OsFile {
    file: cap_std::fs::File,
    /// The normalised virtual path, for [`FsFile::path`] and error payloads.
    path: String,
    read: bool,
    write: bool,
}

impl fmt::Debug for OsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OsFile")
            .field("path", &self.path)
            .field("read", &self.read)
            .field("write", &self.write)
            .finish()
    }
}

impl OsFile {
    pub(super) fn new(file: cap_std::fs::File, path: String, read: bool, write: bool) -> OsFile {
        OsFile {
            file,
            path,
            read,
            write,
        }
    }

    fn fail(&self, op: Op, reason: Reason) -> io::Error {
        fail(op, &self.path, reason)
    }

    fn os(&self, op: Op, err: io::Error) -> io::Error {
        OsFailure::from(err).at(op, &self.path)
    }

    fn check_read(&self) -> io::Result<()> {
        if self.read {
            Ok(())
        } else {
            Err(self.fail(Op::Read, Reason::WrongMode(HandleMode::Read)))
        }
    }

    fn check_write(&self, op: Op) -> io::Result<()> {
        if self.write {
            Ok(())
        } else {
            Err(self.fail(op, Reason::WrongMode(HandleMode::Write)))
        }
    }
}

impl Read for OsFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check_read()?;
        self.file.read(buf).map_err(|err| self.os(Op::Read, err))
    }

    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.check_read()?;
        self.file
            .read_to_end(buf)
            .map_err(|err| self.os(Op::Read, err))
    }

    fn read_to_string(&mut self, buf: &mut String) -> io::Result<usize> {
        // As a MemFile: invalid UTF-8 is an FsError naming the file, and nothing is appended.
        let mut bytes = Vec::new();
        self.read_to_end(&mut bytes)?;
        let text =
            String::from_utf8(bytes).map_err(|_| self.fail(Op::Read, Reason::InvalidUtf8))?;
        buf.push_str(&text);
        Ok(text.len())
    }
}

impl Write for OsFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check_write(Op::Write)?;
        self.file.write(buf).map_err(|err| self.os(Op::Write, err))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush().map_err(|err| self.os(Op::Write, err))
    }
}

impl Seek for OsFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos).map_err(|err| self.os(Op::Seek, err))
    }
}

impl FsFile for OsFile {
    fn path(&self) -> &str {
        &self.path
    }

    fn metadata(&self) -> io::Result<Metadata> {
        let meta = self
            .file
            .metadata()
            .map_err(|err| self.os(Op::Metadata, err))?;
        metadata_of(&meta).map_err(|failure| failure.at(Op::Metadata, &self.path))
    }

    fn set_len(&self, size: u64) -> io::Result<()> {
        self.check_write(Op::SetLen)?;
        self.file
            .set_len(size)
            .map_err(|err| self.os(Op::SetLen, err))
    }

    fn sync_all(&self) -> io::Result<()> {
        self.file.sync_all().map_err(|err| self.os(Op::Write, err))
    }

    fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        // fchmod(2): any handle may, a read-only one included.
        host_permissions(perm, || Ok(self.file.metadata()?.permissions()))
            .and_then(|host| self.file.set_permissions(host))
            .map_err(|err| self.os(Op::SetPermissions, err))
    }

    fn set_times(&self, times: FileTimes) -> io::Result<()> {
        set_file_times(&self.file, times).map_err(|err| self.os(Op::SetTimes, err))
    }
}
