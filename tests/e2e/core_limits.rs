//! Limits and hostile shapes: path lengths through moves, pathological globs, huge vectored
//! writes, the memory guard's budget, special host files. Each test pins a defect found in
//! review of the core.

use std::io::{ErrorKind, IoSlice, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::Duration;

use dmemfs_core::{MemFs, MemoryGuard, NAME_MAX, PATH_MAX, Reason};

use crate::common::{expect_err, expect_reason, snapshot, test_fs};

/// A chain of directories whose deepest file path is just under `PATH_MAX`.
fn deep_chain(fs: &MemFs) -> String {
    let component = format!("/{}", "n".repeat(200));
    let mut dir = String::from("/a");
    while dir.len() + component.len() + 3 < PATH_MAX {
        dir.push_str(&component);
    }
    fs.create_dir_all(&dir).unwrap();
    let file = format!("{dir}/f");
    fs.write(&file, "deep").unwrap();
    assert!(file.len() < PATH_MAX);
    file
}

#[test]
fn moves_and_copies_may_not_push_a_path_past_path_max() {
    let fs = test_fs(1 << 20);
    deep_chain(&fs);
    let longer = format!("/{}", "b".repeat(NAME_MAX));
    let before = snapshot(&fs);
    let too_long = Reason::NameTooLong;
    expect_reason(
        fs.rename("/a", &longer),
        ErrorKind::InvalidFilename,
        &too_long,
    );
    expect_reason(
        fs.move_path("/a", format!("{longer}/x")),
        ErrorKind::InvalidFilename,
        &too_long,
    );
    expect_reason(
        fs.copy_dir_all("/a", &longer),
        ErrorKind::InvalidFilename,
        &too_long,
    );
    assert_eq!(snapshot(&fs), before, "nothing moved, nothing created");
    // A move that keeps every path within the limit still works.
    fs.rename("/a", "/z").unwrap();
    assert_eq!(fs.export_tree("/z").unwrap().len(), 1);
}

#[test]
fn glob_with_many_double_stars_stays_linear() {
    // Exponential matching took 8.7 s for five `**/d` pairs on this chain; linear matching
    // answers at once. Compared against a simple model rather than timed.
    let fs = test_fs(1 << 20);
    let chain: String = (0..40).map(|_| "/d").collect();
    fs.create_dir_all(&chain).unwrap();
    fs.write(format!("{chain}/zzz"), "").unwrap();
    let pattern = format!("{}/**/zzz", "/**/d".repeat(6));
    assert_eq!(fs.glob(&pattern).unwrap(), [format!("{chain}/zzz")]);
    assert!(
        fs.glob(format!("{}/**/nothing", "/**/d".repeat(8)))
            .unwrap()
            .is_empty()
    );
    // Every depth of the chain: `/**/d` matches all 40 directories, once each.
    assert_eq!(fs.glob("/**/d").unwrap().len(), 40);
}

#[test]
fn glob_and_walk_handle_the_deepest_tree_on_a_small_stack() {
    let fs = test_fs(1 << 20);
    let deepest = "/d".repeat(PATH_MAX / 2 - 1);
    fs.create_dir_all(&deepest).unwrap();
    let shared = fs.clone();
    let found = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            (
                shared.glob("/**/d").map(|v| v.len()),
                shared.walk("/").map(Iterator::count),
            )
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(found.0.unwrap(), PATH_MAX / 2 - 1);
    assert_eq!(found.1.unwrap(), PATH_MAX / 2);
}

#[test]
fn vectored_writes_never_gather_more_than_the_quota() {
    let fs = test_fs(1 << 20);
    let chunk = vec![7u8; 1 << 20];
    // 1 TiB described by a million slices of the same megabyte.
    let slices: Vec<IoSlice<'_>> = (0..(1 << 20)).map(|_| IoSlice::new(&chunk)).collect();
    fs.write("/r", "").unwrap();
    let mut reader = fs.open("/r").unwrap();
    expect_err(reader.write_vectored(&slices), ErrorKind::Unsupported);
    drop(reader);
    let mut writer = fs.create("/w").unwrap();
    // Like std's default: one buffer per call (a short write), charged like any write.
    assert_eq!(writer.write_vectored(&slices).unwrap(), 1 << 20);
    expect_err(writer.write_vectored(&slices), ErrorKind::StorageFull);
    drop(writer);
    assert_eq!(fs.stats().used, 1 << 20);
}

#[test]
fn failed_and_undone_growth_gives_the_memory_guard_its_budget_back() {
    let available = Arc::new(AtomicU64::new(200));
    let probe = Arc::clone(&available);
    let fs = MemFs::builder()
        .quota(200)
        .lock_timeout(Some(Duration::from_millis(20)))
        .memory_guard(MemoryGuard::per_write(Duration::from_secs(3600)).error())
        .memory_probe(move || Some(probe.load(SeqCst)))
        .build()
        .unwrap();
    fs.create_dir("/src").unwrap();
    fs.write("/src/f", [1; 60]).unwrap();
    let writer = fs.options().write(true).open("/src/f").unwrap();
    for _ in 0..2 {
        expect_err(fs.copy_dir_all("/src", "/dst"), ErrorKind::WouldBlock);
    }
    drop(writer);
    // 200 available - 60 granted: 140 left, whatever the failed copies reserved.
    fs.write("/g", [1; 100]).unwrap();
    // Freed bytes count again too: write and remove repeatedly within one reading.
    fs.remove_file("/g").unwrap();
    for _ in 0..10 {
        fs.write("/cycle", [2; 100]).unwrap();
        fs.remove_file("/cycle").unwrap();
    }
    assert_eq!(fs.stats().used, 60);
}

#[test]
fn import_from_dir_refuses_special_files() {
    let seed = tempfile::tempdir().unwrap();
    std::fs::write(seed.path().join("plain.txt"), "ok").unwrap();
    let fifo = seed.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("mkfifo unavailable: skipping the FIFO case");
        return;
    }
    let fs = test_fs(1 << 20);
    let err = expect_err(
        fs.import_from_dir(seed.path(), "/seed"),
        ErrorKind::InvalidInput,
    );
    assert!(err.to_string().contains("is not a regular file"), "{err}");
    assert!(!fs.exists("/seed"), "nothing imported");
}

/// A host tree deeper than any stack would hold a recursion for is imported level by
/// level, on a small stack.
#[test]
fn import_from_dir_reads_a_deep_host_tree_without_recursing() {
    let (seed, chain) = crate::common::deep_host_tree();
    let fs = MemFs::new();
    crate::common::on_small_stack(|| fs.import_from_dir(seed.path(), "/s").unwrap());
    assert_eq!(fs.read(format!("/s/{chain}/leaf")).unwrap(), b"bottom");
    assert_eq!(fs.stats().dirs, 1 + 1 + crate::common::DEEP_LEVELS as u64);
}
