//! The namespace's index: every name by its full normalised path.
//!
//! Entries (a path, its node, its position in its parent's list) live in a slab, numbered:
//! a directory lists its children by number (4 bytes each, where a shared path took 16), and
//! a number stays the entry's while it is renamed. The hash table holds only the numbers (4
//! bytes a bucket, where whole entries of 40 bytes filled 1.6 buckets each on average), and
//! finds a path by comparing it with the entry's key, short keys being inline in the entry.
//!
//! Each entry keeps its path's hash, so that growing the table moves numbers without hashing
//! every path again, and an operation that looks a path up and then inserts it (every create)
//! hashes it once: [`Index::hash`] then the `_hashed` lookups and [`Index::insert`].

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::key::Key;
use super::node::Node;
use crate::error::Reason;
use crate::path::split_parent;

/// A path's hash in the [`Index`]. 32 bits, so that an entry stays 48 bytes (key, node,
/// position and hash); [`PathHash::spread`] gives the table the 64 bits it probes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PathHash(u32);

impl PathHash {
    /// The table's hash: the 32 bits multiplied by an odd constant, a bijection that puts
    /// varied bits at the top too (the table takes its 7-bit tags from there).
    fn spread(self) -> u64 {
        u64::from(self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// An entry's number in the slab, stable while it lives (renames keep it).
pub(super) type Id = u32;

/// An index entry: the node under its path, and its position in its parent's list of
/// children.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) key: Key,
    pub(super) node: Node,
    pub(super) slot: u32,
    hash: PathHash,
}

#[derive(Debug, Default)]
pub(super) struct Index {
    table: HashTable<Id>,
    slab: Slab,
    state: foldhash::fast::RandomState,
}

impl Index {
    pub(super) fn hash(&self, path: &str) -> PathHash {
        // Folded to the low half: every bit of foldhash's output is mixed.
        PathHash(self.state.hash_one(path) as u32)
    }

    #[inline]
    pub(super) fn find_hashed(&self, path: &str, hash: PathHash) -> Option<Id> {
        let slab = &self.slab;
        self.table
            .find(hash.spread(), |&id| slab.get(id).key.is(path))
            .copied()
    }

    pub(super) fn find(&self, path: &str) -> Option<Id> {
        self.find_hashed(path, self.hash(path))
    }

    #[inline]
    pub(super) fn get_hashed(&self, path: &str, hash: PathHash) -> Option<&Entry> {
        self.find_hashed(path, hash).map(|id| self.slab.get(id))
    }

    pub(super) fn get(&self, path: &str) -> Option<&Entry> {
        self.get_hashed(path, self.hash(path))
    }

    pub(super) fn get_mut(&mut self, path: &str) -> Option<&mut Entry> {
        let id = self.find(path)?;
        Some(self.slab.get_mut(id))
    }

    /// The entry numbered `id` (one alive: a number from a directory's list or a lookup).
    pub(super) fn entry(&self, id: Id) -> &Entry {
        self.slab.get(id)
    }

    pub(super) fn entry_mut(&mut self, id: Id) -> &mut Entry {
        self.slab.get_mut(id)
    }

    /// A number for an entry that [`insert`](Self::insert) fills next (a parent lists the
    /// child before it is indexed).
    pub(super) fn reserve(&mut self) -> Id {
        self.slab.reserve()
    }

    /// Inserts `key`, which must not be in the index, hashed as `hash`, under the number
    /// [`reserve`](Self::reserve) gave.
    pub(super) fn insert(&mut self, id: Id, key: Key, hash: PathHash, node: Node, slot: usize) {
        debug_assert!(hash == self.hash(&key), "stale hash for {key}");
        // Opens rely on it: a path given that is a key needs no normalising. (Checked with
        // `/` as the only separator, which holds under either syntax: a backslash can only
        // be in a key where it is a name byte.)
        debug_assert!(
            crate::path::normalize_in(&key, crate::path::Syntax::Linux).is_ok_and(|p| p == *key),
            "index key not normalised: {key:?}"
        );
        debug_assert!(self.get_hashed(&key, hash).is_none(), "insert over {key}");
        self.slab.fill(
            id,
            Entry {
                key,
                node,
                slot: slot_number(slot),
                hash,
            },
        );
        let slab = &self.slab;
        self.table
            .insert_unique(hash.spread(), id, |&id| slab.get(id).hash.spread());
    }

    /// Takes the entry at `path` out, freeing its number.
    pub(super) fn remove(&mut self, path: &str) -> Option<Entry> {
        let hash = self.hash(path);
        let slab = &self.slab;
        let id = match self
            .table
            .find_entry(hash.spread(), |&id| slab.get(id).key.is(path))
        {
            Ok(found) => found.remove().0,
            Err(_) => return None,
        };
        Some(self.slab.free(id))
    }

    /// Gives the entry numbered `id` the path `key` (a moved node), keeping its number.
    pub(super) fn rekey(&mut self, id: Id, key: Key) {
        let old = self.slab.get(id).hash;
        match self.table.find_entry(old.spread(), |&found| found == id) {
            Ok(found) => drop(found.remove()),
            Err(_) => unreachable!("rekey of an entry not in the table"),
        }
        let hash = self.hash(&key);
        let entry = self.slab.get_mut(id);
        entry.key = key;
        entry.hash = hash;
        let slab = &self.slab;
        self.table
            .insert_unique(hash.spread(), id, |&id| slab.get(id).hash.spread());
    }

    /// Every node, in no order (a node with several names more than once).
    pub(super) fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.slab
            .pages
            .iter()
            .flatten()
            .flatten()
            .map(|entry| &entry.node)
    }

    #[cfg(test)]
    pub(super) fn values(&self) -> impl Iterator<Item = &Entry> {
        self.table.iter().map(|&id| self.slab.get(id))
    }
}

/// The entries, in pages of [`PAGE`] that never grow once full: growing copies only the first
/// page, and leaves at most one page unused (a `Vec` that doubles leaves up to half of
/// itself). The first page grows as a `Vec` does, so a filesystem of a few files stays small.
#[derive(Debug, Default)]
struct Slab {
    pages: Vec<Vec<Option<Entry>>>,
    /// Numbers given out so far (the next new one).
    len: Id,
    free: Vec<Id>,
}

const PAGE_BITS: u32 = 10;
const PAGE: usize = 1 << PAGE_BITS;

/// The page of number `id` and its place there.
#[inline]
fn locate(id: Id) -> (usize, usize) {
    ((id >> PAGE_BITS) as usize, id as usize & (PAGE - 1))
}

impl Slab {
    #[inline]
    fn get(&self, id: Id) -> &Entry {
        let (page, at) = locate(id);
        self.pages[page][at].as_ref().expect("a live entry")
    }

    #[inline]
    fn get_mut(&mut self, id: Id) -> &mut Entry {
        let (page, at) = locate(id);
        self.pages[page][at].as_mut().expect("a live entry")
    }

    fn reserve(&mut self) -> Id {
        if let Some(id) = self.free.pop() {
            return id;
        }
        let id = self.len;
        let (page, at) = locate(id);
        if page == self.pages.len() {
            // Past the first page, each page is taken whole at once.
            let size = if page == 0 { 0 } else { PAGE };
            self.pages.push(Vec::with_capacity(size));
        }
        debug_assert_eq!(self.pages[page].len(), at);
        self.pages[page].push(None);
        self.len = id.checked_add(1).expect("fewer than 2^32 names");
        id
    }

    fn fill(&mut self, id: Id, entry: Entry) {
        let (page, at) = locate(id);
        let slot = &mut self.pages[page][at];
        debug_assert!(slot.is_none(), "fill of a live entry");
        *slot = Some(entry);
    }

    fn free(&mut self, id: Id) -> Entry {
        let (page, at) = locate(id);
        let entry = self.pages[page][at].take().expect("a live entry");
        self.free.push(id);
        entry
    }
}

/// A position in a directory's list: a directory cannot hold 2^32 children in any memory
/// this runs in (inode numbers are 32 bits too).
pub(super) fn slot_number(slot: usize) -> u32 {
    u32::try_from(slot).expect("fewer than 2^32 children per directory")
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
