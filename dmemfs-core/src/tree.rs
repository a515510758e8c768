//! The namespace: every node indexed by its full normalised path, plus each directory's
//! sorted child names.
//!
//! One hash of the whole path finds any node, however deep (a walk from the root would do one
//! lookup per component). Directories list their children by the same shared keys, unordered,
//! each index entry remembering its position in its parent's list: adding or removing a name
//! costs no hashing and no string comparison, and listings sort when asked. The price is paid
//! by moving a directory, which re-keys its subtree.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use parking_lot::RwLock;

use crate::error::Reason;
use crate::lock::HandleLock;
use crate::path::{ancestors_below_root, is_strictly_below, rebase, split_parent};
use crate::storage::Storage;

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A file's contents and the metadata that changes with them.
#[derive(Debug)]
pub(crate) struct FileData {
    pub(crate) storage: Storage,
    pub(crate) modified: SystemTime,
    pub(crate) generation: u64,
}

impl FileData {
    /// Records a change to the contents.
    pub(crate) fn touch(&mut self) {
        self.generation += 1;
        self.modified = crate::clock::now();
    }
}

#[derive(Debug)]
pub(crate) struct FileNode {
    /// Held by open handles (and briefly by whole-file operations).
    pub(crate) lock: HandleLock,
    /// Guards the bytes during each read or write call; never held while waiting for anything.
    pub(crate) data: RwLock<FileData>,
    pub(crate) created: SystemTime,
}

impl FileNode {
    pub(crate) fn new(storage: Storage, lock: HandleLock, generation: u64) -> Arc<FileNode> {
        let now = crate::clock::now();
        Arc::new(FileNode {
            lock,
            data: RwLock::new(FileData {
                storage,
                modified: now,
                generation,
            }),
            created: now,
        })
    }
}

#[derive(Debug)]
pub(crate) struct DirNode {
    /// The children's full paths (the index's keys, shared), in no particular order; each
    /// child's index entry holds its position here.
    children: Vec<Arc<str>>,
    pub(crate) created: SystemTime,
}

impl DirNode {
    pub(crate) fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// The children's full paths in byte order, as listings present them (paths under one
    /// directory sort as their names do).
    pub(crate) fn sorted_paths(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self.children.iter().map(|path| &**path).collect();
        paths.sort_unstable();
        paths
    }

    /// The children's names in byte order.
    pub(crate) fn sorted_names(&self) -> Vec<&str> {
        self.sorted_paths().into_iter().map(name_of).collect()
    }
}

/// The last name of a normalised path other than the root.
fn name_of(path: &str) -> &str {
    split_parent(path).map_or(path, |(_, name)| name)
}

/// An index entry: the node, and its position in its parent's list of children.
#[derive(Debug)]
struct Entry {
    node: Node,
    slot: usize,
}

#[derive(Debug)]
pub(crate) enum Node {
    File(Arc<FileNode>),
    Dir(Box<DirNode>),
}

impl Node {
    pub(crate) fn new_dir() -> Node {
        Node::Dir(Box::new(DirNode {
            children: Vec::new(),
            created: crate::clock::now(),
        }))
    }

    pub(crate) fn is_dir(&self) -> bool {
        matches!(self, Node::Dir(_))
    }
}

/// A child's position in its parent's list, from [`Tree::attach`] to [`Tree::index`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot(usize);

/// Why a path did not resolve to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Miss {
    /// The parent directory exists; the last name does not.
    Leaf,
    /// A proper ancestor is missing.
    Ancestor(String),
    /// A proper ancestor is a file.
    FileInPath(String),
}

impl Miss {
    pub(crate) fn into_reason(self) -> Reason {
        match self {
            Miss::Leaf => Reason::NotFound,
            Miss::Ancestor(_) => Reason::NotFound,
            Miss::FileInPath(component) => Reason::ComponentNotADirectory { component },
        }
    }

    /// The reason when the path's parent, not the path itself, had to exist.
    pub(crate) fn into_parent_reason(self, path: &str) -> Reason {
        match self {
            Miss::Leaf | Miss::Ancestor(_) => Reason::ParentNotFound {
                parent: split_parent(path)
                    .map_or("/", |(parent, _)| parent)
                    .to_owned(),
            },
            Miss::FileInPath(component) => Reason::ComponentNotADirectory { component },
        }
    }
}

#[derive(Debug)]
pub(crate) struct Tree {
    /// Keys are shared with open handles, which name their file without a copy, and with
    /// the parents' lists of children.
    nodes: Map<Arc<str>, Entry>,
    files: u64,
    dirs: u64,
}

impl Tree {
    pub(crate) fn new() -> Tree {
        let mut nodes = Map::default();
        let root = Entry {
            node: Node::new_dir(),
            slot: 0,
        };
        nodes.insert("/".into(), root);
        Tree {
            nodes,
            files: 0,
            dirs: 1,
        }
    }

    pub(crate) fn files(&self) -> u64 {
        self.files
    }

    pub(crate) fn dirs(&self) -> u64 {
        self.dirs
    }

    pub(crate) fn node_count(&self) -> u64 {
        self.files + self.dirs
    }

    pub(crate) fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path).map(|entry| &entry.node)
    }

    fn get_mut(&mut self, path: &str) -> Option<&mut Node> {
        self.nodes.get_mut(path).map(|entry| &mut entry.node)
    }

    /// The node at `path` with its key, which a handle can share.
    pub(crate) fn get_with_key(&self, path: &str) -> Option<(&Arc<str>, &Node)> {
        self.nodes
            .get_key_value(path)
            .map(|(key, entry)| (key, &entry.node))
    }

    pub(crate) fn dir(&self, path: &str) -> Option<&DirNode> {
        match self.get(path) {
            Some(Node::Dir(dir)) => Some(dir),
            _ => None,
        }
    }

    /// Explains why `path` is missing (call only when `get(path)` is `None`).
    pub(crate) fn miss(&self, path: &str) -> Miss {
        // The common case in one lookup: the parent is there, only the name is new.
        if let Some((parent, _)) = split_parent(path)
            && let Some(Node::Dir(_)) = self.get(parent)
        {
            return Miss::Leaf;
        }
        for ancestor in ancestors_below_root(path) {
            match self.get(ancestor) {
                None => return Miss::Ancestor(ancestor.to_owned()),
                Some(Node::File(_)) => return Miss::FileInPath(ancestor.to_owned()),
                Some(Node::Dir(_)) => {}
            }
        }
        Miss::Leaf
    }

    /// Checks that `path`'s parent is an existing directory.
    pub(crate) fn check_parent(&self, path: &str) -> Result<(), Reason> {
        let (parent, _) =
            split_parent(path).ok_or(Reason::InvalidPath("the root has no parent"))?;
        match self.get(parent) {
            Some(Node::Dir(_)) => Ok(()),
            Some(Node::File(_)) => Err(Reason::ComponentNotADirectory {
                component: parent.into(),
            }),
            None => Err(self.miss(parent).into_parent_reason(path)),
        }
    }

    /// Inserts a node at `path`, whose parent must be an existing directory and which must
    /// not exist yet (both checked by the caller).
    pub(crate) fn insert(&mut self, path: &str, node: Node) {
        self.insert_keyed(Arc::from(path), node);
    }

    /// [`insert`](Self::insert) with a key the caller already holds.
    pub(crate) fn insert_keyed(&mut self, path: Arc<str>, node: Node) {
        match self.attach(&path, |_| Ok(())) {
            Ok(slot) => self.index(path, node, slot),
            Err(_) => unreachable!("insert under a missing parent: {path}"),
        }
    }

    /// The first half of inserting a node at `path` (which must not exist): lists it in its
    /// parent, checking in the same lookup that the parent is an existing directory. `room`
    /// runs between that check and the change, given the current node count (the node limit,
    /// whose error comes after the parent's, as on Linux). On error nothing changed; on
    /// success the caller must [`index`](Self::index) the node with the slot returned.
    pub(crate) fn attach(
        &mut self,
        path: &Arc<str>,
        room: impl FnOnce(u64) -> Result<(), Reason>,
    ) -> Result<Slot, Reason> {
        let (parent, _) =
            split_parent(path).ok_or(Reason::InvalidPath("the root has no parent"))?;
        let count = self.node_count();
        match self.get_mut(parent) {
            Some(Node::Dir(dir)) => {
                room(count)?;
                dir.children.push(Arc::clone(path));
                Ok(Slot(dir.children.len() - 1))
            }
            Some(Node::File(_)) => Err(Reason::ComponentNotADirectory {
                component: parent.into(),
            }),
            None => Err(self.miss(parent).into_parent_reason(path)),
        }
    }

    /// The second half of inserting a node: makes it reachable by its path.
    pub(crate) fn index(&mut self, path: Arc<str>, node: Node, slot: Slot) {
        if node.is_dir() {
            self.dirs += 1;
        } else {
            self.files += 1;
        }
        let entry = Entry { node, slot: slot.0 };
        let previous = self.nodes.insert(path, entry);
        debug_assert!(previous.is_none(), "insert over an existing node");
    }

    /// Replaces the file at `path` with `node`, returning the old one.
    pub(crate) fn replace_file(&mut self, path: &str, node: Arc<FileNode>) -> Arc<FileNode> {
        match self.get_mut(path) {
            Some(Node::File(old)) => std::mem::replace(old, node),
            _ => unreachable!("replace_file on a non-file: {path}"),
        }
    }

    /// Detaches the node at `path` (not the root) and returns it; for a directory, the caller
    /// has emptied it or removes the descendants itself.
    pub(crate) fn remove(&mut self, path: &str) -> Option<Node> {
        let Entry { node, slot } = self.nodes.remove(path)?;
        let (parent, _) = split_parent(path).expect("the root is never removed");
        // The last child takes the removed one's place, and learns its new position.
        let moved = match self.get_mut(parent) {
            Some(Node::Dir(dir)) => {
                debug_assert_eq!(dir.children.get(slot).map(|p| &**p), Some(path));
                dir.children.swap_remove(slot);
                dir.children.get(slot).map(Arc::clone)
            }
            _ => None,
        };
        if let Some(moved) = moved
            && let Some(entry) = self.nodes.get_mut(&*moved)
        {
            entry.slot = slot;
        }
        if node.is_dir() {
            self.dirs -= 1;
        } else {
            self.files -= 1;
        }
        Some(node)
    }

    /// The paths of every node strictly below the directory `dir`, parents before children.
    pub(crate) fn descendants(&self, dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut pending = vec![dir.to_owned()];
        while let Some(current) = pending.pop() {
            if let Some(Node::Dir(node)) = self.get(current.as_str()) {
                // Reversed so the stack yields children in name order.
                for child in node.sorted_paths().into_iter().rev() {
                    pending.push(child.to_owned());
                }
            }
            if current != dir {
                out.push(current);
            }
        }
        out
    }

    /// The length of the longest path at or below `path`.
    pub(crate) fn longest_path_within(&self, path: &str) -> usize {
        self.descendants(path)
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(path.len())
    }

    /// The first open file at or below `path`, if any.
    pub(crate) fn open_file_within(&self, path: &str) -> Option<String> {
        match self.get(path)? {
            Node::File(file) => file.lock.is_locked().then(|| path.to_owned()),
            Node::Dir(_) => self.descendants(path).into_iter().find(
                |p| matches!(self.get(p.as_str()), Some(Node::File(f)) if f.lock.is_locked()),
            ),
        }
    }

    /// Removes `path` and everything below it; returns the bytes its files held.
    pub(crate) fn remove_subtree(&mut self, path: &str) -> u64 {
        let mut freed = 0;
        for descendant in self.descendants(path) {
            // Their parents go too, so their lists of children need no upkeep.
            if let Some(Entry { node, .. }) = self.nodes.remove(descendant.as_str()) {
                match node {
                    Node::File(file) => {
                        freed += file.data.read().storage.len();
                        self.files -= 1;
                    }
                    Node::Dir(_) => self.dirs -= 1,
                }
            }
        }
        if let Some(Node::File(file)) = self.remove(path) {
            freed += file.data.read().storage.len();
        }
        freed
    }

    /// Moves the node at `from` (and its subtree) to `to`, whose parent exists and which does
    /// not exist; the caller has ruled out moving a directory into itself.
    pub(crate) fn move_node(&mut self, from: &str, to: &str) {
        debug_assert!(!is_strictly_below(to, from));
        let descendants = self.descendants(from);
        let node = self.remove(from).expect("move_node source exists");
        let dirs_before = self.dirs;
        self.insert(to, node);
        // The subtree keeps its counts: only the key prefix changes.
        // Parents come before their children, so each parent already has its new key and its
        // list can be pointed at the child's.
        for old in descendants {
            let entry = self.nodes.remove(old.as_str()).expect("descendant exists");
            let new: Arc<str> = Arc::from(rebase(&old, from, to));
            let (parent, _) = split_parent(&new).expect("a descendant has a parent");
            if let Some(Node::Dir(dir)) = self.get_mut(parent) {
                dir.children[entry.slot] = Arc::clone(&new);
            }
            self.nodes.insert(new, entry);
        }
        debug_assert!(self.dirs >= dirs_before);
    }

    /// Every file's length, summed (used by consistency checks).
    #[cfg(test)]
    pub(crate) fn total_file_bytes(&self) -> u64 {
        self.nodes
            .values()
            .map(|entry| match &entry.node {
                Node::File(file) => file.data.read().storage.len(),
                Node::Dir(_) => 0,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Node {
        Node::File(FileNode::new(Storage::default(), HandleLock::default(), 0))
    }

    #[test]
    fn insert_lookup_miss() {
        let mut t = Tree::new();
        t.insert("/a", Node::new_dir());
        t.insert("/a/f", file());
        assert!(t.get("/a/f").is_some());
        assert_eq!(t.miss("/a/g"), Miss::Leaf);
        assert_eq!(t.miss("/b/c"), Miss::Ancestor("/b".into()));
        assert_eq!(t.miss("/a/f/x/y"), Miss::FileInPath("/a/f".into()));
        assert_eq!(t.node_count(), 3);
        assert_eq!(
            t.check_parent("/a/f/x"),
            Err(Reason::ComponentNotADirectory {
                component: "/a/f".into()
            })
        );
        assert_eq!(
            t.check_parent("/z/x"),
            Err(Reason::ParentNotFound {
                parent: "/z".into()
            })
        );
    }

    #[test]
    fn descendants_are_preorder_sorted() {
        let mut t = Tree::new();
        for d in ["/b", "/a", "/a/y", "/a/x"] {
            t.insert(d, Node::new_dir());
        }
        t.insert("/a/x/f", file());
        assert_eq!(t.descendants("/"), ["/a", "/a/x", "/a/x/f", "/a/y", "/b"]);
    }

    #[test]
    fn move_rekeys_subtree() {
        let mut t = Tree::new();
        t.insert("/a", Node::new_dir());
        t.insert("/a/b", Node::new_dir());
        t.insert("/a/b/f", file());
        t.insert("/z", Node::new_dir());
        t.move_node("/a", "/z/q");
        assert!(t.get("/a").is_none());
        assert!(t.get("/z/q/b/f").is_some());
        assert_eq!(t.dir("/z").unwrap().sorted_names(), ["q"]);
        assert!(t.dir("/").unwrap().sorted_names().iter().all(|n| *n != "a"));
        assert_eq!(t.node_count(), 5);
        assert_eq!(t.remove_subtree("/z"), 0);
        assert_eq!(t.node_count(), 1);
    }
}
