//! Holding files: the locks of locked mode, the pins of both modes, and the waits; the
//! quota, node-limit and clock hooks every operation calls on [`Inner`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Inner;
use crate::engine::attrs::Stamp;
use crate::engine::{FileNode, Key, Miss, Node, Tree};
use crate::error::Reason;
use crate::lock::{Access, HandleLock};
use crate::quota::Reservation;
use crate::semantics::Semantics;
use crate::storage::Storage;

/// When a wait for a file lock started and when it must give up. The clock is read only when
/// a wait actually happens.
#[derive(Debug)]
pub(crate) struct Wait {
    timeout: Option<Duration>,
    started: Option<Instant>,
}

impl Wait {
    pub(crate) fn new(timeout: Option<Duration>) -> Wait {
        Wait {
            timeout,
            started: None,
        }
    }

    fn deadline(&mut self) -> Option<Instant> {
        let started = *self.started.get_or_insert_with(Instant::now);
        self.timeout
            .and_then(|timeout| started.checked_add(timeout))
    }

    fn timed_out(&self) -> Reason {
        Reason::LockTimeout {
            waited: self.started.map_or(Duration::ZERO, |s| s.elapsed()),
        }
    }
}

/// A file held by an operation or a [`MemFile`]: locked (locked mode), or pinned (POSIX mode:
/// losing its last name makes it an orphan that keeps its bytes until dropped). Released on
/// drop.
#[derive(Debug)]
pub(crate) struct Held {
    pub(crate) node: Arc<FileNode>,
    /// The lock taken on the node (`None` in POSIX mode).
    lock: Option<Access>,
}

impl Held {
    /// Holds `node` by the lock the caller has already acquired (locked mode), or, with
    /// `None`, by a pin (POSIX mode). A locked file cannot lose its names (`ResourceBusy`), so
    /// only POSIX holders need pins, and the locked mode's hot paths pay for none. The caller
    /// holds the tree's lock, so that an unlink sees the pin.
    pub(crate) fn new(node: Arc<FileNode>, lock: Option<Access>) -> Held {
        match lock {
            Some(_) => debug_assert!(node.lock.is_locked()),
            None => node.pin(),
        }
        Held { node, lock }
    }
}

impl Inner {
    /// Holds again, by a new pin (POSIX mode), the file `held` holds: the same file even if
    /// it has lost its names since. Pinned under the tree's lock, as every pin is, so that an
    /// unlink sees it.
    pub(crate) fn pin_again(&self, held: &Held) -> Held {
        let _tree = self.tree.read();
        Held::new(Arc::clone(&held.node), None)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        match self.lock {
            Some(access) => self.node.lock.release(access),
            None => self.node.unpin(),
        }
    }
}

/// What a path resolved to when an operation needed a file.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// The file, locked, and its path as the tree's key.
    File(Held, Key),
    Dir,
    Missing(Miss),
}

impl Inner {
    /// Resolves `path` and locks the file there.
    ///
    /// The tree lock is never held while waiting: an uncontended lock is taken under the tree's
    /// read lock; a contended one is waited for after releasing it, then the path is checked
    /// again, since the namespace may have changed meanwhile.
    pub(crate) fn lock_file(
        &self,
        path: &str,
        access: Access,
        wait: &mut Wait,
    ) -> Result<Lookup, Reason> {
        loop {
            let node = {
                let tree = self.tree.read();
                match tree.get_with_key(path) {
                    None => return Ok(Lookup::Missing(tree.miss(path))),
                    Some((_, Node::Dir(_))) => return Ok(Lookup::Dir),
                    Some((_, Node::Symlink(_))) => {
                        return Err(Reason::UnexpectedLink { path: path.into() });
                    }
                    Some((key, Node::File(node))) => {
                        if let Some(held) = self.try_hold(node, access) {
                            return Ok(Lookup::File(held, key.clone()));
                        }
                        Arc::clone(node)
                    }
                }
            };
            if let Some((held, key)) = self.wait_for(path, node, access, wait)? {
                return Ok(Lookup::File(held, key));
            }
        }
    }

    /// [`lock_file`](Self::lock_file) on a path as the caller gave it, not yet normalised:
    /// the file if `raw` names one, `None` for anything else (the caller then takes the
    /// general path). Only normalised paths are keys, so a hit proves `raw` normal and spares
    /// checking it, which costs as much as the lookup on long paths. The caller makes sure
    /// nothing else needed the normalised path first: no links to resolve, no fault injector
    /// to consult.
    pub(crate) fn lock_file_as_given(
        &self,
        raw: &str,
        access: Access,
        wait: &mut Wait,
    ) -> Result<Option<(Held, Key)>, Reason> {
        loop {
            let node = {
                let tree = self.tree.read();
                let Some((key, Node::File(node))) = tree.get_with_key(raw) else {
                    return Ok(None);
                };
                if let Some(held) = self.try_hold(node, access) {
                    return Ok(Some((held, key.clone())));
                }
                Arc::clone(node)
            };
            if let Some(found) = self.wait_for(raw, node, access, wait)? {
                return Ok(Some(found));
            }
        }
    }

    /// Waits for `node`'s lock, then checks that `path` still names it: the file held, or
    /// `None` if it was replaced or removed meanwhile (the caller looks again).
    fn wait_for(
        &self,
        path: &str,
        node: Arc<FileNode>,
        access: Access,
        wait: &mut Wait,
    ) -> Result<Option<(Held, Key)>, Reason> {
        if !node.lock.acquire(access, wait.deadline()) {
            return Err(wait.timed_out());
        }
        let tree = self.tree.read();
        if let Some((key, Node::File(now))) = tree.get_with_key(path)
            && Arc::ptr_eq(now, &node)
        {
            return Ok(Some((Held::new(node, Some(access)), key.clone())));
        }
        node.lock.release(access);
        Ok(None)
    }

    /// Holds `node` for `access` if that needs no wait: in POSIX mode always (no lock is
    /// taken), in locked mode if its lock is free. The caller holds the tree's lock.
    pub(crate) fn try_hold(&self, node: &Arc<FileNode>, access: Access) -> Option<Held> {
        if !self.locking() {
            return Some(Held::new(Arc::clone(node), None));
        }
        node.lock
            .try_acquire(access)
            .then(|| Held::new(Arc::clone(node), Some(access)))
    }

    /// Holds `node` for reading or copying, waiting for its lock in locked mode. In POSIX
    /// mode the pin is taken under the tree's read lock, as every pin is: an unlink (or a
    /// batch replacing the file) under the write lock must see every pin or none, or it could
    /// free bytes an orphan frees again.
    pub(crate) fn hold_waiting(
        &self,
        node: Arc<FileNode>,
        access: Access,
        wait: &mut Wait,
    ) -> Result<Held, Reason> {
        if !self.locking() {
            let _tree = self.tree.read();
            return Ok(Held::new(node, None));
        }
        if !node.lock.acquire(access, wait.deadline()) {
            return Err(wait.timed_out());
        }
        Ok(Held::new(node, Some(access)))
    }

    /// The lock a file created for `access` starts with, and how a [`Held`] records it.
    pub(crate) fn new_lock(&self, access: Access) -> (HandleLock, Option<Access>) {
        if self.locking() {
            (HandleLock::held(access), Some(access))
        } else {
            (HandleLock::default(), None)
        }
    }

    /// The file open or in use that keeps `path` (or something below it) from being removed
    /// or replaced: in locked mode, any file a handle holds; in POSIX mode, none.
    pub(crate) fn busy_within(&self, tree: &Tree, path: &str) -> Result<(), Reason> {
        if !self.locking() {
            return Ok(());
        }
        match tree.open_file_within(path) {
            Some(open) => Err(Reason::Busy { open }),
            None => Ok(()),
        }
    }

    /// Like [`lock_file`](Self::lock_file), for operations that need the file to exist.
    pub(crate) fn lock_existing(
        &self,
        path: &str,
        access: Access,
        wait: &mut Wait,
    ) -> Result<Held, Reason> {
        match self.lock_file(path, access, wait)? {
            Lookup::File(held, _) => Ok(held),
            Lookup::Dir => Err(Reason::IsADirectory),
            Lookup::Missing(miss) => Err(miss.into_reason()),
        }
    }

    /// Charges `bytes` of growth to the quota, then asks the memory guard.
    pub(crate) fn reserve(&self, bytes: u64) -> Result<Reservation<'_>, Reason> {
        self.ledger.reserve(bytes)
    }

    /// Gives back bytes files no longer hold.
    pub(crate) fn release(&self, bytes: u64) {
        self.ledger.release(bytes);
    }

    /// Marks new contents for wiping when the filesystem was built with `zeroize_on_free`.
    pub(crate) fn contents(&self, storage: Storage) -> Storage {
        self.ledger.contents(storage)
    }

    /// The time to stamp a node with.
    pub(crate) fn now(&self) -> Stamp {
        self.ledger.now()
    }

    /// Whether open files are locked (D-MemFS) rather than shared (POSIX).
    pub(crate) fn locking(&self) -> bool {
        self.semantics == Semantics::Locked
    }

    /// Checks that `new` more nodes fit the node limit.
    pub(crate) fn check_nodes(&self, tree: &Tree, new: u64) -> Result<(), Reason> {
        self.check_node_count(tree.node_count(), new)
    }

    /// [`check_nodes`](Self::check_nodes) given the current count.
    pub(crate) fn check_node_count(&self, current: u64, new: u64) -> Result<(), Reason> {
        self.ledger.check_nodes(current, new)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::time::Duration;

    use super::*;
    use crate::fs::MemFs;

    /// Only a path spelt as its key takes the short way; every other spelling, and anything
    /// but a file, is left to the general path.
    #[test]
    fn as_given_finds_only_keys() {
        let fs = MemFs::new();
        fs.create_dir("/d").unwrap();
        fs.write("/d/.f", "x").unwrap();
        let inner = &fs.inner;
        let found = |raw: &str| {
            let mut wait = fs.wait();
            let held = inner.lock_file_as_given(raw, Access::Shared, &mut wait);
            held.unwrap().map(|(_, key)| key.to_string())
        };
        assert_eq!(found("/d/.f").as_deref(), Some("/d/.f"));
        for other in [
            "d/.f", "/d//.f", "/d/./.f", "/d/.f/", "\\d\\.f", "/d", "/", "/nope",
        ] {
            assert_eq!(found(other), None, "{other}");
        }
        // And the general path still opens the other spellings.
        let mut text = String::new();
        fs.open("\\d\\.f")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "x");
    }

    #[test]
    fn as_given_waits_for_a_held_file_and_times_out() {
        let fs = MemFs::builder()
            .lock_timeout(Some(Duration::from_millis(20)))
            .build()
            .unwrap();
        let mut writer = fs.create("/f").unwrap();
        let err = fs.open("/f").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        writer.write_all(b"done").unwrap();
        drop(writer);
        assert_eq!(fs.read("/f").unwrap(), b"done");
    }
}
