//! Whole-file helpers (`read`, `read_to_string`, `write`, `append`, `remove_file`), queries
//! (`exists`, `is_file`, `is_dir`, `metadata`, `stats`), `parse_size` and the builder's
//! options. Paths are in `core_paths`, the quota, node limit and memory guard in `core_quota`.

use std::io::{ErrorKind, Write};
use std::thread;
use std::time::{Duration, Instant};

use dmemfs_core::{
    DEFAULT_LOCK_TIMEOUT, DEFAULT_QUOTA, FileType, MemFs, NAME_MAX, Reason, parse_size,
};

use crate::common::*;

/// Bytes that are not all the same and not valid UTF-8, so mix-ups show.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn write_then_read_returns_the_exact_bytes() {
    let fs = test_fs(1 << 20);
    fs.write("/bin", [0u8, 255, 10, 13, 0]).unwrap();
    assert_eq!(fs.read("/bin").unwrap(), [0u8, 255, 10, 13, 0]);
    fs.write("/text", "héllo wörld\n").unwrap();
    assert_eq!(fs.read_to_string("/text").unwrap(), "héllo wörld\n");
    assert_eq!(fs.read("/text").unwrap(), "héllo wörld\n".as_bytes());
    fs.write("/empty", b"").unwrap();
    assert_eq!(fs.read("/empty").unwrap(), b"");
    assert_eq!(fs.read_to_string("/empty").unwrap(), "");
    assert_invariants(&fs);
}

#[test]
fn large_files_spanning_many_chunks_round_trip() {
    let fs = test_fs(1 << 20);
    let data = pattern(200 * 1024 + 17);
    fs.write("/big", &data).unwrap();
    assert_eq!(fs.read("/big").unwrap(), data);
    // An append that straddles a 64 KiB boundary.
    let tail = pattern(70 * 1024);
    fs.append("/big", &tail).unwrap();
    let mut expected = data.clone();
    expected.extend_from_slice(&tail);
    assert_eq!(fs.read("/big").unwrap(), expected);
    assert_eq!(fs.stats().used, expected.len() as u64);
    assert_invariants(&fs);
}

#[test]
fn write_replaces_contents_and_charges_only_the_growth() {
    let fs = test_fs(10);
    fs.write("/a", "12345678").unwrap();
    assert_eq!(fs.stats().used, 8);
    // Needs 2 more bytes, not 10: the old contents are given back.
    fs.write("/a", "1234567890").unwrap();
    assert_eq!(fs.read("/a").unwrap(), b"1234567890");
    assert_eq!((fs.stats().used, fs.stats().free), (10, 0));
    // Shrinking releases the difference.
    fs.write("/a", "xy").unwrap();
    assert_eq!(fs.read("/a").unwrap(), b"xy");
    let stats = fs.stats();
    assert_eq!((stats.used, stats.free, stats.peak_used), (2, 8, 10));
    fs.write("/b", "12345678").unwrap();
    assert_eq!(fs.stats().free, 0);
    assert_invariants(&fs);
}

#[test]
fn write_over_quota_keeps_old_contents() {
    let fs = test_fs(10);
    fs.write("/a", "1234567890").unwrap();
    let reason = Reason::QuotaExceeded {
        requested: 1,
        available: 0,
        quota: 10,
    };
    expect_reason(
        fs.write("/a", "12345678901"),
        ErrorKind::StorageFull,
        &reason,
    );
    assert_eq!(fs.read("/a").unwrap(), b"1234567890");
    assert_eq!(fs.stats().used, 10);
}

#[test]
fn append_creates_a_missing_file_then_appends() {
    let fs = test_fs(1 << 10);
    fs.append("/log", "a\n").unwrap();
    assert_eq!(fs.metadata("/log").unwrap().generation(), Some(1));
    fs.append("/log", "b\n").unwrap();
    fs.append("log", b"c\n").unwrap();
    assert_eq!(fs.read_to_string("/log").unwrap(), "a\nb\nc\n");
    assert_eq!(fs.metadata("/log").unwrap().generation(), Some(3));
    // An empty append to a missing file creates it empty; to an existing one changes nothing.
    fs.append("/empty", "").unwrap();
    assert!(fs.is_file("/empty"));
    assert_eq!(fs.metadata("/empty").unwrap().generation(), Some(0));
    let before = fs.metadata("/log").unwrap();
    fs.append("/log", "").unwrap();
    assert_eq!(fs.metadata("/log").unwrap(), before);
    assert_eq!(fs.stats().used, 6);
    assert_invariants(&fs);
}

#[test]
fn append_over_quota_appends_nothing() {
    let fs = test_fs(8);
    fs.write("/log", "12345").unwrap();
    let reason = Reason::QuotaExceeded {
        requested: 4,
        available: 3,
        quota: 8,
    };
    expect_reason(fs.append("/log", "6789"), ErrorKind::StorageFull, &reason);
    assert_eq!(fs.read("/log").unwrap(), b"12345");
    assert_eq!(fs.metadata("/log").unwrap().generation(), Some(1));
    fs.append("/log", "678").unwrap();
    assert_eq!(fs.read("/log").unwrap(), b"12345678");
}

#[test]
fn remove_file_gives_back_bytes_and_the_node() {
    let fs = test_fs(100);
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", [7; 40]).unwrap();
    let stats = fs.stats();
    assert_eq!(
        (stats.used, stats.files, stats.dirs, stats.nodes),
        (40, 1, 2, 3)
    );
    fs.remove_file("/d/f").unwrap();
    assert!(!fs.exists("/d/f"));
    let stats = fs.stats();
    assert_eq!((stats.used, stats.free, stats.peak_used), (0, 100, 40));
    assert_eq!((stats.files, stats.dirs, stats.nodes), (0, 2, 2));
    // The name is free again, and a new file starts fresh.
    fs.write("/d/f", "new").unwrap();
    assert_eq!(fs.read("/d/f").unwrap(), b"new");
    assert_eq!(fs.metadata("/d/f").unwrap().generation(), Some(1));
    assert_invariants(&fs);
}

#[test]
fn exists_is_file_and_is_dir() {
    let fs = test_fs(100);
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "x").unwrap();
    for (path, exists, file, dir) in [
        ("/", true, false, true),
        ("", true, false, true),
        ("/d", true, false, true),
        ("d/", true, false, true),
        ("/d/f", true, true, false),
        ("\\d\\f", true, true, false),
        ("/d/missing", false, false, false),
        ("/d/f/below", false, false, false),
        ("/D", false, false, false), // names are case-sensitive
    ] {
        assert_eq!(fs.exists(path), exists, "exists({path:?})");
        assert_eq!(fs.is_file(path), file, "is_file({path:?})");
        assert_eq!(fs.is_dir(path), dir, "is_dir({path:?})");
    }
}

#[test]
fn queries_on_invalid_paths_are_false() {
    let fs = test_fs(100);
    fs.write("/f", "x").unwrap();
    let long_name = format!("/{}", "n".repeat(NAME_MAX + 1));
    for path in ["/..", "/f/../..", "../f", "/f\0", "/\0", long_name.as_str()] {
        assert!(!fs.exists(path), "exists({path:?})");
        assert!(!fs.is_file(path), "is_file({path:?})");
        assert!(!fs.is_dir(path), "is_dir({path:?})");
    }
}

#[test]
fn metadata_of_files_and_directories() {
    let fs = test_fs(100);
    // Timestamps come from the coarse clock, as on Linux: up to a tick behind the precise one.
    let before = std::time::SystemTime::now() - std::time::Duration::from_millis(50);
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "hello").unwrap();
    let file = fs.metadata("/d/f").unwrap();
    assert!(file.is_file() && !file.is_dir());
    assert_eq!(file.file_type(), FileType::File);
    assert_eq!(file.len(), 5);
    assert_eq!(file.generation(), Some(1));
    assert!(
        file.created().unwrap() >= before && file.modified().unwrap() >= file.created().unwrap()
    );
    let dir = fs.metadata("/d").unwrap();
    assert!(dir.is_dir() && !dir.is_file());
    assert_eq!(dir.file_type(), FileType::Dir);
    assert_eq!((dir.len(), dir.generation()), (0, Some(0)));
    assert_eq!(dir.modified().unwrap(), dir.created().unwrap());
    // Adding a child does not touch a directory's times.
    fs.write("/d/g", "x").unwrap();
    assert_eq!(fs.metadata("/d").unwrap(), dir);
    let root = fs.metadata("").unwrap();
    assert!(root.is_dir());
    assert_eq!((root.len(), root.generation()), (0, Some(0)));
}

#[test]
fn generation_and_modified_follow_writes() {
    let fs = test_fs(100);
    // A new file written empty is generation 0, created == modified.
    fs.write("/f", "").unwrap();
    let m0 = fs.metadata("/f").unwrap();
    assert_eq!(m0.generation(), Some(0));
    assert_eq!(m0.created().unwrap(), m0.modified().unwrap());
    // write on an existing file: truncate (+1) and a non-empty write (+1).
    fs.write("/f", "abc").unwrap();
    let m2 = fs.metadata("/f").unwrap();
    assert_eq!(m2.generation(), Some(2));
    assert!(m2.modified().unwrap() >= m0.modified().unwrap());
    assert_eq!(
        m2.created().unwrap(),
        m0.created().unwrap(),
        "replacing keeps the creation time"
    );
    // write of nothing on an existing file: only the truncation counts.
    fs.write("/f", "").unwrap();
    assert_eq!(fs.metadata("/f").unwrap().generation(), Some(3));
    // A new non-empty file starts at 1.
    fs.write("/g", "x").unwrap();
    assert_eq!(fs.metadata("/g").unwrap().generation(), Some(1));
    // Each append of bytes is one change; an empty append none.
    fs.append("/g", "y").unwrap();
    fs.append("/g", "z").unwrap();
    let g = fs.metadata("/g").unwrap();
    assert_eq!(g.generation(), Some(3));
    fs.append("/g", "").unwrap();
    assert_eq!(
        fs.metadata("/g").unwrap().modified().unwrap(),
        g.modified().unwrap()
    );
    assert_eq!(fs.metadata("/g").unwrap().generation(), Some(3));
    // Renaming carries everything along unchanged.
    fs.rename("/g", "/h").unwrap();
    assert_eq!(fs.metadata("/h").unwrap(), g);
    // Reads change nothing.
    fs.read("/h").unwrap();
    assert_eq!(fs.metadata("/h").unwrap(), g);
}

#[test]
fn stats_report_every_figure() {
    let fs = MemFs::builder().quota(1000).max_nodes(10).build().unwrap();
    let s = fs.stats();
    assert_eq!((s.quota, s.used, s.free, s.peak_used), (1000, 0, 1000, 0));
    assert_eq!(
        (s.files, s.dirs, s.nodes, s.max_nodes, s.open_handles),
        (0, 1, 1, Some(10), 0)
    );
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/a/b/f", [1; 300]).unwrap();
    fs.write("/g", [1; 200]).unwrap();
    let reader = fs.open("/g").unwrap();
    let other = fs.open("/g").unwrap();
    let writer = fs.create("/h").unwrap();
    let s = fs.stats();
    assert_eq!((s.used, s.free, s.peak_used), (500, 500, 500));
    assert_eq!((s.files, s.dirs, s.nodes, s.open_handles), (3, 3, 6, 3));
    assert_eq!(
        s.to_string(),
        "500 of 1000 bytes used (peak 500), 3 files, 3 directories, 6 of 10 nodes, 3 open handles"
    );
    drop((reader, other, writer));
    fs.remove_file("/a/b/f").unwrap();
    let s = fs.stats();
    assert_eq!(
        (s.used, s.free, s.peak_used, s.open_handles),
        (200, 800, 500, 0)
    );
    assert_eq!((s.files, s.nodes), (2, 5));
    assert_invariants(&fs);
}

#[test]
fn clones_share_one_filesystem() {
    let fs = test_fs(100);
    let clone = fs.clone();
    clone.write("/f", "shared").unwrap();
    assert_eq!(fs.read("/f").unwrap(), b"shared");
    assert_eq!(fs.stats(), clone.stats());
    let from_thread = thread::spawn(move || clone.read_to_string("/f").unwrap())
        .join()
        .unwrap();
    assert_eq!(from_thread, "shared");
}

#[test]
fn parse_size_reads_units() {
    for (text, bytes) in [
        ("0", 0),
        ("4096", 4096),
        ("17B", 17),
        ("512K", 512 * 1024),
        ("512k", 512 * 1024),
        ("1KiB", 1024),
        ("32M", 32 << 20),
        ("2 MiB", 2 << 20),
        ("3G", 3 << 30),
        ("1.5GiB", 3 << 29),
        ("1T", 1 << 40),
        ("1KB", 1000),
        ("10MB", 10_000_000),
        ("1GB", 1_000_000_000),
        (" 8M ", 8 << 20),
        ("0.5K", 512),
        ("18446744073709551615", u64::MAX),
    ] {
        assert_eq!(parse_size(text), Ok(bytes), "{text:?}");
    }
}

#[test]
fn parse_size_refuses_and_quotes_the_input() {
    for bad in [
        "",
        "M",
        "32Q",
        "-1",
        "1.M",
        ".5M",
        "0.3K",
        "1e3",
        "1 2",
        "18446744073709551616",
    ] {
        let err = parse_size(bad).unwrap_err();
        assert_eq!(err.input(), bad);
        assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), ErrorKind::InvalidInput);
    }
    // A parsed size goes straight into the builder.
    let fs = MemFs::builder()
        .quota(parse_size("1K").unwrap())
        .build()
        .unwrap();
    assert_eq!(fs.stats().quota, 1024);
}

#[test]
fn default_settings() {
    assert_eq!(DEFAULT_QUOTA, 256 << 20);
    assert_eq!(DEFAULT_LOCK_TIMEOUT, Duration::from_secs(30));
    for fs in [
        MemFs::new(),
        MemFs::default(),
        MemFs::builder().build().unwrap(),
    ] {
        let s = fs.stats();
        assert_eq!(
            (s.quota, s.max_nodes, s.nodes, s.dirs),
            (DEFAULT_QUOTA, None, 1, 1)
        );
    }
    assert_eq!(MemFs::with_quota(123).stats().quota, 123);
}

#[test]
fn builder_lock_timeout_applies_to_whole_file_helpers() {
    let fs = MemFs::builder().lock_timeout(Some(SHORT)).build().unwrap();
    fs.write("/f", "old").unwrap();
    let writer = fs.options().write(true).open("/f").unwrap();
    let started = Instant::now();
    let err = expect_err(fs.read("/f"), ErrorKind::WouldBlock);
    assert!(started.elapsed() >= SHORT);
    assert!(matches!(err.reason(), Reason::LockTimeout { waited } if *waited >= SHORT));
    expect_err(fs.write("/f", "new"), ErrorKind::WouldBlock);
    expect_err(fs.append("/f", "new"), ErrorKind::WouldBlock);
    drop(writer);
    assert_eq!(fs.read("/f").unwrap(), b"old");

    // A reader blocks writers but not other readers.
    let reader = fs.open("/f").unwrap();
    assert_eq!(fs.read("/f").unwrap(), b"old");
    expect_err(fs.write("/f", "new"), ErrorKind::WouldBlock);
    drop(reader);
    fs.write("/f", "new").unwrap();
    assert_eq!(fs.read("/f").unwrap(), b"new");
}

#[test]
fn zero_lock_timeout_tries_once() {
    let fs = MemFs::builder()
        .lock_timeout(Some(Duration::ZERO))
        .build()
        .unwrap();
    let _writer = fs.create("/f").unwrap();
    let err = expect_err(fs.read("/f"), ErrorKind::WouldBlock);
    assert!(matches!(err.reason(), Reason::LockTimeout { .. }));
    expect_err(fs.open("/f"), ErrorKind::WouldBlock);
}

#[test]
fn no_lock_timeout_waits_until_the_holder_lets_go() {
    let fs = MemFs::builder().lock_timeout(None).build().unwrap();
    let mut writer = fs.create("/f").unwrap();
    let other = fs.clone();
    let waiter = thread::spawn(move || other.read("/f"));
    thread::sleep(SHORT);
    writer.write_all(b"done").unwrap();
    drop(writer);
    assert_eq!(waiter.join().unwrap().unwrap(), b"done");
}
