//! The batch transaction: many nodes installed all or nothing. `import_tree`,
//! `import_from_dir` and `copy_dir_all` are batches.
//!
//! 1. **Check** the plan against the tree under its read lock: parents, conflicts, open files,
//!    the node limit; what it replaces and so frees.
//! 2. **Reserve** the net growth from the quota (and the memory guard, which may ask the host:
//!    no lock is held).
//! 3. **Build** the contents with no lock held (copying bytes takes time).
//! 4. **Check again** under the write lock (the tree may have changed), settle the reservation
//!    with the quota alone (no host query under the lock).
//! 5. **Apply**: nothing below can fail.
//!
//! A failure at any step leaves the tree, the quota and the node counts as they were.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

use crate::engine::TreeLock;

use super::ledger::Ledger;
use super::namespace::Tree;
use super::node::{FileNode, Node, SymlinkNode};
use crate::error::Reason;
use crate::lock::HandleLock;
use crate::path::{ancestors_below_root, split_parent};
use crate::quota::Reservation;
use crate::storage::Storage;

/// What a batch installs.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// A path that must not exist yet, whose parent must, and that becomes a directory (the
    /// destination of `copy_dir_all`).
    pub(crate) fresh_dir: Option<String>,
    /// Directories to ensure (created with any missing parents), normalised.
    pub(crate) dirs: BTreeSet<String>,
    /// Files to create or replace, sorted by path.
    pub(crate) files: Vec<BatchFile>,
    /// Symbolic links to create (path, target); their paths must be free.
    pub(crate) links: Vec<(String, Box<str>)>,
}

/// A file a batch installs.
#[derive(Debug)]
pub(crate) struct BatchFile {
    pub(crate) path: String,
    /// The name its errors report (a key as the caller wrote it, an archive entry, ...).
    pub(crate) name: String,
    /// What to do when a file is already there.
    pub(crate) existing: Existing,
    /// Its modification time, if not now.
    pub(crate) mtime: Option<SystemTime>,
}

impl BatchFile {
    pub(crate) fn new(path: String, name: String, existing: Existing) -> BatchFile {
        BatchFile {
            path,
            name,
            existing,
            mtime: None,
        }
    }
}

/// What a batch does with a file already at one of its paths (an open one is always
/// `ResourceBusy`: it is never replaced under its handles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    Replace,
    /// `AlreadyExists`.
    Refuse,
    /// Leave it, and do not install this one.
    Skip,
}

/// What became of one file of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Created,
    Replaced,
    Skipped,
}

/// What a batch did (archive extraction reports it; the other batches need only success).
#[derive(Debug)]
#[cfg_attr(not(any(feature = "tar", feature = "zip")), allow(dead_code))]
pub(crate) struct Installed {
    /// For each file, in order.
    pub(crate) outcomes: Vec<Outcome>,
    /// Directories created.
    pub(crate) new_dirs: u64,
}

/// Why a batch failed, and the entry concerned (the name a file's errors report), if one.
#[derive(Debug)]
pub(crate) struct BatchError {
    pub(crate) at: Option<String>,
    pub(crate) reason: Reason,
}

impl From<Reason> for BatchError {
    fn from(reason: Reason) -> BatchError {
        BatchError { at: None, reason }
    }
}

/// What a checked batch changes.
#[derive(Debug)]
pub(crate) struct Checked {
    /// Directories to create, parents first (a path sorts after its parent).
    new_dirs: BTreeSet<String>,
    /// For each file, what installing it does.
    outcomes: Vec<Outcome>,
    /// Bytes the replaced files give back.
    pub(crate) outgoing: u64,
}

impl Batch {
    /// The name an error about the batch as a whole reports.
    fn first_name(&self) -> Option<String> {
        self.files.first().map(|file| file.name.clone())
    }
}

/// Runs `batch`, whose files' contents `build` makes (about `incoming` bytes in all, in the
/// order of `batch.files`).
pub(crate) fn commit(
    tree: &TreeLock,
    ledger: &Ledger,
    batch: &Batch,
    incoming: u64,
    build: impl FnOnce() -> Result<Vec<Storage>, BatchError>,
) -> Result<Installed, BatchError> {
    let first = check(&tree.read(), ledger, batch)?;
    let reservation = ledger
        .reserve(incoming.saturating_sub(first.outgoing))
        .map_err(|reason| BatchError {
            at: batch.first_name(),
            reason,
        })?;
    let contents = build()?;
    install(&mut tree.write(), ledger, batch, contents, reservation)
}

/// The last steps, for a caller that checked, reserved and built already (an archive
/// extraction admits entries one by one): checks again under the caller's write lock, settles
/// `reservation` with the quota alone, and applies.
pub(crate) fn install<'l>(
    tree: &mut Tree,
    ledger: &'l Ledger,
    batch: &Batch,
    contents: Vec<Storage>,
    mut reservation: Reservation<'l>,
) -> Result<Installed, BatchError> {
    let checked = check(tree, ledger, batch)?;
    let incoming: u64 = contents
        .iter()
        .zip(&checked.outcomes)
        .filter(|(_, outcome)| **outcome != Outcome::Skipped)
        .map(|(storage, _)| storage.len())
        .sum();
    // Files to replace may have changed length, and sources may have, since the first check.
    let needed = incoming.saturating_sub(checked.outgoing);
    if needed > reservation.bytes() {
        let extra = ledger
            .quota
            .reserve(needed - reservation.bytes())
            .map_err(|reason| BatchError {
                at: batch.first_name(),
                reason,
            })?;
        reservation.absorb(extra);
    } else {
        reservation.shrink_to(needed);
    }
    let outgoing = checked.outgoing;
    let new_dirs = checked.new_dirs.len() as u64;
    let outcomes = apply(tree, ledger, batch, checked, contents);
    reservation.commit();
    ledger.release(outgoing.saturating_sub(incoming));
    Ok(Installed { outcomes, new_dirs })
}

/// Validates every path of the batch against the tree and the node limit.
pub(crate) fn check(tree: &Tree, ledger: &Ledger, batch: &Batch) -> Result<Checked, BatchError> {
    let fail = |at: &str, reason| BatchError {
        at: Some(at.to_owned()),
        reason,
    };
    let mut new_dirs = BTreeSet::new();
    if let Some(dir) = &batch.fresh_dir {
        if tree.get(dir).is_some() {
            return Err(Reason::AlreadyExists.into());
        }
        tree.check_parent(dir)?;
        new_dirs.insert(dir.clone());
    }
    let is_file = |path: &str| {
        batch
            .files
            .binary_search_by(|file| file.path.as_str().cmp(path))
            .is_ok()
    };
    // Only directories stand above what a batch installs: it never writes through a file
    // or a link, nor below one of its own files.
    let blocked = |path: &str| match tree.get(path) {
        Some(Node::File(_) | Node::Symlink(_)) => true,
        Some(Node::Dir(_)) => false,
        None => is_file(path),
    };
    // Directories known to stand (or to be created): checking a path checks all its
    // ancestors, so a path whose parent is here needs no check. Without this, a deep chain
    // (an import of a host tree 1,500 levels deep) checks every level's every ancestor, each
    // by its whole path: cubic in the depth.
    let mut checked: HashSet<String> = HashSet::new();
    let ensure =
        |new_dirs: &mut BTreeSet<String>, checked: &mut HashSet<String>, path: &str, at: &str| {
            if split_parent(path).is_none_or(|(parent, _)| checked.contains(parent)) {
                return Ok(());
            }
            let missing = tree
                .missing_dirs(ancestors_below_root(path), is_file)
                .map_err(|dir| {
                    let component = dir.to_owned();
                    fail(at, Reason::ComponentNotADirectory { component })
                })?;
            new_dirs.extend(missing.into_iter().map(str::to_owned));
            checked.extend(ancestors_below_root(path).map(str::to_owned));
            Ok::<(), BatchError>(())
        };
    checked.insert("/".to_owned());
    for dir in &batch.dirs {
        ensure(&mut new_dirs, &mut checked, dir, dir)?;
        if dir != "/" && blocked(dir) {
            let component = dir.clone();
            return Err(fail(dir, Reason::ComponentNotADirectory { component }));
        }
        if dir != "/" && tree.get(dir).is_none() {
            new_dirs.insert(dir.clone());
        }
        checked.insert(dir.clone());
    }
    let mut outcomes = Vec::with_capacity(batch.files.len());
    // Replaced files by node: one that loses every name here frees its bytes (a batch may
    // replace several names of one hard-linked file).
    let mut replaced: HashMap<*const FileNode, (u32, &Arc<FileNode>)> = HashMap::new();
    for file in &batch.files {
        let (path, name) = (&file.path, file.name.as_str());
        ensure(&mut new_dirs, &mut checked, path, name)?;
        if batch.dirs.contains(path) {
            return Err(fail(name, Reason::IsADirectory));
        }
        let outcome = match tree.get(path) {
            None => Outcome::Created,
            Some(Node::Dir(_)) => return Err(fail(name, Reason::IsADirectory)),
            Some(_) if file.existing == Existing::Skip => Outcome::Skipped,
            Some(_) if file.existing == Existing::Refuse => {
                return Err(fail(name, Reason::AlreadyExists));
            }
            // Not replaced, nor written through.
            Some(Node::Symlink(_)) => return Err(fail(name, Reason::AlreadyExists)),
            Some(Node::File(node)) if node.in_use() => {
                return Err(fail(name, Reason::Busy { open: path.clone() }));
            }
            Some(Node::File(node)) => {
                replaced.entry(Arc::as_ptr(node)).or_insert((0, node)).0 += 1;
                Outcome::Replaced
            }
        };
        outcomes.push(outcome);
    }
    let outgoing = replaced
        .values()
        .filter(|(names, node)| *names >= node.links())
        .map(|(_, node)| node.data.read().storage.len())
        .sum();
    for (path, _) in &batch.links {
        ensure(&mut new_dirs, &mut checked, path, path)?;
        if tree.get(path).is_some() {
            return Err(fail(path, Reason::AlreadyExists));
        }
    }
    let new_files = outcomes.iter().filter(|o| **o == Outcome::Created).count();
    let added = (new_dirs.len() + new_files + batch.links.len()) as u64;
    ledger
        .check_nodes(tree.node_count(), added)
        .map_err(|reason| BatchError {
            at: batch.first_name(),
            reason,
        })?;
    Ok(Checked {
        new_dirs,
        outcomes,
        outgoing,
    })
}

/// Installs a checked batch.
fn apply(
    tree: &mut Tree,
    ledger: &Ledger,
    batch: &Batch,
    checked: Checked,
    contents: Vec<Storage>,
) -> Vec<Outcome> {
    let now = ledger.now();
    for dir in &checked.new_dirs {
        tree.insert_dir(dir);
    }
    let files = batch.files.iter().zip(contents).zip(&checked.outcomes);
    for ((file, storage), outcome) in files {
        if *outcome == Outcome::Skipped {
            continue;
        }
        let node = FileNode::new(storage, HandleLock::default(), 0, now);
        if let Some(mtime) = file.mtime {
            node.data.write().attrs.set_times(None, Some(mtime), now);
        }
        if *outcome == Outcome::Replaced {
            tree.replace_file(&file.path, node);
        } else {
            tree.insert(&file.path, Node::File(node));
        }
    }
    for (path, target) in &batch.links {
        tree.insert(path, Node::Symlink(SymlinkNode::new(target, now)));
    }
    checked.outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, name: &str) -> BatchFile {
        BatchFile::new(path.into(), name.into(), Existing::Replace)
    }

    fn tree() -> (TreeLock, Arc<Ledger>) {
        let ledger = Arc::new(Ledger::for_tests());
        (TreeLock::new(Tree::new(Arc::clone(&ledger))), ledger)
    }

    #[test]
    fn all_or_nothing() {
        let (tree, ledger) = tree();
        let batch = Batch {
            files: vec![file("/a/b/f", "f"), file("/a/g", "g")],
            links: vec![("/a/l".into(), "b/f".into())],
            ..Batch::default()
        };
        let two = || Storage::from_slice(b"12").unwrap();
        let contents = || Ok(vec![two(), two()]);
        commit(&tree, &ledger, &batch, 4, contents).unwrap();
        assert_eq!(tree.read().node_count(), 6);
        assert_eq!(ledger.quota.used(), 4);
        // Below a file of the tree: refused whole, nothing changes.
        let bad = Batch {
            files: vec![file("/a/g/x", "x"), file("/new", "new")],
            ..Batch::default()
        };
        let err = commit(&tree, &ledger, &bad, 0, || Ok(Vec::new())).unwrap_err();
        assert_eq!(err.at.as_deref(), Some("x"));
        assert!(tree.read().get("/new").is_none());
        // Below a link: refused.
        let through = Batch {
            files: vec![file("/a/l/x", "x")],
            ..Batch::default()
        };
        assert!(commit(&tree, &ledger, &through, 0, || Ok(Vec::new())).is_err());
        assert_eq!((tree.read().node_count(), ledger.quota.used()), (6, 4));
    }
}
