//! Writing a failed test's filesystem to disk, so the developer can open the files.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use dmemfs_core::MemFs;
use parking_lot::Mutex;

/// The environment variable that controls dumps for a whole run: `off` (or `0`, `false`,
/// `no`) disables them all; `on` (or `1`, `true`, `yes`) keeps the default; anything else is a
/// directory to dump under instead of `target/dmemfs-failures` (a test's own `dump = "dir"`
/// still wins over it).
pub const DUMP_ENV: &str = "DMEMFS_DUMP";

/// The suffix of the file that marks a directory as a dump: `<test dir>.dmemfs-dump`, beside
/// the directory and not in it, where the dumped tree could hold a file of any name. Only
/// directories so marked are ever replaced or removed, so a dump location that overlaps the
/// user's own files cannot destroy them.
const MARKER_SUFFIX: &str = ".dmemfs-dump";

/// What a test returned, as far as failing goes: `()` never fails, `Result` fails with `Err`.
///
/// ```
/// use dmemfs_test::Outcome;
/// assert!(().failure().is_none());
/// assert!(Err::<(), _>("disk on fire").failure().unwrap().contains("disk on fire"));
/// ```
#[diagnostic::on_unimplemented(
    message = "a test using dmemfs-test must return `()` or `Result<_, _>`, not `{Self}`",
    label = "this return type"
)]
pub trait Outcome {
    /// A description of the failure, or `None` for success.
    fn failure(&self) -> Option<String>;
}

impl Outcome for () {
    fn failure(&self) -> Option<String> {
        None
    }
}

impl<T, E: Debug> Outcome for Result<T, E> {
    fn failure(&self) -> Option<String> {
        self.as_ref()
            .err()
            .map(|err| format!("returned Err({err:?})"))
    }
}

/// Writes a filesystem's tree to disk if the test fails: when it panics (checked when this
/// guard is dropped) or when [`finish`](Self::finish) is given an `Err`. `#[with_memfs]` sets
/// one up for every test; use it directly in tests that build their own [`MemFs`].
///
/// The tree goes to `target/dmemfs-failures/<package>/<crate>/<module>.<path>.<test>/` (see
/// [`DUMP_ENV`] to change or disable that), replacing any earlier dump of the same test, and
/// the path is printed on stderr, which the test harness shows for failing tests. When the
/// test passes, a stale dump of it is removed.
///
/// Every test gets a directory of its own that no other test's contains or shares: the
/// package keeps apart two packages' `tests/integration.rs`; the module path is one name,
/// joined with `.` (which no Rust identifier holds), so a test `parse` and the tests of a
/// `mod parse` are siblings, not nested; a raw identifier's `r#` is dropped (`r#type` is
/// `type`, which no plain identifier can be, so `r_type` stays apart). The package is the one
/// `#[with_memfs]` was compiled in, or for a guard made by hand, the `CARGO_PKG_NAME` cargo
/// gives the test process.
///
/// ```
/// use dmemfs_test::{DumpOnFailure, MemFs};
///
/// let fs = MemFs::new();
/// let dump = DumpOnFailure::new(&fs, module_path!(), "my_test");
/// fs.write("/result.txt", "42")?;
/// let outcome: std::io::Result<()> = Ok(());
/// dump.finish(outcome)?; // nothing written: the test passed
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "the dump happens when the guard is dropped or finished"]
pub struct DumpOnFailure {
    fs: MemFs,
    module_path: String,
    name: String,
    base: Option<PathBuf>,
    package: Option<String>,
    bin: Option<String>,
    enabled: bool,
    done: bool,
}

impl DumpOnFailure {
    /// A guard for the test `name` defined in the module `module_path` (pass
    /// `module_path!()`).
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// let guard = dmemfs_test::DumpOnFailure::new(&fs, "my_crate::tests", "t");
    /// assert!(guard.path().ends_with("my_crate/tests.t"));
    /// # guard.finish(());
    /// ```
    pub fn new(fs: &MemFs, module_path: &str, name: &str) -> DumpOnFailure {
        DumpOnFailure {
            fs: fs.clone(),
            module_path: module_path.to_owned(),
            name: name.to_owned(),
            base: None,
            package: std::env::var("CARGO_PKG_NAME").ok(),
            bin: None,
            enabled: true,
            done: false,
        }
    }

    /// Dumps under `dir` instead of `target/dmemfs-failures` (the package, crate and test
    /// directories are still added).
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// let guard = dmemfs_test::DumpOnFailure::new(&fs, "c::m", "t").to("/tmp/dumps");
    /// assert!(guard.path().starts_with("/tmp/dumps"));
    /// assert!(guard.path().ends_with("c/m.t"));
    /// # guard.finish(());
    /// ```
    pub fn to(mut self, dir: impl Into<PathBuf>) -> DumpOnFailure {
        self.base = Some(dir.into());
        self
    }

    /// Dumps under `<crate>-bin` instead of `<crate>`: the unit tests of a binary target,
    /// whose crate name may be the library's too.
    pub(crate) fn in_bin(mut self, bin: Option<&str>) -> DumpOnFailure {
        self.bin = bin.map(str::to_owned);
        self
    }

    /// The package the test was compiled in (`#[with_memfs]` knows it at compile time).
    pub(crate) fn in_package(mut self, package: &str) -> DumpOnFailure {
        self.package = Some(package.to_owned());
        self
    }

    /// Never dumps.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// dmemfs_test::DumpOnFailure::new(&fs, "c", "t").disabled().finish(Err::<(), _>("nothing written"));
    /// ```
    pub fn disabled(mut self) -> DumpOnFailure {
        self.enabled = false;
        self
    }

    /// Where the tree would be written.
    ///
    /// The test's path comes from the test thread's name when the harness set one (so each
    /// rstest case gets its own directory), otherwise from the module path and `name`.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// let guard = dmemfs_test::DumpOnFailure::new(&fs, "c::m", "t");
    /// println!("a failure would go to {}", guard.path().display());
    /// # guard.finish(());
    /// ```
    pub fn path(&self) -> PathBuf {
        self.path_in(self.crate_dir())
    }

    /// The directory of the test's crate under the dumps root: `<root>/<package>/<crate>`
    /// (crate and package names hold no `/`; a crate name no `-`, so `-bin` is its own).
    fn crate_dir(&self) -> PathBuf {
        let base = match (&self.base, env_setting()) {
            (Some(dir), _) => dir.clone(),
            (None, EnvSetting::Dir(dir)) => dir,
            (None, _) => target_dir().join("dmemfs-failures"),
        };
        let package = self.package.as_deref().unwrap_or("unknown-package");
        let krate = self.module_path.split("::").next().unwrap_or_default();
        let krate = match &self.bin {
            Some(_) => format!("{}-bin", sanitize(krate)),
            None => sanitize(krate),
        };
        base.join(sanitize(package)).join(krate)
    }

    /// The test's directory below its crate's: one name for the whole module path.
    fn path_in(&self, crate_dir: PathBuf) -> PathBuf {
        let module = self.module_path.split_once("::").map_or("", |(_, m)| m);
        crate_dir.join(leaf_name(&test_path(module, &self.name)))
    }

    /// Hands back the test's result, dumping the tree first if it is an `Err`.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// let guard = dmemfs_test::DumpOnFailure::new(&fs, "c", "t").disabled();
    /// assert_eq!(guard.finish(Ok::<u8, ()>(7)), Ok(7));
    /// ```
    pub fn finish<R: Outcome>(mut self, result: R) -> R {
        self.done = true;
        match result.failure() {
            Some(why) => self.dump(&why),
            None => self.clear_stale(),
        }
        result
    }

    fn enabled(&self) -> bool {
        self.enabled && env_setting() != EnvSetting::Off
    }

    fn clear_stale(&self) {
        if !self.enabled() {
            return;
        }
        let crate_dir = self.crate_dir();
        if !may_hold_stale_dumps(&crate_dir) {
            return;
        }
        let dir = self.path_in(crate_dir);
        let marker = marker_of(&dir);
        if marker.is_file() {
            let _ = std::fs::remove_dir_all(&dir);
            let _ = std::fs::remove_file(marker);
        }
    }

    fn dump(&self, why: &str) {
        if !self.enabled() {
            return;
        }
        let dir = self.path();
        // The dump shows the files as they are: faults the test armed must not interfere.
        match write_tree(&self.fs.without_faults(), &dir) {
            Ok(()) => {
                let stats = self.fs.stats();
                eprintln!(
                    "dmemfs: the test {why}; its filesystem ({} files, {} directories, {} bytes) was written to {}",
                    stats.files,
                    stats.dirs,
                    stats.used,
                    dir.display()
                );
                if stats.open_handles > 0 {
                    eprintln!(
                        "dmemfs: {} handles were still open; their files are dumped as last written",
                        stats.open_handles
                    );
                }
            }
            Err(err) => eprintln!(
                "dmemfs: the test {why}, but dumping its filesystem to {} failed: {err}",
                dir.display()
            ),
        }
    }
}

impl Drop for DumpOnFailure {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if std::thread::panicking() {
            self.dump("panicked");
        } else {
            self.clear_stale();
        }
    }
}

/// The file beside `dir` marking it as a dump.
fn marker_of(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(MARKER_SUFFIX);
    dir.with_file_name(name)
}

/// Writes the whole tree under `dir`, replacing an earlier dump there (and nothing else).
fn write_tree(fs: &MemFs, dir: &Path) -> io::Result<()> {
    let marker = marker_of(dir);
    if marker.is_file() {
        match std::fs::remove_dir_all(dir) {
            Err(err) if err.kind() != ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    } else if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(io::Error::new(
            ErrorKind::AlreadyExists,
            "the directory holds files that are not an earlier dump; refusing to overwrite them",
        ));
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        &marker,
        "marks the directory of the same name as written by dmemfs-test for a failed test; \
         both are safe to delete\n",
    )?;
    for entry in fs.walk("/")? {
        let entry = entry?;
        let target = dir.join(entry.path().trim_start_matches('/'));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
            continue;
        }
        if entry.file_type().is_symlink() {
            // The dump shows the link as a text file naming its target: a real link could
            // point anywhere on the host.
            if let Ok(link) = fs.read_link(entry.path()) {
                std::fs::write(&target, format!("symbolic link -> {link}\n"))?;
            }
            continue;
        }
        // `peek` does not wait for handles the failed test left open: their files are dumped
        // as last written.
        match fs.peek(entry.path()) {
            Ok(contents) => std::fs::write(&target, contents)?,
            Err(err) if err.kind() == ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum EnvSetting {
    Default,
    Off,
    Dir(PathBuf),
}

/// Whether `crate_dir` may hold a dump left by an earlier run: if it did not exist when this
/// process first looked, only this run's failures can have created dumps there, and those are
/// not stale. Passing tests — nearly all of them — then skip the file-system check, which
/// would cost more than the rest of the harness.
fn may_hold_stale_dumps(crate_dir: &Path) -> bool {
    static SEEN: Mutex<BTreeMap<PathBuf, bool>> = Mutex::new(BTreeMap::new());
    *SEEN
        .lock()
        .entry(crate_dir.to_path_buf())
        .or_insert_with(|| crate_dir.exists())
}

fn env_setting() -> EnvSetting {
    let Some(value) = std::env::var_os(DUMP_ENV) else {
        return EnvSetting::Default;
    };
    match value.to_string_lossy().trim().to_ascii_lowercase().as_str() {
        "" | "1" | "on" | "true" | "yes" => EnvSetting::Default,
        "0" | "off" | "false" | "no" => EnvSetting::Off,
        _ => EnvSetting::Dir(PathBuf::from(value)),
    }
}

/// The test's path below its crate, such as `harness::t::case_1`: the thread name libtest gives
/// each test (which includes rstest's case), when it names this test; otherwise
/// `<module>::<name>`.
pub(crate) fn test_path(module: &str, name: &str) -> String {
    let fallback = if module.is_empty() {
        name.to_owned()
    } else {
        format!("{module}::{name}")
    };
    let thread = std::thread::current();
    match thread.name() {
        Some(thread_name) if thread_name.split("::").any(|segment| segment == name) => {
            thread_name.to_owned()
        }
        _ => fallback,
    }
}

/// The directory name of the test `path` (`harness::t::case_1`): its segments joined with
/// `.`, each without a raw identifier's `r#`. Identifiers hold neither `.` nor `#`, so no two
/// tests share a name. A name past what filesystems allow keeps its start and ends with a
/// hash of the whole.
fn leaf_name(path: &str) -> String {
    let joined = path
        .split("::")
        .filter(|s| !s.is_empty())
        .map(|segment| sanitize(segment.strip_prefix("r#").unwrap_or(segment)))
        .collect::<Vec<_>>()
        .join(".");
    const MAX: usize = 200;
    if joined.len() <= MAX {
        return joined;
    }
    // FNV-1a: stable across runs and platforms, unlike std's hasher.
    let hash = joined.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut cut = MAX - 17;
    while !joined.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{hash:016x}", &joined[..cut])
}

/// Keeps a path segment a single, portable directory name.
fn sanitize(segment: &str) -> String {
    // Never `.` or `..`: a segment must stay a directory of its own.
    if segment.chars().all(|c| c == '.') {
        return "_".repeat(segment.len().max(1));
    }
    segment
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "_-.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The cargo target directory of the running test binary: `CARGO_TARGET_DIR`, or the ancestor
/// of the executable that holds cargo's `CACHEDIR.TAG`; the system temporary directory if
/// neither is found.
pub(crate) fn target_dir() -> PathBuf {
    // Asked once per test; the answer takes a few system calls and never changes.
    static TARGET: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    TARGET.get_or_init(find_target_dir).clone()
}

fn find_target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        if dir.is_absolute() {
            return dir;
        }
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|dir| dir.join("CACHEDIR.TAG").is_file())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(std::env::temp_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_gets_a_name_of_its_own() {
        let names = [
            "x::parse",
            "x::parse::t",
            "r#type",
            "r_type",
            "m::r#type",
            "m::r_type",
            "m_r_type",
        ]
        .map(leaf_name);
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(names[0], "x.parse");
        assert_eq!(names[2], "type");
    }

    #[test]
    fn long_names_are_cut_with_a_hash_of_the_whole() {
        let long = |end: &str| leaf_name(&format!("{}::{end}", "m".repeat(300)));
        let (a, b) = (long("a"), long("b"));
        assert!(a.len() <= 200 && b.len() <= 200);
        assert_ne!(a, b);
    }

    /// Two packages of a workspace each with `tests/integration.rs`: the same crate name,
    /// module path and test name, two directories.
    #[test]
    fn two_packages_dump_apart() {
        let fs = MemFs::new();
        let guard = |package: &str| {
            DumpOnFailure::new(&fs, "integration", "saves")
                .to("/dumps")
                .in_package(package)
                .disabled()
        };
        let (a, b) = (guard("app-a"), guard("app-b"));
        assert_eq!(a.path(), Path::new("/dumps/app-a/integration/saves"));
        assert_eq!(b.path(), Path::new("/dumps/app-b/integration/saves"));
    }
}
