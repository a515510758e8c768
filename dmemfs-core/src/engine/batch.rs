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

use std::collections::BTreeSet;

use parking_lot::RwLock;

use super::ledger::Ledger;
use super::namespace::{Tree, sole_name_bytes};
use super::node::{FileNode, Node, SymlinkNode};
use crate::error::Reason;
use crate::lock::HandleLock;
use crate::path::ancestors_below_root;
use crate::storage::Storage;

/// What a batch installs.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// A path that must not exist yet, whose parent must, and that becomes a directory (the
    /// destination of `copy_dir_all`).
    pub(crate) fresh_dir: Option<String>,
    /// Directories to ensure (created with any missing parents), normalised.
    pub(crate) dirs: BTreeSet<String>,
    /// Files to create or replace, sorted by path, each with the name its errors report.
    pub(crate) files: Vec<(String, String)>,
    /// Symbolic links to create (path, target); their paths must be free.
    pub(crate) links: Vec<(String, Box<str>)>,
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
struct Checked {
    /// Directories to create, parents first (a path sorts after its parent).
    new_dirs: BTreeSet<String>,
    /// For each file, whether it replaces an existing one.
    replacing: Vec<bool>,
    /// Bytes the replaced files give back.
    outgoing: u64,
}

/// Runs `batch`, whose files' contents `build` makes (about `incoming` bytes in all, in the
/// order of `batch.files`).
pub(crate) fn commit(
    tree: &RwLock<Tree>,
    ledger: &Ledger,
    batch: &Batch,
    incoming: u64,
    build: impl FnOnce() -> Result<Vec<Storage>, BatchError>,
) -> Result<(), BatchError> {
    let first = check(&tree.read(), ledger, batch)?;
    let at = || batch.files.first().map(|(_, name)| name.clone());
    let mut reservation = ledger
        .reserve(incoming.saturating_sub(first.outgoing))
        .map_err(|reason| BatchError { at: at(), reason })?;
    let contents = build()?;
    let incoming: u64 = contents.iter().map(Storage::len).sum();
    let mut tree = tree.write();
    let checked = check(&tree, ledger, batch)?;
    // Files to replace may have changed length, and sources may have, since the first check.
    let needed = incoming.saturating_sub(checked.outgoing);
    if needed > reservation.bytes() {
        let extra = ledger
            .quota
            .reserve(needed - reservation.bytes())
            .map_err(|reason| BatchError { at: at(), reason })?;
        reservation.absorb(extra);
    } else {
        reservation.shrink_to(needed);
    }
    let outgoing = checked.outgoing;
    apply(&mut tree, ledger, batch, checked, contents);
    reservation.commit();
    ledger.release(outgoing.saturating_sub(incoming));
    Ok(())
}

/// Validates every path of the batch against the tree and the node limit.
fn check(tree: &Tree, ledger: &Ledger, batch: &Batch) -> Result<Checked, BatchError> {
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
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .is_ok()
    };
    // Only directories stand above what a batch installs: it never writes through a file
    // or a link, nor below one of its own files.
    let blocked = |path: &str| match tree.get(path) {
        Some(Node::File(_) | Node::Symlink(_)) => true,
        Some(Node::Dir(_)) => false,
        None => is_file(path),
    };
    let ensure = |new_dirs: &mut BTreeSet<String>, path: &str, at: &str| {
        for dir in ancestors_below_root(path) {
            if blocked(dir) {
                let component = dir.to_owned();
                return Err(fail(at, Reason::ComponentNotADirectory { component }));
            }
            if tree.get(dir).is_none() {
                new_dirs.insert(dir.to_owned());
            }
        }
        Ok(())
    };
    for dir in &batch.dirs {
        ensure(&mut new_dirs, dir, dir)?;
        if dir != "/" && tree.get(dir).is_none() {
            if is_file(dir) {
                let component = dir.clone();
                return Err(fail(dir, Reason::ComponentNotADirectory { component }));
            }
            new_dirs.insert(dir.clone());
        }
        if let Some(Node::File(_) | Node::Symlink(_)) = tree.get(dir) {
            let component = dir.clone();
            return Err(fail(dir, Reason::ComponentNotADirectory { component }));
        }
    }
    let mut replacing = Vec::with_capacity(batch.files.len());
    let mut outgoing = 0;
    for (path, name) in &batch.files {
        ensure(&mut new_dirs, path, name)?;
        match tree.get(path) {
            Some(Node::Dir(_)) => return Err(fail(name, Reason::IsADirectory)),
            // Not replaced, nor written through.
            Some(Node::Symlink(_)) => return Err(fail(name, Reason::AlreadyExists)),
            Some(Node::File(node)) if node.is_pinned() => {
                return Err(fail(name, Reason::Busy { open: path.clone() }));
            }
            Some(Node::File(node)) => {
                outgoing += sole_name_bytes(node);
                replacing.push(true);
            }
            None => replacing.push(false),
        }
    }
    for (path, _) in &batch.links {
        ensure(&mut new_dirs, path, path)?;
        if tree.get(path).is_some() {
            return Err(fail(path, Reason::AlreadyExists));
        }
    }
    let new_files = replacing.iter().filter(|r| !**r).count();
    let added = (new_dirs.len() + new_files + batch.links.len()) as u64;
    ledger
        .check_nodes(tree.node_count(), added)
        .map_err(|reason| BatchError {
            at: batch.files.first().map(|(_, name)| name.clone()),
            reason,
        })?;
    Ok(Checked {
        new_dirs,
        replacing,
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
) {
    let now = ledger.now();
    for dir in &checked.new_dirs {
        tree.insert_dir(dir);
    }
    let files = batch.files.iter().zip(contents).zip(checked.replacing);
    for (((path, _), storage), replace) in files {
        let node = FileNode::new(storage, HandleLock::default(), 0, now);
        if replace {
            tree.replace_file(path, node);
        } else {
            tree.insert(path, Node::File(node));
        }
    }
    for (path, target) in &batch.links {
        tree.insert(path, Node::Symlink(SymlinkNode::new(target, now)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tree() -> (RwLock<Tree>, Arc<Ledger>) {
        let ledger = Arc::new(Ledger::for_tests());
        (RwLock::new(Tree::new(Arc::clone(&ledger))), ledger)
    }

    #[test]
    fn all_or_nothing() {
        let (tree, ledger) = tree();
        let batch = Batch {
            files: vec![("/a/b/f".into(), "f".into()), ("/a/g".into(), "g".into())],
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
            files: vec![("/new".into(), "new".into()), ("/a/g/x".into(), "x".into())],
            ..Batch::default()
        };
        let err = commit(&tree, &ledger, &bad, 0, || Ok(Vec::new())).unwrap_err();
        assert_eq!(err.at.as_deref(), Some("x"));
        assert!(tree.read().get("/new").is_none());
        // Below a link: refused.
        let through = Batch {
            files: vec![("/a/l/x".into(), "x".into())],
            ..Batch::default()
        };
        assert!(commit(&tree, &ledger, &through, 0, || Ok(Vec::new())).is_err());
        assert_eq!((tree.read().node_count(), ledger.quota.used()), (6, 4));
    }
}
