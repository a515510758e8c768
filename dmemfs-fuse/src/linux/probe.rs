//! Whether FUSE mounts can work here, and why not.

use std::io;
use std::path::Path;
use std::sync::OnceLock;

use dmemfs_core::MemFs;

use crate::{MountOptions, Unavailable};

/// Whether a `MemFs` can be mounted here: checked once per process by mounting an empty one.
/// The error says why not (no `/dev/fuse`, no permission to open it, no `fusermount3` for a
/// user who is not root, a kernel or container that refuses the mount).
///
/// # Errors
/// [`Unavailable`], with the reason.
///
/// ```
/// match dmemfs_fuse::available() {
///     Ok(()) => println!("FUSE works here"),
///     Err(why) => println!("{why}"),
/// }
/// ```
pub fn available() -> Result<(), Unavailable> {
    static PROBE: OnceLock<Result<(), Unavailable>> = OnceLock::new();
    PROBE.get_or_init(probe).clone()
}

fn probe() -> Result<(), Unavailable> {
    let device = Path::new("/dev/fuse");
    if !device.exists() {
        return Err(Unavailable::new(
            "/dev/fuse does not exist (in Docker, run with --device /dev/fuse --cap-add SYS_ADMIN)",
        ));
    }
    if let Err(err) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(device)
    {
        return Err(Unavailable::new(format!("/dev/fuse: {err}{}", hint(&err))));
    }
    let fs = MemFs::new();
    let mount = crate::mount(&fs, &MountOptions::new().name("probe"))
        .map_err(|err| Unavailable::new(err.to_string()))?;
    let visible = std::fs::metadata(mount.path()).map_err(|err| Unavailable::new(err.to_string()));
    drop(mount);
    visible.map(drop)
}

/// Advice for a mount failure, after its message.
pub(super) fn hint(err: &io::Error) -> &'static str {
    let root = rustix::process::geteuid().is_root();
    match err.kind() {
        io::ErrorKind::PermissionDenied if !root => {
            "; run as root, or install the setuid `fusermount3` (Debian/Ubuntu package fuse3) \
             with /dev/fuse readable and writable by this user"
        }
        io::ErrorKind::NotFound if !root => {
            "; mounting without root needs the setuid `fusermount3` (Debian/Ubuntu package fuse3); \
             set FUSERMOUNT_PATH if it is not on PATH"
        }
        io::ErrorKind::PermissionDenied => {
            "; in a container, run with --device /dev/fuse --cap-add SYS_ADMIN"
        }
        _ => "",
    }
}
