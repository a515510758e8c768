//! Cases on directories: create, remove, list, rename, copy trees.

use std::io::ErrorKind::{
    AlreadyExists, DirectoryNotEmpty, InvalidInput, IsADirectory, NotADirectory, NotFound,
};

use super::{fails, fails2, listing, names, snapshot, walked};
use crate::backend::FileSystem;
use crate::error::Op;

/// `create_dir` creates one directory whose parent exists.
pub fn create_dir_semantics(fs: &dyn FileSystem) {
    fs.create_dir("/a").unwrap();
    fs.create_dir("/a/b").unwrap();
    assert!(fs.is_dir("/a/b"));
    fs.write("/f", b"x").unwrap();
    let before = snapshot(fs);
    fails(fs.create_dir("/a"), AlreadyExists, Op::CreateDir, "/a");
    fails(fs.create_dir("/f"), AlreadyExists, Op::CreateDir, "/f");
    fails(fs.create_dir("/x/y"), NotFound, Op::CreateDir, "/x/y");
    fails(fs.create_dir("/f/y"), NotADirectory, Op::CreateDir, "/f/y");
    fails(fs.create_dir("/"), InvalidInput, Op::CreateDir, "/");
    assert_eq!(snapshot(fs), before);
}

/// `create_dir_all` creates missing parents, succeeds on an existing directory and refuses
/// files.
pub fn create_dir_all_semantics(fs: &dyn FileSystem) {
    fs.create_dir_all("/a/b/c").unwrap();
    fs.create_dir_all("/a/b/c").unwrap();
    fs.create_dir_all("/a/b/c/").unwrap();
    fs.create_dir_all("/").unwrap();
    assert!(fs.is_dir("/a") && fs.is_dir("/a/b") && fs.is_dir("/a/b/c"));
    fs.write("/f", b"x").unwrap();
    let before = snapshot(fs);
    fails(
        fs.create_dir_all("/f"),
        AlreadyExists,
        Op::CreateDirAll,
        "/f",
    );
    fails(
        fs.create_dir_all("/f/x/y"),
        NotADirectory,
        Op::CreateDirAll,
        "/f/x/y",
    );
    assert_eq!(snapshot(fs), before);
}

/// `remove_dir` removes empty directories only.
pub fn remove_dir_semantics(fs: &dyn FileSystem) {
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/f", b"x").unwrap();
    fails(fs.remove_dir("/a"), DirectoryNotEmpty, Op::RemoveDir, "/a");
    fails(fs.remove_dir("/f"), NotADirectory, Op::RemoveDir, "/f");
    fails(fs.remove_dir("/nope"), NotFound, Op::RemoveDir, "/nope");
    fails(fs.remove_dir("/"), InvalidInput, Op::RemoveDir, "/");
    fs.remove_dir("/a/b").unwrap();
    fs.remove_dir("/a").unwrap();
    assert!(!fs.exists("/a"));
    assert!(fs.is_file("/f"));
}

/// `remove_dir_all` removes a whole tree and nothing else.
pub fn remove_dir_all_semantics(fs: &dyn FileSystem) {
    fs.create_dir_all("/build/out/deep").unwrap();
    fs.write("/build/out/app", b"binary").unwrap();
    fs.write("/build/out/deep/x", b"x").unwrap();
    fs.create_dir("/keep").unwrap();
    fs.write("/keep/f", b"kept").unwrap();
    fs.write("/buildfile", b"sibling with a common prefix")
        .unwrap();
    fs.remove_dir_all("/build").unwrap();
    assert!(!fs.exists("/build") && !fs.exists("/build/out/app"));
    assert_eq!(fs.read("/keep/f").unwrap(), b"kept");
    assert!(fs.is_file("/buildfile"));
    fails(
        fs.remove_dir_all("/buildfile"),
        NotADirectory,
        Op::RemoveDirAll,
        "/buildfile",
    );
    fails(
        fs.remove_dir_all("/build"),
        NotFound,
        Op::RemoveDirAll,
        "/build",
    );
    fails(fs.remove_dir_all("/"), InvalidInput, Op::RemoveDirAll, "/");
    fs.create_dir("/empty").unwrap();
    fs.remove_dir_all("/empty").unwrap();
    assert!(!fs.exists("/empty"));
}

/// `read_dir` lists the children only, sorted by name in byte order, with their metadata.
pub fn read_dir_is_sorted_with_metadata(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    for name in ["b.txt", "_under", "C", "ä", "a10", "a2"] {
        fs.write(&format!("/d/{name}"), name.as_bytes()).unwrap();
    }
    fs.create_dir("/d/sub").unwrap();
    fs.write("/d/sub/deeper", b"not listed").unwrap();
    assert_eq!(
        names(fs, "/d"),
        ["C", "_under", "a10", "a2", "b.txt", "sub", "ä"]
    );
    let entries = listing(fs, "/d");
    for entry in &entries {
        assert_eq!(entry.path(), format!("/d/{}", entry.file_name()));
        assert_eq!(entry.depth(), 1);
        if entry.file_name() == "sub" {
            assert!(entry.file_type().is_dir());
            assert_eq!(entry.metadata().len(), 0);
        } else {
            assert!(entry.file_type().is_file());
            assert_eq!(entry.metadata().len(), entry.file_name().len() as u64);
        }
    }
    fs.create_dir("/empty").unwrap();
    assert!(listing(fs, "/empty").is_empty());
    assert_eq!(names(fs, "/"), ["d", "empty"]);
    assert_eq!(names(fs, "d/"), names(fs, "/d"));
}

/// `read_dir` of a file, a missing path, through a file.
pub fn read_dir_errors(fs: &dyn FileSystem) {
    fs.write("/f", b"x").unwrap();
    fails(fs.read_dir("/f"), NotADirectory, Op::ReadDir, "/f");
    fails(fs.read_dir("/nope"), NotFound, Op::ReadDir, "/nope");
    fails(fs.read_dir("/f/x"), NotADirectory, Op::ReadDir, "/f/x");
}

/// `rename` of files: move, replace a file, onto itself; the Linux errors.
pub fn rename_files(fs: &dyn FileSystem) {
    fs.create_dir("/d").unwrap();
    fs.write("/a", b"A").unwrap();
    fs.rename("/a", "/b").unwrap();
    assert!(!fs.exists("/a"));
    assert_eq!(fs.read("/b").unwrap(), b"A");
    fs.write("/c", b"old C").unwrap();
    fs.rename("/b", "/c").unwrap();
    assert_eq!(fs.read("/c").unwrap(), b"A");
    assert!(!fs.exists("/b"));
    fs.rename("/c", "/c").unwrap();
    assert_eq!(fs.read("/c").unwrap(), b"A");
    fs.rename("/c", "/d/c").unwrap();
    assert_eq!(names(fs, "/d"), ["c"]);
    assert_eq!(names(fs, "/"), ["d"]);
}

/// `rename` of directories: contents travel, an empty directory is replaced, the root and
/// moves into itself are refused.
pub fn rename_directories(fs: &dyn FileSystem) {
    fs.create_dir_all("/src/sub").unwrap();
    fs.write("/src/sub/f", b"f").unwrap();
    fs.rename("/src", "/dst").unwrap();
    assert!(!fs.exists("/src"));
    assert_eq!(fs.read("/dst/sub/f").unwrap(), b"f");
    fs.create_dir("/empty").unwrap();
    fs.rename("/dst", "/empty").unwrap();
    assert_eq!(fs.read("/empty/sub/f").unwrap(), b"f");
    assert!(!fs.exists("/dst"));
    assert_eq!(
        walked(fs, "/"),
        ["/", "/empty", "/empty/sub", "/empty/sub/f"]
    );
}

/// Failed renames, with the kinds Linux gives; none changes anything.
pub fn failed_renames_change_nothing(fs: &dyn FileSystem) {
    fs.create_dir_all("/d/sub").unwrap();
    fs.write("/d/sub/f", b"f").unwrap();
    fs.create_dir("/full").unwrap();
    fs.write("/full/x", b"x").unwrap();
    fs.write("/file", b"file").unwrap();
    let before = snapshot(fs);
    let op = Op::Rename;
    fails2(fs.rename("/nope", "/x"), NotFound, op, "/nope", "/x");
    fails2(
        fs.rename("/file", "/nope/x"),
        NotFound,
        op,
        "/file",
        "/nope/x",
    );
    fails2(fs.rename("/file", "/d"), IsADirectory, op, "/file", "/d");
    fails2(fs.rename("/d", "/file"), NotADirectory, op, "/d", "/file");
    fails2(
        fs.rename("/d", "/full"),
        DirectoryNotEmpty,
        op,
        "/d",
        "/full",
    );
    fails2(
        fs.rename("/d", "/d/sub/in"),
        InvalidInput,
        op,
        "/d",
        "/d/sub/in",
    );
    fails2(
        fs.rename("/d/sub/f", "/d/sub"),
        DirectoryNotEmpty,
        op,
        "/d/sub/f",
        "/d/sub",
    );
    fails2(fs.rename("/", "/x"), InvalidInput, op, "/", "/x");
    fails2(fs.rename("/file", "/"), InvalidInput, op, "/file", "/");
    fails2(
        fs.rename("/file/x", "/y"),
        NotADirectory,
        op,
        "/file/x",
        "/y",
    );
    assert_eq!(snapshot(fs), before);
}

/// `copy_dir_all` copies a tree, empty directories included, to a new path.
pub fn copy_dir_all_semantics(fs: &dyn FileSystem) {
    fs.create_dir_all("/src/a/empty").unwrap();
    fs.write("/src/top", b"top").unwrap();
    fs.write("/src/a/inner", b"inner").unwrap();
    fs.create_dir("/dst").unwrap();
    fs.copy_dir_all("/src", "/dst/copy").unwrap();
    assert_eq!(
        walked(fs, "/dst/copy"),
        [
            "/dst/copy",
            "/dst/copy/a",
            "/dst/copy/a/empty",
            "/dst/copy/a/inner",
            "/dst/copy/top"
        ]
    );
    assert_eq!(fs.read("/dst/copy/a/inner").unwrap(), b"inner");
    assert_eq!(fs.read("/src/top").unwrap(), b"top");

    fs.write("/file", b"x").unwrap();
    let before = snapshot(fs);
    let op = Op::CopyDirAll;
    fails2(
        fs.copy_dir_all("/src", "/dst"),
        AlreadyExists,
        op,
        "/src",
        "/dst",
    );
    fails2(
        fs.copy_dir_all("/src", "/file"),
        AlreadyExists,
        op,
        "/src",
        "/file",
    );
    fails2(
        fs.copy_dir_all("/file", "/x"),
        NotADirectory,
        op,
        "/file",
        "/x",
    );
    fails2(fs.copy_dir_all("/nope", "/x"), NotFound, op, "/nope", "/x");
    // When both sides are wrong, the source is checked first (the root as destination
    // included: it once decided before the source on a MemFs, after it on an OsFs).
    fails2(fs.copy_dir_all("/nope", "/"), NotFound, op, "/nope", "/");
    fails2(
        fs.copy_dir_all("/file", "/"),
        NotADirectory,
        op,
        "/file",
        "/",
    );
    fails2(fs.copy_dir_all("/src", "/"), AlreadyExists, op, "/src", "/");
    fails2(
        fs.copy_dir_all("/file", "/dst"),
        NotADirectory,
        op,
        "/file",
        "/dst",
    );
    fails2(
        fs.copy_dir_all("/nope", "/dst"),
        NotFound,
        op,
        "/nope",
        "/dst",
    );
    fails2(
        fs.copy_dir_all("/src", "/nope/x"),
        NotFound,
        op,
        "/src",
        "/nope/x",
    );
    assert_eq!(snapshot(fs), before);
}

/// Copying a directory into itself copies what it held before the copy began.
pub fn copy_dir_all_into_itself(fs: &dyn FileSystem) {
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/a/b/f", b"f").unwrap();
    fs.copy_dir_all("/a", "/a/b/copy").unwrap();
    assert_eq!(
        walked(fs, "/a"),
        [
            "/a",
            "/a/b",
            "/a/b/copy",
            "/a/b/copy/b",
            "/a/b/copy/b/f",
            "/a/b/f"
        ]
    );
}
