//! Hard links: names separate from nodes.

use std::io::ErrorKind;

use dmemfs_core::{MemFs, Semantics};

#[test]
fn links_share_contents_inode_and_one_charge() {
    let fs = MemFs::with_quota(100);
    fs.create_dir("/d").unwrap();
    fs.write("/a", [1; 40]).unwrap();
    fs.hard_link("/a", "/d/b").unwrap();
    let (a, b) = (fs.metadata("/a").unwrap(), fs.metadata("/d/b").unwrap());
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
    assert_eq!((fs.stats().used, fs.stats().files), (40, 1));
    fs.write("/d/b", [2; 50]).unwrap();
    assert_eq!(fs.read("/a").unwrap(), [2; 50]);
    assert_eq!(fs.stats().used, 50);
    fs.remove_file("/a").unwrap();
    assert_eq!(
        (fs.stats().used, fs.metadata("/d/b").unwrap().nlink()),
        (50, 1)
    );
    fs.remove_dir_all("/d").unwrap();
    assert_eq!((fs.stats().used, fs.stats().files), (0, 0));
}

#[test]
fn link_errors_follow_linux() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap();
    let kind = |from: &str, to: &str| fs.hard_link(from, to).unwrap_err().kind();
    assert_eq!(kind("/missing", "/x"), ErrorKind::NotFound);
    assert_eq!(kind("/d", "/x"), ErrorKind::PermissionDenied);
    assert_eq!(kind("/f", "/d"), ErrorKind::AlreadyExists);
    assert_eq!(kind("/f", "/f"), ErrorKind::AlreadyExists);
    assert_eq!(kind("/f", "/nope/x"), ErrorKind::NotFound);
    assert_eq!(kind("/f", "/f/x"), ErrorKind::NotADirectory);
    let err = fs.hard_link("/d", "/x").unwrap_err();
    assert!(
        err.to_string()
            .contains("hard_link `/d` to `/x`: directories cannot have hard links"),
        "{err}"
    );
    assert_eq!(fs.metadata("/f").unwrap().nlink(), 1);
}

#[test]
fn renaming_a_link_onto_its_twin_does_nothing() {
    let fs = MemFs::new();
    fs.write("/a", "x").unwrap();
    fs.hard_link("/a", "/b").unwrap();
    // As POSIX and Linux: both names stay.
    fs.rename("/a", "/b").unwrap();
    assert_eq!(fs.read_to_string("/a").unwrap(), "x");
    assert_eq!(fs.metadata("/b").unwrap().nlink(), 2);
    assert_eq!(fs.stats().used, 1);
}

#[test]
fn copying_onto_a_link_of_the_same_file_is_refused() {
    let fs = MemFs::new();
    fs.write("/a", "data").unwrap();
    fs.hard_link("/a", "/b").unwrap();
    assert_eq!(
        fs.copy("/a", "/b").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(fs.read_to_string("/b").unwrap(), "data");
}

#[test]
fn an_open_linked_file_survives_losing_every_name_in_posix_mode() {
    let fs = MemFs::builder()
        .quota(100)
        .semantics(Semantics::Posix)
        .build()
        .unwrap();
    fs.write("/a", [1; 30]).unwrap();
    fs.hard_link("/a", "/b").unwrap();
    let handle = fs.open("/b").unwrap();
    fs.remove_file("/a").unwrap();
    fs.remove_file("/b").unwrap();
    assert_eq!(fs.stats().used, 30);
    assert_eq!(handle.metadata().unwrap().nlink(), 0);
    drop(handle);
    assert_eq!(fs.stats().used, 0);
}

#[test]
fn importing_over_a_linked_file_charges_the_bytes_the_other_name_keeps() {
    let fs = MemFs::with_quota(100);
    fs.write("/a", [1; 60]).unwrap();
    fs.hard_link("/a", "/b").unwrap();
    // Replacing `/a` frees nothing: `/b` keeps the 60 bytes, so 41 more do not fit.
    let err = fs.import_tree([("/a", vec![2; 41])]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
    fs.import_tree([("/a", vec![2; 40])]).unwrap();
    assert_eq!(
        (fs.read("/b").unwrap(), fs.stats().used),
        (vec![1; 60], 100)
    );
}

fn eloop() -> ErrorKind {
    std::io::Error::from_raw_os_error(40).kind()
}

#[test]
fn symlinks_are_followed_by_every_call_but_the_link_ones() {
    let fs = MemFs::new();
    fs.create_dir_all("/releases/v1").unwrap();
    fs.write("/releases/v1/app.conf", "v1").unwrap();
    fs.symlink("releases/v1", "/current").unwrap();
    fs.symlink("/current/app.conf", "/conf").unwrap();
    assert_eq!(fs.read_to_string("/conf").unwrap(), "v1");
    fs.write("/conf", "edited").unwrap();
    assert_eq!(
        fs.read_to_string("/releases/v1/app.conf").unwrap(),
        "edited"
    );
    fs.append("/current/log", "x").unwrap();
    assert!(fs.is_file("/releases/v1/log"));
    let names: Vec<_> = fs
        .read_dir("/current")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    assert_eq!(names, ["app.conf", "log"]);
    assert!(fs.is_dir("/current") && fs.exists("/conf"));
    assert_eq!(
        fs.metadata("/current").unwrap().ino(),
        fs.metadata("/releases/v1").unwrap().ino()
    );
    let link = fs.symlink_metadata("/current").unwrap();
    assert!(link.file_type().is_symlink() && !link.is_dir());
    assert_eq!(fs.stats().symlinks, 2);
    // Removing the link leaves the target.
    fs.remove_file("/conf").unwrap();
    assert!(fs.exists("/releases/v1/app.conf"));
    // Renaming moves the link itself; a relative target now points elsewhere.
    fs.create_dir("/sub").unwrap();
    fs.rename("/current", "/sub/current").unwrap();
    assert_eq!(fs.read_link("/sub/current").unwrap(), "releases/v1");
    assert!(!fs.exists("/sub/current"));
    assert_eq!(fs.stats().used, 7);
}

#[test]
fn dangling_links_create_their_target() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.symlink("/d/target", "/link").unwrap();
    assert!(!fs.exists("/link"));
    assert_eq!(fs.read("/link").unwrap_err().kind(), ErrorKind::NotFound);
    // As open(O_CREAT) on Linux: the file is made where the link points.
    fs.write("/link", "made").unwrap();
    assert_eq!(fs.read_to_string("/d/target").unwrap(), "made");
    // O_EXCL does not follow: the link itself is in the way.
    let err = fs
        .options()
        .write(true)
        .create_new(true)
        .open("/link")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
}

#[test]
fn link_loops_and_bad_targets_are_clear_errors() {
    let fs = MemFs::new();
    fs.symlink("/b", "/a").unwrap();
    fs.symlink("/a", "/b").unwrap();
    let err = fs.read("/a").unwrap_err();
    assert_eq!(err.kind(), eloop());
    assert!(
        err.to_string()
            .contains("too many levels of symbolic links"),
        "{err}"
    );
    assert_eq!(fs.metadata("/a/x").unwrap_err().kind(), eloop());
    assert!(fs.symlink_metadata("/a").is_ok());
    // A chain of 40 is fine, 41 is not.
    fs.write("/t0", "end").unwrap();
    for i in 1..=41 {
        fs.symlink(format!("/t{}", i - 1), format!("/t{i}"))
            .unwrap();
    }
    assert_eq!(fs.read_to_string("/t40").unwrap(), "end");
    assert_eq!(fs.read("/t41").unwrap_err().kind(), eloop());
    let kind = |target: &str, link: &str| fs.symlink(target, link).unwrap_err().kind();
    assert_eq!(kind("", "/x"), ErrorKind::InvalidInput);
    assert_eq!(kind("a\0b", "/x"), ErrorKind::InvalidInput);
    assert_eq!(kind(&"x".repeat(4096), "/x"), ErrorKind::InvalidFilename);
    assert_eq!(kind("/t0", "/t0"), ErrorKind::AlreadyExists);
    assert_eq!(kind("/t0", "/a"), ErrorKind::AlreadyExists);
    assert_eq!(kind("/t0", "/"), ErrorKind::AlreadyExists);
    assert_eq!(kind("/t0", "/missing/x"), ErrorKind::NotFound);
    assert_eq!(
        fs.read_link("/t0").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        fs.read_link("/nope").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // `..` in a target stops at the root, as the kernel resolves it.
    fs.symlink("../../../t0", "/up").unwrap();
    assert_eq!(fs.read_to_string("/up").unwrap(), "end");
}

#[test]
fn directories_and_trees_with_links() {
    let fs = MemFs::builder().max_nodes(20).build().unwrap();
    fs.create_dir_all("/src/real").unwrap();
    fs.write("/src/real/f", "1").unwrap();
    fs.symlink("real", "/src/alias").unwrap();
    // mkdir -p through and onto a link to a directory.
    fs.create_dir_all("/src/alias/deeper").unwrap();
    assert!(fs.is_dir("/src/real/deeper"));
    fs.create_dir_all("/src/alias").unwrap();
    assert_eq!(
        fs.create_dir("/src/alias").unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        fs.remove_dir("/src/alias").unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    // Walks list links and do not descend into them.
    let walked: Vec<_> = fs
        .walk("/src")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(
        walked,
        [
            "/src",
            "/src/alias",
            "/src/real",
            "/src/real/deeper",
            "/src/real/f"
        ]
    );
    // copy_dir_all copies links as links (cp -R).
    fs.copy_dir_all("/src", "/copy").unwrap();
    assert_eq!(fs.read_link("/copy/alias").unwrap(), "real");
    assert_eq!(fs.read_to_string("/copy/alias/f").unwrap(), "1");
    // A hard link to a symbolic link links the link itself.
    fs.hard_link("/src/alias", "/twin").unwrap();
    assert_eq!(fs.symlink_metadata("/twin").unwrap().nlink(), 2);
    assert_eq!(fs.read_link("/twin").unwrap(), "real");
    // remove_dir_all on a link removes the link only.
    fs.remove_dir_all("/src/alias").unwrap();
    assert!(fs.exists("/src/real/f"));
    let nodes_before = fs.stats().nodes;
    fs.remove_dir_all("/copy").unwrap();
    assert!(fs.stats().nodes < nodes_before);
    fs.remove_file("/twin").unwrap();
    assert_eq!(fs.stats().symlinks, 0);
}

#[test]
fn links_respect_the_node_limit() {
    let fs = MemFs::builder().max_nodes(2).build().unwrap();
    fs.symlink("/x", "/a").unwrap();
    assert_eq!(
        fs.symlink("/x", "/b").unwrap_err().kind(),
        ErrorKind::QuotaExceeded
    );
    assert_eq!((fs.stats().nodes, fs.stats().symlinks), (2, 1));
}

#[test]
fn glob_lists_links_without_descending() {
    let fs = MemFs::new();
    fs.create_dir("/real").unwrap();
    fs.write("/real/f", "x").unwrap();
    fs.symlink("/real", "/l").unwrap();
    assert_eq!(fs.glob("/*").unwrap(), ["/l", "/real"]);
    assert!(fs.glob("/l/*").unwrap().is_empty());
    assert_eq!(fs.glob("/**/f").unwrap(), ["/real/f"]);
}

#[test]
fn import_tree_replacing_both_names_of_a_hard_linked_file_frees_its_bytes() {
    let fs = MemFs::with_quota(1000);
    fs.write("/a", [7u8; 100]).unwrap();
    fs.hard_link("/a", "/b").unwrap();
    assert_eq!(fs.stats().used, 100);
    fs.import_tree([("/a", "x"), ("/b", "y")]).unwrap();
    // Two new one-byte files; the 100-byte inode has no name and no handle any more.
    assert_eq!(fs.stats().files, 2);
    assert_eq!(
        fs.stats().used,
        2,
        "the replaced inode's bytes stay charged forever"
    );
}
