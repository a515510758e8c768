//! Modes, times and the injectable clock; inode numbers and lookups by number.

use std::io::{ErrorKind, Write};
use std::time::{Duration, UNIX_EPOCH};

use dmemfs_core::{FileTimes, MemFs, Permissions, clock::ManualClock};

fn clocked() -> (MemFs, ManualClock) {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let fs = MemFs::builder().clock(clock.clone()).build().unwrap();
    (fs, clock)
}

#[test]
fn new_nodes_get_linux_default_modes() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "x").unwrap();
    assert_eq!(fs.metadata("/d").unwrap().mode(), 0o40755);
    assert_eq!(fs.metadata("/d/f").unwrap().mode(), 0o100644);
    assert_eq!(fs.metadata("/").unwrap().nlink(), 3);
}

#[test]
fn permissions_are_stored_not_enforced() {
    let (fs, clock) = clocked();
    fs.write("/ro", "x").unwrap();
    clock.advance(Duration::from_secs(5));
    let mut perm = fs.metadata("/ro").unwrap().permissions();
    perm.set_readonly(true);
    fs.set_permissions("/ro", perm).unwrap();
    let meta = fs.metadata("/ro").unwrap();
    assert_eq!(meta.mode(), 0o100444);
    assert!(meta.permissions().readonly());
    // chmod changes ctime, not mtime.
    assert_eq!(meta.changed(), clock.now());
    assert!(meta.modified().unwrap() < clock.now());
    // Not enforced: this process owns every file.
    fs.write("/ro", "y").unwrap();
    // Only the low twelve bits are kept.
    fs.set_permissions("/ro", Permissions::from_mode(0o177_4755))
        .unwrap();
    assert_eq!(fs.metadata("/ro").unwrap().mode(), 0o104755);
    fs.create_dir("/d").unwrap();
    fs.set_permissions("/d", Permissions::from_mode(0o700))
        .unwrap();
    assert_eq!(fs.metadata("/d").unwrap().mode(), 0o40700);
}

#[test]
fn times_follow_linux() {
    let (fs, clock) = clocked();
    let t0 = clock.now();
    fs.create_dir("/d").unwrap();
    clock.advance(Duration::from_secs(10));
    fs.write("/d/f", "x").unwrap();
    let t1 = clock.now();
    let dir = fs.metadata("/d").unwrap();
    assert_eq!((dir.created().unwrap(), dir.modified().unwrap()), (t0, t1));
    clock.advance(Duration::from_secs(10));
    fs.append("/d/f", "y").unwrap();
    let f = fs.metadata("/d/f").unwrap();
    assert_eq!(
        (f.created().unwrap(), f.modified().unwrap()),
        (t1, clock.now())
    );
    assert_eq!(
        f.accessed().unwrap(),
        t1,
        "reads and writes leave atime (noatime)"
    );
    // Renaming changes neither the file's mtime nor its contents.
    clock.advance(Duration::from_secs(10));
    fs.rename("/d/f", "/d/g").unwrap();
    assert_eq!(
        fs.metadata("/d/g").unwrap().modified().unwrap(),
        f.modified().unwrap()
    );
    assert_eq!(fs.metadata("/d").unwrap().modified().unwrap(), clock.now());
}

#[test]
fn set_times_on_paths_and_handles() {
    let (fs, clock) = clocked();
    let day = Duration::from_secs(86_400);
    let mut file = fs.create("/old.log").unwrap();
    file.write_all(b"x").unwrap();
    let past = clock.now() - 3 * day;
    file.set_modified(past).unwrap();
    assert_eq!(file.metadata().unwrap().modified().unwrap(), past);
    drop(file);
    let times = FileTimes::new()
        .set_accessed(UNIX_EPOCH)
        .set_modified(UNIX_EPOCH - day);
    fs.set_times("/old.log", times).unwrap();
    let meta = fs.metadata("/old.log").unwrap();
    assert_eq!(meta.accessed().unwrap(), UNIX_EPOCH);
    assert_eq!(
        meta.modified().unwrap(),
        UNIX_EPOCH - day,
        "before the epoch too"
    );
    assert_eq!(meta.changed(), clock.now());
    // Nanoseconds survive.
    let precise = UNIX_EPOCH + Duration::new(1_234_567_890, 123_456_789);
    fs.set_modified("/old.log", precise).unwrap();
    assert_eq!(
        fs.metadata("/old.log").unwrap().modified().unwrap(),
        precise
    );
    let err = fs.set_modified("/nope", precise).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("set_times `/nope`"), "{err}");
}

#[test]
fn a_rotation_rule_is_testable_with_a_manual_clock() {
    let (fs, clock) = clocked();
    fs.write("/a.log", "1").unwrap();
    clock.advance(Duration::from_secs(2 * 86_400));
    fs.write("/b.log", "2").unwrap();
    let now = clock.now();
    let old: Vec<_> = fs
        .read_dir("/")
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            now.duration_since(e.metadata().modified().unwrap())
                .unwrap()
                > Duration::from_secs(86_400)
        })
        .map(|e| e.file_name().to_owned())
        .collect();
    assert_eq!(old, ["a.log"]);
}

#[test]
fn inode_numbers_are_stable_and_reused_only_after_the_node_is_gone() {
    let fs = MemFs::new();
    assert_eq!(fs.metadata("/").unwrap().ino(), MemFs::ROOT_INO);
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/a/b/f", "x").unwrap();
    let (dir, file) = (
        fs.metadata("/a").unwrap().ino(),
        fs.metadata("/a/b/f").unwrap().ino(),
    );
    fs.rename("/a", "/z").unwrap();
    assert_eq!(fs.metadata("/z").unwrap().ino(), dir);
    assert_eq!(fs.metadata("/z/b/f").unwrap().ino(), file);
    let mut seen = std::collections::HashSet::new();
    for entry in fs.walk("/").unwrap() {
        assert!(
            seen.insert(entry.unwrap().metadata().ino()),
            "inode numbers are unique"
        );
    }
    // By number and by (parent, name).
    let b = fs.lookup(dir, "b").unwrap();
    assert_eq!(fs.lookup(b.ino(), "f").unwrap().ino(), file);
    assert_eq!(fs.lookup(b.ino(), ".").unwrap().ino(), b.ino());
    assert_eq!(fs.lookup(dir, "..").unwrap().ino(), MemFs::ROOT_INO);
    assert_eq!(
        fs.metadata_by_ino(dir).unwrap().file_type(),
        dmemfs_core::FileType::Dir
    );
    assert_eq!(
        fs.lookup(dir, "nope").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        fs.lookup(file, "x").unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    assert_eq!(
        fs.lookup(dir, "a/b").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        fs.lookup(dir, "").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        fs.lookup(9_999, "x").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        fs.lookup(dir, &"n".repeat(256)).unwrap_err().kind(),
        ErrorKind::InvalidFilename
    );
    let freed = [dir, b.ino(), file];
    fs.remove_dir_all("/z").unwrap();
    for ino in freed {
        assert!(fs.metadata_by_ino(ino).is_err());
    }
    // The next numbers handed out are the freed ones, not new ones.
    for name in ["/n0", "/n1", "/n2"] {
        fs.write(name, "y").unwrap();
        let reused = fs.metadata(name).unwrap().ino();
        assert!(
            freed.contains(&reused),
            "{name} got {reused}, not one of {freed:?}"
        );
    }
}

#[test]
fn exported_archives_keep_modes() {
    let fs = MemFs::new();
    fs.create_dir("/src").unwrap();
    fs.write("/src/run.sh", "#!/bin/sh\n").unwrap();
    fs.write("/src/data", "x").unwrap();
    fs.set_permissions("/src/run.sh", Permissions::from_mode(0o755))
        .unwrap();
    let mut tar = Vec::new();
    fs.export_tar("/src", &mut tar, &Default::default())
        .unwrap();
    let mut archive = tar::Archive::new(&tar[..]);
    let mut modes: Vec<(String, u32)> = archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let path = e.path().unwrap().display().to_string();
            (path, e.header().mode().unwrap())
        })
        .collect();
    modes.sort();
    assert_eq!(
        modes,
        [("data".into(), 0o644), ("run.sh".into(), 0o755)],
        "{modes:?}"
    );
}

/// No panic from the public API: negating the seconds before the epoch overflowed for the
/// earliest `SystemTime` Linux can represent (`tv_sec == i64::MIN`).
#[test]
fn setting_the_earliest_representable_time_does_not_panic() {
    let fs = MemFs::new();
    fs.write("/a", "x").unwrap();
    let earliest = std::time::UNIX_EPOCH
        .checked_sub(std::time::Duration::from_secs(1 << 63))
        .expect("representable on Linux");
    fs.set_modified("/a", earliest).unwrap();
    assert_eq!(fs.metadata("/a").unwrap().modified().unwrap(), earliest);
}
