//! Truncated, corrupt and unreadable archives leave nothing behind.

use std::io::{self, ErrorKind, Read};

use dmemfs_core::Reason;

use super::{BOTH_MODES, fails_cleanly, gzip, mode, tar_of};
use crate::common::*;

// ---------------------------------------------------------------- corrupt input

#[test]
fn a_truncated_archive_leaves_nothing() {
    let archive = tar_of(&[("a", &[1u8; 3000]), ("b", &[2u8; 3000])]);
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        // Cut inside `b`'s data: `a` was fine.
        let cut = &archive[..512 + 3072 + 512 + 1000];
        let err = fails_cleanly(&fs, ErrorKind::UnexpectedEof, || {
            fs.extract_tar(cut, "/d", &self::mode(mode))
        });
        assert!(
            matches!(err.reason(), Reason::Archive { entry: Some(e), .. } if e == "b"),
            "{mode:?}: {err}"
        );
    }
}

#[test]
fn a_corrupt_header_after_good_entries_leaves_nothing() {
    let mut archive = tar_of(&[("a", b"good"), ("b", b"also good")]);
    archive[1024 + 10] ^= 0xff; // inside `b`'s header name: the checksum no longer matches
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        let err = fails_cleanly(&fs, ErrorKind::InvalidData, || {
            fs.extract_tar(&archive[..], "/d", &self::mode(mode))
        });
        assert!(err.to_string().contains("corrupt archive"), "{err}");
        let mut gz = gzip(&tar_of(&[("a", b"good")]));
        let len = gz.len();
        gz[len - 6] ^= 0xff; // the CRC trailer
        fails_cleanly(&fs, ErrorKind::InvalidData, || {
            fs.extract_tar(&gz[..], "/d", &self::mode(mode))
        });
    }
}

#[test]
fn reader_errors_keep_their_kind() {
    struct Flaky(Vec<u8>, usize);
    impl Read for Flaky {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1 >= self.0.len() {
                return Err(io::Error::new(ErrorKind::ConnectionReset, "peer went away"));
            }
            let n = buf.len().min(self.0.len() - self.1).min(100);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let archive = tar_of(&[("a", &[1u8; 2000]), ("b", &[2u8; 2000])]);
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        let err = fails_cleanly(&fs, ErrorKind::ConnectionReset, || {
            fs.extract_tar(Flaky(archive[..3000].to_vec(), 0), "/d", &self::mode(mode))
        });
        // The message says what failed; the reader's own words are the source.
        assert!(
            err.to_string().contains("reading the archive failed"),
            "{err}"
        );
        let source = std::error::Error::source(&err).expect("the reader's error");
        assert!(source.to_string().contains("peer went away"), "{source}");
    }
}

/// A reader that is interrupted before every other read and hands out at most 7 bytes at a
/// time: `Read`'s contract says to retry, so this is a good archive read slowly.
struct Interrupting<R> {
    inner: R,
    calls: usize,
}

impl<R: Read> Read for Interrupting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 2 == 1 {
            return Err(io::Error::from(ErrorKind::Interrupted));
        }
        let n = buf.len().min(7);
        self.inner.read(&mut buf[..n])
    }
}

impl<R: io::Seek> io::Seek for Interrupting<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn an_interrupted_reader_is_retried_not_called_corrupt() {
    let plain = tar_of(&[("a", &[1u8; 2000]), ("sub/b", b"bee")]);
    for archive in [plain.clone(), gzip(&plain)] {
        for mode in BOTH_MODES {
            let fs = test_fs(1 << 20);
            let reader = Interrupting {
                inner: &archive[..],
                calls: 0,
            };
            let report = fs
                .extract_tar(reader, "/d", &self::mode(mode))
                .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
            assert_eq!((report.files, report.bytes), (2, 2003), "{mode:?}");
            assert_eq!(fs.read("/d/sub/b").unwrap(), b"bee");
        }
    }
}

#[test]
fn an_interrupted_reader_is_retried_by_extract_zip() {
    let archive = super::zip::zip_of(
        &[("a", &[1u8; 2000]), ("sub/b", b"bee")],
        super::zip::deflated(),
    );
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        let reader = Interrupting {
            inner: io::Cursor::new(&archive[..]),
            calls: 0,
        };
        let report = fs
            .extract_zip(reader, "/d", &self::mode(mode))
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert_eq!((report.files, report.bytes), (2, 2003), "{mode:?}");
        assert_eq!(fs.read("/d/sub/b").unwrap(), b"bee");
    }
}

/// A `.tar.gz` is read as `gzip -d` reads it: zero padding after the last member (tape
/// blocking, padded downloads) is ignored, concatenated members are one stream; anything
/// else after the stream is refused, leaving nothing.
#[test]
fn gzip_padding_is_ignored_and_trailing_garbage_refused() {
    let tar = tar_of(&[("a", &[1u8; 3000]), ("b", b"bee")]);
    let mut padded = gzip(&tar);
    padded.extend([0u8; 10_240]);
    // The tar split in two gzip members, as `cat a.gz b.gz` makes.
    let mut members = gzip(&tar[..1024]);
    members.extend(gzip(&tar[1024..]));
    members.extend([0u8; 512]);
    for archive in [padded.clone(), members] {
        for mode in BOTH_MODES {
            let fs = test_fs(1 << 20);
            let report = fs
                .extract_tar(&archive[..], "/d", &self::mode(mode))
                .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
            assert_eq!((report.files, report.bytes), (2, 3003), "{mode:?}");
            assert_eq!(fs.read("/d/b").unwrap(), b"bee");
        }
    }
    for garbage in [&b"junk"[..], &[0, 0, 7][..]] {
        let mut archive = gzip(&tar);
        archive.extend(garbage);
        for mode in BOTH_MODES {
            let fs = test_fs(1 << 20);
            fails_cleanly(&fs, ErrorKind::InvalidData, || {
                fs.extract_tar(&archive[..], "/d", &self::mode(mode))
            });
        }
    }
}
