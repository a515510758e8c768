//! The nodes of the namespace: files (shared with open handles), directories (owned by the
//! tree), and the attributes both carry.

use std::collections::HashMap;

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, LazyLock};
use std::time::SystemTime;

use parking_lot::{Mutex, RwLock};

use super::attrs::{Attrs, DIR_MODE, FILE_MODE, SYMLINK_MODE, Stamp};
use super::generation::Generation;
use super::index::Id;
use super::ledger::{Ino, Ledger};
use crate::lock::HandleLock;
use crate::storage::Storage;

/// A file's contents and its metadata.
///
/// In declaration order (`repr(C)`), the contents first: with the node's reference count,
/// handle lock and data lock before them, everything a read touches then sits in the node's
/// first 80 bytes, where the compiler's order put the times in between and a read of a file
/// not in cache often missed a third cache line. The creation time is here, read only with the
/// rest of the metadata, because its 12 bytes and the 4 of the count fill the 8-byte rows
/// exactly: anywhere else either left 4 bytes of padding.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct FileData {
    pub(crate) storage: Storage,
    pub(crate) attrs: Attrs,
    created: Stamp,
    pub(crate) generation: Generation,
}

impl FileData {
    /// Records a change to the contents at `now`.
    pub(crate) fn touch(&mut self, now: Stamp) {
        self.generation.bump();
        self.attrs.modify(now);
    }

    pub(crate) fn created(&self) -> SystemTime {
        self.created.time()
    }
}

/// In declaration order (`repr(C)`): the handle lock and the data, which every read and
/// write touches, right after the reference counts (see [`FileData`]).
#[derive(Debug)]
#[repr(C)]
pub(crate) struct FileNode {
    /// Held by open handles in locked mode (and briefly by whole-file operations).
    pub(crate) lock: HandleLock,
    /// Open handles and operations in progress (see [`FileNode::pin`]), plus the [`ORPHAN`]
    /// bit. Beside the 4-byte lock, which would otherwise leave 4 bytes of padding.
    pins: AtomicU32,
    /// Guards the bytes during each read or write call; never held while waiting for anything.
    pub(crate) data: RwLock<FileData>,
    pub(crate) id: Identity,
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
        generation: u32,
        now: Stamp,
    ) -> Arc<FileNode> {
        Arc::new(FileNode {
            lock,
            pins: AtomicU32::new(0),
            data: RwLock::new(FileData {
                storage,
                attrs: Attrs::new(now, FILE_MODE),
                created: now,
                generation: Generation::new(generation),
            }),
            id: Identity::default(),
        })
    }

    pub(crate) fn ino(&self) -> Ino {
        self.id.ino()
    }

    /// How many names the file has (0 once unlinked, while handles keep it).
    pub(crate) fn links(&self) -> u32 {
        self.id.links()
    }

    /// Whether a pin holds the file (a POSIX handle or operation, a streaming extraction
    /// keeping it): losing its last name then makes it an orphan.
    pub(crate) fn is_pinned(&self) -> bool {
        self.pins.load(SeqCst) & !ORPHAN > 0
    }

    /// Whether any handle or operation holds the file, by its lock (locked mode) or a pin:
    /// batches do not replace such a file (`ResourceBusy`).
    pub(crate) fn in_use(&self) -> bool {
        self.lock.is_locked() || self.is_pinned()
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

    /// Takes back an orphan that gets a name again (an undone extraction puts back a file it
    /// replaced): it keeps its bytes charged and its inode number, and the tree accounts for
    /// it again. Returns whether it was an orphan.
    pub(super) fn adopt(&self) -> bool {
        // A read first: nearly every node linked is new, and this runs on every create.
        if self.pins.load(SeqCst) & ORPHAN == 0
            || self.pins.fetch_and(!ORPHAN, SeqCst) & ORPHAN == 0
        {
            return false;
        }
        ORPHANS.lock().remove(&self.address());
        true
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
            ledger.bury(self.id.ino());
        }
    }
}

/// A file's or symbolic link's inode number and link count: names are separate from nodes.
#[derive(Debug, Default)]
pub(crate) struct Identity {
    /// 0 until the node is first linked into the tree. 32 bits: a number is a slot of the
    /// inode table, which could not hold 2^32 nodes in any memory this runs in.
    ino: AtomicU32,
    /// Names the tree holds for it (changed under the tree's write lock).
    links: AtomicU32,
}

impl Identity {
    pub(crate) fn ino(&self) -> Ino {
        Ino::from(self.ino.load(SeqCst))
    }

    pub(crate) fn links(&self) -> u32 {
        self.links.load(SeqCst)
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

    /// Gives an orphan its first name again, keeping its number.
    pub(super) fn relink(&self) {
        self.links.fetch_add(1, SeqCst);
    }

    /// Called by the tree when a name goes; returns whether it was the last.
    pub(super) fn unlink(&self) -> bool {
        self.links.fetch_sub(1, SeqCst) == 1
    }
}

/// A symbolic link: a path, followed when other paths pass through it.
#[derive(Debug)]
pub(crate) struct SymlinkNode {
    /// As given to `symlink`, resolved relative to the link's directory unless absolute.
    pub(crate) target: Box<str>,
    pub(crate) id: Identity,
    created: Stamp,
    pub(crate) attrs: Mutex<Attrs>,
}

impl SymlinkNode {
    pub(crate) fn new(target: &str, now: Stamp) -> Arc<SymlinkNode> {
        Arc::new(SymlinkNode {
            target: target.into(),
            id: Identity::default(),
            created: now,
            attrs: Mutex::new(Attrs::new(now, SYMLINK_MODE)),
        })
    }

    pub(crate) fn created(&self) -> SystemTime {
        self.created.time()
    }
}

#[derive(Debug)]
pub(crate) struct DirNode {
    /// The children's entries in the index, by number, in no particular order; each child's
    /// entry holds its position here.
    pub(super) children: Vec<Id>,
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
    Symlink(Arc<SymlinkNode>),
}

impl Node {
    pub(crate) fn new_dir(now: Stamp) -> Node {
        Node::Dir(Box::new(DirNode {
            children: Vec::new(),
            created: now,
            attrs: Attrs::new(now, DIR_MODE),
            ino: 0,
            subdirs: 0,
        }))
    }

    pub(crate) fn is_dir(&self) -> bool {
        matches!(self, Node::Dir(_))
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// What a read touches (reference counts, handle lock, data lock, contents) stays in the
    /// node's first 80 bytes, and no field leaves padding.
    #[test]
    fn hot_fields_come_first() {
        assert_eq!(std::mem::offset_of!(FileNode, lock), 0);
        assert_eq!(std::mem::offset_of!(FileNode, data), 8);
        assert_eq!(std::mem::offset_of!(FileData, storage), 0);
        // The counts, lock and pins, the data lock's word, then the contents.
        assert!(16 + 8 + 8 + size_of::<Storage>() <= 80);
        assert_eq!(size_of::<FileData>(), 32 + 40 + 12 + 4);
        assert_eq!(size_of::<FileNode>(), 4 + 4 + 8 + size_of::<FileData>() + 8);
    }
}
