//! The filesystem a test is running with: binding it to the current thread (or task) so that
//! [`current()`] finds it, and the session `#[with_memfs]` generates code for.

use crate::mount::{TestMount, mount_for};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use std::collections::BTreeMap;

use dmemfs_core::{MemFs, Semantics, guard::MemoryGuard};
use parking_lot::Mutex;

use crate::dump::{DumpOnFailure, Outcome, test_path};

/// The quota of a test's filesystem when `#[with_memfs]` sets none.
///
/// ```
/// assert_eq!(dmemfs_test::DEFAULT_TEST_QUOTA, 64 << 20);
/// ```
pub const DEFAULT_TEST_QUOTA: u64 = 64 * 1024 * 1024;

/// The lock timeout of a test's filesystem when `#[with_memfs]` sets none: short, so a test
/// that deadlocks on its own files fails in seconds rather than hanging for 30.
///
/// ```
/// assert_eq!(dmemfs_test::DEFAULT_TEST_LOCK_TIMEOUT.as_secs(), 2);
/// ```
pub const DEFAULT_TEST_LOCK_TIMEOUT: Duration = Duration::from_secs(2);

thread_local! {
    static BOUND: RefCell<Vec<MemFs>> = const { RefCell::new(Vec::new()) };
}

/// The filesystem of the test running on this thread (or task): the one `#[with_memfs]`
/// created, or the latest one [`bind`]ed and still bound.
///
/// # Panics
/// If no filesystem is bound here, for instance on a thread the test spawned; pass the
/// `MemFs` (a cheap clone) to such threads instead, or use [`try_current`].
///
/// ```
/// use dmemfs_test::{current, with_memfs};
///
/// #[with_memfs(quota = "1M")]
/// #[test]
/// fn without_a_parameter() {
///     current().write("/a", "x").unwrap();
///     assert!(current().exists("/a"));
/// }
/// # let fs = dmemfs_test::MemFs::new();
/// # let _bound = dmemfs_test::bind(&fs);
/// # current().write("/a", "x").unwrap();
/// ```
#[track_caller]
pub fn current() -> MemFs {
    try_current().expect(
        "dmemfs_test::current(): no filesystem is bound to this thread; call it from the body of a \
         #[with_memfs] test, or pass the MemFs (a cheap clone) to the threads the test spawns",
    )
}

/// Like [`current`], but `None` when no filesystem is bound.
///
/// ```
/// assert!(dmemfs_test::try_current().is_none());
/// ```
pub fn try_current() -> Option<MemFs> {
    BOUND.with(|bound| bound.borrow().last().cloned())
}

/// Makes `fs` what [`current`] returns on this thread until the guard is dropped. Bindings nest.
///
/// The guard cannot be sent to another thread, since the binding belongs to this one:
///
/// ```compile_fail,E0277
/// let fs = dmemfs_test::MemFs::new();
/// let guard = dmemfs_test::bind(&fs);
/// std::thread::spawn(move || drop(guard));
/// ```
///
/// ```
/// let fs = dmemfs_test::MemFs::new();
/// {
///     let _bound = dmemfs_test::bind(&fs);
///     dmemfs_test::current().write("/seen", "yes").unwrap();
/// }
/// assert!(fs.exists("/seen") && dmemfs_test::try_current().is_none());
/// ```
pub fn bind(fs: &MemFs) -> Bound {
    BOUND.with(|bound| bound.borrow_mut().push(fs.clone()));
    Bound {
        _not_send: PhantomData,
    }
}

/// A binding made by [`bind`]; dropping it restores the previous one.
#[must_use = "the binding ends when this guard is dropped"]
pub struct Bound {
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bound")
    }
}

impl Drop for Bound {
    fn drop(&mut self) {
        BOUND.with(|bound| {
            bound.borrow_mut().pop();
        });
    }
}

/// A future with a filesystem bound around each poll, so [`current`] works inside it whichever
/// worker thread polls it.
///
/// ```
/// let fs = dmemfs_test::MemFs::new();
/// let task = dmemfs_test::bind_future(&fs, async { dmemfs_test::current().write("/a", "x") });
/// # drop(task);
/// ```
pub struct BindFuture<F> {
    fs: MemFs,
    future: Pin<Box<F>>,
}

impl<F> fmt::Debug for BindFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BindFuture")
            .field("fs", &self.fs)
            .finish_non_exhaustive()
    }
}

/// Binds `fs` to `future`: [`current`] returns it during every poll.
///
/// ```
/// let fs = dmemfs_test::MemFs::new();
/// let _future = dmemfs_test::bind_future(&fs, async {
///     dmemfs_test::current().create_dir("/from-a-task")
/// });
/// ```
pub fn bind_future<F: Future>(fs: &MemFs, future: F) -> BindFuture<F> {
    BindFuture {
        fs: fs.clone(),
        future: Box::pin(future),
    }
}

impl<F: Future> Future for BindFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // `BindFuture` is `Unpin`: the inner future is pinned in its own box.
        let this = self.get_mut();
        let _bound = bind(&this.fs);
        this.future.as_mut().poll(cx)
    }
}

/// Settings of one `#[with_memfs]` test, as the macro writes them.
#[doc(hidden)]
#[derive(Debug)]
pub struct Config {
    pub quota: Option<u64>,
    pub max_nodes: Option<u64>,
    /// `None`: the harness default; `Some(None)`: wait without limit.
    pub lock_timeout: Option<Option<Duration>>,
    pub semantics: Option<Semantics>,
    /// Mount the filesystem through FUSE (`#[with_memfs(mount)]`).
    pub mount: bool,
    /// ... with the test thread and the server on one CPU (`mount = "pinned"`).
    pub mount_pinned: bool,
    pub memory_guard: Option<MemoryGuard>,
    /// An absolute host path.
    pub seed: Option<&'static str>,
    pub dump: Dump,
    pub test: TestId,
}

/// Where a failed test's tree goes.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Dump {
    /// `target/dmemfs-failures`, unless `DMEMFS_DUMP` says otherwise.
    Default,
    /// Nowhere.
    Off,
    /// Under this host directory.
    To(&'static str),
}

/// The test a session belongs to.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct TestId {
    pub module_path: &'static str,
    pub name: &'static str,
    /// The binary target being compiled, for unit tests of a `bin` (whose crate name may be
    /// the library's too).
    pub bin: Option<&'static str>,
    /// The package being compiled: two packages may hold test binaries of one name.
    pub package: &'static str,
}

/// The tests running with a session, by filesystem id: their paths (such as
/// `harness::t::case_1`, taken from the test thread's name when the session started) and the
/// number of tree snapshots each has taken.
static TESTS: Mutex<BTreeMap<u64, (String, usize)>> = Mutex::new(BTreeMap::new());

/// The path of the test that owns `fs`, if it is a `#[with_memfs]` session's filesystem.
pub(crate) fn owning_test(fs: &MemFs) -> Option<String> {
    TESTS.lock().get(&fs.id()).map(|(path, _)| path.clone())
}

/// One `#[with_memfs]` test run: the filesystem, seeded, plus its dump-on-failure guard.
#[doc(hidden)]
#[derive(Debug)]
pub struct Session {
    fs: MemFs,
    dump: Option<DumpOnFailure>,
    /// `Some(None)`: mounting was asked for and is impossible here, so the test is skipped.
    /// Dropped after the dump, so a failed test's tree is written before it is unmounted.
    mount: Option<Option<TestMount>>,
}

impl Session {
    #[track_caller]
    pub fn start(config: Config) -> Session {
        let TestId {
            module_path,
            name,
            bin,
            package,
        } = config.test;
        let test = format!("{module_path}::{name}");
        let mut builder = MemFs::builder()
            .quota(config.quota.unwrap_or(DEFAULT_TEST_QUOTA))
            .lock_timeout(
                config
                    .lock_timeout
                    .unwrap_or(Some(DEFAULT_TEST_LOCK_TIMEOUT)),
            );
        if let Some(limit) = config.max_nodes {
            builder = builder.max_nodes(limit);
        }
        match config.semantics {
            Some(semantics) => builder = builder.semantics(semantics),
            // Other processes expect Linux's open files.
            None if config.mount => builder = builder.semantics(Semantics::Posix),
            None => {}
        }
        if let Some(guard) = config.memory_guard {
            builder = builder.memory_guard(guard);
        }
        // `match`, not closures: the panics must point at the test (#[track_caller]).
        let fs = match builder.build() {
            Ok(fs) => fs,
            Err(err) => panic!("#[with_memfs] on `{test}`: cannot build the filesystem: {err}"),
        };
        if let Some(seed) = config.seed
            && let Err(err) = fs.import_from_dir(seed, "/")
        {
            panic!("#[with_memfs] on `{test}`: cannot import the seed directory {seed}: {err}");
        }
        let module = module_path.split_once("::").map_or("", |(_, rest)| rest);
        TESTS.lock().insert(fs.id(), (test_path(module, name), 0));
        let dump = DumpOnFailure::new(&fs, module_path, name)
            .in_bin(bin)
            .in_package(package);
        let dump = match config.dump {
            Dump::Default => dump,
            Dump::Off => dump.disabled(),
            Dump::To(dir) => dump.to(dir),
        };
        let mount = config
            .mount
            .then(|| mount_for(&fs, &test, config.mount_pinned));
        Session {
            fs,
            dump: Some(dump),
            mount,
        }
    }

    /// Whether the test is skipped (it asked for a mount, and FUSE is unavailable here).
    pub fn skipped(&self) -> bool {
        matches!(self.mount, Some(None))
    }

    pub fn memfs(&self) -> MemFs {
        self.fs.clone()
    }

    pub fn bind(&self) -> Bound {
        bind(&self.fs)
    }

    pub fn scope<F: Future>(&self, future: F) -> BindFuture<F> {
        bind_future(&self.fs, future)
    }

    /// Ends the session with the test's result. `displayed` is its error in `Display` form
    /// when it has one (see [`Described`]); otherwise [`Outcome::failure`] describes it.
    pub fn finish<R: Outcome>(mut self, result: R, displayed: Option<String>) -> R {
        TESTS.lock().remove(&self.fs.id());
        if let Some(dump) = self.dump.take() {
            let failure = displayed.or_else(|| result.failure());
            let _ = dump.finish(Failure(failure));
        }
        result
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // After a panic `finish` was not reached; the dump guard, dropped next, sees it.
        TESTS.lock().remove(&self.fs.id());
    }
}

/// A failure already described, for the dump guard.
struct Failure(Option<String>);

impl Outcome for Failure {
    fn failure(&self) -> Option<String> {
        self.0.clone()
    }
}

/// A test's result, to describe its error by `Display` (``read `/a`: no such file or
/// directory``) rather than `Debug` when the error type has it. Generated code calls
/// `(&Described(&result)).display_failure()` on the concrete type: method resolution picks
/// [`DisplayFailure`] when `E: Display`, and falls back to [`AnyFailure`] (one more auto-ref)
/// otherwise.
#[doc(hidden)]
#[derive(Debug)]
pub struct Described<'a, R>(pub &'a R);

/// See [`Described`].
#[doc(hidden)]
pub trait DisplayFailure {
    fn display_failure(&self) -> Option<String>;
}

impl<T, E: fmt::Display> DisplayFailure for Described<'_, Result<T, E>> {
    fn display_failure(&self) -> Option<String> {
        self.0
            .as_ref()
            .err()
            .map(|err| format!("returned Err({err})"))
    }
}

/// See [`Described`].
#[doc(hidden)]
pub trait AnyFailure {
    fn display_failure(&self) -> Option<String>;
}

impl<R> AnyFailure for &Described<'_, R> {
    fn display_failure(&self) -> Option<String> {
        None
    }
}

/// Counts one more tree snapshot of the test at `path`; returns its number (1, 2, ...).
pub(crate) fn count_snapshot(path: &str) -> usize {
    static OTHERS: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
    let mut tests = TESTS.lock();
    if let Some((_, count)) = tests.values_mut().find(|(p, _)| p == path) {
        *count += 1;
        return *count;
    }
    drop(tests);
    let mut others = OTHERS.lock();
    let count = others.entry(path.to_owned()).or_insert(0);
    *count += 1;
    *count
}

#[cfg(test)]
mod tests {
    use super::{AnyFailure as _, Described, DisplayFailure as _};

    #[derive(Debug)]
    struct DebugOnly;

    #[test]
    // The borrow is what makes the fallback resolve (one more auto-ref than `DisplayFailure`).
    #[allow(clippy::needless_borrow)]
    fn errors_are_described_by_display_when_they_have_it() {
        let err = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let result: Result<(), _> = Err(err);
        assert_eq!(
            (&Described(&result)).display_failure().as_deref(),
            Some("returned Err(no such file)")
        );
        let ok: Result<u8, std::io::Error> = Ok(1);
        assert_eq!((&Described(&ok)).display_failure(), None);
        // Without `Display`, the session falls back to `Outcome::failure` (Debug).
        assert_eq!(
            (&Described(&Err::<(), _>(DebugOnly))).display_failure(),
            None
        );
        assert_eq!((&Described(&())).display_failure(), None);
    }
}
