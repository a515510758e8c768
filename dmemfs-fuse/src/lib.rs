//! Mount a [`dmemfs_core::MemFs`] through FUSE: a RAM disk with a hard byte quota that other
//! processes, child programs and plain `std::fs` code can use.
//!
//! ```no_run
//! use dmemfs_core::{MemFs, Semantics};
//! use std::process::Command;
//!
//! let fs = MemFs::builder().quota(1 << 20).semantics(Semantics::Posix).build()?;
//! let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
//!
//! // Any program, any code taking a `Path`, works on it...
//! let status = Command::new("sh")
//!     .arg("-c")
//!     .arg("mkdir out && echo done > out/status && dd if=/dev/zero of=big bs=1M count=2")
//!     .current_dir(mount.path())
//!     .status()?;
//! // ...within the quota: dd got "No space left on device".
//! assert!(!status.success());
//! assert_eq!(fs.read_to_string("/out/status")?, "done\n");
//! assert!(fs.stats().used <= 1 << 20);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! What other processes see: the quota as the filesystem's size (`df`), `ENOSPC` past it,
//! `EDQUOT` at the node limit, modes (so `chmod +x` and running a script work), times
//! (`touch`, `tar -x`, `cp -p`), hard and symbolic links, stable inode numbers, faults from a
//! [`FaultPlan`](dmemfs_core::fault::FaultInjector) as the errno of their kind. With
//! [`Semantics::Posix`](dmemfs_core::Semantics::Posix) open files behave as on tmpfs.
//! ## Differences from tmpfs
//!
//! This is the one list; the README links here.
//!
//! - Owners: every node belongs to the mounting user; `chown` is accepted and changes nothing.
//! - Names must be UTF-8 (`EINVAL` otherwise). There are no devices, FIFOs, sockets or
//!   extended attributes.
//! - Space: a write that does not fit fails whole per FUSE request (at most 1 MiB), so a
//!   large `write(2)` may be cut short at a page boundary before `ENOSPC`, as on tmpfs.
//!   Files are not sparse: `truncate -s 1G` needs 1 GiB of quota (tmpfs charges only the
//!   pages written). `df` counts in 4 KiB blocks, so it shows the quota rounded down to
//!   4 KiB and the free space rounded down too; [`MemFs::stats`](dmemfs_core::MemFs::stats)
//!   is exact.
//! - Not supported: `fallocate` (`EOPNOTSUPP`, so `fallocate(1)` fails; `posix_fallocate`
//!   falls back to writing), `O_TMPFILE` (`EOPNOTSUPP`; callers such as `tempfile` fall back
//!   to a named file), `renameat2`'s `RENAME_EXCHANGE` and `RENAME_WHITEOUT` (`EINVAL`).
//! - A symbolic link's own times are not kept: `touch -h` succeeds and changes nothing; a
//!   link reports the time it was made.
//! - With [`Semantics::Locked`](dmemfs_core::Semantics::Locked), a file that an API handle
//!   holds gives other processes `EAGAIN` at once (a FUSE request never waits for a lock);
//!   a file a process has open can be removed or renamed by another process, and the first
//!   one's next `read(2)` or `write(2)` then fails (`ENOENT` or `ESTALE`; the mount holds no
//!   D-MemFS lock between requests); tmpfs, like `Semantics::Posix`, lets it go on.
//! - At unmount, [`Unmounted::Detached`] lists the processes holding files open; a process
//!   whose working directory is inside the mount also keeps it busy but is not listed.
//!
//! Requirements: Linux, a readable and writable `/dev/fuse`, and root or the setuid
//! `fusermount3` (package `fuse3`). Docker needs `--device /dev/fuse --cap-add SYS_ADMIN`.
//! [`available`] says whether and why not; on other systems this crate builds, and every
//! mount reports `Unsupported`.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
// Every dependency is used (the library itself; tests and examples have their own).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod options;
mod report;
mod skip;

pub use options::{Cache, MountOptions};
pub use report::{Holder, ServeStats, Unavailable, Unmounted};
pub use skip::{REQUIRE_FUSE_ENV, can_mount_or_skip};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::{Mount, available, mount, mount_at, mounts, pin, sweep_stale};

#[cfg(not(target_os = "linux"))]
mod other;
#[cfg(not(target_os = "linux"))]
pub use other::{Mount, available, mount, mount_at, mounts, pin, sweep_stale};
