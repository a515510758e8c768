//! How a mount is served: caching, direct I/O, threads, its name.

use std::time::Duration;

/// How long the kernel may keep what it learnt about names and attributes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cache {
    /// A change made through the `MemFs` API is seen through the mount at once. The kernel
    /// keeps names (it is told of every name the API removes, renames away or replaces:
    /// [`MemFs::watch_names`](dmemfs_core::MemFs::watch_names)), but asks for attributes and
    /// contents every time. The default.
    #[default]
    Coherent,
    /// Attributes are cached for this long and file pages are kept across opens
    /// (`FOPEN_KEEP_CACHE`): faster for small reads (4.4x tmpfs instead of 8.9x, pinned on a
    /// 2-vCPU VM), and re-reads of a large file come from the page cache (0.6x tmpfs), but
    /// a change the API makes to a file's size, times or contents may be seen late through
    /// the mount (names are still told, as with `Coherent`).
    Ttl(Duration),
}

/// Settings of a mount; the defaults suit tests (coherent, one thread, page cache on).
///
/// ```
/// use dmemfs_fuse::{Cache, MountOptions};
/// use std::time::Duration;
///
/// let options = MountOptions::new()
///     .cache(Cache::Ttl(Duration::from_secs(1)))
///     .direct_io(true)
///     .name("nightly-build");
/// assert_eq!(options.threads_used(), 1);
/// ```
#[derive(Clone, Debug)]
// Read only by the Linux mount code.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub struct MountOptions {
    pub(crate) cache: Cache,
    pub(crate) direct_io: bool,
    pub(crate) threads: usize,
    pub(crate) name: String,
    pub(crate) unmount_wait: Duration,
    pub(crate) pin_cpu: Option<usize>,
}

impl Default for MountOptions {
    fn default() -> MountOptions {
        MountOptions {
            cache: Cache::Coherent,
            direct_io: false,
            threads: 1,
            name: String::new(),
            unmount_wait: Duration::from_secs(2),
            pin_cpu: None,
        }
    }
}

impl MountOptions {
    /// The defaults: [`Cache::Coherent`], page cache on, one thread, a wait of 2 s at unmount.
    ///
    /// ```
    /// let options = dmemfs_fuse::MountOptions::new();
    /// # let _ = options;
    /// ```
    pub fn new() -> MountOptions {
        MountOptions::default()
    }

    /// What the kernel may cache; see [`Cache`].
    ///
    /// ```
    /// let options = dmemfs_fuse::MountOptions::new().cache(dmemfs_fuse::Cache::Coherent);
    /// # let _ = options;
    /// ```
    pub fn cache(mut self, cache: Cache) -> MountOptions {
        self.cache = cache;
        self
    }

    /// Bypasses the page cache (`FOPEN_DIRECT_IO`): one copy per write, so big streams run
    /// at about tmpfs speed, and a short read or write reaches the caller as it is; but
    /// `mmap` of the mount's files fails and re-reads are not cached.
    ///
    /// ```
    /// let options = dmemfs_fuse::MountOptions::new().direct_io(true);
    /// # let _ = options;
    /// ```
    pub fn direct_io(mut self, direct: bool) -> MountOptions {
        self.direct_io = direct;
        self
    }

    /// Threads serving requests (at least 1; the default). More helps only when several
    /// processes work on the mount at once on a machine with CPUs to spare.
    ///
    /// ```
    /// let options = dmemfs_fuse::MountOptions::new().threads(2);
    /// assert_eq!(options.threads_used(), 2);
    /// ```
    pub fn threads(mut self, threads: usize) -> MountOptions {
        self.threads = threads.max(1);
        self
    }

    /// The threads this mount will use.
    ///
    /// ```
    /// assert_eq!(dmemfs_fuse::MountOptions::new().threads(0).threads_used(), 1);
    /// ```
    pub fn threads_used(&self) -> usize {
        self.threads
    }

    /// A name shown in the mount table (`dmemfs:NAME`), e.g. the test's path. Characters
    /// other than letters, digits and `_.:-` are shown as `_`.
    ///
    /// ```
    /// let options = dmemfs_fuse::MountOptions::new().name("tests::cli::writes_report");
    /// # let _ = options;
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> MountOptions {
        self.name = name.into();
        self
    }

    /// How long dropping the [`Mount`](crate::Mount) waits for processes to close its files
    /// before detaching (the mount is gone from the namespace at once either way).
    ///
    /// ```
    /// let options = dmemfs_fuse::MountOptions::new()
    ///     .unmount_wait(std::time::Duration::from_millis(500));
    /// # let _ = options;
    /// ```
    pub fn unmount_wait(mut self, wait: Duration) -> MountOptions {
        self.unmount_wait = wait;
        self
    }

    /// Runs the server's threads on CPU `cpu` only. Each FUSE request hands over from the
    /// caller to the server and back; on a multi-CPU machine whose other CPUs are idle, each
    /// hand-over to another CPU costs tens of microseconds (waking it), which makes small-file
    /// work 10 to 40 times slower. Pin the calling code to the same CPU too (its child
    /// processes inherit it): `taskset -c 0 cargo test`, or `#[with_memfs(mount = "pinned")]`,
    /// which does both.
    ///
    /// ```
    /// let options = dmemfs_fuse::MountOptions::new().pin_cpu(0);
    /// # let _ = options;
    /// ```
    pub fn pin_cpu(mut self, cpu: usize) -> MountOptions {
        self.pin_cpu = Some(cpu);
        self
    }

    /// The source shown in the mount table.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn source(&self) -> String {
        let clean: String = self
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_.:-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if clean.is_empty() {
            SOURCE.to_owned()
        } else {
            format!("{SOURCE}:{clean}")
        }
    }
}

/// Every mount of this crate has a source starting with this, which is how
/// [`sweep_stale`](crate::sweep_stale) recognises dead ones.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(crate) const SOURCE: &str = "dmemfs";
