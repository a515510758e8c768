//! `OsFs` beyond the conformance suite: confinement to its root (symbolic links out of it,
//! `..`, absolute paths, for attributes and hard links too), what listings make of links and
//! special files, errors (virtual paths, the OS error kept as the source), and, in
//! `differences`, each side of the differences between `OsFs` and `MemFs` that the suite
//! cannot check.

use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use dmemfs_core::error::{ArgError, PathError};
use dmemfs_core::{FileSystem, FileTimes, FsError, Op, OsFs, Permissions, Reason};
use tempfile::TempDir;

use crate::common::*;

// Where OsFs and MemFs differ: each side's behaviour.
mod differences;

/// A fresh `OsFs` on a temporary directory.
fn os_fs() -> (OsFs, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (OsFs::new(dir.path()).unwrap(), dir)
}

/// Asserts an escape through a link: `PermissionDenied`, `Reason::EscapesRoot`, the virtual
/// path in the payload and no host path in the message.
#[track_caller]
fn escapes<T: std::fmt::Debug>(result: std::io::Result<T>, op: Op, path: &str, host: &Path) {
    let err = result.expect_err("an escape through a link must fail");
    let message = err.to_string();
    let payload = expect_err::<()>(Err(err), ErrorKind::PermissionDenied);
    assert_eq!(payload.reason(), &Reason::EscapesRoot, "{message}");
    assert_eq!((payload.op(), payload.path()), (op, path), "{message}");
    assert!(!message.contains(&*host.to_string_lossy()), "{message}");
}

/// Every file below `dir` with its contents, read through `std::fs`.
fn host_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(entry.path()).unwrap_or_default())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn new_refuses_missing_directories_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = expect_err(OsFs::new(&missing), ErrorKind::NotFound);
    assert_eq!(err.op(), Op::Build);
    std::fs::write(dir.path().join("file"), "x").unwrap();
    expect_err(OsFs::new(dir.path().join("file")), ErrorKind::NotADirectory);
    let fs = OsFs::new(dir.path()).unwrap();
    assert_eq!(fs.host_root(), dir.path());
    assert!(format!("{fs:?}").starts_with("OsFs"));
}

#[test]
fn files_are_shared_with_the_host_below_the_root() {
    let (fs, dir) = os_fs();
    fs.create_dir_all("/out/logs").unwrap();
    fs.write("/out/logs/run.log", b"from OsFs").unwrap();
    let host = dir.path().join("out/logs/run.log");
    assert_eq!(std::fs::read_to_string(&host).unwrap(), "from OsFs");
    std::fs::write(dir.path().join("out/host.txt"), "from the host").unwrap();
    assert_eq!(fs.read_to_string("/out/host.txt").unwrap(), "from the host");
    // Absolute virtual paths start at the root, not at the host's `/`.
    expect_err(fs.write("/etc/passwd", b"x"), ErrorKind::NotFound);
    fs.create_dir_all("/etc").unwrap();
    fs.write("/etc/passwd", b"inside the root").unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("etc/passwd")).unwrap(),
        "inside the root"
    );
}

#[test]
fn dot_dot_never_reaches_the_disk() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let fs = OsFs::new(&root).unwrap();
    for bad in ["../x", "/../x", "/a/../../x", "..\\x"] {
        let err = expect_err(fs.write(bad, b"escaped"), ErrorKind::InvalidInput);
        assert_eq!(err.reason(), &Reason::InvalidPath(PathError::AboveRoot));
        expect_err(fs.create_dir_all(bad), ErrorKind::InvalidInput);
    }
    let names: Vec<_> = std::fs::read_dir(parent.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["root"], "nothing was created beside the root");
}

#[test]
fn a_symlink_out_of_the_root_is_refused_for_every_operation() {
    let (fs, dir) = os_fs();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "secret").unwrap();
    symlink(outside.path(), dir.path().join("out")).unwrap();
    fs.write("/f", b"inside").unwrap();
    let host = dir.path();

    escapes(fs.read("/out/secret"), Op::Read, "/out/secret", host);
    escapes(fs.metadata("/out"), Op::Metadata, "/out", host);
    escapes(fs.read_dir("/out"), Op::ReadDir, "/out", host);
    escapes(fs.walk("/out"), Op::Walk, "/out", host);
    escapes(fs.open("/out/secret"), Op::Open, "/out/secret", host);
    escapes(fs.create("/out/new"), Op::Create, "/out/new", host);
    escapes(fs.write("/out/new", b"x"), Op::Write, "/out/new", host);
    escapes(
        fs.append("/out/secret", b"x"),
        Op::Append,
        "/out/secret",
        host,
    );
    escapes(fs.create_dir("/out/d"), Op::CreateDir, "/out/d", host);
    escapes(
        fs.create_dir_all("/out/a/b"),
        Op::CreateDirAll,
        "/out/a/b",
        host,
    );
    escapes(
        fs.remove_file("/out/secret"),
        Op::RemoveFile,
        "/out/secret",
        host,
    );
    escapes(
        fs.copy("/out/secret", "/stolen"),
        Op::Copy,
        "/out/secret",
        host,
    );
    escapes(fs.copy("/f", "/out/planted"), Op::Copy, "/f", host);
    escapes(fs.rename("/f", "/out/planted"), Op::Rename, "/f", host);
    escapes(
        fs.rename("/out/secret", "/stolen"),
        Op::Rename,
        "/out/secret",
        host,
    );
    escapes(
        fs.copy_dir_all("/out", "/copy"),
        Op::CopyDirAll,
        "/out",
        host,
    );
    assert!(!fs.exists("/out") && !fs.exists("/out/secret"));
    assert!(fs.glob("/out/*").unwrap().is_empty());

    assert_eq!(
        host_files(outside.path()),
        [("secret".to_owned(), b"secret".to_vec())]
    );
    assert!(!fs.exists("/stolen") && !fs.exists("/copy"));
    assert_eq!(fs.read("/f").unwrap(), b"inside");
    // Removing the link removes the link, not what it points to.
    fs.remove_dir_all("/out").unwrap();
    assert!(outside.path().join("secret").exists());
}

#[test]
fn links_to_a_sibling_or_an_absolute_path_are_refused() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(parent.path().join("sibling.txt"), "sibling").unwrap();
    std::fs::write(root.join("inside.txt"), "inside").unwrap();
    symlink("../sibling.txt", root.join("sib")).unwrap();
    // Absolute, even though it points into the root: its meaning depends on the host.
    symlink(root.join("inside.txt"), root.join("abs")).unwrap();
    let fs = OsFs::new(&root).unwrap();

    escapes(fs.read("/sib"), Op::Read, "/sib", &root);
    escapes(fs.write("/sib", b"overwritten"), Op::Write, "/sib", &root);
    escapes(fs.read("/abs"), Op::Read, "/abs", &root);
    escapes(fs.write("/abs", b"overwritten"), Op::Write, "/abs", &root);
    assert_eq!(
        std::fs::read_to_string(parent.path().join("sibling.txt")).unwrap(),
        "sibling"
    );
    assert_eq!(fs.read_to_string("/inside.txt").unwrap(), "inside");
    // Left out of listings: they name nothing an OsFs can reach.
    assert_eq!(fs.glob("/*").unwrap(), ["/inside.txt"]);
}

#[test]
fn links_inside_the_root_are_followed_but_never_walked_into() {
    let (fs, dir) = os_fs();
    fs.create_dir("/d").unwrap();
    fs.write("/d/x", b"x").unwrap();
    fs.write("/f", b"file").unwrap();
    symlink("f", dir.path().join("link_f")).unwrap();
    symlink("d", dir.path().join("link_d")).unwrap();
    // A loop: walking into it would never end.
    symlink("..", dir.path().join("d/up")).unwrap();

    assert_eq!(fs.read("/link_f").unwrap(), b"file");
    assert_eq!(fs.read("/link_d/x").unwrap(), b"x");
    let listed: Vec<_> = fs
        .read_dir("/")
        .unwrap()
        .map(Result::unwrap)
        .map(|e| (e.path().to_owned(), e.file_type().is_dir()))
        .collect();
    assert_eq!(
        listed,
        [
            ("/d".to_owned(), true),
            ("/f".to_owned(), false),
            ("/link_d".to_owned(), true),
            ("/link_f".to_owned(), false),
        ]
    );
    assert_eq!(
        fs.read_dir("/link_d")
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
        "/link_d/up"
    );
    let walked: Vec<String> = fs
        .walk("/")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(
        walked,
        ["/", "/d", "/d/up", "/d/x", "/f", "/link_d", "/link_f"]
    );
    assert_eq!(fs.glob("/**/x").unwrap(), ["/d/x"]);
    // copy_dir_all copies what walk yields: the looping link becomes an empty directory.
    fs.copy_dir_all("/d", "/copy").unwrap();
    assert!(fs.read_dir("/copy/up").unwrap().next().is_none());
    // Removing a link leaves its target.
    fs.remove_file("/link_f").unwrap();
    assert_eq!(fs.read("/f").unwrap(), b"file");
}

#[test]
fn links_and_attributes_stay_inside_the_root() {
    let (fs, dir) = os_fs();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret");
    std::fs::write(&secret, "secret").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = std::fs::metadata(&secret).unwrap();
    symlink(outside.path(), dir.path().join("out")).unwrap();
    symlink(&secret, dir.path().join("abs")).unwrap();
    fs.write("/f", b"inside").unwrap();
    let (host, then) = (dir.path(), SystemTime::UNIX_EPOCH);
    let perm = Permissions::from_mode(0o777);
    let times = FileTimes::new().set_modified(then);

    for path in ["/out/secret", "/abs"] {
        let chmod = fs.set_permissions(path, perm);
        escapes(chmod, Op::SetPermissions, path, host);
        escapes(fs.set_times(path, times), Op::SetTimes, path, host);
        escapes(fs.set_modified(path, then), Op::SetTimes, path, host);
    }
    let (original, link) = ("/out/secret", "/stolen");
    escapes(fs.hard_link(original, link), Op::HardLink, original, host);
    escapes(fs.hard_link("/f", "/out/planted"), Op::HardLink, "/f", host);
    let after = std::fs::metadata(&secret).unwrap();
    let unchanged = (0o100600, before.modified().unwrap(), 1);
    assert_eq!(
        (after.mode(), after.modified().unwrap(), after.nlink()),
        unchanged
    );
    assert_eq!(
        host_files(outside.path()),
        [("secret".to_owned(), b"secret".to_vec())]
    );
    assert!(!fs.exists("/stolen"));

    // A link that stays inside is followed: its target's attributes change.
    symlink("f", dir.path().join("link_f")).unwrap();
    fs.set_permissions("/link_f", Permissions::from_mode(0o600))
        .unwrap();
    fs.set_modified("/link_f", then).unwrap();
    let target = std::fs::metadata(dir.path().join("f")).unwrap();
    assert_eq!(
        (target.mode(), target.modified().unwrap()),
        (0o100600, then)
    );
    // hard_link links a symbolic link itself, as std::fs::hard_link on Linux: still a link.
    fs.hard_link("/link_f", "/link_2").unwrap();
    assert!(
        std::fs::symlink_metadata(dir.path().join("link_2"))
            .unwrap()
            .is_symlink()
    );
    assert_eq!(fs.read("/link_2").unwrap(), b"inside");
}

#[test]
fn listings_leave_out_what_virtual_paths_cannot_name() {
    let (fs, dir) = os_fs();
    fs.write("/plain", b"").unwrap();
    symlink("nowhere", dir.path().join("dangling")).unwrap();
    symlink("/etc/hostname", dir.path().join("escaping")).unwrap();
    std::fs::write(dir.path().join("back\\slash"), "").unwrap();
    let not_utf8 = std::ffi::OsStr::from_bytes(b"bad\xffname");
    std::fs::write(dir.path().join(not_utf8), "").unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();

    let names: Vec<_> = fs
        .read_dir("/")
        .unwrap()
        .map(Result::unwrap)
        .map(|e| e.file_name().to_owned())
        .collect();
    assert_eq!(names, ["plain"]);
    assert_eq!(fs.walk("/").unwrap().count(), 2);
    let err = expect_err(fs.metadata("/sock"), ErrorKind::Unsupported);
    // Not opened to set its times (a FIFO would wait for a writer).
    expect_err(
        fs.set_times("/sock", FileTimes::new()),
        ErrorKind::Unsupported,
    );
    assert!(matches!(err.reason(), Reason::Os { .. }));
    // Refused by OsFs itself, not reported by the OS: the message says why, and there is no
    // separate cause.
    assert!(
        err.to_string()
            .contains("neither a regular file nor a directory"),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_none());
    expect_err(fs.metadata("/dangling"), ErrorKind::NotFound);
}

#[test]
fn copy_refuses_the_same_file_under_another_name_and_keeps_permissions() {
    let (fs, dir) = os_fs();
    fs.write("/f", b"precious").unwrap();
    std::fs::hard_link(dir.path().join("f"), dir.path().join("hard")).unwrap();
    symlink("f", dir.path().join("soft")).unwrap();
    for other in ["/hard", "/soft"] {
        let err = expect_err(fs.copy("/f", other), ErrorKind::InvalidInput);
        assert_eq!(err.op(), Op::Copy);
    }
    assert_eq!(fs.read("/f").unwrap(), b"precious");

    std::fs::set_permissions(dir.path().join("f"), std::fs::Permissions::from_mode(0o640)).unwrap();
    fs.copy("/f", "/copy").unwrap();
    let mode = std::fs::metadata(dir.path().join("copy"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn errors_name_virtual_paths_only() {
    let (fs, dir) = os_fs();
    fs.write("/f", b"x").unwrap();
    let host = dir.path().to_string_lossy().into_owned();
    let errors = [
        fs.read("/missing").unwrap_err(),
        fs.read("/f/x").unwrap_err(),
        fs.create_dir("/f").unwrap_err(),
        fs.rename("/nope", "/x").unwrap_err(),
        fs.copy("/f", "/nope/x").unwrap_err(),
        fs.open("/").unwrap_err(),
    ];
    for err in errors {
        let payload = FsError::from_io(&err).expect("an FsError payload");
        assert!(payload.path().starts_with('/'), "{err}");
        assert!(!err.to_string().contains(&host), "host path leaked: {err}");
    }
}

#[test]
fn the_root_keeps_working_when_the_host_directory_is_renamed() {
    let parent = tempfile::tempdir().unwrap();
    std::fs::create_dir(parent.path().join("before")).unwrap();
    let fs = OsFs::new(parent.path().join("before")).unwrap();
    std::fs::rename(parent.path().join("before"), parent.path().join("after")).unwrap();
    fs.write("/still-here", b"yes").unwrap();
    assert!(parent.path().join("after/still-here").is_file());
}

#[test]
fn an_arc_dyn_file_system_is_shared_across_threads() {
    let (fs, _dir) = os_fs();
    let shared: Arc<dyn FileSystem> = Arc::new(fs);
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let fs = Arc::clone(&shared);
            std::thread::spawn(move || fs.write(&format!("/t{i}"), b"done"))
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
    }
    assert_eq!(shared.glob("/t*").unwrap().len(), 4);
}

#[test]
fn errors_keep_the_os_error_as_their_source() {
    let (fs, _dir) = os_fs();
    fs.write("/f", b"x").unwrap();
    fs.create_dir_all("/full/inner").unwrap();
    // (the failure, the reason a MemFs gives, the errno the host gave)
    let cases = [
        (
            fs.read("/missing").map(drop),
            Reason::NotFound,
            libc_errno::ENOENT,
        ),
        (
            fs.create_dir("/f/x"),
            Reason::NotADirectory,
            libc_errno::ENOTDIR,
        ),
        (
            fs.remove_dir("/full"),
            Reason::DirectoryNotEmpty,
            libc_errno::ENOTEMPTY,
        ),
        // Named more precisely than the errno, which is kept all the same.
        (
            fs.rename("/full", "/full/inner/x"),
            Reason::InvalidArgument(ArgError::IntoItself),
            libc_errno::EINVAL,
        ),
        (
            fs.hard_link("/full", "/l"),
            Reason::LinkToDirectory,
            libc_errno::EPERM,
        ),
    ];
    for (result, reason, errno) in cases {
        let err = result.expect_err("fails");
        let detail = FsError::from_io(&err).expect("an FsError payload");
        assert_eq!(detail.reason(), &reason, "{err}");
        let source = std::error::Error::source(detail).expect("a source");
        let os = source
            .downcast_ref::<std::io::Error>()
            .expect("the OS error");
        assert_eq!(os.raw_os_error(), Some(errno), "{err}");
    }
    // The source is left out of equality: the same failure as a MemFs's.
    let err = fs.read("/missing").unwrap_err();
    let expected = FsError::new(Op::Read, "/missing", Reason::NotFound);
    assert_eq!(FsError::from_io(&err), Some(&expected));
}

/// Linux's errno values (asm-generic/errno-base.h and errno.h).
mod libc_errno {
    pub(super) const EPERM: i32 = 1;
    pub(super) const ENOENT: i32 = 2;
    pub(super) const ENOTDIR: i32 = 20;
    pub(super) const EINVAL: i32 = 22;
    pub(super) const ENOTEMPTY: i32 = 39;
}
