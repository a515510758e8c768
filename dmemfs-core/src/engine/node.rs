//! The nodes of the namespace: files (shared with open handles), directories (owned by the
//! tree), and the attributes both carry.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::{Mutex, RwLock};

use super::ledger::{Ino, Ledger};
use crate::lock::HandleLock;
use crate::storage::Storage;

/// Permission bits of a new file, as `open(2)` with mode 0666 under the usual umask 022.
pub(crate) const FILE_MODE: u32 = 0o644;
/// Permission bits of a new directory, as `mkdir(2)` with mode 0777 under umask 022.
pub(crate) const DIR_MODE: u32 = 0o755;
/// The bits `chmod` may change: permissions plus setuid, setgid and sticky.
pub(crate) const MODE_MASK: u32 = 0o7777;

/// A timestamp in 12 bytes where a `SystemTime` takes 16 (every node keeps four): seconds
/// and nanoseconds from the epoch, the whole range of Linux's `SystemTime`.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
pub(crate) struct Stamp {
    secs: i64,
    nanos: u32,
}

impl Stamp {
    pub(crate) fn new(time: SystemTime) -> Stamp {
        let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => (after.as_secs() as i64, after.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                let (secs, nanos) = (before.as_secs() as i64, before.subsec_nanos());
                if nanos == 0 {
                    (-secs, 0)
                } else {
                    (-secs - 1, 1_000_000_000 - nanos)
                }
            }
        };
        Stamp { secs, nanos }
    }

    pub(crate) fn time(self) -> SystemTime {
        let (secs, nanos) = (self.secs, self.nanos);
        let whole = Duration::from_secs(secs.unsigned_abs());
        let time = if secs >= 0 {
            UNIX_EPOCH + whole
        } else {
            UNIX_EPOCH - whole
        };
        time + Duration::from_nanos(u64::from(nanos))
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.time().fmt(f)
    }
}

/// The three timestamps every node keeps besides its creation time, and its permission bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attrs {
    accessed: Stamp,
    modified: Stamp,
    /// The status change time (`ctime`): contents, mode, times or names changed.
    changed: Stamp,
    pub(crate) mode: u32,
}

impl Attrs {
    pub(crate) fn new(now: SystemTime, mode: u32) -> Attrs {
        let now = Stamp::new(now);
        Attrs {
            accessed: now,
            modified: now,
            changed: now,
            mode,
        }
    }

    pub(crate) fn accessed(&self) -> SystemTime {
        self.accessed.time()
    }

    pub(crate) fn modified(&self) -> SystemTime {
        self.modified.time()
    }

    pub(crate) fn changed(&self) -> SystemTime {
        self.changed.time()
    }

    /// The contents changed (a write, a truncation, an entry added or removed).
    pub(crate) fn modify(&mut self, now: SystemTime) {
        self.modified = Stamp::new(now);
        self.changed = self.modified;
    }

    /// The status changed (mode, times, a name): only `ctime` moves.
    pub(crate) fn change(&mut self, now: SystemTime) {
        self.changed = Stamp::new(now);
    }

    /// Sets the times given, as `utimensat(2)`; `ctime` becomes `now`.
    pub(crate) fn set_times(
        &mut self,
        accessed: Option<SystemTime>,
        modified: Option<SystemTime>,
        now: SystemTime,
    ) {
        if let Some(accessed) = accessed {
            self.accessed = Stamp::new(accessed);
        }
        if let Some(modified) = modified {
            self.modified = Stamp::new(modified);
        }
        self.change(now);
    }

    /// Sets the permission bits (the type bits are not stored), as `chmod(2)`.
    pub(crate) fn set_mode(&mut self, mode: u32, now: SystemTime) {
        self.mode = mode & MODE_MASK;
        self.change(now);
    }
}

/// A file's contents and the metadata that changes with them.
#[derive(Debug)]
pub(crate) struct FileData {
    pub(crate) storage: Storage,
    pub(crate) attrs: Attrs,
    pub(crate) generation: u64,
}

impl FileData {
    /// Records a change to the contents at `now`.
    pub(crate) fn touch(&mut self, now: SystemTime) {
        self.generation += 1;
        self.attrs.modify(now);
    }
}

#[derive(Debug)]
pub(crate) struct FileNode {
    /// Held by open handles in locked mode (and briefly by whole-file operations).
    pub(crate) lock: HandleLock,
    /// Guards the bytes during each read or write call; never held while waiting for anything.
    pub(crate) data: RwLock<FileData>,
    created: Stamp,
    /// 0 until the node is first linked into the tree. 32 bits: a number is a slot of the
    /// inode table, which could not hold 2^32 nodes in any memory this runs in.
    ino: AtomicU32,
    /// Names the tree holds for it (changed under the tree's write lock).
    links: AtomicU32,
    /// Open handles and operations in progress (see [`FileNode::pin`]), plus the [`ORPHAN`]
    /// bit.
    pins: AtomicU32,
}

/// Set in `pins` when the node lost its last name while pinned: its bytes stay charged, and
/// its drop gives them back to its ledger (kept in [`ORPHANS`]) and frees its inode number.
const ORPHAN: u32 = 1 << 31;

/// The ledgers of orphaned files, by node address. Orphans are rare; a field in every node
/// would cost 16 bytes.
static ORPHANS: LazyLock<Mutex<HashMap<usize, Arc<Ledger>>>> = LazyLock::new(Default::default);

impl FileNode {
    pub(crate) fn new(
        storage: Storage,
        lock: HandleLock,
        generation: u64,
        now: SystemTime,
    ) -> Arc<FileNode> {
        Arc::new(FileNode {
            lock,
            data: RwLock::new(FileData {
                storage,
                attrs: Attrs::new(now, FILE_MODE),
                generation,
            }),
            created: Stamp::new(now),
            ino: AtomicU32::new(0),
            links: AtomicU32::new(0),
            pins: AtomicU32::new(0),
        })
    }

    pub(crate) fn ino(&self) -> Ino {
        Ino::from(self.ino.load(SeqCst))
    }

    pub(crate) fn created(&self) -> SystemTime {
        self.created.time()
    }

    /// How many names the file has (0 once unlinked, while handles keep it).
    pub(crate) fn links(&self) -> u32 {
        self.links.load(SeqCst)
    }

    /// Whether an open handle or an operation in progress holds the file.
    pub(crate) fn is_pinned(&self) -> bool {
        self.pins.load(SeqCst) & !ORPHAN > 0
    }

    /// Called by the tree when it gives the node a name; returns whether it was its first
    /// (a new inode, which `ino` then numbers: a node put back after losing its names, as an
    /// undone extraction does, gets a fresh number, since its old one may be taken).
    pub(super) fn link(&self, ino: impl FnOnce() -> Ino) -> bool {
        let first = self.links.fetch_add(1, SeqCst) == 0;
        if first {
            self.ino.store(ino() as u32, SeqCst);
        }
        first
    }

    /// Called by the tree when a name goes; returns whether it was the last.
    pub(super) fn unlink(&self) -> bool {
        self.links.fetch_sub(1, SeqCst) == 1
    }

    /// Pins the file for an open handle or an operation in progress: while any pin exists,
    /// losing the last name makes the file an orphan that frees itself when dropped. Pins for
    /// operations that write are taken under the tree's lock, so an unlink sees them.
    pub(crate) fn pin(&self) {
        self.pins.fetch_add(1, SeqCst);
    }

    pub(crate) fn unpin(&self) {
        self.pins.fetch_sub(1, SeqCst);
    }

    /// Whether the file lost its last name while open and now settles its own bytes.
    pub(crate) fn is_orphan(&self) -> bool {
        self.pins.load(SeqCst) & ORPHAN != 0
    }

    /// Makes the unlinked, pinned node responsible for its own bytes and inode number.
    pub(super) fn orphan(&self, ledger: &Arc<Ledger>) {
        ORPHANS.lock().insert(self.address(), Arc::clone(ledger));
        self.pins.fetch_or(ORPHAN, SeqCst);
    }

    fn address(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }
}

impl Drop for FileNode {
    fn drop(&mut self) {
        if *self.pins.get_mut() & ORPHAN != 0
            && let Some(ledger) = ORPHANS.lock().remove(&self.address())
        {
            ledger.release(self.data.get_mut().storage.len());
            ledger.bury(Ino::from(*self.ino.get_mut()));
        }
    }
}

#[derive(Debug)]
pub(crate) struct DirNode {
    /// The children's full paths (the index's keys, shared), in no particular order; each
    /// child's index entry holds its position here.
    pub(super) children: Vec<Arc<str>>,
    created: Stamp,
    pub(crate) attrs: Attrs,
    pub(crate) ino: Ino,
    /// Child directories: a directory's link count is 2 plus these, as on Linux.
    pub(crate) subdirs: u32,
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
        self.sorted_paths()
            .into_iter()
            .map(super::namespace::name_of)
            .collect()
    }

    pub(crate) fn links(&self) -> u32 {
        2 + self.subdirs
    }

    pub(crate) fn created(&self) -> SystemTime {
        self.created.time()
    }
}

#[derive(Debug)]
pub(crate) enum Node {
    File(Arc<FileNode>),
    Dir(Box<DirNode>),
}

impl Node {
    pub(crate) fn new_dir(now: SystemTime) -> Node {
        Node::Dir(Box::new(DirNode {
            children: Vec::new(),
            created: Stamp::new(now),
            attrs: Attrs::new(now, DIR_MODE),
            ino: 0,
            subdirs: 0,
        }))
    }

    pub(crate) fn is_dir(&self) -> bool {
        matches!(self, Node::Dir(_))
    }
}
