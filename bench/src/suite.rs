//! The workload a test harness lives on: many tiny tests, each creating a filesystem, writing
//! 10 small files into 3 directories, reading them back and dropping it.
//!
//! dmemfs runs through the exact path `#[with_memfs]` generates (see
//! `dmemfs-macros/src/expand.rs`): `__private::Session::start(Config { .. })`, `memfs()`, the
//! body inside `bind()`, then `finish(result)`, which also runs the dump-on-failure guard.

use std::io;
use std::path::Path;

use dmemfs_core::MemFs;
use dmemfs_test::__private::{Config, Dump, Session, TestId};
use tempfile::TempDir;

/// Directories per test.
pub const DIRS: usize = 3;
/// Files per test, spread round-robin over the directories.
pub const FILES: usize = 10;
/// Bytes per file.
pub const FILE_BYTES: usize = 1024;

fn mismatch(path: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("suite: {path} read back other bytes than were written"),
    )
}

/// The body of one test on a `MemFs`, as a test author writes it (`fs.write`, `fs.read`).
fn memfs_body(fs: &MemFs) -> io::Result<()> {
    let payload = [b't'; FILE_BYTES];
    for d in 0..DIRS {
        fs.create_dir(format!("/d{d}"))?;
    }
    for i in 0..FILES {
        fs.write(format!("/d{}/f{i}.txt", i % DIRS), payload)?;
    }
    for i in 0..FILES {
        let path = format!("/d{}/f{i}.txt", i % DIRS);
        if fs.read(&path)? != payload {
            return Err(mismatch(&path));
        }
    }
    Ok(())
}

/// One test as `#[with_memfs] #[test] fn suite_test(fs: MemFs) -> io::Result<()>` expands:
/// default quota and lock timeout, dump on failure at its default.
///
/// ```
/// dmemfs_bench::suite::harness_test()?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn harness_test() -> io::Result<()> {
    let session = Session::start(Config {
        quota: None,
        max_nodes: None,
        lock_timeout: None,
        semantics: None,
        mount: false,
        mount_pinned: false,
        memory_guard: None,
        seed: None,
        dump: Dump::Default,
        test: TestId {
            module_path: module_path!(),
            name: "suite_test",
            bin: option_env!("CARGO_BIN_NAME"),
            package: env!("CARGO_PKG_NAME"),
        },
    });
    let fs = session.memfs();
    // The body runs in a closure called on the spot, exactly as the macro emits it.
    #[allow(clippy::redundant_closure_call)]
    let result: io::Result<()> = {
        let _bound = session.bind();
        (move || memfs_body(&fs))()
    };
    // The error's Display form, chosen as the macro's expansion chooses it.
    #[allow(clippy::needless_borrow)]
    let displayed = {
        #[allow(unused_imports)]
        use dmemfs_test::__private::{AnyFailure as _, DisplayFailure as _};
        (&dmemfs_test::__private::Described(&result)).display_failure()
    };
    session.finish(result, displayed)
}

/// One test on a bare `MemFs::new()`, without the harness: shows what the harness adds.
pub fn bare_test() -> io::Result<()> {
    let fs = MemFs::new();
    memfs_body(&fs)
}

/// One test on `std::fs` in a fresh `TempDir` under `base`, removed at the end.
pub fn tempdir_test(base: &Path) -> io::Result<()> {
    let payload = [b't'; FILE_BYTES];
    let dir = TempDir::new_in(base)?;
    for d in 0..DIRS {
        std::fs::create_dir(dir.path().join(format!("d{d}")))?;
    }
    for i in 0..FILES {
        std::fs::write(dir.path().join(format!("d{}/f{i}.txt", i % DIRS)), payload)?;
    }
    for i in 0..FILES {
        let path = dir.path().join(format!("d{}/f{i}.txt", i % DIRS));
        if std::fs::read(&path)? != payload {
            return Err(mismatch(&path.to_string_lossy()));
        }
    }
    dir.close()
}

/// Runs `tests` tests with `one`.
pub fn run_suite(tests: usize, mut one: impl FnMut() -> io::Result<()>) -> io::Result<()> {
    for _ in 0..tests {
        one()?;
    }
    Ok(())
}
