//! The one path that creates a file with contents (`write`, `copy`, an open that
//! preallocates) and the one that replaces a whole file's contents (`write` and `copy` onto
//! an existing file), and the one write into a file's data. (An open with `create` and nothing to preallocate takes a one-pass
//! fast path of its own: `OpenOptions`'s `create_or_lock`.)

use std::sync::Arc;

use super::{Held, Inner};
use crate::engine::attrs::MODE_MASK;
use crate::engine::{FileData, FileNode, Key, Node};
use crate::error::Reason;
use crate::lock::{Access, HandleLock};
use crate::quota::Reservation;
use crate::storage::{Growth, MAX_FILE_SIZE, Storage};

/// How [`Inner::create_with`] makes a file.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NewFile {
    /// Whether it counts as written once (its generation).
    pub(crate) changed: bool,
    /// Its permission bits, if not the default (a copy takes its source's).
    pub(crate) mode: Option<u32>,
    /// Held for a handle with this access (locked, or pinned in POSIX mode) from the moment
    /// it exists.
    pub(crate) hold: Option<Access>,
}

/// What [`Inner::create_or_lock`] obtained.
pub(crate) enum Claim {
    Created(Held, Key),
    Existing(Held, Key),
    /// Held by another handle (D-MemFS locks): the caller waits, without the tree's lock.
    Busy,
}

/// What [`Inner::create_with`] did.
#[derive(Debug)]
pub(crate) enum Created {
    /// The file, held if asked, with its path as the tree's key.
    New(Option<(Held, Key)>),
    /// Something got there first; nothing changed.
    Taken,
}

impl Inner {
    /// Creates a file at `path` holding about `len` bytes made by `make`, as `new` says. All
    /// or nothing, quota charged before `make` takes memory; a missing parent and the node
    /// limit are reported before the quota, as on Linux.
    pub(crate) fn create_with(
        &self,
        path: &str,
        len: u64,
        new: NewFile,
        make: impl FnOnce() -> Result<Storage, Reason>,
    ) -> Result<Created, Reason> {
        let mut reservation = match self.reserve(len) {
            Ok(reservation) => reservation,
            Err(full) => {
                let tree = self.tree.read();
                tree.check_parent(path)?;
                self.check_nodes(&tree, 1)?;
                return Err(full);
            }
        };
        // Made before the tree's write lock is taken, so other threads are not held up.
        let storage = self.contents(make()?);
        self.settle(&mut reservation, storage.len())?;
        let mut tree = self.tree.write();
        // Hashed once for the lookup and the insertion.
        let hash = tree.hash(path);
        if tree.get_with_key_hashed(path, hash).is_some() {
            return Ok(Created::Taken);
        }
        let key = Key::from(path);
        let room = |count| self.check_node_count(count, 1);
        let now = self.now();
        let slot = tree.attach_hashed(path, hash, now, false, room)?;
        let (lock, taken) = match new.hold {
            Some(access) => self.new_lock(access),
            None => (HandleLock::default(), None),
        };
        let node = FileNode::new(storage, lock, u32::from(new.changed), now);
        if let Some(mode) = new.mode {
            node.data.write().attrs.mode = mode & MODE_MASK;
        }
        tree.index(key.clone(), Node::File(Arc::clone(&node)), slot);
        reservation.commit();
        // Held under the tree's lock, so that a pin is seen by any later unlink.
        Ok(Created::New(
            new.hold.map(|_| (Held::new(node, taken), key)),
        ))
    }

    /// Makes `reservation` hold exactly `needed` bytes (a source may have changed length
    /// between being measured and being copied).
    fn settle<'a>(&'a self, reservation: &mut Reservation<'a>, needed: u64) -> Result<(), Reason> {
        let charged = reservation.bytes();
        if needed > charged {
            reservation.absorb(self.reserve(needed - charged)?);
        } else {
            reservation.shrink_to(needed);
        }
        Ok(())
    }

    /// Replaces the contents of the held file with about `len` bytes made by `make`, all or
    /// nothing: the growth is charged before `make` takes memory (and settled against what it
    /// made, for a source that changed meanwhile), and a failure leaves the old contents.
    /// Stamps the file as a truncating open followed by one write call would.
    pub(crate) fn replace_contents(
        &self,
        held: &Held,
        len: u64,
        mode: Option<u32>,
        make: impl FnOnce() -> Result<Storage, Reason>,
    ) -> Result<(), Reason> {
        let expected = held.node.data.read().storage.len();
        let mut reservation = self.reserve(len.saturating_sub(expected))?;
        // Made before the data lock is taken, which readers of metadata share.
        let fresh = self.contents(make()?);
        let len = fresh.len();
        let stale = {
            let mut data = held.node.data.write();
            let old = data.storage.len();
            // In POSIX mode another writer may have changed the length meanwhile (in locked
            // mode the file is held alone and `old == expected`): settle the difference.
            self.settle(&mut reservation, len.saturating_sub(old))?;
            let stale = std::mem::replace(&mut data.storage, fresh);
            if let Some(mode) = mode {
                data.attrs.mode = mode & MODE_MASK;
            }
            let now = self.now();
            data.touch(now);
            if len > 0 {
                data.touch(now);
            }
            reservation.commit();
            self.release(old.saturating_sub(len));
            stale
        };
        drop(stale);
        Ok(())
    }
}

/// Writes `buf` at `offset` into a file whose data lock the caller holds: checks the size
/// limit, charges the growth, copies, and records the change. All or nothing.
pub(crate) fn write_locked(
    inner: &Inner,
    data: &mut FileData,
    offset: u64,
    buf: &[u8],
    growth: Growth,
) -> Result<(), Reason> {
    if buf.is_empty() {
        return Ok(());
    }
    let end = offset
        .checked_add(buf.len() as u64)
        .filter(|&end| end <= MAX_FILE_SIZE)
        .ok_or(Reason::FileTooLarge)?;
    let extension = end.saturating_sub(data.storage.len());
    let reservation = inner.reserve(extension)?;
    data.storage
        .write_at(offset, buf, growth)
        .map_err(|_| Reason::AllocationFailed(extension))?;
    reservation.commit();
    data.touch(inner.now());
    Ok(())
}

impl Inner {
    /// An open with `create`, in one pass under the tree's write lock: creates the missing file,
    /// or locks the existing one if no other handle holds it. Two hashes (the path, once for
    /// the lookup and the insertion, and its parent) instead of the general path's six, which
    /// matters for workloads of many small files.
    pub(crate) fn create_or_lock(
        &self,
        path: &str,
        access: Access,
        create_new: bool,
    ) -> Result<Claim, Reason> {
        let inner = self;
        let mut tree = inner.tree.write();
        // Hashed once for the lookup and the insertion.
        let hash = tree.hash(path);
        match tree.get_with_key_hashed(path, hash) {
            // As O_CREAT | O_EXCL: anything already there, a directory included.
            Some(_) if create_new => Err(Reason::AlreadyExists),
            Some((_, Node::Dir(_))) => Err(Reason::IsADirectory),
            Some((_, Node::Symlink(_))) => Err(Reason::UnexpectedLink { path: path.into() }),
            Some((key, Node::File(node))) => Ok(match inner.try_hold(node, access) {
                Some(held) => Claim::Existing(held, key.clone()),
                None => Claim::Busy,
            }),
            None => {
                let key = Key::from(path);
                let room = |count| inner.check_node_count(count, 1);
                let now = inner.now();
                let slot = tree.attach_hashed(path, hash, now, false, room)?;
                let storage = inner.contents(Storage::default());
                let (lock, taken) = inner.new_lock(access);
                let node = FileNode::new(storage, lock, 0, now);
                tree.index(key.clone(), Node::File(Arc::clone(&node)), slot);
                Ok(Claim::Created(Held::new(node, taken), key))
            }
        }
    }

    /// Whether a node is at the normalised `path`.
    pub(crate) fn exists_normalized(&self, path: &str) -> bool {
        self.tree.read().get(path).is_some()
    }
}
