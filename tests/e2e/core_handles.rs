//! `OpenOptions` and `MemFile`: modes, cursors, positional I/O, `set_len`, preallocation,
//! metadata through a handle, and the per-file lock a handle holds. Reading and writing
//! through an open handle is in `reads_and_writes`.

mod reads_and_writes;

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
    assert_eq!(fs.metadata("/f").unwrap().generation(), Some(0));
    file.write_all(b"first").unwrap();
    drop(file);
    assert_eq!(fs.metadata("/f").unwrap().generation(), Some(1));
    let file = fs.create("/f").unwrap();
    assert_eq!(file.metadata().unwrap().len(), 0);
    assert_eq!(file.metadata().unwrap().generation(), Some(2));
    assert_eq!(fs.stats().used, 0);
    drop(file);
    // Truncating a file that is already empty still counts.
    drop(fs.create("/f").unwrap());
    assert_eq!(fs.metadata("/f").unwrap().generation(), Some(3));
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
    assert_eq!(fs.metadata("/new.log").unwrap().generation(), Some(2));
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
    assert_eq!((meta.len(), meta.generation()), (64, Some(1)));
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
    assert_eq!((meta.len(), meta.generation()), (10, Some(1)));
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
    assert_eq!(fs.metadata("/f").unwrap().generation(), Some(2));
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
    assert_eq!(fs.metadata("/f").unwrap().generation(), Some(4));
    assert_eq!(fs.stats().used, 3);
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

/// A D-MemFS bug (fixed here): preallocation extended files opened read-only and left `modified` unchanged.
#[test]
fn bug08_preallocate_needs_write_access_and_counts_as_a_change() {
    let fs = test_fs(1 << 20);
    fs.write("/f", "abc").unwrap();
    let before = fs.metadata("/f").unwrap();
    expect_err(
        fs.options().read(true).preallocate(100).open("/f"),
        ErrorKind::InvalidInput,
    );
    assert_eq!(fs.metadata("/f").unwrap(), before);
    std::thread::sleep(Duration::from_millis(25));
    let grown = fs
        .options()
        .write(true)
        .preallocate(100)
        .open("/f")
        .unwrap();
    let after = grown.metadata().unwrap();
    assert_eq!(after.len(), 100);
    assert_eq!(after.generation(), before.generation().map(|g| g + 1));
    assert!(
        after.modified().unwrap() > before.modified().unwrap(),
        "modified moves with the length"
    );
}

/// As Linux's open(2): O_CREAT|O_EXCL on a directory is EEXIST, O_CREAT alone EISDIR; a
/// missing parent is ENOENT and a file parent ENOTDIR before any node limit.
#[test]
fn create_on_directories_and_bad_parents_reports_as_linux() {
    let fs = MemFs::builder().max_nodes(3).build().unwrap();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap(); // the node limit is now reached
    let new = || {
        let mut o = fs.options();
        o.write(true).create_new(true);
        o
    };
    let create = || {
        let mut o = fs.options();
        o.write(true).create(true);
        o
    };
    expect_err(new().open("/d"), ErrorKind::AlreadyExists);
    expect_err(new().open("/f"), ErrorKind::AlreadyExists);
    expect_err(create().open("/d"), ErrorKind::IsADirectory);
    expect_err(new().open("/missing/x"), ErrorKind::NotFound);
    expect_err(create().open("/missing/x"), ErrorKind::NotFound);
    expect_err(create().open("/f/x"), ErrorKind::NotADirectory);
    expect_err(fs.write("/missing/x", "y"), ErrorKind::NotFound);
    expect_err(new().open("/d/x"), ErrorKind::QuotaExceeded);
    expect_err(create().open("/d/x"), ErrorKind::QuotaExceeded);
    // An existing file opens whatever the node limit, and a busy one is waited for.
    drop(create().truncate(true).open("/f").unwrap());
    assert_eq!(fs.read("/f").unwrap(), b"");
    assert_eq!(fs.stats().nodes, 3);
    assert!(fs.read_dir("/d").unwrap().next().is_none());
}
