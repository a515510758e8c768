//! Moving and copying: `rename`, `move_path`, `copy`, `copy_dir_all`.

use std::io;
use std::sync::Arc;

use super::contents::{Created, NewFile};
use super::{Lookup, MemFs};
use crate::engine::batch::{self, Batch, BatchFile, Existing};
use crate::engine::{Miss, Node, Tree};
use crate::error::{ArgError, Op, PathError, Reason, fail2};
use crate::lock::Access;
use crate::path::{PATH_MAX, ancestors_below_root, is_strictly_below, rebase};
use crate::precedence;

impl MemFs {
    /// Renames a file or directory, replacing the destination as `std::fs::rename` does.
    ///
    /// This corresponds to [`std::fs::rename`] on Linux: a file replaces a file, a directory
    /// replaces an empty directory, and renaming a path onto itself does nothing. Unlike the
    /// kernel, an open file (or a directory holding one) cannot be renamed or replaced.
    /// Contents, timestamps and generation travel with the node.
    ///
    /// # Errors
    /// - `NotFound`: the source or the destination's parent is missing;
    /// - `IsADirectory`: a file onto a directory; `NotADirectory`: a directory onto a file,
    ///   or a file in the middle of either path;
    /// - `DirectoryNotEmpty`: a directory onto a non-empty directory;
    /// - `InvalidInput`: a directory into itself, the root, an invalid path;
    /// - `ResourceBusy`: an open file is involved.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/draft.txt", "v2")?;
    /// fs.write("/final.txt", "v1")?;
    /// fs.rename("/draft.txt", "/final.txt")?;
    /// assert_eq!(fs.read_to_string("/final.txt")?, "v2");
    /// assert!(!fs.exists("/draft.txt"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn rename(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<()> {
        let (raw_from, raw_to) = (from.as_ref(), to.as_ref());
        let fail = |reason| fail2(Op::Rename, raw_from, raw_to, reason);
        let (from, to) = self.resolve_pair(Op::Rename, (raw_from, false), (raw_to, false))?;
        self.intercept(Op::Rename, &from, Some(&to), None)
            .map_err(fail)?;
        self.rename_normalized(&from, &to).map_err(fail)
    }

    fn rename_normalized(&self, from: &str, to: &str) -> Result<(), Reason> {
        if from == "/" || to == "/" {
            return Err(Reason::InvalidPath(PathError::RootImmovable));
        }
        let mut tree = self.inner.tree.write();
        // As Linux: both parent directories are resolved before the source's name is looked
        // up, so a bad destination parent wins over a missing source.
        tree.check_parent(from)?;
        tree.check_parent(to)?;
        let source_is_dir = match tree.get(from) {
            None => return Err(Reason::NotFound),
            Some(node) => node.is_dir(),
        };
        if from == to {
            return Ok(());
        }
        // Two names of one file: as POSIX, nothing happens.
        if let (Some(Node::File(a)), Some(Node::File(b))) = (tree.get(from), tree.get(to))
            && Arc::ptr_eq(a, b)
        {
            return Ok(());
        }
        if source_is_dir && is_strictly_below(to, from) {
            return Err(Reason::InvalidArgument(ArgError::IntoItself));
        }
        // Onto one of its own ancestors: that directory holds the source, so it is not empty
        // (Linux checks this before the types).
        if is_strictly_below(from, to) {
            return Err(Reason::DirectoryNotEmpty);
        }
        match (source_is_dir, tree.get(to)) {
            (_, None) => {}
            (false, Some(Node::Dir(_))) => return Err(Reason::IsADirectory),
            (true, Some(Node::File(_) | Node::Symlink(_))) => return Err(Reason::NotADirectory),
            (true, Some(Node::Dir(dir))) if !dir.is_empty() => {
                return Err(Reason::DirectoryNotEmpty);
            }
            (false, Some(Node::File(_))) => self.inner.busy_within(&tree, to)?,
            (_, Some(_)) => {}
        }
        self.inner.busy_within(&tree, from)?;
        check_rebased_length(&tree, from, to)?;
        let freed = if tree.get(to).is_some() {
            tree.remove_subtree(to)
        } else {
            0
        };
        tree.move_node(from, to);
        // Released under the tree lock, so no concurrent growth is counted on top of it.
        self.inner.release(freed);
        Ok(())
    }

    /// Moves a file or directory to a new path, creating the destination's missing parents
    /// and never replacing anything (D-MemFS's `move`).
    ///
    /// Atomic: under a node limit, either the parents are created and the node moved, or
    /// nothing changes.
    ///
    /// # Errors
    /// `AlreadyExists` (anything at the destination, including the source itself),
    /// `NotFound` (source), `NotADirectory` (a file among the destination's parents),
    /// `InvalidInput` (a directory into itself, the root, an invalid path), `ResourceBusy`
    /// (an open file is involved), `QuotaExceeded` (node limit for the new parents).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/inbox/mail.eml", "hi").or_else(|_| {
    ///     fs.create_dir("/inbox")?;
    ///     fs.write("/inbox/mail.eml", "hi")
    /// })?;
    /// fs.move_path("/inbox/mail.eml", "/archive/2026/mail.eml")?;
    /// assert!(fs.is_file("/archive/2026/mail.eml"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn move_path(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<()> {
        let (raw_from, raw_to) = (from.as_ref(), to.as_ref());
        let fail = |reason| fail2(Op::Move, raw_from, raw_to, reason);
        self.resolve_for_creation(Op::Move, raw_to).map_err(|err| {
            match crate::error::FsError::from_io(&err) {
                Some(inner) => fail(inner.reason().clone()),
                None => err,
            }
        })?;
        let (from, to) = self.resolve_pair(Op::Move, (raw_from, false), (raw_to, false))?;
        self.intercept(Op::Move, &from, Some(&to), None)
            .map_err(fail)?;
        self.move_normalized(&from, &to).map_err(fail)
    }

    fn move_normalized(&self, from: &str, to: &str) -> Result<(), Reason> {
        if from == "/" || to == "/" {
            return Err(Reason::InvalidPath(PathError::RootImmovable));
        }
        let mut tree = self.inner.tree.write();
        let source_is_dir = match tree.get(from) {
            None => return Err(tree.miss(from).into_reason()),
            Some(node) => node.is_dir(),
        };
        if source_is_dir && is_strictly_below(to, from) {
            return Err(Reason::InvalidArgument(ArgError::IntoItself));
        }
        if tree.get(to).is_some() {
            return Err(Reason::AlreadyExists);
        }
        let missing = tree
            .missing_dirs(ancestors_below_root(to), |_| false)
            .map_err(|dir| Reason::ComponentNotADirectory {
                component: dir.into(),
            })?;
        self.inner.busy_within(&tree, from)?;
        check_rebased_length(&tree, from, to)?;
        self.inner.check_nodes(&tree, missing.len() as u64)?;
        for dir in missing {
            tree.insert_dir(dir);
        }
        tree.move_node(from, to);
        Ok(())
    }

    /// Copies a file's contents to another file, creating or replacing it; returns the
    /// number of bytes copied.
    ///
    /// This corresponds to [`std::fs::copy`], but is atomic: when the copy does not fit the
    /// quota, the destination keeps its old contents. Copying a file onto itself is refused: on
    /// Linux it would truncate the file to nothing.
    ///
    /// Metadata follows D-MemFS: a new destination has fresh timestamps and generation 1
    /// (0 for an empty source); a replaced destination keeps its creation time and counts the
    /// copy as a truncation and a write, like [`write`](Self::write).
    ///
    /// # Errors
    /// `NotFound` (source, or destination's parent), `IsADirectory` (either is a directory),
    /// `NotADirectory`, `StorageFull` (quota), `QuotaExceeded` (node limit), `WouldBlock`
    /// (lock timeout on either file), `InvalidInput` (same file, invalid paths, the root).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a.txt", "data")?;
    /// assert_eq!(fs.copy("/a.txt", "/b.txt")?, 4);
    /// assert_eq!(fs.read("/b.txt")?, b"data");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn copy(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<u64> {
        let (raw_from, raw_to) = (from.as_ref(), to.as_ref());
        let fail = |reason| fail2(Op::Copy, raw_from, raw_to, reason);
        let (from, to) = self.resolve_pair(Op::Copy, (raw_from, true), (raw_to, true))?;
        self.intercept(Op::Copy, &from, Some(&to), None)
            .map_err(fail)?;
        self.copy_normalized(&from, &to).map_err(fail)
    }

    fn copy_normalized(&self, from: &str, to: &str) -> Result<u64, Reason> {
        if to == "/" {
            return Err(Reason::InvalidPath(PathError::RootNotAFile));
        }
        if from == to {
            let tree = self.inner.tree.read();
            return Err(match tree.get(from) {
                None => tree.miss(from).into_reason(),
                Some(Node::Dir(_)) => Reason::IsADirectory,
                Some(Node::Symlink(_)) => Reason::UnexpectedLink { path: from.into() },
                Some(Node::File(_)) => Reason::InvalidArgument(ArgError::SameFile),
            });
        }
        let inner = &self.inner;
        let mut wait = self.wait();
        loop {
            let source = inner.lock_existing(from, Access::Shared, &mut wait)?;
            // Never wait for the destination while holding the source: try it, and if it is
            // busy, let go of the source, wait for the destination alone, and start over.
            let destination = {
                let tree = inner.tree.read();
                match tree.get(to) {
                    Some(Node::File(node)) if Arc::ptr_eq(node, &source.node) => {
                        // Two names of one file (a hard link): as `cp`, refuse rather than
                        // truncate.
                        return Err(Reason::InvalidArgument(ArgError::SameFile));
                    }
                    Some(Node::Dir(_)) => return Err(Reason::IsADirectory),
                    Some(Node::Symlink(_)) => {
                        return Err(Reason::UnexpectedLink { path: to.into() });
                    }
                    Some(Node::File(node))
                        if let Some(held) = inner.try_hold(node, Access::Exclusive) =>
                    {
                        Some(held)
                    }
                    Some(Node::File(_)) => {
                        drop(tree);
                        drop(source);
                        if let Lookup::File(held, _) =
                            inner.lock_file(to, Access::Exclusive, &mut wait)?
                        {
                            drop(held);
                        }
                        continue;
                    }
                    None => {
                        let miss = tree.miss(to);
                        if miss != Miss::Leaf {
                            return Err(miss.into_parent_reason(to));
                        }
                        None
                    }
                }
            };
            // Measured for the quota, copied after it is charged (a writer may change the length
            // in between in POSIX mode: what is copied is what is settled and reported).
            // As `std::fs::copy`, the copy gets the source's permission bits.
            let (len, mode) = {
                let data = source.node.data.read();
                (data.storage.len(), data.attrs.mode)
            };
            let mut copied = len;
            let copy = || {
                let data = source.node.data.read();
                copied = data.storage.len();
                data.storage
                    .try_clone()
                    .map_err(|_| Reason::AllocationFailed(copied))
            };
            let done = match destination {
                Some(destination) => inner
                    .replace_contents(&destination, len, Some(mode), copy)
                    .map(|()| true)?,
                None => {
                    let new = NewFile {
                        changed: len > 0,
                        mode: Some(mode),
                        hold: None,
                    };
                    matches!(inner.create_with(to, len, new, copy)?, Created::New(_))
                }
            };
            if done {
                return Ok(copied);
            }
            // Created meanwhile: start over and replace it.
        }
    }

    /// Copies a directory and everything below it to a new path (D-MemFS's `copy_tree`).
    ///
    /// The destination must not exist; its parent must. All or nothing: the quota and the
    /// node limit are checked before anything is created. Copies are new files (generation 0,
    /// fresh timestamps). The source is read file by file, each under its lock, so a file
    /// being written is waited for (up to the lock timeout); files added to the source while
    /// it is copied may or may not be included. Copying a directory into itself copies what
    /// it held before the copy began.
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (source is a file), `AlreadyExists` (destination),
    /// `StorageFull`, `QuotaExceeded` (node limit), `WouldBlock`, `InvalidInput`.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/src/sub")?;
    /// fs.write("/src/sub/a.txt", "a")?;
    /// fs.copy_dir_all("/src", "/backup")?;
    /// assert_eq!(fs.read("/backup/sub/a.txt")?, b"a");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn copy_dir_all(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<()> {
        let (raw_from, raw_to) = (from.as_ref(), to.as_ref());
        let fail = |reason| fail2(Op::CopyDirAll, raw_from, raw_to, reason);
        let (from, to) = self.resolve_pair(Op::CopyDirAll, (raw_from, true), (raw_to, false))?;
        self.intercept(Op::CopyDirAll, &from, Some(&to), None)
            .map_err(fail)?;
        self.copy_dir_normalized(&from, &to).map_err(fail)
    }

    fn copy_dir_normalized(&self, from: &str, to: &str) -> Result<(), Reason> {
        let inner = &self.inner;
        // A snapshot of the source: what to create, and the files to copy from.
        let mut batch = Batch {
            fresh_dir: Some(to.to_owned()),
            ..Batch::default()
        };
        let mut sources = Vec::new();
        let mut total = 0u64;
        {
            let tree = inner.tree.read();
            let source_is_dir = match tree.get(from) {
                None => Err(tree.miss(from).into_reason()),
                Some(node) => Ok(matches!(node, Node::Dir(_))),
            };
            // The batch checks the destination again, against changes made meanwhile.
            precedence::copy_dir_all(source_is_dir, to, || tree.get(to).is_some())?;
            check_rebased_length(&tree, from, to)?;
            for path in tree.descendants(from) {
                let copy = rebase(&path, from, to);
                match tree.get(&path) {
                    Some(Node::Dir(_)) => {
                        batch.dirs.insert(copy);
                    }
                    // Copied as links, as `cp -R` does.
                    Some(Node::Symlink(link)) => batch.links.push((copy, link.target.clone())),
                    Some(Node::File(node)) => {
                        total = total.saturating_add(node.data.read().storage.len());
                        sources.push((copy, Arc::clone(node)));
                    }
                    None => {}
                }
            }
        }
        sources.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        batch.files = sources
            .iter()
            .map(|(path, _)| BatchFile::new(path.clone(), path.clone(), Existing::Refuse))
            .collect();
        // Each file is copied under its read lock (in locked mode), with no tree lock held.
        let build = || {
            let mut wait = self.wait();
            let mut copies = Vec::with_capacity(sources.len());
            for (_, node) in sources {
                let held = inner.hold_waiting(node, Access::Shared, &mut wait)?;
                let data = held.node.data.read();
                let copy = data
                    .storage
                    .try_clone()
                    .map_err(|_| Reason::AllocationFailed(data.storage.len()))?;
                copies.push(inner.contents(copy));
            }
            Ok(copies)
        };
        batch::commit(&inner.tree, &inner.ledger, &batch, total, build)
            .map(drop)
            .map_err(|err| err.reason)
    }
}

/// Refuses a move or copy that would give some node a path of [`PATH_MAX`] bytes or more:
/// such a node could no longer be named.
fn check_rebased_length(tree: &Tree, from: &str, to: &str) -> Result<(), Reason> {
    let below = tree.longest_path_within(from) - from.len();
    if to.len() + below >= PATH_MAX {
        Err(Reason::NameTooLong)
    } else {
        Ok(())
    }
}
