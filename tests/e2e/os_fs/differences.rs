//! Where `OsFs` and `MemFs` differ: each side's behaviour (locks, quota, directory
//! timestamps, generation, permission enforcement, inode numbers, access times).

use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::{Duration, SystemTime};

use dmemfs_core::{FileSystem, FileTimes, MemFs, Permissions, Reason};

use super::os_fs;
use crate::common::*;

#[test]
fn open_files_can_be_removed_and_renamed_on_disk_but_not_in_memory() {
    let (os, _dir) = os_fs();
    let mem = MemFs::new();
    for fs in [&os as &dyn FileSystem, &mem] {
        fs.write("/a", b"a").unwrap();
        fs.write("/b", b"b").unwrap();
    }
    let _open_a = os.open("/a").unwrap();
    let _open_b = os.open("/b").unwrap();
    os.rename("/a", "/renamed").unwrap();
    os.remove_file("/b").unwrap();

    let _open_a = mem.open("/a").unwrap();
    let _open_b = mem.open("/b").unwrap();
    expect_err(
        FileSystem::rename(&mem, "/a", "/renamed"),
        ErrorKind::ResourceBusy,
    );
    expect_err(FileSystem::remove_file(&mem, "/b"), ErrorKind::ResourceBusy);
}

#[test]
fn two_writers_coexist_on_disk_but_the_second_waits_in_memory() {
    let (os, _dir) = os_fs();
    let mut first = os.create("/f").unwrap();
    let mut second = FileSystem::create(&os, "/f").unwrap();
    first.write_all(b"1").unwrap();
    second.write_all(b"2").unwrap();
    drop((first, second));
    assert_eq!(os.read("/f").unwrap(), b"2");

    let mem = test_fs(1 << 20); // lock timeout: SHORT
    let _first = FileSystem::create(&mem, "/f").unwrap();
    let started = std::time::Instant::now();
    expect_err(FileSystem::create(&mem, "/f"), ErrorKind::WouldBlock);
    assert!(started.elapsed() >= SHORT);
}

#[test]
fn the_quota_exists_only_in_memory() {
    let (os, _dir) = os_fs();
    let mem = MemFs::with_quota(10);
    for fs in [&os as &dyn FileSystem, &mem] {
        fs.write("/f", b"0123456789").unwrap();
    }
    let err = expect_err(
        FileSystem::write(&mem, "/f", b"0123456789a"),
        ErrorKind::StorageFull,
    );
    assert!(matches!(err.reason(), Reason::QuotaExceeded { .. }));
    assert_eq!(
        mem.read("/f").unwrap(),
        b"0123456789",
        "the old contents stay"
    );
    os.write("/f", b"0123456789a").unwrap();
    assert_eq!(os.metadata("/f").unwrap().len(), 11);
}

#[test]
fn directory_timestamps_follow_their_entries_on_both() {
    let (os, dir) = os_fs();
    os.create_dir("/d").unwrap();
    // Set in the past, so that the change cannot hide within the clock's granularity.
    let past = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(dir.path().join("d"))
        .unwrap()
        .set_modified(past)
        .unwrap();
    assert!(os.metadata("/d").unwrap().modified().unwrap() < past + Duration::from_secs(1));
    os.write("/d/new", b"").unwrap();
    assert!(os.metadata("/d").unwrap().modified().unwrap() > past + Duration::from_secs(60));

    let clock = dmemfs_core::clock::ManualClock::new(past);
    let mem = MemFs::builder().clock(clock.clone()).build().unwrap();
    mem.create_dir("/d").unwrap();
    clock.advance(Duration::from_secs(60));
    mem.write("/d/new", "").unwrap();
    let after = FileSystem::metadata(&mem, "/d").unwrap();
    assert_eq!(after.modified().unwrap(), past + Duration::from_secs(60));
    assert_eq!(after.created().ok(), Some(past));
    clock.advance(Duration::from_secs(60));
    mem.remove_file("/d/new").unwrap();
    let removed = FileSystem::metadata(&mem, "/d").unwrap();
    assert_eq!(removed.modified().unwrap(), past + Duration::from_secs(120));
}

#[test]
fn only_memory_counts_generations() {
    let (os, _dir) = os_fs();
    let mem = MemFs::new();
    for fs in [&os as &dyn FileSystem, &mem] {
        fs.write("/f", b"1").unwrap();
        fs.append("/f", b"2").unwrap();
    }
    assert_eq!(
        FileSystem::metadata(&mem, "/f").unwrap().generation(),
        Some(2)
    );
    assert_eq!(os.metadata("/f").unwrap().generation(), None);
    let mut handle = os.open("/f").unwrap();
    let mut text = String::new();
    handle.read_to_string(&mut text).unwrap();
    assert_eq!(text, "12");
    assert_eq!(handle.metadata().unwrap().generation(), None);
}

#[test]
fn permissions_are_enforced_on_disk_as_the_os_does_but_only_stored_in_memory() {
    // Whether the OS lets this process past a mode of 0 (root: CAP_DAC_OVERRIDE; CI runs as root).
    let probe = tempfile::tempdir().unwrap();
    let probe_file = probe.path().join("p");
    std::fs::write(&probe_file, "x").unwrap();
    std::fs::set_permissions(&probe_file, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::read(&probe_file).is_ok();

    let (os, _dir) = os_fs();
    let mem = MemFs::new();
    for fs in [&os as &dyn FileSystem, &mem] {
        fs.write("/locked", b"x").unwrap();
        fs.set_permissions("/locked", Permissions::from_mode(0o000))
            .unwrap();
        assert_eq!(fs.metadata("/locked").unwrap().mode() & 0o7777, 0);
    }
    // In memory: stored and reported, never enforced.
    assert_eq!(FileSystem::read(&mem, "/locked").unwrap(), b"x");
    FileSystem::write(&mem, "/locked", b"y").unwrap();
    // On disk: as the OS decides for this process. Setting times opens the file, which the OS
    // refuses at mode 0 too (as std's File::open then set_times).
    let then = SystemTime::UNIX_EPOCH + Duration::new(1_000_000_000, 7);
    let read = os.read("/locked");
    if privileged {
        assert_eq!(read.unwrap(), b"x");
    } else {
        expect_err(read, ErrorKind::PermissionDenied);
        expect_err(os.write("/locked", b"y"), ErrorKind::PermissionDenied);
        let touch = os.set_modified("/locked", then);
        expect_err(touch, ErrorKind::PermissionDenied);
    }
    // The owner may change the mode whatever it is.
    let perm = Permissions::from_mode(0o644);
    os.set_permissions("/locked", perm).unwrap();
    os.set_modified("/locked", then).unwrap();
    assert_eq!(os.metadata("/locked").unwrap().modified().unwrap(), then);
}

#[test]
fn inode_numbers_and_link_counts_are_the_hosts_on_disk() {
    let (os, dir) = os_fs();
    os.create_dir_all("/d/sub").unwrap();
    os.write("/d/f", b"x").unwrap();
    os.hard_link("/d/f", "/g").unwrap();
    for (path, host) in [("/d", "d"), ("/d/f", "d/f"), ("/g", "g"), ("/", "")] {
        let meta = os.metadata(path).unwrap();
        let host = std::fs::metadata(dir.path().join(host)).unwrap();
        assert_eq!(
            (meta.ino(), meta.nlink(), meta.mode()),
            (host.ino(), host.nlink(), host.mode())
        );
    }
    // A MemFs numbers its own: the root is 1, a file's number is reused once it is gone.
    let mem = MemFs::new();
    assert_eq!(FileSystem::metadata(&mem, "/").unwrap().ino(), 1);
    FileSystem::write(&mem, "/a", b"").unwrap();
    let ino = FileSystem::metadata(&mem, "/a").unwrap().ino();
    FileSystem::remove_file(&mem, "/a").unwrap();
    FileSystem::write(&mem, "/b", b"").unwrap();
    assert_eq!(FileSystem::metadata(&mem, "/b").unwrap().ino(), ino);

    // Linking a directory onto an existing name: both check the new name before the
    // original's type, as linkat(2) does.
    FileSystem::create_dir(&mem, "/d").unwrap();
    let to_mem = FileSystem::hard_link(&mem, "/d", "/b");
    expect_err(to_mem, ErrorKind::AlreadyExists);
    expect_err(os.hard_link("/d", "/g"), ErrorKind::AlreadyExists);
    expect_err(
        FileSystem::hard_link(&mem, "/d", "/new"),
        ErrorKind::PermissionDenied,
    );
}

#[test]
fn reads_may_update_access_times_on_disk_never_in_memory() {
    let past = SystemTime::now() - Duration::from_secs(3 * 86_400);
    let times = FileTimes::new().set_accessed(past);
    let mem = MemFs::new();
    FileSystem::write(&mem, "/f", b"x").unwrap();
    FileSystem::set_times(&mem, "/f", times).unwrap();
    FileSystem::read(&mem, "/f").unwrap();
    assert_eq!(
        FileSystem::metadata(&mem, "/f")
            .unwrap()
            .accessed()
            .unwrap(),
        past
    );

    // On disk, as the mount options say (relatime updates an access time older than the
    // modification time; noatime never does): the same as a read through std.
    let (os, dir) = os_fs();
    for name in ["/through_os", "/through_std"] {
        os.write(name, b"x").unwrap();
        os.set_times(name, times).unwrap();
    }
    os.read("/through_os").unwrap();
    std::fs::read(dir.path().join("through_std")).unwrap();
    let (by_os, by_std) = (
        os.metadata("/through_os").unwrap().accessed().unwrap(),
        os.metadata("/through_std").unwrap().accessed().unwrap(),
    );
    assert_eq!(by_os == past, by_std == past, "OsFs reads as std reads");
}
