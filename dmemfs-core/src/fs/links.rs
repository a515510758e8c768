//! Links: hard links (several names for one node) and symbolic links.

use std::io;
use std::sync::Arc;

use super::MemFs;
use crate::engine::{Key, Node, SymlinkNode};
use crate::error::{Op, PathError, Reason, fail2};
use crate::metadata::Metadata;
use crate::path::PATH_MAX;

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
        let (from, to) = self.resolve_pair(Op::HardLink, (raw_from, false), (raw_to, false))?;
        self.intercept(Op::HardLink, &from, Some(&to), None)
            .map_err(fail)?;
        self.link_normalized(&from, &to).map_err(fail)
    }

    fn link_normalized(&self, from: &str, to: &str) -> Result<(), Reason> {
        let mut tree = self.inner.tree.write();
        // As Linux: the original is resolved first, then the new name.
        // A symbolic link is linked itself, not followed (as `linkat` without
        // `AT_SYMLINK_FOLLOW`, which `std::fs::hard_link` calls on Linux).
        let node = match tree.get(from) {
            None => return Err(tree.miss(from).into_reason()),
            Some(Node::Dir(_)) => None,
            Some(Node::File(file)) => Some(Node::File(Arc::clone(file))),
            Some(Node::Symlink(link)) => Some(Node::Symlink(Arc::clone(link))),
        };
        // Then the new name, before the type of the original (as `linkat`).
        if to == "/" || tree.get(to).is_some() {
            return Err(Reason::AlreadyExists);
        }
        tree.check_parent(to)?;
        let node = node.ok_or(Reason::LinkToDirectory)?;
        let now = self.inner.now();
        // The link count is part of the node's status.
        match &node {
            Node::File(file) => file.data.write().attrs.change(now),
            Node::Symlink(link) => link.attrs.lock().change(now),
            Node::Dir(_) => {}
        }
        tree.insert(to, node);
        Ok(())
    }
}

impl MemFs {
    /// Creates a symbolic link at `link` pointing to `original`, which need not exist.
    /// Other calls follow it (at most 40 in one path, else `FilesystemLoop`); a relative
    /// `original` is taken from the link's directory. A link costs a node, not quota bytes.
    ///
    /// Paths are normalised before links are resolved, so `..` is lexical: `/link/..` is `/`
    /// whatever `link` points to (Linux would take the parent of the target). A target's own
    /// `..` is resolved from the link's directory, and stops at the root.
    ///
    /// This corresponds to `std::os::unix::fs::symlink`.
    ///
    /// # Errors
    /// `AlreadyExists` (something is at `link`, a broken link included), `NotFound` (its
    /// parent is missing), `QuotaExceeded` (node limit), `InvalidInput` (an empty target or
    /// one with a NUL byte), `InvalidFilename` (a target of [`PATH_MAX`](crate::PATH_MAX)
    /// bytes or more).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/releases/v2")?;
    /// fs.write("/releases/v2/app", "binary")?;
    /// fs.symlink("releases/v2", "/current")?;
    /// assert_eq!(fs.read_to_string("/current/app")?, "binary");
    /// assert_eq!(fs.read_link("/current")?, "releases/v2");
    /// assert!(fs.symlink_metadata("/current")?.file_type().is_symlink());
    /// assert!(fs.metadata("/current")?.is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn symlink(&self, original: impl AsRef<str>, link: impl AsRef<str>) -> io::Result<()> {
        let (target, raw) = (original.as_ref(), link.as_ref());
        let op = Op::Symlink;
        let fail = |reason| fail2(op, target, raw, reason);
        if target.is_empty() {
            return Err(fail(Reason::InvalidPath(PathError::EmptyLinkTarget)));
        }
        if target.contains('\0') {
            return Err(fail(Reason::InvalidPath(PathError::Nul)));
        }
        if target.len() >= PATH_MAX {
            return Err(fail(Reason::NameTooLong));
        }
        let path = self.resolve(op, raw, false)?;
        self.intercept(op, &path, Some(target), None)
            .map_err(fail)?;
        let mut tree = self.inner.tree.write();
        if path == "/" || tree.get(&path).is_some() {
            return Err(fail(Reason::AlreadyExists));
        }
        let key = Key::from(&*path);
        let slot = tree
            .attach(&path, false, |count| self.inner.check_node_count(count, 1))
            .map_err(fail)?;
        let node = SymlinkNode::new(target, self.inner.now());
        tree.index(key, Node::Symlink(node), slot);
        Ok(())
    }

    /// The target of the symbolic link at `path`, as it was given to
    /// [`symlink`](Self::symlink).
    ///
    /// This corresponds to [`std::fs::read_link`].
    ///
    /// # Errors
    /// `NotFound`, `InvalidInput` (not a link, as `EINVAL` on Linux), `NotADirectory`.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.symlink("/nowhere", "/dangling")?;
    /// assert_eq!(fs.read_link("/dangling")?, "/nowhere");
    /// assert!(!fs.exists("/dangling")); // broken: `exists` follows it
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_link(&self, path: impl AsRef<str>) -> io::Result<String> {
        let raw = path.as_ref();
        let op = Op::ReadLink;
        let path = self.resolve(op, raw, false)?;
        self.intercept(op, &path, None, None)
            .map_err(|reason| crate::error::fail(op, raw, reason))?;
        let tree = self.inner.tree.read();
        let reason = match tree.get(&path) {
            Some(Node::Symlink(link)) => return Ok(link.target.to_string()),
            Some(_) => Reason::NotALink,
            None => tree.miss(&path).into_reason(),
        };
        Err(crate::error::fail(op, raw, reason))
    }

    /// The metadata of the node at `path` itself: a symbolic link there is not followed.
    ///
    /// This corresponds to [`std::fs::symlink_metadata`].
    ///
    /// # Errors
    /// As [`metadata`](Self::metadata).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/target", "12345")?;
    /// fs.symlink("/target", "/link")?;
    /// let meta = fs.symlink_metadata("/link")?;
    /// assert!(meta.file_type().is_symlink());
    /// assert_eq!((meta.len(), meta.mode()), (7, 0o120777)); // the target's length
    /// assert_eq!(fs.metadata("/link")?.len(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn symlink_metadata(&self, path: impl AsRef<str>) -> io::Result<Metadata> {
        let raw = path.as_ref();
        let op = Op::Metadata;
        let path = self.resolve(op, raw, false)?;
        self.intercept(op, &path, None, None)
            .map_err(|reason| crate::error::fail(op, raw, reason))?;
        let tree = self.inner.tree.read();
        match tree.get(&path) {
            Some(node) => Ok(Metadata::of(node)),
            None => Err(crate::error::fail(op, raw, tree.miss(&path).into_reason())),
        }
    }
}
