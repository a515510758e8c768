//! `impl vfs::FileSystem for MemFs`: vfs's own conformance suite, then what code written for
//! vfs gets from dmemfs (quota, locks, the harness) and how errors map.

use std::io::{self, ErrorKind, Read, Seek, Write};
use std::time::{Duration, Instant};

use dmemfs_core::{FsError, MemFs, Op};
use dmemfs_test::with_memfs;
use vfs::error::VfsErrorKind;
use vfs::{FileSystem, VfsError, VfsFileType, VfsPath};

use crate::common::test_fs;

/// vfs's conformance suite, a fresh filesystem per case. Its generated module takes `Read`,
/// `Write` and `MemFs` from here (`use super::*`); its code is vfs's, so clippy's style lints do
/// not apply to it.
#[allow(clippy::useless_vec)]
mod suite {
    use std::io::{Read, Write};

    use dmemfs_core::MemFs;

    vfs::test_vfs!(MemFs::new());
}

/// The `io::Error` a vfs error was mapped from: its source, or itself for `IoError`.
fn io_of(err: &VfsError) -> &io::Error {
    let source = match err.kind() {
        VfsErrorKind::IoError(io) => return io,
        _ => std::error::Error::source(err).expect("a mapped error keeps its cause"),
    };
    // vfs keeps the cause boxed, and hands out the box as the source.
    match source
        .downcast_ref::<Box<VfsError>>()
        .map(|cause| cause.kind())
    {
        Some(VfsErrorKind::IoError(io)) => io,
        other => panic!("unexpected cause {other:?}"),
    }
}

fn detail(err: &VfsError) -> &FsError {
    FsError::from_io(io_of(err)).expect("an FsError inside")
}

#[test]
fn the_quota_holds_through_vfs_writers() {
    let fs = MemFs::with_quota(10);
    let root: VfsPath = fs.clone().into();
    let mut file = root.join("a.bin").unwrap().create_file().unwrap();
    file.write_all(&[1; 8]).unwrap();
    // A write that does not fit fails at once and writes nothing; nothing waits for drop.
    let err = file.write(&[2; 3]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
    assert_eq!(FsError::from_io(&err).unwrap().path(), "/a.bin");
    drop(file);
    assert_eq!(fs.read("/a.bin").unwrap(), [1; 8]);
    assert_eq!(fs.stats().used, 8);

    // A whole-file copy that does not fit is refused before anything is written.
    let err = root
        .join("a.bin")
        .unwrap()
        .copy_file(&root.join("b.bin").unwrap())
        .unwrap_err();
    assert_eq!(io_of(&err).kind(), ErrorKind::StorageFull);
    assert!(!fs.exists("/b.bin"));
}

#[test]
fn the_node_limit_holds_through_vfs() {
    let fs = MemFs::builder().max_nodes(3).build().unwrap();
    let root: VfsPath = fs.clone().into();
    root.join("a/b").unwrap().create_dir_all().unwrap();
    let err = root.join("a/b/c").unwrap().create_dir().unwrap_err();
    assert_eq!(io_of(&err).kind(), ErrorKind::QuotaExceeded);
    assert_eq!(fs.stats().nodes, 3);
}

#[test]
fn a_vfs_writer_holds_the_files_lock() {
    let fs = test_fs(1 << 20);
    let root: VfsPath = fs.clone().into();
    let path = root.join("busy.txt").unwrap();
    let mut writer = path.create_file().unwrap();
    writer.write_all(b"half").unwrap();

    // Readers, through vfs or not, wait for the writer (up to the lock timeout) rather than
    // seeing a half-written file; removal is refused while it is open.
    let started = Instant::now();
    let err = path.read_to_string().unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(40));
    assert_eq!(io_of(&err).kind(), ErrorKind::WouldBlock);
    assert_eq!(detail(&err).path(), "/busy.txt");
    let err = path.remove_file().unwrap_err();
    assert_eq!(io_of(&err).kind(), ErrorKind::ResourceBusy);

    writer.write_all(b" done").unwrap();
    drop(writer);
    assert_eq!(path.read_to_string().unwrap(), "half done");
}

#[test]
fn an_open_vfs_reader_is_a_snapshot_and_holds_no_lock() {
    let fs = test_fs(1 << 20);
    let root: VfsPath = fs.clone().into();
    let path = root.join("data.txt").unwrap();
    path.create_file().unwrap().write_all(b"v1").unwrap();
    let mut reader = path.open_file().unwrap();

    // The file can be rewritten and even removed while the reader is open, as on Linux.
    fs.write("/data.txt", "v2").unwrap();
    let mut seen = String::new();
    reader.read_to_string(&mut seen).unwrap();
    assert_eq!(seen, "v1");
    path.remove_file().unwrap();
    assert!(!fs.exists("/data.txt"));
    assert_eq!(fs.stats().open_handles, 0);
}

#[test]
fn moving_a_file_to_another_vfs_filesystem_removes_the_source() {
    // vfs copies across filesystems, then removes the source while its reader is still open.
    let ours: VfsPath = MemFs::new().into();
    let theirs: VfsPath = vfs::MemoryFS::new().into();
    let src = ours.join("report.csv").unwrap();
    src.create_file().unwrap().write_all(b"a,b\n").unwrap();
    let dest = theirs.join("report.csv").unwrap();
    src.move_file(&dest).unwrap();
    assert!(!src.exists().unwrap());
    assert_eq!(dest.read_to_string().unwrap(), "a,b\n");
}

#[test]
fn append_file_needs_an_existing_file_and_writes_at_the_end() {
    let fs = MemFs::new();
    let root: VfsPath = fs.clone().into();
    let path = root.join("log").unwrap();
    let err = path
        .append_file()
        .err()
        .expect("appending to a missing file fails");
    assert!(matches!(err.kind(), VfsErrorKind::FileNotFound));
    assert!(!fs.exists("/log"));
    fs.write("/log", "a").unwrap();
    let mut file = path.append_file().unwrap();
    file.seek(io::SeekFrom::Start(0)).unwrap();
    file.write_all(b"b").unwrap();
    drop(file);
    assert_eq!(fs.read("/log").unwrap(), b"ab");
}

#[test]
fn not_found_keeps_the_operation_and_path_in_its_cause() {
    let fs = MemFs::new();
    let err = FileSystem::remove_file(&fs, "/missing").unwrap_err();
    assert!(matches!(err.kind(), VfsErrorKind::FileNotFound));
    let detail = detail(&err);
    assert_eq!(
        (detail.op(), detail.path(), detail.kind()),
        (Op::RemoveFile, "/missing", ErrorKind::NotFound)
    );
}

#[test]
fn already_exists_says_what_is_there() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "").unwrap();
    let err = FileSystem::create_dir(&fs, "/d").unwrap_err();
    assert!(matches!(err.kind(), VfsErrorKind::DirectoryExists));
    assert_eq!(io_of(&err).kind(), ErrorKind::AlreadyExists);
    let err = FileSystem::create_dir(&fs, "/f").unwrap_err();
    assert!(matches!(err.kind(), VfsErrorKind::FileExists));
    assert_eq!(detail(&err).op(), Op::CreateDir);
    // The root is a directory that exists, so `create_dir_all` on any path works.
    let err = FileSystem::create_dir(&fs, "").unwrap_err();
    assert!(matches!(err.kind(), VfsErrorKind::DirectoryExists));
}

#[test]
fn other_errors_are_our_io_errors_unchanged() {
    let fs = MemFs::new();
    fs.create_dir_all("/d/e").unwrap();
    let err = FileSystem::remove_dir(&fs, "/d").unwrap_err();
    let VfsErrorKind::IoError(io) = err.kind() else {
        panic!("expected IoError, got {err:?}");
    };
    assert_eq!(io.kind(), ErrorKind::DirectoryNotEmpty);
    assert_eq!(FsError::from_io(io).unwrap().op(), Op::RemoveDir);
    let err = FileSystem::metadata(&fs, "/../x").unwrap_err();
    assert!(matches!(err.kind(), VfsErrorKind::InvalidPath));
    assert_eq!(io_of(&err).kind(), ErrorKind::InvalidInput);
}

#[test]
fn metadata_maps_type_length_and_times() {
    let fs = MemFs::new();
    fs.write("/f", "four").unwrap();
    let meta = FileSystem::metadata(&fs, "/f").unwrap();
    assert_eq!((meta.file_type, meta.len), (VfsFileType::File, 4));
    let ours = fs.metadata("/f").unwrap();
    assert_eq!(meta.created, Some(ours.created().unwrap()));
    assert_eq!(meta.modified, Some(ours.modified().unwrap()));
    assert_eq!(meta.accessed, None);
    let root = FileSystem::metadata(&fs, "").unwrap();
    assert_eq!((root.file_type, root.len), (VfsFileType::Directory, 0));
}

#[test]
fn timestamps_cannot_be_set() {
    let fs = MemFs::new();
    fs.write("/f", "").unwrap();
    let now = std::time::SystemTime::now();
    for result in [
        fs.set_creation_time("/f", now),
        fs.set_modification_time("/f", now),
        fs.set_access_time("/f", now),
    ] {
        assert!(matches!(
            result.unwrap_err().kind(),
            VfsErrorKind::NotSupported
        ));
    }
}

#[test]
fn moves_and_copies_are_atomic_renames_and_copies() {
    let fs = test_fs(1 << 20);
    let root: VfsPath = fs.clone().into();
    root.join("src/sub").unwrap().create_dir_all().unwrap();
    root.join("src/sub/a.txt")
        .unwrap()
        .create_file()
        .unwrap()
        .write_all(b"a")
        .unwrap();
    let before = fs.metadata("/src/sub/a.txt").unwrap();
    root.join("src")
        .unwrap()
        .move_dir(&root.join("dst").unwrap())
        .unwrap();
    // A rename: the node moves with its metadata, nothing is copied.
    assert_eq!(fs.metadata("/dst/sub/a.txt").unwrap(), before);
    assert!(!fs.exists("/src"));

    // Copying onto a file a handle holds waits for it (here, past the lock timeout), and a
    // copy that fails changes nothing.
    fs.write("/b.txt", "old").unwrap();
    let open = fs.open("/b.txt").unwrap();
    let err = FileSystem::copy_file(&fs, "/dst/sub/a.txt", "/b.txt").unwrap_err();
    assert_eq!(io_of(&err).kind(), ErrorKind::WouldBlock);
    drop(open);
    assert_eq!(fs.read("/b.txt").unwrap(), b"old");
}

#[with_memfs(quota = "1K", lock_timeout = "100ms")]
#[test]
fn works_with_the_harness(fs: MemFs) {
    let root: VfsPath = fs.clone().into();
    root.join("out").unwrap().create_dir().unwrap();
    root.join("out/result.txt")
        .unwrap()
        .create_file()
        .unwrap()
        .write_all(b"ok")
        .unwrap();
    let names: Vec<String> = root
        .join("out")
        .unwrap()
        .read_dir()
        .unwrap()
        .map(|p| p.filename())
        .collect();
    assert_eq!(names, ["result.txt"]);
    assert_eq!(fs.stats().used, 2);
    let err = root
        .join("out/big")
        .unwrap()
        .create_file()
        .unwrap()
        .write(&[0; 2000])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
}
