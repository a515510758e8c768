//! The core's fault-injection hook: every operation asks the installed injector first.

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dmemfs_core::{
    FsError, MemFs, Op, Reason,
    fault::{Call, FaultInjector, Verdict},
};
use parking_lot::Mutex;

use crate::common::{expect_err, snapshot, test_fs};

/// A call as recorded: operation, path, target, length.
type Recorded = (Op, String, Option<String>, Option<u64>);

/// Records every call and answers from a fixed rule.
#[derive(Debug)]
struct Recorder {
    calls: Mutex<Vec<Recorded>>,
    rule: fn(&Call<'_>) -> Verdict,
}

impl Recorder {
    fn new(rule: fn(&Call<'_>) -> Verdict) -> Arc<Recorder> {
        Arc::new(Recorder {
            calls: Mutex::new(Vec::new()),
            rule,
        })
    }

    fn ops(&self) -> Vec<Op> {
        self.calls.lock().iter().map(|c| c.0).collect()
    }
}

impl FaultInjector for Recorder {
    fn on_call(&self, call: &Call<'_>) -> Verdict {
        let target = call.target.map(str::to_owned);
        self.calls
            .lock()
            .push((call.op, call.path.to_owned(), target, call.len));
        (self.rule)(call)
    }
}

#[test]
fn every_operation_is_announced_with_normalised_paths() {
    let fs = test_fs(1 << 20);
    let recorder = Recorder::new(|_| Verdict::Proceed);
    fs.set_fault_injector(Some(recorder.clone()));
    fs.create_dir_all("a//b/").unwrap();
    fs.write("/a/b/f", "12345").unwrap();
    fs.append("/a/b/f", "6").unwrap();
    fs.read("/a/b/f").unwrap();
    fs.metadata("/a").unwrap();
    fs.read_dir("/a").unwrap();
    fs.copy("/a/b/f", "/a/g").unwrap();
    fs.rename("/a/g", "/a/h").unwrap();
    fs.move_path("/a/h", "/m/h").unwrap();
    fs.copy_dir_all("/a", "/c").unwrap();
    fs.walk("/").unwrap().for_each(drop);
    fs.glob("/**").unwrap();
    fs.export_tree("/a").unwrap();
    fs.import_tree([("/i", "x")]).unwrap();
    fs.remove_file("/i").unwrap();
    fs.remove_dir_all("/c").unwrap();
    fs.create_dir("/e").unwrap();
    fs.remove_dir("/e").unwrap();
    let mut file = fs.options().read(true).write(true).open("/a/b/f").unwrap();
    file.write_all(b"x").unwrap();
    file.set_len(3).unwrap();
    let mut buf = [0; 2];
    file.read_at(&mut buf, 0).unwrap();
    drop(file);
    fs.create("/n").unwrap();
    use Op::*;
    let expected = [
        CreateDirAll,
        Write,
        Append,
        Read,
        Metadata,
        ReadDir,
        Copy,
        Rename,
        Move,
        CopyDirAll,
        Walk,
        Glob,
        ExportTree,
        ImportTree,
        RemoveFile,
        RemoveDirAll,
        CreateDir,
        RemoveDir,
        Open,
        Write,
        SetLen,
        Read,
        Create,
    ];
    assert_eq!(recorder.ops(), expected);
    let calls = recorder.calls.lock();
    assert_eq!(calls[0].1, "/a/b", "paths are normalised");
    assert_eq!(calls[1], (Write, "/a/b/f".into(), None, Some(5)));
    assert_eq!(calls[6], (Copy, "/a/b/f".into(), Some("/a/g".into()), None));
    assert_eq!(calls[19].3, Some(1), "a handle write announces its length");
    assert_eq!(calls[20].3, Some(3), "set_len announces the new length");
}

#[test]
fn an_injected_failure_names_the_operation_and_changes_nothing() {
    let fs = test_fs(1 << 20);
    fs.create_dir("/out").unwrap();
    fs.write("/out/keep", "old").unwrap();
    let before = snapshot(&fs);
    fs.set_fault_injector(Some(Recorder::new(|call| {
        if call.path.starts_with("/out") {
            Verdict::Fail(ErrorKind::StorageFull)
        } else {
            Verdict::Proceed
        }
    })));
    let err = expect_err(fs.write("/out/keep", "new"), ErrorKind::StorageFull);
    assert_eq!((err.op(), err.path()), (Op::Write, "/out/keep"));
    assert_eq!(
        err.reason(),
        &Reason::Injected {
            kind: ErrorKind::StorageFull
        }
    );
    assert_eq!(
        err.to_string(),
        "write `/out/keep`: injected fault (no storage space)"
    );
    expect_err(fs.remove_dir_all("/out"), ErrorKind::StorageFull);
    expect_err(fs.rename("/out/keep", "/elsewhere"), ErrorKind::StorageFull);
    expect_err(fs.create("/out/new"), ErrorKind::StorageFull);
    fs.write("/fine", "x").unwrap();
    fs.remove_file("/fine").unwrap();
    fs.set_fault_injector(None);
    assert_eq!(snapshot(&fs), before);
    fs.write("/out/keep", "new").unwrap();
}

#[test]
fn the_injector_is_shared_by_clones_and_handles_opened_before() {
    let fs = test_fs(1 << 20);
    fs.write("/f", "data").unwrap();
    let mut reader = fs.open("/f").unwrap();
    let clone = fs.clone();
    clone.set_fault_injector(Some(Recorder::new(|call| match call.op {
        Op::Read => Verdict::Fail(ErrorKind::Interrupted),
        _ => Verdict::Proceed,
    })));
    let mut buf = [0; 4];
    let err = reader.read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Interrupted);
    assert_eq!(FsError::from_io(&err).unwrap().path(), "/f");
    expect_err(fs.read("/f"), ErrorKind::Interrupted);
    fs.set_fault_injector(None);
    assert_eq!(reader.read(&mut buf).unwrap(), 4);
}

#[test]
fn short_reads_and_writes_through_handles() {
    let fs = test_fs(1 << 20);
    fs.set_fault_injector(Some(Recorder::new(|call| match call.op {
        Op::Read | Op::Write => Verdict::Short(3),
        _ => Verdict::Proceed,
    })));
    let mut file = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/f")
        .unwrap();
    assert_eq!(file.write(b"abcdefgh").unwrap(), 3, "a short write");
    file.write_all(b"12345678").unwrap(); // write_all loops over short writes
    assert_eq!(file.write_at(b"XYZW", 0).unwrap(), 3);
    let mut buf = [0; 8];
    assert_eq!(file.read_at(&mut buf, 0).unwrap(), 3, "a short read");
    assert_eq!(&buf[..3], b"XYZ");
    let mut all = Vec::new();
    std::io::Seek::rewind(&mut file).unwrap();
    file.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"XYZ12345678");
    drop(file);
    // Whole-file writes are atomic: a short verdict does not apply to them.
    fs.write("/g", "whole").unwrap();
    fs.set_fault_injector(None);
    assert_eq!(fs.read("/g").unwrap(), b"whole");
}

#[test]
fn a_zero_length_short_write_makes_write_all_fail_with_write_zero() {
    let fs = test_fs(1 << 20);
    let mut file = fs.create("/f").unwrap();
    fs.set_fault_injector(Some(Recorder::new(|_| Verdict::Short(0))));
    assert_eq!(
        file.write_all(b"x").unwrap_err().kind(),
        ErrorKind::WriteZero
    );
}

#[test]
fn delays_slow_an_operation_down_then_let_it_run() {
    let fs = test_fs(1 << 20);
    fs.set_fault_injector(Some(Recorder::new(|call| match call.op {
        Op::Write => Verdict::Delay(Duration::from_millis(30)),
        _ => Verdict::Proceed,
    })));
    let started = Instant::now();
    fs.write("/slow", "x").unwrap();
    assert!(started.elapsed() >= Duration::from_millis(30));
    assert_eq!(fs.read("/slow").unwrap(), b"x");
}

#[test]
fn no_injector_no_effect() {
    let fs = MemFs::new();
    fs.set_fault_injector(None);
    fs.write("/a", "x").unwrap();
    assert_eq!(fs.read("/a").unwrap(), b"x");
}
