//! Changing an open file's attributes: permissions and times, as `std::fs::File` does.

use std::io;
use std::time::SystemTime;

use super::MemFile;
use crate::attrs::{FileTimes, Permissions};
use crate::error::Op;

impl MemFile {
    /// Sets the file's permission bits (stored and reported, not enforced). Any handle may,
    /// a read-only one included, as `fchmod(2)` on Linux.
    ///
    /// This corresponds to [`std::fs::File::set_permissions`].
    ///
    /// ```
    /// use dmemfs_core::{MemFs, Permissions};
    /// let fs = MemFs::new();
    /// let file = fs.create("/tool.sh")?;
    /// file.set_permissions(Permissions::from_mode(0o755))?;
    /// assert_eq!(file.metadata()?.mode(), 0o100755);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        self.intercept(Op::SetPermissions, None)?;
        let now = self.inner.now();
        self.held.node.data.write().attrs.set_mode(perm.mode(), now);
        Ok(())
    }

    /// Sets the access and modification times given (those not set stay); the status change
    /// time becomes now.
    ///
    /// This corresponds to [`std::fs::File::set_times`].
    ///
    /// ```
    /// use dmemfs_core::{FileTimes, MemFs};
    /// use std::time::SystemTime;
    /// let fs = MemFs::new();
    /// let file = fs.create("/a")?;
    /// file.set_times(FileTimes::new().set_accessed(SystemTime::UNIX_EPOCH))?;
    /// assert_eq!(file.metadata()?.accessed()?, SystemTime::UNIX_EPOCH);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_times(&self, times: FileTimes) -> io::Result<()> {
        self.intercept(Op::SetTimes, None)?;
        let now = self.inner.now();
        self.held
            .node
            .data
            .write()
            .attrs
            .set_times(times.accessed, times.modified, now);
        Ok(())
    }

    /// Sets the modification time.
    ///
    /// This corresponds to [`std::fs::File::set_modified`].
    ///
    /// ```
    /// use std::time::SystemTime;
    /// let fs = dmemfs_core::MemFs::new();
    /// let file = fs.create("/a")?;
    /// file.set_modified(SystemTime::UNIX_EPOCH)?;
    /// assert_eq!(file.metadata()?.modified()?, SystemTime::UNIX_EPOCH);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_modified(&self, time: SystemTime) -> io::Result<()> {
        self.set_times(FileTimes::new().set_modified(time))
    }
}
