//! Cases on hard links and node attributes: inode numbers, link counts, permissions, times.

use std::io::ErrorKind::{AlreadyExists, InvalidInput, NotADirectory, NotFound, PermissionDenied};
use std::time::{Duration, SystemTime};

use super::{fails, fails2, listing, snapshot};
use crate::attrs::{FileTimes, Permissions};
use crate::backend::{FileSystem, FsOpenOptions};
use crate::error::Op;

/// The file type bits of `st_mode`.
const TYPE_BITS: u32 = 0o170000;
const REGULAR: u32 = 0o100000;
const DIRECTORY: u32 = 0o040000;

/// A time with nanoseconds, which every implementation must keep exactly.
fn at(secs: u64, nanos: u32) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::new(secs, nanos)
}

/// A hard link is the same file under a second name: shared contents, one inode number, a
/// link count of 2; removing one name leaves the other with the contents.
pub fn hard_link_shares_the_file(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/a", b"shared").unwrap();
    assert_eq!(fs.metadata("/a").unwrap().nlink(), 1);
    fs.hard_link("/a", "/d/b").unwrap();
    assert_eq!(fs.read("/d/b").unwrap(), b"shared");
    let (a, b) = (fs.metadata("/a").unwrap(), fs.metadata("/d/b").unwrap());
    assert_eq!((a.nlink(), b.nlink()), (2, 2));
    assert_eq!(a.ino(), b.ino(), "both names are one inode");
    assert_ne!(a.ino(), fs.metadata("/d").unwrap().ino());
    // A listing reports the same inode.
    assert_eq!(listing(fs, "/d")[0].metadata().ino(), a.ino());

    // Writing through either name changes the one file.
    fs.append("/d/b", b"!").unwrap();
    assert_eq!(fs.read("/a").unwrap(), b"shared!");
    fs.write("/a", b"rewritten").unwrap();
    assert_eq!(fs.read("/d/b").unwrap(), b"rewritten");
    assert_eq!(fs.metadata("/d/b").unwrap().len(), 9);

    // A third name, then names go one by one.
    fs.hard_link("/d/b", "/c").unwrap();
    assert_eq!(fs.metadata("/a").unwrap().nlink(), 3);
    fs.remove_file("/a").unwrap();
    assert!(!fs.exists("/a"));
    assert_eq!(fs.read("/d/b").unwrap(), b"rewritten");
    assert_eq!(fs.metadata("/c").unwrap().nlink(), 2);
    fs.remove_file("/c").unwrap();
    let last = fs.metadata("/d/b").unwrap();
    assert_eq!((last.nlink(), last.ino()), (1, a.ino()));
    assert_eq!(fs.read("/d/b").unwrap(), b"rewritten");
}

/// `hard_link` errors, named with both paths; none changes anything.
pub fn hard_link_errors(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/f", b"x").unwrap();
    fs.write("/g", b"y").unwrap();
    let before = snapshot(fs);
    let op = Op::HardLink;
    fails2(
        fs.hard_link("/missing", "/x"),
        NotFound,
        op,
        "/missing",
        "/x",
    );
    fails2(fs.hard_link("/f", "/nope/x"), NotFound, op, "/f", "/nope/x");
    fails2(fs.hard_link("/f", "/g"), AlreadyExists, op, "/f", "/g");
    fails2(fs.hard_link("/f", "/d"), AlreadyExists, op, "/f", "/d");
    fails2(fs.hard_link("/f", "/f"), AlreadyExists, op, "/f", "/f");
    fails2(fs.hard_link("/f", "/"), AlreadyExists, op, "/f", "/");
    fails2(fs.hard_link("/d", "/e"), PermissionDenied, op, "/d", "/e");
    fails2(fs.hard_link("/", "/e"), PermissionDenied, op, "/", "/e");
    fails2(fs.hard_link("/f/x", "/e"), NotADirectory, op, "/f/x", "/e");
    fails2(fs.hard_link("/f", "/g/x"), NotADirectory, op, "/f", "/g/x");
    fails2(fs.hard_link("/f", "/../x"), InvalidInput, op, "/f", "/../x");
    // With both sides wrong, the source decides, as the kernel looks it up first; then the
    // destination, then the directory (the root included, which an OsFs cannot name).
    fails2(fs.hard_link("/missing", "/"), NotFound, op, "/missing", "/");
    fails2(
        fs.hard_link("/missing", "/g/x"),
        NotFound,
        op,
        "/missing",
        "/g/x",
    );
    fails2(fs.hard_link("/", "/nope/x"), NotFound, op, "/", "/nope/x");
    fails2(fs.hard_link("/", "/g"), AlreadyExists, op, "/", "/g");
    fails2(fs.hard_link("/", "/"), AlreadyExists, op, "/", "/");
    assert_eq!(snapshot(fs), before);
    assert_eq!(fs.metadata("/f").unwrap().nlink(), 1);
}

/// Inode numbers: distinct for distinct nodes, kept by a rename (file or directory).
pub fn ino_is_stable_across_rename(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", b"x").unwrap();
    fs.write("/g", b"y").unwrap();
    let (dir, file) = (
        fs.metadata("/d").unwrap().ino(),
        fs.metadata("/d/f").unwrap().ino(),
    );
    assert_ne!(dir, file);
    assert_ne!(file, fs.metadata("/g").unwrap().ino());
    fs.rename("/d/f", "/d/renamed").unwrap();
    assert_eq!(fs.metadata("/d/renamed").unwrap().ino(), file);
    fs.rename("/d", "/e").unwrap();
    assert_eq!(fs.metadata("/e").unwrap().ino(), dir);
    assert_eq!(fs.metadata("/e/renamed").unwrap().ino(), file);
    // Replacing a file by rename: the destination name now has the source's inode.
    fs.rename("/e/renamed", "/g").unwrap();
    assert_eq!(fs.metadata("/g").unwrap().ino(), file);
}

/// `set_permissions` stores the low twelve mode bits and keeps the type bits; the read-only
/// flag round-trips. Errors name `set_permissions` and the path.
pub fn set_permissions_round_trip(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", b"x").unwrap();
    for mode in [0o640, 0o755, 0o600, 0o4755, 0o644] {
        fs.set_permissions("/d/f", Permissions::from_mode(mode))
            .unwrap();
        let meta = fs.metadata("/d/f").unwrap();
        assert_eq!(meta.mode() & 0o7777, mode, "mode {mode:o} of a file");
        assert_eq!(meta.mode() & TYPE_BITS, REGULAR);
        assert_eq!(meta.permissions().mode(), meta.mode());
    }
    for (path, mode) in [("/d", 0o1777), ("/d", 0o700), ("/d", 0o755), ("/", 0o755)] {
        fs.set_permissions(path, Permissions::from_mode(mode))
            .unwrap();
        let meta = fs.metadata(path).unwrap();
        assert_eq!(meta.mode() & 0o7777, mode, "mode {mode:o} of {path}");
        assert_eq!(meta.mode() & TYPE_BITS, DIRECTORY);
    }
    // Read-only, as std::fs::Permissions::set_readonly on Unix, and back.
    let mut perm = fs.metadata("/d/f").unwrap().permissions();
    assert!(!perm.readonly());
    perm.set_readonly(true);
    fs.set_permissions("/d/f", perm).unwrap();
    let meta = fs.metadata("/d/f").unwrap();
    assert!(meta.permissions().readonly());
    assert_eq!(meta.mode() & 0o777, 0o444);
    perm.set_readonly(false);
    fs.set_permissions("/d/f", perm).unwrap();
    assert!(!fs.metadata("/d/f").unwrap().permissions().readonly());
    // The contents are untouched; through a normalised path too.
    fs.set_permissions("/d/./f/", Permissions::from_mode(0o600))
        .unwrap();
    assert_eq!(fs.metadata("/d/f").unwrap().mode() & 0o7777, 0o600);
    assert_eq!(fs.read("/d/f").unwrap(), b"x");

    let perm = Permissions::from_mode(0o644);
    let op = Op::SetPermissions;
    fails(fs.set_permissions("/nope", perm), NotFound, op, "/nope");
    fails(
        fs.set_permissions("/d/f/x", perm),
        NotADirectory,
        op,
        "/d/f/x",
    );
    fails(fs.set_permissions("/..", perm), InvalidInput, op, "/..");
}

/// `set_times` sets exactly the times given, nanoseconds included, and leaves the other;
/// `set_modified` sets the modification time only. Errors name `set_times` and the path.
pub fn set_times_round_trip(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", b"x").unwrap();
    let (accessed, modified) = (
        at(1_234_567_890, 123_456_789),
        at(1_500_000_000, 987_654_321),
    );
    let times = FileTimes::new()
        .set_accessed(accessed)
        .set_modified(modified);
    fs.set_times("/d/f", times).unwrap();
    let meta = fs.metadata("/d/f").unwrap();
    assert_eq!(
        (meta.accessed().unwrap(), meta.modified().unwrap()),
        (accessed, modified)
    );

    // Only the modification time: the access time stays.
    let later = at(1_600_000_000, 1);
    fs.set_times("/d/f", FileTimes::new().set_modified(later))
        .unwrap();
    let meta = fs.metadata("/d/f").unwrap();
    assert_eq!(
        (meta.accessed().unwrap(), meta.modified().unwrap()),
        (accessed, later)
    );
    fs.set_modified("/d/f", modified).unwrap();
    let meta = fs.metadata("/d/f").unwrap();
    assert_eq!(
        (meta.accessed().unwrap(), meta.modified().unwrap()),
        (accessed, modified)
    );
    // Only the access time; nothing at all.
    fs.set_times("/d/f", FileTimes::new().set_accessed(later))
        .unwrap();
    fs.set_times("/d/f", FileTimes::new()).unwrap();
    let meta = fs.metadata("/d/f").unwrap();
    assert_eq!(
        (meta.accessed().unwrap(), meta.modified().unwrap()),
        (later, modified)
    );
    assert_eq!(
        listing(fs, "/d")[0].metadata().modified().unwrap(),
        modified
    );

    // Directories, the root included.
    for dir in ["/d", "/"] {
        fs.set_times(dir, times).unwrap();
        let meta = fs.metadata(dir).unwrap();
        assert_eq!(
            (meta.accessed().unwrap(), meta.modified().unwrap()),
            (accessed, modified)
        );
    }
    fs.set_modified("/d", later).unwrap();
    assert_eq!(fs.metadata("/d").unwrap().modified().unwrap(), later);

    let op = Op::SetTimes;
    fails(fs.set_times("/nope", times), NotFound, op, "/nope");
    fails(fs.set_times("/d/f/x", times), NotADirectory, op, "/d/f/x");
    fails(fs.set_times("/..", times), InvalidInput, op, "/..");
    fails(fs.set_modified("/nope", later), NotFound, op, "/nope");
}

/// A handle sets its file's permissions and times, a read-only handle included (as
/// `fchmod(2)` and `futimens(2)`).
pub fn handle_set_permissions_and_times(fs: &dyn FileSystem) {
    fs.write("/f", b"x").unwrap();
    let read_only = FsOpenOptions::new().read(true).to_owned();
    let file = fs.open_with("/f", &read_only).unwrap();
    file.set_permissions(Permissions::from_mode(0o750)).unwrap();
    assert_eq!(file.metadata().unwrap().mode() & 0o7777, 0o750);
    let (accessed, modified) = (at(1_000_000_000, 42), at(1_100_000_000, 999_999_999));
    file.set_times(
        FileTimes::new()
            .set_accessed(accessed)
            .set_modified(modified),
    )
    .unwrap();
    let meta = file.metadata().unwrap();
    assert_eq!(
        (meta.accessed().unwrap(), meta.modified().unwrap()),
        (accessed, modified)
    );
    drop(file);
    let meta = fs.metadata("/f").unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o750);
    assert_eq!(
        (meta.accessed().unwrap(), meta.modified().unwrap()),
        (accessed, modified)
    );

    let file = fs.create("/g").unwrap();
    file.set_modified(modified).unwrap();
    let meta = file.metadata().unwrap();
    assert_eq!(meta.modified().unwrap(), modified);
    drop(file);
    assert_eq!(fs.metadata("/g").unwrap().modified().unwrap(), modified);
}
