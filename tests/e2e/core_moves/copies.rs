//! `copy` (std::fs::copy) and `copy_dir_all` (D-MemFS `copy_tree`).

use super::*;

// ---------------------------------------------------------------- copy

#[test]
fn copy_creates_an_independent_file_and_returns_its_length() {
    let fs = test_fs(1000);
    fs.write("/a", "original").unwrap();
    fs.append("/a", "!").unwrap();
    assert_eq!(fs.copy("/a", "/b").unwrap(), 9);
    assert_eq!(fs.read("/b").unwrap(), b"original!");
    let (a, b) = (fs.metadata("/a").unwrap(), fs.metadata("/b").unwrap());
    assert_eq!((a.generation(), b.generation()), (Some(2), Some(1)));
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
    assert_eq!((empty.len(), empty.generation()), (0, Some(0)));
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
        assert_eq!(fs.metadata(copy).unwrap().generation(), Some(0));
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
