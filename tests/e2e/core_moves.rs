//! Moving and copying: `rename` (std::fs::rename on Linux), `move_path` (D-MemFS `move`),
//! `copy` (std::fs::copy) and `copy_dir_all` (D-MemFS `copy_tree`).

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};

use ErrorKind::{AlreadyExists, InvalidInput, IsADirectory, NotADirectory, NotFound, ResourceBusy};

use dmemfs_core::{MemFs, Op, Reason};

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

/// Every path at or below `dir`, rewritten relative to it, with file contents.
fn subtree(fs: &MemFs, dir: &str) -> BTreeMap<String, Option<Vec<u8>>> {
    let base = if dir == "/" { 0 } else { dir.len() };
    snapshot(fs)
        .entries
        .into_iter()
        .filter(|(path, _)| dir == "/" || path == dir || path.starts_with(&format!("{dir}/")))
        .map(|(path, contents)| {
            let relative = if path == dir { "" } else { &path[base..] };
            (relative.to_owned(), contents)
        })
        .collect()
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
    assert!(before.generation() >= 2);
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

// ---------------------------------------------------------------- copy

#[test]
fn copy_creates_an_independent_file_and_returns_its_length() {
    let fs = test_fs(1000);
    fs.write("/a", "original").unwrap();
    fs.append("/a", "!").unwrap();
    assert_eq!(fs.copy("/a", "/b").unwrap(), 9);
    assert_eq!(fs.read("/b").unwrap(), b"original!");
    let (a, b) = (fs.metadata("/a").unwrap(), fs.metadata("/b").unwrap());
    assert_eq!((a.generation(), b.generation()), (2, 1));
    assert!(b.created().unwrap() >= a.created().unwrap());
    assert_eq!(fs.stats().used, 18);

    fs.append("/b", " copy").unwrap();
    let writer = fs.options().write(true).open("/a").unwrap();
    writer.write_all_at(b"O", 0).unwrap();
    drop(writer);
    assert_eq!(fs.read("/a").unwrap(), b"Original!");
    assert_eq!(fs.read("/b").unwrap(), b"original! copy");

    fs.write("/empty", "").unwrap();
    assert_eq!(fs.copy("/empty", "/empty2").unwrap(), 0);
    let empty = fs.metadata("/empty2").unwrap();
    assert_eq!((empty.len(), empty.generation()), (0, 0));
    assert_invariants(&fs);
}

#[test]
fn copy_replaces_the_destination_and_settles_the_quota() {
    let fs = MemFs::with_quota(1000);
    fs.write("/small", [1; 100]).unwrap();
    fs.write("/big", [2; 500]).unwrap();
    assert_eq!(fs.copy("/small", "/big").unwrap(), 100);
    assert_eq!(fs.read("/big").unwrap(), [1; 100]);
    assert_eq!(fs.stats().used, 200);
    fs.write("/big", [3; 500]).unwrap();
    assert_eq!(fs.copy("/big", "/small").unwrap(), 500);
    assert_eq!(fs.stats().used, 1000);
    assert_eq!(fs.stats().files, 2);
    assert_invariants(&fs);
}

#[test]
fn copy_that_does_not_fit_changes_nothing() {
    let fs = MemFs::with_quota(1000);
    fs.write("/s", [1; 400]).unwrap();
    fs.write("/dst", [2; 100]).unwrap();
    fs.write("/fill", [3; 300]).unwrap();
    let before = snapshot(&fs);
    let full = Reason::QuotaExceeded {
        requested: 400,
        available: 200,
        quota: 1000,
    };
    fails(fs.copy("/s", "/new"), ErrorKind::StorageFull, full);
    // Replacing /dst needs 300 more, only 200 are free: /dst keeps its bytes.
    let full = Reason::QuotaExceeded {
        requested: 300,
        available: 200,
        quota: 1000,
    };
    fails(fs.copy("/s", "/dst"), ErrorKind::StorageFull, full);
    assert_eq!(snapshot(&fs), before);
    fs.remove_file("/fill").unwrap();
    fs.copy("/s", "/dst").unwrap();
    assert_eq!(fs.stats().used, 800);
}

#[test]
fn copy_errors_change_nothing() {
    let fs = test_fs(1 << 20);
    seed(&fs);
    let before = snapshot(&fs);
    let err = expect_err(fs.copy("/s/top", "s/top"), InvalidInput);
    let expected = (Op::Copy, "/s/top", Some("s/top"));
    assert_eq!((err.op(), err.path(), err.target()), expected);
    for (from, to, kind, reason) in [
        ("/s/a", "/x", IsADirectory, Reason::IsADirectory),
        ("/", "/x", IsADirectory, Reason::IsADirectory),
        ("/s/top", "/s/a", IsADirectory, Reason::IsADirectory),
        ("/s/top", "/s/empty", IsADirectory, Reason::IsADirectory),
        ("/s/top", "/nope/x", NotFound, no_parent("/nope")),
        ("/s/nope", "/x", NotFound, Reason::NotFound),
        ("/s/top", "/s/top/x", NotADirectory, component("/s/top")),
        // The same path: what is (or is not) there decides before "same file" does.
        ("/s/nope", "s/nope/", NotFound, Reason::NotFound),
        ("/s/a", "/s/a", IsADirectory, Reason::IsADirectory),
    ] {
        fails(fs.copy(from, to), kind, reason);
    }
    expect_err(fs.copy("/s/top", "/"), InvalidInput);
    // A writer on either file holds it beyond the lock timeout.
    let writer = fs.options().write(true).open("/s/a/mid.bin").unwrap();
    expect_err(fs.copy("/s/top", "/s/a/mid.bin"), ErrorKind::WouldBlock);
    expect_err(fs.copy("/s/a/mid.bin", "/x"), ErrorKind::WouldBlock);
    drop(writer);
    // A reader on the source does not hinder a copy.
    let reader = fs.open("/s/top").unwrap();
    assert_eq!(snapshot(&fs), before);
    assert_eq!(fs.copy("/s/top", "/x").unwrap(), 3);
    drop(reader);
}

#[test]
fn copy_respects_the_node_limit() {
    let fs = MemFs::builder().max_nodes(2).build().unwrap();
    fs.write("/a", "x").unwrap();
    let limit = Reason::NodeLimit {
        requested: 1,
        current: 2,
        limit: 2,
    };
    fails(fs.copy("/a", "/b"), ErrorKind::QuotaExceeded, limit);
    assert!(!fs.exists("/b"));
    assert_eq!(fs.stats().used, 1);
}

// ---------------------------------------------------------------- copy_dir_all

#[test]
fn copy_dir_all_copies_everything_including_empty_dirs() {
    let fs = MemFs::with_quota(1000);
    seed(&fs);
    let before = fs.stats();
    fs.create_dir("/backups").unwrap();
    fs.copy_dir_all("/s", "/backups/s").unwrap();
    assert_eq!(subtree(&fs, "/backups/s"), subtree(&fs, "/s"));
    assert!(fs.is_dir("/backups/s/empty"));
    let s = fs.stats();
    assert_eq!(
        s.used,
        2 * before.used,
        "charged exactly the sum of file lengths"
    );
    assert_eq!((s.files, s.dirs), (2 * before.files, 2 * before.dirs));
    for copy in ["/backups/s/top", "/backups/s/a/b/c/deep"] {
        assert_eq!(fs.metadata(copy).unwrap().generation(), 0);
    }
    assert_invariants(&fs);
}

#[test]
fn copy_dir_all_copies_are_independent() {
    let fs = MemFs::new();
    seed(&fs);
    fs.copy_dir_all("/s", "/dup").unwrap();
    fs.write("/dup/top", "changed").unwrap();
    fs.remove_dir_all("/dup/a/b").unwrap();
    fs.append("/s/a/mid.bin", [5]).unwrap();
    assert_eq!(fs.read("/s/top").unwrap(), b"top");
    assert_eq!(fs.read("/s/a/b/c/deep").unwrap(), b"deep down");
    assert_eq!(fs.read("/dup/a/mid.bin").unwrap(), [1, 2, 3, 4]);
    assert!(!fs.exists("/dup/a/b") && fs.is_dir("/s/a/b"));
    assert_invariants(&fs);
}

#[test]
fn copy_dir_all_errors_change_nothing() {
    let fs = test_fs(1 << 20);
    seed(&fs);
    fs.create_dir("/exists").unwrap();
    let before = snapshot(&fs);
    let err = expect_err(fs.copy_dir_all("/s", "/exists"), AlreadyExists);
    let expected = (Op::CopyDirAll, "/s", Some("/exists"));
    assert_eq!((err.op(), err.path(), err.target()), expected);
    for (from, to, kind, reason) in [
        ("/s", "/s/top", AlreadyExists, Reason::AlreadyExists),
        ("/s", "/s", AlreadyExists, Reason::AlreadyExists),
        ("/s", "/", AlreadyExists, Reason::AlreadyExists),
        ("/s", "/no/dst", NotFound, no_parent("/no")),
        ("/s/top", "/x", NotADirectory, Reason::NotADirectory),
        ("/nope", "/x", NotFound, Reason::NotFound),
        ("/s", "/s/top/x", NotADirectory, component("/s/top")),
    ] {
        fails(fs.copy_dir_all(from, to), kind, reason);
    }
    let writer = fs.options().write(true).open("/s/a/mid.bin").unwrap();
    expect_err(fs.copy_dir_all("/s", "/copy"), ErrorKind::WouldBlock);
    drop(writer);
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn copy_dir_all_checks_quota_and_node_limit_up_front() {
    let fs = MemFs::builder().quota(32).max_nodes(18).build().unwrap();
    seed(&fs); // 16 bytes; 6 dirs + 4 files = 10 nodes (root included)
    // Only the node limit is short: the copy needs 9 nodes (and 16 of the 16 free bytes).
    let before = snapshot(&fs);
    let limit = Reason::NodeLimit {
        requested: 9,
        current: 10,
        limit: 18,
    };
    fails(fs.copy_dir_all("/s", "/c"), ErrorKind::QuotaExceeded, limit);
    assert_eq!(snapshot(&fs), before);
    // Only the quota is short: 10 nodes, the copy needs 8; 15 bytes free.
    fs.remove_dir("/s/empty").unwrap();
    fs.write("/pad", "p").unwrap();
    let before = snapshot(&fs);
    let full = Reason::QuotaExceeded {
        requested: 16,
        available: 15,
        quota: 32,
    };
    fails(fs.copy_dir_all("/s", "/c"), ErrorKind::StorageFull, full);
    assert_eq!(snapshot(&fs), before);
    fs.remove_file("/s/top").unwrap(); // 13 bytes below /s, 9 nodes
    fs.copy_dir_all("/s", "/c").unwrap();
    let s = fs.stats();
    assert_eq!((s.nodes, s.used, s.free), (16, 27, 5));
    assert_invariants(&fs);
}

#[test]
fn copy_dir_all_into_its_own_subtree_copies_what_was_there() {
    let fs = MemFs::new();
    seed(&fs);
    let expected = subtree(&fs, "/s");
    fs.copy_dir_all("/s", "/s/a/snapshot").unwrap();
    assert_eq!(subtree(&fs, "/s/a/snapshot"), expected);
    assert!(!fs.exists("/s/a/snapshot/a/snapshot"));
    assert_invariants(&fs);
}

#[test]
fn copy_dir_all_of_the_root() {
    let fs = MemFs::new();
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/a/f", "1").unwrap();
    fs.write("/g", "22").unwrap();
    let expected = subtree(&fs, "/");
    fs.copy_dir_all("/", "/r").unwrap();
    assert_eq!(subtree(&fs, "/r"), expected);
    assert!(!fs.exists("/ra") && !fs.exists("/rg"));
    assert_eq!(fs.stats().used, 6);
    assert_invariants(&fs);
}
