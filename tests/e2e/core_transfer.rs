//! Whole trees in and out: `export_tree`, `export_iter`, `import_tree`, and the host
//! directory bridges `export_to_dir` / `import_from_dir` (in `host_dirs`).

mod host_dirs;

use std::collections::BTreeMap;
use std::fs as host;
use std::io::ErrorKind;
use std::path::Path;

use dmemfs_core::{MemFs, Op, Reason, error::ArgError};

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
        assert_eq!(fs.metadata(path).unwrap().generation(), Some(0), "{path}");
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
    assert!(fs.metadata("/f").unwrap().generation() > Some(0));
    fs.import_tree([("/f", [2u8; 50].as_slice())]).unwrap();
    assert_eq!(fs.read("/f").unwrap(), [2; 50]);
    assert_eq!(fs.metadata("/f").unwrap().generation(), Some(0));
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
        matches!(err.reason(), Reason::InvalidArgument(ArgError::DuplicatePath { second, .. }) if second.contains("/a/dup")),
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
    assert_eq!(tree(&copy), tree(&fs));
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

/// A D-MemFS bug (fixed here): `import_tree` orphaned a directory it overwrote, leaked a node under a file
/// parent, created an entry named "" for the key "/", and took any value type.
#[test]
fn bug05_import_tree_validates_every_key() {
    let fs = test_fs(1 << 20);
    fs.create_dir_all("/d/inner").unwrap();
    fs.write("/d/inner/kept", "k").unwrap();
    fs.write("/f", "x").unwrap();
    let before = snapshot(&fs);
    let nodes = fs.stats().nodes;
    expect_reason(
        fs.import_tree([("/d", "file over dir")]),
        ErrorKind::IsADirectory,
        &Reason::IsADirectory,
    );
    expect_err(
        fs.import_tree([("/f/child", "under a file")]),
        ErrorKind::NotADirectory,
    );
    expect_err(fs.import_tree([("/", "the root")]), ErrorKind::InvalidInput);
    expect_err(
        fs.import_tree([("", "also the root")]),
        ErrorKind::InvalidInput,
    );
    assert_eq!(snapshot(&fs), before);
    assert_eq!(fs.stats().nodes, nodes, "no node leaked");
    // Values are bytes by type: `import_tree` takes `AsRef<[u8]>`, so a str is its UTF-8.
    fs.import_tree([("/s", "é")]).unwrap();
    assert_eq!(fs.read("/s").unwrap(), "é".as_bytes());
}
