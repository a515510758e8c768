//! [`MemFs`], the filesystem handle, and the internals its operations share.

// First, so that the documentation lists the constructors before the other methods.
mod builder;

mod attrs;
mod contents;
mod dirs;
#[cfg(any(feature = "tar", feature = "zip"))]
mod extraction;
mod files;
mod glob;
mod holds;
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
use std::time::Duration;

use crate::engine::TreeLock;

pub use builder::MemFsBuilder;
pub(crate) use contents::{Claim, Created, NewFile, write_locked};
#[cfg(any(feature = "tar", feature = "zip"))]
pub(crate) use extraction::{Found, Place, Survey, Undo, not_a_dir};
pub(crate) use holds::{Held, Lookup, Wait};
pub use transfer::ExportIter;
pub use walk::Walk;

use crate::engine::{Ledger, Node, Tree};
use crate::error::{Op, Reason, fail, fail2};
use crate::fault::{Call, FaultInjector, FaultSlot};
use crate::metadata::{Metadata, Stats};
use crate::path::normalize_in;
use crate::semantics::Semantics;

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
    /// Whether file-lock waits through this handle try once instead of waiting (the async
    /// wrapper's first attempt, which must not block a runtime worker).
    pub(crate) single_try: bool,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) tree: TreeLock,
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
        let (used, peak_used) = quota.usage();
        Stats {
            quota: quota.limit(),
            used,
            free: quota.limit().saturating_sub(used),
            peak_used,
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
        let Ok(path) = normalize_in(path, self.inner.ledger.syntax) else {
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
    /// use dmemfs_core::{MemFs, fault::{Call, FaultInjector, Verdict}};
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
        self.inner.faults.replace(injector);
    }

    /// Like [`set_fault_injector`](Self::set_fault_injector), returning the injector it
    /// replaces, so that a scoped installation can put it back.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, fault::{Call, FaultInjector, Verdict}};
    /// use std::sync::Arc;
    ///
    /// #[derive(Debug)]
    /// struct Never;
    /// impl FaultInjector for Never {
    ///     fn on_call(&self, _: &Call<'_>) -> Verdict {
    ///         Verdict::Proceed
    ///     }
    /// }
    /// let fs = MemFs::new();
    /// assert!(fs.replace_fault_injector(Some(Arc::new(Never))).is_none());
    /// let previous = fs.replace_fault_injector(None);
    /// assert!(previous.is_some());
    /// ```
    pub fn replace_fault_injector(
        &self,
        injector: Option<Arc<dyn FaultInjector>>,
    ) -> Option<Arc<dyn FaultInjector>> {
        self.inner.faults.replace(injector)
    }

    /// A handle to the same filesystem on which the fault injector is never consulted, nor
    /// on the files it opens: for test setup, assertions and failure dumps, which must see the
    /// files as they are whatever faults a test has armed.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, Op, fault::{Call, FaultInjector, Verdict}};
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
            faults: false,
            ..self.clone()
        }
    }

    /// A handle to the same filesystem whose file-lock waits try once: a contended lock fails
    /// at once with `WouldBlock` ([`Reason::LockTimeout`](crate::Reason::LockTimeout)), as with
    /// a zero lock timeout.
    #[cfg(feature = "tokio")]
    pub(crate) fn single_try(&self) -> MemFs {
        MemFs {
            single_try: true,
            ..self.clone()
        }
    }

    /// The lock timeout an operation through this handle waits for: `chosen` (an
    /// [`OpenOptions::lock_timeout`](crate::OpenOptions::lock_timeout)) or the filesystem's,
    /// unless the handle tries once.
    pub(crate) fn lock_timeout_for(&self, chosen: Option<Option<Duration>>) -> Option<Duration> {
        if self.single_try {
            Some(Duration::ZERO)
        } else {
            chosen.unwrap_or(self.inner.lock_timeout)
        }
    }

    /// A wait for a file lock, bounded by [`lock_timeout_for`](Self::lock_timeout_for).
    pub(crate) fn wait(&self) -> Wait {
        Wait::new(self.lock_timeout_for(None))
    }

    /// How this filesystem's open files behave, as chosen with
    /// [`MemFsBuilder::semantics`](crate::MemFsBuilder::semantics).
    ///
    /// ```
    /// use dmemfs_core::{MemFs, Semantics};
    /// assert_eq!(MemFs::new().semantics(), Semantics::Locked);
    /// let fs = MemFs::builder().semantics(Semantics::Posix).build()?;
    /// assert_eq!(fs.semantics(), Semantics::Posix);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn semantics(&self) -> Semantics {
        self.inner.semantics
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
        normalize_in(raw, self.inner.ledger.syntax).map_err(|reason| fail(op, raw, reason))
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
        self.resolve_normalized(path, follow)
            .map_err(|reason| fail(op, raw, reason))
    }

    /// [`resolve`](Self::resolve) for a path already normalised (an operation that also
    /// needs the path as given).
    pub(crate) fn resolve_normalized<'p>(
        &self,
        path: Cow<'p, str>,
        follow: bool,
    ) -> Result<Cow<'p, str>, Reason> {
        if self.inner.ledger.symlinks() == 0 {
            return Ok(path);
        }
        resolved(&self.inner.tree.read(), path, follow)
    }

    /// [`resolve`](Self::resolve) (not following the last component) for a path whose
    /// missing parents the operation creates: a broken link among them is `AlreadyExists`,
    /// as `mkdir -p` reports it, rather than its target being created.
    pub(crate) fn resolve_for_creation<'p>(
        &self,
        op: Op,
        raw: &'p str,
    ) -> io::Result<Cow<'p, str>> {
        let given = self.normalize(op, raw)?;
        let checked = || {
            if self.inner.ledger.symlinks() > 0
                && let Some(link) = self.inner.tree.read().dangling_ancestor(&given)
            {
                return Err(Reason::DanglingLink { link });
            }
            Ok(())
        };
        checked()
            .and_then(|()| self.resolve_normalized(given.clone(), false))
            .map_err(|reason| fail(op, raw, reason))
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
        let both = || {
            Ok((
                resolved(&tree, a, follow_from)?,
                resolved(&tree, b, follow_to)?,
            ))
        };
        both().map_err(|reason| fail2(op, from, to, reason))
    }

    pub(crate) fn normalize_pair<'p>(
        &self,
        op: Op,
        from: &'p str,
        to: &'p str,
    ) -> io::Result<(Cow<'p, str>, Cow<'p, str>)> {
        let syntax = self.inner.ledger.syntax;
        let both = || Ok((normalize_in(from, syntax)?, normalize_in(to, syntax)?));
        both().map_err(|reason| fail2(op, from, to, reason))
    }
}

/// `path` (normalised) with its links resolved: borrowed back unchanged when it has none.
fn resolved<'p>(tree: &Tree, path: Cow<'p, str>, follow: bool) -> Result<Cow<'p, str>, Reason> {
    match tree.resolve(&path, follow)? {
        Cow::Borrowed(_) => Ok(path),
        Cow::Owned(resolved) => Ok(Cow::Owned(resolved)),
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
