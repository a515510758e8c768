//! The tree's lock, and the watchers told when names stop naming their node.
//!
//! A cache of names outside the filesystem (a FUSE mount's kernel dentries) must forget a
//! name the moment the API removes, renames or replaces it. Every such change goes through the
//! tree under its write lock, which records the names; the write guard tells the watchers
//! when it is dropped, after the lock is released (a watcher may wait on the kernel, which may
//! wait on a request that needs the tree), on the thread that made the change, before its
//! call returns.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Weak};

use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{Ino, Tree};

/// Told of names that stopped naming the node they named: removed, renamed away, or now
/// naming another node.
///
/// Install one with [`MemFs::watch_names`](crate::MemFs::watch_names).
pub trait NameWatcher: Send + Sync {
    /// `name` in the directory numbered `parent_ino` no longer names what it named. Called on
    /// the thread that made the change, once the change is made and no lock of the filesystem
    /// is held, before that thread's call returns.
    fn name_gone(&self, parent_ino: u64, name: &str);
}

/// The namespace's lock: a `RwLock<Tree>` whose write guard tells the watchers.
pub(crate) struct TreeLock {
    tree: RwLock<Tree>,
    watchers: Mutex<Vec<Weak<dyn NameWatcher>>>,
}

impl std::fmt::Debug for TreeLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeLock")
            .field("tree", &self.tree)
            .field("watchers", &self.watchers.lock().len())
            .finish()
    }
}

impl TreeLock {
    pub(crate) fn new(tree: Tree) -> TreeLock {
        TreeLock {
            tree: RwLock::new(tree),
            watchers: Mutex::new(Vec::new()),
        }
    }

    #[inline]
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Tree> {
        self.tree.read()
    }

    #[inline]
    pub(crate) fn write(&self) -> TreeWrite<'_> {
        TreeWrite {
            guard: self.tree.write(),
            lock: self,
        }
    }

    /// Adds `watcher` for as long as it lives elsewhere.
    pub(crate) fn watch(&self, watcher: &Arc<dyn NameWatcher>) {
        self.tree.write().watch();
        self.watchers.lock().push(Arc::downgrade(watcher));
    }

    fn tell(&self, gone: &[(Ino, Box<str>)]) {
        let watchers: Vec<Arc<dyn NameWatcher>> = {
            let mut watchers = self.watchers.lock();
            watchers.retain(|w| w.strong_count() > 0);
            watchers.iter().filter_map(Weak::upgrade).collect()
        };
        for watcher in &watchers {
            for (parent, name) in gone {
                // Called from a guard's drop, which must not panic: a panicking watcher
                // misses this name, and nothing else.
                let told = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    watcher.name_gone(*parent, name);
                }));
                if told.is_err() {
                    log::error!("dmemfs: a NameWatcher panicked; the change itself is made");
                }
            }
        }
    }
}

/// The tree's write guard; see the module docs.
pub(crate) struct TreeWrite<'a> {
    guard: RwLockWriteGuard<'a, Tree>,
    lock: &'a TreeLock,
}

impl Deref for TreeWrite<'_> {
    type Target = Tree;

    #[inline]
    fn deref(&self) -> &Tree {
        &self.guard
    }
}

impl DerefMut for TreeWrite<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Tree {
        &mut self.guard
    }
}

impl Drop for TreeWrite<'_> {
    #[inline]
    fn drop(&mut self) {
        // The common case: no name went, and the guard unlocks as the field drops.
        if self.guard.has_gone() {
            self.release_and_tell();
        }
    }
}

impl TreeWrite<'_> {
    /// Tells the watchers with the lock released (it is taken again, briefly, only for the
    /// field's own drop to release).
    #[cold]
    #[inline(never)]
    fn release_and_tell(&mut self) {
        let gone = self.guard.take_gone();
        let lock = self.lock;
        RwLockWriteGuard::unlocked(&mut self.guard, || lock.tell(&gone));
    }
}
