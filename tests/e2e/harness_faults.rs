//! `FaultPlan`: deterministic, programmable faults that prove a test takes its error paths.

use std::io::{self, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use dmemfs_test::{Effect, FaultPlan, MemFs, Op, Reason, Rule, with_memfs};

use crate::common::expect_err;

/// Code under test: saves records one file each, retrying an interrupted write once.
fn save_records(fs: &MemFs, dir: &str, records: &[&str]) -> io::Result<usize> {
    fs.create_dir_all(dir)?;
    let mut saved = 0;
    for (i, record) in records.iter().enumerate() {
        let path = format!("{dir}/{i:03}.rec");
        match fs.write(&path, record) {
            Err(err) if err.kind() == ErrorKind::Interrupted => fs.write(&path, record)?,
            other => other?,
        }
        saved += 1;
    }
    Ok(saved)
}

#[with_memfs]
#[test]
fn the_nth_matching_write_fails(fs: MemFs) {
    let plan = FaultPlan::new().with(
        Rule::fail(ErrorKind::StorageFull)
            .on(Op::Write)
            .matching("/out/**")
            .nth(3),
    );
    let _faults = plan.install(&fs);
    fs.write("/elsewhere", "not counted").unwrap();
    let err = save_records(&fs, "/out", &["a", "b", "c", "d"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
    let injected = plan.injected();
    assert_eq!(injected.len(), 1);
    assert_eq!(
        (injected[0].op, injected[0].path.as_str()),
        (Op::Write, "/out/002.rec")
    );
    assert!(
        fs.exists("/out/001.rec") && !fs.exists("/out/002.rec"),
        "the failed write changed nothing"
    );
}

#[with_memfs]
#[test]
fn an_interrupted_write_is_retried_by_the_code_under_test(fs: MemFs) {
    let plan = FaultPlan::new().with(Rule::fail(ErrorKind::Interrupted).on(Op::Write).nth(2));
    let _faults = plan.install(&fs);
    assert_eq!(save_records(&fs, "/out", &["a", "b", "c"]).unwrap(), 3);
    assert_eq!(plan.injected().len(), 1, "the retry path was really taken");
    assert_eq!(fs.read("/out/001.rec").unwrap(), b"b");
}

#[with_memfs]
#[test]
fn from_nth_and_times(fs: MemFs) {
    let plan = FaultPlan::new().with(
        Rule::fail(ErrorKind::Other)
            .on(Op::CreateDir)
            .from_nth(2)
            .times(2),
    );
    let _faults = plan.install(&fs);
    let results: Vec<bool> = (0..5)
        .map(|i| fs.create_dir(format!("/d{i}")).is_ok())
        .collect();
    assert_eq!(results, [true, false, false, true, true]);
}

#[with_memfs(quota = "1M")]
#[test]
fn the_disk_fills_after_n_bytes(fs: MemFs) {
    let plan = FaultPlan::new().with(
        Rule::fail(ErrorKind::StorageFull)
            .on(Op::Write)
            .after_bytes(10),
    );
    let _faults = plan.install(&fs);
    let mut log = fs.create("/log").unwrap();
    log.write_all(b"12345").unwrap();
    log.write_all(b"67890").unwrap();
    expect_err(log.write_all(b"!"), ErrorKind::StorageFull);
    expect_err(log.write_all(b"?"), ErrorKind::StorageFull);
    drop(log);
    assert_eq!(fs.read("/log").unwrap(), b"1234567890");
}

#[with_memfs]
#[test]
fn short_reads_and_writes_exercise_loops(fs: MemFs) {
    fs.write("/data", "abcdefghij").unwrap();
    let plan = FaultPlan::new()
        .with(Rule::short(3).on(Op::Read))
        .with(Rule::short(4).on(Op::Write));
    let faults = plan.install(&fs);
    let mut contents = Vec::new();
    let mut file = fs.open("/data").unwrap();
    let mut buf = [0; 8];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(n <= 3);
        contents.extend_from_slice(&buf[..n]);
    }
    assert_eq!(contents, b"abcdefghij");
    let mut out = fs.create("/copy").unwrap();
    out.write_all(&contents).unwrap();
    drop(out);
    assert!(
        plan.injected()
            .iter()
            .all(|i| matches!(i.effect, Effect::Short(3 | 4)))
    );
    drop(faults);
    assert_eq!(fs.read("/copy").unwrap(), b"abcdefghij");
}

#[with_memfs]
#[test]
fn lock_contention(fs: MemFs) {
    fs.write("/db.lock", "").unwrap();
    let plan = FaultPlan::new().with(Rule::lock_contention().matching("/*.lock"));
    let _faults = plan.install(&fs);
    let err = expect_err(fs.open("/db.lock"), ErrorKind::WouldBlock);
    assert_eq!(
        err.reason(),
        &Reason::Injected {
            kind: ErrorKind::WouldBlock
        }
    );
    expect_err(fs.write("/db.lock", "x"), ErrorKind::WouldBlock);
    // Other files, and other operations on the same file, are untouched.
    fs.write("/data", "x").unwrap();
    fs.remove_file("/db.lock").unwrap();
}

#[with_memfs]
#[test]
fn delays(fs: MemFs) {
    let plan = FaultPlan::new().with(
        Rule::delay(Duration::from_millis(25))
            .on(Op::Read)
            .matching("/slow/*"),
    );
    fs.create_dir("/slow").unwrap();
    fs.write("/slow/a", "x").unwrap();
    let _faults = plan.install(&fs);
    let started = Instant::now();
    fs.read("/slow/a").unwrap();
    assert!(started.elapsed() >= Duration::from_millis(25));
}

#[with_memfs]
#[test]
fn two_path_operations_match_either_path(fs: MemFs) {
    fs.write("/src.txt", "x").unwrap();
    let plan =
        FaultPlan::new().with(Rule::fail(ErrorKind::PermissionDenied).matching("/protected/**"));
    fs.create_dir("/protected").unwrap();
    let _faults = plan.install(&fs);
    let err = expect_err(
        fs.rename("/src.txt", "/protected/dst.txt"),
        ErrorKind::PermissionDenied,
    );
    assert_eq!(err.target(), Some("/protected/dst.txt"));
    expect_err(
        fs.copy("/src.txt", "/protected/copy.txt"),
        ErrorKind::PermissionDenied,
    );
    let injected = plan.injected();
    assert_eq!(injected[0].target.as_deref(), Some("/protected/dst.txt"));
    assert!(fs.exists("/src.txt"));
}

#[with_memfs]
#[test]
fn rules_can_be_added_and_cleared_while_installed(fs: MemFs) {
    let plan = FaultPlan::new();
    let _faults = plan.install(&fs);
    fs.write("/a", "1").unwrap();
    plan.add(Rule::fail(ErrorKind::Other).on(Op::RemoveFile));
    expect_err(fs.remove_file("/a"), ErrorKind::Other);
    plan.clear();
    fs.remove_file("/a").unwrap();
    assert_eq!(plan.injected().len(), 1, "the record survives clear()");
}

#[with_memfs]
#[test]
fn the_first_firing_rule_decides_and_every_rule_counts(fs: MemFs) {
    let plan = FaultPlan::new()
        .with(Rule::fail(ErrorKind::Interrupted).on(Op::Write).nth(2))
        .with(Rule::fail(ErrorKind::StorageFull).on(Op::Write).nth(2));
    let _faults = plan.install(&fs);
    fs.write("/1", "").unwrap();
    expect_err(fs.write("/2", ""), ErrorKind::Interrupted);
    fs.write("/3", "").unwrap();
    let rules: Vec<usize> = plan.injected().iter().map(|i| i.rule).collect();
    assert_eq!(
        rules,
        [0],
        "the second rule's 2nd call was the same call, already decided"
    );
}

#[test]
fn runs_are_deterministic() {
    let run = || {
        let fs = MemFs::new();
        let plan = FaultPlan::new().with(
            Rule::fail(ErrorKind::Interrupted)
                .on(Op::Write)
                .from_nth(4)
                .times(3),
        );
        let _faults = plan.install(&fs);
        let outcomes: Vec<bool> = (0..10)
            .map(|i| fs.write(format!("/{i}"), "x").is_ok())
            .collect();
        (outcomes, plan.injected())
    };
    assert_eq!(run(), run());
}

#[with_memfs]
#[test]
fn short_rules_only_touch_handle_io(fs: MemFs) {
    let plan = FaultPlan::new().with(Rule::short(1).on(Op::Write).times(1));
    let _faults = plan.install(&fs);
    fs.write("/setup", "hello").unwrap(); // whole-file: not shortened, not counted
    let mut file = fs.create("/f").unwrap();
    assert_eq!(file.write(b"hello").unwrap(), 1);
    let injected = plan.injected();
    assert_eq!(injected.len(), 1);
    assert_eq!(injected[0].path, "/f");
}

#[with_memfs]
#[test]
fn after_bytes_counts_only_bytes_that_moved(fs: MemFs) {
    let plan = FaultPlan::new()
        .with(Rule::fail(ErrorKind::Interrupted).on(Op::Write).nth(1))
        .with(
            Rule::fail(ErrorKind::StorageFull)
                .on(Op::Write)
                .after_bytes(10),
        );
    let _faults = plan.install(&fs);
    expect_err(fs.write("/a", [0; 8]), ErrorKind::Interrupted); // refused: moved nothing
    fs.write("/b", [0; 8]).unwrap(); // 8 of 10
    expect_err(fs.write("/c", [0; 8]), ErrorKind::StorageFull); // would make 16
    assert_eq!(fs.stats().used, 8);
}

// issue 14: `install` returns a guard; dropping it uninstalls the plan and puts back the one
// it replaced, and `keep` leaves the plan installed.
#[with_memfs]
#[test]
fn the_install_guard_uninstalls_and_nests(fs: MemFs) {
    let outer = FaultPlan::new().with(Rule::fail(ErrorKind::StorageFull).on(Op::Write));
    let inner = FaultPlan::new().with(Rule::fail(ErrorKind::PermissionDenied).on(Op::Write));
    let outer_guard = outer.install(&fs);
    {
        let _inner = inner.install(&fs);
        assert_eq!(
            fs.write("/a", "x").unwrap_err().kind(),
            ErrorKind::PermissionDenied
        );
    }
    assert_eq!(
        fs.write("/a", "x").unwrap_err().kind(),
        ErrorKind::StorageFull
    );
    drop(outer_guard);
    fs.write("/a", "x").unwrap();
    assert_eq!((outer.injected().len(), inner.injected().len()), (1, 1));

    inner.install(&fs).keep();
    assert_eq!(
        fs.write("/b", "x").unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    fs.set_fault_injector(None);
    fs.write("/b", "x").unwrap();
}
