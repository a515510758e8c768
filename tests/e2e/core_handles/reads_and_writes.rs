//! Reading and writing through a handle: the cursor (owned and shared), seeks, positional
//! I/O, `set_len`, writes across chunk boundaries, and what a writer's drop settles.

use super::*;

const CHUNK: usize = 64 * 1024;

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
    assert_eq!(file.metadata().unwrap().generation(), Some(3));
    file.set_len(6).unwrap();
    assert_eq!(file.metadata().unwrap().generation(), Some(3));
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
    assert_eq!(created.generation(), Some(0));
    assert_eq!(created.modified().unwrap(), created.created().unwrap());
    file.write_all(b"ab").unwrap();
    file.write_all(b"").unwrap();
    // A vectored write writes its first non-empty buffer (std's default): a short write.
    let bufs = [IoSlice::new(b"cd"), IoSlice::new(b"ef")];
    assert_eq!(file.write_vectored(&bufs).unwrap(), 2);
    file.write_all(b"ef").unwrap();
    let meta = file.metadata().unwrap();
    assert_eq!((meta.len(), meta.generation()), (6, Some(3)));
    assert!(meta.modified().unwrap() >= created.modified().unwrap());
    assert_eq!(meta.created().unwrap(), created.created().unwrap());
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), b"abcdef");
    assert_eq!(fs.metadata("/f").unwrap(), meta);
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

/// Reads and writes through `&mut MemFile` (cursor unlocked) and through `&MemFile`
/// (cursor locked), and seeks, share one cursor.
#[test]
fn owned_and_shared_cursor_paths_agree() {
    let fs = MemFs::new();
    let mut f = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/c")
        .unwrap();
    f.write_all(b"hello").unwrap(); // &mut
    (&f).write_all(b" world").unwrap(); // &
    assert_eq!(f.stream_position().unwrap(), 11);
    f.seek(SeekFrom::Start(6)).unwrap();
    let mut buf = [0; 5];
    f.read_exact(&mut buf).unwrap(); // &mut
    assert_eq!(&buf, b"world");
    assert_eq!((&f).stream_position().unwrap(), 11);
    (&f).seek(SeekFrom::Start(0)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "hello world");
    // A write the quota refuses leaves the cursor where it was.
    let small = MemFs::with_quota(4);
    let mut g = small.create("/g").unwrap();
    g.write_all(b"abc").unwrap();
    g.write_all(b"de").unwrap_err();
    assert_eq!(g.stream_position().unwrap(), 3);
    assert_eq!(small.stats().used, 3);
}

/// A writer whose writes left no spare capacity skips compaction on drop; one that did
/// compacts. Either way the contents, the length and the quota are exact, and the handle
/// count comes back to zero even when handles are dropped on other threads.
#[test]
fn writer_drop_with_and_without_slack_and_cross_thread_handle_counts() {
    let fs = MemFs::with_quota(1 << 22);
    let mut tight = fs.create("/tight").unwrap();
    tight.write_all(&[3; CHUNK]).unwrap();
    let mut loose = fs.create("/loose").unwrap();
    for i in 0..1000u32 {
        loose.write_all(&i.to_le_bytes()[..3]).unwrap();
    }
    let handles: Vec<_> = (0..8)
        .map(|i| {
            fs.write(format!("/r{i}"), "x").unwrap();
            fs.open(format!("/r{i}")).unwrap()
        })
        .collect();
    assert_eq!(fs.stats().open_handles, 10);
    std::thread::scope(|s| {
        for h in handles {
            s.spawn(move || drop(h));
        }
        s.spawn(move || drop(tight));
        s.spawn(move || drop(loose));
    });
    assert_eq!(fs.stats().open_handles, 0);
    assert_eq!(fs.read("/tight").unwrap(), vec![3; CHUNK]);
    let loose = fs.read("/loose").unwrap();
    assert_eq!(loose.len(), 3000);
    assert_eq!(&loose[2997..], &999u32.to_le_bytes()[..3]);
    assert_invariants(&fs);
    let m = fs.metadata("/loose").unwrap();
    assert!(m.created().unwrap() <= m.modified().unwrap());
    assert!(m.modified().unwrap() <= std::time::SystemTime::now());
}

/// A D-MemFS bug (fixed here): a zero-length write at a cursor before the end changed the storage (or failed).
#[test]
fn bug11_empty_write_changes_nothing() {
    let fs = test_fs(1 << 20);
    fs.write("/f", "0123456789").unwrap();
    let before = fs.metadata("/f").unwrap();
    let mut file = fs.options().write(true).open("/f").unwrap();
    assert_eq!(file.write(b"").unwrap(), 0);
    assert_eq!(file.write_at(b"", 3).unwrap(), 0);
    drop(file);
    assert_eq!(fs.metadata("/f").unwrap(), before);
    assert_eq!(fs.read("/f").unwrap(), b"0123456789");
}
