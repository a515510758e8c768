//! The namespace's index: every node by its full normalised path, in one hash table.
//!
//! Each entry keeps its path's hash, so that growing the table moves entries without hashing
//! every path again, and an operation that looks a path up and then inserts it (every create)
//! hashes it once: [`Index::hash`] then the `_hashed` lookups and [`Index::insert`].

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;

use super::node::Node;
use crate::error::Reason;
use crate::path::split_parent;

/// A path's hash in the [`Index`]. 32 bits, so that an entry stays 40 bytes (key, node,
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

/// An index entry: the node under its path, and its position in its parent's list of
/// children.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) key: Arc<str>,
    pub(super) node: Node,
    pub(super) slot: u32,
    hash: PathHash,
}

#[derive(Debug, Default)]
pub(super) struct Index {
    table: HashTable<Entry>,
    state: foldhash::fast::RandomState,
}

impl Index {
    pub(super) fn hash(&self, path: &str) -> PathHash {
        // Folded to the low half: every bit of foldhash's output is mixed.
        PathHash(self.state.hash_one(path) as u32)
    }

    pub(super) fn get_hashed(&self, path: &str, hash: PathHash) -> Option<&Entry> {
        self.table.find(hash.spread(), |entry| &*entry.key == path)
    }

    pub(super) fn get(&self, path: &str) -> Option<&Entry> {
        self.get_hashed(path, self.hash(path))
    }

    pub(super) fn get_mut(&mut self, path: &str) -> Option<&mut Entry> {
        let hash = self.hash(path);
        self.table
            .find_mut(hash.spread(), |entry| &*entry.key == path)
    }

    /// Inserts `key`, which must not be in the index, hashed as `hash`.
    pub(super) fn insert(&mut self, key: Arc<str>, hash: PathHash, node: Node, slot: usize) {
        debug_assert!(hash == self.hash(&key), "stale hash for {key}");
        // Opens rely on it: a path given that is a key needs no normalising. (Checked with
        // `/` as the only separator, which holds under either syntax: a backslash can only
        // be in a key where it is a name byte.)
        debug_assert!(
            crate::path::normalize_in(&key, crate::path::Syntax::Linux).is_ok_and(|p| p == *key),
            "index key not normalised: {key:?}"
        );
        debug_assert!(self.get_hashed(&key, hash).is_none(), "insert over {key}");
        let entry = Entry {
            key,
            node,
            slot: slot_number(slot),
            hash,
        };
        self.table
            .insert_unique(hash.spread(), entry, |entry| entry.hash.spread());
    }

    /// Takes the entry at `path` out.
    pub(super) fn remove(&mut self, path: &str) -> Option<Entry> {
        let hash = self.hash(path);
        match self
            .table
            .find_entry(hash.spread(), |entry| &*entry.key == path)
        {
            Ok(found) => Some(found.remove().0),
            Err(_) => None,
        }
    }

    /// Puts `entry` back under the path `key` (a moved node).
    pub(super) fn reinsert(&mut self, key: Arc<str>, entry: Entry) {
        let hash = self.hash(&key);
        self.insert(key, hash, entry.node, entry.slot as usize);
    }

    #[cfg(test)]
    pub(super) fn values(&self) -> impl Iterator<Item = &Entry> {
        self.table.iter()
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
