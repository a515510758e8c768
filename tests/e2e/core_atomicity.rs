//! A failed operation leaves the filesystem exactly as it was: same paths, same contents,
//! same metadata, same accounting. Each case is a D-MemFS bug that dmemfs fixes.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::{self, ErrorKind, IoSlice, Seek, SeekFrom, Write};
use std::sync::atomic::Ordering::SeqCst;

use dmemfs_core::{FsError, MemFs, Metadata, NAME_MAX, Reason};

use crate::common::*;

fn build(quota: u64, max_nodes: Option<u64>) -> MemFs {
    let builder = MemFs::builder().quota(quota).lock_timeout(Some(SHORT));
    match max_nodes {
        Some(limit) => builder.max_nodes(limit).build().unwrap(),
        None => builder.build().unwrap(),
    }
}

/// Every node's metadata (generation and times included), which `snapshot` leaves out.
/// Taken from a walk, so it never waits for file locks.
fn metadata(fs: &MemFs) -> BTreeMap<String, Metadata> {
    fs.walk("/")
        .unwrap()
        .map(|entry| entry.map(|e| (e.path().to_owned(), e.metadata())))
        .collect::<io::Result<_>>()
        .unwrap()
}

/// Runs `op`, which must fail with `kind`, and checks that nothing observable changed.
/// Needs every file readable (no writer handle open) before and after.
#[track_caller]
fn fails_cleanly<T: Debug>(
    fs: &MemFs,
    kind: ErrorKind,
    op: impl FnOnce() -> io::Result<T>,
) -> FsError {
    let (before, meta_before) = (snapshot(fs), metadata(fs));
    let err = expect_err(op(), kind);
    assert_eq!(snapshot(fs), before, "contents changed after: {err}");
    assert_eq!(metadata(fs), meta_before, "metadata changed after: {err}");
    assert_invariants(fs);
    err
}

/// A small tree used by the import cases: 5 nodes, 2 bytes.
fn seeded(quota: u64, max_nodes: Option<u64>) -> MemFs {
    let fs = build(quota, max_nodes);
    fs.create_dir_all("/keep").unwrap();
    fs.create_dir("/dir").unwrap();
    fs.write("/keep/a.txt", "A").unwrap();
    fs.write("/file", "F").unwrap();
    assert_eq!((fs.stats().nodes, fs.stats().used), (5, 2));
    fs
}

#[test]
fn copy_over_quota_leaves_no_empty_destination() {
    let fs = build(10, None);
    fs.write("/src", "abcdef").unwrap();
    fs.write("/other", "x").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || fs.copy("/src", "/dst"));
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 6,
            available: 3,
            quota: 10
        }
    );
    assert!(!fs.exists("/dst"));
}

#[test]
fn copy_over_quota_keeps_the_old_destination() {
    let fs = build(10, None);
    fs.write("/src", "12345678").unwrap();
    fs.write("/dst", "x").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || fs.copy("/src", "/dst"));
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 7,
            available: 1,
            quota: 10
        }
    );
    assert_eq!(fs.read("/dst").unwrap(), b"x");
}

#[test]
fn write_over_quota_on_an_existing_file_keeps_old_contents() {
    // std::fs::write would have truncated the file before failing.
    let fs = build(10, None);
    fs.write("/f", "hello").unwrap();
    fs.write("/g", "abc").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || fs.write("/f", "12345678"));
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 3,
            available: 2,
            quota: 10
        }
    );
    assert_eq!(fs.read("/f").unwrap(), b"hello");
    fails_cleanly(&fs, ErrorKind::StorageFull, || fs.append("/f", "123"));
}

#[test]
fn create_with_preallocate_over_quota_leaves_no_file() {
    let fs = build(10, None);
    fs.write("/f", "1234").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || {
        fs.options()
            .write(true)
            .create(true)
            .preallocate(7)
            .open("/new")
    });
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 7,
            available: 6,
            quota: 10
        }
    );
    fails_cleanly(&fs, ErrorKind::StorageFull, || {
        fs.options()
            .append(true)
            .create_new(true)
            .preallocate(7)
            .open("/new")
    });
    assert!(!fs.exists("/new"));
    assert_eq!(fs.stats().open_handles, 0);
}

#[test]
fn preallocate_over_quota_on_an_existing_file_changes_nothing() {
    let fs = build(10, None);
    fs.write("/f", "1234").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || {
        fs.options().write(true).preallocate(20).open("/f")
    });
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 16,
            available: 6,
            quota: 10
        }
    );
    // With truncate as well: the file is not emptied either.
    fails_cleanly(&fs, ErrorKind::StorageFull, || {
        fs.options()
            .write(true)
            .truncate(true)
            .preallocate(20)
            .open("/f")
    });
    assert_eq!(fs.read("/f").unwrap(), b"1234");
}

#[test]
fn create_dir_all_at_the_node_limit_creates_none_of_the_chain() {
    let fs = build(100, Some(4));
    fs.create_dir("/a").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::QuotaExceeded, || {
        fs.create_dir_all("/a/b/c/d")
    });
    assert_eq!(
        err.reason(),
        &Reason::NodeLimit {
            requested: 3,
            current: 2,
            limit: 4
        }
    );
    assert!(!fs.exists("/a/b"));
    fs.create_dir_all("/a/b/c").unwrap();
}

#[test]
fn move_path_whose_new_parents_exceed_the_node_limit_changes_nothing() {
    let fs = build(100, Some(3));
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::QuotaExceeded, || {
        fs.move_path("/f", "/d/x/y/f")
    });
    assert_eq!(
        err.reason(),
        &Reason::NodeLimit {
            requested: 2,
            current: 3,
            limit: 3
        }
    );
    assert!(fs.is_file("/f") && !fs.exists("/d/x"));
    fs.move_path("/f", "/d/f").unwrap();
}

#[test]
fn import_tree_with_one_bad_key_imports_nothing() {
    let fs = seeded(100, None);
    let long = format!("/{}", "n".repeat(NAME_MAX + 1));
    for (bad, kind) in [
        ("/../bad", ErrorKind::InvalidInput),
        ("/nul\0", ErrorKind::InvalidInput),
        ("/", ErrorKind::InvalidInput),
        (long.as_str(), ErrorKind::InvalidFilename),
    ] {
        let err = fails_cleanly(&fs, kind, || {
            fs.import_tree([
                ("/n1", "x"),
                ("/keep/a.txt", "replaced"),
                (bad, "y"),
                ("/n2/z", "z"),
            ])
        });
        assert_eq!(err.path(), bad);
    }
    // Two keys naming the same file.
    let err = fails_cleanly(&fs, ErrorKind::InvalidInput, || {
        fs.import_tree([("/n1", "x"), ("n1/", "y")])
    });
    assert!(matches!(err.reason(), Reason::InvalidArgument(_)), "{err}");
    assert!(!fs.exists("/n1"));
}

#[test]
fn import_tree_over_quota_imports_nothing() {
    let fs = seeded(20, None);
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || {
        fs.import_tree([("/n1", vec![1; 10]), ("/sub/n2", vec![2; 9])])
    });
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 19,
            available: 18,
            quota: 20
        }
    );
    // Replacing counts only the growth: this one fits exactly.
    fs.import_tree([("/keep/a.txt", vec![3; 10]), ("/n1", vec![1; 9])])
        .unwrap();
    assert_eq!(fs.stats().used, 20);
}

#[test]
fn import_tree_over_the_node_limit_imports_nothing() {
    let fs = seeded(100, Some(6));
    let err = fails_cleanly(&fs, ErrorKind::QuotaExceeded, || {
        fs.import_tree([("/keep/a.txt", "replaced"), ("/new/x", "x")])
    });
    assert_eq!(
        err.reason(),
        &Reason::NodeLimit {
            requested: 2,
            current: 5,
            limit: 6
        }
    );
    assert_eq!(fs.read("/keep/a.txt").unwrap(), b"A");
}

#[test]
fn import_tree_below_a_file_imports_nothing() {
    let fs = seeded(100, None);
    let err = fails_cleanly(&fs, ErrorKind::NotADirectory, || {
        fs.import_tree([("/n1", "x"), ("/file/x", "y")])
    });
    assert_eq!(
        err.reason(),
        &Reason::ComponentNotADirectory {
            component: "/file".into()
        }
    );
    // Below another key of the same import.
    fails_cleanly(&fs, ErrorKind::NotADirectory, || {
        fs.import_tree([("/n1", "x"), ("/n1/sub", "y")])
    });
}

#[test]
fn import_tree_onto_a_directory_imports_nothing() {
    let fs = seeded(100, None);
    let err = fails_cleanly(&fs, ErrorKind::IsADirectory, || {
        fs.import_tree([("/n1", "x"), ("/dir", "y")])
    });
    assert_eq!(err.path(), "/dir");
    assert!(fs.is_dir("/dir") && !fs.exists("/n1"));
}

#[test]
fn import_tree_onto_an_open_file_imports_nothing() {
    let fs = seeded(100, None);
    let reader = fs.open("/keep/a.txt").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::ResourceBusy, || {
        fs.import_tree([("/n1", "x"), ("/keep/a.txt", "y")])
    });
    assert_eq!(
        err.reason(),
        &Reason::Busy {
            open: "/keep/a.txt".into()
        }
    );
    drop(reader);
    fs.import_tree([("/n1", "x"), ("/keep/a.txt", "y")])
        .unwrap();
    assert_eq!(fs.read("/keep/a.txt").unwrap(), b"y");
}

/// `/src` with two files of 5 bytes in two directories: 5 nodes, 10 bytes.
fn with_source(quota: u64, max_nodes: Option<u64>) -> MemFs {
    let fs = build(quota, max_nodes);
    fs.create_dir_all("/src/sub").unwrap();
    fs.write("/src/a", "aaaaa").unwrap();
    fs.write("/src/sub/b", "bbbbb").unwrap();
    fs
}

#[test]
fn copy_dir_all_over_quota_copies_nothing() {
    let fs = with_source(15, None);
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || {
        fs.copy_dir_all("/src", "/dst")
    });
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 10,
            available: 5,
            quota: 15
        }
    );
    assert!(!fs.exists("/dst"));
}

#[test]
fn copy_dir_all_over_the_node_limit_copies_nothing() {
    let fs = with_source(100, Some(8));
    let err = fails_cleanly(&fs, ErrorKind::QuotaExceeded, || {
        fs.copy_dir_all("/src", "/dst")
    });
    assert_eq!(
        err.reason(),
        &Reason::NodeLimit {
            requested: 4,
            current: 5,
            limit: 8
        }
    );
    assert!(!fs.exists("/dst"));
}

#[test]
fn copy_dir_all_timing_out_on_a_locked_file_copies_nothing() {
    let fs = with_source(100, None);
    let (before, meta_before) = (snapshot(&fs), metadata(&fs));
    let writer = fs.options().write(true).open("/src/sub/b").unwrap();
    expect_err(fs.copy_dir_all("/src", "/dst"), ErrorKind::WouldBlock);
    assert_eq!(fs.stats().used, 10, "the up-front charge was given back");
    drop(writer);
    assert_eq!(snapshot(&fs), before);
    assert_eq!(metadata(&fs), meta_before);
    assert_invariants(&fs);
}

#[test]
fn a_handle_write_over_quota_writes_nothing() {
    let fs = build(10, None);
    fs.write("/f", "abc").unwrap();
    fs.write("/g", "1234").unwrap();
    let (before, meta_before) = (snapshot(&fs), metadata(&fs));
    let mut file = fs.options().read(true).write(true).open("/f").unwrap();
    file.seek(SeekFrom::Start(1)).unwrap();
    let full = |requested| Reason::QuotaExceeded {
        requested,
        available: 3,
        quota: 10,
    };
    expect_reason(file.write(b"XXXXXX"), ErrorKind::StorageFull, &full(4));
    // A vectored write takes the first non-empty buffer (std's default): it does not fit.
    let bufs = [
        IoSlice::new(b""),
        IoSlice::new(b"XXXXXX"),
        IoSlice::new(b"X"),
    ];
    expect_reason(file.write_vectored(&bufs), ErrorKind::StorageFull, &full(4));
    expect_reason(
        file.write_at(b"XXXXXXX", 0),
        ErrorKind::StorageFull,
        &full(4),
    );
    assert_eq!(
        file.stream_position().unwrap(),
        1,
        "the cursor did not move"
    );
    // Past the end: the gap is not zero-filled either.
    file.seek(SeekFrom::End(5)).unwrap();
    expect_reason(file.write(b"X"), ErrorKind::StorageFull, &full(6));
    assert_eq!(file.stream_position().unwrap(), 8);
    let meta = file.metadata().unwrap();
    assert_eq!((meta.len(), meta.generation()), (3, Some(1)));
    drop(file);
    assert_eq!(snapshot(&fs), before);
    assert_eq!(metadata(&fs), meta_before);
    assert_invariants(&fs);
}

#[test]
fn set_len_beyond_the_quota_changes_nothing() {
    let fs = build(10, None);
    fs.write("/f", "abcd").unwrap();
    let (before, meta_before) = (snapshot(&fs), metadata(&fs));
    let file = fs.options().write(true).open("/f").unwrap();
    let full = Reason::QuotaExceeded {
        requested: 16,
        available: 6,
        quota: 10,
    };
    expect_reason(file.set_len(20), ErrorKind::StorageFull, &full);
    assert_eq!(file.metadata().unwrap().len(), 4);
    drop(file);
    assert_eq!(snapshot(&fs), before);
    assert_eq!(metadata(&fs), meta_before);
}

#[test]
fn renaming_a_directory_into_its_own_subtree_changes_nothing() {
    let fs = build(100, None);
    fs.create_dir_all("/a/b/c").unwrap();
    fs.write("/a/b/f", "x").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::InvalidInput, || fs.rename("/a", "/a/b/c/a"));
    assert!(matches!(err.reason(), Reason::InvalidArgument(_)), "{err}");
    fails_cleanly(&fs, ErrorKind::InvalidInput, || fs.rename("/a/b", "/a/b/x"));
    fails_cleanly(&fs, ErrorKind::InvalidInput, || {
        fs.move_path("/a", "/a/new/a")
    });
    assert!(fs.is_file("/a/b/f"));
}

#[test]
fn a_failed_open_with_create_creates_nothing() {
    let fs = build(100, Some(3));
    fs.write("/f", "keep").unwrap();
    let missing = Reason::ParentNotFound {
        parent: "/missing".into(),
    };
    let err = fails_cleanly(&fs, ErrorKind::NotFound, || fs.create("/missing/f"));
    assert_eq!(err.reason(), &missing);
    fails_cleanly(&fs, ErrorKind::NotFound, || {
        fs.options()
            .append(true)
            .create(true)
            .open("/missing/sub/f")
    });
    fails_cleanly(&fs, ErrorKind::NotFound, || {
        fs.options().write(true).create_new(true).open("/missing/f")
    });
    fails_cleanly(&fs, ErrorKind::NotADirectory, || fs.create("/f/x"));
    // At the node limit (root, /f, and one more allowed).
    fs.create_dir("/d").unwrap();
    fails_cleanly(&fs, ErrorKind::QuotaExceeded, || fs.create("/d/f"));
    assert!(!fs.exists("/missing") && !fs.exists("/d/f"));
    assert_eq!(fs.stats().open_handles, 0);
}

#[test]
fn a_truncating_open_that_times_out_does_not_truncate() {
    let fs = build(100, None);
    fs.write("/f", "keep").unwrap();
    let reader = fs.open("/f").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::WouldBlock, || fs.create("/f"));
    assert!(matches!(err.reason(), Reason::LockTimeout { .. }));
    fails_cleanly(&fs, ErrorKind::WouldBlock, || fs.write("/f", "new"));
    drop(reader);
    assert_eq!(fs.read("/f").unwrap(), b"keep");
}

#[test]
fn remove_dir_all_with_an_open_file_inside_removes_nothing() {
    let fs = build(100, None);
    fs.create_dir_all("/d/sub").unwrap();
    fs.write("/d/a", "a").unwrap();
    fs.write("/d/sub/b", "b").unwrap();
    fs.write("/d/sub/c", "c").unwrap();
    let reader = fs.open("/d/sub/c").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::ResourceBusy, || fs.remove_dir_all("/d"));
    assert_eq!(
        err.reason(),
        &Reason::Busy {
            open: "/d/sub/c".into()
        }
    );
    fails_cleanly(&fs, ErrorKind::ResourceBusy, || fs.remove_dir_all("/d/sub"));
    drop(reader);
    fs.remove_dir_all("/d").unwrap();
    assert_eq!((fs.stats().used, fs.stats().nodes), (0, 1));
}

#[test]
fn renaming_onto_an_open_file_changes_nothing() {
    let fs = build(100, None);
    fs.write("/from", "new").unwrap();
    fs.write("/to", "old").unwrap();
    let reader = fs.open("/to").unwrap();
    let err = fails_cleanly(&fs, ErrorKind::ResourceBusy, || fs.rename("/from", "/to"));
    assert_eq!(err.reason(), &Reason::Busy { open: "/to".into() });
    drop(reader);
    fs.rename("/from", "/to").unwrap();
    assert_eq!(fs.read("/to").unwrap(), b"new");
}

#[test]
fn failed_operations_do_not_raise_peak_used() {
    // Refused by the memory guard after the quota was charged.
    let (fs, available) = guarded_fs();
    available.store(10, SeqCst);
    fails_cleanly(&fs, ErrorKind::OutOfMemory, || fs.write("/x", [0; 1000]));
    assert_eq!(fs.stats().peak_used, 0, "no byte was ever stored");

    // copy_dir_all giving up on a locked source file after charging the whole copy.
    let fs = with_source(100, None);
    let writer = fs.options().write(true).open("/src/sub/b").unwrap();
    expect_err(fs.copy_dir_all("/src", "/dst"), ErrorKind::WouldBlock);
    drop(writer);
    assert_eq!(
        fs.stats().peak_used,
        10,
        "the filesystem never held more than 10 bytes"
    );
}

/// A D-MemFS bug (fixed here): a failed `copy` left an empty destination, a failed preallocation left the new
/// file, `mkdir`/`move` under a node limit left partial directories.
#[test]
fn bug07_failures_leave_no_debris() {
    let fs = MemFs::builder().quota(100).max_nodes(4).build().unwrap();
    fs.write("/big", [0; 80]).unwrap();
    let before = snapshot(&fs);
    expect_err(fs.copy("/big", "/copy"), ErrorKind::StorageFull);
    let prealloc = fs
        .options()
        .write(true)
        .create_new(true)
        .preallocate(50)
        .open("/pre");
    expect_err(prealloc, ErrorKind::StorageFull);
    expect_err(fs.create_dir_all("/a/b/c"), ErrorKind::QuotaExceeded); // 3 new, 2 allowed
    expect_err(fs.move_path("/big", "/x/y/z/big"), ErrorKind::QuotaExceeded);
    assert_eq!(snapshot(&fs), before);
    // And a retry of the exclusive create is not blocked by a leftover file.
    fs.options()
        .write(true)
        .create_new(true)
        .preallocate(20)
        .open("/pre")
        .unwrap();
}

/// A failed `create_or_lock` (node limit) leaves no half-listed child behind: the directory
/// stays empty and removable, and a create that fits later lists the file once.
#[test]
fn failed_one_pass_create_leaves_no_listed_child() {
    let fs = MemFs::builder().max_nodes(2).build().unwrap();
    fs.create_dir("/d").unwrap();
    expect_err(fs.create("/d/a"), ErrorKind::QuotaExceeded);
    assert!(fs.read_dir("/d").unwrap().next().is_none());
    fs.remove_dir("/d").unwrap();
    drop(fs.create("/a").unwrap());
    let names: Vec<_> = fs
        .read_dir("/")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(names, ["/a"]);
    assert_eq!(fs.stats().nodes, 2);
}
