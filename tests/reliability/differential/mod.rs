//! Differential testing against the kernel: random sequences of operations run on a `MemFs`
//! and, through `std::fs`, on a fresh directory of the RAM disk (`/dev/shm`), compared step
//! by step: the same success with the same value, or the same `ErrorKind`. After every step
//! the metadata of every path and open handle (type, length, link count, mode, explicitly set
//! times), which of them are one inode, and the bytes live inodes hold are compared too, and
//! dmemfs's `stats()` are checked against that; the trees' contents are compared at the end.
//!
//! Two runs: the default locked semantics, and `Semantics::Posix`, whose sequences keep up to
//! [`SLOTS`](ops::SLOTS) handles open across every other step (files renamed, replaced and
//! removed while open, written and read through handles of unlinked files, several handles on
//! one file).
//!
//! Where dmemfs differs from Linux on purpose, the difference is excluded by a named rule.
//! Every rule is listed in [`DIVERGENCES`] (and in the README), with the runs it applies to;
//! nothing else is tolerated. A disagreement that is not deliberate is a bug: it gets a minimal
//! test against the kernel in `reliability/linux_agreement.rs` and is fixed. With
//! `--nocapture` each run reports how often it applied each rule and reached each state the
//! POSIX run is for.
//!
//! CI runs a bounded number of cases; for a long run:
//! `PROPTEST_CASES=20000 cargo test --release -p dmemfs-e2e --test reliability differential`.

mod ops;
mod rules;
mod view;

use dmemfs_core::{MemFs, Semantics};
use dmemfs_test::Tree;
use proptest::prelude::*;

use crate::common::{SHORT, snapshot as observable};
use ops::{Host, Mem, Outcome, Step, scratch_base, step};
pub(crate) use rules::{DIVERGENCES, Run};
use rules::{apply_locks, reconcile, set_len_same, sgid_dirs, skipped};
use view::View;

/// Whether two paths name the same file on the dmemfs side.
fn same_file(fs: &MemFs, a: &str, b: &str) -> bool {
    let ino = |p: &str| fs.metadata(p).ok().filter(|m| m.is_file()).map(|m| m.ino());
    ino(a).is_some() && ino(a) == ino(b)
}

/// Compares the views and checks dmemfs's accounting.
fn check_views(run: Run, mem: &Mem, host: &Host) -> Result<(), String> {
    let paths = view::paths_to_inspect(mem);
    let ours = View::mem(mem, &paths);
    view::compare(run, &ours, &View::host(host, &paths))?;
    view::note_coverage(run, &ours);
    view::check_accounting(mem, &ours)
}

fn run_sequence(run: Run, steps: &[Step]) -> Result<(), String> {
    let dir = tempfile::tempdir_in(scratch_base()).map_err(|e| e.to_string())?;
    // The root of the tree, as a MemFs's (tempfile makes it 0o700).
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .map_err(|e| e.to_string())?;
    let mut host = Host {
        root: dir.path().to_owned(),
        files: Default::default(),
    };
    let semantics = match run {
        Run::Locked => Semantics::Locked,
        Run::Posix => Semantics::Posix,
    };
    let fs = MemFs::builder()
        .quota(1 << 30)
        .semantics(semantics)
        // Locks never meet (LOCKS); if they did, fail at once instead of waiting 30 s.
        .lock_timeout(Some(SHORT))
        .build()
        .unwrap();
    let mut mem = Mem {
        fs,
        files: Default::default(),
    };
    check_views(run, &mem, &host).map_err(|e| format!("at the start: {e}"))?;
    for (index, step) in steps.iter().enumerate() {
        apply_locks(run, step, &mut mem, &mut host);
        if skipped(run, step, |a, b| same_file(&mem.fs, a, b)).is_some() {
            continue;
        }
        // Whether the path an open or a hard link starts from was a directory.
        let source_was_dir = match step {
            Step::Open(_, p, _) | Step::HardLink(p, _) => mem.fs.is_dir(p),
            _ => false,
        };
        let before = observable(&mem.fs);
        let handle_len = match step {
            Step::Handle(slot, _) => mem.files[*slot]
                .as_ref()
                .map(|f| f.metadata().unwrap().len()),
            _ => None,
        };
        let mem_outcome = mem.run(step);
        let host_outcome = host.run(step);
        reconcile(run, step, &mem_outcome, &host_outcome, source_was_dir)
            .map_err(|e| format!("step {index}: {e}"))?;
        sgid_dirs(run, step, &before.0.to_snapshot().entries, &mem, &host);
        set_len_same(run, step, &mem_outcome, handle_len, &mem, &host);
        if matches!(mem_outcome, Outcome::Failed(_)) && observable(&mem.fs) != before {
            return Err(format!(
                "step {index}: {step:?} failed but changed the filesystem"
            ));
        }
        check_views(run, &mem, &host).map_err(|e| format!("after step {index} ({step:?}): {e}"))?;
    }
    // The last handles go: orphans free their bytes.
    host.files = Default::default();
    mem.files = Default::default();
    check_views(run, &mem, &host).map_err(|e| format!("after closing every handle: {e}"))?;
    let theirs = Tree::from_host(dir.path()).unwrap().to_snapshot().entries;
    let ours = observable(&mem.fs).0.to_snapshot().entries;
    if ours != theirs {
        return Err(format!(
            "final trees differ:\n dmemfs: {ours:?}\n Linux:  {theirs:?}"
        ));
    }
    Ok(())
}

/// Runs the property for one run, then reports how often each rule was applied (shown with
/// `--nocapture`: a rule that never fires excludes nothing and should go).
fn check(run: Run, test_name: &'static str) {
    let config = ProptestConfig {
        cases: crate::common::proptest_cases(256),
        source_file: Some(file!()),
        test_name: Some(test_name),
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(step(), 1..60), |steps| {
        run_sequence(run, &steps).map_err(TestCaseError::fail)
    });
    let hits = rules::hits(run);
    eprintln!("{run:?} run: rules applied, bugs met, states seen: {hits:?}");
    if let Err(failure) = result {
        panic!("{failure}");
    }
    if run == Run::Posix {
        for state in [
            "handle on an unlinked file",
            "two handles on one file",
            "hard-linked file",
            "explicit modification time",
        ] {
            let name = format!("seen:{state}");
            assert!(
                hits.iter().any(|(hit, n)| *hit == name && *n > 0),
                "the POSIX run never reached: {state}"
            );
        }
    }
}

#[test]
fn differential_against_linux_locked() {
    check(Run::Locked, "differential_against_linux_locked");
}

#[test]
fn differential_against_linux_posix() {
    check(Run::Posix, "differential_against_linux_posix");
}

#[test]
fn the_divergence_table_names_every_rule_once() {
    let mut names: Vec<&str> = DIVERGENCES.iter().map(|rule| rule.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), DIVERGENCES.len());
    assert!(
        DIVERGENCES
            .iter()
            .all(|rule| !rule.runs.is_empty() && !rule.why.is_empty())
    );
}
