//! The attributes a caller sets on a node: [`Permissions`] and [`FileTimes`].

use std::time::SystemTime;

/// Permission bits of a file or directory.
///
/// This corresponds to [`std::fs::Permissions`] with `std::os::unix::fs::PermissionsExt`:
/// [`mode`](Self::mode) as read from metadata includes the file type bits, and only the low
/// twelve bits (permissions, setuid, setgid, sticky) are applied by
/// [`MemFs::set_permissions`](crate::MemFs::set_permissions).
///
/// ```
/// use dmemfs_core::{MemFs, Permissions};
/// let fs = MemFs::new();
/// fs.write("/run.sh", "#!/bin/sh\n")?;
/// fs.set_permissions("/run.sh", Permissions::from_mode(0o755))?;
/// assert_eq!(fs.metadata("/run.sh")?.permissions().mode() & 0o777, 0o755);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Permissions {
    mode: u32,
}

impl Permissions {
    /// Permissions with the given mode bits.
    ///
    /// This corresponds to `std::os::unix::fs::PermissionsExt::from_mode`.
    ///
    /// ```
    /// assert_eq!(dmemfs_core::Permissions::from_mode(0o600).mode(), 0o600);
    /// ```
    pub fn from_mode(mode: u32) -> Permissions {
        Permissions { mode }
    }

    /// The mode bits.
    ///
    /// This corresponds to `std::os::unix::fs::PermissionsExt::mode`.
    ///
    /// ```
    /// assert_eq!(dmemfs_core::Permissions::from_mode(0o644).mode(), 0o644);
    /// ```
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// Sets the mode bits.
    ///
    /// This corresponds to `std::os::unix::fs::PermissionsExt::set_mode`.
    ///
    /// ```
    /// let mut p = dmemfs_core::Permissions::from_mode(0o644);
    /// p.set_mode(0o600);
    /// assert_eq!(p.mode(), 0o600);
    /// ```
    pub fn set_mode(&mut self, mode: u32) {
        self.mode = mode;
    }

    /// Whether no one may write (no write bit set).
    ///
    /// This corresponds to [`std::fs::Permissions::readonly`].
    ///
    /// ```
    /// assert!(dmemfs_core::Permissions::from_mode(0o444).readonly());
    /// ```
    pub fn readonly(&self) -> bool {
        self.mode & 0o222 == 0
    }

    /// Clears every write bit (`true`) or sets all three (`false`), as `std` does on Unix.
    ///
    /// This corresponds to [`std::fs::Permissions::set_readonly`].
    ///
    /// ```
    /// let mut p = dmemfs_core::Permissions::from_mode(0o644);
    /// p.set_readonly(true);
    /// assert_eq!(p.mode(), 0o444);
    /// ```
    pub fn set_readonly(&mut self, readonly: bool) {
        if readonly {
            self.mode &= !0o222;
        } else {
            self.mode |= 0o222;
        }
    }
}

/// The access and modification times to set with [`MemFs::set_times`](crate::MemFs::set_times)
/// or [`MemFile::set_times`](crate::MemFile::set_times); those not set are left as they are.
///
/// This corresponds to [`std::fs::FileTimes`] (whose values cannot be read back, hence a type
/// of our own).
///
/// ```
/// use dmemfs_core::{FileTimes, MemFs};
/// use std::time::{Duration, SystemTime};
/// let fs = MemFs::new();
/// fs.write("/f", "x")?;
/// let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
/// fs.set_times("/f", FileTimes::new().set_accessed(then).set_modified(then))?;
/// let meta = fs.metadata("/f")?;
/// assert_eq!((meta.accessed()?, meta.modified()?), (then, then));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileTimes {
    pub(crate) accessed: Option<SystemTime>,
    pub(crate) modified: Option<SystemTime>,
}

impl FileTimes {
    /// No times to set.
    ///
    /// This corresponds to [`std::fs::FileTimes::new`].
    ///
    /// ```
    /// assert_eq!(dmemfs_core::FileTimes::new(), Default::default());
    /// ```
    pub fn new() -> FileTimes {
        FileTimes::default()
    }

    /// Sets the access time to set.
    ///
    /// This corresponds to [`std::fs::FileTimes::set_accessed`].
    ///
    /// ```
    /// let times = dmemfs_core::FileTimes::new().set_accessed(std::time::SystemTime::UNIX_EPOCH);
    /// # let _ = times;
    /// ```
    #[must_use]
    pub fn set_accessed(mut self, time: SystemTime) -> FileTimes {
        self.accessed = Some(time);
        self
    }

    /// Sets the modification time to set.
    ///
    /// This corresponds to [`std::fs::FileTimes::set_modified`].
    ///
    /// ```
    /// let times = dmemfs_core::FileTimes::new().set_modified(std::time::SystemTime::UNIX_EPOCH);
    /// # let _ = times;
    /// ```
    #[must_use]
    pub fn set_modified(mut self, time: SystemTime) -> FileTimes {
        self.modified = Some(time);
        self
    }
}
