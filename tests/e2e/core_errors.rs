//! One test per `io::ErrorKind` the crate produces: the kind, the typed payload (operation,
//! path, reason) and a message that names the path.

use std::fmt::Debug;
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use dmemfs_core::{
    FsError, MAX_FILE_SIZE, MemFs, NAME_MAX, Op, PATH_MAX, Reason,
    error::{ArgError, HandleMode, PathError},
    guard::MemoryGuard,
};

use crate::common::*;

/// Asserts the kind, the operation and the path of a failure, and that its message starts
/// with the operation and names the path; returns the payload for the reason checks.
#[track_caller]
fn fails<T: Debug>(result: io::Result<T>, kind: ErrorKind, op: Op, path: &str) -> FsError {
    let err = result.expect_err("the operation should have failed");
    let message = err.to_string();
    let payload = expect_err::<()>(Err(err), kind);
    assert_eq!(payload.op(), op, "wrong op: {message}");
    assert_eq!(payload.path(), path, "wrong path: {message}");
    let head = match (op, path) {
        // Building a filesystem names no path.
        (Op::Build, "") => format!("{}: ", op.name()),
        _ => format!("{} `{path}`", op.name()),
    };
    assert!(message.starts_with(&head), "{message}");
    assert_eq!(message, payload.to_string());
    payload
}

/// [`fails`] with the kind that `reason` maps to, plus the exact reason.
#[track_caller]
fn check<T: Debug>(result: io::Result<T>, op: Op, path: &str, reason: &Reason) -> FsError {
    let payload = fails(result, reason.kind(), op, path);
    assert_eq!(payload.reason(), reason);
    payload
}

/// Asserts the error's message (as `io::Error` displays it) contains `text`.
#[track_caller]
fn says(err: &FsError, text: &str) {
    let message = err.to_string();
    assert!(message.contains(text), "{message:?} lacks {text:?}");
}

#[test]
fn not_found() {
    let fs = test_fs(100);
    let nf = Reason::NotFound;
    let err = check(fs.read("/missing"), Op::Read, "/missing", &nf);
    assert_eq!(
        err.to_string(),
        "read `/missing`: no such file or directory"
    );
    check(fs.open("/a/b"), Op::Open, "/a/b", &nf);
    check(fs.metadata("/m"), Op::Metadata, "/m", &nf);
    check(fs.remove_file("m"), Op::RemoveFile, "m", &nf);
    check(fs.remove_dir("/m"), Op::RemoveDir, "/m", &nf);
    check(fs.read_dir("/m").map(drop), Op::ReadDir, "/m", &nf);
    let err = check(fs.copy("/m", "/dst"), Op::Copy, "/m", &nf);
    assert_eq!(err.target(), Some("/dst"));
    // Where the parent had to exist, the reason names it.
    let parent = |p: &str| Reason::ParentNotFound { parent: p.into() };
    let err = check(fs.write("/no/f", "x"), Op::Write, "/no/f", &parent("/no"));
    says(&err, "parent directory `/no` does not exist");
    check(fs.create("/x/y/z"), Op::Create, "/x/y/z", &parent("/x/y"));
    check(fs.create_dir("/x/y"), Op::CreateDir, "/x/y", &parent("/x"));
    assert_invariants(&fs);
    assert_eq!(fs.stats().nodes, 1);
}

#[test]
fn already_exists() {
    let fs = test_fs(100);
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap();
    let ae = Reason::AlreadyExists;
    check(fs.create_dir("/d"), Op::CreateDir, "/d", &ae);
    check(fs.create_dir("/f"), Op::CreateDir, "/f", &ae);
    check(fs.create_dir_all("/f"), Op::CreateDirAll, "/f", &ae);
    let new = fs.options().write(true).create_new(true).open("/f");
    let err = check(new, Op::Create, "/f", &ae);
    assert_eq!(err.to_string(), "create `/f`: already exists");
    assert_eq!(fs.read("/f").unwrap(), b"x");
}

#[test]
fn is_a_directory() {
    let fs = test_fs(100);
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap();
    let dir = Reason::IsADirectory;
    let err = check(fs.read("/d"), Op::Read, "/d", &dir);
    assert_eq!(err.to_string(), "read `/d`: is a directory");
    check(fs.read_to_string("/d"), Op::Read, "/d", &dir);
    check(fs.open("/d"), Op::Open, "/d", &dir);
    check(fs.open("/"), Op::Open, "/", &dir);
    check(fs.options().write(true).open("/"), Op::Open, "/", &dir);
    check(fs.create("/d"), Op::Create, "/d", &dir);
    check(fs.write("/d", "x"), Op::Write, "/d", &dir);
    check(fs.append("/d", "x"), Op::Append, "/d", &dir);
    check(fs.remove_file("/d"), Op::RemoveFile, "/d", &dir);
    let err = check(fs.copy("/d", "/x"), Op::Copy, "/d", &dir);
    assert_eq!(err.to_string(), "copy `/d` to `/x`: is a directory");
    let err = check(fs.copy("/f", "/d"), Op::Copy, "/f", &dir);
    assert_eq!(err.target(), Some("/d"));
    assert!(fs.is_dir("/d") && !fs.exists("/x"));
}

#[test]
fn not_a_directory() {
    let fs = test_fs(100);
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "x").unwrap();
    let nd = Reason::NotADirectory;
    check(fs.remove_dir("/d/f"), Op::RemoveDir, "/d/f", &nd);
    check(fs.remove_dir_all("/d/f"), Op::RemoveDirAll, "/d/f", &nd);
    check(fs.read_dir("/d/f").map(drop), Op::ReadDir, "/d/f", &nd);
    // A file in the middle of the path: the reason names it.
    let mid = Reason::ComponentNotADirectory {
        component: "/d/f".into(),
    };
    let err = check(fs.read("/d/f/x"), Op::Read, "/d/f/x", &mid);
    assert!(
        err.to_string()
            .ends_with(": `/d/f` is a file, not a directory"),
        "{err}"
    );
    check(fs.metadata("/d/f/x/y"), Op::Metadata, "/d/f/x/y", &mid);
    check(fs.open("/d/f/x"), Op::Open, "/d/f/x", &mid);
    check(fs.write("/d/f/x", "y"), Op::Write, "/d/f/x", &mid);
    check(fs.create("/d/f/x/y"), Op::Create, "/d/f/x/y", &mid);
    check(fs.create_dir("/d/f/x"), Op::CreateDir, "/d/f/x", &mid);
    check(
        fs.create_dir_all("/d/f/a/b"),
        Op::CreateDirAll,
        "/d/f/a/b",
        &mid,
    );
    check(fs.remove_file("/d/f/x"), Op::RemoveFile, "/d/f/x", &mid);
    assert_eq!(fs.stats().nodes, 3);
}

#[test]
fn directory_not_empty() {
    let fs = test_fs(100);
    fs.create_dir_all("/a/sub").unwrap();
    fs.create_dir_all("/b/keep").unwrap();
    let ne = Reason::DirectoryNotEmpty;
    let err = check(fs.remove_dir("/a"), Op::RemoveDir, "/a", &ne);
    assert_eq!(err.to_string(), "remove_dir `/a`: directory not empty");
    let err = check(fs.rename("/a", "/b"), Op::Rename, "/a", &ne);
    assert_eq!(err.target(), Some("/b"));
    assert!(fs.is_dir("/a/sub") && fs.is_dir("/b/keep"));
}

#[test]
fn storage_full_reports_requested_available_and_quota() {
    let fs = test_fs(10);
    fs.write("/a", "123456").unwrap();
    let full = |requested| Reason::QuotaExceeded {
        requested,
        available: 4,
        quota: 10,
    };
    let err = check(fs.write("/b", "12345"), Op::Write, "/b", &full(5));
    says(
        &err,
        "byte quota exceeded: 5 bytes requested, 4 of 10 available",
    );
    check(fs.append("/a", "12345"), Op::Append, "/a", &full(5));
    let err = check(fs.copy("/a", "/c"), Op::Copy, "/a", &full(6));
    assert_eq!(err.target(), Some("/c"));
    let preallocated = fs
        .options()
        .write(true)
        .create(true)
        .preallocate(9)
        .open("/p");
    check(preallocated, Op::Create, "/p", &full(9));
    let mut file = fs.create("h").unwrap();
    check(file.write(b"12345"), Op::Write, "/h", &full(5));
    check(file.set_len(20), Op::SetLen, "/h", &full(20));
    check(file.write_at(b"x", 4), Op::Write, "/h", &full(5));
    drop(file);
    assert_eq!((fs.stats().used, fs.stats().files), (6, 2));
    assert_invariants(&fs);
}

#[test]
fn quota_exceeded_at_the_node_limit() {
    let fs = MemFs::builder().max_nodes(3).build().unwrap();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap();
    let limit = |requested| Reason::NodeLimit {
        requested,
        current: 3,
        limit: 3,
    };
    let err = check(fs.write("/g", "x"), Op::Write, "/g", &limit(1));
    says(
        &err,
        "node limit reached: 1 new nodes requested, 3 of 3 in use",
    );
    check(fs.create("/g"), Op::Create, "/g", &limit(1));
    check(fs.create_dir("/e"), Op::CreateDir, "/e", &limit(1));
    check(
        fs.create_dir_all("/x/y"),
        Op::CreateDirAll,
        "/x/y",
        &limit(2),
    );
    check(fs.copy("/f", "/d/g"), Op::Copy, "/f", &limit(1));
    assert_eq!(fs.stats().nodes, 3);
}

#[test]
fn would_block_when_the_lock_is_held_past_the_timeout() {
    let fs = test_fs(100);
    fs.write("/f", "x").unwrap();
    let writer = fs.options().write(true).open("/f").unwrap();
    let started = Instant::now();
    let err = fails(fs.read("/f"), ErrorKind::WouldBlock, Op::Read, "/f");
    assert!(started.elapsed() >= SHORT);
    let waited_long_enough =
        matches!(err.reason(), Reason::LockTimeout { waited } if *waited >= SHORT);
    assert!(waited_long_enough, "{err}");
    says(&err, "file is locked by another handle; gave up after");
    let once = fs
        .options()
        .read(true)
        .lock_timeout(Some(Duration::ZERO))
        .open("/f");
    let err = fails(once, ErrorKind::WouldBlock, Op::Open, "/f");
    assert!(matches!(err.reason(), Reason::LockTimeout { .. }));
    fails(fs.write("/f", "y"), ErrorKind::WouldBlock, Op::Write, "/f");
    fails(
        fs.append("/f", "y"),
        ErrorKind::WouldBlock,
        Op::Append,
        "/f",
    );
    fails(fs.copy("/f", "/g"), ErrorKind::WouldBlock, Op::Copy, "/f");
    drop(writer);
    assert_eq!(fs.read("/f").unwrap(), b"x");
    assert!(!fs.exists("/g"));
}

#[test]
fn resource_busy_when_an_open_file_would_be_removed_or_moved() {
    let fs = test_fs(100);
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "x").unwrap();
    fs.write("/g", "y").unwrap();
    let _reader = fs.open("/d/f").unwrap();
    let busy = Reason::Busy {
        open: "/d/f".into(),
    };
    let err = check(fs.remove_file("/d/f"), Op::RemoveFile, "/d/f", &busy);
    assert_eq!(
        err.to_string(),
        "remove_file `/d/f`: `/d/f` is open in a handle"
    );
    let err = check(fs.rename("/d/f", "/h"), Op::Rename, "/d/f", &busy);
    assert_eq!(err.target(), Some("/h"));
    check(fs.rename("/g", "/d/f"), Op::Rename, "/g", &busy);
    check(fs.rename("/d", "/e"), Op::Rename, "/d", &busy);
    check(fs.move_path("/d", "/e/d"), Op::Move, "/d", &busy);
    check(fs.remove_dir_all("/d"), Op::RemoveDirAll, "/d", &busy);
    check(fs.import_tree([("d/f", "z")]), Op::ImportTree, "d/f", &busy);
    assert_eq!(fs.read("/d/f").unwrap(), b"x");
    assert_eq!(fs.read("/g").unwrap(), b"y");
}

#[test]
fn invalid_input_for_bad_paths() {
    let fs = test_fs(100);
    fs.write("/f", "x").unwrap();
    let above = Reason::InvalidPath(PathError::AboveRoot);
    let err = check(fs.read("/.."), Op::Read, "/..", &above);
    assert_eq!(
        err.to_string(),
        "read `/..`: invalid path: climbs above the root"
    );
    check(fs.write("a/../../b", "x"), Op::Write, "a/../../b", &above);
    check(fs.metadata("../f"), Op::Metadata, "../f", &above);
    let nul = Reason::InvalidPath(PathError::Nul);
    check(fs.read("/f\0"), Op::Read, "/f\0", &nul);
    check(fs.create_dir("\\a\0"), Op::CreateDir, "\\a\0", &nul);
    // Paths that are otherwise already in normal form.
    check(fs.write("/a\0b", "x"), Op::Write, "/a\0b", &nul);
    check(fs.create("/c\0"), Op::Create, "/c\0", &nul);
    assert_eq!(fs.stats().nodes, 2);
}

#[test]
fn invalid_input_for_the_root_where_a_name_is_needed() {
    let fs = test_fs(100);
    fs.write("/f", "x").unwrap();
    let no_name = Reason::InvalidPath(PathError::RootHasNoName);
    let err = check(fs.create("/"), Op::Create, "/", &no_name);
    assert_eq!(
        err.to_string(),
        "create `/`: invalid path: the root has no name"
    );
    let new = fs.options().write(true).create_new(true).open("");
    check(new, Op::Create, "", &no_name);
    check(fs.write("/", "x"), Op::Write, "/", &no_name);
    check(fs.append("//", "x"), Op::Append, "//", &no_name);
    check(fs.create_dir("/"), Op::CreateDir, "/", &no_name);
    let removed = Reason::InvalidPath(PathError::RootNotRemovable);
    check(fs.remove_dir("/"), Op::RemoveDir, "/", &removed);
    check(fs.remove_dir_all("."), Op::RemoveDirAll, ".", &removed);
    let invalid = ErrorKind::InvalidInput;
    fails(fs.rename("/", "/x"), invalid, Op::Rename, "/");
    fails(fs.rename("/f", "/"), invalid, Op::Rename, "/f");
    fails(fs.copy("/f", "/"), invalid, Op::Copy, "/f");
    assert!(fs.is_dir("/") && fs.is_file("/f"));
}

#[test]
fn invalid_input_for_bad_open_option_combinations() {
    let fs = test_fs(100);
    fs.write("/f", "x").unwrap();
    let o = || fs.options();
    // Options with `create` or `create_new` report the operation as `create`.
    for (options, name, op) in [
        (o(), "nothing", Op::Open),
        (o().truncate(true).clone(), "truncate alone", Op::Open),
        (
            o().read(true).truncate(true).clone(),
            "read+truncate",
            Op::Open,
        ),
        (
            o().read(true).create(true).clone(),
            "read+create",
            Op::Create,
        ),
        (
            o().read(true).create_new(true).clone(),
            "read+create_new",
            Op::Create,
        ),
        (
            o().append(true).truncate(true).clone(),
            "append+truncate",
            Op::Open,
        ),
        (
            o().append(true).truncate(true).create(true).clone(),
            "append+truncate+create",
            Op::Create,
        ),
        (
            o().read(true).preallocate(8).clone(),
            "read+preallocate",
            Op::Open,
        ),
        (
            o().write(true).preallocate(MAX_FILE_SIZE + 1).clone(),
            "huge preallocate",
            Op::Open,
        ),
    ] {
        for path in ["/f", "/new"] {
            let err = fails(options.open(path), ErrorKind::InvalidInput, op, path);
            assert!(
                matches!(err.reason(), Reason::InvalidArgument(_)),
                "{name}: {err}"
            );
        }
    }
    // std allows truncate with append when create_new is set (the file is new anyway).
    drop(
        o().append(true)
            .truncate(true)
            .create_new(true)
            .open("/new")
            .unwrap(),
    );
    assert_eq!(fs.read("/f").unwrap(), b"x");
    assert_eq!(fs.stats().files, 2);
}

#[test]
fn invalid_input_for_bad_arguments() {
    let fs = test_fs(100);
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/f", "x").unwrap();
    let same = Reason::InvalidArgument(ArgError::SameFile);
    check(fs.copy("/f", "/f"), Op::Copy, "/f", &same);
    check(fs.copy("f", "/./f/"), Op::Copy, "f", &same);
    let into_itself = Reason::InvalidArgument(ArgError::IntoItself);
    check(fs.rename("/a", "/a/b/c"), Op::Rename, "/a", &into_itself);
    check(fs.move_path("/a", "/a/c"), Op::Move, "/a", &into_itself);
    let invalid = ErrorKind::InvalidInput;
    let mut file = fs.options().read(true).write(true).open("/f").unwrap();
    let err = fails(file.seek(SeekFrom::Current(-1)), invalid, Op::Seek, "/f");
    assert!(matches!(err.reason(), Reason::InvalidArgument(_)));
    let err = fails(file.set_len(MAX_FILE_SIZE + 1), invalid, Op::SetLen, "/f");
    assert!(matches!(err.reason(), Reason::InvalidArgument(_)));
    drop(file);
    assert_eq!(fs.read("/f").unwrap(), b"x");
    assert!(fs.is_dir("/a/b") && !fs.exists("/a/c"));
}

#[test]
fn invalid_filename_for_long_names_and_paths() {
    let fs = test_fs(100);
    let long = format!("/{}", "n".repeat(NAME_MAX + 1));
    let tl = Reason::NameTooLong;
    let err = check(fs.write(&long, "x"), Op::Write, &long, &tl);
    assert!(
        err.to_string().ends_with("`: file name or path too long"),
        "{err}"
    );
    check(fs.create_dir(&long), Op::CreateDir, &long, &tl);
    check(fs.open(&long), Op::Open, &long, &tl);
    check(fs.metadata(&long), Op::Metadata, &long, &tl);
    let nested = format!("/d{long}");
    check(fs.create_dir_all(&nested), Op::CreateDirAll, &nested, &tl);
    // PATH_MAX - 1 bytes is fine (Linux's PATH_MAX counts the terminating NUL); one more
    // byte is too long.
    let component = format!("/{}", "n".repeat(NAME_MAX));
    let deepest = component.repeat(PATH_MAX / component.len() - 1) + "/" + &"m".repeat(254);
    assert_eq!(deepest.len(), PATH_MAX - 1);
    fs.create_dir_all(&deepest).unwrap();
    let too_long = format!("{deepest}x");
    assert_eq!(too_long.len(), PATH_MAX);
    check(fs.write(&too_long, "x"), Op::Write, &too_long, &tl);
    check(fs.create_dir(&too_long), Op::CreateDir, &too_long, &tl);
    assert!(!fs.exists(&too_long) && !fs.exists(&long));
    assert_eq!(fs.stats().files, 0);
}

#[test]
fn unsupported_through_the_wrong_kind_of_handle() {
    let fs = test_fs(100);
    fs.create_dir("/d").unwrap();
    fs.write("/d/f", "abc").unwrap();
    let writing = Reason::WrongMode(HandleMode::Write);
    let mut reader = fs.open("d//f").unwrap();
    let err = check(reader.write(b"x"), Op::Write, "/d/f", &writing);
    assert_eq!(
        err.to_string(),
        "write `/d/f`: handle was not opened for writing"
    );
    check(reader.write_at(b"x", 0), Op::Write, "/d/f", &writing);
    check(reader.set_len(0), Op::SetLen, "/d/f", &writing);
    drop(reader);
    let reading = Reason::WrongMode(HandleMode::Read);
    let mut writer = fs.options().write(true).open("/d/f").unwrap();
    let mut buf = [0; 3];
    let err = check(writer.read(&mut buf), Op::Read, "/d/f", &reading);
    assert_eq!(
        err.to_string(),
        "read `/d/f`: handle was not opened for reading"
    );
    check(writer.read_at(&mut buf, 0), Op::Read, "/d/f", &reading);
    check(
        writer.read_to_end(&mut Vec::new()),
        Op::Read,
        "/d/f",
        &reading,
    );
    check(
        writer.read_to_string(&mut String::new()),
        Op::Read,
        "/d/f",
        &reading,
    );
    drop(writer);
    let mut appender = fs.options().append(true).open("/d/f").unwrap();
    check(appender.read(&mut buf), Op::Read, "/d/f", &reading);
    drop(appender);
    assert_eq!(fs.read("/d/f").unwrap(), b"abc");
}

#[test]
fn out_of_memory_when_the_memory_guard_refuses() {
    let (fs, available) = guarded_fs();
    fs.write("/a", [1; 100]).unwrap();
    available.store(50, SeqCst);
    let short = |requested| Reason::MemoryGuard {
        requested,
        available: 50,
    };
    let err = check(fs.write("/b", [1; 100]), Op::Write, "/b", &short(100));
    says(
        &err,
        "memory guard: 100 bytes requested but only 50 bytes of physical memory",
    );
    check(fs.append("/a", [1; 60]), Op::Append, "/a", &short(60));
    let file = fs.options().write(true).open("/a").unwrap();
    check(file.set_len(200), Op::SetLen, "/a", &short(100));
    check(file.write_at(&[1; 60], 100), Op::Write, "/a", &short(60));
    drop(file);
    assert_eq!(fs.read("/a").unwrap(), [1; 100]);
    assert!(!fs.exists("/b"));
    assert_eq!(fs.stats().used, 100);

    // At build time, the quota itself is checked.
    let guard = MemoryGuard::init().error();
    let build = MemFs::builder()
        .quota(1000)
        .memory_guard(guard)
        .memory_probe(|| Some(999));
    let refused = Reason::MemoryGuard {
        requested: 1000,
        available: 999,
    };
    check(build.build(), Op::Build, "", &refused);
}

#[test]
fn invalid_data_when_contents_are_not_utf8() {
    let fs = test_fs(100);
    fs.write("/bin", [b'o', b'k', 0xff, 0xfe]).unwrap();
    let utf8 = Reason::InvalidUtf8;
    let err = check(fs.read_to_string("/bin"), Op::Read, "/bin", &utf8);
    assert_eq!(
        err.to_string(),
        "read `/bin`: stream did not contain valid UTF-8"
    );
    let mut file = fs.open("/bin").unwrap();
    let mut text = String::from("kept");
    check(file.read_to_string(&mut text), Op::Read, "/bin", &utf8);
    assert_eq!(text, "kept");
    // The bytes are still there for `read`.
    assert_eq!(fs.read("/bin").unwrap(), [b'o', b'k', 0xff, 0xfe]);
}

#[test]
fn file_too_large_past_the_maximum_file_size() {
    let fs = test_fs(100);
    let mut file = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/f")
        .unwrap();
    let big = Reason::FileTooLarge;
    let err = check(file.write_at(b"x", MAX_FILE_SIZE), Op::Write, "/f", &big);
    assert_eq!(err.to_string(), "write `/f`: file too large");
    check(
        file.write_at(b"xy", MAX_FILE_SIZE - 1),
        Op::Write,
        "/f",
        &big,
    );
    check(file.write_at(b"x", u64::MAX), Op::Write, "/f", &big);
    file.seek(SeekFrom::Start(MAX_FILE_SIZE)).unwrap();
    check(file.write(b"x"), Op::Write, "/f", &big);
    assert_eq!(file.stream_position().unwrap(), MAX_FILE_SIZE);
    // Just inside the limit, the quota is what refuses.
    let full = Reason::QuotaExceeded {
        requested: MAX_FILE_SIZE,
        available: 100,
        quota: 100,
    };
    check(
        file.write_at(b"x", MAX_FILE_SIZE - 1),
        Op::Write,
        "/f",
        &full,
    );
    assert_eq!(file.metadata().unwrap().len(), 0);
    drop(file);
    assert_eq!(fs.stats().used, 0);
}

#[test]
fn unexpected_eof_from_read_exact_at_names_the_path() {
    let fs = test_fs(100);
    fs.write("/short", "abc").unwrap();
    let file = fs.open("/short").unwrap();
    let mut buf = [0; 4];
    let err = file.read_exact_at(&mut buf, 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert!(err.to_string().starts_with("read `/short`: "), "{err}");
    let payload = FsError::from_io(&err).expect("typed payload");
    assert_eq!((payload.op(), payload.path()), (Op::Read, "/short"));
    assert_eq!(
        payload.reason(),
        &Reason::UnexpectedEof {
            wanted: 4,
            missing: 1
        }
    );
}

#[test]
fn public_error_enums_implement_std_error() {
    // `Box<dyn Error>::from(reason)` and `?` into `anyhow::Error` need it (thiserror derived
    // it before the error module was written by hand).
    fn boxed(error: impl std::error::Error + Send + Sync + 'static) -> Box<dyn std::error::Error> {
        Box::new(error)
    }
    use dmemfs_core::error::{ArgError, HandleMode, PathError};
    assert_eq!(
        boxed(Reason::NotFound).to_string(),
        "no such file or directory"
    );
    assert_eq!(boxed(PathError::Nul).to_string(), "contains a NUL byte");
    assert_eq!(
        boxed(ArgError::SameFile).to_string(),
        "source and destination are the same file"
    );
    assert_eq!(boxed(HandleMode::Write).to_string(), "writing");
    let skipped = dmemfs_core::archive::SkipReason::Special("FIFO");
    assert_eq!(boxed(skipped).to_string(), "FIFO");
}
