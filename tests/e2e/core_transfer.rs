//! Whole trees in and out: `export_tree`, `export_iter`, `import_tree`, and the host
//! directory bridges `export_to_dir` / `import_from_dir`.

use std::collections::BTreeMap;
use std::fs as host;
use std::io::ErrorKind;
use std::path::Path;

use dmemfs_core::{MemFs, Op, Reason};

use crate::common::*;

/// Files at several depths, a binary one, an empty one and an empty directory.
fn sample(fs: &MemFs) {
    fs.create_dir_all("/a/b/c").unwrap();
    fs.create_dir_all("/a/empty").unwrap();
    fs.write("/a/b/c/deep.txt", "deep").unwrap();
    fs.write("/a/x.bin", [0, 255, 1, 254, b'\n', b'\r'])
        .unwrap();
    fs.write("/a/zero", "").unwrap();
    fs.write("/a-b", "sibling").unwrap();
    fs.write("/top", "top").unwrap();
}

fn map(entries: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
    entries
        .iter()
        .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec()))
        .collect()
}

/// A host directory's contents: relative path (with `/`) to file contents, `None` for dirs.
fn host_tree(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn visit(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for entry in host::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let relative = format!("{prefix}/{name}");
            if entry.file_type().unwrap().is_dir() {
                out.insert(relative.clone(), None);
                visit(&entry.path(), &relative, out);
            } else {
                out.insert(relative, Some(host::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    visit(root, "", &mut out);
    out
}

// ---------------------------------------------------------------- export

#[test]
fn export_tree_returns_the_files_below_a_prefix() {
    let fs = MemFs::new();
    sample(&fs);
    let all = fs.export_tree("/").unwrap();
    assert_eq!(
        all,
        map(&[
            ("/a-b", b"sibling"),
            ("/a/b/c/deep.txt", b"deep"),
            ("/a/x.bin", &[0, 255, 1, 254, b'\n', b'\r']),
            ("/a/zero", b""),
            ("/top", b"top"),
        ])
    );
    let below_a = fs.export_tree("a/").unwrap();
    assert_eq!(
        below_a.keys().collect::<Vec<_>>(),
        ["/a/b/c/deep.txt", "/a/x.bin", "/a/zero"]
    );
    assert_eq!(
        fs.export_tree("/a/b").unwrap(),
        map(&[("/a/b/c/deep.txt", b"deep")])
    );
    assert!(
        fs.export_tree("/a/empty").unwrap().is_empty(),
        "directories are not exported"
    );
    // A file as prefix: just that file.
    assert_eq!(
        fs.export_tree("/a/x.bin")
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["/a/x.bin"]
    );
    assert_eq!(fs.export_tree("/top").unwrap(), map(&[("/top", b"top")]));
    assert!(MemFs::new().export_tree("/").unwrap().is_empty());
}

#[test]
fn export_errors() {
    let fs = MemFs::new();
    sample(&fs);
    let err = expect_err(fs.export_tree("/nope"), ErrorKind::NotFound);
    assert_eq!(
        (err.op(), err.path(), err.reason()),
        (Op::ExportTree, "/nope", &Reason::NotFound)
    );
    expect_err(fs.export_iter("/a/nope"), ErrorKind::NotFound);
    expect_reason(
        fs.export_tree("/top/x"),
        ErrorKind::NotADirectory,
        &Reason::ComponentNotADirectory {
            component: "/top".into(),
        },
    );
    expect_err(fs.export_tree("/.."), ErrorKind::InvalidInput);
}

#[test]
fn export_iter_streams_in_pre_order() {
    let fs = MemFs::new();
    sample(&fs);
    let items: Vec<(String, Vec<u8>)> = fs.export_iter("/").unwrap().map(Result::unwrap).collect();
    let paths: Vec<&str> = items.iter().map(|(p, _)| p.as_str()).collect();
    // Pre-order with sorted names: "/a" and its contents come before "/a-b".
    assert_eq!(
        paths,
        ["/a/b/c/deep.txt", "/a/x.bin", "/a/zero", "/a-b", "/top"]
    );
    let as_map: BTreeMap<String, Vec<u8>> = items.into_iter().collect();
    assert_eq!(as_map, fs.export_tree("/").unwrap());
    assert_eq!(fs.export_iter("/a").unwrap().size_hint(), (0, Some(3)));
}

#[test]
fn export_iter_sees_the_namespace_as_of_its_creation() {
    let fs = MemFs::new();
    sample(&fs);
    let iter = fs.export_iter("/").unwrap();
    fs.remove_file("/a/x.bin").unwrap(); // removed: skipped
    fs.write("/top2", "t").unwrap(); // created later: not included
    fs.write("/a/zero", "now filled").unwrap(); // modified in place: read when reached
    fs.write("/moved", "replacement").unwrap();
    fs.rename("/moved", "/a-b").unwrap(); // replaced by another file: skipped
    let got: BTreeMap<String, Vec<u8>> = iter.map(Result::unwrap).collect();
    assert_eq!(
        got,
        map(&[
            ("/a/b/c/deep.txt", b"deep"),
            ("/a/zero", b"now filled"),
            ("/top", b"top")
        ])
    );
}

#[test]
fn export_iter_reports_a_lock_timeout_as_an_item() {
    let fs = test_fs(1 << 20);
    fs.write("/busy", "b").unwrap();
    fs.write("/free", "f").unwrap();
    let writer = fs.options().write(true).open("/busy").unwrap();
    let mut iter = fs.export_iter("/").unwrap();
    let err = expect_err(iter.next().unwrap(), ErrorKind::WouldBlock);
    assert_eq!((err.op(), err.path()), (Op::ExportTree, "/busy"));
    assert_eq!(
        iter.next().unwrap().unwrap(),
        ("/free".to_owned(), b"f".to_vec())
    );
    assert!(iter.next().is_none());
    expect_err(fs.export_tree("/"), ErrorKind::WouldBlock);
    drop(writer);
    assert_eq!(fs.export_tree("/").unwrap().len(), 2);
}

#[test]
fn export_iter_only_modified_skips_pristine_files() {
    let fs = MemFs::new();
    fs.import_tree([("/seed/a", "a"), ("/seed/b", "b")])
        .unwrap();
    fs.append("/seed/b", "+").unwrap();
    fs.write("/new", "n").unwrap();
    fs.write("/empty", "").unwrap();
    fs.copy("/seed/a", "/copy").unwrap();
    let changed: BTreeMap<String, Vec<u8>> = fs
        .export_iter("/")
        .unwrap()
        .only_modified()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        changed,
        map(&[("/copy", b"a"), ("/new", b"n"), ("/seed/b", b"b+")])
    );
}

// ---------------------------------------------------------------- import_tree

#[test]
fn import_tree_creates_files_and_parents() {
    let fs = MemFs::with_quota(1000);
    fs.import_tree([
        ("/cfg/app.toml", "debug = true"),
        ("data/1.csv", "a,b"),
        ("\\data\\deep\\2.csv", ""),
    ])
    .unwrap();
    assert_eq!(fs.read("/cfg/app.toml").unwrap(), b"debug = true");
    assert_eq!(fs.read("/data/1.csv").unwrap(), b"a,b");
    assert!(fs.is_file("/data/deep/2.csv") && fs.is_dir("/data/deep"));
    for path in ["/cfg/app.toml", "/data/1.csv", "/data/deep/2.csv"] {
        assert_eq!(fs.metadata(path).unwrap().generation(), 0, "{path}");
    }
    let stats = fs.stats();
    assert_eq!((stats.files, stats.dirs, stats.used), (3, 4, 15));
    // Byte values of any kind, and owned keys and values.
    let owned: Vec<(String, Vec<u8>)> = vec![("/bin".into(), (0..=255).collect())];
    fs.import_tree(owned).unwrap();
    assert_eq!(fs.read("/bin").unwrap(), (0..=255).collect::<Vec<u8>>());
    fs.import_tree(Vec::<(&str, &str)>::new()).unwrap();
    assert_invariants(&fs);
}

#[test]
fn import_tree_replaces_files_and_releases_their_bytes() {
    let fs = MemFs::with_quota(100);
    fs.write("/f", [1; 80]).unwrap();
    fs.append("/f", [1; 5]).unwrap();
    assert!(fs.metadata("/f").unwrap().generation() > 0);
    fs.import_tree([("/f", [2u8; 50].as_slice())]).unwrap();
    assert_eq!(fs.read("/f").unwrap(), [2; 50]);
    assert_eq!(fs.metadata("/f").unwrap().generation(), 0);
    assert_eq!(fs.stats().used, 50);
    // Only the net growth is charged: 90 bytes in for 50 out, with 50 free.
    fs.import_tree([("/f", [3u8; 90].as_slice())]).unwrap();
    assert_eq!(fs.stats().used, 90);
    fs.import_tree([("/f", [4u8; 60].as_slice()), ("/g", [5u8; 40].as_slice())])
        .unwrap();
    assert_eq!((fs.stats().used, fs.stats().files), (100, 2));
    assert_invariants(&fs);
}

#[test]
fn import_tree_rejects_bad_keys_and_changes_nothing() {
    let fs = test_fs(1 << 20);
    sample(&fs);
    let before = snapshot(&fs);
    let err = expect_err(
        fs.import_tree([("/new", "1"), ("a/dup", "2"), ("/a/dup", "3")]),
        ErrorKind::InvalidInput,
    );
    assert_eq!(err.op(), Op::ImportTree);
    assert!(
        matches!(err.reason(), Reason::InvalidArgument(msg) if msg.contains("/a/dup")),
        "{err}"
    );
    expect_err(
        fs.import_tree([("/new", "1"), ("/x/../new/", "2")]),
        ErrorKind::InvalidInput,
    );
    for root in ["/", "", "/a/.."] {
        expect_err(
            fs.import_tree([("/new", "1"), (root, "2")]),
            ErrorKind::InvalidInput,
        );
    }
    expect_err(
        fs.import_tree([("/new", "1"), ("/../x", "2")]),
        ErrorKind::InvalidInput,
    );

    let err = expect_err(
        fs.import_tree([("/new", "1"), ("/a/empty/", "2")]),
        ErrorKind::IsADirectory,
    );
    assert_eq!(
        (err.path(), err.reason()),
        ("/a/empty/", &Reason::IsADirectory)
    );
    expect_reason(
        fs.import_tree([("/new", "1"), ("/top/x", "2")]),
        ErrorKind::NotADirectory,
        &Reason::ComponentNotADirectory {
            component: "/top".into(),
        },
    );
    expect_reason(
        fs.import_tree([("/new", "1"), ("/top/x/y", "2")]),
        ErrorKind::NotADirectory,
        &Reason::ComponentNotADirectory {
            component: "/top".into(),
        },
    );
    // Below another key, in either order.
    for entries in [[("/k", "1"), ("/k/x", "2")], [("/k/x", "2"), ("/k", "1")]] {
        expect_reason(
            fs.import_tree(entries),
            ErrorKind::NotADirectory,
            &Reason::ComponentNotADirectory {
                component: "/k".into(),
            },
        );
    }
    let reader = fs.open("/a/zero").unwrap();
    expect_reason(
        fs.import_tree([("/new", "1"), ("/a/zero", "2")]),
        ErrorKind::ResourceBusy,
        &Reason::Busy {
            open: "/a/zero".into(),
        },
    );
    drop(reader);
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn import_tree_checks_quota_and_node_limit_before_changing_anything() {
    let fs = MemFs::builder().quota(20).max_nodes(6).build().unwrap();
    fs.write("/old", [0; 10]).unwrap();
    let before = snapshot(&fs);
    let err = expect_err(
        fs.import_tree([("/a", [1u8; 5].as_slice()), ("/b", [2u8; 6].as_slice())]),
        ErrorKind::StorageFull,
    );
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 11,
            available: 10,
            quota: 20
        }
    );
    // root + /old = 2 nodes; /d/e/f/g needs 3 dirs + 1 file + /h = 5.
    let err = expect_err(
        fs.import_tree([("/d/e/f/g", ""), ("/h", "")]),
        ErrorKind::QuotaExceeded,
    );
    assert_eq!(
        err.reason(),
        &Reason::NodeLimit {
            requested: 5,
            current: 2,
            limit: 6
        }
    );
    assert_eq!(snapshot(&fs), before);
    // Replacing /old frees its 10 bytes for the import; 3 new nodes fit.
    fs.import_tree([
        ("/old", [1u8; 15].as_slice()),
        ("/d/e/f", [2u8; 5].as_slice()),
    ])
    .unwrap();
    assert_eq!((fs.stats().used, fs.stats().nodes), (20, 5));
    assert_invariants(&fs);
}

#[test]
fn export_then_import_into_a_fresh_fs_round_trips() {
    let fs = MemFs::new();
    sample(&fs);
    fs.remove_dir("/a/empty").unwrap(); // empty directories do not travel through a map
    let exported = fs.export_tree("/").unwrap();
    let copy = MemFs::new();
    copy.import_tree(&exported).unwrap();
    assert_eq!(copy.export_tree("/").unwrap(), exported);
    assert_eq!(snapshot(&copy).entries, snapshot(&fs).entries);
    assert_eq!(copy.stats().used, fs.stats().used);
    // A subtree can be grafted elsewhere by rewriting the keys.
    let grafted: BTreeMap<String, Vec<u8>> = fs
        .export_tree("/a")
        .unwrap()
        .into_iter()
        .map(|(k, v)| (format!("/backup{k}"), v))
        .collect();
    copy.import_tree(grafted).unwrap();
    assert_eq!(copy.read("/backup/a/b/c/deep.txt").unwrap(), b"deep");
}

// ---------------------------------------------------------------- host directories

#[test]
fn export_to_dir_writes_files_and_empty_directories() {
    let fs = MemFs::new();
    sample(&fs);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("dump/nested"); // created with its parents
    fs.export_to_dir("/", &target).unwrap();
    let mut expected: BTreeMap<String, Option<Vec<u8>>> = BTreeMap::new();
    for (path, contents) in snapshot(&fs).entries {
        if path != "/" {
            expected.insert(path, contents);
        }
    }
    assert_eq!(host_tree(&target), expected);
    assert!(target.join("a/empty").is_dir());

    let sub = out.path().join("sub");
    host::create_dir(&sub).unwrap();
    host::write(sub.join("unrelated"), "kept").unwrap();
    host::write(sub.join("x.bin"), "overwritten").unwrap();
    fs.export_to_dir("/a", &sub).unwrap();
    assert_eq!(
        host::read(sub.join("x.bin")).unwrap(),
        [0, 255, 1, 254, b'\n', b'\r']
    );
    assert_eq!(host::read(sub.join("unrelated")).unwrap(), b"kept");
    assert!(sub.join("b/c/deep.txt").is_file() && sub.join("empty").is_dir());
    assert!(!sub.join("a").exists() && !sub.join("top").exists());

    // A file as prefix: that one file, by its name.
    let single = out.path().join("single");
    fs.export_to_dir("/a/b/c/deep.txt", &single).unwrap();
    assert_eq!(
        host_tree(&single),
        BTreeMap::from([("/deep.txt".to_owned(), Some(b"deep".to_vec()))])
    );
}

#[test]
fn export_to_dir_of_a_missing_prefix_is_not_found() {
    let fs = MemFs::new();
    let out = tempfile::tempdir().unwrap();
    let err = expect_err(fs.export_to_dir("/nope", out.path()), ErrorKind::NotFound);
    assert_eq!((err.op(), err.path()), (Op::ExportToDir, "/nope"));
    assert!(host_tree(out.path()).is_empty());
}

#[test]
fn import_from_dir_copies_files_and_empty_directories() {
    let seed = tempfile::tempdir().unwrap();
    let root = seed.path();
    host::create_dir_all(root.join("conf/empty")).unwrap();
    host::create_dir_all(root.join("data/2026")).unwrap();
    host::write(root.join("conf/app.toml"), "port = 8080").unwrap();
    host::write(root.join("data/2026/q1.bin"), [9u8, 0, 9]).unwrap();
    host::write(root.join("readme"), "").unwrap();

    let fs = MemFs::with_quota(1000);
    fs.create_dir_all("/etc/app").unwrap();
    fs.write("/etc/app/readme", "old contents").unwrap(); // replaced
    fs.import_from_dir(root, "etc/app").unwrap();
    assert_eq!(fs.read("/etc/app/conf/app.toml").unwrap(), b"port = 8080");
    assert_eq!(fs.read("/etc/app/data/2026/q1.bin").unwrap(), [9, 0, 9]);
    assert_eq!(fs.read("/etc/app/readme").unwrap(), b"");
    assert!(fs.is_dir("/etc/app/conf/empty"));
    assert_eq!(
        fs.metadata("/etc/app/conf/app.toml").unwrap().generation(),
        0
    );
    assert_eq!(fs.stats().used, 14);
    // Into the root, next to what is there.
    let other = MemFs::new();
    other.write("/keep", "k").unwrap();
    other.import_from_dir(root, "/").unwrap();
    assert_eq!(
        other.glob("/*").unwrap(),
        ["/conf", "/data", "/keep", "/readme"]
    );
    // An empty host directory makes an empty virtual one.
    let empty = tempfile::tempdir().unwrap();
    other.import_from_dir(empty.path(), "/void/deep").unwrap();
    assert!(other.is_dir("/void/deep"));
    assert_invariants(&fs);
    assert_invariants(&other);
}

#[test]
fn import_from_dir_refuses_symlinks_and_changes_nothing() {
    let seed = tempfile::tempdir().unwrap();
    host::create_dir(seed.path().join("d")).unwrap();
    host::write(seed.path().join("d/real"), "r").unwrap();
    std::os::unix::fs::symlink(seed.path().join("d/real"), seed.path().join("d/zlink")).unwrap();
    let fs = MemFs::new();
    fs.write("/existing", "e").unwrap();
    let before = snapshot(&fs);
    let err = expect_err(
        fs.import_from_dir(seed.path(), "/in"),
        ErrorKind::InvalidInput,
    );
    assert_eq!((err.op(), err.path()), (Op::ImportFromDir, "/in/d/zlink"));
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn import_from_dir_over_quota_imports_nothing() {
    let seed = tempfile::tempdir().unwrap();
    host::create_dir(seed.path().join("sub")).unwrap();
    host::write(seed.path().join("a"), [1u8; 30]).unwrap();
    host::write(seed.path().join("sub/b"), [2u8; 30]).unwrap();
    let fs = MemFs::with_quota(70);
    fs.write("/x", [0; 20]).unwrap();
    let before = snapshot(&fs);
    let err = expect_err(
        fs.import_from_dir(seed.path(), "/in"),
        ErrorKind::StorageFull,
    );
    assert_eq!(
        err.reason(),
        &Reason::QuotaExceeded {
            requested: 60,
            available: 50,
            quota: 70
        }
    );
    assert_eq!(snapshot(&fs), before);
    assert!(!fs.exists("/in"));
    // Files it would replace count as free: importing over /x's 20 bytes fits.
    host::write(seed.path().join("x"), [3u8; 5]).unwrap();
    fs.import_from_dir(seed.path(), "/").unwrap();
    assert_eq!(fs.stats().used, 65);
    assert_eq!(fs.read("/x").unwrap(), [3; 5]);
}

#[test]
fn import_from_dir_errors_change_nothing() {
    let seed = tempfile::tempdir().unwrap();
    host::create_dir(seed.path().join("conf")).unwrap();
    host::write(seed.path().join("conf/app.toml"), "x").unwrap();
    let fs = MemFs::new();
    fs.create_dir_all("/in/conf/app.toml").unwrap();
    fs.write("/file", "f").unwrap();
    let before = snapshot(&fs);

    let err = expect_err(
        fs.import_from_dir(seed.path().join("missing"), "/new"),
        ErrorKind::NotFound,
    );
    assert_eq!(err.op(), Op::ImportFromDir);
    assert!(
        matches!(
            err.reason(),
            Reason::Host {
                kind: ErrorKind::NotFound,
                ..
            }
        ),
        "{err}"
    );
    // A host file onto a virtual directory.
    let err = expect_err(
        fs.import_from_dir(seed.path(), "/in"),
        ErrorKind::IsADirectory,
    );
    assert_eq!(err.path(), "/in/conf/app.toml");
    // Into a virtual file, or below one.
    expect_err(
        fs.import_from_dir(seed.path(), "/file"),
        ErrorKind::NotADirectory,
    );
    expect_err(
        fs.import_from_dir(seed.path(), "/file/sub"),
        ErrorKind::NotADirectory,
    );
    expect_err(
        fs.import_from_dir(seed.path(), "/../x"),
        ErrorKind::InvalidInput,
    );
    assert_eq!(snapshot(&fs), before);
}

#[test]
fn host_to_memory_to_host_is_byte_identical() {
    let seed = tempfile::tempdir().unwrap();
    let root = seed.path();
    host::create_dir_all(root.join("a/b/c")).unwrap();
    host::create_dir_all(root.join("empty/nested-empty")).unwrap();
    host::write(
        root.join("a/b/c/all-bytes"),
        (0..=255u8).cycle().take(70_000).collect::<Vec<_>>(),
    )
    .unwrap();
    host::write(root.join("a/zero"), "").unwrap();
    host::write(root.join("a/.hidden"), "h").unwrap();
    host::write(root.join("crlf.txt"), "one\r\ntwo\r\n").unwrap();
    host::write(root.join("unicodé ✓"), "ü").unwrap();

    let fs = MemFs::new();
    fs.import_from_dir(root, "/mirror").unwrap();
    assert_eq!(
        fs.metadata("/mirror/a/b/c/all-bytes").unwrap().len(),
        70_000
    );
    let out = tempfile::tempdir().unwrap();
    fs.export_to_dir("/mirror", out.path()).unwrap();
    let original = host_tree(root);
    assert_eq!(original.len(), 10);
    assert_eq!(host_tree(out.path()), original);
}

#[test]
fn export_to_dir_with_a_missing_prefix_does_not_touch_the_host() {
    let fs = MemFs::new();
    let host_root = tempfile::tempdir().unwrap();
    let target = host_root.path().join("never-created");
    let err = expect_err(fs.export_to_dir("/missing", &target), ErrorKind::NotFound);
    assert_eq!((err.op(), err.path()), (Op::ExportToDir, "/missing"));
    assert!(
        !target.exists(),
        "the host directory was created for a failed export"
    );
}
