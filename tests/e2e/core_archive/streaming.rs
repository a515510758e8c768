//! Streaming mode: entries appear one at a time, the extraction holds one entry's bytes, and a
//! failure undoes what was installed, except what other threads changed meanwhile.
//!
//! The archives here are generated lazily by a reader, so the test never holds them whole,
//! and the reader's hook runs between entries to observe or change the filesystem.

use std::io::{self, ErrorKind, Read};
use std::sync::Arc;

use dmemfs_core::{
    Op,
    archive::{Conflict, ExtractMode},
    fault::{Call, FaultInjector, Verdict},
};

use super::{fails_cleanly, mode, tar_of};
use crate::common::*;

/// A tar stream of `count` files `f0000`, `f0001`, ... of `size` bytes each, generated as it
/// is read. Before producing entry `i`'s header it calls `hook(i)`: by then the extractor has
/// read entries `0..i` in full.
struct LazyTar<F: FnMut(usize)> {
    count: usize,
    size: usize,
    next: usize,
    pending: Vec<u8>,
    at: usize,
    data_left: usize,
    hook: F,
    ended: bool,
}

impl<F: FnMut(usize)> LazyTar<F> {
    fn new(count: usize, size: usize, hook: F) -> Self {
        assert_eq!(size % 512, 0, "no padding to generate");
        LazyTar {
            count,
            size,
            next: 0,
            pending: Vec::new(),
            at: 0,
            data_left: 0,
            hook,
            ended: false,
        }
    }
}

impl<F: FnMut(usize)> Read for LazyTar<F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.at < self.pending.len() {
                let n = buf.len().min(self.pending.len() - self.at);
                buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.data_left > 0 {
                let n = buf.len().min(self.data_left);
                // The entry being generated is `next - 1`.
                buf[..n].fill((self.next - 1) as u8);
                self.data_left -= n;
                return Ok(n);
            }
            if self.next < self.count {
                (self.hook)(self.next);
                let mut header = tar::Header::new_gnu();
                header.set_path(format!("f{:04}", self.next)).unwrap();
                header.set_size(self.size as u64);
                header.set_mode(0o644);
                header.set_cksum();
                self.pending = header.as_bytes().to_vec();
                self.at = 0;
                self.data_left = self.size;
                self.next += 1;
                continue;
            }
            if !self.ended {
                self.ended = true;
                self.pending = vec![0; 1024];
                self.at = 0;
                continue;
            }
            return Ok(0);
        }
    }
}

const SIZE: usize = 256 * 1024;

#[test]
fn streaming_installs_entry_by_entry_and_atomic_at_the_end() {
    for extract_mode in [ExtractMode::Streaming, ExtractMode::Atomic] {
        let fs = test_fs(64 << 20);
        let observer = fs.clone();
        let mut seen = Vec::new();
        let lazy = LazyTar::new(16, SIZE, |i| {
            let stats = observer.stats();
            seen.push((i as u64, stats.files, stats.used));
        });
        let report = fs.extract_tar(lazy, "/d", &mode(extract_mode)).unwrap();
        assert_eq!((report.files, report.bytes), (16, 16 * SIZE as u64));
        for (i, files, used) in seen {
            if extract_mode == ExtractMode::Streaming {
                // Everything read so far is installed: the extraction holds only the entry
                // it is reading.
                assert_eq!((files, used), (i, i * SIZE as u64));
            } else {
                assert_eq!((files, used), (0, 0), "nothing is visible before the end");
            }
        }
        assert_eq!(fs.read("/d/f0015").unwrap(), vec![15u8; SIZE]);
        assert_invariants(&fs);
    }
}

/// A consumer drains files as they appear: a 16 MiB archive goes through a filesystem whose
/// quota holds two entries. Only streaming can do it; atomic mode holds every entry.
#[test]
fn streaming_holds_one_entry_at_a_time() {
    let count = 64;
    let fs = test_fs(2 * SIZE as u64);
    let consumer = fs.clone();
    let drain = |_| {
        for entry in consumer.read_dir("/d").into_iter().flatten() {
            let path = entry.unwrap().path().to_owned();
            assert_eq!(consumer.read(&path).unwrap().len(), SIZE);
            consumer.remove_file(&path).unwrap();
        }
    };
    let report = fs
        .extract_tar(
            LazyTar::new(count, SIZE, drain),
            "/d",
            &mode(ExtractMode::Streaming),
        )
        .unwrap();
    assert_eq!(report.bytes, (count * SIZE) as u64);
    assert_eq!(
        fs.stats().peak_used,
        SIZE as u64,
        "one entry installed at a time"
    );
    assert_eq!(
        fs.read_dir("/d").unwrap().count(),
        1,
        "the last entry is still there"
    );

    let fs = test_fs(2 * SIZE as u64);
    let consumer = fs.clone();
    let drain = |_| {
        for entry in consumer.read_dir("/d").into_iter().flatten() {
            consumer.remove_file(entry.unwrap().path()).unwrap();
        }
    };
    let err = expect_err(
        fs.extract_tar(
            LazyTar::new(count, SIZE, drain),
            "/d",
            &mode(ExtractMode::Atomic),
        ),
        ErrorKind::StorageFull,
    );
    assert_eq!(
        err.path(),
        "/d/f0002",
        "the third entry does not fit beside the two staged"
    );
    assert_eq!(fs.stats().used, 0);
}

/// Fails the `n`th extraction call (1-based) with `ErrorKind::Other`.
#[derive(Debug)]
struct FailNth(std::sync::atomic::AtomicUsize, usize);

impl FaultInjector for FailNth {
    fn on_call(&self, call: &Call<'_>) -> Verdict {
        if call.op == Op::ExtractTar
            && self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == self.1
        {
            return Verdict::Fail(ErrorKind::Other);
        }
        Verdict::Proceed
    }
}

#[test]
fn a_failure_midway_undoes_creations_and_restores_replaced_files() {
    for extract_mode in [ExtractMode::Streaming, ExtractMode::Atomic] {
        let fs = test_fs(1 << 20);
        fs.create_dir("/d").unwrap();
        fs.write("/d/a", "original a").unwrap();
        let archive = tar_of(&[
            ("a", b"replaced"),
            ("new/b", b"created"),
            ("new/c", b"never"),
        ]);
        // Calls: the destination, then one per entry: the 4th is `new/c`.
        fs.set_fault_injector(Some(Arc::new(FailNth(Default::default(), 4))));
        let options = mode(extract_mode).conflict(Conflict::Overwrite);
        let err = fails_cleanly(&fs, ErrorKind::Other, || {
            fs.extract_tar(&archive[..], "/d", &options)
        });
        assert_eq!(err.path(), "/d/new/c");
        assert_eq!(fs.read_to_string("/d/a").unwrap(), "original a");
        assert!(!fs.exists("/d/new"));
    }
}

#[test]
fn rollback_leaves_what_other_threads_changed() {
    let fs = test_fs(1 << 20);
    let other = fs.clone();
    let hook = |i| {
        if i == 2 {
            // Another thread writes to an extracted file and adds one of its own.
            other.append("/d/f0000", "!").unwrap();
            other.write("/d/theirs", "t").unwrap();
        }
    };
    // Cut inside the third entry's data, after the hook ran.
    let lazy = LazyTar::new(3, 512, hook).take(512 * 5 + 100);
    let err = expect_err(
        fs.extract_tar(lazy, "/d", &mode(ExtractMode::Streaming)),
        ErrorKind::UnexpectedEof,
    );
    assert!(err.to_string().contains("truncated"), "{err}");
    // f0000 was changed by the other thread: kept. f0001 was untouched: removed.
    assert_eq!(fs.read("/d/f0000").unwrap().len(), 513);
    assert!(!fs.exists("/d/f0001"));
    assert_eq!(fs.read_to_string("/d/theirs").unwrap(), "t");
    assert_invariants(&fs);
}
