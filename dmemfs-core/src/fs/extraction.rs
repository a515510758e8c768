//! What archives ask of the tree: the archive module decides what to extract or export and
//! how to report it, and reaches the tree only through these methods, each under one hold of
//! its lock. Atomic extraction installs through the engine's batch; streaming extraction puts
//! files in one at a time and undoes them here.

use std::sync::{Arc, Weak};

use super::{Held, Inner};
use crate::engine::batch::{self, Batch, BatchError, Installed};
use crate::engine::{FileNode, Node, Tree, freed_file_bytes};
use crate::error::Reason;
use crate::path::ancestors_below_root;
use crate::quota::Reservation;
use crate::storage::Storage;

/// What a path holds, as an extraction's conflict policy sees it.
#[derive(Debug)]
pub(crate) enum Found {
    Dir,
    Symlink,
    File(Arc<FileNode>),
}

impl Found {
    fn of(node: &Node) -> Found {
        match node {
            Node::Dir(_) => Found::Dir,
            Node::Symlink(_) => Found::Symlink,
            Node::File(file) => Found::File(Arc::clone(file)),
        }
    }
}

/// What [`Inner::survey`] saw.
#[derive(Debug)]
pub(crate) struct Survey<'p> {
    /// The directories asked about that do not exist yet.
    pub(crate) missing: Vec<&'p str>,
    /// What the path holds.
    pub(crate) found: Option<Found>,
    /// The tree's nodes, for the node limit.
    nodes: u64,
}

/// How a streaming extraction puts its file where [`Inner::place_file`] looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Skip,
    New,
    /// Over the file there; `keep`: pinned for the undo log, which may put it back (else its
    /// bytes are given back now).
    Replace {
        keep: bool,
    },
}

/// What [`Inner::place_file`] did besides placing the file.
#[derive(Debug)]
pub(crate) struct Placed {
    /// The parents it created, parents first.
    pub(crate) dirs: Vec<String>,
    /// The file it replaced, pinned, if [`Place::Replace`] said to keep it.
    pub(crate) kept: Option<Held>,
}

/// What a streaming extraction changed, to undo on failure.
#[derive(Debug)]
pub(crate) enum Undo {
    Dir(String),
    File {
        path: String,
        /// Weak: a file another thread removes meanwhile must be freed now, not when the
        /// extraction ends (a consumer draining files as they appear would otherwise keep
        /// the whole archive alive). The allocation it pins also rules out address reuse.
        node: Weak<FileNode>,
        /// The file it replaced, kept pinned so that it can go back: a pinned file that loses
        /// its last name stays charged until dropped, as an open one does.
        replaced: Option<Held>,
    },
}

/// Why `dir`, which must be a directory for `path` to be created, is not one.
pub(crate) fn not_a_dir(dir: &str, path: &str) -> Reason {
    if dir == path {
        Reason::NotADirectory
    } else {
        Reason::ComponentNotADirectory {
            component: dir.to_owned(),
        }
    }
}

/// `dirs`, which `path` needs as directories, that do not exist yet; an error if one is a
/// file or a link (not followed: extraction does not write through links), or `blocked`
/// says it will be one.
fn missing_dirs<'p>(
    tree: &Tree,
    path: &str,
    dirs: impl IntoIterator<Item = &'p str>,
    blocked: impl Fn(&str) -> bool,
) -> Result<Vec<&'p str>, Reason> {
    tree.missing_dirs(dirs, blocked)
        .map_err(|dir| not_a_dir(dir, path))
}

impl Inner {
    /// What extracting `path` meets, seen under one hold of the read lock, before its bytes
    /// are read: `dirs` it needs (see `missing_dirs`) and what is at `path`.
    pub(crate) fn survey<'p>(
        &self,
        path: &str,
        dirs: impl IntoIterator<Item = &'p str>,
        blocked: impl Fn(&str) -> bool,
    ) -> Result<Survey<'p>, Reason> {
        let tree = self.tree.read();
        Ok(Survey {
            missing: missing_dirs(&tree, path, dirs, blocked)?,
            found: tree.get(path).map(Found::of),
            nodes: tree.node_count(),
        })
    }

    /// Checks the node limit allows `new` nodes more than `survey` saw.
    pub(crate) fn check_surveyed(&self, survey: &Survey<'_>, new: u64) -> Result<(), Reason> {
        self.check_node_count(survey.nodes, new)
    }

    /// Installs an atomic extraction's stage: the engine's batch, whose first steps (checks,
    /// reservation, contents) admission did entry by entry.
    pub(crate) fn install_batch(
        &self,
        batch: &Batch,
        contents: Vec<Storage>,
        reservation: Reservation<'_>,
    ) -> Result<Installed, BatchError> {
        batch::install(
            &mut self.tree.write(),
            &self.ledger,
            batch,
            contents,
            reservation,
        )
    }

    /// Creates the missing ones of `dirs`, which `path` needs, within the node limit; returns
    /// them, parents first.
    pub(crate) fn ensure_dirs<'p>(
        &self,
        path: &str,
        dirs: impl IntoIterator<Item = &'p str>,
    ) -> Result<Vec<String>, Reason> {
        let mut tree = self.tree.write();
        let missing = missing_dirs(&tree, path, dirs, |_| false)?;
        self.check_nodes(&tree, missing.len() as u64)?;
        Ok(create_dirs(&mut tree, missing))
    }

    /// Puts `node` at `path` for a streaming extraction, under one hold of the write lock:
    /// `judge` decides from what the path holds now (the bytes were read without a lock),
    /// then the node limit is checked, the missing parents are created and the file placed.
    /// `None` if skipped.
    pub(crate) fn place_file(
        &self,
        path: &str,
        node: &Arc<FileNode>,
        judge: impl FnOnce(Option<&Found>) -> Result<Place, Reason>,
    ) -> Result<Option<Placed>, Reason> {
        let mut tree = self.tree.write();
        let missing = missing_dirs(&tree, path, ancestors_below_root(path), |_| false)?;
        let place = judge(tree.get(path).map(Found::of).as_ref())?;
        let new_nodes = match place {
            Place::Skip => return Ok(None),
            Place::New => 1,
            Place::Replace { .. } => 0,
        };
        self.check_nodes(&tree, missing.len() as u64 + new_nodes)?;
        let dirs = create_dirs(&mut tree, missing);
        let kept = match place {
            Place::Replace { keep: true } => {
                let Some(Node::File(old)) = tree.get(path) else {
                    unreachable!("judged a file at {path}")
                };
                // Pinned first: losing its last name, it stays charged until the extraction
                // ends (an orphan), so that undoing needs no quota.
                let kept = Held::new(Arc::clone(old), None);
                tree.replace_file(path, Arc::clone(node));
                Some(kept)
            }
            Place::Replace { keep: false } => {
                let old = tree.replace_file(path, Arc::clone(node));
                self.release(freed_file_bytes(&old));
                None
            }
            Place::New | Place::Skip => {
                tree.insert(path, Node::File(Arc::clone(node)));
                None
            }
        };
        Ok(Some(Placed { dirs, kept }))
    }

    /// Undoes a failed streaming extraction, newest change first. A file is removed (or the
    /// file it replaced put back) only if it is still the one installed, unopened and
    /// unwritten; a directory only if it is empty. What other threads changed stays.
    pub(crate) fn undo_extraction(&self, log: Vec<Undo>) {
        let mut tree = self.tree.write();
        for undo in log.into_iter().rev() {
            match undo {
                Undo::Dir(path) => {
                    if tree.dir(&path).is_some_and(|dir| dir.is_empty()) {
                        tree.remove(&path);
                    }
                }
                Undo::File {
                    path,
                    node,
                    replaced,
                } => {
                    let intact = match tree.get(&path) {
                        Some(Node::File(now))
                            if Weak::as_ptr(&node) == Arc::as_ptr(now)
                                && !now.in_use()
                                && now.data.read().generation.get() == 0 =>
                        {
                            Arc::clone(now)
                        }
                        // Cannot go back: dropping the replaced file's pin lets it free what
                        // only it held.
                        _ => continue,
                    };
                    match replaced {
                        None => {
                            tree.remove(&path);
                        }
                        // Still charged (named elsewhere, or an orphan kept by its pin): it
                        // goes back without a new charge.
                        Some(old) => {
                            tree.replace_file(&path, Arc::clone(&old.node));
                        }
                    }
                    self.release(freed_file_bytes(&intact));
                }
            }
        }
    }

    /// `item` of `root` if it is a file or a link, or of every node below the directory
    /// `root`, parents first, under one hold of the read lock: what an export writes.
    #[cfg_attr(not(feature = "tar"), allow(dead_code))]
    pub(crate) fn snapshot<T>(
        &self,
        root: &str,
        mut item: impl FnMut(String, &Node) -> T,
    ) -> Result<Vec<T>, Reason> {
        let tree = self.tree.read();
        match tree.get(root) {
            None => Err(tree.miss(root).into_reason()),
            Some(Node::Dir(_)) => Ok(tree
                .descendants(root)
                .into_iter()
                .filter_map(|path| {
                    let node = tree.get(&path)?;
                    Some(item(path, node))
                })
                .collect()),
            Some(node) => Ok(vec![item(root.to_owned(), node)]),
        }
    }
}

fn create_dirs(tree: &mut Tree, missing: Vec<&str>) -> Vec<String> {
    missing
        .into_iter()
        .map(|dir| {
            tree.insert_dir(dir);
            dir.to_owned()
        })
        .collect()
}
