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
