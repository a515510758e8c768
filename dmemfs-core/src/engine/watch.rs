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

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Tree> {
        self.tree.read()
    }

    pub(crate) fn write(&self) -> TreeWrite<'_> {
        TreeWrite {
            guard: Some(self.tree.write()),
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
    /// `None` only while dropping.
    guard: Option<RwLockWriteGuard<'a, Tree>>,
    lock: &'a TreeLock,
}

impl Deref for TreeWrite<'_> {
    type Target = Tree;

    fn deref(&self) -> &Tree {
        match &self.guard {
            Some(guard) => guard,
            None => unreachable!("the guard is taken only in drop"),
        }
    }
}

impl DerefMut for TreeWrite<'_> {
    fn deref_mut(&mut self) -> &mut Tree {
        match &mut self.guard {
            Some(guard) => guard,
            None => unreachable!("the guard is taken only in drop"),
        }
    }
}

impl Drop for TreeWrite<'_> {
    fn drop(&mut self) {
        let Some(mut guard) = self.guard.take() else {
            return;
        };
        let gone = guard.take_gone();
        drop(guard);
        if !gone.is_empty() {
            self.lock.tell(&gone);
        }
    }
}
