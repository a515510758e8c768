//! `FaultPlan`: deterministic, programmable faults that prove a test takes its error paths.

use std::io::{self, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use dmemfs_core::{Op, Reason};
use dmemfs_test::{Effect, FaultPlan, MemFs, Rule, with_memfs};

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

/// After the first refusal the disk is full: a call small enough to fit beside the total
/// fires too, and so does every later one.
#[with_memfs]
#[test]
fn after_bytes_refuses_every_later_call_however_small(fs: MemFs) {
    let plan = FaultPlan::new().with(
        Rule::fail(ErrorKind::StorageFull)
            .on(Op::Write)
            .after_bytes(10),
    );
    let _faults = plan.install(&fs);
    fs.write("/a", [0; 8]).unwrap();
    expect_err(fs.write("/b", [0; 8]), ErrorKind::StorageFull);
    expect_err(fs.write("/c", [0; 2]), ErrorKind::StorageFull); // 8 + 2 would fit
    expect_err(fs.write("/d", [0; 1]), ErrorKind::StorageFull);
    fs.write("/e", []).unwrap(); // no bytes to refuse: an empty write is not the disk's
    assert_eq!(plan.injected().len(), 3);
    assert_eq!(fs.stats().used, 8);
}

/// `write_all_at` and `read_exact_at` loop over short transfers as std's `FileExt` versions
/// do: under `Rule::short(1)` all five bytes go through, one call each.
#[with_memfs]
#[test]
fn positional_all_and_exact_loop_over_short_transfers(fs: MemFs) {
    let plan = FaultPlan::new().with(Rule::short(1));
    let _faults = plan.install(&fs);
    let file = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/f")
        .unwrap();
    file.write_all_at(b"hello", 2).unwrap();
    let mut buf = [0; 5];
    file.read_exact_at(&mut buf, 2).unwrap();
    assert_eq!(&buf, b"hello");
    assert_eq!(
        plan.injected().len(),
        10,
        "five one-byte writes, five reads"
    );
    drop(file);
    fs.set_fault_injector(None);
    assert_eq!(fs.read("/f").unwrap(), b"\0\0hello");
}

/// A write cut to nothing is `WriteZero` naming the path, and an interrupted one is retried,
/// as std's `write_all_at` does; a read cut to nothing is the end of the file.
#[with_memfs]
#[test]
fn positional_all_and_exact_stop_on_no_progress_and_retry_interruptions(fs: MemFs) {
    let file = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/f")
        .unwrap();
    let plan = FaultPlan::new()
        .with(Rule::fail(ErrorKind::Interrupted).times(2))
        .with(Rule::short(2).on(Op::Write).times(1))
        .with(Rule::short(0));
    let _faults = plan.install(&fs);
    let err = expect_err(file.write_all_at(b"hello", 0), ErrorKind::WriteZero);
    assert_eq!(err.path(), "/f");
    assert_eq!(
        err.reason(),
        &Reason::WriteZero {
            wanted: 5,
            written: 2
        }
    );
    let mut buf = [0; 2];
    let err = expect_err(file.read_exact_at(&mut buf, 0), ErrorKind::UnexpectedEof);
    assert_eq!(err.op(), Op::Read);
    let effects: Vec<Effect> = plan.injected().iter().map(|i| i.effect).collect();
    assert_eq!(
        effects,
        [
            Effect::Fail(ErrorKind::Interrupted),
            Effect::Fail(ErrorKind::Interrupted),
            Effect::Short(2),
            Effect::Short(0),
            Effect::Short(0),
        ]
    );
}

/// A write cut to nothing through an append handle moves no cursor, as an empty write does
/// on Linux (it returns before moving the offset to the end).
#[with_memfs]
#[test]
fn a_write_cut_to_nothing_leaves_an_append_cursor(fs: MemFs) {
    use std::io::{Seek, SeekFrom};
    fs.write("/log", "abc").unwrap();
    let mut file = fs.options().append(true).open("/log").unwrap();
    file.seek(SeekFrom::Start(1)).unwrap();
    let plan = FaultPlan::new().with(Rule::short(0).on(Op::Write).times(1));
    let _faults = plan.install(&fs);
    assert_eq!(file.write(b"de").unwrap(), 0);
    assert_eq!(file.stream_position().unwrap(), 1);
    assert_eq!(file.write(b"de").unwrap(), 2);
    assert_eq!(file.stream_position().unwrap(), 5);
}

/// One pattern language: for each pattern, the writes a `Rule::matching` fault fires on and
/// the files `fs.glob` lists are the same set, and a rendering including it shows those and
/// what is below the directories it lists (a rule that never fires would let a fault test
/// pass without testing anything).
#[test]
fn rules_glob_and_renderings_read_a_pattern_alike() {
    use dmemfs_core::GlobPattern;
    use dmemfs_test::RenderOptions;
    let files = [
        "/out/a.json",
        "/out/sub/b.json",
        "/outer.json",
        "/src/out/c.json",
        "/z",
    ];
    let patterns = [
        "out/**",
        "/out/**",
        "out/*.json",
        "**/*.json",
        "**/out/*",
        "./out//sub/*",
        "*",
        "/src/**/c.json",
        "[a-o]*/*",
    ];
    let seeded = MemFs::new();
    for file in files {
        seeded
            .create_dir_all(file.rsplit_once('/').unwrap().0)
            .unwrap_or(());
        seeded.write(file, "").unwrap();
    }
    for pattern in patterns {
        let all = seeded.glob(pattern).unwrap();
        let globbed: Vec<String> = all.iter().filter(|p| seeded.is_file(p)).cloned().collect();
        // An included directory shows what is below it too.
        let below_globbed: Vec<String> = files
            .iter()
            .filter(|file| {
                all.iter()
                    .any(|m| *file == m || file.starts_with(&format!("{m}/")))
            })
            .map(|file| file.to_string())
            .collect();
        // Rule::matching: which of the writes fail.
        let fs = MemFs::new();
        for file in files {
            fs.create_dir_all(file.rsplit_once('/').unwrap().0)
                .unwrap_or(());
        }
        let _faults = FaultPlan::new()
            .with(Rule::fail(ErrorKind::Other).on(Op::Write).matching(pattern))
            .install(&fs);
        let faulted: Vec<String> = files
            .iter()
            .filter(|file| fs.write(file, "").is_err())
            .map(|file| file.to_string())
            .collect();
        // RenderOptions::include: which files are shown.
        let text = RenderOptions::new()
            .include(pattern)
            .contents(false)
            .render(&seeded, "/")
            .unwrap();
        let shown: Vec<String> = files
            .iter()
            .filter(|file| {
                let name = file.rsplit('/').next().unwrap();
                text.contains(&format!(" {name} (0 bytes)"))
            })
            .map(|file| file.to_string())
            .collect();
        let matched: Vec<String> = files
            .iter()
            .filter(|file| GlobPattern::new(pattern).unwrap().matches(file))
            .map(|file| file.to_string())
            .collect();
        assert!(
            !globbed.is_empty(),
            "{pattern}: the table should match something"
        );
        assert_eq!(
            faulted, globbed,
            "{pattern}: Rule::matching against fs.glob"
        );
        assert_eq!(
            shown, below_globbed,
            "{pattern}: RenderOptions::include against fs.glob"
        );
        assert_eq!(
            matched, globbed,
            "{pattern}: GlobPattern::matches against fs.glob"
        );
    }
}
