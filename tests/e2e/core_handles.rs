//! `OpenOptions` and `MemFile`: modes, cursors, positional I/O, `set_len`, preallocation,
//! metadata through a handle, and the per-file lock a handle holds.

use std::io::{ErrorKind, IoSlice, Read, Seek, SeekFrom, Write};
use std::thread;
use std::time::{Duration, Instant};

use dmemfs_core::{MAX_FILE_SIZE, MemFile, MemFs, Reason};

use crate::common::*;

/// A filesystem whose opens and whole-file helpers never wait for a lock.
fn fs_no_wait() -> MemFs {
    MemFs::builder()
        .lock_timeout(Some(Duration::ZERO))
        .build()
        .unwrap()
}

/// Opens `path` for reading and writing, creating it if missing.
fn open_rw(fs: &MemFs, path: &str) -> MemFile {
    fs.options()
        .read(true)
        .write(true)
        .create(true)
        .open(path)
        .unwrap()
}

fn position(file: &MemFile) -> u64 {
    let mut file = file;
    file.stream_position().unwrap()
}

#[test]
fn open_reads_from_the_start() {
    let fs = test_fs(1 << 10);
    fs.write("/f", "hello world").unwrap();
    let mut file = fs.open("/f").unwrap();
    let mut five = [0; 5];
    file.read_exact(&mut five).unwrap();
    assert_eq!(&five, b"hello");
    assert_eq!(position(&file), 5);
    let mut rest = String::new();
    assert_eq!(file.read_to_string(&mut rest).unwrap(), 6);
    assert_eq!(rest, " world");
    // At the end, reads give nothing.
    assert_eq!(file.read(&mut five).unwrap(), 0);
    let mut more = Vec::new();
    assert_eq!(file.read_to_end(&mut more).unwrap(), 0);
    assert!(more.is_empty());
}

#[test]
fn create_makes_or_truncates_and_counts_a_change() {
    let fs = test_fs(1 << 10);
    let mut file = fs.create("/f").unwrap();
    assert_eq!(fs.metadata("/f").unwrap().generation(), 0);
    file.write_all(b"first").unwrap();
    drop(file);
    assert_eq!(fs.metadata("/f").unwrap().generation(), 1);
    let file = fs.create("/f").unwrap();
    assert_eq!(file.metadata().unwrap().len(), 0);
    assert_eq!(file.metadata().unwrap().generation(), 2);
    assert_eq!(fs.stats().used, 0);
    drop(file);
    // Truncating a file that is already empty still counts.
    drop(fs.create("/f").unwrap());
    assert_eq!(fs.metadata("/f").unwrap().generation(), 3);
    assert_eq!(fs.read("/f").unwrap(), b"");
}

#[test]
fn read_write_without_truncate_edits_in_place() {
    let fs = test_fs(1 << 10);
    fs.write("/f", "0123456789").unwrap();
    let mut file = fs.options().read(true).write(true).open("/f").unwrap();
    let mut head = [0; 3];
    file.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"012");
    file.write_all(b"abc").unwrap();
    assert_eq!(position(&file), 6);
    file.seek(SeekFrom::Start(8)).unwrap();
    file.write_all(b"XYZ").unwrap(); // runs past the end
    file.rewind().unwrap();
    let mut all = Vec::new();
    file.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"012abc67XYZ");
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), b"012abc67XYZ");
    assert_eq!(fs.stats().used, 11);
}

#[test]
fn write_only_open_of_missing_file_without_create_is_not_found() {
    let fs = test_fs(1 << 10);
    expect_reason(
        fs.options().write(true).open("/f"),
        ErrorKind::NotFound,
        &Reason::NotFound,
    );
    expect_reason(
        fs.options().write(true).truncate(true).open("/f"),
        ErrorKind::NotFound,
        &Reason::NotFound,
    );
    assert!(!fs.exists("/f"));
    // With create it appears, empty.
    let file = fs.options().write(true).create(true).open("/f").unwrap();
    assert_eq!(file.metadata().unwrap().len(), 0);
}

#[test]
fn create_new_refuses_anything_already_there() {
    let fs = test_fs(1 << 10);
    let mut file = fs
        .options()
        .write(true)
        .create_new(true)
        .open("/once")
        .unwrap();
    file.write_all(b"1").unwrap();
    drop(file);
    expect_reason(
        fs.options().write(true).create_new(true).open("/once"),
        ErrorKind::AlreadyExists,
        &Reason::AlreadyExists,
    );
    fs.create_dir("/d").unwrap();
    expect_reason(
        fs.options().append(true).create_new(true).open("/d"),
        ErrorKind::AlreadyExists,
        &Reason::AlreadyExists,
    );
    assert_eq!(fs.read("/once").unwrap(), b"1");
}

#[test]
fn create_new_reports_already_exists_before_waiting_for_a_lock() {
    // Were the check made after waiting for the lock, these would fail with WouldBlock.
    let fs = test_fs(1 << 10);
    let _writer = fs.create("/f").unwrap();
    let opened = fs
        .options()
        .write(true)
        .create_new(true)
        .lock_timeout(Some(Duration::from_millis(10)))
        .open("/f");
    expect_reason(opened, ErrorKind::AlreadyExists, &Reason::AlreadyExists);
    let plain = fs.options().write(true).create_new(true).open("/f");
    expect_reason(plain, ErrorKind::AlreadyExists, &Reason::AlreadyExists);
}

#[test]
fn append_handles_write_at_the_end_whatever_the_cursor() {
    let fs = test_fs(1 << 10);
    fs.write("/log", "ab").unwrap();
    let mut file = fs.options().read(true).append(true).open("/log").unwrap();
    assert_eq!(
        position(&file),
        0,
        "an append handle starts at 0, as in std"
    );
    let mut first = [0; 1];
    file.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"a");
    file.write_all(b"c").unwrap();
    assert_eq!(position(&file), 3, "the cursor follows the appended bytes");
    file.seek(SeekFrom::Start(0)).unwrap();
    file.write_all(b"d").unwrap();
    assert_eq!(position(&file), 4);
    // Positional writes append too, and leave the cursor alone.
    file.seek(SeekFrom::Start(1)).unwrap();
    assert_eq!(file.write_at(b"ef", 0).unwrap(), 2);
    file.write_all_at(b"g", 100).unwrap();
    assert_eq!(position(&file), 1);
    drop(file);
    assert_eq!(fs.read("/log").unwrap(), b"abcdefg");
}

#[test]
fn append_with_create_makes_a_missing_file() {
    let fs = test_fs(1 << 10);
    let mut log = fs.options();
    log.append(true).create(true);
    for line in ["one\n", "two\n"] {
        log.open("/new.log")
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
    }
    assert_eq!(fs.read_to_string("/new.log").unwrap(), "one\ntwo\n");
    assert_eq!(fs.metadata("/new.log").unwrap().generation(), 2);
}

#[test]
fn preallocate_makes_a_zero_filled_charged_file() {
    let fs = test_fs(64);
    let mut file = fs
        .options()
        .write(true)
        .create(true)
        .preallocate(64)
        .open("/r")
        .unwrap();
    assert_eq!(position(&file), 0);
    let meta = file.metadata().unwrap();
    assert_eq!((meta.len(), meta.generation()), (64, 1));
    assert_eq!((fs.stats().used, fs.stats().free), (64, 0));
    // Writes inside the preallocated length need no quota.
    file.write_all(&[9; 64]).unwrap();
    let reason = Reason::QuotaExceeded {
        requested: 1,
        available: 0,
        quota: 64,
    };
    expect_reason(file.write(b"x"), ErrorKind::StorageFull, &reason);
    drop(file);
    assert_eq!(fs.read("/r").unwrap(), [9; 64]);

    let fs = test_fs(64);
    drop(
        fs.options()
            .write(true)
            .create(true)
            .preallocate(10)
            .open("/z")
            .unwrap(),
    );
    assert_eq!(fs.read("/z").unwrap(), [0; 10]);
}

#[test]
fn preallocate_on_an_existing_file_only_grows_it() {
    let fs = test_fs(100);
    fs.write("/f", "0123456789").unwrap();
    // Shorter than the file: nothing changes.
    drop(fs.options().write(true).preallocate(4).open("/f").unwrap());
    let meta = fs.metadata("/f").unwrap();
    assert_eq!((meta.len(), meta.generation()), (10, 1));
    // Longer: zero-filled tail, one change, charged.
    let file = fs
        .options()
        .read(true)
        .append(true)
        .preallocate(16)
        .open("/f")
        .unwrap();
    assert_eq!(position(&file), 0);
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), b"0123456789\0\0\0\0\0\0");
    assert_eq!(fs.metadata("/f").unwrap().generation(), 2);
    assert_eq!(fs.stats().used, 16);
    // With truncate: emptied (one change), then grown (another).
    drop(
        fs.options()
            .write(true)
            .truncate(true)
            .preallocate(3)
            .open("/f")
            .unwrap(),
    );
    assert_eq!(fs.read("/f").unwrap(), [0; 3]);
    assert_eq!(fs.metadata("/f").unwrap().generation(), 4);
    assert_eq!(fs.stats().used, 3);
}

#[test]
fn seek_in_every_direction() {
    let fs = test_fs(1 << 10);
    fs.write("/f", "0123456789").unwrap();
    let mut file = fs.options().read(true).write(true).open("/f").unwrap();
    assert_eq!(file.seek(SeekFrom::Start(3)).unwrap(), 3);
    assert_eq!(file.seek(SeekFrom::Current(2)).unwrap(), 5);
    assert_eq!(file.seek(SeekFrom::Current(-4)).unwrap(), 1);
    assert_eq!(file.seek(SeekFrom::End(-1)).unwrap(), 9);
    let mut one = [0; 1];
    file.read_exact(&mut one).unwrap();
    assert_eq!(&one, b"9");
    // Past the end: reads give nothing, a write fills the gap with zeros.
    assert_eq!(file.seek(SeekFrom::End(3)).unwrap(), 13);
    assert_eq!(file.read(&mut one).unwrap(), 0);
    assert_eq!(
        file.metadata().unwrap().len(),
        10,
        "seeking alone does not grow the file"
    );
    file.write_all(b"!").unwrap();
    assert_eq!(position(&file), 14);
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), b"0123456789\0\0\0!");
    assert_eq!(fs.stats().used, 14);
}

#[test]
fn seek_before_the_start_or_past_the_maximum_is_invalid_and_keeps_the_cursor() {
    let fs = test_fs(1 << 10);
    fs.write("/f", "abc").unwrap();
    let mut file = fs.open("/f").unwrap();
    file.seek(SeekFrom::Start(2)).unwrap();
    for bad in [
        SeekFrom::Current(-3),
        SeekFrom::End(-4),
        SeekFrom::Start(MAX_FILE_SIZE + 1),
        SeekFrom::Start(u64::MAX),
        SeekFrom::End(i64::MAX),
    ] {
        let err = expect_err(file.seek(bad), ErrorKind::InvalidInput);
        assert_eq!(err.path(), "/f");
        assert_eq!(position(&file), 2, "{bad:?} moved the cursor");
    }
    // Exactly the maximum is a valid position.
    assert_eq!(
        file.seek(SeekFrom::Start(MAX_FILE_SIZE)).unwrap(),
        MAX_FILE_SIZE
    );
    let mut buf = [0; 4];
    assert_eq!(file.read(&mut buf).unwrap(), 0);
}

#[test]
fn shared_references_share_one_cursor() {
    let fs = test_fs(1 << 10);
    let file = open_rw(&fs, "/f");
    (&file).write_all(b"hello ").unwrap();
    let mut writer = &file;
    writer.write_all(b"world").unwrap();
    writer.flush().unwrap();
    assert_eq!((&file).stream_position().unwrap(), 11);
    (&file).seek(SeekFrom::Start(6)).unwrap();
    let mut word = String::new();
    (&file).read_to_string(&mut word).unwrap();
    assert_eq!(word, "world");
    assert_eq!(position(&file), 11);
    // Two threads writing through one handle: every byte lands, no write is torn.
    thread::scope(|scope| {
        for byte in [b'x', b'y'] {
            let file = &file;
            scope.spawn(move || {
                for _ in 0..50 {
                    let mut w = file;
                    w.write_all(&[byte; 4]).unwrap();
                }
            });
        }
    });
    assert_eq!(position(&file), 11 + 400);
    let mut all = Vec::new();
    (&file).seek(SeekFrom::Start(11)).unwrap();
    (&file).read_to_end(&mut all).unwrap();
    assert_eq!(all.len(), 400);
    for piece in all.chunks(4) {
        assert!(
            piece == b"xxxx" || piece == b"yyyy",
            "torn write: {piece:?}"
        );
    }
}

#[test]
fn positional_io_leaves_the_cursor_alone() {
    let fs = test_fs(1 << 10);
    let file = open_rw(&fs, "/f");
    assert_eq!(file.write_at(b"xy", 3).unwrap(), 2);
    assert_eq!(position(&file), 0);
    assert_eq!(fs.stats().used, 5, "the zero-filled gap is charged");
    file.write_all_at(b"ab", 0).unwrap();
    let mut buf = [0xAA; 8];
    assert_eq!(file.read_at(&mut buf, 0).unwrap(), 5);
    assert_eq!(&buf[..5], b"ab\0xy");
    assert_eq!(file.read_at(&mut buf, 5).unwrap(), 0);
    assert_eq!(file.read_at(&mut buf, 1000).unwrap(), 0);
    let mut two = [0; 2];
    file.read_exact_at(&mut two, 3).unwrap();
    assert_eq!(&two, b"xy");
    let err = file.read_exact_at(&mut two, 4).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(position(&file), 0);
    // A zero-byte write changes nothing, wherever it points.
    let before = file.metadata().unwrap();
    assert_eq!(file.write_at(b"", 100).unwrap(), 0);
    assert_eq!(file.metadata().unwrap(), before);
}

#[test]
fn set_len_truncates_and_extends_without_moving_the_cursor() {
    let fs = test_fs(100);
    fs.write("/f", "0123456789").unwrap();
    let mut file = fs.options().read(true).write(true).open("/f").unwrap();
    file.seek(SeekFrom::Start(7)).unwrap();
    file.set_len(4).unwrap();
    assert_eq!(position(&file), 7);
    assert_eq!((file.metadata().unwrap().len(), fs.stats().used), (4, 4));
    file.set_len(6).unwrap();
    assert_eq!(fs.stats().used, 6);
    let mut all = Vec::new();
    file.rewind().unwrap();
    file.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"0123\0\0");
    // generation: write (1) + two length changes; the same length again is no change.
    assert_eq!(file.metadata().unwrap().generation(), 3);
    file.set_len(6).unwrap();
    assert_eq!(file.metadata().unwrap().generation(), 3);
    // An append-only handle has write access too.
    drop(file);
    let file = fs.options().append(true).open("/f").unwrap();
    file.set_len(0).unwrap();
    assert_eq!(fs.stats().used, 0);
}

#[test]
fn writes_count_one_change_per_call() {
    let fs = test_fs(100);
    let mut file = fs.create("/f").unwrap();
    let created = file.metadata().unwrap();
    assert_eq!(created.generation(), 0);
    assert_eq!(created.modified().unwrap(), created.created().unwrap());
    file.write_all(b"ab").unwrap();
    file.write_all(b"").unwrap();
    // A vectored write writes its first non-empty buffer (std's default): a short write.
    let bufs = [IoSlice::new(b"cd"), IoSlice::new(b"ef")];
    assert_eq!(file.write_vectored(&bufs).unwrap(), 2);
    file.write_all(b"ef").unwrap();
    let meta = file.metadata().unwrap();
    assert_eq!((meta.len(), meta.generation()), (6, 3));
    assert!(meta.modified().unwrap() >= created.modified().unwrap());
    assert_eq!(meta.created().unwrap(), created.created().unwrap());
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), b"abcdef");
    assert_eq!(fs.metadata("/f").unwrap(), meta);
}

#[test]
fn handle_path_is_normalised_and_sync_is_a_no_op() {
    let fs = test_fs(100);
    fs.create_dir("/logs").unwrap();
    let mut file = fs.create("logs//./today.txt/").unwrap();
    assert_eq!(file.path(), "/logs/today.txt");
    file.write_all(b"x").unwrap();
    file.sync_all().unwrap();
    file.sync_data().unwrap();
    file.flush().unwrap();
    assert_eq!(file.metadata().unwrap().len(), 1);
    drop(file);
    assert_eq!(
        fs.open("\\logs\\today.txt").unwrap().path(),
        "/logs/today.txt"
    );
    assert!(format!("{:?}", fs.open("/logs/today.txt").unwrap()).contains("/logs/today.txt"));
}

#[test]
fn readers_share_and_a_writer_is_alone() {
    let fs = fs_no_wait();
    fs.write("/f", "x").unwrap();
    let r1 = fs.open("/f").unwrap();
    let r2 = fs.open("/f").unwrap();
    assert_eq!(fs.stats().open_handles, 2);
    expect_err(fs.options().write(true).open("/f"), ErrorKind::WouldBlock);
    expect_err(fs.options().append(true).open("/f"), ErrorKind::WouldBlock);
    drop(r1);
    expect_err(
        fs.options().read(true).write(true).open("/f"),
        ErrorKind::WouldBlock,
    );
    drop(r2);
    assert_eq!(fs.stats().open_handles, 0);
    let writer = fs.options().write(true).open("/f").unwrap();
    expect_err(fs.open("/f"), ErrorKind::WouldBlock);
    expect_err(fs.create("/f"), ErrorKind::WouldBlock);
    // Other files are not affected.
    fs.write("/g", "free").unwrap();
    drop(writer);
    assert_eq!(fs.stats().open_handles, 0);
    // Dropping released the lock: all of these succeed now.
    drop(fs.open("/f").unwrap());
    drop(fs.create("/f").unwrap());
    fs.remove_file("/f").unwrap();
}

#[test]
fn open_lock_timeout_overrides_the_filesystem_default() {
    let fs = fs_no_wait();
    let writer = fs.create("/f").unwrap();
    let started = Instant::now();
    let waited = fs.options().read(true).lock_timeout(Some(SHORT)).open("/f");
    let err = expect_err(waited, ErrorKind::WouldBlock);
    assert!(started.elapsed() >= SHORT);
    assert!(matches!(err.reason(), Reason::LockTimeout { waited } if *waited >= SHORT));
    drop(writer);

    // The other way round: a long default, a handle that tries once.
    let fs = MemFs::new();
    let _writer = fs.create("/f").unwrap();
    let once = fs
        .options()
        .read(true)
        .lock_timeout(Some(Duration::ZERO))
        .open("/f");
    let err = expect_err(once, ErrorKind::WouldBlock);
    assert!(matches!(err.reason(), Reason::LockTimeout { .. }));
}

#[test]
fn open_without_timeout_waits_for_the_holder() {
    let fs = fs_no_wait();
    let mut writer = fs.create("/f").unwrap();
    let other = fs.clone();
    let waiter = thread::spawn(move || {
        let mut file = other.options().read(true).lock_timeout(None).open("/f")?;
        let mut s = String::new();
        file.read_to_string(&mut s)?;
        Ok::<_, std::io::Error>(s)
    });
    thread::sleep(SHORT);
    writer.write_all(b"ready").unwrap();
    drop(writer);
    assert_eq!(waiter.join().unwrap().unwrap(), "ready");
}

#[test]
fn a_write_handle_reads_its_own_writes_and_others_see_them_after_drop() {
    let fs = test_fs(100);
    let mut file = open_rw(&fs, "/f");
    file.write_all(b"abc").unwrap();
    let mut buf = [0; 3];
    file.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(&buf, b"abc");
    assert_eq!(
        fs.metadata("/f").unwrap().len(),
        3,
        "metadata never waits for the lock"
    );
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), b"abc");
}

/// Bytes that are not all the same, so misplaced bytes show.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 + 1).collect()
}

#[test]
fn many_small_writes_across_chunk_boundaries_round_trip() {
    let fs = test_fs(1 << 20);
    let data = pattern(200 * 1024 + 3);
    let mut file = fs.create("/f").unwrap();
    for piece in data.chunks(1000) {
        file.write_all(piece).unwrap();
    }
    assert_eq!(file.metadata().unwrap().len(), data.len() as u64);
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), data);
    // Sparse writes: holes read as zeros, a write may straddle a 64 KiB boundary.
    let file = open_rw(&fs, "/sparse");
    file.write_at(b"tail", 300_000).unwrap();
    file.write_at(b"mid", 65_535).unwrap();
    drop(file);
    let mut expected = vec![0; 300_004];
    expected[65_535..65_538].copy_from_slice(b"mid");
    expected[300_000..].copy_from_slice(b"tail");
    assert_eq!(fs.read("/sparse").unwrap(), expected);
    assert_eq!(fs.stats().used, (data.len() + expected.len()) as u64);
    assert_invariants(&fs);
}

#[test]
fn bytes_cut_off_by_set_len_read_back_as_zeros_when_the_file_grows_again() {
    let fs = test_fs(1 << 20);
    let data = pattern(150 * 1024);
    fs.write("/f", &data).unwrap();
    let file = fs.options().read(true).write(true).open("/f").unwrap();
    file.set_len(70_000).unwrap();
    file.set_len(data.len() as u64).unwrap();
    let mut all = vec![0xAA; data.len()];
    file.read_exact_at(&mut all, 0).unwrap();
    assert_eq!(all[..70_000], data[..70_000]);
    assert!(
        all[70_000..].iter().all(|&b| b == 0),
        "old bytes came back after set_len"
    );
    // The same through a write past the end of a shortened file.
    file.set_len(10).unwrap();
    file.write_at(b"end", 100_000).unwrap();
    drop(file);
    let mut expected = data[..10].to_vec();
    expected.resize(100_000, 0);
    expected.extend_from_slice(b"end");
    assert_eq!(fs.read("/f").unwrap(), expected);
    assert_eq!(fs.stats().used, 100_003);
}

#[test]
fn one_options_value_opens_many_files() {
    let fs = test_fs(100);
    let mut options = fs.options();
    options.write(true).create(true);
    for name in ["/a", "/b"] {
        options
            .open(name)
            .unwrap()
            .write_all(name.as_bytes())
            .unwrap();
    }
    let copy = options.clone();
    copy.open("/c").unwrap();
    assert_eq!(fs.read("/a").unwrap(), b"/a");
    assert_eq!(fs.read("/b").unwrap(), b"/b");
    assert_eq!(fs.read("/c").unwrap(), b"");
    assert_eq!(fs.stats().files, 3);
}
