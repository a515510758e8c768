//! Cases the differential run found where dmemfs disagreed with the kernel, each a minimal
//! test that compares with it.

use std::io::ErrorKind;
use std::path::Path;

use dmemfs_core::MemFs;

/// A fresh directory on the RAM disk (or in `/tmp`), for the kernel's answer.
fn linux_dir() -> tempfile::TempDir {
    let base = if Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "/tmp"
    };
    tempfile::tempdir_in(base).unwrap()
}

/// The error kind `std::fs` gives for `op` on a fresh directory prepared by `setup`.
fn linux_kind(
    setup: impl Fn(&Path),
    op: impl Fn(&Path) -> std::io::Result<()>,
) -> Option<ErrorKind> {
    let dir = linux_dir();
    setup(dir.path());
    op(dir.path()).err().map(|e| e.kind())
}

/// Linux resolves the new name (missing parent, existing name, a file in its path) before it
/// refuses a directory (`vfs_link`'s EPERM); dmemfs answers PermissionDenied first.
#[test]
fn hard_link_of_a_directory_reports_the_new_names_errors_first() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "").unwrap();
    for link in ["/missing/x", "/f", "/f/x", "/d"] {
        let linux = linux_kind(
            |root| {
                std::fs::create_dir(root.join("d")).unwrap();
                std::fs::write(root.join("f"), "").unwrap();
            },
            |root| std::fs::hard_link(root.join("d"), root.join(&link[1..])),
        );
        let ours = fs.hard_link("/d", link).err().map(|e| e.kind());
        assert_eq!(ours, linux, "hard_link(\"/d\", {link:?})");
    }
}

/// `write` of nothing through an append handle: Linux returns 0 before it moves the offset to
/// the end (`generic_write_checks`); so does dmemfs (it once moved the cursor to the end).
#[test]
fn an_empty_write_through_an_append_handle_leaves_the_cursor() {
    use std::io::{Seek, SeekFrom, Write};
    let fs = MemFs::new();
    let mut file = fs.options().append(true).create(true).open("/a").unwrap();
    file.seek(SeekFrom::Start(1)).unwrap();
    assert_eq!(file.write(b"").unwrap(), 0);
    let dir = linux_dir();
    let mut linux = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.path().join("a"))
        .unwrap();
    linux.seek(SeekFrom::Start(1)).unwrap();
    assert_eq!(linux.write(b"").unwrap(), 0);
    assert_eq!(linux.stream_position().unwrap(), 1);
    assert_eq!(file.stream_position().unwrap(), 1);
}

/// `std::fs::copy` gives the destination the source's permission bits ("This function will
/// also copy the permission bits of the original file to the destination file"), new or
/// replaced; dmemfs's `copy`, which corresponds to it, leaves a new file 0o644 and a replaced
/// one as it was.
#[test]
fn copy_gives_the_destination_the_sources_permission_bits() {
    use dmemfs_core::Permissions;
    let fs = MemFs::new();
    fs.write("/a", "x").unwrap();
    fs.write("/old", "y").unwrap();
    fs.set_permissions("/a", Permissions::from_mode(0o600))
        .unwrap();
    fs.copy("/a", "/new").unwrap();
    fs.copy("/a", "/old").unwrap();
    let dir = linux_dir();
    let at = |name: &str| dir.path().join(name);
    std::fs::write(at("a"), "x").unwrap();
    std::fs::write(at("old"), "y").unwrap();
    std::fs::set_permissions(at("a"), std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    std::fs::copy(at("a"), at("new")).unwrap();
    std::fs::copy(at("a"), at("old")).unwrap();
    use std::os::unix::fs::MetadataExt;
    for name in ["new", "old"] {
        let linux = std::fs::metadata(at(name)).unwrap().mode();
        assert_eq!(linux, 0o100600);
        assert_eq!(
            fs.metadata(format!("/{name}")).unwrap().mode(),
            linux,
            "/{name}"
        );
    }
}
