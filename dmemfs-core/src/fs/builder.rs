//! [`MemFsBuilder`]: quota, node limit, lock timeout, memory guard.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::{DEFAULT_LOCK_TIMEOUT, DEFAULT_QUOTA, Inner, MemFs};
use crate::clock::Clock;
use crate::engine::Ledger;
use crate::engine::{Tree, TreeLock};
use crate::error::{ArgError, Op, Reason, fail};
use crate::fault::FaultSlot;
use crate::guard::{GuardState, MemoryGuard, MemoryProbe};
use crate::path::Syntax;
use crate::quota::Quota;
use crate::semantics::Semantics;

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
}

/// The next filesystem's id.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Configures and builds a [`MemFs`].
///
/// ```
/// use dmemfs_core::{MemFs, parse_size, guard::MemoryGuard};
/// use std::time::Duration;
///
/// let fs = MemFs::builder()
///     .quota(parse_size("32M")?)
///     .max_nodes(10_000)
///     .lock_timeout(Some(Duration::from_secs(2)))
///     .memory_guard(MemoryGuard::init())
///     .build()?;
/// assert_eq!(fs.stats().quota, 32 << 20);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct MemFsBuilder {
    quota: u64,
    max_nodes: Option<u64>,
    lock_timeout: Option<Duration>,
    guard: MemoryGuard,
    probe: Option<MemoryProbe>,
    zeroize: bool,
    clock: Option<Arc<dyn Clock>>,
    semantics: Semantics,
}

impl Default for MemFsBuilder {
    fn default() -> Self {
        MemFsBuilder {
            quota: DEFAULT_QUOTA,
            max_nodes: None,
            lock_timeout: Some(DEFAULT_LOCK_TIMEOUT),
            guard: MemoryGuard::OFF,
            probe: None,
            zeroize: false,
            clock: None,
            semantics: Semantics::Locked,
        }
    }
}

impl fmt::Debug for MemFsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemFsBuilder")
            .field("quota", &self.quota)
            .field("max_nodes", &self.max_nodes)
            .field("lock_timeout", &self.lock_timeout)
            .field("memory_guard", &self.guard)
            .field("custom_memory_probe", &self.probe.is_some())
            .field("clock", &self.clock)
            .field("semantics", &self.semantics)
            .field("zeroize_on_free", &self.zeroize)
            .finish()
    }
}

impl MemFsBuilder {
    /// The byte quota: the most file content the filesystem may hold (default 256 MiB).
    /// Zero is allowed: only empty files then fit.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::builder().quota(0).build()?;
    /// fs.write("/empty", b"")?;
    /// assert!(fs.write("/full", b"x").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn quota(mut self, bytes: u64) -> Self {
        self.quota = bytes;
        self
    }

    /// The most nodes (files plus directories, the root included) the filesystem may hold.
    /// Unlimited by default.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::builder().max_nodes(2).build()?;
    /// fs.write("/one", "x")?; // root + one file
    /// let err = fs.write("/two", "x").unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::QuotaExceeded);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_nodes(mut self, limit: u64) -> Self {
        self.max_nodes = Some(limit);
        self
    }

    /// How long operations wait for a file that other handles hold: `Some(d)` waits up to `d`
    /// (zero tries once), `None` waits without limit. Default: 30 seconds.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fs = dmemfs_core::MemFs::builder().lock_timeout(Some(Duration::ZERO)).build()?;
    /// let _writer = fs.create("/f")?;
    /// let err = fs.open("/f").unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The memory guard, which checks the host's available memory (off by default; Cargo
    /// feature `memory-guard`).
    ///
    /// ```
    /// use dmemfs_core::{MemFs, guard::MemoryGuard};
    /// let fs = MemFs::builder().memory_guard(MemoryGuard::init()).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "memory-guard")]
    pub fn memory_guard(mut self, guard: MemoryGuard) -> Self {
        self.guard = guard;
        self
    }

    /// Replaces where the memory guard reads available memory (by default `sysinfo`, capped
    /// by the container's limit). The function returns bytes, or `None` when unknown. Useful
    /// to simulate a host short of memory in tests.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, guard::MemoryGuard};
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    ///
    /// let fs = MemFs::builder()
    ///     .quota(1 << 20)
    ///     .memory_guard(MemoryGuard::per_write(Duration::from_secs(1)).error())
    ///     .memory_probe(|| Some(2 << 20)) // "2 MiB free"
    ///     .build()?;
    /// fs.write("/small", vec![0; 1000])?;
    /// let tight = MemFs::builder()
    ///     .memory_guard(MemoryGuard::per_write(Duration::from_secs(1)).error())
    ///     .memory_probe(|| Some(100))
    ///     .quota(1 << 20);
    /// // The quota alone exceeds "available memory": building fails.
    /// assert_eq!(tight.build().unwrap_err().kind(), ErrorKind::OutOfMemory);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "memory-guard")]
    pub fn memory_probe(mut self, probe: impl Fn() -> Option<u64> + Send + Sync + 'static) -> Self {
        self.probe = Some(Arc::new(probe));
        self
    }

    /// Overwrites file contents with zeros before their memory is given back: when a file is
    /// truncated, shrunk, replaced or removed, when its storage is reallocated as it grows, and
    /// when the filesystem is dropped. For tests that handle keys or personal data (D-MemFS
    /// offers nothing comparable). Off by default: wiping costs a pass over the bytes freed,
    /// and growth copies chunks instead of reallocating them in place.
    ///
    /// It covers the filesystem's own memory only: copies handed out by `read`, `peek` or
    /// exports are the caller's to wipe (see the `zeroize` crate's `Zeroizing`).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::builder().zeroize_on_free(true).build()?;
    /// fs.write("/key.pem", "-----BEGIN PRIVATE KEY-----")?;
    /// fs.remove_file("/key.pem")?; // the bytes are zeroed before the memory is freed
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn zeroize_on_free(mut self, wipe: bool) -> Self {
        self.zeroize = wipe;
        self
    }

    /// How open files behave: [`Semantics::Locked`] (the default, D-MemFS's handle locks) or
    /// [`Semantics::Posix`] (Linux's shared open files, which can be renamed and removed).
    ///
    /// ```
    /// use dmemfs_core::{MemFs, Semantics};
    /// let fs = MemFs::builder().semantics(Semantics::Posix).build()?;
    /// let _writer = fs.create("/a")?;
    /// let _second = fs.options().write(true).open("/a")?; // no lock to wait for
    /// fs.remove_file("/a")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn semantics(mut self, semantics: Semantics) -> Self {
        self.semantics = semantics;
        self
    }

    /// The clock that stamps files and directories (by default the system's, at the
    /// kernel's coarse resolution): a [`ManualClock`](crate::clock::ManualClock) makes time-based
    /// logic deterministic in tests.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, clock::ManualClock};
    /// use std::time::SystemTime;
    /// let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
    /// let fs = MemFs::builder().clock(clock).build()?;
    /// assert_eq!(fs.metadata("/")?.created()?, SystemTime::UNIX_EPOCH);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds the filesystem.
    ///
    /// # Errors
    /// - `InvalidInput` if the node limit is 0 (the root directory needs one node);
    /// - `OutOfMemory` if the memory guard is set to fail and the quota exceeds the memory
    ///   available (with the `Warn` action, a warning is logged instead).
    ///
    /// ```
    /// let err = dmemfs_core::MemFs::builder().max_nodes(0).build().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// assert!(err.to_string().starts_with("build: max_nodes must be at least 1"));
    /// ```
    pub fn build(self) -> io::Result<MemFs> {
        if self.max_nodes == Some(0) {
            // A filesystem being built has no path to name: the message is "build: ...".
            return Err(fail(
                Op::Build,
                "",
                Reason::InvalidArgument(ArgError::ZeroMaxNodes),
            ));
        }
        #[cfg(feature = "memory-guard")]
        let probe = self.probe.unwrap_or_else(crate::guard::system_probe);
        #[cfg(not(feature = "memory-guard"))]
        let probe = self.probe.unwrap_or_else(crate::guard::no_probe);
        let guard = GuardState::new(self.guard, probe);
        guard
            .check_init(self.quota)
            .map_err(|reason| fail(Op::Build, "", reason))?;
        let ledger = Arc::new(Ledger::new(
            Quota::new(self.quota),
            guard,
            self.zeroize,
            self.clock,
            self.max_nodes,
            match self.semantics {
                Semantics::Locked => Syntax::Dmemfs,
                Semantics::Posix => Syntax::Linux,
            },
        ));
        Ok(MemFs {
            inner: Arc::new(Inner {
                tree: TreeLock::new(Tree::new(Arc::clone(&ledger))),
                ledger,
                lock_timeout: self.lock_timeout,
                open_handles: Default::default(),
                faults: FaultSlot::default(),
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                semantics: self.semantics,
            }),
            faults: true,
            single_try: false,
        })
    }
}
