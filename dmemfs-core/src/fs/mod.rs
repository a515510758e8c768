//! [`MemFs`], the filesystem handle, and the internals its operations share.

mod attrs;
mod builder;
mod contents;
mod dirs;
mod files;
mod glob;
mod host;
mod inodes;
mod links;
mod moves;
mod transfer;
mod walk;

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use parking_lot::RwLock;

pub use builder::MemFsBuilder;
pub use transfer::ExportIter;
pub use walk::Walk;

use crate::engine::{FileNode, Ledger, Miss, Node, Tree};
use crate::error::{Op, Reason, fail, fail2};
use crate::fault::{Call, FaultInjector, FaultSlot};
use crate::lock::{Access, HandleLock};
use crate::metadata::{Metadata, Stats};
use crate::path::normalize;
use crate::quota::Reservation;
use crate::semantics::Semantics;
use crate::storage::Storage;

/// The default byte quota of [`MemFs::new`]: 256 MiB, as in D-MemFS.
///
/// ```
/// assert_eq!(dmemfs_core::MemFs::new().stats().quota, dmemfs_core::DEFAULT_QUOTA);
/// ```
pub const DEFAULT_QUOTA: u64 = 256 * 1024 * 1024;

/// The default lock timeout: how long an operation waits for a file other handles hold.
///
/// ```
/// assert_eq!(dmemfs_core::DEFAULT_LOCK_TIMEOUT.as_secs(), 30);
/// ```
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// A thread-safe in-memory filesystem with a hard byte quota.
///
/// `MemFs` is a cheap handle: clones share the same filesystem, and it is `Send + Sync`. The
/// files live until the last clone and the last open [`MemFile`](crate::MemFile) are dropped.
///
/// Paths are UTF-8 strings in absolute POSIX style (see the [crate docs](crate#paths)). Every
/// operation returns [`io::Result`] with the [`io::ErrorKind`] `std::fs` would give on Linux,
/// and an [`FsError`](crate::FsError) inside naming the operation and the path.
///
/// ```
/// use dmemfs_core::MemFs;
/// use std::io::{ErrorKind, Write};
///
/// let fs = MemFs::with_quota(64 * 1024);
/// fs.create_dir_all("/reports/2026")?;
/// let mut file = fs.create("/reports/2026/q1.csv")?;
/// file.write_all(b"region,total\nnorth,12\n")?;
/// drop(file);
/// assert_eq!(fs.read_to_string("/reports/2026/q1.csv")?.lines().count(), 2);
///
/// // The quota is checked before any memory is taken: a write that does not fit writes nothing.
/// let err = fs.write("/big.bin", vec![0; 100 * 1024]).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::StorageFull);
/// assert!(!fs.exists("/big.bin"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct MemFs {
    pub(crate) inner: Arc<Inner>,
    /// Whether operations through this handle consult the fault injector.
    pub(crate) faults: bool,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) tree: RwLock<Tree>,
    /// The quota, the memory guard and the clock, shared with every file node.
    pub(crate) ledger: Arc<Ledger>,
    /// `None`: wait without limit.
    pub(crate) lock_timeout: Option<Duration>,
    pub(crate) open_handles: crate::counter::ShardedCounter,
    pub(crate) faults: FaultSlot,
    pub(crate) id: u64,
    pub(crate) semantics: Semantics,
}

impl fmt::Debug for MemFs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemFs")
            .field("stats", &self.stats())
            .finish()
    }
}

// A panic cannot leave a filesystem half-changed: every operation completes or changes nothing
// (a reservation unwinds with the panic), and parking_lot locks are released without poisoning.
// So a filesystem (or a handle) observed after a caught panic is consistent.
impl std::panic::UnwindSafe for MemFs {}
impl std::panic::RefUnwindSafe for MemFs {}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

impl MemFs {
    /// A filesystem with the default quota of 256 MiB, no node limit, a 30 s lock timeout and
    /// no memory guard.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// assert_eq!(fs.stats().quota, 256 * 1024 * 1024);
    /// ```
    pub fn new() -> MemFs {
        MemFs::with_quota(DEFAULT_QUOTA)
    }

    /// A filesystem holding at most `quota` bytes of file contents.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::with_quota(dmemfs_core::parse_size("32M").unwrap());
    /// assert_eq!(fs.stats().free, 32 << 20);
    /// ```
    pub fn with_quota(quota: u64) -> MemFs {
        MemFs::builder()
            .quota(quota)
            .build()
            .expect("a builder without node limit or memory guard cannot fail")
    }

    /// A builder for the other settings: node limit, lock timeout, memory guard.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fs = dmemfs_core::MemFs::builder()
    ///     .quota(1 << 20)
    ///     .max_nodes(100)
    ///     .lock_timeout(Some(Duration::from_millis(200)))
    ///     .build()?;
    /// assert_eq!(fs.stats().max_nodes, Some(100));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> MemFsBuilder {
        MemFsBuilder::default()
    }

    /// Usage figures: quota, bytes used and free, the high-water mark, node counts and open
    /// handles.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::with_quota(100);
    /// fs.write("/a", [1; 60])?;
    /// fs.remove_file("/a")?;
    /// let stats = fs.stats();
    /// assert_eq!((stats.used, stats.peak_used), (0, 60));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stats(&self) -> Stats {
        let tree = self.inner.tree.read();
        let quota = &self.inner.ledger.quota;
        let used = quota.used();
        Stats {
            quota: quota.limit(),
            used,
            free: quota.limit().saturating_sub(used),
            peak_used: quota.peak(),
            files: tree.files(),
            dirs: tree.dirs(),
            symlinks: tree.symlinks(),
            nodes: tree.node_count(),
            max_nodes: self.inner.ledger.max_nodes,
            open_handles: self.inner.open_handles.sum(),
        }
    }

    /// Whether `path` names a file or directory. Invalid paths give `false`.
    ///
    /// This corresponds to [`std::fs::exists`], without the error case.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a.txt", "x")?;
    /// assert!(fs.exists("/a.txt") && fs.exists("/") && !fs.exists("/b") && !fs.exists("/.."));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn exists(&self, path: impl AsRef<str>) -> bool {
        self.probe(path.as_ref(), |_| true)
    }

    /// Whether `path` names a file. Invalid paths give `false`.
    ///
    /// This corresponds to [`std::path::Path::is_file`].
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a.txt", "x")?;
    /// assert!(fs.is_file("/a.txt") && !fs.is_file("/"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_file(&self, path: impl AsRef<str>) -> bool {
        self.probe(path.as_ref(), |node| !node.is_dir())
    }

    /// Whether `path` names a directory. Invalid paths give `false`.
    ///
    /// This corresponds to [`std::path::Path::is_dir`].
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir("/d")?;
    /// assert!(fs.is_dir("/d") && fs.is_dir("/") && !fs.is_dir("/nope"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_dir(&self, path: impl AsRef<str>) -> bool {
        self.probe(path.as_ref(), Node::is_dir)
    }

    fn probe(&self, path: &str, test: impl FnOnce(&Node) -> bool) -> bool {
        let Ok(path) = normalize(path) else {
            return false;
        };
        let tree = self.inner.tree.read();
        // As `std`'s `Path::exists`: links are followed, and a broken one is not there.
        tree.resolve(&path, true)
            .is_ok_and(|path| tree.get(&path).is_some_and(test))
    }

    /// The metadata of a file or directory.
    ///
    /// This corresponds to [`std::fs::metadata`].
    ///
    /// # Errors
    /// `NotFound` if the path does not exist, `NotADirectory` if a component in the middle of
    /// it is a file, `InvalidInput` for an invalid path.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.write("/a.txt", "hello")?;
    /// let meta = fs.metadata("/a.txt")?;
    /// assert!(meta.is_file() && meta.len() == 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metadata(&self, path: impl AsRef<str>) -> io::Result<Metadata> {
        let raw = path.as_ref();
        let path = self.resolve(Op::Metadata, raw, true)?;
        self.intercept(Op::Metadata, &path, None, None)
            .map_err(|r| fail(Op::Metadata, raw, r))?;
        let tree = self.inner.tree.read();
        match tree.get(&path) {
            Some(node) => Ok(Metadata::of(node)),
            None => Err(fail(Op::Metadata, raw, tree.miss(&path).into_reason())),
        }
    }

    /// Installs (or, with `None`, removes) a [`FaultInjector`] consulted before every
    /// operation on this filesystem and its handles, from any clone. Takes effect at once.
    ///
    /// ```
    /// use dmemfs_core::{Call, FaultInjector, MemFs, Verdict};
    /// use std::sync::Arc;
    ///
    /// #[derive(Debug)]
    /// struct Slow;
    /// impl FaultInjector for Slow {
    ///     fn on_call(&self, _: &Call<'_>) -> Verdict {
    ///         Verdict::Delay(std::time::Duration::from_millis(1))
    ///     }
    /// }
    /// let fs = MemFs::new();
    /// fs.set_fault_injector(Some(Arc::new(Slow)));
    /// fs.write("/a", "slowly")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_fault_injector(&self, injector: Option<Arc<dyn FaultInjector>>) {
        self.inner.faults.set(injector);
    }

    /// A handle to the same filesystem on which the fault injector is never consulted, nor
    /// on the files it opens: for test setup, assertions and failure dumps, which must see the
    /// files as they are whatever faults a test has armed.
    ///
    /// ```
    /// use dmemfs_core::{Call, FaultInjector, MemFs, Op, Verdict};
    /// use std::sync::Arc;
    ///
    /// #[derive(Debug)]
    /// struct NoReads;
    /// impl FaultInjector for NoReads {
    ///     fn on_call(&self, call: &Call<'_>) -> Verdict {
    ///         match call.op {
    ///             Op::Read => Verdict::Fail(std::io::ErrorKind::Other),
    ///             _ => Verdict::Proceed,
    ///         }
    ///     }
    /// }
    /// let fs = MemFs::new();
    /// fs.write("/a", "x")?;
    /// fs.set_fault_injector(Some(Arc::new(NoReads)));
    /// assert!(fs.read("/a").is_err());
    /// assert_eq!(fs.without_faults().read("/a")?, b"x");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn without_faults(&self) -> MemFs {
        MemFs {
            inner: Arc::clone(&self.inner),
            faults: false,
        }
    }

    /// A number identifying this filesystem, the same for all its clones and unique within
    /// the process.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// assert_eq!(fs.id(), fs.clone().id());
    /// assert_ne!(fs.id(), dmemfs_core::MemFs::new().id());
    /// ```
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Asks the fault injector about an operation on normalised paths.
    pub(crate) fn intercept(
        &self,
        op: Op,
        path: &str,
        target: Option<&str>,
        len: Option<u64>,
    ) -> Result<Option<usize>, Reason> {
        if !self.faults {
            return Ok(None);
        }
        self.inner.faults.check(&Call {
            op,
            path,
            target,
            len,
            handle: false,
        })
    }

    pub(crate) fn normalize<'p>(&self, op: Op, raw: &'p str) -> io::Result<Cow<'p, str>> {
        normalize_for(op, raw)
    }

    /// Normalises `raw` and resolves the symbolic links on it, the last component's too if
    /// `follow` (as `stat` does; `lstat`, `unlink` and `rename` do not): every operation's
    /// first step. Free while the filesystem has no links.
    pub(crate) fn resolve<'p>(
        &self,
        op: Op,
        raw: &'p str,
        follow: bool,
    ) -> io::Result<Cow<'p, str>> {
        let path = self.normalize(op, raw)?;
        if self.inner.ledger.symlinks() == 0 {
            return Ok(path);
        }
        let tree = self.inner.tree.read();
        match tree.resolve(&path, follow) {
            Ok(Cow::Borrowed(_)) => Ok(path),
            Ok(Cow::Owned(resolved)) => Ok(Cow::Owned(resolved)),
            Err(reason) => Err(fail(op, raw, reason)),
        }
    }

    /// [`resolve`](Self::resolve) for both paths of a two-path operation.
    pub(crate) fn resolve_pair<'p>(
        &self,
        op: Op,
        (from, follow_from): (&'p str, bool),
        (to, follow_to): (&'p str, bool),
    ) -> io::Result<(Cow<'p, str>, Cow<'p, str>)> {
        let (a, b) = self.normalize_pair(op, from, to)?;
        if self.inner.ledger.symlinks() == 0 {
            return Ok((a, b));
        }
        let tree = self.inner.tree.read();
        let resolve = |path: Cow<'p, str>, follow: bool| match tree.resolve(&path, follow) {
            Ok(Cow::Borrowed(_)) => Ok(path),
            Ok(Cow::Owned(resolved)) => Ok(Cow::Owned(resolved)),
            Err(reason) => Err(fail2(op, from, to, reason)),
        };
        Ok((resolve(a, follow_from)?, resolve(b, follow_to)?))
    }

    pub(crate) fn normalize_pair<'p>(
        &self,
        op: Op,
        from: &'p str,
        to: &'p str,
    ) -> io::Result<(Cow<'p, str>, Cow<'p, str>)> {
        normalize_pair_for(op, from, to)
    }
}

/// Normalises `raw` with the virtual-path rules, failing `op` on it (shared with `OsFs`).
pub(crate) fn normalize_for(op: Op, raw: &str) -> io::Result<Cow<'_, str>> {
    normalize(raw).map_err(|reason| fail(op, raw, reason))
}

/// Normalises both paths of a two-path operation; an error names both.
pub(crate) fn normalize_pair_for<'p>(
    op: Op,
    from: &'p str,
    to: &'p str,
) -> io::Result<(Cow<'p, str>, Cow<'p, str>)> {
    let both = || Ok((normalize(from)?, normalize(to)?));
    both().map_err(|reason| fail2(op, from, to, reason))
}

#[cfg(feature = "tokio")]
thread_local! {
    /// Set by [`try_once`]: lock waits started on this thread try once instead of waiting.
    static TRY_ONCE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every file-lock wait it starts on this thread limited to a single attempt, as
/// with a zero lock timeout. The async wrapper runs each operation this way on the runtime's
/// thread first, so that a worker never blocks on a lock, and only if a lock was contended
/// (`Reason::LockTimeout`) runs it again, on the blocking pool, with the real timeout. A
/// thread-local rather than a parameter keeps the whole-file operations' signatures as they are.
#[cfg(feature = "tokio")]
pub(crate) fn try_once<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            TRY_ONCE.set(self.0);
        }
    }
    let _restore = Restore(TRY_ONCE.replace(true));
    f()
}

/// When a wait for a file lock started and when it must give up. The clock is read only when
/// a wait actually happens.
#[derive(Debug)]
pub(crate) struct Wait {
    timeout: Option<Duration>,
    started: Option<Instant>,
}

impl Wait {
    pub(crate) fn new(timeout: Option<Duration>) -> Wait {
        #[cfg(feature = "tokio")]
        let timeout = if TRY_ONCE.get() {
            Some(Duration::ZERO)
        } else {
            timeout
        };
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

/// A file held by an operation or a [`MemFile`]: pinned (so that losing its last name makes
/// it an orphan that keeps its bytes until dropped) and, in locked mode, locked. Both are
/// released on drop.
#[derive(Debug)]
pub(crate) struct Held {
    pub(crate) node: Arc<FileNode>,
    /// The lock taken on the node (`None` in POSIX mode).
    lock: Option<Access>,
}

impl Held {
    /// Pins `node`, whose lock the caller has already acquired with `lock` (or, with `None`,
    /// takes no lock). The caller holds the tree's lock, so that an unlink sees the pin.
    pub(crate) fn new(node: Arc<FileNode>, lock: Option<Access>) -> Held {
        debug_assert!(lock.is_none() || node.lock.is_locked());
        node.pin();
        Held { node, lock }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(access) = self.lock {
            self.node.lock.release(access);
        }
        self.node.unpin();
    }
}

/// What a path resolved to when an operation needed a file.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// The file, locked, and its path as the tree's key.
    File(Held, Arc<str>),
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
                            return Ok(Lookup::File(held, Arc::clone(key)));
                        }
                        Arc::clone(node)
                    }
                }
            };
            if !node.lock.acquire(access, wait.deadline()) {
                return Err(wait.timed_out());
            }
            let tree = self.tree.read();
            if let Some((key, Node::File(now))) = tree.get_with_key(path)
                && Arc::ptr_eq(now, &node)
            {
                return Ok(Lookup::File(Held::new(node, Some(access)), Arc::clone(key)));
            }
            // The file was replaced or removed while we waited: start over.
            node.lock.release(access);
        }
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

    /// Holds `node` for reading or copying, waiting for its lock in locked mode. The pin is
    /// taken outside the tree's lock: such holders never write, so an unlink that misses the
    /// pin frees nothing they need.
    pub(crate) fn hold_waiting(
        &self,
        node: Arc<FileNode>,
        access: Access,
        wait: &mut Wait,
    ) -> Result<Held, Reason> {
        if !self.locking() {
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
    pub(crate) fn now(&self) -> SystemTime {
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

    pub(crate) fn wait(&self) -> Wait {
        Wait::new(self.lock_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memfs_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone + std::panic::RefUnwindSafe>() {}
        assert_send_sync::<MemFs>();
        let a = MemFs::new();
        let b = a.clone();
        a.write("/x", "1").unwrap();
        assert!(b.exists("/x"));
    }

    #[test]
    fn used_matches_file_lengths() {
        let fs = MemFs::with_quota(1 << 20);
        fs.create_dir_all("/a/b").unwrap();
        fs.write("/a/b/c", [1; 1000]).unwrap();
        fs.write("/a/d", [1; 24]).unwrap();
        fs.append("/a/d", [1; 6]).unwrap();
        assert_eq!(fs.inner.tree.read().total_file_bytes(), fs.stats().used);
        assert_eq!(fs.stats().used, 1030);
    }
}
