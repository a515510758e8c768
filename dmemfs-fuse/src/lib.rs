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
//! [`FaultPlan`](dmemfs_core::FaultInjector) as the errno of their kind. With
//! [`Semantics::Posix`](dmemfs_core::Semantics::Posix) open files behave as on tmpfs.
//! Differences from tmpfs: every node belongs to the mounting user (`chown` is accepted and
//! changes nothing); names must be UTF-8; no devices, FIFOs, sockets or extended
//! attributes; a write that does not fit fails whole per FUSE request (up to 1 MiB), so a
//! large `write(2)` may be cut short at a page boundary before `ENOSPC`, as on tmpfs.
//!
//! Requirements: Linux, a readable and writable `/dev/fuse`, and root or the setuid
//! `fusermount3` (package `fuse3`). Docker needs `--device /dev/fuse --cap-add SYS_ADMIN`.
//! [`available`] says whether and why not; on other systems this crate builds, and every
//! mount reports `Unsupported`.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

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
