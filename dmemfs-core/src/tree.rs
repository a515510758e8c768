//! The namespace: every node indexed by its full normalised path, plus each directory's
//! sorted child names.
//!
//! One hash of the whole path finds any node, however deep (a walk from the root would do one
//! lookup per component). Directories keep their children in a `BTreeSet`, so listings come out
//! sorted. The price is paid by moving a directory, which re-keys its subtree.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

use compact_str::CompactString;
use parking_lot::RwLock;

use crate::error::Reason;
use crate::lock::HandleLock;
use crate::path::{ancestors_below_root, is_strictly_below, join, rebase, split_parent};
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
        self.modified = SystemTime::now();
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
        let now = SystemTime::now();
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
    /// Unordered, so adding a name costs one hash rather than a dozen string comparisons;
    /// listings sort (see [`DirNode::sorted_names`]). Names up to 24 bytes are stored inline,
    /// so most need no allocation of their own.
    pub(crate) children: HashSet<CompactString, foldhash::fast::RandomState>,
    pub(crate) created: SystemTime,
}

impl DirNode {
    /// The children's names in byte order, as listings present them.
    pub(crate) fn sorted_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.children.iter().map(CompactString::as_str).collect();
        names.sort_unstable();
        names
    }
}

#[derive(Debug)]
pub(crate) enum Node {
    File(Arc<FileNode>),
    Dir(Box<DirNode>),
}

impl Node {
    pub(crate) fn new_dir() -> Node {
        Node::Dir(Box::new(DirNode {
            children: HashSet::default(),
            created: SystemTime::now(),
        }))
    }

    pub(crate) fn is_dir(&self) -> bool {
        matches!(self, Node::Dir(_))
    }
}

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
    /// Keys are shared with open handles, which name their file without a copy.
    nodes: Map<Arc<str>, Node>,
    files: u64,
    dirs: u64,
}

impl Tree {
    pub(crate) fn new() -> Tree {
        let mut nodes = Map::default();
        nodes.insert("/".into(), Node::new_dir());
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
        self.nodes.get(path)
    }

    /// The node at `path` with its key, which a handle can share.
    pub(crate) fn get_with_key(&self, path: &str) -> Option<(&Arc<str>, &Node)> {
        self.nodes.get_key_value(path)
    }

    pub(crate) fn dir(&self, path: &str) -> Option<&DirNode> {
        match self.nodes.get(path) {
            Some(Node::Dir(dir)) => Some(dir),
            _ => None,
        }
    }

    /// Explains why `path` is missing (call only when `get(path)` is `None`).
    pub(crate) fn miss(&self, path: &str) -> Miss {
        // The common case in one lookup: the parent is there, only the name is new.
        if let Some((parent, _)) = split_parent(path)
            && let Some(Node::Dir(_)) = self.nodes.get(parent)
        {
            return Miss::Leaf;
        }
        for ancestor in ancestors_below_root(path) {
            match self.nodes.get(ancestor) {
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
        match self.nodes.get(parent) {
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
        if self.attach(&path, |_| Ok(())).is_err() {
            unreachable!("insert under a missing parent: {path}");
        }
        self.index(path, node);
    }

    /// The first half of inserting a node at `path` (which must not exist): adds its name to
    /// its parent, checking in the same lookup that the parent is an existing directory.
    /// `room` runs between that check and the change, given the current node count (the
    /// node limit, whose error comes after the parent's, as on Linux). On error nothing
    /// changed; on success the caller must [`index`](Self::index) the node.
    pub(crate) fn attach(
        &mut self,
        path: &str,
        room: impl FnOnce(u64) -> Result<(), Reason>,
    ) -> Result<(), Reason> {
        let (parent, name) =
            split_parent(path).ok_or(Reason::InvalidPath("the root has no parent"))?;
        let count = self.node_count();
        match self.nodes.get_mut(parent) {
            Some(Node::Dir(dir)) => {
                room(count)?;
                dir.children.insert(CompactString::from(name));
                Ok(())
            }
            Some(Node::File(_)) => Err(Reason::ComponentNotADirectory {
                component: parent.into(),
            }),
            None => Err(self.miss(parent).into_parent_reason(path)),
        }
    }

    /// The second half of inserting a node: makes it reachable by its path.
    pub(crate) fn index(&mut self, path: Arc<str>, node: Node) {
        if node.is_dir() {
            self.dirs += 1;
        } else {
            self.files += 1;
        }
        let previous = self.nodes.insert(Arc::clone(&path), node);
        debug_assert!(previous.is_none(), "insert over an existing node: {path}");
    }

    /// Replaces the file at `path` with `node`, returning the old one.
    pub(crate) fn replace_file(&mut self, path: &str, node: Arc<FileNode>) -> Arc<FileNode> {
        match self.nodes.get_mut(path) {
            Some(Node::File(old)) => std::mem::replace(old, node),
            _ => unreachable!("replace_file on a non-file: {path}"),
        }
    }

    /// Detaches the node at `path` (not the root) and returns it; for a directory, the caller
    /// has emptied it or removes the descendants itself.
    pub(crate) fn remove(&mut self, path: &str) -> Option<Node> {
        let node = self.nodes.remove(path)?;
        let (parent, name) = split_parent(path).expect("the root is never removed");
        if let Some(Node::Dir(dir)) = self.nodes.get_mut(parent) {
            dir.children.remove(name);
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
            if let Some(Node::Dir(node)) = self.nodes.get(current.as_str()) {
                // Reversed so the stack yields children in name order.
                for name in node.sorted_names().into_iter().rev() {
                    let child = join(&current, name);
                    pending.push(child);
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
        match self.nodes.get(path)? {
            Node::File(file) => file.lock.is_locked().then(|| path.to_owned()),
            Node::Dir(_) => self.descendants(path).into_iter().find(
                |p| matches!(self.nodes.get(p.as_str()), Some(Node::File(f)) if f.lock.is_locked()),
            ),
        }
    }

    /// Removes `path` and everything below it; returns the bytes its files held.
    pub(crate) fn remove_subtree(&mut self, path: &str) -> u64 {
        let mut freed = 0;
        for descendant in self.descendants(path) {
            if let Some(node) = self.nodes.remove(descendant.as_str()) {
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
        for old in descendants {
            let node = self.nodes.remove(old.as_str()).expect("descendant exists");
            self.nodes.insert(Arc::from(rebase(&old, from, to)), node);
        }
        debug_assert!(self.dirs >= dirs_before);
    }

    /// Every file's length, summed (used by consistency checks).
    #[cfg(test)]
    pub(crate) fn total_file_bytes(&self) -> u64 {
        self.nodes
            .values()
            .map(|node| match node {
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
        assert!(t.dir("/").unwrap().children.iter().all(|n| &**n != "a"));
        assert_eq!(t.node_count(), 5);
        assert_eq!(t.remove_subtree("/z"), 0);
        assert_eq!(t.node_count(), 1);
    }
}
