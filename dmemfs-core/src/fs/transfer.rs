//! Whole trees in and out: `export_tree`, `export_iter`, `import_tree`.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::Arc;

use super::{Inner, MemFs};
use crate::engine::{FileNode, Node, Tree, sole_name_bytes};
use crate::error::{Op, Reason, fail};
use crate::lock::{Access, HandleLock};
use crate::path::ancestors_below_root;
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
            let mut wait = self.inner.wait();
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
            if self.only_modified && data.generation == 0 {
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
}

impl ImportPlan {
    pub(crate) fn add_file(
        &mut self,
        raw: &str,
        contents: Vec<u8>,
    ) -> Result<(), (String, Reason)> {
        let path = crate::path::normalize(raw)
            .map_err(|r| (raw.to_owned(), r))?
            .into_owned();
        if path == "/" {
            return Err((
                raw.to_owned(),
                Reason::InvalidPath("the root cannot be a file"),
            ));
        }
        if let Some((earlier, _)) = self.files.get(&path) {
            let msg = format!("`{earlier}` and `{raw}` name the same file `{path}`");
            return Err((raw.to_owned(), Reason::InvalidArgument(msg)));
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
        let mut plan = ImportPlan::default();
        for (key, value) in entries {
            plan.add_file(key.as_ref(), value.as_ref().to_vec())
                .map_err(|(raw, reason)| fail(Op::ImportTree, &raw, reason))?;
        }
        self.apply_import(Op::ImportTree, plan)
    }

    /// Installs a plan all or nothing.
    ///
    /// The plan is checked under the tree's read lock, the quota charged and the contents
    /// copied with no lock held (the memory guard may query the host), then everything is
    /// checked again and applied under one hold of the write lock.
    pub(crate) fn apply_import(&self, op: Op, plan: ImportPlan) -> io::Result<()> {
        for (path, (raw, contents)) in &plan.files {
            self.intercept(op, path, None, Some(contents.len() as u64))
                .map_err(|r| fail(op, raw, r))?;
        }
        let inner = &self.inner;
        let targets: Vec<(String, String)> = plan
            .files
            .iter()
            .map(|(path, (raw, _))| (path.clone(), raw.clone()))
            .collect();
        let at = targets
            .first()
            .map_or("/", |(_, raw)| raw.as_str())
            .to_owned();
        let incoming: u64 = plan.files.values().map(|(_, c)| c.len() as u64).sum();
        let first = check_import(inner, &inner.tree.read(), op, &targets, &plan.dirs)?;
        let charged = incoming.saturating_sub(first.outgoing);
        let mut reservation = inner.reserve(charged).map_err(|r| fail(op, &at, r))?;
        let mut built = Vec::with_capacity(plan.files.len());
        for (raw, mut contents) in plan.files.into_values() {
            let contents = std::mem::take(&mut *contents);
            let len = contents.len() as u64;
            let storage = Storage::from_vec(contents, inner.ledger.zeroize)
                .map_err(|_| fail(op, &raw, Reason::AllocationFailed(len)))?;
            built.push(storage);
        }
        let mut tree = inner.tree.write();
        let check = check_import(inner, &tree, op, &targets, &plan.dirs)?;
        // Files to replace may have changed length meanwhile: settle the difference.
        let needed = incoming.saturating_sub(check.outgoing);
        if needed > charged {
            let extra = inner
                .ledger
                .quota
                .reserve(needed - charged)
                .map_err(|r| fail(op, &at, r))?;
            reservation.absorb(extra);
        } else {
            reservation.shrink_to(needed);
        }
        // Apply; nothing below can fail.
        for dir in &check.new_dirs {
            tree.insert_dir(dir);
        }
        for (((path, _), storage), replace) in targets.iter().zip(built).zip(check.replacing) {
            let node = FileNode::new(storage, HandleLock::default(), 0, inner.now());
            if replace {
                tree.replace_file(path, node);
            } else {
                tree.insert(path, Node::File(node));
            }
        }
        reservation.commit();
        inner.release(check.outgoing.saturating_sub(incoming));
        Ok(())
    }
}

/// What an import would change, found by [`check_import`].
struct ImportCheck {
    /// Directories to create, parents first.
    new_dirs: BTreeSet<String>,
    /// For each target, whether it replaces an existing file.
    replacing: Vec<bool>,
    /// Bytes the replaced files hold.
    outgoing: u64,
}

/// Validates every target of an import against the tree and the node limit.
fn check_import(
    inner: &Inner,
    tree: &Tree,
    op: Op,
    targets: &[(String, String)],
    dirs: &BTreeSet<String>,
) -> io::Result<ImportCheck> {
    let mut new_dirs: BTreeSet<String> = BTreeSet::new();
    let mut replacing: Vec<bool> = Vec::with_capacity(targets.len());
    let mut outgoing: u64 = 0;
    let is_target = |path: &str| {
        targets
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .is_ok()
    };
    let blocked = |path: &str| -> Option<Reason> {
        let component = || Reason::ComponentNotADirectory {
            component: path.to_owned(),
        };
        match tree.get(path) {
            Some(Node::File(_)) => Some(component()),
            _ if is_target(path) => Some(component()),
            _ => None,
        }
    };
    for dir in dirs {
        for path in ancestors_below_root(dir).chain((dir != "/").then_some(dir.as_str())) {
            if let Some(reason) = blocked(path) {
                return Err(fail(op, dir, reason));
            }
            if tree.get(path).is_none() {
                new_dirs.insert(path.to_owned());
            }
        }
    }
    for (path, raw) in targets {
        for ancestor in ancestors_below_root(path) {
            if let Some(reason) = blocked(ancestor) {
                return Err(fail(op, raw, reason));
            }
            if tree.get(ancestor).is_none() {
                new_dirs.insert(ancestor.to_owned());
            }
        }
        match tree.get(path) {
            Some(Node::Dir(_)) => return Err(fail(op, raw, Reason::IsADirectory)),
            // Not replaced, nor written through.
            Some(Node::Symlink(_)) => return Err(fail(op, raw, Reason::AlreadyExists)),
            Some(Node::File(node)) if node.is_pinned() => {
                return Err(fail(op, raw, Reason::Busy { open: path.clone() }));
            }
            Some(Node::File(node)) => {
                outgoing += sole_name_bytes(node);
                replacing.push(true);
            }
            None => replacing.push(false),
        }
    }
    let added = replacing.iter().filter(|r| !**r).count() + new_dirs.len();
    let at = targets.first().map_or("/", |(_, raw)| raw.as_str());
    inner
        .check_nodes(tree, added as u64)
        .map_err(|r| fail(op, at, r))?;
    Ok(ImportCheck {
        new_dirs,
        replacing,
        outgoing,
    })
}
