//! Cases on open handles and open options.

use std::io::ErrorKind::{
    AlreadyExists, InvalidInput, IsADirectory, NotADirectory, NotFound, Unsupported,
};
use std::io::{Read, Seek, SeekFrom, Write};

use super::{fails, listing};
use crate::backend::{FileSystem, FsOpenOptions};
use crate::error::Op;

fn read_write_create() -> FsOpenOptions {
    let mut options = FsOpenOptions::new();
    options.read(true).write(true).create(true);
    options
}

/// Reading, writing and seeking through one handle, as with `std::fs::File`.
pub fn handle_read_write_seek(fs: &dyn FileSystem) {
    let mut file = fs.open_with("/h", &read_write_create()).unwrap();
    file.write_all(b"hello world").unwrap();
    assert_eq!(file.stream_position().unwrap(), 11);
    assert_eq!(file.seek(SeekFrom::Start(6)).unwrap(), 6);
    let mut word = String::new();
    file.read_to_string(&mut word).unwrap();
    assert_eq!(word, "world");
    assert_eq!(file.seek(SeekFrom::End(-5)).unwrap(), 6);
    let mut five = [0; 5];
    file.read_exact(&mut five).unwrap();
    assert_eq!(&five, b"world");
    let mut nothing = [0; 4];
    assert_eq!(
        file.read(&mut nothing).unwrap(),
        0,
        "reading at the end gives 0"
    );
    file.seek(SeekFrom::Start(0)).unwrap();
    file.write_all(b"HELLO").unwrap();
    assert_eq!(file.seek(SeekFrom::Current(1)).unwrap(), 6);
    fails(
        file.seek(SeekFrom::Current(-100)),
        InvalidInput,
        Op::Seek,
        "/h",
    );
    // Writing past the end fills the gap with zeros.
    file.seek(SeekFrom::Start(13)).unwrap();
    file.write_all(b"!").unwrap();
    file.flush().unwrap();
    drop(file);
    assert_eq!(fs.read("/h").unwrap(), b"HELLO world\0\0!");
}

/// `set_len` truncates or zero-extends without moving the cursor.
pub fn handle_set_len(fs: &dyn FileSystem) {
    let mut file = fs.open_with("/s", &read_write_create()).unwrap();
    file.write_all(b"abcdef").unwrap();
    file.set_len(3).unwrap();
    assert_eq!(file.metadata().unwrap().len(), 3);
    assert_eq!(file.stream_position().unwrap(), 6);
    file.set_len(5).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    let mut all = Vec::new();
    file.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"abc\0\0");
    file.sync_all().unwrap();
    drop(file);
    assert_eq!(fs.read("/s").unwrap(), b"abc\0\0");
}

/// A handle does only what it was opened for: `Unsupported` otherwise, naming the file.
pub fn handle_modes_are_enforced(fs: &dyn FileSystem) {
    fs.write("/m", b"data").unwrap();
    let mut reader = fs.open("/m").unwrap();
    fails(reader.write(b"x"), Unsupported, Op::Write, "/m");
    fails(reader.set_len(0), Unsupported, Op::SetLen, "/m");
    drop(reader);
    let mut writer = fs
        .open_with("/m", FsOpenOptions::new().write(true))
        .unwrap();
    let mut buf = [0; 4];
    fails(writer.read(&mut buf), Unsupported, Op::Read, "/m");
    drop(writer);
    let mut appender = fs
        .open_with("/m", FsOpenOptions::new().append(true))
        .unwrap();
    fails(appender.read(&mut buf), Unsupported, Op::Read, "/m");
    drop(appender);
    assert_eq!(fs.read("/m").unwrap(), b"data");
}

/// The flag combinations `std::fs::OpenOptions` refuses on Linux are `InvalidInput`, and
/// create nothing.
pub fn open_options_flag_rules(fs: &dyn FileSystem) {
    let check = |options: &FsOpenOptions, op: Op| {
        fails(fs.open_with("/new", options), InvalidInput, op, "/new");
        assert!(!fs.exists("/new"), "a refused open created the file");
    };
    check(&FsOpenOptions::new(), Op::Open);
    check(FsOpenOptions::new().read(true).truncate(true), Op::Open);
    check(FsOpenOptions::new().read(true).create(true), Op::Create);
    check(FsOpenOptions::new().read(true).create_new(true), Op::Create);
    check(
        FsOpenOptions::new()
            .append(true)
            .truncate(true)
            .create(true),
        Op::Create,
    );
    // append + truncate is fine with create_new: there is nothing to truncate.
    fs.open_with(
        "/ok",
        FsOpenOptions::new()
            .append(true)
            .truncate(true)
            .create_new(true),
    )
    .unwrap();
    assert!(fs.is_file("/ok"));
}

/// `create_new`, `create` without truncation, `truncate`, and the errors of opening.
pub fn open_create_new_and_truncate(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    let mut create_new = FsOpenOptions::new();
    create_new.write(true).create_new(true);
    fs.open_with("/d/once", &create_new)
        .unwrap()
        .write_all(b"abcdef")
        .unwrap();
    fails(
        fs.open_with("/d/once", &create_new),
        AlreadyExists,
        Op::Create,
        "/d/once",
    );
    fails(
        fs.open_with("/d", &create_new),
        AlreadyExists,
        Op::Create,
        "/d",
    );
    // create without truncate keeps the contents and writes from the start.
    fs.open_with("/d/once", FsOpenOptions::new().write(true).create(true))
        .unwrap()
        .write_all(b"XY")
        .unwrap();
    assert_eq!(fs.read("/d/once").unwrap(), b"XYcdef");
    fs.open_with("/d/once", FsOpenOptions::new().write(true).truncate(true))
        .unwrap();
    assert_eq!(fs.read("/d/once").unwrap(), b"");
    fs.create("/d/once").unwrap().write_all(b"v2").unwrap();
    assert_eq!(fs.read("/d/once").unwrap(), b"v2");

    fails(fs.open("/d/missing"), NotFound, Op::Open, "/d/missing");
    fails(fs.create("/nope/f"), NotFound, Op::Create, "/nope/f");
    fails(
        fs.create("/d/once/x"),
        NotADirectory,
        Op::Create,
        "/d/once/x",
    );
    fails(fs.open("/d/once/x"), NotADirectory, Op::Open, "/d/once/x");
    assert!(!fs.exists("/nope"));
}

/// An append handle writes at the end whatever its cursor, and can read if asked to.
pub fn append_handle_writes_at_end(fs: &dyn FileSystem) {
    fs.write("/log", b"one\n").unwrap();
    let mut file = fs
        .open_with("/log", FsOpenOptions::new().read(true).append(true))
        .unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    let mut first = String::new();
    file.read_to_string(&mut first).unwrap();
    assert_eq!(first, "one\n");
    file.seek(SeekFrom::Start(0)).unwrap();
    file.write_all(b"two\n").unwrap();
    drop(file);
    assert_eq!(fs.read_to_string("/log").unwrap(), "one\ntwo\n");
}

/// Opening a directory fails at `open` with `IsADirectory`, whatever the access mode; the root
/// cannot be created.
pub fn opening_a_directory_is_a_directory(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fails(fs.open("/d"), IsADirectory, Op::Open, "/d");
    fails(fs.open("/"), IsADirectory, Op::Open, "/");
    fails(fs.create("/d"), IsADirectory, Op::Create, "/d");
    let write = FsOpenOptions::new().write(true).to_owned();
    fails(fs.open_with("/d", &write), IsADirectory, Op::Open, "/d");
    fails(fs.create("/"), InvalidInput, Op::Create, "/");
    assert!(listing(fs, "/d").is_empty());
}

/// A handle knows its normalised path and its current metadata.
pub fn handle_metadata_and_path(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    let mut file = fs.create("d//h.txt/").unwrap();
    assert_eq!(file.path(), "/d/h.txt");
    assert_eq!(file.metadata().unwrap().len(), 0);
    file.write_all(b"1234").unwrap();
    let meta = file.metadata().unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.len(), 4);
    drop(file);
    assert_eq!(fs.open("/d/./h.txt").unwrap().path(), "/d/h.txt");
}
