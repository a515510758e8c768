//! Locks across threads, and many threads hammering one filesystem (D-MemFS's stress shapes,
//! inventory section 3.2, plus a mixed workload).

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use dmemfs_core::{MemFs, Reason};

use crate::common::{assert_invariants, expect_err, test_fs};

fn fs_with_timeout(quota: u64, timeout: Duration) -> MemFs {
    MemFs::builder()
        .quota(quota)
        .lock_timeout(Some(timeout))
        .build()
        .unwrap()
}

/// Runs `threads` copies of `body(index)` released together by a barrier, and joins them,
/// failing if any panicked.
fn run_together(threads: usize, body: impl Fn(usize) + Send + Sync + 'static) {
    let body = Arc::new(body);
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (body, barrier) = (Arc::clone(&body), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                body(i);
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a worker thread panicked");
    }
}

#[test]
fn reader_times_out_while_a_writer_holds_the_file() {
    let fs = fs_with_timeout(1 << 20, Duration::from_secs(30));
    let writer = fs.create("/f").unwrap();
    let other = fs.clone();
    let started = Instant::now();
    let result = thread::spawn(move || {
        other
            .options()
            .read(true)
            .lock_timeout(Some(Duration::from_millis(80)))
            .open("/f")
            .map(drop)
    })
    .join()
    .unwrap();
    let err = expect_err(result, ErrorKind::WouldBlock);
    assert!(
        matches!(err.reason(), Reason::LockTimeout { waited } if *waited >= Duration::from_millis(80))
    );
    assert!(started.elapsed() >= Duration::from_millis(80));
    drop(writer);
    fs.open("/f").unwrap();
}

#[test]
fn a_waiting_open_succeeds_when_the_holder_lets_go() {
    let fs = fs_with_timeout(1 << 20, Duration::from_secs(30));
    let mut writer = fs.create("/f").unwrap();
    let other = fs.clone();
    let waiter = thread::spawn(move || {
        let mut contents = String::new();
        other
            .options()
            .read(true)
            .lock_timeout(None)
            .open("/f")?
            .read_to_string(&mut contents)?;
        Ok::<_, std::io::Error>(contents)
    });
    thread::sleep(Duration::from_millis(30));
    writer.write_all(b"written before release").unwrap();
    drop(writer);
    assert_eq!(waiter.join().unwrap().unwrap(), "written before release");
}

#[test]
fn writers_exclude_each_other_and_readers_share() {
    let fs = fs_with_timeout(1 << 20, Duration::ZERO);
    fs.write("/f", "x").unwrap();
    let r1 = fs.open("/f").unwrap();
    let r2 = fs.open("/f").unwrap();
    expect_err(fs.options().write(true).open("/f"), ErrorKind::WouldBlock);
    expect_err(fs.write("/f", "y"), ErrorKind::WouldBlock);
    drop((r1, r2));
    let w = fs.options().write(true).open("/f").unwrap();
    expect_err(fs.open("/f"), ErrorKind::WouldBlock);
    expect_err(fs.options().append(true).open("/f"), ErrorKind::WouldBlock);
    expect_err(fs.read("/f"), ErrorKind::WouldBlock);
    drop(w);
    assert_eq!(fs.read("/f").unwrap(), b"x");
}

#[test]
fn a_thread_can_hold_two_read_handles_while_a_writer_waits() {
    let fs = fs_with_timeout(1 << 20, Duration::from_secs(5));
    fs.write("/f", "shared").unwrap();
    let first = fs.open("/f").unwrap();
    let other = fs.clone();
    let writer = thread::spawn(move || other.create("/f").map(drop));
    thread::sleep(Duration::from_millis(30));
    // The writer is queued; a second read handle from this thread must not wait behind it.
    let second = fs
        .options()
        .read(true)
        .lock_timeout(Some(Duration::ZERO))
        .open("/f")
        .unwrap();
    drop((first, second));
    writer.join().unwrap().unwrap();
}

#[test]
fn a_blocked_open_does_not_stall_other_threads() {
    let fs = fs_with_timeout(1 << 20, Duration::from_secs(20));
    let holder = fs.create("/held").unwrap();
    let other = fs.clone();
    let waiting = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&waiting);
    let waiter = thread::spawn(move || {
        flag.store(true, SeqCst);
        other.open("/held").map(drop)
    });
    while !waiting.load(SeqCst) {
        thread::yield_now();
    }
    thread::sleep(Duration::from_millis(20));
    // If the waiter kept the namespace locked, none of this could finish before its 20 s
    // timeout, and the waiter would be done (with an error) by the time it does.
    for i in 0..200 {
        let path = format!("/other-{i}");
        fs.write(&path, "x").unwrap();
        assert!(fs.exists(&path));
        fs.metadata("/held").unwrap();
        fs.read_dir("/").unwrap();
    }
    fs.rename("/other-0", "/renamed").unwrap();
    assert!(
        !waiter.is_finished(),
        "other threads' operations waited for the blocked open"
    );
    drop(holder);
    waiter.join().unwrap().unwrap();
}

#[test]
fn same_thread_conflict_times_out_instead_of_hanging() {
    let fs = fs_with_timeout(1 << 20, Duration::from_millis(50));
    let _writer = fs.create("/f").unwrap();
    for result in [
        fs.read("/f").map(drop),
        fs.copy("/f", "/g").map(drop),
        fs.export_tree("/").map(drop),
    ] {
        expect_err(result, ErrorKind::WouldBlock);
    }
}

#[test]
fn opposite_copies_do_not_deadlock() {
    let fs = fs_with_timeout(1 << 30, Duration::from_secs(20));
    fs.write("/a", vec![1; 10_000]).unwrap();
    fs.write("/b", vec![2; 10_000]).unwrap();
    let fs2 = fs.clone();
    let forward = thread::spawn(move || {
        for _ in 0..300 {
            fs2.copy("/a", "/b").unwrap();
        }
    });
    for _ in 0..300 {
        fs.copy("/b", "/a").unwrap();
    }
    forward.join().unwrap();
    assert_eq!(fs.read("/a").unwrap(), fs.read("/b").unwrap());
    assert_invariants(&fs);
}

/// ST-01: 50 threads, each with its own file: write then read back, 1000 times.
#[test]
fn st01_own_files_round_trip() {
    let fs = MemFs::with_quota(64 << 20);
    let shared = fs.clone();
    run_together(50, move |i| {
        let path = format!("/file_{i}.bin");
        let payload = vec![i as u8; 64];
        for _ in 0..1000 {
            shared.create(&path).unwrap().write_all(&payload).unwrap();
            let mut back = Vec::new();
            shared.open(&path).unwrap().read_to_end(&mut back).unwrap();
            assert_eq!(back, payload);
        }
    });
    assert_eq!(fs.stats().used, 50 * 64);
    assert_invariants(&fs);
}

/// ST-02: 30 threads racing create_new then remove on 5 shared paths.
#[test]
fn st02_create_new_and_remove_race() {
    let fs = fs_with_timeout(64 << 20, Duration::from_secs(10));
    let shared = fs.clone();
    run_together(30, move |i| {
        let path = format!("/shared_{}.bin", i % 5);
        for _ in 0..1000 {
            match shared.options().write(true).create_new(true).open(&path) {
                Ok(mut f) => f.write_all(b"data").unwrap(),
                Err(e) => assert!(matches!(e.kind(), ErrorKind::AlreadyExists), "{e}"),
            }
            if let Err(e) = shared.remove_file(&path) {
                assert!(
                    matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ResourceBusy),
                    "{e}"
                );
            }
        }
    });
    assert_invariants(&fs);
}

/// ST-03: 20 writers and 20 readers on one file: a reader never sees a truncated file.
#[test]
fn st03_readers_never_see_a_truncation() {
    let fs = fs_with_timeout(64 << 20, Duration::from_secs(30));
    fs.write("/same.bin", [0u8; 128]).unwrap();
    let shared = fs.clone();
    run_together(40, move |i| {
        for round in 0..500 {
            if i % 2 == 0 {
                shared
                    .create("/same.bin")
                    .unwrap()
                    .write_all(&[round as u8; 128])
                    .unwrap();
            } else {
                let contents = shared.read("/same.bin").unwrap();
                assert_eq!(contents.len(), 128);
                assert!(contents.iter().all(|&b| b == contents[0]), "torn read");
            }
        }
    });
    assert_eq!(fs.stats().used, 128);
}

/// ST-04: 40 threads writing 16 KiB files into a 512 KiB quota: the quota is never exceeded,
/// a refused write leaves no trace, and nothing is corrupted.
#[test]
fn st04_quota_pressure() {
    let fs = MemFs::with_quota(512 << 10);
    let over = Arc::new(AtomicU64::new(0));
    let (shared, watch, over_in) = (fs.clone(), fs.clone(), Arc::clone(&over));
    let stop = Arc::new(AtomicBool::new(false));
    let stop_watch = Arc::clone(&stop);
    let watcher = thread::spawn(move || {
        while !stop_watch.load(SeqCst) {
            let stats = watch.stats();
            if stats.used > stats.quota {
                over_in.fetch_add(1, SeqCst);
            }
        }
    });
    run_together(40, move |i| {
        let path = format!("/q_{i}.bin");
        let payload = vec![i as u8; 16 << 10];
        for _ in 0..500 {
            match shared.write(&path, &payload) {
                Ok(()) => assert_eq!(shared.read(&path).unwrap(), payload),
                Err(e) => assert_eq!(e.kind(), ErrorKind::StorageFull, "{e}"),
            }
            let _ = shared.remove_file(&path);
        }
    });
    stop.store(true, SeqCst);
    watcher.join().unwrap();
    assert_eq!(over.load(SeqCst), 0, "used exceeded the quota");
    assert!(fs.stats().peak_used <= 512 << 10);
    assert_invariants(&fs);
}

/// ST-05: 20 threads creating, listing and removing overlapping directory trees.
#[test]
fn st05_directory_churn() {
    let fs = MemFs::new();
    let shared = fs.clone();
    run_together(20, move |i| {
        let base = format!("/dir_{}", i % 4);
        for _ in 0..500 {
            if let Err(e) = shared.create_dir(&base) {
                assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
            }
            if let Err(e) = shared.create_dir_all(format!("{base}/sub_{}", i % 8)) {
                // Another thread removed the base between the two calls.
                assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
            }
            match shared.read_dir(&base) {
                Ok(entries) => assert!(entries.len() <= 8),
                Err(e) => assert_eq!(e.kind(), ErrorKind::NotFound, "{e}"),
            }
            if let Err(e) = shared.remove_dir_all(&base) {
                assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
            }
        }
    });
    assert_invariants(&fs);
}

/// ST-06: writers rewriting a file while others read its metadata.
#[test]
fn st06_metadata_during_writes() {
    let fs = fs_with_timeout(64 << 20, Duration::from_secs(30));
    let shared = fs.clone();
    run_together(20, move |i| {
        for _ in 0..500 {
            if i < 10 {
                shared.write("/rename_a.bin", [7u8; 64]).unwrap();
            } else {
                match shared.metadata("/rename_a.bin") {
                    Ok(meta) => assert!(meta.is_file() && (meta.len() == 0 || meta.len() == 64)),
                    Err(e) => assert_eq!(e.kind(), ErrorKind::NotFound),
                }
            }
        }
    });
    assert_eq!(fs.metadata("/rename_a.bin").unwrap().len(), 64);
}

/// 50 threads mixing every kind of operation on overlapping paths: only documented error
/// kinds appear, and the accounting holds at the end.
#[test]
fn fifty_threads_mixed_operations() {
    let fs = fs_with_timeout(8 << 20, Duration::from_millis(200));
    fs.create_dir_all("/work/a").unwrap();
    let shared = fs.clone();
    run_together(50, move |i| {
        let mut seed = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..400 {
            let a = format!("/work/{}/f{}", ["a", "b"][next(2) as usize], next(6));
            let b = format!("/work/{}/f{}", ["a", "b"][next(2) as usize], next(6));
            let result: std::io::Result<()> = match next(12) {
                0 => shared.write(&a, vec![i as u8; next(4000) as usize]),
                1 => shared.append(&a, b"tail"),
                2 => shared.read(&a).map(drop),
                3 => shared.remove_file(&a),
                4 => shared.rename(&a, &b),
                5 => shared.copy(&a, &b).map(drop),
                6 => shared.create_dir_all("/work/b"),
                7 => shared.remove_dir_all("/work/b"),
                8 => shared.walk("/work").map(|w| w.for_each(drop)),
                9 => shared.glob("/work/**/f*").map(drop),
                10 => shared.create(&a).and_then(|mut f| f.write_all(&[1; 100])),
                _ => shared.move_path(&a, format!("/work/b/m{}", next(3))),
            };
            if let Err(e) = result {
                assert!(
                    dmemfs_e2e::support::RACE_ERROR_KINDS.contains(&e.kind()),
                    "unexpected error: {e}"
                );
            }
        }
    });
    assert_eq!(fs.stats().open_handles, 0);
    assert_invariants(&fs);
}

/// A D-MemFS bug (fixed here): `copy` and exports waited on a writer without a timeout while holding the
/// global lock; from the writer's own thread that deadlocked forever.
#[test]
fn bug09_copy_of_a_file_held_by_this_thread_times_out() {
    let fs = test_fs(1 << 20);
    let _writer = fs.create("/held").unwrap();
    let err = expect_err(fs.copy("/held", "/x"), ErrorKind::WouldBlock);
    assert!(matches!(err.reason(), Reason::LockTimeout { .. }), "{err}");
    expect_err(fs.export_tree("/"), ErrorKind::WouldBlock);
    // Other operations are not stalled meanwhile (see core_concurrency for other threads).
    fs.write("/other", "fine").unwrap();
}

/// A D-MemFS bug (fixed here): `open` waited for a file lock while holding the global lock. Covered with
/// threads in `core_concurrency::a_blocked_open_does_not_stall_other_threads`; here, the
/// same-thread view: a failed wait leaves the filesystem usable at once.
#[test]
fn bug10_a_timed_out_open_releases_everything() {
    let fs = test_fs(1 << 20);
    let writer = fs.create("/f").unwrap();
    expect_err(fs.open("/f"), ErrorKind::WouldBlock);
    assert_eq!(fs.stats().open_handles, 1);
    drop(writer);
    assert_eq!(fs.stats().open_handles, 0);
    fs.remove_file("/f").unwrap();
}

/// A D-MemFS bug (fixed here): the lock was non-reentrant for readers behind a waiting writer. Covered in
/// `core_concurrency::a_thread_can_hold_two_read_handles_while_a_writer_waits`; here: two
/// read handles of one file from one thread.
#[test]
fn bug13_one_thread_may_hold_several_readers() {
    let fs = test_fs(1 << 20);
    fs.write("/f", "x").unwrap();
    let handles: Vec<_> = (0..5).map(|_| fs.open("/f").unwrap()).collect();
    assert_eq!(fs.stats().open_handles, 5);
    assert_eq!(fs.read("/f").unwrap(), b"x");
    drop(handles);
}
