//! Changing a node's attributes: `set_permissions`, `set_times`, `set_modified`.
//! Stored and reported, never enforced (see [`Permissions`]).

use std::io;
use std::time::SystemTime;

use super::MemFs;
use crate::attrs::{FileTimes, Permissions};
use crate::engine::attrs::Stamp;
use crate::engine::{Attrs, Node};
use crate::error::{Op, Reason, fail};

impl MemFs {
    /// Sets the permission bits of a file or directory (the low twelve bits of the mode).
    /// They are stored and reported, not enforced: this process may read and write every
    /// file, as root may.
    ///
    /// This corresponds to [`std::fs::set_permissions`].
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (a file in the middle of the path), `InvalidInput`.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, Permissions};
    /// let fs = MemFs::new();
    /// fs.write("/key", "secret")?;
    /// fs.set_permissions("/key", Permissions::from_mode(0o600))?;
    /// assert_eq!(fs.metadata("/key")?.mode(), 0o100600);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_permissions(&self, path: impl AsRef<str>, perm: Permissions) -> io::Result<()> {
        self.change_attrs(Op::SetPermissions, path.as_ref(), |attrs, now| {
            attrs.set_mode(perm.mode(), now);
        })
    }

    /// Sets the access and modification times given in `times` (those not set stay), as
    /// `touch -d` or `utimensat(2)`; the status change time becomes now.
    ///
    /// This corresponds to [`std::fs::File::set_times`] on an opened file, by path.
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (a file in the middle of the path), `InvalidInput`.
    ///
    /// ```
    /// use dmemfs_core::{FileTimes, MemFs};
    /// use std::time::{Duration, SystemTime};
    /// let fs = MemFs::new();
    /// fs.write("/old.log", "x")?;
    /// let last_week = SystemTime::now() - Duration::from_secs(7 * 86_400);
    /// fs.set_times("/old.log", FileTimes::new().set_modified(last_week))?;
    /// assert_eq!(fs.metadata("/old.log")?.modified()?, last_week);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_times(&self, path: impl AsRef<str>, times: FileTimes) -> io::Result<()> {
        self.change_attrs(Op::SetTimes, path.as_ref(), |attrs, now| {
            attrs.set_times(times.accessed, times.modified, now);
        })
    }

    /// Sets the modification time, as [`set_times`](Self::set_times) with only that.
    ///
    /// This corresponds to [`std::fs::File::set_modified`] on an opened file, by path.
    ///
    /// # Errors
    /// As [`set_times`](Self::set_times).
    ///
    /// ```
    /// use std::time::SystemTime;
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir("/d")?;
    /// fs.set_modified("/d", SystemTime::UNIX_EPOCH)?;
    /// assert_eq!(fs.metadata("/d")?.modified()?, SystemTime::UNIX_EPOCH);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_modified(&self, path: impl AsRef<str>, time: SystemTime) -> io::Result<()> {
        self.set_times(path, FileTimes::new().set_modified(time))
    }

    /// Applies `change` to the attributes of the node at `raw`, stamped with the clock's now.
    fn change_attrs(
        &self,
        op: Op,
        raw: &str,
        change: impl FnOnce(&mut Attrs, Stamp),
    ) -> io::Result<()> {
        let path = self.resolve(op, raw, true)?;
        self.intercept(op, &path, None, None)
            .map_err(|reason| fail(op, raw, reason))?;
        let now = self.inner.now();
        // A file's attributes live with its contents, under its data lock; a directory's in
        // the tree.
        let mut tree = self.inner.tree.write();
        let file = match tree.get(&path) {
            Some(Node::File(file)) => std::sync::Arc::clone(file),
            Some(Node::Symlink(_)) => {
                let reason = Reason::UnexpectedLink { path: path.into() };
                return Err(fail(op, raw, reason));
            }
            Some(Node::Dir(_)) => {
                if let Some(attrs) = tree.dir_attrs_mut(&path) {
                    change(attrs, now);
                }
                return Ok(());
            }
            None => {
                let reason: Reason = tree.miss(&path).into_reason();
                return Err(fail(op, raw, reason));
            }
        };
        drop(tree);
        change(&mut file.data.write().attrs, now);
        Ok(())
    }
}
