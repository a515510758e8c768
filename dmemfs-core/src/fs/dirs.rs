//! Directory operations: create, remove, list.

use std::io;

use super::MemFs;
use crate::engine::{Node, Tree};
use crate::error::{Op, PathError, Reason, fail};
use crate::metadata::{DirEntry, Metadata, ReadDir};
use crate::path::ancestors_below_root;

impl MemFs {
    /// Creates one directory; its parent must exist.
    ///
    /// This corresponds to [`std::fs::create_dir`].
    ///
    /// # Errors
    /// `AlreadyExists` (anything at the path), `NotFound` (parent missing), `NotADirectory`
    /// (a file in the path), `QuotaExceeded` (node limit), `InvalidInput` (invalid path or
    /// the root).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir("/a")?;
    /// assert_eq!(fs.create_dir("/a").unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
    /// assert_eq!(fs.create_dir("/x/y").unwrap_err().kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create_dir(&self, path: impl AsRef<str>) -> io::Result<()> {
        let raw = path.as_ref();
        let path = self.resolve(Op::CreateDir, raw, false)?;
        self.intercept(Op::CreateDir, &path, None, None)
            .map_err(|r| fail(Op::CreateDir, raw, r))?;
        let result = (|| {
            if path == "/" {
                return Err(Reason::InvalidPath(PathError::RootHasNoName));
            }
            let mut tree = self.inner.tree.write();
            if tree.get(&path).is_some() {
                return Err(Reason::AlreadyExists);
            }
            tree.check_parent(&path)?;
            self.inner.check_nodes(&tree, 1)?;
            tree.insert_dir(&path);
            Ok(())
        })();
        result.map_err(|reason| fail(Op::CreateDir, raw, reason))
    }

    /// Creates a directory and any missing parents; succeeds if it already exists.
    ///
    /// This corresponds to [`std::fs::create_dir_all`]. Unlike D-MemFS's `mkdir`, it is
    /// atomic under a node limit: either every missing directory is created or none is.
    ///
    /// # Errors
    /// `AlreadyExists` if a file is at the path, `NotADirectory` if a file is in the middle
    /// of it, `QuotaExceeded` (node limit), `InvalidInput` (invalid path).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/b/c")?;
    /// fs.create_dir_all("/a/b/c")?;
    /// assert!(fs.is_dir("/a/b"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create_dir_all(&self, path: impl AsRef<str>) -> io::Result<()> {
        let raw = path.as_ref();
        let path = self.resolve_for_creation(Op::CreateDirAll, raw)?;
        self.intercept(Op::CreateDirAll, &path, None, None)
            .map_err(|r| fail(Op::CreateDirAll, raw, r))?;
        let mut tree = self.inner.tree.write();
        self.create_dirs(&mut tree, &path)
            .map_err(|reason| fail(Op::CreateDirAll, raw, reason))
    }

    /// Creates `path` and its missing ancestors as directories, all or nothing.
    pub(crate) fn create_dirs(&self, tree: &mut Tree, path: &str) -> Result<(), Reason> {
        let missing = missing_dirs(tree, path)?;
        self.inner.check_nodes(tree, missing.len() as u64)?;
        for dir in missing {
            tree.insert_dir(dir);
        }
        Ok(())
    }

    /// Removes an empty directory.
    ///
    /// This corresponds to [`std::fs::remove_dir`].
    ///
    /// # Errors
    /// `DirectoryNotEmpty`, `NotFound`, `NotADirectory` (a file), `InvalidInput` (invalid
    /// path or the root).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// assert_eq!(fs.remove_dir("/a").unwrap_err().kind(), std::io::ErrorKind::DirectoryNotEmpty);
    /// fs.remove_dir("/a/b")?;
    /// fs.remove_dir("/a")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn remove_dir(&self, path: impl AsRef<str>) -> io::Result<()> {
        let raw = path.as_ref();
        let path = self.resolve(Op::RemoveDir, raw, false)?;
        self.intercept(Op::RemoveDir, &path, None, None)
            .map_err(|r| fail(Op::RemoveDir, raw, r))?;
        let result = (|| {
            if path == "/" {
                return Err(Reason::InvalidPath(PathError::RootNotRemovable));
            }
            let mut tree = self.inner.tree.write();
            match tree.get(&path) {
                None => return Err(tree.miss(&path).into_reason()),
                Some(Node::File(_) | Node::Symlink(_)) => return Err(Reason::NotADirectory),
                Some(Node::Dir(dir)) if !dir.is_empty() => {
                    return Err(Reason::DirectoryNotEmpty);
                }
                Some(Node::Dir(_)) => {}
            }
            tree.remove(&path);
            Ok(())
        })();
        result.map_err(|reason| fail(Op::RemoveDir, raw, reason))
    }

    /// Removes a directory and everything below it, giving the bytes back to the quota.
    ///
    /// This corresponds to [`std::fs::remove_dir_all`]. If any file below is open, nothing is
    /// removed.
    ///
    /// # Errors
    /// `ResourceBusy` (an open file inside), `NotFound`, `NotADirectory` (a file),
    /// `InvalidInput` (invalid path or the root).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/build/out")?;
    /// fs.write("/build/out/app", [0; 100])?;
    /// fs.remove_dir_all("/build")?;
    /// assert!(!fs.exists("/build"));
    /// assert_eq!(fs.stats().used, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn remove_dir_all(&self, path: impl AsRef<str>) -> io::Result<()> {
        let raw = path.as_ref();
        let path = self.resolve(Op::RemoveDirAll, raw, false)?;
        self.intercept(Op::RemoveDirAll, &path, None, None)
            .map_err(|r| fail(Op::RemoveDirAll, raw, r))?;
        let result = (|| {
            if path == "/" {
                return Err(Reason::InvalidPath(PathError::RootNotRemovable));
            }
            let mut tree = self.inner.tree.write();
            match tree.get(&path) {
                None => return Err(tree.miss(&path).into_reason()),
                Some(Node::File(_)) => return Err(Reason::NotADirectory),
                // As `std`: a link is removed, not followed.
                Some(Node::Symlink(_)) => {
                    tree.remove(&path);
                    return Ok(());
                }
                Some(Node::Dir(_)) => {}
            }
            self.inner.busy_within(&tree, &path)?;
            self.inner.release(tree.remove_subtree(&path));
            Ok(())
        })();
        result.map_err(|reason| fail(Op::RemoveDirAll, raw, reason))
    }

    /// Lists a directory, sorted by name.
    ///
    /// This corresponds to [`std::fs::read_dir`]; the listing is a snapshot, with each
    /// entry's metadata.
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory`, `InvalidInput` (invalid path).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/b.txt", "")?;
    /// fs.create_dir("/a")?;
    /// let names: Vec<String> = fs
    ///     .read_dir("/")?
    ///     .map(|e| e.map(|e| e.file_name().to_owned()))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(names, ["a", "b.txt"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_dir(&self, path: impl AsRef<str>) -> io::Result<ReadDir> {
        let raw = path.as_ref();
        let given = self.normalize(Op::ReadDir, raw)?;
        let path = self
            .resolve_normalized(given.clone(), true)
            .map_err(|r| fail(Op::ReadDir, raw, r))?;
        self.intercept(Op::ReadDir, &path, None, None)
            .map_err(|r| fail(Op::ReadDir, raw, r))?;
        let tree = self.inner.tree.read();
        let mut entries = list(&tree, &path, 1).map_err(|reason| fail(Op::ReadDir, raw, reason))?;
        if given != path {
            // Listed through a link: entries are named under the path given, as `std` names
            // them.
            for entry in &mut entries {
                entry.rebase(&path, &given);
            }
        }
        Ok(ReadDir::new(entries))
    }
}

/// The entries of the directory `path`, sorted, each at `depth`.
pub(crate) fn list(tree: &Tree, path: &str, depth: usize) -> Result<Vec<DirEntry>, Reason> {
    let dir = match tree.get(path) {
        None => return Err(tree.miss(path).into_reason()),
        Some(Node::File(_)) => return Err(Reason::NotADirectory),
        Some(Node::Symlink(_)) => return Err(Reason::UnexpectedLink { path: path.into() }),
        Some(Node::Dir(dir)) => dir,
    };
    Ok(tree
        .sorted_paths(dir)
        .into_iter()
        .filter_map(|child| {
            let metadata = Metadata::of(tree.get(child)?);
            Some(DirEntry::new(child.to_owned(), metadata, depth))
        })
        .collect())
}

/// The directories `create_dirs` would have to create for `path`, parents first.
fn missing_dirs<'p>(tree: &Tree, path: &'p str) -> Result<Vec<&'p str>, Reason> {
    let last = (path != "/").then_some(path);
    match tree.missing_dirs(ancestors_below_root(path).chain(last), |_| false) {
        Ok(missing) => Ok(missing),
        // As `mkdir -p`: a link to a directory is one, anything else is in the way.
        Err(dir) if dir == path => match tree.get(path) {
            Some(Node::Symlink(_))
                if tree
                    .resolve(path, true)
                    .is_ok_and(|to| tree.dir(&to).is_some()) =>
            {
                Ok(Vec::new())
            }
            _ => Err(Reason::AlreadyExists),
        },
        Err(dir) => Err(Reason::ComponentNotADirectory {
            component: dir.to_owned(),
        }),
    }
}
