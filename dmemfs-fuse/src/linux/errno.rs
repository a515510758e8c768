//! The errno a FUSE reply carries for each dmemfs error.
//!
//! fuser's own conversion uses `raw_os_error()`, which a `MemFs` error never has, so every
//! failure would reach other processes as `EIO`. This table maps by the error's reason where
//! the reason is more precise than its kind (`ELOOP`, `EPERM` for a hard link to a directory),
//! then by kind.

use std::io::{self, ErrorKind};

use dmemfs_core::{FsError, Reason};
use fuser::Errno;

/// The errno for `err`: its OS error if it has one, else by reason, else by kind.
pub(crate) fn errno_of(err: &io::Error) -> Errno {
    if let Some(raw) = err.raw_os_error() {
        return Errno::from_i32(raw);
    }
    if let Some(detail) = FsError::from_io(err) {
        match detail.reason() {
            Reason::FilesystemLoop { .. } | Reason::UnexpectedLink { .. } => return Errno::ELOOP,
            Reason::LinkToDirectory => return Errno::EPERM,
            Reason::NotALink => return Errno::EINVAL,
            Reason::DanglingLink { .. } => return Errno::EEXIST,
            _ => {}
        }
    }
    errno_of_kind(err.kind())
}

/// The errno for an error kind (an injected fault names only its kind).
pub(crate) fn errno_of_kind(kind: ErrorKind) -> Errno {
    use ErrorKind as K;
    let raw = match kind {
        K::NotFound => libc::ENOENT,
        K::PermissionDenied => libc::EACCES,
        K::AlreadyExists => libc::EEXIST,
        K::WouldBlock => libc::EAGAIN,
        K::InvalidInput => libc::EINVAL,
        K::InvalidData => libc::EIO,
        K::TimedOut => libc::ETIMEDOUT,
        K::Interrupted => libc::EINTR,
        K::Unsupported => libc::EBADF,
        K::OutOfMemory => libc::ENOMEM,
        K::IsADirectory => libc::EISDIR,
        K::NotADirectory => libc::ENOTDIR,
        K::DirectoryNotEmpty => libc::ENOTEMPTY,
        K::StorageFull => libc::ENOSPC,
        K::QuotaExceeded => libc::EDQUOT,
        K::FileTooLarge => libc::EFBIG,
        K::ResourceBusy => libc::EBUSY,
        K::InvalidFilename => libc::ENAMETOOLONG,
        K::ReadOnlyFilesystem => libc::EROFS,
        K::CrossesDevices => libc::EXDEV,
        K::TooManyLinks => libc::EMLINK,
        K::ExecutableFileBusy => libc::ETXTBSY,
        K::Deadlock => libc::EDEADLK,
        K::StaleNetworkFileHandle => libc::ESTALE,
        K::BrokenPipe => libc::EPIPE,
        K::UnexpectedEof => libc::EIO,
        K::WriteZero => libc::ENOSPC,
        K::NotSeekable => libc::ESPIPE,
        K::ArgumentListTooLong => libc::E2BIG,
        _ => libc::EIO,
    };
    Errno::from_i32(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dmemfs_core::{MemFs, Semantics};

    fn raw(e: Errno) -> i32 {
        e.into()
    }

    #[test]
    fn memfs_errors_map_to_their_errno_not_eio() {
        let fs = MemFs::builder()
            .quota(4)
            .max_nodes(3)
            .semantics(Semantics::Posix)
            .build()
            .unwrap();
        let cases: Vec<(io::Error, i32)> = vec![
            (fs.read("/missing").unwrap_err(), libc::ENOENT),
            (fs.write("/big", [0; 5]).unwrap_err(), libc::ENOSPC),
            (fs.read("/").unwrap_err(), libc::EISDIR),
            (fs.read_link("/").unwrap_err(), libc::EINVAL),
        ];
        for (err, want) in cases {
            assert_eq!(raw(errno_of(&err)), want, "{err}");
        }
        fs.create_dir("/d").unwrap();
        fs.write("/d/f", "x").unwrap();
        assert_eq!(
            raw(errno_of(&fs.create_dir("/d").unwrap_err())),
            libc::EEXIST
        );
        let full = fs.create_dir("/e").unwrap_err();
        assert_eq!(raw(errno_of(&full)), libc::EDQUOT, "{full}");
        assert_eq!(
            raw(errno_of(&fs.remove_dir("/d").unwrap_err())),
            libc::ENOTEMPTY
        );
        assert_eq!(
            raw(errno_of(&fs.hard_link("/d", "/l").unwrap_err())),
            libc::EPERM
        );
        fs.remove_file("/d/f").unwrap();
        fs.symlink("/loop", "/loop").unwrap();
        assert_eq!(raw(errno_of(&fs.read("/loop").unwrap_err())), libc::ELOOP);
    }

    #[test]
    fn os_errors_keep_their_number() {
        let err = io::Error::from_raw_os_error(libc::EROFS);
        assert_eq!(raw(errno_of(&err)), libc::EROFS);
        assert_eq!(raw(errno_of_kind(ErrorKind::Other)), libc::EIO);
    }
}
