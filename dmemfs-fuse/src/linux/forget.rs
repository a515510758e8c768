//! Telling the kernel to forget names the `MemFs` API removed, renamed or replaced, so that a
//! coherent mount can let the kernel cache names (`entry_timeout`) and still see every API
//! change at once: one lookup request less per path component of every system call.
//!
//! The telling happens on the API caller's thread, after the filesystem's locks are released
//! ([`NameWatcher`]). Changes made by the mount's own requests are not told: the kernel made
//! them and knows, and telling it from inside a request would deadlock (it holds the
//! directory's lock while it waits for the reply).

use std::cell::Cell;
use std::ffi::OsStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dmemfs_core::watch::NameWatcher;
use fuser::{INodeNo, Notifier};

thread_local! {
    /// The mount whose request this thread is serving (0: none).
    static SERVING: Cell<u64> = const { Cell::new(0) };
}

/// A number for a new mount, unique in the process.
pub(crate) fn new_mount_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Runs `work` as part of a request of the mount `mount_id`.
pub(crate) fn serving<T>(mount_id: u64, work: impl FnOnce() -> T) -> T {
    let outer = SERVING.with(|serving| serving.replace(mount_id));
    // Restored even if `work` panics (the adapter catches the panic).
    struct Restore(u64);
    impl Drop for Restore {
        fn drop(&mut self) {
            SERVING.with(|serving| serving.set(self.0));
        }
    }
    let _restore = Restore(outer);
    work()
}

/// The [`NameWatcher`] of one mount.
pub(crate) struct Forget {
    mount_id: u64,
    /// Set once the session runs; until then nothing is cached, so nothing needs telling.
    notifier: OnceLock<Notifier>,
    armed: AtomicBool,
}

impl std::fmt::Debug for Forget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forget")
            .field("mount_id", &self.mount_id)
            .field("armed", &self.armed())
            .finish()
    }
}

impl Forget {
    pub(crate) fn new(mount_id: u64) -> Forget {
        Forget {
            mount_id,
            notifier: OnceLock::new(),
            armed: AtomicBool::new(false),
        }
    }

    /// From now on names are told, and so the kernel may cache them.
    pub(crate) fn arm(&self, notifier: Notifier) {
        let _ = self.notifier.set(notifier);
        self.armed.store(true, Ordering::Release);
    }

    /// Whether the kernel may cache names (see [`Forget::arm`]).
    pub(crate) fn armed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }
}

impl NameWatcher for Forget {
    fn name_gone(&self, parent_ino: u64, name: &str) {
        if SERVING.with(Cell::get) == self.mount_id {
            return;
        }
        if let Some(notifier) = self.notifier.get() {
            // ENOENT (the kernel holds no such entry) and ENODEV (unmounted) are expected.
            let _ = notifier.inval_entry(INodeNo(parent_ino), OsStr::new(name));
        }
    }
}
