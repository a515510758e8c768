//! Hard links: several names for one file.

use std::io;
use std::sync::Arc;

use super::MemFs;
use crate::engine::Node;
use crate::error::{Op, Reason, fail2};

impl MemFs {
    /// Gives the file at `original` a second name, `link`: both names are the same file
    /// (one inode, one set of bytes charged once to the quota), which lives until its last
    /// name is removed and its last handle dropped. [`Metadata::nlink`](crate::Metadata::nlink)
    /// counts the names.
    ///
    /// This corresponds to [`std::fs::hard_link`].
    ///
    /// # Errors
    /// `NotFound` (`original` or `link`'s parent missing), `AlreadyExists` (`link` exists),
    /// `PermissionDenied` (`original` is a directory, as `EPERM` on Linux), `NotADirectory`,
    /// `InvalidInput`.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::with_quota(100);
    /// fs.write("/a", "shared")?;
    /// fs.hard_link("/a", "/b")?;
    /// fs.append("/b", "!")?;
    /// assert_eq!(fs.read_to_string("/a")?, "shared!");
    /// assert_eq!(fs.metadata("/a")?.nlink(), 2);
    /// assert_eq!(fs.stats().used, 7); // one file, charged once
    /// fs.remove_file("/a")?;
    /// assert_eq!(fs.read_to_string("/b")?, "shared!");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn hard_link(&self, original: impl AsRef<str>, link: impl AsRef<str>) -> io::Result<()> {
        let (raw_from, raw_to) = (original.as_ref(), link.as_ref());
        let fail = |reason| fail2(Op::HardLink, raw_from, raw_to, reason);
        let (from, to) = self.normalize_pair(Op::HardLink, raw_from, raw_to)?;
        self.intercept(Op::HardLink, &from, Some(&to), None)
            .map_err(fail)?;
        self.link_normalized(&from, &to).map_err(fail)
    }

    fn link_normalized(&self, from: &str, to: &str) -> Result<(), Reason> {
        let mut tree = self.inner.tree.write();
        // As Linux: the original is resolved first, then the new name.
        let file = match tree.get(from) {
            None => return Err(tree.miss(from).into_reason()),
            Some(Node::Dir(_)) => return Err(Reason::LinkToDirectory),
            Some(Node::File(file)) => Arc::clone(file),
        };
        if to == "/" || tree.get(to).is_some() {
            return Err(Reason::AlreadyExists);
        }
        tree.check_parent(to)?;
        tree.insert(to, Node::File(Arc::clone(&file)));
        // The link count is part of the file's status.
        let now = self.inner.now();
        file.data.write().attrs.change(now);
        Ok(())
    }
}
