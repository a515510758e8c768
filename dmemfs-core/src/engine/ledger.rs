//! The ledger: what the filesystem's files are charged against (the byte quota and the
//! memory guard), the clock they are stamped with, and the inode numbers freed by files that
//! died outside the tree's lock.
//!
//! Every file node holds the ledger, so a file charges and refunds its own bytes wherever it
//! lives: linked in the tree, or unlinked and still open (POSIX mode), whose bytes count until
//! its last handle drops, as on tmpfs.

use super::attrs::Stamp;
use crate::path::Syntax;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};

use parking_lot::Mutex;

use crate::clock::Clock;
use crate::error::Reason;
use crate::guard::GuardState;
use crate::quota::{Quota, Reservation};
use crate::storage::Storage;

use super::node::{FileNode, Node};

/// An inode number: stable for the node's life, reused (with a new generation) after.
pub(crate) type Ino = u64;

pub(crate) struct Ledger {
    pub(crate) quota: Quota,
    pub(crate) guard: GuardState,
    /// The node limit (`None`: none).
    pub(crate) max_nodes: Option<u64>,
    /// `zeroize_on_free`: file contents are wiped before their memory is freed.
    pub(crate) zeroize: bool,
    clock: Option<Arc<dyn Clock>>,
    /// Inode numbers of files whose last reference dropped; the namespace reuses them.
    dead: Mutex<Vec<Ino>>,
    /// Whether `dead` may hold any: read on every inode allocation, which then skips the
    /// mutex (orphans are rare).
    any_dead: AtomicBool,
    /// Symbolic link inodes in the tree (changed only by the tree, under its write lock).
    /// Read without the lock: while it is 0, paths need no resolution.
    symlinks: AtomicU64,
    /// Which bytes separate path names (from the semantics: `\` is a name byte in POSIX).
    pub(crate) syntax: Syntax,
    /// Set once a number must never be given twice (a FUSE mount: the kernel may still name
    /// a removed node by its number).
    unique_inos: AtomicBool,
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ledger")
            .field("quota", &self.quota)
            .field("zeroize", &self.zeroize)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Ledger {
    pub(crate) fn new(
        quota: Quota,
        guard: GuardState,
        zeroize: bool,
        clock: Option<Arc<dyn Clock>>,
        max_nodes: Option<u64>,
        syntax: Syntax,
    ) -> Ledger {
        Ledger {
            quota,
            guard,
            max_nodes,
            zeroize,
            clock,
            dead: Mutex::new(Vec::new()),
            any_dead: AtomicBool::new(false),
            symlinks: AtomicU64::new(0),
            syntax,
            unique_inos: AtomicBool::new(false),
        }
    }

    #[cfg(test)]
    pub(crate) fn for_tests() -> Ledger {
        let guard = GuardState::new(crate::guard::MemoryGuard::OFF, crate::guard::no_probe());
        Ledger::new(
            Quota::new(u64::MAX),
            guard,
            false,
            None,
            None,
            Syntax::Dmemfs,
        )
    }

    /// Charges `bytes` of growth to the quota, then asks the memory guard.
    pub(crate) fn reserve(&self, bytes: u64) -> Result<Reservation<'_>, Reason> {
        let reservation = self.quota.reserve(bytes)?;
        if bytes > 0 && self.guard.is_per_write() {
            self.guard.check_growth(bytes)?;
            return Ok(reservation.granted_by(&self.guard));
        }
        Ok(reservation)
    }

    /// Checks that `new` more nodes fit the node limit, given the `current` count.
    pub(crate) fn check_nodes(&self, current: u64, new: u64) -> Result<(), Reason> {
        match self.max_nodes {
            Some(limit) if current.saturating_add(new) > limit => Err(Reason::NodeLimit {
                requested: new,
                current,
                limit,
            }),
            _ => Ok(()),
        }
    }

    /// Gives back bytes files no longer hold.
    pub(crate) fn release(&self, bytes: u64) {
        self.quota.release(bytes);
        self.guard.refund(bytes);
    }

    /// Marks new contents for wiping when the filesystem was built with `zeroize_on_free`.
    pub(crate) fn contents(&self, storage: Storage) -> Storage {
        storage.secret(self.zeroize)
    }

    /// The time to stamp a node with: the injected clock's, or the system's coarse clock.
    pub(crate) fn now(&self) -> Stamp {
        match &self.clock {
            Some(clock) => Stamp::new(clock.now()),
            None => crate::clock::now(),
        }
    }

    pub(crate) fn symlinks(&self) -> u64 {
        self.symlinks.load(SeqCst)
    }

    pub(super) fn count_symlinks(&self, change: i64) {
        if change >= 0 {
            self.symlinks.fetch_add(change.unsigned_abs(), SeqCst);
        } else {
            self.symlinks.fetch_sub(change.unsigned_abs(), SeqCst);
        }
    }

    /// From now on, freed inode numbers are not given again.
    pub(crate) fn keep_inos_unique(&self) {
        self.unique_inos.store(true, SeqCst);
    }

    pub(crate) fn inos_unique(&self) -> bool {
        self.unique_inos.load(SeqCst)
    }

    /// Records that the file with inode `ino` is gone.
    pub(crate) fn bury(&self, ino: Ino) {
        self.dead.lock().push(ino);
        self.any_dead.store(true, SeqCst);
    }

    /// Takes the inode numbers freed since the last call.
    #[inline]
    pub(crate) fn take_dead(&self, into: &mut Vec<Ino>) {
        // A read first: on the common path nothing was buried, and it stays a plain load.
        if !self.any_dead.load(SeqCst) || !self.any_dead.swap(false, SeqCst) {
            return;
        }
        let mut dead = self.dead.lock();
        if !dead.is_empty() {
            into.append(&mut dead);
        }
    }
}

/// The bytes a removed or replaced node gave back to the quota's keeping: a file's whole
/// length if that was its last name and no handle holds it; nothing for an orphan (it frees
/// itself when dropped), a file still linked elsewhere or a directory.
pub(crate) fn freed_bytes(node: &Node) -> u64 {
    match node {
        Node::File(file) => freed_file_bytes(file),
        Node::Dir(_) | Node::Symlink(_) => 0,
    }
}

/// [`freed_bytes`] for a file node.
pub(crate) fn freed_file_bytes(file: &FileNode) -> u64 {
    if file.links() == 0 && !file.is_orphan() {
        file.data.read().storage.len()
    } else {
        0
    }
}
