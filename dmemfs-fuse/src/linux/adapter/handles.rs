//! Open files and directory listings, by the handle number the kernel is given.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dmemfs_core::MemFile;
use parking_lot::Mutex;

use crate::Holder;

/// One `open(2)` of a file through the mount, until the kernel releases it.
#[derive(Debug)]
pub(super) struct OpenFile {
    pub(super) ino: u64,
    /// The process that opened it (reported if it still holds the file at unmount).
    pub(super) pid: u32,
    /// The file's path when it was opened.
    pub(super) path: String,
    pub(super) how: How,
}

/// How requests on an open file reach the `MemFs`.
#[derive(Debug)]
pub(super) enum How {
    /// [`Semantics::Posix`](dmemfs_core::Semantics::Posix): one `MemFile` from open to
    /// release, so the file lives on if it is renamed or removed meanwhile, as on tmpfs.
    Held(MemFile),
    /// [`Semantics::Locked`](dmemfs_core::Semantics::Locked): a `MemFile` per request, taken
    /// without waiting. Holding D-MemFS's lock from open to release would make every other
    /// process's `open`, `rm` and `mv` of the file fail (git, for one, unlinks lock files it
    /// holds open), and the kernel releases files asynchronously after `close` returns.
    PerRequest {
        read: bool,
        write: bool,
        append: bool,
    },
}

/// A directory listing, taken whole at `opendir` and again at `rewinddir`.
#[derive(Debug)]
pub(super) struct Listing {
    /// The entries, and whether any were served since they were taken.
    items: Mutex<(Arc<[DirItem]>, bool)>,
}

impl Listing {
    /// The entries to serve from `offset`: a read from the start after some were served is a
    /// `rewinddir`, which must see the directory as it is now (POSIX), so `list` is taken
    /// again.
    pub(super) fn serve<E>(
        &self,
        offset: u64,
        list: impl FnOnce() -> Result<Vec<DirItem>, E>,
    ) -> Result<Arc<[DirItem]>, E> {
        let mut items = self.items.lock();
        if offset == 0 && items.1 {
            items.0 = list()?.into();
        }
        items.1 = true;
        Ok(Arc::clone(&items.0))
    }
}

/// An entry of a directory listing.
#[derive(Debug)]
pub(super) struct DirItem {
    pub(super) ino: u64,
    pub(super) kind: fuser::FileType,
    pub(super) name: String,
}

/// The open files and listings of one mount; shared with its [`Mount`](crate::Mount), which
/// reports who still holds files when it is unmounted.
#[derive(Debug, Default)]
pub(crate) struct Handles {
    /// Requests served, and nanoseconds spent serving them.
    requests: AtomicU64,
    handler_nanos: AtomicU64,
    by_request: Mutex<std::collections::BTreeMap<&'static str, u64>>,
    next: AtomicU64,
    files: Mutex<HashMap<u64, Arc<OpenFile>>>,
    dirs: Mutex<HashMap<u64, Arc<Listing>>>,
}

impl Handles {
    pub(super) fn count(&self, request: &'static str, spent: std::time::Duration) {
        let nanos = u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.handler_nanos.fetch_add(nanos, Ordering::Relaxed);
        *self.by_request.lock().entry(request).or_default() += 1;
    }

    pub(crate) fn serve_stats(&self) -> crate::ServeStats {
        crate::ServeStats {
            requests: self.requests.load(Ordering::Relaxed),
            handler_time: std::time::Duration::from_nanos(
                self.handler_nanos.load(Ordering::Relaxed),
            ),
            by_request: self.by_request.lock().clone(),
        }
    }

    fn number(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(super) fn add_file(&self, file: OpenFile) -> u64 {
        let fh = self.number();
        self.files.lock().insert(fh, Arc::new(file));
        fh
    }

    pub(super) fn file(&self, fh: u64) -> Option<Arc<OpenFile>> {
        self.files.lock().get(&fh).cloned()
    }

    /// Runs `op` on a `MemFs` handle that some open of the file numbered `ino` holds
    /// ([`How::Held`]): how a file that has lost every name is still reached, as Linux
    /// reaches it through `/proc/PID/fd/N`.
    pub(super) fn with_held<T>(&self, ino: u64, op: impl FnOnce(&MemFile) -> T) -> Option<T> {
        let open = self
            .files
            .lock()
            .values()
            .find(|open| open.ino == ino && matches!(open.how, How::Held(_)))
            .cloned()?;
        match &open.how {
            How::Held(file) => Some(op(file)),
            How::PerRequest { .. } => None,
        }
    }

    /// Drops the handle; a `MemFile` it held is closed once no request still uses it.
    pub(super) fn release_file(&self, fh: u64) {
        let released = self.files.lock().remove(&fh);
        drop(released);
    }

    pub(super) fn add_dir(&self, items: Vec<DirItem>) -> u64 {
        let fh = self.number();
        let listing = Listing {
            items: Mutex::new((items.into(), false)),
        };
        self.dirs.lock().insert(fh, Arc::new(listing));
        fh
    }

    pub(super) fn dir(&self, fh: u64) -> Option<Arc<Listing>> {
        self.dirs.lock().get(&fh).cloned()
    }

    pub(super) fn release_dir(&self, fh: u64) {
        self.dirs.lock().remove(&fh);
    }

    /// The processes holding files open now, one entry per open file.
    pub(crate) fn holders(&self) -> Vec<Holder> {
        let files: Vec<Arc<OpenFile>> = self.files.lock().values().cloned().collect();
        let mut holders: Vec<Holder> = files
            .iter()
            .map(|file| Holder {
                pid: file.pid,
                command: command_of(file.pid),
                path: file.path.clone(),
            })
            .collect();
        holders.sort_by(|a, b| (a.pid, &a.path).cmp(&(b.pid, &b.path)));
        holders
    }

    /// Closes every open file (the session has ended: no release will come for them).
    pub(crate) fn clear(&self) {
        let files = std::mem::take(&mut *self.files.lock());
        drop(files);
        self.dirs.lock().clear();
    }
}

fn command_of(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|comm| comm.trim_end().to_owned())
        .unwrap_or_default()
}
