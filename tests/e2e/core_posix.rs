//! `Semantics::Posix`: open files shared as on Linux, renamed and removed while open, their
//! bytes charged until the last handle drops.

use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use dmemfs_core::{MemFs, Semantics, clock::Clock};

use crate::common::posix_fs as posix;

#[test]
fn the_default_stays_locked() {
    let fs = MemFs::new();
    let handle = fs.create("/a").unwrap();
    let err = fs.remove_file("/a").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResourceBusy);
    drop(handle);
}

#[test]
fn a_logger_keeps_writing_to_its_rotated_log() {
    let fs = posix(1 << 20);
    fs.create_dir("/logs").unwrap();
    let mut log = fs.create("/logs/app.log").unwrap();
    log.write_all(b"one\n").unwrap();
    fs.rename("/logs/app.log", "/logs/app.log.1").unwrap();
    log.write_all(b"two\n").unwrap();
    let mut fresh = fs.create("/logs/app.log").unwrap();
    fresh.write_all(b"three\n").unwrap();
    drop((log, fresh));
    assert_eq!(fs.read_to_string("/logs/app.log.1").unwrap(), "one\ntwo\n");
    assert_eq!(fs.read_to_string("/logs/app.log").unwrap(), "three\n");
}

#[test]
fn an_unlinked_open_file_keeps_its_bytes_charged_until_the_last_handle_drops() {
    let fs = posix(100);
    fs.write("/a", [7; 60]).unwrap();
    let reader = fs.open("/a").unwrap();
    let writer = fs.options().write(true).open("/a").unwrap();
    let ino = reader.metadata().unwrap().ino();
    fs.remove_file("/a").unwrap();
    assert!(!fs.exists("/a"));
    assert_eq!(fs.stats().used, 60);
    assert_eq!(fs.stats().files, 0);
    // The quota still counts them: 60 + 41 does not fit.
    let err = fs.write("/b", [1; 41]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
    // The nameless file still grows, against the quota.
    writer.write_at(&[9; 10], 60).unwrap();
    assert_eq!(fs.stats().used, 70);
    assert_eq!(reader.metadata().unwrap().nlink(), 0);
    assert_eq!(fs.metadata_by_ino(ino).unwrap().len(), 70);
    drop(writer);
    assert_eq!(fs.stats().used, 70);
    let mut back = Vec::new();
    (&reader).read_to_end(&mut back).unwrap();
    assert_eq!(back.len(), 70);
    drop(reader);
    assert_eq!(fs.stats().used, 0);
    assert!(fs.metadata_by_ino(ino).is_err());
    fs.write("/b", [1; 100]).unwrap();
}

#[test]
fn replacing_an_open_file_by_rename_keeps_the_old_one_for_its_handles() {
    let fs = posix(1000);
    fs.write("/config", "old").unwrap();
    let mut reader = fs.open("/config").unwrap();
    fs.write("/config.new", "new!").unwrap();
    fs.rename("/config.new", "/config").unwrap();
    let mut seen = String::new();
    reader.read_to_string(&mut seen).unwrap();
    assert_eq!(seen, "old");
    assert_eq!(fs.read_to_string("/config").unwrap(), "new!");
    assert_eq!(fs.stats().used, 7);
    drop(reader);
    assert_eq!(fs.stats().used, 4);
}

#[test]
fn removing_a_tree_with_open_files_frees_them_when_closed() {
    let fs = posix(1000);
    fs.create_dir_all("/t/sub").unwrap();
    fs.write("/t/sub/a", [1; 100]).unwrap();
    fs.write("/t/b", [1; 50]).unwrap();
    let open = fs.open("/t/sub/a").unwrap();
    fs.remove_dir_all("/t").unwrap();
    assert_eq!((fs.stats().used, fs.stats().nodes), (100, 1));
    drop(open);
    assert_eq!(fs.stats().used, 0);
}

#[test]
fn several_writers_share_a_file_and_each_write_is_whole() {
    let fs = posix(1 << 20);
    fs.write("/shared", "").unwrap();
    let a = fs.options().append(true).open("/shared").unwrap();
    let b = fs.options().append(true).open("/shared").unwrap();
    let reader = fs.open("/shared").unwrap();
    std::thread::scope(|s| {
        for (handle, byte) in [(&a, b'a'), (&b, b'b')] {
            s.spawn(move || {
                for _ in 0..200 {
                    let mut h = handle;
                    h.write_all(&[byte; 16]).unwrap();
                }
            });
        }
        // A reader sees whole appends only.
        s.spawn(|| {
            for _ in 0..200 {
                let len = reader.metadata().unwrap().len();
                assert_eq!(len % 16, 0);
            }
        });
    });
    drop((a, b));
    let data = fs.read("/shared").unwrap();
    assert_eq!(data.len(), 2 * 200 * 16);
    // Each append landed whole, at the end as it was then: runs of 16 equal bytes.
    for run in data.chunks(16) {
        assert!(run.iter().all(|&c| c == run[0]), "{run:?}");
    }
    let mut positioned = reader;
    positioned.seek(SeekFrom::Start(16)).unwrap();
    let mut rest = Vec::new();
    positioned.read_to_end(&mut rest).unwrap();
    assert_eq!(rest.len(), data.len() - 16);
}

#[test]
fn whole_file_operations_never_wait_for_handles() {
    let fs = MemFs::builder()
        .semantics(Semantics::Posix)
        .lock_timeout(Some(std::time::Duration::ZERO))
        .build()
        .unwrap();
    let _writer = fs.create("/a").unwrap();
    fs.write("/a", "x").unwrap();
    assert_eq!(fs.read("/a").unwrap(), b"x");
    fs.copy("/a", "/b").unwrap();
    let _second = fs.options().write(true).truncate(true).open("/a").unwrap();
}

#[test]
fn a_failed_write_to_an_orphan_changes_nothing() {
    let fs = posix(10);
    let w = fs.create("/a").unwrap();
    w.write_at(b"12345", 0).unwrap();
    fs.remove_file("/a").unwrap();
    let err = w.write_at(&[0; 6], 5).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
    assert_eq!(fs.stats().used, 5);
    drop(w);
    assert_eq!(fs.stats().used, 0);
}

#[test]
fn a_backslash_is_a_name_byte_in_posix_and_a_separator_when_locked() {
    let fs = posix(1 << 20);
    fs.write("/a\\b", "one file").unwrap();
    let names: Vec<String> = fs
        .read_dir("/")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    assert_eq!(names, ["a\\b"]);
    assert_eq!(fs.read_to_string("/a\\b").unwrap(), "one file");
    fs.symlink("a\\b", "/link").unwrap();
    assert_eq!(fs.read_to_string("/link").unwrap(), "one file");
    fs.import_tree([("/x\\y", "imported")]).unwrap();
    assert!(fs.is_file("/x\\y") && !fs.exists("/x"));

    let locked = MemFs::new();
    locked.create_dir("/a").unwrap();
    locked.write("/a\\b", "nested").unwrap();
    assert_eq!(locked.read_to_string("/a/b").unwrap(), "nested");
    assert_eq!(locked.semantics(), Semantics::Locked);
    assert_eq!(fs.semantics(), Semantics::Posix);
}

// ---------------------------------------------------------------------------------------
// Quota drift (POSIX mode): `batch::check` decides under the write lock that a replaced
//    file frees its bytes (`outgoing`), but readers pin without the tree lock
//    (`Inner::hold_waiting`: ExportIter, copy_dir_all's sources). A pin taken between
//    `check` and `apply` makes `Tree::unlinked` orphan the replaced file, which then
//    releases its bytes again when the reader drops it: released twice.
//    The window is opened deterministically by a user `Clock`: `apply` calls `ledger.now()`
//    under the write lock before replacing anything.
// ---------------------------------------------------------------------------------------

type Hook = Box<dyn FnOnce() + Send>;

/// A clock that runs a hook (once) on its next reading.
#[derive(Clone)]
struct HookClock(Arc<Mutex<Option<Hook>>>);

impl std::fmt::Debug for HookClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookClock")
    }
}

impl Clock for HookClock {
    fn now(&self) -> SystemTime {
        let hook = self.0.lock().unwrap().take();
        if let Some(hook) = hook {
            hook();
        }
        SystemTime::now()
    }
}

#[test]
fn import_tree_racing_a_pinning_reader_does_not_release_bytes_twice() {
    let clock = HookClock(Arc::new(Mutex::new(None)));
    let fs = MemFs::builder()
        .quota(10_000)
        .semantics(Semantics::Posix)
        .clock(clock.clone())
        .build()
        .unwrap();
    fs.write("/keep", [0u8; 1000]).unwrap();
    fs.write("/a", [7u8; 100]).unwrap();
    assert_eq!(fs.stats().used, 1100);

    // A reader that has listed /a but not yet read it.
    let mut export = fs.export_iter("/a").unwrap();
    let (go, wait) = mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        wait.recv().unwrap();
        // hold_waiting pins /a's node with no tree lock, then waits for the tree lock.
        export.next().map(|r| r.map(|(path, _)| path))
    });
    // Inside import_tree's apply (write lock held, checks done): let the reader pin.
    *clock.0.lock().unwrap() = Some(Box::new(move || {
        go.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }));
    fs.import_tree([("/a", "x")]).unwrap();
    let read = reader.join().unwrap();
    // The reader found /a replaced and skipped it; the old 100-byte inode is gone.
    assert!(read.is_none(), "{read:?}");
    assert_eq!(fs.read("/a").unwrap(), b"x");
    assert_eq!(
        fs.stats().used,
        1001,
        "live files: /keep (1000) + /a (1); the old /a was released twice"
    );
}

#[test]
fn reopen_reaches_a_nameless_file_with_its_own_access_and_keeps_its_bytes_charged() {
    let fs = posix(1 << 20);
    let reader = fs
        .create("/tmp.bin")
        .and_then(|_| fs.open("/tmp.bin"))
        .unwrap();
    fs.remove_file("/tmp.bin").unwrap();
    let mut writer = fs.options().write(true).reopen(&reader).unwrap();
    writer.write_all(b"0123456789").unwrap();
    assert_eq!(fs.stats().used, 10);
    // A new cursor, unlike `try_clone`.
    let mut again = fs.options().read(true).reopen(&reader).unwrap();
    let mut text = String::new();
    again.read_to_string(&mut text).unwrap();
    assert_eq!(text, "0123456789");
    // `truncate` applies; `create_new` cannot (the file exists); flags are checked as `open`.
    drop(
        fs.options()
            .write(true)
            .truncate(true)
            .reopen(&reader)
            .unwrap(),
    );
    assert_eq!(reader.metadata().unwrap().len(), 0);
    let err = fs
        .options()
        .write(true)
        .create_new(true)
        .reopen(&reader)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("/tmp.bin"), "{err}");
    let err = fs
        .options()
        .read(true)
        .truncate(true)
        .reopen(&reader)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // A handle of another filesystem is refused.
    let err = posix(1 << 20)
        .options()
        .read(true)
        .reopen(&reader)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    drop((reader, writer, again));
    assert_eq!(fs.stats().used, 0);
}

#[test]
fn reopen_under_dmemfs_locks_takes_its_own_lock() {
    let fs = MemFs::new();
    fs.write("/a", "abc").unwrap();
    let reader = fs.open("/a").unwrap();
    let shared = fs.options().read(true).reopen(&reader).unwrap();
    let err = fs
        .options()
        .write(true)
        .lock_timeout(Some(std::time::Duration::ZERO))
        .reopen(&reader)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    drop((reader, shared));
    assert!(fs.options().write(true).open("/a").is_ok());
}
