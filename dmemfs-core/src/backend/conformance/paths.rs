//! Cases on the virtual-path rules, the root, and error payloads.

use std::io::ErrorKind::{InvalidFilename, InvalidInput, IsADirectory, NotFound};
use std::io::{self, Write};

use super::{fails, fails2, listing, names, snapshot};
use crate::backend::{FileSystem, FsOpenOptions};
use crate::error::Op;
use crate::path::NAME_MAX;

/// Backslashes, relative paths, `.`, `..`, repeated and trailing slashes all name the same
/// file; `..` is resolved on the text, even through names that do not exist.
pub fn paths_are_normalised(fs: &dyn FileSystem) {
    fs.create_dir("/a").unwrap();
    fs.write("a/b.txt", b"same").unwrap();
    let backslash = backslash_separates(fs);
    let spellings = [
        "/a/b.txt",
        "a/b.txt",
        "/a/./b.txt",
        "//a//b.txt/",
        "/a/missing/../b.txt",
        "/x/../a/b.txt",
    ];
    let windows = ["\\a\\b.txt"];
    for spelling in spellings
        .into_iter()
        .chain(windows.into_iter().filter(|_| backslash))
    {
        assert_eq!(fs.read(spelling).unwrap(), b"same", "{spelling:?}");
        assert!(fs.is_file(spelling), "{spelling:?}");
    }
    fs.append("/a/./b.txt/", b"!").unwrap();
    assert_eq!(fs.read("/a/b.txt").unwrap(), b"same!");
    if backslash {
        assert_eq!(names(fs, "\\"), ["a"]);
    } else {
        // A name byte, as on Linux: `\a\b.txt` is one name, which does not exist.
        assert!(!fs.exists("\\a\\b.txt"));
        fs.write("/a\\b", b"one file").unwrap();
        assert_eq!(names(fs, "/"), ["a", "a\\b"]);
        fs.remove_file("/a\\b").unwrap();
    }
    assert_eq!(listing(fs, ".//a/")[0].path(), "/a/b.txt");
    fs.create_dir_all("c/./d/../e").unwrap();
    assert!(fs.is_dir("/c/e") && !fs.exists("/c/d"));
}

/// `..` above the root is `InvalidInput` for every operation, names the path as written, and
/// changes nothing.
pub fn escapes_above_the_root_are_refused(fs: &dyn FileSystem) {
    fs.create_dir("/a").unwrap();
    fs.write("/a/f", b"f").unwrap();
    let before = snapshot(fs);
    let backslash = backslash_separates(fs);
    let escapes = [
        "..",
        "../x",
        "/..",
        "/a/../../x",
        "/a/b/../../../etc/passwd",
    ];
    let windows = ["..\\x"];
    for bad in escapes
        .into_iter()
        .chain(windows.into_iter().filter(|_| backslash))
    {
        let one: [(Op, io::Result<()>); 11] = [
            (Op::Read, fs.read(bad).map(drop)),
            (Op::Write, fs.write(bad, b"x")),
            (Op::Append, fs.append(bad, b"x")),
            (Op::Metadata, fs.metadata(bad).map(drop)),
            (Op::CreateDir, fs.create_dir(bad)),
            (Op::CreateDirAll, fs.create_dir_all(bad)),
            (Op::RemoveFile, fs.remove_file(bad)),
            (Op::RemoveDir, fs.remove_dir(bad)),
            (Op::RemoveDirAll, fs.remove_dir_all(bad)),
            (Op::ReadDir, fs.read_dir(bad).map(drop)),
            (Op::Walk, fs.walk(bad).map(drop)),
        ];
        for (op, result) in one {
            fails(result, InvalidInput, op, bad);
        }
        fails(fs.open(bad), InvalidInput, Op::Open, bad);
        fails(fs.create(bad), InvalidInput, Op::Create, bad);
        let append = FsOpenOptions::new().append(true).create(true).to_owned();
        fails(fs.open_with(bad, &append), InvalidInput, Op::Create, bad);
        fails2(
            fs.rename("/a/f", bad),
            InvalidInput,
            Op::Rename,
            "/a/f",
            bad,
        );
        fails2(
            fs.rename(bad, "/a/g"),
            InvalidInput,
            Op::Rename,
            bad,
            "/a/g",
        );
        fails2(fs.copy("/a/f", bad), InvalidInput, Op::Copy, "/a/f", bad);
        fails2(fs.copy(bad, "/a/g"), InvalidInput, Op::Copy, bad, "/a/g");
        fails2(
            fs.copy_dir_all("/a", bad),
            InvalidInput,
            Op::CopyDirAll,
            "/a",
            bad,
        );
        assert!(!fs.exists(bad) && !fs.is_file(bad) && !fs.is_dir(bad));
    }
    assert_eq!(snapshot(fs), before);
}

/// NUL bytes are `InvalidInput`; a name longer than [`NAME_MAX`] bytes is `InvalidFilename`,
/// one of exactly `NAME_MAX` bytes works.
pub fn nul_and_long_names_are_refused(fs: &dyn FileSystem) {
    fails(fs.write("/a\0b", b"x"), InvalidInput, Op::Write, "/a\0b");
    fails(fs.create_dir("/a\0b"), InvalidInput, Op::CreateDir, "/a\0b");
    fails(fs.read("/a\0b"), InvalidInput, Op::Read, "/a\0b");
    let too_long = format!("/{}", "n".repeat(NAME_MAX + 1));
    fails(
        fs.write(&too_long, b"x"),
        InvalidFilename,
        Op::Write,
        &too_long,
    );
    fails(
        fs.create_dir(&too_long),
        InvalidFilename,
        Op::CreateDir,
        &too_long,
    );
    assert!(listing(fs, "/").is_empty());
    let longest = format!("/{}", "n".repeat(NAME_MAX));
    fs.write(&longest, b"fits").unwrap();
    assert_eq!(fs.read(&longest).unwrap(), b"fits");
    assert_eq!(listing(fs, "/")[0].path(), longest);
}

/// The root exists, is a directory, and cannot be created, removed, written or renamed.
pub fn the_root_is_special(fs: &dyn FileSystem) {
    assert!(fs.exists("/") && fs.is_dir("/") && fs.is_dir("") && fs.is_dir("."));
    fs.create_dir_all("/").unwrap();
    assert!(listing(fs, "/").is_empty());
    fails(fs.create_dir("/"), InvalidInput, Op::CreateDir, "/");
    fails(fs.remove_dir(""), InvalidInput, Op::RemoveDir, "");
    fails(fs.remove_dir_all("."), InvalidInput, Op::RemoveDirAll, ".");
    fails(fs.write("//", b"x"), InvalidInput, Op::Write, "//");
    fails(fs.read("/"), IsADirectory, Op::Read, "/");
    fails(fs.remove_file("/"), IsADirectory, Op::RemoveFile, "/");
    fs.create_dir("/d").unwrap();
    fails2(
        fs.rename("/", "/d/root"),
        InvalidInput,
        Op::Rename,
        "/",
        "/d/root",
    );
    fails2(fs.rename("/d", "/"), InvalidInput, Op::Rename, "/d", "/");
    assert_eq!(names(fs, "/"), ["d"]);
}

/// Errors name the operation and the path exactly as the caller wrote it, and the second
/// path of a two-path operation.
pub fn errors_name_op_and_path(fs: &dyn FileSystem) {
    let err = fs.read("missing//x.txt/").unwrap_err();
    assert_eq!(err.kind(), NotFound);
    assert!(
        err.to_string().starts_with("read `missing//x.txt/`"),
        "{err}"
    );
    let err = fs.rename("/from", "/to").unwrap_err();
    assert!(
        err.to_string().starts_with("rename `/from` to `/to`"),
        "{err}"
    );
    fs.create_dir("/d").unwrap();
    let mut file = fs.create("/d/f").unwrap();
    file.write_all(b"x").unwrap();
    drop(file);
    let reader = fs.open("d/./f").unwrap();
    let err = reader.set_len(0).unwrap_err();
    assert!(err.to_string().starts_with("set_len `/d/f`"), "{err}");
}

/// Names are UTF-8 strings: accents, spaces, emoji, case-sensitive.
pub fn unicode_names(fs: &dyn FileSystem) {
    fs.create_dir("/données").unwrap();
    for name in ["résumé ü.txt", "Résumé ü.txt", "🦀 crab", "a b  c"] {
        fs.write(&format!("/données/{name}"), name.as_bytes())
            .unwrap();
    }
    assert_eq!(
        names(fs, "/données"),
        ["Résumé ü.txt", "a b  c", "résumé ü.txt", "🦀 crab"]
    );
    assert_eq!(fs.read_to_string("/données/🦀 crab").unwrap(), "🦀 crab");
    assert_eq!(fs.glob("/données/*ü*").unwrap().len(), 2);
}

/// Whether `\\` separates names on `fs` (D-MemFS's paths, `OsFs`) or is a byte of a name
/// (`MemFs` with `Semantics::Posix`, as on Linux). Needs the directory `/a`.
fn backslash_separates(fs: &dyn FileSystem) -> bool {
    fs.is_dir("\\a")
}
