//! Attributes on the host: hard links, permissions, times, and the Unix numbers of
//! [`Metadata`] (`ino`, `nlink`, `mode`), with what stands in for them off Unix.

use std::io;
use std::time::SystemTime;
#[cfg(unix)]
use std::time::{Duration, UNIX_EPOCH};

use cap_std::fs::OpenOptions;

use super::{OsFailure, OsFs, relative};
use crate::attrs::{FileTimes, Permissions};
use crate::error::Reason;
use crate::metadata::FileType;

impl OsFs {
    /// Links `to` to the file at `from` (both normalised). A symbolic link is linked itself,
    /// as `std::fs::hard_link` does on Linux, so nothing outside the root is reached.
    pub(super) fn hard_link_normalized(&self, from: &str, to: &str) -> Result<(), OsFailure> {
        // The root cannot be named on the host: check in the kernel's (and a MemFs's) order
        // what it would have, the source, then the destination's parent and the destination,
        // then refuse the directory.
        // The source first, as the kernel looks it up first (cap-std opens the destination's
        // parent before it calls `linkat`, which would put the destination's errors first).
        // A symbolic link is a source like any file (it is linked itself).
        let source_is_dir = from == "/" || self.dir().symlink_metadata(relative(from))?.is_dir();
        if from == "/" || to == "/" {
            if to == "/" || self.dir().symlink_metadata(relative(to)).is_ok() {
                return Err(Reason::AlreadyExists.into());
            }
            let parent = crate::path::split_parent(to).map_or("/", |(parent, _)| parent);
            if !self.stat(parent)?.is_dir() {
                return Err(Reason::NotADirectory.into());
            }
            if source_is_dir {
                return Err(Reason::LinkToDirectory.into());
            }
        }
        let dir = self.dir();
        dir.hard_link(relative(from), dir, relative(to))
            .map_err(|err| match (err.raw_os_error(), OsFailure::from(err)) {
                // EPERM for a directory: name it as a MemFs does.
                (Some(_), failure)
                    if failure.reason.kind() == io::ErrorKind::PermissionDenied
                        && self.stat(from).is_ok_and(|meta| meta.is_dir()) =>
                {
                    failure.named(Reason::LinkToDirectory)
                }
                (_, failure) => failure,
            })
    }

    /// Sets the permissions of a normalised path, following links inside the root.
    pub(super) fn set_permissions_normalized(
        &self,
        normal: &str,
        perm: Permissions,
    ) -> Result<(), OsFailure> {
        // The root too, as ".": the root handle itself may be an `O_PATH` descriptor.
        let path = relative(normal);
        let result = host_permissions(perm, || Ok(self.dir().metadata(path)?.permissions()))
            .and_then(|host| self.dir().set_permissions(path, host));
        result.map_err(OsFailure::from)
    }

    /// Sets the times of a normalised path, following links inside the root: the node is
    /// opened beneath the root (for reading, or for writing if it cannot be read; `cap-std`
    /// has no path-based `set_times`) and its times set through the handle, as `futimens(2)`.
    /// A special file is `Unsupported`, as its metadata is: opening a FIFO would wait for a
    /// writer.
    pub(super) fn set_times_normalized(
        &self,
        normal: &str,
        times: FileTimes,
    ) -> Result<(), OsFailure> {
        self.stat(normal)?;
        // The root too, as ".": the root handle itself may be an `O_PATH` descriptor.
        let path = relative(normal);
        let file = match self.dir().open(path) {
            Err(err) if err.raw_os_error().is_some() && denied(&err) => self
                .dir()
                .open_with(path, OpenOptions::new().write(true))
                .map_err(|_| err),
            opened => opened,
        };
        let file = file?;
        set_file_times(&file, times).map_err(OsFailure::from)
    }
}

fn denied(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::PermissionDenied
}

/// Sets the times given in `times` through an open handle (any access mode).
pub(super) fn set_file_times(file: &cap_std::fs::File, times: FileTimes) -> io::Result<()> {
    let mut host = std::fs::FileTimes::new();
    if let Some(accessed) = times.accessed {
        host = host.set_accessed(accessed);
    }
    if let Some(modified) = times.modified {
        host = host.set_modified(modified);
    }
    // cap-std's File has no set_times; std's, on a duplicate of the descriptor, does it.
    file.try_clone()?.into_std().set_times(host)
}

/// The host permissions for `perm`: its low twelve mode bits on Unix; elsewhere the current
/// permissions (from `current`) with `perm`'s read-only flag.
pub(super) fn host_permissions(
    perm: Permissions,
    current: impl FnOnce() -> io::Result<cap_std::fs::Permissions>,
) -> io::Result<cap_std::fs::Permissions> {
    #[cfg(unix)]
    {
        let _ = current;
        Ok(cap_std::fs::PermissionsExt::from_mode(perm.mode() & 0o7777))
    }
    #[cfg(not(unix))]
    {
        let mut host = current()?;
        host.set_readonly(perm.readonly());
        Ok(host)
    }
}

/// `ino`, `nlink` and `mode` (type and permission bits) from host metadata.
#[cfg(unix)]
pub(super) fn unix_numbers(
    meta: &cap_std::fs::Metadata,
    _: FileType,
) -> (u64, u64, u32, Option<SystemTime>) {
    use cap_std::fs::MetadataExt;
    let since_epoch = |secs: i64, nanos: i64| {
        let nanos = u32::try_from(nanos).ok()?;
        match u64::try_from(secs) {
            Ok(secs) => UNIX_EPOCH.checked_add(Duration::new(secs, nanos)),
            Err(_) => UNIX_EPOCH
                .checked_sub(Duration::from_secs(secs.unsigned_abs()))?
                .checked_add(Duration::from_nanos(u64::from(nanos))),
        }
    };
    let changed = since_epoch(meta.ctime(), meta.ctime_nsec());
    (meta.ino(), meta.nlink(), meta.mode(), changed)
}

/// Off Unix `std` reports no inode numbers: 0, one name, and a mode derived from the
/// read-only flag.
#[cfg(not(unix))]
pub(super) fn unix_numbers(
    meta: &cap_std::fs::Metadata,
    file_type: FileType,
) -> (u64, u64, u32, Option<SystemTime>) {
    let write = if meta.permissions().readonly() {
        0
    } else {
        0o222
    };
    let mode = match file_type {
        FileType::Dir => 0o040000 | 0o555 | write,
        FileType::File => 0o100000 | 0o444 | write,
    };
    (0, 1, mode, None)
}

/// Whether two host metadata describe the same node (another name for it, a hard link).
#[cfg(unix)]
pub(super) fn same_node(a: &cap_std::fs::Metadata, b: &cap_std::fs::Metadata) -> bool {
    use cap_std::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Off Unix `std` cannot tell; names are compared on the path's text only.
#[cfg(not(unix))]
pub(super) fn same_node(_: &cap_std::fs::Metadata, _: &cap_std::fs::Metadata) -> bool {
    false
}
