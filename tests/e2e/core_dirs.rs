//! Directories: `create_dir`, `create_dir_all`, `remove_dir`, `remove_dir_all`, `read_dir`,
//! with the node limit and the directory/file counts of `stats`.

use std::io::ErrorKind;

use dmemfs_core::{FileType, MemFs, Op, Reason};

use crate::common::*;

fn names(fs: &MemFs, dir: &str) -> Vec<String> {
    fs.read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_owned())
        .collect()
}

fn component(path: &str) -> Reason {
    Reason::ComponentNotADirectory {
        component: path.to_owned(),
    }
}

#[test]
fn create_dir_creates_one_directory_under_an_existing_parent() {
    let fs = MemFs::new();
    fs.create_dir("/a").unwrap();
    fs.create_dir("a/b").unwrap(); // relative: rooted
    fs.create_dir("/a/b/c/").unwrap(); // trailing slash dropped
    assert!(fs.is_dir("/a") && fs.is_dir("/a/b") && fs.is_dir("/a/b/c"));
    assert_eq!(names(&fs, "/a/b"), ["c"]);
    let meta = fs.metadata("/a/b/c").unwrap();
    assert!(meta.is_dir() && !meta.is_file());
    assert_eq!((meta.len(), meta.generation()), (0, Some(0)));
    let stats = fs.stats();
    assert_eq!(
        (stats.dirs, stats.files, stats.nodes, stats.used),
        (4, 0, 4, 0)
    );
    assert_invariants(&fs);
}

#[test]
fn create_dir_errors_change_nothing() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap();
    let before = snapshot(&fs);

    let err = expect_err(fs.create_dir("/d"), ErrorKind::AlreadyExists);
    assert_eq!(
        (err.op(), err.path(), err.reason()),
        (Op::CreateDir, "/d", &Reason::AlreadyExists)
    );
    expect_reason(
        fs.create_dir("/f"),
        ErrorKind::AlreadyExists,
        &Reason::AlreadyExists,
    );
    let err = expect_err(fs.create_dir("/missing/x"), ErrorKind::NotFound);
    assert_eq!(
        err.reason(),
        &Reason::ParentNotFound {
            parent: "/missing".into()
        }
    );
    assert_eq!(err.path(), "/missing/x");
    expect_reason(
        fs.create_dir("/no/such/deep"),
        ErrorKind::NotFound,
        &Reason::ParentNotFound {
            parent: "/no/such".into(),
        },
    );
    expect_reason(
        fs.create_dir("/f/x"),
        ErrorKind::NotADirectory,
        &component("/f"),
    );
    expect_reason(
        fs.create_dir("/f/x/y"),
        ErrorKind::NotADirectory,
        &component("/f"),
    );
    for root in ["/", "", ".", "//", "/a/.."] {
        let err = expect_err(fs.create_dir(root), ErrorKind::InvalidInput);
        assert_eq!(err.path(), root, "the path is reported as written");
    }
    expect_err(fs.create_dir("/.."), ErrorKind::InvalidInput);
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn names_are_case_sensitive() {
    let fs = MemFs::new();
    fs.create_dir("/Data").unwrap();
    fs.create_dir("/data").unwrap();
    fs.create_dir("/DATA").unwrap();
    assert_eq!(names(&fs, "/"), ["DATA", "Data", "data"]);
}

#[test]
fn create_dir_all_creates_missing_parents_and_is_idempotent() {
    let fs = MemFs::new();
    fs.create_dir_all("/a/b/c").unwrap();
    assert_eq!(fs.stats().dirs, 4);
    fs.create_dir_all("/a/b/c").unwrap();
    fs.create_dir_all("a\\b\\c\\").unwrap();
    fs.create_dir_all("/").unwrap();
    fs.create_dir_all("").unwrap();
    assert_eq!(fs.stats().dirs, 4, "nothing new on repeated calls");
    fs.create_dir_all("/a/x/../b/d").unwrap();
    assert_eq!(names(&fs, "/a/b"), ["c", "d"]);
    assert!(!fs.exists("/a/x"));
    assert_eq!(fs.stats().dirs, 5);
    assert_invariants(&fs);
}

#[test]
fn create_dir_all_meets_files() {
    let fs = MemFs::new();
    fs.create_dir_all("/a").unwrap();
    fs.write("/a/f", "data").unwrap();
    let before = snapshot(&fs);
    let err = expect_err(fs.create_dir_all("/a/f"), ErrorKind::AlreadyExists);
    assert_eq!(
        (err.op(), err.reason()),
        (Op::CreateDirAll, &Reason::AlreadyExists)
    );
    expect_reason(
        fs.create_dir_all("/a/f/g/h"),
        ErrorKind::NotADirectory,
        &component("/a/f"),
    );
    expect_reason(
        fs.create_dir_all("/a/f/g"),
        ErrorKind::NotADirectory,
        &component("/a/f"),
    );
    expect_err(fs.create_dir_all("/../a"), ErrorKind::InvalidInput);
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn create_dir_all_is_atomic_under_the_node_limit() {
    let fs = MemFs::builder().max_nodes(4).build().unwrap();
    fs.create_dir("/a").unwrap();
    let before = snapshot(&fs);
    // root + a = 2 nodes; /a/b/c/d needs 3 more.
    let err = expect_err(fs.create_dir_all("/a/b/c/d"), ErrorKind::QuotaExceeded);
    assert_eq!(
        err.reason(),
        &Reason::NodeLimit {
            requested: 3,
            current: 2,
            limit: 4
        }
    );
    assert_eq!(snapshot(&fs), before, "no half-created chain");
    fs.create_dir_all("/a/b/c").unwrap();
    assert_eq!(fs.stats().nodes, 4);
    expect_reason(
        fs.create_dir("/a/z"),
        ErrorKind::QuotaExceeded,
        &Reason::NodeLimit {
            requested: 1,
            current: 4,
            limit: 4,
        },
    );
    // Existing directories cost nothing.
    fs.create_dir_all("/a/b/c").unwrap();
    // Removing frees nodes again.
    fs.remove_dir("/a/b/c").unwrap();
    fs.create_dir("/a/z").unwrap();
    assert_eq!(fs.stats().nodes, 4);
    assert_invariants(&fs);
}

#[test]
fn remove_dir_removes_only_empty_directories() {
    let fs = MemFs::new();
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/a/f", "x").unwrap();
    fs.create_dir("/empty").unwrap();
    let before = snapshot(&fs);

    expect_reason(
        fs.remove_dir("/a"),
        ErrorKind::DirectoryNotEmpty,
        &Reason::DirectoryNotEmpty,
    );
    let err = expect_err(fs.remove_dir("/a/f"), ErrorKind::NotADirectory);
    assert_eq!(
        (err.op(), err.path(), err.reason()),
        (Op::RemoveDir, "/a/f", &Reason::NotADirectory)
    );
    expect_reason(
        fs.remove_dir("/a/nope"),
        ErrorKind::NotFound,
        &Reason::NotFound,
    );
    expect_reason(
        fs.remove_dir("/nope/x"),
        ErrorKind::NotFound,
        &Reason::NotFound,
    );
    expect_reason(
        fs.remove_dir("/a/f/x"),
        ErrorKind::NotADirectory,
        &component("/a/f"),
    );
    for root in ["/", "", "/a/.."] {
        expect_err(fs.remove_dir(root), ErrorKind::InvalidInput);
    }
    assert_eq!(snapshot(&fs), before);

    fs.remove_dir("/empty/").unwrap();
    fs.remove_dir("a/b").unwrap();
    assert_eq!(names(&fs, "/"), ["a"]);
    assert_eq!(names(&fs, "/a"), ["f"]);
    assert_eq!((fs.stats().dirs, fs.stats().files), (2, 1));
    assert_invariants(&fs);
}

#[test]
fn remove_dir_all_removes_the_subtree_and_releases_the_quota() {
    let fs = MemFs::with_quota(1000);
    fs.create_dir_all("/keep").unwrap();
    fs.write("/keep/k", [7; 100]).unwrap();
    fs.create_dir_all("/build/out/deep/er").unwrap();
    fs.write("/build/a", [1; 300]).unwrap();
    fs.write("/build/out/b", [2; 200]).unwrap();
    fs.write("/build/out/deep/er/c", [3; 250]).unwrap();
    fs.write("/build/out/empty", "").unwrap();
    assert_eq!(fs.stats().used, 850);
    assert_eq!((fs.stats().dirs, fs.stats().files), (6, 5));

    fs.remove_dir_all("/build").unwrap();
    assert!(!fs.exists("/build") && !fs.exists("/build/out/deep/er/c"));
    let stats = fs.stats();
    assert_eq!((stats.used, stats.free, stats.peak_used), (100, 900, 850));
    assert_eq!((stats.dirs, stats.files, stats.nodes), (2, 1, 3));
    assert_eq!(names(&fs, "/"), ["keep"]);
    // The bytes are really free again.
    fs.write("/big", [9; 900]).unwrap();
    assert_invariants(&fs);
}

#[test]
fn remove_dir_all_of_an_empty_directory_and_errors() {
    let fs = MemFs::new();
    fs.create_dir("/e").unwrap();
    fs.remove_dir_all("/e").unwrap();
    assert!(!fs.exists("/e"));

    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "x").unwrap();
    let before = snapshot(&fs);
    let err = expect_err(fs.remove_dir_all("/d/f"), ErrorKind::NotADirectory);
    assert_eq!(
        (err.op(), err.reason()),
        (Op::RemoveDirAll, &Reason::NotADirectory)
    );
    expect_reason(
        fs.remove_dir_all("/nope"),
        ErrorKind::NotFound,
        &Reason::NotFound,
    );
    expect_reason(
        fs.remove_dir_all("/d/f/x"),
        ErrorKind::NotADirectory,
        &component("/d/f"),
    );
    for root in ["/", "", "\\", "/d/.."] {
        expect_err(fs.remove_dir_all(root), ErrorKind::InvalidInput);
    }
    expect_err(fs.remove_dir_all("/.."), ErrorKind::InvalidInput);
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn remove_dir_all_with_an_open_file_inside_removes_nothing() {
    let fs = test_fs(1 << 20);
    fs.create_dir_all("/t/a/b").unwrap();
    fs.write("/t/a/first", "1").unwrap();
    fs.write("/t/a/b/open", "2").unwrap();
    fs.write("/t/z", "3").unwrap();
    let before = snapshot(&fs);

    let reader = fs.open("/t/a/b/open").unwrap();
    let err = expect_err(fs.remove_dir_all("/t"), ErrorKind::ResourceBusy);
    assert_eq!(
        err.reason(),
        &Reason::Busy {
            open: "/t/a/b/open".into()
        }
    );
    assert_eq!(err.path(), "/t");
    expect_err(fs.remove_dir_all("/t/a/b"), ErrorKind::ResourceBusy);
    drop(reader);

    let writer = fs.options().write(true).open("/t/z").unwrap();
    expect_reason(
        fs.remove_dir_all("/t"),
        ErrorKind::ResourceBusy,
        &Reason::Busy {
            open: "/t/z".into(),
        },
    );
    drop(writer);
    assert_eq!(snapshot(&fs), before);
    assert_eq!(fs.stats().open_handles, 0);
    fs.remove_dir_all("/t").unwrap();
    assert_eq!(fs.stats().nodes, 1);
    assert_invariants(&fs);
}

#[test]
fn remove_dir_all_spares_the_unrelated_open_files() {
    let fs = test_fs(1 << 20);
    fs.create_dir_all("/a").unwrap();
    fs.create_dir_all("/ab").unwrap();
    fs.write("/a/x", "1").unwrap();
    fs.write("/ab/open", "2").unwrap();
    let handle = fs.open("/ab/open").unwrap();
    // "/ab" is not below "/a" even though the string starts the same.
    fs.remove_dir_all("/a").unwrap();
    assert!(!fs.exists("/a"));
    assert_eq!(fs.read("/ab/open").unwrap(), b"2");
    drop(handle);
}

#[test]
fn read_dir_lists_sorted_entries_with_metadata() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/d/b.txt", "hello").unwrap();
    fs.write("/d/a.bin", [0; 3]).unwrap();
    fs.write("/d/B", "").unwrap();
    fs.write("/d/_", "1").unwrap();
    fs.write("/d/é", "12").unwrap();
    fs.create_dir("/d/sub").unwrap();
    fs.create_dir("/d/a").unwrap();
    fs.write("/d/sub/hidden", "not listed").unwrap();

    let entries: Vec<_> = fs.read_dir("/d").unwrap().map(Result::unwrap).collect();
    let got: Vec<(&str, &str, FileType, u64)> = entries
        .iter()
        .map(|e| (e.file_name(), e.path(), e.file_type(), e.metadata().len()))
        .collect();
    // Sorted bytewise: uppercase before `_` before lowercase, UTF-8 last.
    assert_eq!(
        got,
        [
            ("B", "/d/B", FileType::File, 0),
            ("_", "/d/_", FileType::File, 1),
            ("a", "/d/a", FileType::Dir, 0),
            ("a.bin", "/d/a.bin", FileType::File, 3),
            ("b.txt", "/d/b.txt", FileType::File, 5),
            ("sub", "/d/sub", FileType::Dir, 0),
            ("é", "/d/é", FileType::File, 2),
        ]
    );
    for entry in &entries {
        assert_eq!(entry.depth(), 1);
        assert_eq!(entry.metadata(), fs.metadata(entry.path()).unwrap());
        assert_eq!(entry.metadata().is_dir(), entry.file_type().is_dir());
    }
    assert_eq!(fs.read_dir("d/").unwrap().len(), 7);
}

#[test]
fn read_dir_of_root_and_of_empty_directories() {
    let fs = MemFs::new();
    assert_eq!(fs.read_dir("/").unwrap().count(), 0);
    fs.create_dir_all("/x/y").unwrap();
    fs.write("/top", "t").unwrap();
    let root: Vec<_> = fs
        .read_dir("")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(root, ["/top", "/x"]);
    assert_eq!(fs.read_dir("/x/y").unwrap().count(), 0);
}

#[test]
fn read_dir_is_a_snapshot() {
    let fs = MemFs::new();
    fs.write("/a", "1").unwrap();
    fs.write("/b", "22").unwrap();
    let listing = fs.read_dir("/").unwrap();
    fs.remove_file("/a").unwrap();
    fs.write("/c", "3").unwrap();
    fs.write("/b", "2222").unwrap();
    let got: Vec<(String, u64)> = listing
        .map(|e| e.unwrap())
        .map(|e| (e.path().to_owned(), e.metadata().len()))
        .collect();
    assert_eq!(got, [("/a".to_owned(), 1), ("/b".to_owned(), 2)]);
}

#[test]
fn read_dir_errors() {
    let fs = MemFs::new();
    fs.write("/f", "x").unwrap();
    let err = expect_err(fs.read_dir("/nope"), ErrorKind::NotFound);
    assert_eq!(
        (err.op(), err.path(), err.reason()),
        (Op::ReadDir, "/nope", &Reason::NotFound)
    );
    expect_reason(
        fs.read_dir("/f"),
        ErrorKind::NotADirectory,
        &Reason::NotADirectory,
    );
    expect_reason(
        fs.read_dir("/f/g"),
        ErrorKind::NotADirectory,
        &component("/f"),
    );
    expect_err(fs.read_dir("/.."), ErrorKind::InvalidInput);
    expect_err(fs.read_dir("/a\0b"), ErrorKind::InvalidInput);
}

#[test]
fn stats_count_directories_and_files() {
    let fs = MemFs::with_quota(10_000);
    let s = fs.stats();
    assert_eq!(
        (s.dirs, s.files, s.nodes, s.used),
        (1, 0, 1, 0),
        "the root is a directory"
    );
    fs.create_dir_all("/a/b/c").unwrap();
    fs.create_dir("/d").unwrap();
    fs.write("/a/one", [0; 10]).unwrap();
    fs.write("/a/b/two", [0; 20]).unwrap();
    fs.write("/d/three", "").unwrap();
    let s = fs.stats();
    assert_eq!((s.dirs, s.files, s.nodes, s.used), (5, 3, 8, 30));
    fs.remove_dir_all("/a/b").unwrap();
    let s = fs.stats();
    assert_eq!((s.dirs, s.files, s.nodes, s.used), (3, 2, 5, 10));
    fs.remove_file("/d/three").unwrap();
    fs.remove_dir("/d").unwrap();
    let s = fs.stats();
    assert_eq!(
        (s.dirs, s.files, s.nodes, s.used, s.free),
        (2, 1, 3, 10, 9_990)
    );
    assert_invariants(&fs);
}

#[test]
fn the_node_limit_counts_files_and_directories_alike() {
    let fs = MemFs::builder().max_nodes(3).build().unwrap();
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "x").unwrap();
    let before = snapshot(&fs);
    expect_err(fs.create_dir("/e"), ErrorKind::QuotaExceeded);
    expect_err(fs.create_dir_all("/d/e"), ErrorKind::QuotaExceeded);
    expect_err(fs.write("/g", ""), ErrorKind::QuotaExceeded);
    assert_eq!(snapshot(&fs), before);
    assert_eq!(fs.stats().max_nodes, Some(3));
    fs.remove_dir_all("/d").unwrap();
    fs.create_dir_all("/x/y").unwrap();
    assert_eq!(fs.stats().nodes, 3);
}

/// Slots by hand: removing the first of three children moves the last into its place; a later
/// move of that child must find itself at its new position, and so must its own children
/// after their parent is re-keyed.
#[test]
fn swap_removed_slot_then_move_and_remove_children() {
    let fs = MemFs::new();
    for d in ["/d", "/d/x", "/d/y", "/d/z", "/d/z/1", "/d/z/2", "/e"] {
        fs.create_dir(d).unwrap();
    }
    fs.remove_dir("/d/x").unwrap(); // /d/z takes slot 0
    fs.rename("/d/z", "/e/z").unwrap(); // removes /d/z from slot 0, /d/y moves there
    fs.remove_dir("/e/z/1").unwrap(); // /e/z/2 takes slot 0 under the re-keyed parent
    fs.move_path("/e/z/2", "/d/y/2").unwrap();
    fs.remove_dir("/d/y/2").unwrap();
    fs.remove_dir("/d/y").unwrap();
    let names = |p: &str| -> Vec<String> {
        fs.read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_owned())
            .collect()
    };
    assert!(names("/d").is_empty());
    assert_eq!(names("/e"), ["z"]);
    assert!(names("/e/z").is_empty());
    fs.remove_dir("/d").unwrap();
    fs.remove_dir_all("/e").unwrap();
    assert_eq!(fs.stats().nodes, 1);
}

/// std::fs::create_dir_all("dangling/sub") fails on Linux (mkdir("dangling") is EEXIST and
/// it is not a directory); MemFs resolves the dangling link lexically and creates its target.
#[test]
fn create_dir_all_does_not_create_through_a_dangling_link() {
    let fs = MemFs::new();
    fs.symlink("/nowhere", "/dangling").unwrap();
    let result = fs.create_dir_all("/dangling/sub");
    assert!(
        !fs.exists("/nowhere"),
        "created the link's target: {result:?}"
    );
    assert!(result.is_err());
}

/// std::fs::read_dir("/current") yields entries whose path() is "/current/<name>"; MemFs
/// reports the resolved target's paths, so a caller's paths silently change directory.
#[test]
fn read_dir_through_a_link_names_entries_under_the_path_given() {
    let fs = MemFs::new();
    fs.create_dir_all("/releases/v1").unwrap();
    fs.write("/releases/v1/app.conf", "v1").unwrap();
    fs.symlink("releases/v1", "/current").unwrap();
    let paths: Vec<String> = fs
        .read_dir("/current")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(paths, ["/current/app.conf"]);
}

/// A link that does not lead to a directory among the parents is not "a symbolic link to
/// nothing" (`AlreadyExists`): a link to a file is `NotADirectory`, as on Linux (`mkdir("l/x")`
/// is `ENOTDIR`, which `std::fs::create_dir_all` returns), and a loop is `ELOOP`.
#[test]
fn create_dir_all_below_a_link_to_a_file_is_not_a_directory() {
    let fs = MemFs::new();
    fs.write("/f", "x").unwrap();
    fs.symlink("/f", "/lf").unwrap();
    // Without the link: NotADirectory.
    assert_eq!(
        fs.create_dir_all("/f/x").unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    let err = fs.create_dir_all("/lf/x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotADirectory, "{err}");
}

#[test]
fn create_dir_all_below_a_link_loop_is_a_loop() {
    let fs = MemFs::new();
    fs.symlink("/loop", "/loop").unwrap();
    let err = fs.create_dir_all("/loop/x").unwrap_err();
    // What resolving through it reports elsewhere (ELOOP).
    let expected = fs.metadata("/loop/x").unwrap_err().kind();
    assert_ne!(expected, ErrorKind::AlreadyExists);
    assert_eq!(err.kind(), expected, "{err}");
}
