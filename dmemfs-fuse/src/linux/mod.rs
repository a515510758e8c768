//! Mounting on Linux, through `fuser`.

mod adapter;
mod errno;
mod forget;
pub mod pin;
mod probe;
mod teardown;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dmemfs_core::{MemFs, watch::NameWatcher};
use fuser::{BackgroundSession, Config, MountOption};

use crate::{Cache, MountOptions, Unmounted};
use adapter::{Adapter, Handles, Settings};
use forget::Forget;

pub use probe::available;
pub use teardown::{mounts, sweep_stale};

/// Where fresh mount points are made: `$TMPDIR/dmemfs-mnt-PID-N`.
pub(crate) const DIR_PREFIX: &str = "dmemfs-mnt-";

/// Mounts `fs` on a fresh directory under the system's temporary directory, which is removed
/// again at unmount. Ready when this returns: other processes can use the files at once.
///
/// # Errors
/// Whatever [`mount_at`] reports, or the failure to make the directory.
///
/// ```no_run
/// use dmemfs_core::{MemFs, Semantics};
///
/// let fs = MemFs::builder().quota(1 << 20).semantics(Semantics::Posix).build()?;
/// let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
/// std::fs::write(mount.path().join("hello.txt"), "hi")?;
/// assert_eq!(fs.read_to_string("/hello.txt")?, "hi");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn mount(fs: &MemFs, options: &MountOptions) -> io::Result<Mount> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let dir = loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{DIR_PREFIX}{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => break dir,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    };
    match start(fs, &dir, options) {
        Ok(mut mount) => {
            mount.owns_dir = true;
            Ok(mount)
        }
        Err(err) => {
            let _ = std::fs::remove_dir(&dir);
            Err(err)
        }
    }
}

/// Mounts `fs` on the existing directory `dir`. Ready when this returns.
///
/// Other processes see a filesystem with the `MemFs`'s quota (`df`), modes, times, links
/// and inode numbers; its errors reach them as the matching errno (`ENOSPC` past the
/// quota, `EDQUOT` at the node limit). A `MemFs` with
/// [`Semantics::Posix`](dmemfs_core::Semantics::Posix) behaves as tmpfs does; with D-MemFS's
/// locks, a file an API handle holds gives other processes `EAGAIN` at once (never a wait),
/// and an open file removed through another name cannot be read any more (`ESTALE`).
///
/// # Errors
/// - `NotFound`, `NotADirectory`: `dir` is not a directory;
/// - `PermissionDenied` and others: the kernel or `fusermount3` refused (see [`available`]).
///
/// ```no_run
/// use dmemfs_core::{MemFs, Semantics};
///
/// let fs = MemFs::builder().semantics(Semantics::Posix).build()?;
/// std::fs::create_dir_all("/mnt/ram")?;
/// let mount = dmemfs_fuse::mount_at(&fs, "/mnt/ram", &dmemfs_fuse::MountOptions::new())?;
/// let status = std::process::Command::new("touch").arg("/mnt/ram/x").status()?;
/// assert!(status.success() && fs.exists("/x"));
/// mount.unmount()?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn mount_at(fs: &MemFs, dir: impl AsRef<Path>, options: &MountOptions) -> io::Result<Mount> {
    start(fs, dir.as_ref(), options)
}

fn start(fs: &MemFs, dir: &Path, options: &MountOptions) -> io::Result<Mount> {
    let meta = std::fs::metadata(dir)?;
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("mount point `{}` is not a directory", dir.display()),
        ));
    }
    // Mounting over a mount point would hide it, and the unmount of a stack is by path:
    // fuser's own clean-up after ours would take the mount below with it.
    let canonical = dir.canonicalize()?;
    if let Some(below) = teardown::mount_table()?
        .into_iter()
        .find(|m| m.point == canonical)
    {
        return Err(io::Error::new(
            io::ErrorKind::ResourceBusy,
            format!(
                "`{}` is already a mount point ({} {}); mount on a directory that is not",
                dir.display(),
                below.kind,
                below.source
            ),
        ));
    }
    let (attr_ttl, entry_ttl, keep_cache) = match options.cache {
        // Names are cached for as long as the kernel likes: it is told of every name the
        // API removes (see forget.rs). Attributes and contents are asked for every time.
        Cache::Coherent => (Duration::ZERO, NAMES_KEPT, false),
        Cache::Ttl(ttl) => (ttl, ttl.max(NAMES_KEPT), true),
    };
    let settings = Settings {
        attr_ttl,
        entry_ttl,
        direct_io: options.direct_io,
        keep_cache,
    };
    // The kernel may hold a removed node's number (a working directory, an open file):
    // a reused number would send its requests to the new node.
    fs.keep_inode_numbers_unique();
    let handles = Arc::new(Handles::default());
    let mount_id = forget::new_mount_id();
    let forget = Arc::new(Forget::new(mount_id));
    let watcher: Arc<dyn NameWatcher> = forget.clone();
    fs.watch_names(&watcher);
    let adapter = Adapter::new(
        fs.clone(),
        settings,
        Arc::clone(&handles),
        Arc::clone(&forget),
        mount_id,
    );
    let mut config = Config::default();
    config.mount_options = vec![
        MountOption::FSName(options.source()),
        MountOption::Subtype("dmemfs".into()),
        MountOption::NoDev,
        MountOption::NoSuid,
    ];
    // Only the mounting user can use the mount. For a user other than root, the kernel checks
    // modes as on tmpfs. Root passes every check but execute (a file needs an x bit, which
    // the kernel checks either way, and `access` here), so for root the checks are left
    // out: they cost a GETATTR of every directory on every path, 40% of a small file's
    // requests.
    if !rustix::process::geteuid().is_root() {
        config.mount_options.push(MountOption::DefaultPermissions);
    }
    config.n_threads = Some(options.threads);
    config.clone_fd = options.threads > 1;
    // The server's threads inherit this thread's CPUs while they are spawned.
    let pinned = options.pin_cpu.map(pin::only).transpose()?;
    let session = fuser::spawn_mount(adapter, dir, &config);
    if let Some(previous) = pinned {
        pin::restore(&previous);
    }
    let session = session.map_err(|err| {
        io::Error::new(
            err.kind(),
            format!(
                "mounting on `{}`: {err}{}",
                dir.display(),
                probe::hint(&err)
            ),
        )
    })?;
    forget.arm(session.notifier());
    Ok(Mount {
        dir: dir.to_path_buf(),
        owns_dir: false,
        fs: fs.clone(),
        session: Some(session),
        handles,
        wait: options.unmount_wait,
        _forget: forget,
    })
}

/// How long the kernel may keep a name: it is told when the API removes one, so this bounds
/// only the cost of a notification that could not be delivered.
const NAMES_KEPT: Duration = Duration::from_secs(60);

/// A mounted [`MemFs`]: unmounted when dropped (or by [`unmount`](Mount::unmount)).
///
/// The unmount is lazy: the mount leaves the namespace at once even if a process still
/// has files open (those are reported, and served until they close). Dropping never panics;
/// a mount left behind by a killed process is removed by [`sweep_stale`].
pub struct Mount {
    dir: PathBuf,
    owns_dir: bool,
    fs: MemFs,
    session: Option<BackgroundSession>,
    handles: Arc<Handles>,
    wait: Duration,
    /// The mount's [`NameWatcher`], installed on the filesystem while this lives.
    _forget: Arc<Forget>,
}

impl fmt::Debug for Mount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mount")
            .field("dir", &self.dir)
            .field("fs", &self.fs)
            .finish_non_exhaustive()
    }
}

impl Mount {
    /// The host directory where the `MemFs`'s root is mounted.
    ///
    /// ```no_run
    /// # let fs = dmemfs_core::MemFs::new();
    /// let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
    /// assert!(mount.path().is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The host path of the virtual path `virt`: `"/out/a.txt"` is `<mount>/out/a.txt`.
    ///
    /// ```no_run
    /// # let fs = dmemfs_core::MemFs::new();
    /// let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
    /// assert_eq!(mount.host_path("/out/a.txt"), mount.path().join("out/a.txt"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn host_path(&self, virt: &str) -> PathBuf {
        self.dir.join(virt.trim_start_matches('/'))
    }

    /// The mounted filesystem.
    ///
    /// ```no_run
    /// # let fs = dmemfs_core::MemFs::new();
    /// let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
    /// assert_eq!(mount.fs().id(), fs.id());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn fs(&self) -> &MemFs {
        &self.fs
    }

    /// The requests served so far and the time spent in dmemfs serving them: the rest of
    /// each FUSE round trip is the kernel's.
    ///
    /// ```no_run
    /// # let fs = dmemfs_core::MemFs::new();
    /// let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
    /// std::fs::write(mount.host_path("/a"), "x")?;
    /// let served = mount.serve_stats();
    /// assert!(served.requests >= 3); // lookup, create, write, ...
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn serve_stats(&self) -> crate::ServeStats {
        self.handles.serve_stats()
    }

    /// Unmounts now and says whether processes still held files.
    ///
    /// # Errors
    /// The kernel or `fusermount3` refused to unmount (the mount stays; dropping the
    /// returned error's `Mount` is not possible, so the directory is left in place).
    ///
    /// ```no_run
    /// # let fs = dmemfs_core::MemFs::new();
    /// let mount = dmemfs_fuse::mount(&fs, &dmemfs_fuse::MountOptions::new())?;
    /// assert_eq!(mount.unmount()?, dmemfs_fuse::Unmounted::Joined);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unmount(mut self) -> io::Result<Unmounted> {
        self.teardown()
    }

    fn teardown(&mut self) -> io::Result<Unmounted> {
        let Some(session) = self.session.take() else {
            return Ok(Unmounted::Joined);
        };
        teardown::lazy_unmount(&self.dir)?;
        let deadline = Instant::now() + self.wait;
        while !session.guard.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let outcome = if session.guard.is_finished() {
            // The kernel released every file before the session ended.
            self.handles.clear();
            Unmounted::Joined
        } else {
            Unmounted::Detached {
                holders: self.handles.holders(),
            }
        };
        drop(session);
        if self.owns_dir {
            let _ = std::fs::remove_dir(&self.dir);
        }
        Ok(outcome)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        match self.teardown() {
            Ok(Unmounted::Joined) => {}
            Ok(Unmounted::Detached { holders }) => {
                eprintln!(
                    "dmemfs: {} unmounted while files were still open; detached:",
                    self.dir.display()
                );
                for holder in holders {
                    eprintln!("dmemfs:   {holder}");
                }
            }
            Err(err) => eprintln!("dmemfs: unmounting {}: {err}", self.dir.display()),
        }
    }
}
