//! Moving and copying: `rename` (std::fs::rename on Linux), `move_path` (D-MemFS `move`),
//! `copy` (std::fs::copy) and `copy_dir_all` (D-MemFS `copy_tree`), the last two in `copies`.

mod copies;

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};

use ErrorKind::{AlreadyExists, InvalidInput, IsADirectory, NotADirectory, NotFound, ResourceBusy};

use dmemfs_core::{MemFs, Op, Reason};
use dmemfs_test::{Tree, TreeEntry};

use crate::common::*;

/// Asserts that `result` failed with `kind` and `reason`.
#[track_caller]
fn fails<T: std::fmt::Debug>(result: io::Result<T>, kind: ErrorKind, reason: Reason) {
    expect_reason(result, kind, &reason);
}

fn component(path: &str) -> Reason {
    Reason::ComponentNotADirectory {
        component: path.into(),
    }
}

fn no_parent(parent: &str) -> Reason {
    Reason::ParentNotFound {
        parent: parent.into(),
    }
}

fn busy(open: &str) -> Reason {
    Reason::Busy { open: open.into() }
}

/// Every path below `dir`, relative to it, with file contents: the harness's `Tree` of `dir`
/// as data, so the trees of two directories compare equal when their contents do.
fn subtree(fs: &MemFs, dir: &str) -> BTreeMap<String, TreeEntry> {
    Tree::from_memfs(fs, dir).unwrap().to_snapshot().entries
}

/// A small tree below `/s`: nested dirs, an empty dir, files, one empty file.
fn seed(fs: &MemFs) {
    fs.create_dir_all("/s/a/b/c").unwrap();
    fs.create_dir_all("/s/empty").unwrap();
    fs.write("/s/top", "top").unwrap();
    fs.write("/s/a/mid.bin", [1, 2, 3, 4]).unwrap();
    fs.write("/s/a/b/c/deep", "deep down").unwrap();
    fs.write("/s/a/b/nothing", "").unwrap();
}

// ---------------------------------------------------------------- rename

#[test]
fn rename_keeps_contents_timestamps_and_generation() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "one").unwrap();
    fs.append("/f", " two").unwrap();
    let before = fs.metadata("/f").unwrap();
    assert!(before.generation() >= Some(2));
    fs.rename("/f", "/d/g").unwrap();
    assert!(!fs.exists("/f"));
    assert_eq!(fs.read("/d/g").unwrap(), b"one two");
    assert_eq!(
        fs.metadata("/d/g").unwrap(),
        before,
        "same node: created, modified, generation"
    );
    let dir_before = fs.metadata("/d").unwrap();
    fs.rename("/d", "/e").unwrap();
    assert_eq!(fs.metadata("/e").unwrap(), dir_before);
    assert_eq!(fs.stats().nodes, 3);
    assert_invariants(&fs);
}

#[test]
fn rename_file_over_file_replaces_it_and_releases_its_bytes() {
    let fs = MemFs::with_quota(1000);
    fs.write("/draft", [1; 100]).unwrap();
    fs.write("/final", [2; 300]).unwrap();
    let draft = fs.metadata("/draft").unwrap();
    assert_eq!(fs.stats().used, 400);
    fs.rename("/draft", "/final").unwrap();
    assert_eq!(fs.read("/final").unwrap(), [1; 100]);
    assert_eq!(fs.metadata("/final").unwrap(), draft);
    assert!(!fs.exists("/draft"));
    let s = fs.stats();
    assert_eq!((s.used, s.free, s.files, s.peak_used), (100, 900, 1, 400));
    assert_invariants(&fs);
}

#[test]
fn rename_dir_over_an_empty_dir_replaces_it() {
    let fs = MemFs::new();
    seed(&fs);
    fs.create_dir("/dst").unwrap();
    let expected = subtree(&fs, "/s");
    fs.rename("/s", "/dst").unwrap();
    assert_eq!(subtree(&fs, "/dst"), expected);
    assert!(!fs.exists("/s"));
    assert_eq!(fs.stats().dirs, 6, "the replaced directory is gone");
    assert_invariants(&fs);
}

#[test]
fn rename_type_and_emptiness_conflicts_change_nothing() {
    let fs = MemFs::new();
    seed(&fs);
    fs.create_dir("/emptydir").unwrap();
    fs.create_dir_all("/full/x").unwrap();
    fs.write("/file", "f").unwrap();
    let before = snapshot(&fs);

    let err = expect_err(fs.rename("/s", "/full"), ErrorKind::DirectoryNotEmpty);
    assert_eq!(
        err.to_string(),
        "rename `/s` to `/full`: directory not empty"
    );
    assert_eq!(
        (err.op(), err.path(), err.target()),
        (Op::Rename, "/s", Some("/full"))
    );
    for (from, to, kind, reason) in [
        ("/file", "/emptydir", IsADirectory, Reason::IsADirectory),
        ("/file", "/full", IsADirectory, Reason::IsADirectory),
        ("/s", "/file", NotADirectory, Reason::NotADirectory),
        ("/emptydir", "/file", NotADirectory, Reason::NotADirectory),
        // Onto its own (non-empty) parent, as Linux: ENOTEMPTY.
        (
            "/s/a/b",
            "/s/a",
            ErrorKind::DirectoryNotEmpty,
            Reason::DirectoryNotEmpty,
        ),
    ] {
        fails(fs.rename(from, to), kind, reason);
    }
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn rename_onto_itself_is_a_no_op() {
    let fs = test_fs(1 << 20);
    seed(&fs);
    let before = snapshot(&fs);
    let meta = fs.metadata("/s/top").unwrap();
    fs.rename("/s/top", "/s/top").unwrap();
    fs.rename("s/top", "/s//./top/").unwrap();
    fs.rename("/s", "/s").unwrap();
    let handle = fs.open("/s/top").unwrap();
    fs.rename("/s/top", "/s/top").unwrap();
    drop(handle);
    assert_eq!(snapshot(&fs), before);
    assert_eq!(fs.metadata("/s/top").unwrap(), meta);
    // Still, the source must exist.
    fails(fs.rename("/nope", "/nope"), NotFound, Reason::NotFound);
}

#[test]
fn rename_missing_paths() {
    let fs = MemFs::new();
    seed(&fs);
    let before = snapshot(&fs);
    let err = expect_err(fs.rename("/s/top", "/no/parent/x"), NotFound);
    assert_eq!(err.reason(), &no_parent("/no/parent"));
    assert_eq!((err.path(), err.target()), ("/s/top", Some("/no/parent/x")));
    for (from, to, kind, reason) in [
        ("/nope", "/x", NotFound, Reason::NotFound),
        // Like the kernel, parents are resolved before the source itself.
        ("/nope/deeper", "/x", NotFound, no_parent("/nope")),
        ("/s/a", "/missing/a", NotFound, no_parent("/missing")),
        // A file in the middle of either path.
        ("/s/a", "/s/top/a", NotADirectory, component("/s/top")),
        ("/s/top/x", "/y", NotADirectory, component("/s/top")),
    ] {
        fails(fs.rename(from, to), kind, reason);
    }
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn rename_into_own_subtree_and_root_are_invalid() {
    let fs = MemFs::new();
    seed(&fs);
    let before = snapshot(&fs);
    for (from, to) in [
        ("/s", "/s/a/inside"),
        ("/s", "/s/new"),
        ("/s/a", "/s/a/b/c/d"),
        ("/", "/x"),
        ("", "/x"),
        ("/s/top", "/"),
        ("/s", "/.."),
    ] {
        expect_err(fs.rename(from, to), InvalidInput);
    }
    assert_eq!(snapshot(&fs), before);
    // A sibling whose name merely starts with the source's is not inside it.
    fs.rename("/s", "/s2").unwrap();
    assert!(fs.is_file("/s2/a/b/c/deep"));
}

#[test]
fn rename_error_with_invalid_destination_names_both_paths() {
    let fs = MemFs::new();
    fs.write("/a", "x").unwrap();
    let err = expect_err(fs.rename("/a", "/../b"), InvalidInput);
    assert_eq!((err.path(), err.target()), ("/a", Some("/../b")));
    let err = expect_err(fs.copy("/a", "/../b"), InvalidInput);
    assert_eq!((err.path(), err.target()), ("/a", Some("/../b")));
}

#[test]
fn rename_refuses_open_files() {
    let fs = test_fs(1 << 20);
    seed(&fs);
    fs.write("/dst", "old").unwrap();
    let before = snapshot(&fs);

    let deep = fs.open("/s/a/b/c/deep").unwrap();
    fails(
        fs.rename("/s", "/moved"),
        ResourceBusy,
        busy("/s/a/b/c/deep"),
    );
    fails(
        fs.rename("/s/a", "/s/empty"),
        ResourceBusy,
        busy("/s/a/b/c/deep"),
    );
    expect_err(fs.rename("/s/a/b/c/deep", "/x"), ResourceBusy);
    drop(deep);

    let writer = fs.options().write(true).open("/s/top").unwrap();
    fails(fs.rename("/s/top", "/x"), ResourceBusy, busy("/s/top"));
    drop(writer);

    let dst = fs.open("/dst").unwrap();
    fails(fs.rename("/s/top", "/dst"), ResourceBusy, busy("/dst"));
    drop(dst);
    assert_eq!(snapshot(&fs), before);
    fs.rename("/s/top", "/dst").unwrap();
    assert_eq!(fs.read("/dst").unwrap(), b"top");
}

#[test]
fn rename_rewrites_every_path_of_the_subtree() {
    let fs = MemFs::new();
    seed(&fs);
    fs.create_dir("/z").unwrap();
    let expected = subtree(&fs, "/s");
    let stats = fs.stats();
    fs.rename("/s", "/z/moved").unwrap();
    assert_eq!(subtree(&fs, "/z/moved"), expected);
    for old in ["/s", "/s/a", "/s/a/b/c", "/s/a/b/c/deep", "/s/empty"] {
        assert!(!fs.exists(old), "{old} still resolves");
    }
    assert_eq!(fs.read("/z/moved/a/b/c/deep").unwrap(), b"deep down");
    assert!(fs.is_dir("/z/moved/empty"));
    assert_eq!(fs.glob("/s/**").unwrap(), Vec::<String>::new());
    let listed: Vec<_> = fs
        .read_dir("/z/moved/a/b")
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    let listed: Vec<&str> = listed.iter().map(|e| e.path()).collect();
    assert_eq!(listed, ["/z/moved/a/b/c", "/z/moved/a/b/nothing"]);
    let walked: Vec<_> = fs.walk("/z").unwrap().map(|e| e.unwrap()).collect();
    assert_eq!(walked.len(), 10);
    assert!(walked.iter().all(|e| e.path().starts_with("/z")));
    let after = fs.stats();
    assert_eq!(
        (after.files, after.dirs, after.used),
        (stats.files, stats.dirs, stats.used)
    );
    // The old name is free again and the moved tree keeps working.
    fs.create_dir("/s").unwrap();
    fs.write("/z/moved/a/b/c/more", "m").unwrap();
    fs.rename("/z/moved/a", "/s/a").unwrap();
    assert_eq!(fs.read("/s/a/b/c/more").unwrap(), b"m");
    assert_invariants(&fs);
}

/// rename(2): "oldpath is a directory, and newpath exists but is not a directory" is ENOTDIR.
/// MemFs silently replaces the link with the directory (rename_normalized's
/// `(_, Some(_)) => {}` arm lets (dir, symlink) through).
#[test]
fn renaming_a_directory_onto_a_symlink_is_not_a_directory() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.create_dir("/target").unwrap();
    fs.symlink("/target", "/l").unwrap();
    let err = fs.rename("/d", "/l").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotADirectory);
    assert!(fs.symlink_metadata("/l").unwrap().file_type().is_symlink());
    assert!(fs.is_dir("/d"));
}

// ---------------------------------------------------------------- move_path

#[test]
fn move_path_creates_missing_parents() {
    let fs = MemFs::new();
    seed(&fs);
    let expected = subtree(&fs, "/s/a");
    let meta = fs.metadata("/s/top").unwrap();
    let to = "/archive/2026/q1/top";
    fs.move_path("/s/top", to).unwrap();
    assert_eq!(fs.metadata(to).unwrap(), meta);
    assert_eq!(fs.read(to).unwrap(), b"top");
    fs.move_path("s/a", "archive/2026/a").unwrap();
    assert_eq!(subtree(&fs, "/archive/2026/a"), expected);
    assert!(!fs.exists("/s/top") && !fs.exists("/s/a"));
    // root; s, empty; archive, 2026, q1; a, b, c
    assert_eq!(fs.stats().dirs, 1 + 2 + 3 + 3);
    assert_invariants(&fs);
}

#[test]
fn move_path_never_replaces_anything() {
    let fs = test_fs(1 << 20);
    seed(&fs);
    fs.create_dir("/emptydir").unwrap();
    let before = snapshot(&fs);
    let err = expect_err(fs.move_path("/s/top", "/s/a/mid.bin"), AlreadyExists);
    let expected = (Op::Move, "/s/top", Some("/s/a/mid.bin"));
    assert_eq!((err.op(), err.path(), err.target()), expected);
    for (from, to) in [
        ("/s/top", "/emptydir"),
        ("/s/empty", "/emptydir"),
        ("/s/top", "/s/top"),
        ("/s", "s/"),
    ] {
        fails(fs.move_path(from, to), AlreadyExists, Reason::AlreadyExists);
    }
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn move_path_invalid_and_missing() {
    let fs = test_fs(1 << 20);
    seed(&fs);
    let before = snapshot(&fs);
    for (from, to) in [
        ("/s", "/s/a/b/new"),
        ("/s", "/s/x/y"),
        ("/", "/x"),
        ("/s/top", "/"),
    ] {
        expect_err(fs.move_path(from, to), InvalidInput);
    }
    for (from, to, kind, reason) in [
        ("/nope", "/x", NotFound, Reason::NotFound),
        ("/s/a", "/s/top/a", NotADirectory, component("/s/top")),
        (
            "/s/a",
            "/s/top/deeper/a",
            NotADirectory,
            component("/s/top"),
        ),
    ] {
        fails(fs.move_path(from, to), kind, reason);
    }
    let handle = fs.open("/s/a/mid.bin").unwrap();
    fails(
        fs.move_path("/s", "/elsewhere/s"),
        ResourceBusy,
        busy("/s/a/mid.bin"),
    );
    drop(handle);
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn move_path_is_atomic_under_the_node_limit() {
    let fs = MemFs::builder().max_nodes(6).build().unwrap();
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "payload").unwrap();
    // root, d, f = 3 nodes of 6: three new parents fit, four do not.
    let before = snapshot(&fs);
    let err = expect_err(fs.move_path("/d/f", "/w/x/y/z/f"), ErrorKind::QuotaExceeded);
    assert_eq!(
        err.reason(),
        &Reason::NodeLimit {
            requested: 4,
            current: 3,
            limit: 6
        }
    );
    assert_eq!(snapshot(&fs), before, "no parent left behind");
    fs.move_path("/d/f", "/x/y/z/f").unwrap();
    assert_eq!(fs.read("/x/y/z/f").unwrap(), b"payload");
    assert_eq!(fs.stats().nodes, 6);
    // Moving needs no node of its own.
    fs.move_path("/x/y/z/f", "/d/f").unwrap();
    assert_invariants(&fs);
}

/// A D-MemFS bug (fixed here): renaming or moving a directory into itself made an unreachable cycle that leaked
/// nodes and quota.
#[test]
fn bug03_no_move_into_own_subtree() {
    let fs = test_fs(1 << 20);
    fs.create_dir_all("/a/sub").unwrap();
    fs.write("/a/sub/f", [1; 10]).unwrap();
    let before = snapshot(&fs);
    expect_err(fs.rename("/a", "/a/b"), ErrorKind::InvalidInput);
    expect_err(fs.move_path("/a", "/a/sub/x"), ErrorKind::InvalidInput);
    expect_err(fs.move_path("/a", "/a/new/deeper"), ErrorKind::InvalidInput);
    assert_eq!(
        snapshot(&fs),
        before,
        "no parents created, nothing orphaned"
    );
    assert_invariants(&fs);
}

/// A D-MemFS bug (fixed here): `move` to a path whose parent is a file failed an internal assertion.
#[test]
fn bug04_move_under_a_file_is_not_a_directory() {
    let fs = test_fs(1 << 20);
    fs.create_dir("/a").unwrap();
    fs.write("/f", "x").unwrap();
    let component = Reason::ComponentNotADirectory {
        component: "/f".into(),
    };
    expect_reason(
        fs.move_path("/a", "/f/x"),
        ErrorKind::NotADirectory,
        &component,
    );
    expect_reason(
        fs.move_path("/a", "/f/x/y"),
        ErrorKind::NotADirectory,
        &component,
    );
    assert!(fs.is_dir("/a"));
}

#[test]
fn move_path_below_a_link_to_a_file_is_not_a_directory() {
    let fs = MemFs::new();
    fs.write("/f", "x").unwrap();
    fs.write("/src", "s").unwrap();
    fs.symlink("/f", "/lf").unwrap();
    assert_eq!(
        fs.move_path("/src", "/f/x").unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    let err = fs.move_path("/src", "/lf/x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotADirectory, "{err}");
}
