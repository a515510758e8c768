//! The namespace: every name indexed by its full normalised path, each directory's list of
//! child names, and the inode table.
//!
//! One hash of the whole path finds any node, however deep (a walk from the root would do one
//! lookup per component). Directories list their children by their entries' numbers in the
//! index, unordered, each entry remembering its position in its parent's list: adding or
//! removing a name costs no hashing and no string comparison, and listings sort when asked.
//! The price is paid by moving a directory, which re-keys its subtree (its lists stay).
//!
//! Names are separate from nodes: a file may have several names (hard links), and lives while
//! a name or a pin (an open handle) holds it. Every node has an inode number, which finds it
//! without a path: a directory by its one path, a file by a weak reference in the inode table,
//! kept only once something looks files up by number ([`Tree::number_files`]; until then a
//! file costs no slot). A directory's number is freed when it is removed; a file's when its
//! last name goes, or, for an orphan (unlinked while open), when it drops.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use super::key::Key;

use super::attrs::Stamp;
pub(crate) use super::index::Miss;
use super::index::{Entry, Id, Index, PathHash, slot_number};
use super::ledger::freed_bytes;
use super::ledger::{Ino, Ledger};
use super::node::{DirNode, FileNode, Node, SymlinkNode};
use crate::error::{PathError, Reason};
use crate::path::{ancestors_below_root, is_strictly_below, rebase, split_parent};

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The last name of a normalised path other than the root.
pub(crate) fn name_of(path: &str) -> &str {
    split_parent(path).map_or(path, |(_, name)| name)
}

/// A child's position in its parent's list, its path's hash and its entry's number, from
/// [`Tree::attach`] to [`Tree::index`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pos: usize,
    hash: PathHash,
    id: Id,
}

/// The root directory's inode number (FUSE's `FUSE_ROOT_ID`).
pub(crate) const ROOT_INO: Ino = 1;

/// A node found by its inode number.
#[derive(Debug)]
pub(crate) enum ByIno {
    File(Arc<FileNode>),
    Symlink(Arc<SymlinkNode>),
    Dir(Key),
}

#[derive(Debug)]
pub(crate) struct Tree {
    /// Keys are shared with open handles, which name their file without a copy, and with
    /// the parents' lists of children.
    nodes: Index,
    /// Files by inode number (8 bytes a slot; `None` for free numbers, directories and
    /// links); slot 0 is never used. Empty until [`Tree::number_files`].
    inodes: Vec<Option<Weak<FileNode>>>,
    numbered: bool,
    /// The lowest number never given.
    next_ino: Ino,
    /// Orphans by number while files are not numbered, so that numbering finds them (few:
    /// files unlinked while open).
    orphans: Map<Ino, Weak<FileNode>>,
    /// Directories by inode number: each has exactly one name, its current path.
    dir_inos: Map<Ino, Key>,
    /// Symbolic links by inode number (few: a map rather than a slot in every file's table).
    link_inos: Map<Ino, Weak<SymlinkNode>>,
    free_inos: Vec<Ino>,
    /// File inodes (not names) and directories; symbolic links are counted in the ledger,
    /// where paths are resolved without the tree's lock while there are none.
    files: u64,
    dirs: u64,
    pub(super) ledger: Arc<Ledger>,
    /// Names that stopped naming their node under the current write lock, as (directory's
    /// inode number, name): told to the watchers once it is released (see `watch.rs`).
    /// Recorded only while someone watches.
    gone: Vec<(Ino, Box<str>)>,
    watched: bool,
}

impl Tree {
    pub(crate) fn new(ledger: Arc<Ledger>) -> Tree {
        let mut tree = Tree {
            nodes: Index::default(),
            inodes: Vec::new(),
            numbered: false,
            next_ino: ROOT_INO,
            orphans: Map::default(),
            dir_inos: Map::default(),
            link_inos: Map::default(),
            free_inos: Vec::new(),
            files: 0,
            dirs: 0,
            ledger,
            gone: Vec::new(),
            watched: false,
        };
        let root = Key::from("/");
        let hash = tree.nodes.hash(&root);
        let id = tree.nodes.reserve();
        tree.index(
            root,
            Node::new_dir(tree.ledger.now()),
            Slot { pos: 0, hash, id },
        );
        tree
    }

    pub(crate) fn files(&self) -> u64 {
        self.files
    }

    pub(crate) fn dirs(&self) -> u64 {
        self.dirs
    }

    pub(crate) fn symlinks(&self) -> u64 {
        self.ledger.symlinks()
    }

    pub(crate) fn node_count(&self) -> u64 {
        self.files + self.dirs + self.symlinks()
    }

    pub(crate) fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path).map(|entry| &entry.node)
    }

    fn get_mut(&mut self, path: &str) -> Option<&mut Node> {
        self.nodes.get_mut(path).map(|entry| &mut entry.node)
    }

    /// The node at `path` with its key, which a handle can share.
    pub(crate) fn get_with_key(&self, path: &str) -> Option<(&Key, &Node)> {
        self.get_with_key_hashed(path, self.hash(path))
    }

    /// `path`'s hash, for a lookup followed by an insertion that hash it once.
    pub(crate) fn hash(&self, path: &str) -> PathHash {
        self.nodes.hash(path)
    }

    /// [`get_with_key`](Self::get_with_key) with the path's [`hash`](Self::hash).
    pub(crate) fn get_with_key_hashed(&self, path: &str, hash: PathHash) -> Option<(&Key, &Node)> {
        self.nodes
            .get_hashed(path, hash)
            .map(|entry| (&entry.key, &entry.node))
    }

    /// The attributes of the directory at `path`, to change them.
    pub(crate) fn dir_attrs_mut(&mut self, path: &str) -> Option<&mut super::Attrs> {
        match self.get_mut(path) {
            Some(Node::Dir(dir)) => Some(&mut dir.attrs),
            _ => None,
        }
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
                // A symbolic link here was not resolved: callers resolve paths first.
                Some(Node::File(_) | Node::Symlink(_)) => {
                    return Miss::FileInPath(ancestor.to_owned());
                }
                Some(Node::Dir(_)) => {}
            }
        }
        Miss::Leaf
    }

    /// The directories among `dirs` (a path's chain, parents first) that do not exist yet, for
    /// an operation that creates them; `Err(dir)` names the first that is a file or a link
    /// (never followed here: callers resolve links first), or that `blocked` says will be one.
    /// The one computation of missing parents: `create_dir_all`, `move_path`, batches and
    /// streaming extraction.
    pub(crate) fn missing_dirs<'p>(
        &self,
        dirs: impl IntoIterator<Item = &'p str>,
        blocked: impl Fn(&str) -> bool,
    ) -> Result<Vec<&'p str>, &'p str> {
        let mut missing = Vec::new();
        for dir in dirs {
            match self.get(dir) {
                Some(Node::Dir(_)) => {}
                Some(Node::File(_) | Node::Symlink(_)) => return Err(dir),
                None if blocked(dir) => return Err(dir),
                None => missing.push(dir),
            }
        }
        Ok(missing)
    }

    /// Checks that `path`'s parent is an existing directory.
    pub(crate) fn check_parent(&self, path: &str) -> Result<(), Reason> {
        let (parent, _) =
            split_parent(path).ok_or(Reason::InvalidPath(PathError::RootHasNoParent))?;
        match self.get(parent) {
            Some(Node::Dir(_)) => Ok(()),
            Some(Node::File(_) | Node::Symlink(_)) => Err(Reason::ComponentNotADirectory {
                component: parent.into(),
            }),
            None => Err(self.miss(parent).into_parent_reason(path)),
        }
    }

    /// Inserts a node at `path`, whose parent must be an existing directory and which must
    /// not exist yet (both checked by the caller). A file node already named elsewhere gains a
    /// name (a hard link).
    pub(crate) fn insert(&mut self, path: &str, node: Node) {
        self.insert_keyed(Key::from(path), node);
    }

    /// Inserts a new empty directory at `path` (as [`insert`](Self::insert)).
    pub(crate) fn insert_dir(&mut self, path: &str) {
        let node = Node::new_dir(self.ledger.now());
        self.insert(path, node);
    }

    /// [`insert`](Self::insert) with a key the caller already holds.
    pub(crate) fn insert_keyed(&mut self, path: Key, node: Node) {
        match self.attach(&path, node.is_dir(), |_| Ok(())) {
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
        path: &str,
        is_dir: bool,
        room: impl FnOnce(u64) -> Result<(), Reason>,
    ) -> Result<Slot, Reason> {
        let now = self.ledger.now();
        self.attach_hashed(path, self.hash(path), now, is_dir, room)
    }

    /// [`attach`](Self::attach) with the path's [`hash`](Self::hash), stamping the parent
    /// with `now` (the new node's own time: one clock read per create).
    pub(crate) fn attach_hashed(
        &mut self,
        path: &str,
        hash: PathHash,
        now: Stamp,
        is_dir: bool,
        room: impl FnOnce(u64) -> Result<(), Reason>,
    ) -> Result<Slot, Reason> {
        let (parent, _) =
            split_parent(path).ok_or(Reason::InvalidPath(PathError::RootHasNoParent))?;
        let count = self.node_count();
        let parent_id = match self.nodes.find(parent) {
            Some(id) => id,
            None => return Err(self.miss(parent).into_parent_reason(path)),
        };
        if !self.nodes.entry(parent_id).node.is_dir() {
            return Err(Reason::ComponentNotADirectory {
                component: parent.into(),
            });
        }
        room(count)?;
        let id = self.nodes.reserve();
        let Node::Dir(dir) = &mut self.nodes.entry_mut(parent_id).node else {
            unreachable!("checked above");
        };
        dir.children.push(id);
        dir.attrs.modify(now);
        dir.subdirs += u32::from(is_dir);
        Ok(Slot {
            pos: dir.children.len() - 1,
            hash,
            id,
        })
    }

    /// The second half of inserting a node: makes it reachable by its path, numbering it if
    /// it is new.
    pub(crate) fn index(&mut self, path: Key, mut node: Node, slot: Slot) {
        match &mut node {
            Node::Dir(dir) => {
                dir.ino = self.alloc_ino(None);
                self.dir_inos.insert(dir.ino, path.clone());
                self.dirs += 1;
            }
            Node::File(file) => self.link_file(file),
            Node::Symlink(link) => {
                if link.id.link(|| self.alloc_ino(None)) {
                    self.link_inos.insert(link.id.ino(), Arc::downgrade(link));
                    self.ledger.count_symlinks(1);
                }
            }
        }
        self.nodes.insert(slot.id, path, slot.hash, node, slot.pos);
    }

    /// Gives a file node a name: a new inode on its first, an orphan taken back keeps its.
    fn link_file(&mut self, file: &Arc<FileNode>) {
        if file.adopt() {
            if !self.numbered {
                self.orphans.remove(&file.ino());
            }
            file.id.relink();
            self.files += 1;
            return;
        }
        if file.id.link(|| self.alloc_ino(Some(file))) {
            self.files += 1;
        }
    }

    /// From now on, records the names that stop naming their node (see [`Tree::take_gone`]).
    pub(crate) fn watch(&mut self) {
        self.watched = true;
    }

    /// Whether names stopped naming their node since [`Tree::take_gone`] last ran.
    #[inline]
    pub(crate) fn has_gone(&self) -> bool {
        !self.gone.is_empty()
    }

    /// The names that stopped naming their node since the last call.
    pub(crate) fn take_gone(&mut self) -> Vec<(Ino, Box<str>)> {
        std::mem::take(&mut self.gone)
    }

    fn record_gone(&mut self, parent_ino: Ino, path: &str) {
        if self.watched {
            self.gone.push((parent_ino, name_of(path).into()));
        }
    }

    /// Replaces the file at `path` with `node`, returning the old one; the caller settles the
    /// old file's bytes (see [`freed_bytes`]).
    pub(crate) fn replace_file(&mut self, path: &str, node: Arc<FileNode>) -> Arc<FileNode> {
        if self.watched
            && let Some((parent, _)) = split_parent(path)
            && let Some(Node::Dir(dir)) = self.get(parent)
        {
            // The name now leads to another node.
            let parent_ino = dir.ino;
            self.record_gone(parent_ino, path);
        }
        self.link_file(&node);
        let old = match self.get_mut(path) {
            Some(Node::File(old)) => std::mem::replace(old, node),
            _ => unreachable!("replace_file on a non-file: {path}"),
        };
        self.unlinked(&old);
        old
    }

    /// Takes the entry at `path` out of the index and its parent's list, keeping its inode.
    fn detach(&mut self, path: &str) -> Option<Entry> {
        let entry = self.nodes.remove(path)?;
        let (parent, _) = split_parent(path).expect("the root is never removed");
        let now = self.ledger.now();
        let is_dir = entry.node.is_dir();
        let slot = entry.slot as usize;
        // The last child takes the removed one's place, and learns its new position.
        let mut parent_ino = None;
        let moved = match self.get_mut(parent) {
            Some(Node::Dir(dir)) => {
                dir.children.swap_remove(slot);
                dir.attrs.modify(now);
                dir.subdirs -= u32::from(is_dir);
                parent_ino = Some(dir.ino);
                dir.children.get(slot).copied()
            }
            _ => None,
        };
        if let Some(parent_ino) = parent_ino {
            self.record_gone(parent_ino, path);
        }
        if let Some(moved) = moved {
            self.nodes.entry_mut(moved).slot = slot_number(slot);
        }
        Some(entry)
    }

    /// Accounts for a node that lost a name.
    fn unlinked_node(&mut self, node: &Node) {
        match node {
            Node::Dir(dir) => {
                self.dirs -= 1;
                self.free_ino(dir.ino);
            }
            Node::File(file) => self.unlinked(file),
            Node::Symlink(link) => {
                if link.id.unlink() {
                    self.ledger.count_symlinks(-1);
                    self.free_ino(link.id.ino());
                }
            }
        }
    }

    fn unlinked(&mut self, file: &Arc<FileNode>) {
        if !file.id.unlink() {
            return;
        }
        self.files -= 1;
        if file.is_pinned() {
            // Open: the file keeps its bytes and its number until its last handle drops.
            file.orphan(&self.ledger);
            if !self.numbered {
                self.orphans.insert(file.ino(), Arc::downgrade(file));
            }
        } else {
            self.free_ino(file.ino());
        }
    }

    /// Detaches the node at `path` (not the root) and returns it; for a directory, the caller
    /// has emptied it or removes the descendants itself. The caller settles a file's bytes
    /// (see [`freed_bytes`]).
    pub(crate) fn remove(&mut self, path: &str) -> Option<Node> {
        let Entry { node, .. } = self.detach(path)?;
        self.unlinked_node(&node);
        Some(node)
    }

    /// The paths of every node strictly below the directory `dir`, parents before children.
    pub(crate) fn descendants(&self, dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut pending = vec![dir.to_owned()];
        while let Some(current) = pending.pop() {
            if let Some(Node::Dir(node)) = self.get(current.as_str()) {
                // Reversed so the stack yields children in name order.
                for child in self.sorted_paths(node).into_iter().rev() {
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

    /// The first file at or below `path` whose lock a handle or an operation holds (locked
    /// mode), if any. Pins alone (a streaming extraction keeping a file it replaced) do not
    /// count: they never stop a removal, they make the file an orphan.
    pub(crate) fn open_file_within(&self, path: &str) -> Option<String> {
        match self.get(path)? {
            Node::File(file) => file.lock.is_locked().then(|| path.to_owned()),
            Node::Symlink(_) => None,
            Node::Dir(_) => self.descendants(path).into_iter().find(
                |p| matches!(self.get(p.as_str()), Some(Node::File(f)) if f.lock.is_locked()),
            ),
        }
    }

    /// Removes `path` and everything below it; returns the bytes its files held that are free
    /// now (not those of files still linked elsewhere or still open).
    pub(crate) fn remove_subtree(&mut self, path: &str) -> u64 {
        let mut freed = 0;
        for descendant in self.descendants(path) {
            // Their parents go too, so their lists of children need no upkeep.
            if let Some(Entry { node, .. }) = self.nodes.remove(descendant.as_str()) {
                self.unlinked_node(&node);
                freed += freed_bytes(&node);
            }
        }
        if let Some(node) = self.remove(path) {
            freed += freed_bytes(&node);
        }
        freed
    }

    /// Moves the node at `from` (and its subtree) to `to`, whose parent exists and which does
    /// not exist; the caller has ruled out moving a directory into itself. Nodes keep their
    /// inode numbers.
    pub(crate) fn move_node(&mut self, from: &str, to: &str) {
        debug_assert!(!is_strictly_below(to, from));
        let descendants = self.descendants(from);
        let entry = self.detach(from).expect("move_node source exists");
        let key = Key::from(to);
        let slot = match self.attach(to, entry.node.is_dir(), |_| Ok(())) {
            Ok(slot) => slot,
            Err(_) => unreachable!("move under a missing parent: {to}"),
        };
        self.renamed(&entry.node, &key);
        self.nodes
            .insert(slot.id, key, slot.hash, entry.node, slot.pos);
        // The subtree keeps its counts, its entries' numbers and so its lists of children:
        // only the key prefix changes.
        for old in descendants {
            let id = self.nodes.find(&old).expect("descendant exists");
            let new = Key::from(rebase(&old, from, to).as_str());
            if let Node::Dir(dir) = &self.nodes.entry(id).node {
                self.dir_inos.insert(dir.ino, new.clone());
            }
            self.nodes.rekey(id, new);
        }
    }

    /// Points a moved directory's inode slot at its new path.
    fn renamed(&mut self, node: &Node, path: &Key) {
        if let Node::Dir(dir) = node {
            self.dir_inos.insert(dir.ino, path.clone());
        }
    }

    /// The children's full paths in byte order, as listings present them (paths under one
    /// directory sort as their names do).
    pub(crate) fn sorted_paths(&self, dir: &DirNode) -> Vec<&str> {
        let mut paths: Vec<&str> = dir
            .children
            .iter()
            .map(|&id| self.nodes.entry(id).key.as_str())
            .collect();
        paths.sort_unstable();
        paths
    }

    /// The children's names in byte order.
    pub(crate) fn sorted_names(&self, dir: &DirNode) -> Vec<&str> {
        self.sorted_paths(dir).into_iter().map(name_of).collect()
    }

    /// Every file's length, summed (used by consistency checks).
    #[cfg(test)]
    pub(crate) fn total_file_bytes(&self) -> u64 {
        self.nodes
            .values()
            .map(|entry| match &entry.node {
                Node::File(file) => file.data.read().storage.len(),
                Node::Dir(_) | Node::Symlink(_) => 0,
            })
            .sum()
    }
}

mod numbers;
#[cfg(test)]
mod tests;
