//! The host directory bridges: `export_to_dir` and `import_from_dir`.

use super::*;

#[test]
fn export_to_dir_writes_files_and_empty_directories() {
    let fs = MemFs::new();
    sample(&fs);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("dump/nested"); // created with its parents
    fs.export_to_dir("/", &target).unwrap();
    dmemfs_test::assert_tree_eq!(fs, target);
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
        Some(0)
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

#[test]
fn import_from_dir_refuses_special_files() {
    let seed = tempfile::tempdir().unwrap();
    std::fs::write(seed.path().join("plain.txt"), "ok").unwrap();
    let fifo = seed.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("mkfifo unavailable: skipping the FIFO case");
        return;
    }
    let fs = test_fs(1 << 20);
    let err = expect_err(
        fs.import_from_dir(seed.path(), "/seed"),
        ErrorKind::InvalidInput,
    );
    assert!(err.to_string().contains("is not a regular file"), "{err}");
    assert!(!fs.exists("/seed"), "nothing imported");
}

/// A host tree deeper than any stack would hold a recursion for is imported level by
/// level, on a small stack.
#[test]
fn import_from_dir_reads_a_deep_host_tree_without_recursing() {
    let (seed, chain) = crate::common::deep_host_tree();
    let fs = MemFs::new();
    crate::common::on_small_stack(|| fs.import_from_dir(seed.path(), "/s").unwrap());
    assert_eq!(fs.read(format!("/s/{chain}/leaf")).unwrap(), b"bottom");
    assert_eq!(fs.stats().dirs, 1 + 1 + crate::common::DEEP_LEVELS as u64);
}
