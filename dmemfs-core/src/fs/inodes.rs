//! Addressing nodes by inode number, as a FUSE server does: by number, and by (parent
//! directory's number, name).

use std::io;
use std::sync::Arc;

use super::MemFs;
use crate::engine::{ByIno, NameWatcher, ROOT_INO, Tree};
use crate::error::{Op, PathError, Reason, fail};
use crate::metadata::Metadata;
use crate::path::{NAME_MAX, join, split_parent};

impl MemFs {
    /// The root directory's inode number, 1 (FUSE's `FUSE_ROOT_ID`).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// assert_eq!(fs.metadata("/")?.ino(), dmemfs_core::MemFs::ROOT_INO);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub const ROOT_INO: u64 = ROOT_INO;

    /// The metadata of the node numbered `ino` (see [`Metadata::ino`]), which may be a file
    /// without a name any more that a handle keeps open.
    ///
    /// # Errors
    /// `NotFound` if no node has that number.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a", "xyz")?;
    /// let ino = fs.metadata("/a")?.ino();
    /// assert_eq!(fs.metadata_by_ino(ino)?.len(), 3);
    /// fs.remove_file("/a")?;
    /// assert!(fs.metadata_by_ino(ino).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metadata_by_ino(&self, ino: u64) -> io::Result<Metadata> {
        self.number_files();
        let tree = self.inner.tree.read();
        match tree.by_ino(ino) {
            Some(ByIno::File(file)) => Ok(Metadata::of_file(&file)),
            Some(ByIno::Symlink(link)) => Ok(Metadata::of_symlink(&link)),
            Some(ByIno::Dir(path)) => match tree.get(&path) {
                Some(node) => Ok(Metadata::of(node)),
                None => Err(missing_ino(ino)),
            },
            None => Err(missing_ino(ino)),
        }
    }

    /// Tells `watcher` of every name that stops naming its node from now on (removed,
    /// renamed away, or replaced by another node), for as long as `watcher` is alive
    /// elsewhere: what a cache of names kept outside the filesystem must forget. A FUSE
    /// mount uses it to tell the kernel, so that it may cache names and still see every API
    /// change at once. Names created need no telling. The watcher is called on the thread
    /// that made the change, once no lock of the filesystem is held, before its call returns.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, watch::NameWatcher};
    /// use std::sync::{Arc, Mutex};
    ///
    /// #[derive(Default)]
    /// struct Log(Mutex<Vec<(u64, String)>>);
    /// impl NameWatcher for Log {
    ///     fn name_gone(&self, parent_ino: u64, name: &str) {
    ///         self.0.lock().unwrap().push((parent_ino, name.to_owned()));
    ///     }
    /// }
    ///
    /// let fs = MemFs::new();
    /// let log = Arc::new(Log::default());
    /// let watcher: Arc<dyn NameWatcher> = log.clone();
    /// fs.watch_names(&watcher);
    /// fs.write("/a", "x")?;
    /// fs.rename("/a", "/b")?;
    /// fs.remove_file("/b")?;
    /// assert_eq!(*log.0.lock().unwrap(), [(1, "a".to_owned()), (1, "b".to_owned())]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn watch_names(&self, watcher: &Arc<dyn NameWatcher>) {
        self.inner.tree.watch(watcher);
    }

    /// From now on, no inode number is given twice: a node created later never gets the
    /// number of one removed earlier. A FUSE server needs this, because the kernel (a
    /// process's working directory, an open file) may still name a removed node by its number,
    /// and must then be told it is gone rather than reach the new node. The cost is 8 bytes
    /// of the number table per node ever created, instead of per node alive.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.keep_inode_numbers_unique();
    /// fs.write("/a", "x")?;
    /// let first = fs.metadata("/a")?.ino();
    /// fs.remove_file("/a")?;
    /// fs.write("/b", "y")?;
    /// assert_ne!(fs.metadata("/b")?.ino(), first);
    /// assert!(fs.metadata_by_ino(first).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn keep_inode_numbers_unique(&self) {
        self.inner.ledger.keep_inos_unique();
        // A mount looks files up by number from now on.
        self.number_files();
    }

    /// Makes files findable by number, on the first call that needs it: a filesystem never
    /// asked keeps no inode table for its files (see `Tree::number_files`).
    fn number_files(&self) {
        if !self.inner.tree.read().files_numbered() {
            self.inner.tree.write().number_files();
        }
    }

    /// The path of the directory numbered `ino`: what a FUSE server needs to turn the
    /// kernel's (directory, name) requests into paths. Directories have exactly one name (no
    /// hard links to them), so the number names one path; a file may have several names or
    /// none, so there is no such call for files.
    ///
    /// # Errors
    /// `NotFound` if no directory has that number, `NotADirectory` if the node is a file or a
    /// symbolic link.
    ///
    /// ```
    /// use dmemfs_core::MemFs;
    /// let fs = MemFs::new();
    /// fs.create_dir_all("/a/b")?;
    /// let ino = fs.metadata("/a/b")?.ino();
    /// fs.rename("/a", "/z")?;
    /// assert_eq!(fs.dir_path_by_ino(ino)?, "/z/b");
    /// assert_eq!(fs.dir_path_by_ino(MemFs::ROOT_INO)?, "/");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn dir_path_by_ino(&self, ino: u64) -> io::Result<String> {
        // A file's number must say `NotADirectory`, not `NotFound`.
        self.number_files();
        match self.inner.tree.read().by_ino(ino) {
            Some(ByIno::Dir(path)) => Ok(path.to_string()),
            Some(ByIno::File(_) | ByIno::Symlink(_)) => Err(fail(
                Op::Lookup,
                &format!("inode {ino}"),
                Reason::NotADirectory,
            )),
            None => Err(missing_ino(ino)),
        }
    }

    /// Looks up `name` in the directory numbered `parent`: what a FUSE server answers to
    /// the kernel's `lookup`. `.` and `..` name the directory and its parent.
    ///
    /// # Errors
    /// `NotFound` (no such directory number, or no such name in it), `NotADirectory`
    /// (`parent` is a file), `InvalidInput` (a name with `/` or NUL, or empty). A lookup is a
    /// `stat` of the name: a [`FaultInjector`](crate::fault::FaultInjector) is asked about it as an
    /// [`Op::Metadata`](crate::Op::Metadata) call on the name's path.
    ///
    /// ```
    /// use dmemfs_core::MemFs;
    /// let fs = MemFs::new();
    /// fs.create_dir("/etc")?;
    /// fs.write("/etc/hosts", "127.0.0.1 localhost\n")?;
    /// let etc = fs.lookup(MemFs::ROOT_INO, "etc")?;
    /// let hosts = fs.lookup(etc.ino(), "hosts")?;
    /// assert_eq!(hosts.ino(), fs.metadata("/etc/hosts")?.ino());
    /// assert_eq!(fs.lookup(etc.ino(), "..")?.ino(), MemFs::ROOT_INO);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lookup(&self, parent: u64, name: &str) -> io::Result<Metadata> {
        let op = Op::Lookup;
        if name.is_empty() || name.contains(['/', '\0']) {
            let reason = Reason::InvalidPath(PathError::BadName);
            return Err(fail(op, name, reason));
        }
        if name.len() > NAME_MAX {
            return Err(fail(op, name, Reason::NameTooLong));
        }
        self.number_files();
        if self.faults && self.inner.faults.is_armed() {
            // A lookup is a `stat` of the name: `Op::Metadata` rules apply, asked without
            // the tree's lock (an injector may sleep or call back); the node is found below,
            // by number again, in case the directory moved meanwhile.
            let path = child_path(&self.inner.tree.read(), parent, name)?;
            self.intercept(Op::Metadata, &path, None, None)
                .map_err(|reason| fail(op, &path, reason))?;
        }
        let tree = self.inner.tree.read();
        let path = child_path(&tree, parent, name)?;
        match tree.get(&path) {
            Some(node) => Ok(Metadata::of(node)),
            None => Err(fail(op, &path, Reason::NotFound)),
        }
    }
}

/// The path of `name` in the directory numbered `parent` (`.` and `..` as in a lookup).
fn child_path(tree: &Tree, parent: u64, name: &str) -> io::Result<String> {
    let dir = match tree.by_ino(parent) {
        Some(ByIno::Dir(path)) => path,
        Some(ByIno::File(_) | ByIno::Symlink(_)) => {
            return Err(fail(Op::Lookup, name, Reason::NotADirectory));
        }
        None => return Err(missing_ino(parent)),
    };
    Ok(match name {
        "." => dir.to_string(),
        ".." => split_parent(&dir).map_or("/", |(up, _)| up).to_owned(),
        _ => join(&dir, name),
    })
}

fn missing_ino(ino: u64) -> io::Error {
    fail(Op::Lookup, &format!("inode {ino}"), Reason::NotFound)
}
