//! `#[with_memfs(mount)]`: the test's filesystem mounted through FUSE at a host directory.

use std::collections::BTreeMap;
use std::path::PathBuf;

use dmemfs_core::MemFs;
use parking_lot::Mutex;

/// The host directories of the mounted tests' filesystems, by filesystem id.
static MOUNTS: Mutex<BTreeMap<u64, PathBuf>> = Mutex::new(BTreeMap::new());

/// The host directory where the current `#[with_memfs(mount)]` test's filesystem is mounted:
/// give it to `std::fs` code, third-party crates that take a `Path`, and child processes.
///
/// Call it on the test's thread (or one bound with [`bind`](crate::bind)); the assertions,
/// snapshots and the failure dump read the filesystem through the API as usual.
///
/// # Panics
/// Outside a `#[with_memfs(mount)]` test.
///
/// ```no_run
/// use dmemfs_test::{MemFs, with_memfs};
///
/// #[with_memfs(mount)]
/// fn tar_extracts_into_the_mount(fs: MemFs) {
///     let dir = dmemfs_test::mount_dir();
///     std::fs::write(dir.join("hello.txt"), "hi").unwrap();
///     assert_eq!(fs.read_to_string("/hello.txt").unwrap(), "hi");
/// }
/// ```
#[track_caller]
pub fn mount_dir() -> PathBuf {
    let fs = crate::current();
    match MOUNTS.lock().get(&fs.id()) {
        Some(dir) => dir.clone(),
        None => panic!(
            "dmemfs_test::mount_dir(): this test's filesystem is not mounted; use #[with_memfs(mount)]"
        ),
    }
}

/// A test's mount, unmounted when the session ends (after the failure dump is written).
#[derive(Debug)]
pub(crate) struct TestMount {
    #[cfg(feature = "mount")]
    _mount: dmemfs_fuse::Mount,
    /// The test thread's CPUs before it was pinned (`mount = "pinned"`), restored after the
    /// unmount (fields drop in order).
    #[cfg(feature = "mount")]
    _unpin: Option<Unpin>,
    id: u64,
}

impl Drop for TestMount {
    fn drop(&mut self) {
        MOUNTS.lock().remove(&self.id);
    }
}

/// Mounts `fs` for the test `test`, or says why the test is skipped.
///
/// # Panics
/// FUSE is unavailable and `DMEMFS_REQUIRE_FUSE=1`, or the mount itself failed.
#[track_caller]
pub(crate) fn mount_for(fs: &MemFs, test: &str, pinned: bool) -> Option<TestMount> {
    #[cfg(feature = "mount")]
    {
        static SWEPT: std::sync::Once = std::sync::Once::new();
        // Mounts left by killed test processes of earlier runs.
        SWEPT.call_once(|| {
            let _ = dmemfs_fuse::sweep_stale();
        });
        if !dmemfs_fuse::can_mount_or_skip(test) {
            return None;
        }
        let mut options = dmemfs_fuse::MountOptions::new().name(test);
        // Round-robin over the CPUs, so that parallel pinned tests spread out.
        let unpin = pinned.then(|| {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let cpus = dmemfs_fuse::pin::usable_cpus();
            let cpu = cpus[NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % cpus.len()];
            options = options.clone().pin_cpu(cpu);
            match dmemfs_fuse::pin::only(cpu) {
                Ok(previous) => Unpin(previous),
                Err(err) => panic!("#[with_memfs(mount = \"pinned\")] on `{test}`: {err}"),
            }
        });
        let mount = match dmemfs_fuse::mount(fs, &options) {
            Ok(mount) => mount,
            Err(err) => panic!("#[with_memfs(mount)] on `{test}`: {err}"),
        };
        MOUNTS.lock().insert(fs.id(), mount.path().to_owned());
        Some(TestMount {
            _mount: mount,
            _unpin: unpin,
            id: fs.id(),
        })
    }
    #[cfg(not(feature = "mount"))]
    {
        let _ = (fs, pinned);
        panic!("#[with_memfs(mount)] on `{test}` needs dmemfs-test's `mount` feature")
    }
}

/// Restores the test thread's CPUs when dropped.
#[cfg(feature = "mount")]
#[derive(Debug)]
struct Unpin(dmemfs_fuse::pin::Previous);

#[cfg(feature = "mount")]
impl Drop for Unpin {
    fn drop(&mut self) {
        dmemfs_fuse::pin::restore(&self.0);
    }
}

/// What a skipped test returns.
#[doc(hidden)]
pub trait Skipped {
    fn skipped() -> Self;
}

impl Skipped for () {
    fn skipped() {}
}

impl<E> Skipped for Result<(), E> {
    fn skipped() -> Self {
        Ok(())
    }
}

/// Expands to nothing with the `mount` feature, and to an error at `mount` without it.
#[cfg(feature = "mount")]
#[doc(hidden)]
#[macro_export]
macro_rules! __require_mount {
    () => {};
}

/// Expands to nothing with the `mount` feature, and to an error at `mount` without it.
#[cfg(not(feature = "mount"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __require_mount {
    () => {
        ::core::compile_error!(
            "#[with_memfs(mount)] needs dmemfs-test's `mount` feature: dmemfs-test = { version = \"0.1\", features = [\"mount\"] }"
        );
    };
}
