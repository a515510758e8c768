//! Cases on whole files: read, write, append, remove, metadata, copy.

use std::io::ErrorKind::{InvalidData, InvalidInput, IsADirectory, NotADirectory, NotFound};
use std::time::{Duration, SystemTime};

use super::{fails, fails2, snapshot};
use crate::backend::FileSystem;
use crate::error::Op;

/// `write` creates a file that `read`, `read_to_string` and `metadata` see.
pub fn write_then_read(fs: &dyn FileSystem) {
    fs.write("/a.txt", b"hello").unwrap();
    assert_eq!(fs.read("/a.txt").unwrap(), b"hello");
    assert_eq!(fs.read_to_string("/a.txt").unwrap(), "hello");
    let meta = fs.metadata("/a.txt").unwrap();
    assert!(meta.is_file() && !meta.is_dir());
    assert_eq!(meta.len(), 5);
    assert!(fs.exists("/a.txt") && fs.is_file("/a.txt") && !fs.is_dir("/a.txt"));
}

/// `write` replaces the whole contents (shorter or longer); `append` adds to the end and
/// creates a missing file.
pub fn write_replaces_and_append_extends(fs: &dyn FileSystem) {
    fs.write("/f", b"a long first version").unwrap();
    fs.write("/f", b"short").unwrap();
    assert_eq!(fs.read("/f").unwrap(), b"short");
    fs.write("/f", b"a longer second version").unwrap();
    assert_eq!(fs.read("/f").unwrap(), b"a longer second version");
    fs.append("/log", b"one\n").unwrap();
    fs.append("/log", b"two\n").unwrap();
    assert_eq!(fs.read_to_string("/log").unwrap(), "one\ntwo\n");
    assert_eq!(fs.metadata("/log").unwrap().len(), 8);
}

/// `read_to_string` of bytes that are not UTF-8 is `InvalidData`, naming `read` and the path.
pub fn read_to_string_rejects_invalid_utf8(fs: &dyn FileSystem) {
    fs.write("/bin", &[0x66, 0xff, 0xfe]).unwrap();
    fails(fs.read_to_string("/bin"), InvalidData, Op::Read, "/bin");
    assert_eq!(fs.read("/bin").unwrap(), [0x66, 0xff, 0xfe]);
}

/// Reading what is not a file: missing, a directory, a path through a file.
pub fn read_errors(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/f", b"x").unwrap();
    fails(fs.read("/missing"), NotFound, Op::Read, "/missing");
    fails(fs.read("/d/missing"), NotFound, Op::Read, "/d/missing");
    fails(fs.read("/d"), IsADirectory, Op::Read, "/d");
    fails(fs.read("/"), IsADirectory, Op::Read, "/");
    fails(fs.read("/f/x"), NotADirectory, Op::Read, "/f/x");
    fails(fs.read_to_string("/d"), IsADirectory, Op::Read, "/d");
}

/// Writing where no file can be: the root, a directory, a missing parent, through a file.
/// Nothing is created.
pub fn write_errors(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/f", b"x").unwrap();
    let before = snapshot(fs);
    fails(fs.write("/", b"x"), InvalidInput, Op::Write, "/");
    fails(fs.write("/d", b"x"), IsADirectory, Op::Write, "/d");
    fails(fs.write("/nope/f", b"x"), NotFound, Op::Write, "/nope/f");
    fails(fs.write("/f/x", b"x"), NotADirectory, Op::Write, "/f/x");
    fails(fs.append("/d", b"x"), IsADirectory, Op::Append, "/d");
    fails(fs.append("/nope/f", b"x"), NotFound, Op::Append, "/nope/f");
    fails(fs.append("/", b"x"), InvalidInput, Op::Append, "/");
    assert_eq!(snapshot(fs), before);
}

/// Empty files exist with length 0; a 1 MiB file round-trips byte for byte.
pub fn empty_and_large_files(fs: &dyn FileSystem) {
    fs.write("/empty", b"").unwrap();
    assert!(fs.is_file("/empty"));
    assert_eq!(fs.read("/empty").unwrap(), b"");
    assert_eq!(fs.metadata("/empty").unwrap().len(), 0);
    let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    fs.write("/big", &big).unwrap();
    assert_eq!(fs.metadata("/big").unwrap().len(), big.len() as u64);
    assert!(fs.read("/big").unwrap() == big, "1 MiB file differs");
}

/// `remove_file` removes files only.
pub fn remove_file_semantics(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", b"x").unwrap();
    fs.remove_file("/d/f").unwrap();
    assert!(!fs.exists("/d/f"));
    assert!(fs.is_dir("/d"));
    fails(fs.remove_file("/d/f"), NotFound, Op::RemoveFile, "/d/f");
    fails(fs.remove_file("/d"), IsADirectory, Op::RemoveFile, "/d");
    fails(fs.remove_file("/"), IsADirectory, Op::RemoveFile, "/");
    fs.write("/f", b"x").unwrap();
    fails(
        fs.remove_file("/f/x"),
        NotADirectory,
        Op::RemoveFile,
        "/f/x",
    );
    assert!(fs.is_file("/f"));
}

/// `metadata` and the `exists` / `is_file` / `is_dir` probes.
pub fn metadata_and_probes(fs: &dyn FileSystem) {
    // File timestamps may come from a coarse clock: allow a little slack.
    let slack = Duration::from_secs(2);
    let before = SystemTime::now() - slack;
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", b"abc").unwrap();
    let after = SystemTime::now() + slack;

    let root = fs.metadata("/").unwrap();
    assert!(root.is_dir() && !root.is_file());
    assert_eq!(root.len(), 0);
    let dir = fs.metadata("/d").unwrap();
    assert!(dir.is_dir());
    assert_eq!(dir.len(), 0, "directories report length 0");
    let file = fs.metadata("/d/f").unwrap();
    assert!(file.is_file());
    assert_eq!(file.len(), 3);
    assert!(file.modified().unwrap() >= before && file.modified().unwrap() <= after);
    if let Ok(created) = file.created() {
        assert!(created >= before && created <= after);
    }

    assert!(fs.exists("/") && fs.exists("/d") && fs.exists("/d/f"));
    assert!(fs.is_dir("/d") && !fs.is_file("/d"));
    assert!(fs.is_file("/d/f") && !fs.is_dir("/d/f"));
    for absent in ["/nope", "/d/nope", "/d/f/x", "/..", "/a\0b"] {
        assert!(!fs.exists(absent), "{absent:?} should not exist");
        assert!(!fs.is_file(absent) && !fs.is_dir(absent), "{absent:?}");
    }
    fails(fs.metadata("/nope"), NotFound, Op::Metadata, "/nope");
    fails(fs.metadata("/d/f/x"), NotADirectory, Op::Metadata, "/d/f/x");
}

/// `copy` creates or replaces a file with the source's bytes and returns their number.
pub fn copy_file_semantics(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/src", b"source bytes").unwrap();
    assert_eq!(fs.copy("/src", "/d/new").unwrap(), 12);
    assert_eq!(fs.read("/d/new").unwrap(), b"source bytes");
    assert_eq!(fs.read("/src").unwrap(), b"source bytes");

    fs.write("/long", b"a much longer destination").unwrap();
    assert_eq!(fs.copy("/src", "/long").unwrap(), 12);
    assert_eq!(fs.read("/long").unwrap(), b"source bytes");

    fs.write("/empty", b"").unwrap();
    assert_eq!(fs.copy("/empty", "/long").unwrap(), 0);
    assert_eq!(fs.read("/long").unwrap(), b"");
}

/// Failed copies: the same file, directories on either side, missing source or parent, the
/// root as destination. None changes anything.
pub fn failed_copies_change_nothing(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/f", b"keep me").unwrap();
    let before = snapshot(fs);
    fails2(fs.copy("/f", "/f"), InvalidInput, Op::Copy, "/f", "/f");
    fails2(fs.copy("/f", "/./f"), InvalidInput, Op::Copy, "/f", "/./f");
    fails2(fs.copy("/d", "/x"), IsADirectory, Op::Copy, "/d", "/x");
    fails2(fs.copy("/f", "/d"), IsADirectory, Op::Copy, "/f", "/d");
    fails2(
        fs.copy("/missing", "/x"),
        NotFound,
        Op::Copy,
        "/missing",
        "/x",
    );
    fails2(
        fs.copy("/f", "/nope/x"),
        NotFound,
        Op::Copy,
        "/f",
        "/nope/x",
    );
    fails2(fs.copy("/f", "/f/x"), NotADirectory, Op::Copy, "/f", "/f/x");
    fails2(fs.copy("/f", "/"), InvalidInput, Op::Copy, "/f", "/");
    assert_eq!(snapshot(fs), before);
}
