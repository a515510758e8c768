//! Dump on failure: a failing test's tree lands on disk, a passing test's does not.
//!
//! The failing tests below are `#[ignore]`d; the checks run this same test binary as a child
//! process on one of them, with `DMEMFS_DUMP` pointing at a temporary directory.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dmemfs_test::{DUMP_ENV, DumpOnFailure, MemFs, with_memfs};
use rstest::rstest;

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn panics_on_purpose(fs: MemFs) {
    fs.create_dir_all("/app/logs").unwrap();
    fs.write("/app/logs/run.log", "step 1\nstep 2\n").unwrap();
    fs.create_dir("/app/empty").unwrap();
    panic!("boom");
}

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn returns_err_on_purpose(fs: MemFs) -> io::Result<()> {
    fs.write("/state.json", "{\"ok\":false}")?;
    Err(io::Error::other("validation failed"))
}

#[with_memfs]
#[test]
#[ignore = "passes; run by the harness_dump checks"]
fn passes_on_purpose(fs: MemFs) {
    fs.write("/fine.txt", "fine").unwrap();
}

#[with_memfs(dump = false)]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn fails_without_dump(fs: MemFs) {
    fs.write("/secret", "not dumped").unwrap();
    panic!("no dump wanted");
}

#[with_memfs]
#[rstest]
#[case::first(1)]
#[case::second(2)]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn failing_cases(fs: MemFs, #[case] n: u8) {
    fs.write("/case", [n]).unwrap();
    panic!("case {n} fails");
}

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn fails_holding_a_writer(fs: MemFs) {
    fs.write("/closed.txt", "readable").unwrap();
    let mut writer = fs.create("/open.txt").unwrap();
    std::io::Write::write_all(&mut writer, b"half written").unwrap();
    // The handle outlives the test body (leaked into a thread that never ends it).
    std::thread::spawn(move || {
        let _held = writer;
        std::thread::sleep(std::time::Duration::from_secs(60));
    });
    panic!("failed with a file open");
}

/// Runs one test of this binary in a child process, dumping under `dump_dir`.
pub(crate) fn run_child(test: &str, dump_dir: Option<&Path>) -> Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test, "--exact", "--ignored"])
        .env("RUST_BACKTRACE", "0");
    match dump_dir {
        Some(dir) => command.env(DUMP_ENV, dir),
        None => command.env(DUMP_ENV, "off"),
    };
    command.output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Where a test of this binary dumps: `<dir>/<package>/<crate>/<module path and name, joined
/// with '.'>`.
pub(crate) fn dumped(dir: &Path, test: &str) -> PathBuf {
    dir.join("dmemfs-e2e")
        .join("e2e")
        .join(test.replace("::", ".").replace("r#", ""))
}

/// The file beside a dump directory that marks it as one.
fn marker(dump: &Path) -> PathBuf {
    let mut name = dump.file_name().unwrap().to_os_string();
    name.push(".dmemfs-dump");
    dump.with_file_name(name)
}

#[test]
fn a_panicking_test_leaves_its_tree_on_disk() {
    let dumps = tempfile::tempdir().unwrap();
    let output = run_child("harness_dump::panics_on_purpose", Some(dumps.path()));
    assert!(!output.status.success(), "the child test should fail");
    let tree = dumped(dumps.path(), "harness_dump::panics_on_purpose");
    let log = std::fs::read_to_string(tree.join("app/logs/run.log")).unwrap();
    assert_eq!(log, "step 1\nstep 2\n");
    assert!(
        tree.join("app/empty").is_dir(),
        "empty directories are dumped too"
    );
    let out = stdout(&output);
    let expected = format!(
        "its filesystem (1 files, 4 directories, 14 bytes) was written to {}",
        tree.display()
    );
    assert!(out.contains(&expected), "{out}");
}

#[test]
fn a_test_returning_err_leaves_its_tree_on_disk() {
    let dumps = tempfile::tempdir().unwrap();
    let output = run_child("harness_dump::returns_err_on_purpose", Some(dumps.path()));
    assert!(!output.status.success());
    let tree = dumped(dumps.path(), "harness_dump::returns_err_on_purpose");
    assert_eq!(
        std::fs::read_to_string(tree.join("state.json")).unwrap(),
        "{\"ok\":false}"
    );
    // The error's Display form, not its Debug form (issue 14).
    assert!(stdout(&output).contains("the test returned Err(validation failed); its filesystem"));
}

#[test]
fn a_passing_test_writes_nothing_and_clears_a_stale_dump() {
    let dumps = tempfile::tempdir().unwrap();
    let stale = dumped(dumps.path(), "harness_dump::passes_on_purpose");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("old.txt"), "from an earlier failure").unwrap();
    std::fs::write(marker(&stale), "").unwrap(); // what marks a dump
    let output = run_child("harness_dump::passes_on_purpose", Some(dumps.path()));
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        !stale.exists(),
        "the stale dump of a now-passing test is removed"
    );
    assert!(!stdout(&output).contains("dmemfs:"));
}

#[test]
fn dumps_can_be_turned_off_per_test_and_per_run() {
    let dumps = tempfile::tempdir().unwrap();
    let output = run_child("harness_dump::fails_without_dump", Some(dumps.path()));
    assert!(!output.status.success());
    assert!(!dumped(dumps.path(), "harness_dump::fails_without_dump").exists());
    // DMEMFS_DUMP=off: nothing is written anywhere.
    let output = run_child("harness_dump::panics_on_purpose", None);
    assert!(!output.status.success());
    assert!(!stdout(&output).contains("was written to"));
}

#[test]
fn each_rstest_case_dumps_to_its_own_directory() {
    let dumps = tempfile::tempdir().unwrap();
    for case in ["case_1_first", "case_2_second"] {
        let test = format!("harness_dump::failing_cases::{case}");
        assert!(!run_child(&test, Some(dumps.path())).status.success());
    }
    let first = dumped(dumps.path(), "harness_dump::failing_cases::case_1_first");
    let second = dumped(dumps.path(), "harness_dump::failing_cases::case_2_second");
    assert_eq!(std::fs::read(first.join("case")).unwrap(), [1]);
    assert_eq!(std::fs::read(second.join("case")).unwrap(), [2]);
}

#[test]
fn files_held_open_are_dumped_as_last_written() {
    let dumps = tempfile::tempdir().unwrap();
    let output = run_child("harness_dump::fails_holding_a_writer", Some(dumps.path()));
    assert!(!output.status.success());
    let tree = dumped(dumps.path(), "harness_dump::fails_holding_a_writer");
    assert_eq!(
        std::fs::read_to_string(tree.join("closed.txt")).unwrap(),
        "readable"
    );
    assert_eq!(
        std::fs::read_to_string(tree.join("open.txt")).unwrap(),
        "half written"
    );
    assert!(
        stdout(&output).contains("1 handles were still open"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_guard_can_be_used_without_the_macro() {
    let dumps = tempfile::tempdir().unwrap();
    let fs = MemFs::new();
    fs.write("/evidence.txt", "what went wrong").unwrap();
    let guard = DumpOnFailure::new(&fs, "my_crate::checks", "by_hand").to(dumps.path());
    let target = guard.path();
    // The package from cargo's environment (the macro knows it at compile time).
    assert_eq!(
        target,
        dumps.path().join("dmemfs-e2e/my_crate/checks.by_hand")
    );
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _guard = guard;
        panic!("by hand");
    }));
    assert!(panicked.is_err());
    assert_eq!(
        std::fs::read_to_string(target.join("evidence.txt")).unwrap(),
        "what went wrong"
    );
}

#[test]
fn a_directory_that_is_not_a_dump_is_never_removed_or_overwritten() {
    // DMEMFS_DUMP pointed where the user keeps files of the same names.
    let dumps = tempfile::tempdir().unwrap();
    for test in [
        "harness_dump::passes_on_purpose",
        "harness_dump::panics_on_purpose",
    ] {
        let users = dumped(dumps.path(), test);
        std::fs::create_dir_all(&users).unwrap();
        std::fs::write(users.join("precious.txt"), "the user's").unwrap();
        let output = run_child(test, Some(dumps.path()));
        assert_eq!(
            std::fs::read_to_string(users.join("precious.txt")).unwrap(),
            "the user's"
        );
        assert!(
            !users.join("app").exists(),
            "no dump mixed into the user's files"
        );
        if !output.status.success() {
            assert!(
                stdout(&output).contains("refusing to overwrite them"),
                "{}",
                stdout(&output)
            );
        }
    }
}

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn fails_with_faults_armed(fs: MemFs) {
    fs.write("/important.log", "what happened").unwrap();
    let plan = dmemfs_test::FaultPlan::new()
        .with(dmemfs_test::Rule::fail(io::ErrorKind::PermissionDenied).on(dmemfs_core::Op::Read))
        .with(dmemfs_test::Rule::fail(io::ErrorKind::Other).on(dmemfs_core::Op::Walk));
    // Kept: a guard would uninstall the plan while the panic unwinds, before the dump.
    plan.install(&fs).keep();
    panic!("failed with faults armed");
}

#[test]
fn armed_faults_do_not_spoil_the_dump() {
    let dumps = tempfile::tempdir().unwrap();
    let output = run_child("harness_dump::fails_with_faults_armed", Some(dumps.path()));
    assert!(!output.status.success());
    let tree = dumped(dumps.path(), "harness_dump::fails_with_faults_armed");
    assert_eq!(
        std::fs::read_to_string(tree.join("important.log")).unwrap(),
        "what happened"
    );
}

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn parse(fs: MemFs) {
    fs.write("/from", "the test parse").unwrap();
    panic!("parse fails");
}

mod parse {
    use dmemfs_test::{MemFs, with_memfs};

    #[with_memfs]
    #[test]
    #[ignore = "fails on purpose; run by the harness_dump checks"]
    fn t(fs: MemFs) {
        fs.write("/from", "the test parse::t").unwrap();
        panic!("parse::t fails");
    }
}

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn r#type(fs: MemFs) {
    fs.write("/from", "r#type").unwrap();
    panic!("r#type fails");
}

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn r_type(fs: MemFs) {
    fs.write("/from", "r_type").unwrap();
    panic!("r_type fails");
}

#[with_memfs]
#[test]
#[ignore = "fails on purpose; run by the harness_dump checks"]
fn holds_a_directory_named_like_the_marker(fs: MemFs) {
    fs.create_dir("/.dmemfs-dump").unwrap();
    fs.write("/.dmemfs-dump/inside", "kept").unwrap();
    panic!("fails with a .dmemfs-dump directory");
}

/// Tests whose names once shared or nested their dump directories each get their own: a test
/// `parse` and a test in `mod parse`, in either order, and `r#type` and `r_type`. Each dump
/// holds its own test's file.
#[test]
fn tests_named_alike_dump_apart() {
    let dumps = tempfile::tempdir().unwrap();
    let tests = [
        ("harness_dump::parse::t", "the test parse::t"),
        ("harness_dump::parse", "the test parse"),
        ("harness_dump::r#type", "r#type"),
        ("harness_dump::r_type", "r_type"),
    ];
    for (test, _) in tests {
        let output = run_child(test, Some(dumps.path()));
        assert!(!output.status.success(), "{test} should fail");
        assert!(
            stdout(&output).contains("was written to"),
            "{test}: {}",
            stdout(&output)
        );
    }
    for (test, from) in tests {
        let dump = dumped(dumps.path(), test);
        assert_eq!(
            std::fs::read_to_string(dump.join("from")).unwrap(),
            from,
            "{test} dumped to {}",
            dump.display()
        );
    }
    // A rerun of `parse` replaces its own dump and leaves `parse::t`'s.
    assert!(
        !run_child("harness_dump::parse", Some(dumps.path()))
            .status
            .success()
    );
    let t = dumped(dumps.path(), "harness_dump::parse::t");
    assert_eq!(
        std::fs::read_to_string(t.join("from")).unwrap(),
        "the test parse::t"
    );
}

/// The marker lives beside the dump, outside the dumped tree's names: a virtual directory
/// named `.dmemfs-dump` is dumped like any other.
#[test]
fn a_directory_named_like_the_marker_is_dumped() {
    let dumps = tempfile::tempdir().unwrap();
    let test = "harness_dump::holds_a_directory_named_like_the_marker";
    let output = run_child(test, Some(dumps.path()));
    assert!(
        stdout(&output).contains("was written to"),
        "{}",
        stdout(&output)
    );
    let dump = dumped(dumps.path(), test);
    assert_eq!(
        std::fs::read_to_string(dump.join(".dmemfs-dump/inside")).unwrap(),
        "kept"
    );
    assert!(marker(&dump).is_file());
}
