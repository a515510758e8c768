//! Whole trees in and out: `export_tree`, `export_iter`, `import_tree`.

use crate::path::Syntax;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::{Inner, MemFs, Wait};
use crate::engine::batch::{self, Batch, BatchError, BatchFile, Existing};
use crate::engine::{FileNode, Node};
use crate::error::{ArgError, Op, PathError, Reason, fail};
use crate::lock::Access;
use crate::storage::Storage;

use zeroize::Zeroizing;

/// The files below a prefix with their contents, from [`MemFs::export_iter`].
///
/// Each item is `(path, contents)`, in pre-order with names sorted. The set of files is taken
/// when the iterator is created; each file is then read under its lock when reached (waiting,
/// up to the lock timeout, for a writer to finish). A file removed or replaced meanwhile is
/// skipped.
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// fs.write("/a.txt", "alpha")?;
/// for file in fs.export_iter("/")? {
///     let (path, contents) = file?;
///     assert_eq!((path.as_str(), contents.as_slice()), ("/a.txt", &b"alpha"[..]));
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ExportIter {
    inner: Arc<Inner>,
    /// The lock timeout of the handle that made the iterator.
    lock_timeout: Option<Duration>,
    files: std::vec::IntoIter<(String, Arc<FileNode>)>,
    only_modified: bool,
}

impl ExportIter {
    /// Keeps only files whose generation is above 0 (D-MemFS's `only_dirty`): files written
    /// to since they were created or imported. Files brought in by
    /// [`import_tree`](MemFs::import_tree) or [`copy_dir_all`](MemFs::copy_dir_all) start at 0
    /// and are left out until changed; a [`copy`](MemFs::copy) counts as a write of its
    /// contents, as in D-MemFS.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.import_tree([("/seed.txt", "from fixture")])?;
    /// fs.write("/new.txt", "produced")?;
    /// let changed: Vec<String> =
    ///     fs.export_iter("/")?.only_modified().map(|f| f.map(|(path, _)| path)).collect::<Result<_, _>>()?;
    /// assert_eq!(changed, ["/new.txt"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn only_modified(mut self) -> ExportIter {
        self.only_modified = true;
        self
    }
}

impl Iterator for ExportIter {
    type Item = io::Result<(String, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (path, node) = self.files.next()?;
            let mut wait = Wait::new(self.lock_timeout);
            let held = match self.inner.hold_waiting(node, Access::Shared, &mut wait) {
                Ok(held) => held,
                Err(reason) => return Some(Err(fail(Op::ExportTree, &path, reason))),
            };
            let still_there = matches!(
                self.inner.tree.read().get(&path),
                Some(Node::File(now)) if Arc::ptr_eq(now, &held.node)
            );
            if !still_there {
                continue;
            }
            let data = held.node.data.read();
            if self.only_modified && data.generation.get() == 0 {
                continue;
            }
            let mut contents = Vec::new();
            if data.storage.read_to_end(0, &mut contents).is_err() {
                let reason = Reason::AllocationFailed(data.storage.len());
                return Some(Err(fail(Op::ExportTree, &path, reason)));
            }
            return Some(Ok((path, contents)));
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.files.len()))
    }
}

/// What [`MemFs::apply_import`] installs: files and (possibly empty) directories.
#[derive(Debug, Default)]
pub(crate) struct ImportPlan {
    /// Normalised path to contents; the raw key is kept for error messages.
    /// Contents are wiped if the plan is dropped without being applied (a failed import must
    /// not leave copies in freed memory); applying moves them out.
    pub(crate) files: BTreeMap<String, (String, Zeroizing<Vec<u8>>)>,
    /// Directories to ensure, normalised.
    pub(crate) dirs: BTreeSet<String>,
    /// The filesystem's path syntax, which the keys are normalised with.
    pub(crate) syntax: Syntax,
}

impl ImportPlan {
    pub(crate) fn add_file(
        &mut self,
        raw: &str,
        contents: Vec<u8>,
    ) -> Result<(), (String, Reason)> {
        let path = crate::path::normalize_in(raw, self.syntax)
            .map_err(|r| (raw.to_owned(), r))?
            .into_owned();
        if path == "/" {
            return Err((raw.to_owned(), Reason::InvalidPath(PathError::RootNotAFile)));
        }
        if let Some((earlier, _)) = self.files.get(&path) {
            let why = ArgError::DuplicatePath {
                first: earlier.clone(),
                second: raw.to_owned(),
                normalized: path,
            };
            return Err((raw.to_owned(), Reason::InvalidArgument(why)));
        }
        self.files
            .insert(path, (raw.to_owned(), Zeroizing::new(contents)));
        Ok(())
    }
}

impl MemFs {
    /// Every file at or below `prefix` with its contents, keyed by full path.
    ///
    /// A `prefix` naming a file exports just that file. Directories are implied by the
    /// paths; empty ones do not appear. See [`export_iter`](Self::export_iter) for the
    /// consistency rules and a streaming form.
    ///
    /// # Errors
    /// `NotFound` if `prefix` does not exist (D-MemFS returned an empty map), `WouldBlock` if a
    /// writer holds a file beyond the lock timeout, `InvalidInput` (invalid path).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir("/out")?;
    /// fs.write("/out/a.txt", "a")?;
    /// fs.write("/other.txt", "o")?;
    /// let files = fs.export_tree("/out")?;
    /// assert_eq!(files.keys().collect::<Vec<_>>(), ["/out/a.txt"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn export_tree(&self, prefix: impl AsRef<str>) -> io::Result<BTreeMap<String, Vec<u8>>> {
        self.export_iter(prefix)?.collect()
    }

    /// Streams the files at or below `prefix`, one file in memory at a time.
    ///
    /// # Errors
    /// As [`export_tree`](Self::export_tree); lock timeouts surface as items.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a", "1")?;
    /// fs.write("/b", "22")?;
    /// let total: usize = fs.export_iter("/")?.map(|f| f.map(|(_, bytes)| bytes.len())).sum::<Result<_, _>>()?;
    /// assert_eq!(total, 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn export_iter(&self, prefix: impl AsRef<str>) -> io::Result<ExportIter> {
        let raw = prefix.as_ref();
        let prefix = self.resolve(Op::ExportTree, raw, true)?;
        self.intercept(Op::ExportTree, &prefix, None, None)
            .map_err(|r| fail(Op::ExportTree, raw, r))?;
        let tree = self.inner.tree.read();
        let files: Vec<(String, Arc<FileNode>)> = match tree.get(&prefix) {
            None => return Err(fail(Op::ExportTree, raw, tree.miss(&prefix).into_reason())),
            Some(Node::File(node)) => vec![(prefix.into_owned(), Arc::clone(node))],
            Some(Node::Symlink(_)) => Vec::new(),
            Some(Node::Dir(_)) => tree
                .descendants(&prefix)
                .into_iter()
                .filter_map(|path| match tree.get(&path) {
                    Some(Node::File(node)) => Some((path, Arc::clone(node))),
                    _ => None,
                })
                .collect(),
        };
        Ok(ExportIter {
            inner: Arc::clone(&self.inner),
            lock_timeout: self.lock_timeout_for(None),
            files: files.into_iter(),
            only_modified: false,
        })
    }

    /// Creates or replaces the given files, creating missing parent directories: all of them,
    /// or (on any error) none.
    ///
    /// Keys are virtual paths, values the contents. Imported files are new (generation 0,
    /// fresh timestamps). Before anything changes, every key is validated and the quota (for
    /// the net growth) and the node limit are checked.
    ///
    /// # Errors
    /// - `InvalidInput`: an invalid key, the root, or two keys naming the same file after
    ///   normalisation (`"a"` and `"/a"`);
    /// - `IsADirectory`: a key names an existing directory; `NotADirectory`: a key lies below
    ///   an existing file or below another key;
    /// - `ResourceBusy`: a file to replace is open;
    /// - `StorageFull`, `QuotaExceeded` (node limit).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.import_tree([("/cfg/app.toml", "debug = true"), ("/data/1.csv", "a,b")])?;
    /// assert!(fs.is_dir("/cfg"));
    /// let bad = fs.import_tree([("/fresh.txt", "x"), ("/cfg/app.toml/oops", "y")]);
    /// assert_eq!(bad.unwrap_err().kind(), std::io::ErrorKind::NotADirectory);
    /// assert!(!fs.exists("/fresh.txt")); // all or nothing
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn import_tree<K, V, I>(&self, entries: I) -> io::Result<()>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let mut plan = self.import_plan();
        for (key, value) in entries {
            plan.add_file(key.as_ref(), value.as_ref().to_vec())
                .map_err(|(raw, reason)| fail(Op::ImportTree, &raw, reason))?;
        }
        self.apply_import(Op::ImportTree, plan)
    }

    /// Installs a plan all or nothing: an engine batch.
    /// An empty plan with this filesystem's path syntax.
    pub(crate) fn import_plan(&self) -> ImportPlan {
        ImportPlan {
            syntax: self.inner.ledger.syntax,
            ..ImportPlan::default()
        }
    }

    pub(crate) fn apply_import(&self, op: Op, plan: ImportPlan) -> io::Result<()> {
        for (path, (raw, contents)) in &plan.files {
            self.intercept(op, path, None, Some(contents.len() as u64))
                .map_err(|r| fail(op, raw, r))?;
        }
        let batch = Batch {
            dirs: plan.dirs,
            files: plan
                .files
                .iter()
                .map(|(path, (raw, _))| {
                    BatchFile::new(path.clone(), raw.clone(), Existing::Replace)
                })
                .collect(),
            ..Batch::default()
        };
        let incoming = plan.files.values().map(|(_, c)| c.len() as u64).sum();
        let zeroize = self.inner.ledger.zeroize;
        let build = || {
            let mut built = Vec::with_capacity(plan.files.len());
            for (raw, mut contents) in plan.files.into_values() {
                let contents = std::mem::take(&mut *contents);
                let len = contents.len() as u64;
                let storage = Storage::from_vec(contents, zeroize).map_err(|_| BatchError {
                    at: Some(raw),
                    reason: Reason::AllocationFailed(len),
                })?;
                built.push(storage);
            }
            Ok(built)
        };
        let first = batch.files.first().map_or("/", |file| file.name.as_str());
        batch::commit(
            &self.inner.tree,
            &self.inner.ledger,
            &batch,
            incoming,
            build,
        )
        .map(drop)
        .map_err(|err| fail(op, err.at.as_deref().unwrap_or(first), err.reason))
    }
}
