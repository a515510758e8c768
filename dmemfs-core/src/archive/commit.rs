//! Making admitted entries visible: all at once ([`Stage`], atomic mode) or one by one with an
//! undo log ([`Log`], streaming mode).
//!
//! Both check everything against the tree twice: when an entry is admitted (a survey under
//! the read lock, before its bytes are read, so a doomed extraction stops early) and again
//! when it is installed (under the write lock, since other threads may have changed the tree
//! while the bytes were read). Nothing is changed until every check of an install has passed.
//! The tree is the filesystem's: this module reaches it only through `Inner`'s methods for
//! archives (`fs/extraction.rs`), and decides what they do.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::sync::{Arc, Weak};
use std::time::SystemTime;

use super::{ArchiveReport, Conflict, SkipReason, SkippedEntry};
use crate::engine::FileNode;
use crate::engine::attrs::Stamp;
use crate::engine::batch::{Batch, BatchError, BatchFile, Existing, Outcome};
use crate::error::Reason;
use crate::fs::{Found, Inner, Place, Survey, Undo, not_a_dir};
use crate::lock::HandleLock;
use crate::path::ancestors_below_root;
use crate::quota::Reservation;
use crate::storage::Storage;

/// A file entry admitted and waiting for its bytes.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) path: String,
    pub(super) entry: String,
    pub(super) size: u64,
    pub(super) mtime: Option<SystemTime>,
    /// Tells a staged slot from one a later entry of the same name took over.
    pub(super) id: u64,
}

/// `path` and its proper ancestors below the root, parents first.
fn chain(path: &str) -> impl Iterator<Item = &str> {
    ancestors_below_root(path).chain((path != "/").then_some(path))
}

/// A new file node holding `storage`, dated `mtime` when the archive gave one.
fn new_file(storage: Storage, mtime: Option<SystemTime>, now: Stamp) -> Arc<FileNode> {
    let node = FileNode::new(storage, HandleLock::default(), 0, now);
    if let Some(mtime) = mtime {
        node.data.write().attrs.set_times(None, Some(mtime), now);
    }
    node
}

/// What a file entry's path holds now, decided by the conflict policy.
enum Slot {
    Free,
    Replace(Arc<FileNode>),
    Skip,
}

/// Applies `conflict` to an existing node at `path`; `ours` says the file is one this
/// extraction wrote (a later entry of the same name replaces it whatever the policy).
///
/// `busy` says which files may not be replaced: for an atomic extraction (a batch), any in
/// use; for a streaming one, which keeps what it replaces pinned (an orphan, still charged,
/// if it loses its last name), only a file whose lock is held (locked mode).
fn decide(
    found: Option<&Found>,
    path: &str,
    conflict: Conflict,
    ours: bool,
    busy: fn(&FileNode) -> bool,
) -> Result<Slot, Reason> {
    match found {
        None => Ok(Slot::Free),
        Some(Found::Dir) => Err(Reason::IsADirectory),
        // Never replaced nor followed: extraction does not write through links.
        Some(Found::Symlink) if !ours && conflict == Conflict::Skip => Ok(Slot::Skip),
        Some(Found::Symlink) => Err(Reason::AlreadyExists),
        Some(Found::File(file)) => {
            if !ours {
                match conflict {
                    Conflict::Error => return Err(Reason::AlreadyExists),
                    Conflict::Skip => return Ok(Slot::Skip),
                    Conflict::Overwrite => {}
                }
            }
            if busy(file) {
                return Err(Reason::Busy {
                    open: path.to_owned(),
                });
            }
            Ok(Slot::Replace(Arc::clone(file)))
        }
    }
}

/// Whether a handle or an operation holds the file's lock (locked mode).
fn locked(file: &FileNode) -> bool {
    file.lock.is_locked()
}

/// A file staged by an atomic extraction.
#[derive(Debug)]
struct Staged {
    entry: String,
    size: u64,
    /// Bytes of the existing file it was admitted to replace.
    replaces: Option<u64>,
    mtime: Option<SystemTime>,
    /// `None` until its bytes are read.
    storage: Option<Storage>,
    id: u64,
}

/// Atomic mode: entries are held here, charged to the quota but invisible, and installed
/// together by [`commit`](Stage::commit).
#[derive(Debug)]
pub(super) struct Stage<'fs> {
    inner: &'fs Inner,
    conflict: Conflict,
    /// Every directory to ensure (existing ones included, in case they vanish meanwhile).
    dirs: BTreeSet<String>,
    files: BTreeMap<String, Staged>,
    /// Covers the net growth: `incoming - outgoing`, as `import_tree` charges it.
    reservation: Option<Reservation<'fs>>,
    reserved: u64,
    incoming: u64,
    outgoing: u64,
    /// Nodes the staged entries would add, as of their admission.
    new_nodes: u64,
    /// Names replaced so far, by node (see [`Stage::replace_name`]).
    replaced_names: HashMap<*const FileNode, u32>,
    next_id: u64,
}

impl<'fs> Stage<'fs> {
    pub(super) fn new(inner: &'fs Inner, conflict: Conflict) -> Stage<'fs> {
        Stage {
            inner,
            conflict,
            dirs: BTreeSet::new(),
            files: BTreeMap::new(),
            reservation: None,
            reserved: 0,
            incoming: 0,
            outgoing: 0,
            new_nodes: 0,
            replaced_names: HashMap::new(),
            next_id: 0,
        }
    }

    /// Surveys `path`, whose `dirs` must be directories: none may be a file, in the tree or
    /// staged. Returns the survey and how many of `dirs` neither exist nor are staged.
    fn survey<'p>(&self, path: &str, dirs: &[&'p str]) -> Result<(Survey<'p>, u64), Reason> {
        let staged_file = |dir: &str| self.files.contains_key(dir);
        let survey = self.inner.survey(path, dirs.iter().copied(), staged_file)?;
        // A staged file's path may exist in the tree as one; it still blocks.
        if let Some(dir) = dirs.iter().find(|dir| staged_file(dir)) {
            return Err(not_a_dir(dir, path));
        }
        let missing = survey
            .missing
            .iter()
            .filter(|dir| !self.dirs.contains(**dir))
            .count() as u64;
        Ok((survey, missing))
    }

    pub(super) fn admit_dir(&mut self, path: &str) -> Result<(), Reason> {
        let dirs: Vec<&str> = chain(path).collect();
        let (survey, missing) = self.survey(path, &dirs)?;
        self.inner
            .check_surveyed(&survey, self.new_nodes + missing)?;
        self.new_nodes += missing;
        self.dirs.extend(dirs.into_iter().map(str::to_owned));
        Ok(())
    }

    /// Admits a file: `Some(id)` to read its bytes, `None` to skip it (it exists and the
    /// policy is `Skip`). Reserves its bytes before returning.
    pub(super) fn admit_file(
        &mut self,
        path: &str,
        entry: &str,
        size: u64,
        mtime: Option<SystemTime>,
    ) -> Result<Option<u64>, Reason> {
        let parents: Vec<&str> = ancestors_below_root(path).collect();
        let earlier = self.files.get(path).map(|s| (s.size, s.replaces));
        let (survey, missing) = self.survey(path, &parents)?;
        if self.dirs.contains(path) {
            return Err(Reason::IsADirectory);
        }
        let (replaces, new_file) = match (earlier, survey.found.as_ref()) {
            (_, Some(Found::Dir)) => return Err(Reason::IsADirectory),
            // A later entry of the same name: takes the earlier one's place.
            (Some((_, replaces)), _) => (replaces, 0),
            (None, existing) => {
                match decide(existing, path, self.conflict, false, FileNode::in_use)? {
                    Slot::Free => (None, 1),
                    Slot::Skip => return Ok(None),
                    Slot::Replace(node) => (Some(self.replace_name(&node)), 0),
                }
            }
        };
        let nodes = self.new_nodes + missing + new_file;
        self.inner.check_surveyed(&survey, nodes)?;
        // Declared sizes come from the archive: their sum may pass u64 (a quota near
        // u64::MAX lets each one through), which is an archive no quota can hold.
        let incoming = (self.incoming - earlier.map_or(0, |(size, _)| size))
            .checked_add(size)
            .ok_or_else(|| Reason::Archive {
                entry: Some(entry.to_owned()),
                kind: io::ErrorKind::StorageFull,
                message: "the sizes its entries declare add up to more than 2^64 bytes".into(),
                error: None,
            })?;
        let outgoing = self.outgoing
            + if earlier.is_none() {
                replaces.unwrap_or(0)
            } else {
                0
            };
        self.settle(incoming.saturating_sub(outgoing))?;
        self.incoming = incoming;
        self.outgoing = outgoing;
        self.new_nodes = nodes;
        self.dirs.extend(parents.into_iter().map(str::to_owned));
        let id = self.next_id;
        self.next_id += 1;
        let staged = Staged {
            entry: entry.to_owned(),
            size,
            replaces,
            mtime,
            storage: None,
            id,
        };
        self.files.insert(path.to_owned(), staged);
        Ok(Some(id))
    }

    /// Counts one more name of `node` this extraction replaces; returns the bytes that frees:
    /// the file's length once every one of its names is replaced (a hard-linked file stays
    /// while another name holds it), as the batch that installs the stage will count them.
    fn replace_name(&mut self, node: &Arc<FileNode>) -> u64 {
        let names = self.replaced_names.entry(Arc::as_ptr(node)).or_insert(0);
        *names += 1;
        if *names == node.links() {
            node.data.read().storage.len()
        } else {
            0
        }
    }

    /// Grows or shrinks the reservation to `target` bytes.
    fn settle(&mut self, target: u64) -> Result<(), Reason> {
        if target > self.reserved {
            let extra = self.inner.reserve(target - self.reserved)?;
            match &mut self.reservation {
                Some(reservation) => reservation.absorb(extra),
                None => self.reservation = Some(extra),
            }
        } else if let Some(reservation) = &mut self.reservation {
            reservation.shrink_to(target);
        }
        self.reserved = target;
        Ok(())
    }

    #[cfg_attr(not(feature = "zip"), allow(dead_code))]
    pub(super) fn wants(&self, pending: &Pending) -> bool {
        self.files
            .get(&pending.path)
            .is_some_and(|staged| staged.id == pending.id)
    }

    pub(super) fn fill(&mut self, pending: &Pending, storage: Storage) {
        if let Some(staged) = self.files.get_mut(&pending.path)
            && staged.id == pending.id
        {
            staged.storage = Some(storage);
        }
    }

    /// Installs everything under one hold of the write lock, or nothing: the engine's batch,
    /// whose first steps (checks, reservation, contents) admission did entry by entry. An
    /// error names the path it concerns (`None`: the extraction as a whole).
    pub(super) fn commit(
        mut self,
        report: &mut ArchiveReport,
    ) -> Result<(), (Option<String>, Reason)> {
        let inner = self.inner;
        let mut batch = Batch {
            dirs: std::mem::take(&mut self.dirs),
            ..Batch::default()
        };
        let mut contents = Vec::with_capacity(self.files.len());
        let mut entries = Vec::with_capacity(self.files.len());
        for (path, staged) in std::mem::take(&mut self.files) {
            let Some(storage) = staged.storage else {
                let reason = Reason::Archive {
                    entry: Some(staged.entry),
                    kind: std::io::ErrorKind::InvalidData,
                    message: "the entry's contents were never read".into(),
                    error: None,
                };
                return Err((Some(path), reason));
            };
            // Admitted to replace a file: the policy was `Overwrite`; admitted as new but a
            // file appeared since: the policy decides now.
            let existing = match (staged.replaces, self.conflict) {
                (Some(_), _) | (None, Conflict::Overwrite) => Existing::Replace,
                (None, Conflict::Skip) => Existing::Skip,
                (None, _) => Existing::Refuse,
            };
            let mut file = BatchFile::new(path.clone(), path.clone(), existing);
            file.mtime = staged.mtime;
            batch.files.push(file);
            contents.push(storage);
            entries.push((path, staged.entry, staged.size));
        }
        let reservation = match self.reservation.take() {
            Some(reservation) => reservation,
            None => inner.reserve(0).map_err(|r| (None, r))?,
        };
        let installed = inner.install_batch(&batch, contents, reservation).map_err(
            |BatchError { at, reason }| match reason {
                Reason::NodeLimit { .. } | Reason::QuotaExceeded { .. } => (None, reason),
                _ => (at, reason),
            },
        )?;
        report.dirs += installed.new_dirs;
        for ((path, entry, size), outcome) in entries.into_iter().zip(installed.outcomes) {
            if outcome == Outcome::Skipped {
                report.skipped.push(SkippedEntry {
                    entry,
                    path,
                    reason: SkipReason::Exists,
                });
            } else {
                report.files += 1;
                report.bytes += size;
            }
        }
        Ok(())
    }
}

/// Streaming mode: each entry is installed when read; dropped before
/// [`finish`](Log::finish), the log undoes what it can.
#[derive(Debug)]
pub(super) struct Log<'fs> {
    inner: &'fs Inner,
    conflict: Conflict,
    undo: Vec<Undo>,
    /// Files this extraction installed: path to index in `undo`.
    ours: HashMap<String, usize>,
    /// The reservation for the file being read, with its id.
    pending: Option<(u64, Reservation<'fs>)>,
    next_id: u64,
    done: bool,
}

impl<'fs> Log<'fs> {
    pub(super) fn new(inner: &'fs Inner, conflict: Conflict) -> Log<'fs> {
        Log {
            inner,
            conflict,
            undo: Vec::new(),
            ours: HashMap::new(),
            pending: None,
            next_id: 0,
            done: false,
        }
    }

    /// Whether `found` at `path` is the file this extraction installed there.
    fn is_ours(&self, path: &str, found: Option<&Found>) -> Option<usize> {
        let index = *self.ours.get(path)?;
        match (&self.undo[index], found) {
            (Undo::File { node, .. }, Some(Found::File(now)))
                if Weak::as_ptr(node) == Arc::as_ptr(now) =>
            {
                Some(index)
            }
            _ => None,
        }
    }

    fn log_dirs(&mut self, dirs: Vec<String>) {
        self.undo.extend(dirs.into_iter().map(Undo::Dir));
    }

    pub(super) fn create_dir(&mut self, path: &str) -> Result<(), Reason> {
        let dirs = self.inner.ensure_dirs(path, chain(path))?;
        self.log_dirs(dirs);
        Ok(())
    }

    /// As [`Stage::admit_file`]; the reservation covers the whole file, since a file it
    /// replaces stays charged until the extraction ends.
    pub(super) fn admit_file(&mut self, path: &str, size: u64) -> Result<Option<u64>, Reason> {
        // A link where a directory is needed is not followed.
        let survey = self
            .inner
            .survey(path, ancestors_below_root(path), |_| false)?;
        let found = survey.found.as_ref();
        let ours = self.is_ours(path, found).is_some();
        let new_file = match decide(found, path, self.conflict, ours, locked)? {
            Slot::Skip => return Ok(None),
            Slot::Free => 1,
            Slot::Replace(_) => 0,
        };
        let missing = survey.missing.len() as u64;
        self.inner.check_surveyed(&survey, missing + new_file)?;
        drop(survey);
        let reservation = self.inner.reserve(size)?;
        let id = self.next_id;
        self.next_id += 1;
        self.pending = Some((id, reservation));
        Ok(Some(id))
    }

    /// Installs a file whose bytes were read: `Some(bytes)`, or `None` if it was skipped
    /// because a file appeared at its path meanwhile (policy `Skip`).
    pub(super) fn install(
        &mut self,
        pending: &Pending,
        storage: Storage,
    ) -> Result<Option<u64>, Reason> {
        let reservation = match self.pending.take() {
            Some((id, reservation)) if id == pending.id => reservation,
            _ => unreachable!("install follows admit_file for the same entry"),
        };
        let path = pending.path.as_str();
        let node = new_file(storage, pending.mtime, self.inner.now());
        let mut ours = None;
        let judge = |found: Option<&Found>| {
            ours = self.is_ours(path, found);
            Ok(
                match decide(found, path, self.conflict, ours.is_some(), locked)? {
                    Slot::Skip => Place::Skip,
                    Slot::Free => Place::New,
                    // An earlier entry of this archive has nothing to put back: it goes now.
                    Slot::Replace(_) => Place::Replace {
                        keep: ours.is_none(),
                    },
                },
            )
        };
        let Some(placed) = self.inner.place_file(path, &node, judge)? else {
            return Ok(None);
        };
        self.log_dirs(placed.dirs);
        match ours {
            Some(index) => {
                if let Undo::File { node: current, .. } = &mut self.undo[index] {
                    *current = Arc::downgrade(&node);
                }
            }
            None => {
                self.ours.insert(path.to_owned(), self.undo.len());
                self.undo.push(Undo::File {
                    path: path.to_owned(),
                    node: Arc::downgrade(&node),
                    replaced: placed.kept,
                });
            }
        }
        reservation.commit();
        Ok(Some(pending.size))
    }

    /// The extraction succeeded: replaced files go for good (their pins go, and those left
    /// without a name free their bytes as they drop).
    pub(super) fn finish(mut self, report: &mut ArchiveReport) {
        report.dirs = self
            .undo
            .iter()
            .filter(|u| matches!(u, Undo::Dir(_)))
            .count() as u64;
        self.undo.clear();
        self.done = true;
    }
}

impl Drop for Log<'_> {
    /// Undoes a failed streaming extraction (see [`Inner::undo_extraction`]).
    fn drop(&mut self) {
        if self.done || self.undo.is_empty() {
            return;
        }
        self.inner.undo_extraction(std::mem::take(&mut self.undo));
    }
}
