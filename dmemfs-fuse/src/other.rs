//! Every system but Linux: the API exists, and mounting reports `Unsupported`.

use std::io;
use std::path::{Path, PathBuf};

use dmemfs_core::MemFs;

use crate::{MountOptions, Unavailable, Unmounted};

const WHY: &str = "mounting a MemFs needs Linux FUSE";

fn unsupported() -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, WHY)
}

/// Always `Unsupported` here: mounting needs Linux.
///
/// # Errors
/// Always.
pub fn mount(_fs: &MemFs, _options: &MountOptions) -> io::Result<Mount> {
    Err(unsupported())
}

/// Always `Unsupported` here: mounting needs Linux.
///
/// # Errors
/// Always.
pub fn mount_at(_fs: &MemFs, _dir: impl AsRef<Path>, _options: &MountOptions) -> io::Result<Mount> {
    Err(unsupported())
}

/// Always [`Unavailable`] here: mounting needs Linux.
///
/// # Errors
/// Always.
pub fn available() -> Result<(), Unavailable> {
    Err(Unavailable::new(WHY))
}

/// Nothing to sweep here.
///
/// # Errors
/// Never.
pub fn sweep_stale() -> io::Result<usize> {
    Ok(0)
}

/// No mounts here.
///
/// # Errors
/// Never.
pub fn mounts() -> io::Result<Vec<PathBuf>> {
    Ok(Vec::new())
}

/// A mounted `MemFs` (never made on this system).
#[derive(Debug)]
pub struct Mount {
    dir: PathBuf,
    fs: MemFs,
}

impl Mount {
    /// The host directory of the mount.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The host path of the virtual path `virt`.
    pub fn host_path(&self, virt: &str) -> PathBuf {
        self.dir.join(virt.trim_start_matches('/'))
    }

    /// The mounted filesystem.
    pub fn fs(&self) -> &MemFs {
        &self.fs
    }

    /// Unmounts.
    ///
    /// # Errors
    /// Never.
    pub fn unmount(self) -> io::Result<Unmounted> {
        Ok(Unmounted::Joined)
    }
}

/// Pinning to a CPU: unsupported here.
pub mod pin {
    use std::io;

    /// What [`only`] would restore.
    #[derive(Debug)]
    pub struct Previous(());

    /// Always `Unsupported` here.
    ///
    /// # Errors
    /// Always.
    pub fn only(_cpu: usize) -> io::Result<Previous> {
        Err(io::Error::new(io::ErrorKind::Unsupported, super::WHY))
    }

    /// Does nothing here.
    pub fn restore(_previous: &Previous) {}

    /// CPU 0 only, here.
    pub fn usable_cpus() -> Vec<usize> {
        vec![0]
    }
}
