//! The assertion macros: they pass when they should, and their failure messages show what a
//! developer needs (the figures, the path, the tree around it, a diff).

use std::panic::{UnwindSafe, catch_unwind};

use dmemfs_test::{
    MemFs, assert_exists, assert_file_contains, assert_file_eq, assert_file_matches, assert_is_dir,
    assert_is_file, assert_missing, assert_no_open_handles, assert_quota, with_memfs,
};

/// The message of the panic `check` raises.
fn failure(check: impl FnOnce() + UnwindSafe) -> String {
    let payload = catch_unwind(check).expect_err("the assertion should have failed");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

#[track_caller]
fn assert_contains(message: &str, expected: &[&str]) {
    for part in expected {
        assert!(message.contains(part), "missing {part:?} in:\n{message}");
    }
}

fn sample() -> MemFs {
    let fs = dmemfs_test::test_builder().quota(1 << 20).build().unwrap();
    fs.create_dir_all("/out/logs").unwrap();
    fs.write("/out/logs/run.log", "started\nwarning: disk almost full\n")
        .unwrap();
    fs.write("/out/report.csv", "region,total\nnorth,12\n")
        .unwrap();
    fs
}

#[with_memfs(quota = "1M")]
#[test]
fn quota_assertions_pass(fs: MemFs) {
    fs.write("/a", vec![0; 1000]).unwrap();
    fs.write("/b", vec![0; 24]).unwrap();
    fs.remove_file("/b").unwrap();
    assert_quota!(fs, used == 1000);
    assert_quota!(fs, used <= "1K");
    assert_quota!(fs, peak_used == "1K");
    assert_quota!(fs, free > "1000K");
    assert_quota!(fs, quota == "1M");
    assert_quota!(fs, files == 1);
    assert_quota!(fs, dirs == 1);
    assert_quota!(fs, nodes < 3);
    assert_quota!(fs, open_handles == 0);
    assert_no_open_handles!(fs);
}

#[test]
fn a_quota_failure_shows_the_figures_and_the_tree() {
    let fs = sample();
    let message = failure(|| assert_quota!(fs, used <= 10));
    assert_contains(
        &message,
        &[
            "assert_quota!(fs, used <= 10) failed: used is 56 bytes, expected <= 10 bytes",
            "56 of 1048576 bytes used",
            "└── out/",
            "report.csv (22 bytes)",
        ],
    );
    let message = failure(|| assert_quota!(fs, files > "1K"));
    assert_contains(&message, &["files is 2, expected > 1024"]);
}

#[test]
fn a_bad_bound_is_reported_clearly() {
    let fs = sample();
    let message = failure(|| assert_quota!(fs, used <= "lots"));
    assert_contains(&message, &["assert_quota!: invalid size `lots`"]);
    // Integer bounds are u64: large literals work (a negative one does not compile).
    assert_quota!(fs, used <= 3_000_000_000);
    assert_quota!(fs, files == fs.stats().files);
}

#[test]
fn a_leaked_handle_is_reported() {
    let fs = sample();
    let handle = fs.open("/out/report.csv").unwrap();
    let message = failure(|| assert_no_open_handles!(fs));
    assert_contains(&message, &["1 handles are still open"]);
    drop(handle);
    assert_no_open_handles!(fs);
}

#[test]
fn path_assertions() {
    let fs = sample();
    assert_exists!(fs, "/out/report.csv");
    assert_exists!(fs, String::from("/out/logs"));
    assert_missing!(fs, "/out/nothing");
    assert_is_dir!(fs, "/out/logs");
    assert_is_file!(fs, "/out/logs/run.log");
    let message = failure(|| assert_exists!(fs, "/out/logs/missing.log"));
    assert_contains(
        &message,
        &[
            "assert_exists!(`/out/logs/missing.log`) failed: nothing is there",
            "the tree at `/out/logs`:",
            "└── run.log (34 bytes)",
        ],
    );
    let message = failure(|| assert_is_dir!(fs, "/out/report.csv"));
    assert_contains(
        &message,
        &["it is a file of 22 bytes", "the tree at `/out`:"],
    );
    let message = failure(|| assert_missing!(fs, "/out"));
    assert_contains(
        &message,
        &["assert_missing!(`/out`) failed: it is a directory"],
    );
    let message = failure(|| assert_is_file!(fs, "/no/such/dir/file"));
    assert_contains(&message, &["nothing is there", "the tree at `/`:"]);
}

#[test]
fn content_assertions() {
    let fs = sample();
    assert_file_eq!(fs, "/out/report.csv", "region,total\nnorth,12\n");
    assert_file_eq!(fs, "/out/report.csv", b"region,total\nnorth,12\n".to_vec());
    assert_file_contains!(fs, "/out/logs/run.log", "almost full");
    assert_file_contains!(fs, "/out/logs/run.log", b"started");
    assert_file_matches!(fs, "/out/report.csv", |bytes| bytes.starts_with(b"region"));
}

#[test]
fn a_content_mismatch_shows_a_diff() {
    let fs = sample();
    let message = failure(|| assert_file_eq!(fs, "/out/report.csv", "region,total\nnorth,13\n"));
    assert_contains(
        &message,
        &[
            "assert_file_eq!(`/out/report.csv`) failed: the contents differ",
            "--- expected",
            "+++ actual",
            "-north,13",
            "+north,12",
        ],
    );
    fs.write("/out/blob", [0u8, 159]).unwrap();
    let message = failure(|| assert_file_eq!(fs, "/out/blob", [0u8, 1]));
    assert_contains(&message, &["expected 2 bytes", "actual 2 bytes"]);
}

#[test]
fn content_failures_name_the_path_and_show_the_tree() {
    let fs = sample();
    let message = failure(|| assert_file_contains!(fs, "/out/logs/run.log", "error"));
    assert_contains(
        &message,
        &[
            "assert_file_contains!(`/out/logs/run.log`) failed: \"error\" not found in its 34 bytes",
            "warning: disk almost full",
        ],
    );
    let message = failure(|| assert_file_matches!(fs, "/out/report.csv", |b| b.is_empty()));
    assert_contains(
        &message,
        &["assert_file_matches!(`/out/report.csv`, |b| b.is_empty()) failed"],
    );
    let message = failure(|| assert_file_eq!(fs, "/out/missing.csv", ""));
    assert_contains(
        &message,
        &[
            "assert_file_eq!(`/out/missing.csv`) failed: read `/out/missing.csv`: no such file or directory",
            "the tree at `/out`:",
        ],
    );
}

/// issue 14: every assertion reports the line of the test that called it, whatever the reason
/// it fails (a missing file used to report a line inside dmemfs-test).
mod locations {
    use std::cell::RefCell;
    use std::panic::{self, UnwindSafe};
    use std::sync::Once;

    use dmemfs_test::{
        assert_exists, assert_file_contains, assert_file_eq, assert_file_matches, assert_is_dir,
        assert_is_file, assert_missing, assert_no_open_handles, assert_quota, assert_tree_eq,
        assert_tree_snapshot,
    };

    thread_local! {
        static LAST: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
    }

    /// The file and line the panic raised by `check` reports.
    fn panic_location(check: impl FnOnce() + UnwindSafe) -> (String, u32) {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                if let Some(at) = info.location() {
                    let at = (at.file().to_owned(), at.line());
                    LAST.with(|last| *last.borrow_mut() = Some(at));
                }
                previous(info);
            }));
        });
        LAST.with(|last| last.borrow_mut().take());
        assert!(
            panic::catch_unwind(check).is_err(),
            "the assertion should have failed"
        );
        LAST.with(|last| last.borrow_mut().take())
            .expect("the panic hook ran")
    }

    /// Asserts that `$check` fails and reports this line.
    macro_rules! fails_here {
        ($check:expr) => {
            assert_eq!(
                panic_location(|| {
                    $check;
                }),
                (file!().to_owned(), line!()),
                "{}",
                stringify!($check)
            )
        };
    }

    #[test]
    fn every_assertion_reports_the_callers_line() {
        let fs = super::sample();
        fails_here!(assert_exists!(fs, "/none"));
        fails_here!(assert_missing!(fs, "/out"));
        fails_here!(assert_is_dir!(fs, "/out/report.csv"));
        fails_here!(assert_is_file!(fs, "/out"));
        fails_here!(assert_file_eq!(fs, "/missing.csv", ""));
        fails_here!(assert_file_eq!(fs, "/out/report.csv", "other"));
        fails_here!(assert_file_contains!(fs, "/missing.csv", "x"));
        fails_here!(assert_file_contains!(fs, "/out/report.csv", "zzz"));
        fails_here!(assert_file_matches!(fs, "/missing.csv", |_| true));
        fails_here!(assert_file_matches!(fs, "/out/report.csv", |_| false));
        fails_here!(assert_quota!(fs, used == 0));
        fails_here!(assert_quota!(fs, used <= "lots"));
        fails_here!(assert_tree_eq!((&fs, "/out"), (&fs, "/out/logs")));
        fails_here!(assert_tree_eq!((&fs, "/missing"), fs));
        fails_here!(assert_tree_snapshot!(fs, "/missing"));
        let handle = fs.open("/out/report.csv").unwrap();
        fails_here!(assert_no_open_handles!(fs));
        drop(handle);
    }
}
