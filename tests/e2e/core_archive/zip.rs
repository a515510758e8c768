//! `extract_zip`: the same guarantees as tar, with the central directory checked before
//! anything is inflated.

use std::io::{Cursor, ErrorKind, Write};
use std::time::{Duration, UNIX_EPOCH};

use dmemfs_core::{
    MemFs, Op, Reason,
    archive::{Conflict, ExtractMode, ExtractOptions, SkipReason, SpecialEntries},
};
use zip::write::SimpleFileOptions;

use super::{BOTH_MODES, fails_cleanly, mode};
use crate::common::*;

pub(super) fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
}

pub(super) fn zip_of(files: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in files {
        if name.ends_with('/') {
            writer.add_directory(*name, options).unwrap();
        } else {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn zip_round_trip_with_directories_and_times() {
    for mode in BOTH_MODES {
        let time = zip::DateTime::from_date_and_time(2020, 1, 2, 3, 4, 6).unwrap();
        let options = deflated().last_modified_time(time);
        let archive = zip_of(
            &[
                ("docs/", b""),
                ("docs/readme.md", b"# hi"),
                ("data/1.bin", &[0u8, 1, 2, 255]),
                ("empty/", b""),
            ],
            options,
        );
        let fs = MemFs::new();
        let report = fs
            .extract_zip(Cursor::new(&archive), "/z", &self::mode(mode))
            .unwrap();
        assert_eq!((report.files, report.bytes), (2, 8));
        assert_eq!(report.dirs, 4, "/z, docs, data, empty");
        assert_eq!(fs.read_to_string("/z/docs/readme.md").unwrap(), "# hi");
        assert_eq!(fs.read("/z/data/1.bin").unwrap(), [0, 1, 2, 255]);
        assert!(fs.is_dir("/z/empty"));
        // 2020-01-02T03:04:06, read as UTC.
        let want = UNIX_EPOCH + Duration::from_secs(1_577_934_246);
        assert_eq!(
            fs.metadata("/z/docs/readme.md")
                .unwrap()
                .modified()
                .unwrap(),
            want
        );
        assert_invariants(&fs);
    }
}

#[test]
fn zip_slip_and_absolute_names_are_refused_before_anything_is_written() {
    for bad in [
        "../../evil.txt",
        "a/../../evil.txt",
        "/abs.txt",
        "..\\evil.txt",
        "C:/evil.txt",
    ] {
        for mode in BOTH_MODES {
            let archive = zip_of(&[("good.txt", b"good"), (bad, b"evil")], deflated());
            let fs = test_fs(1 << 20);
            let err = fails_cleanly(&fs, ErrorKind::InvalidData, || {
                fs.extract_zip(Cursor::new(&archive), "/dest", &self::mode(mode))
            });
            assert_eq!(err.op(), Op::ExtractZip);
            assert!(
                matches!(err.reason(), Reason::UnsafeEntry { entry, .. } if entry == bad),
                "{bad}: {err}"
            );
            assert!(
                err.to_string()
                    .starts_with("extract_zip `/dest`: unsafe entry name"),
                "{err}"
            );
            // Refused from the central directory: even streaming mode wrote nothing.
            assert!(!fs.exists("/dest"));
        }
    }
}

#[test]
fn an_archive_too_big_for_the_quota_is_refused_without_inflating_it() {
    // The second entry is stored; its bytes are then overwritten with garbage. Inflating or
    // reading it would fail its CRC check: the error must be the quota's.
    let mut archive = zip_of(&[("small", b"s"), ("big", &[0x5a; 100_000])], stored());
    let start = archive
        .windows(64)
        .position(|w| w.iter().all(|b| *b == 0x5a))
        .unwrap();
    archive[start..start + 100_000].fill(0xff);
    let fs = test_fs(50_000);
    let err = fails_cleanly(&fs, ErrorKind::StorageFull, || {
        fs.extract_zip(Cursor::new(&archive), "/d", &ExtractOptions::new())
    });
    assert_eq!(err.path(), "/d/big");
    // With room, the corruption is found, and still nothing is left.
    let fs = test_fs(1 << 20);
    let err = fails_cleanly(&fs, ErrorKind::InvalidData, || {
        fs.extract_zip(Cursor::new(&archive), "/d", &ExtractOptions::new())
    });
    assert!(
        matches!(err.reason(), Reason::Archive { entry: Some(e), .. } if e == "big"),
        "{err}"
    );
}

#[test]
fn zip_conflicts_and_node_limit() {
    let archive = zip_of(&[("a.txt", b"new"), ("b.txt", b"b")], deflated());
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        fs.create_dir("/d").unwrap();
        fs.write("/d/a.txt", "old").unwrap();
        fails_cleanly(&fs, ErrorKind::AlreadyExists, || {
            fs.extract_zip(Cursor::new(&archive), "/d", &self::mode(mode))
        });
        let skip = self::mode(mode).conflict(Conflict::Skip);
        let report = fs.extract_zip(Cursor::new(&archive), "/d", &skip).unwrap();
        assert_eq!(fs.read_to_string("/d/a.txt").unwrap(), "old");
        assert_eq!(report.skipped[0].reason, SkipReason::Exists);
        let overwrite = self::mode(mode).conflict(Conflict::Overwrite);
        fs.extract_zip(Cursor::new(&archive), "/d", &overwrite)
            .unwrap();
        assert_eq!(fs.read_to_string("/d/a.txt").unwrap(), "new");

        let fs = MemFs::builder()
            .quota(1 << 20)
            .max_nodes(3)
            .build()
            .unwrap();
        fails_cleanly(&fs, ErrorKind::QuotaExceeded, || {
            fs.extract_zip(Cursor::new(&archive), "/d", &self::mode(mode))
        });
    }
}

#[test]
fn zip_symlinks_are_skipped_or_refused() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("real", deflated()).unwrap();
    writer.write_all(b"r").unwrap();
    writer
        .add_symlink("link", "../../etc/passwd", deflated())
        .unwrap();
    let archive = writer.finish().unwrap().into_inner();
    let fs = MemFs::new();
    let report = fs
        .extract_zip(Cursor::new(&archive), "/d", &ExtractOptions::new())
        .unwrap();
    assert!(!fs.exists("/d/link"));
    assert_eq!(
        report.skipped[0].reason,
        SkipReason::Symlink {
            target: "../../etc/passwd".into()
        }
    );
    let strict = ExtractOptions::new().special_entries(SpecialEntries::Refuse);
    let fs = MemFs::new();
    fails_cleanly(&fs, ErrorKind::Unsupported, || {
        fs.extract_zip(Cursor::new(&archive), "/d", &strict)
    });
}

#[test]
fn corrupt_and_unsupported_zips_leave_nothing() {
    let fs = test_fs(1 << 20);
    fails_cleanly(&fs, ErrorKind::InvalidData, || {
        fs.extract_zip(
            Cursor::new(b"this is not a zip archive".to_vec()),
            "/d",
            &ExtractOptions::new(),
        )
    });
    // A truncated archive has no central directory.
    let archive = zip_of(&[("a", b"aaaa"), ("b", b"bbbb")], deflated());
    fails_cleanly(&fs, ErrorKind::InvalidData, || {
        fs.extract_zip(
            Cursor::new(&archive[..archive.len() / 2]),
            "/d",
            &ExtractOptions::new(),
        )
    });
    // Compression method 12 (bzip2) is not compiled in: patch it into both headers.
    let mut archive = zip_of(&[("a", b"aaaa")], stored());
    for signature in [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x01, 0x02]] {
        let at = archive.windows(4).position(|w| w == signature).unwrap();
        let method = if signature[2] == 3 { at + 8 } else { at + 10 };
        archive[method] = 12;
    }
    for mode in [ExtractMode::Atomic, ExtractMode::Streaming] {
        fails_cleanly(&fs, ErrorKind::Unsupported, || {
            fs.extract_zip(Cursor::new(&archive), "/d", &self::mode(mode))
        });
    }
}

/// A zip whose entries (empty, stored) declare the given uncompressed sizes in zip64 extra
/// fields, as a hostile archive may: the zip crate's writer cannot produce one.
fn zip_declaring(sizes: &[u64]) -> Vec<u8> {
    fn zip64_extra(size: u64) -> Vec<u8> {
        let mut extra = Vec::new();
        extra.extend(1u16.to_le_bytes()); // the zip64 extended information field
        extra.extend(16u16.to_le_bytes());
        extra.extend(size.to_le_bytes()); // uncompressed
        extra.extend(0u64.to_le_bytes()); // compressed
        extra
    }
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (i, size) in sizes.iter().enumerate() {
        let name = format!("f{i}");
        let extra = zip64_extra(*size);
        let offset = out.len() as u32;
        // Local header: version 4.5, stored, 1980-01-01, CRC 0, sizes in the zip64 field.
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(45u16.to_le_bytes());
        out.extend([0, 0, 0, 0, 0, 0]); // flags, method, time
        out.extend(0x21u16.to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend([0xff; 8]);
        out.extend((name.len() as u16).to_le_bytes());
        out.extend((extra.len() as u16).to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(&extra);
        // Central directory header: made by Unix, a regular file 0644.
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(0x031eu16.to_le_bytes());
        central.extend(45u16.to_le_bytes());
        central.extend([0, 0, 0, 0, 0, 0]);
        central.extend(0x21u16.to_le_bytes());
        central.extend(0u32.to_le_bytes());
        central.extend([0xff; 8]);
        central.extend((name.len() as u16).to_le_bytes());
        central.extend((extra.len() as u16).to_le_bytes());
        central.extend([0; 6]); // comment length, disk, internal attributes
        central.extend((0o100_644u32 << 16).to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
        central.extend(&extra);
    }
    let (at, len) = (out.len() as u32, central.len() as u32);
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0; 4]);
    out.extend((sizes.len() as u16).to_le_bytes());
    out.extend((sizes.len() as u16).to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend([0; 2]);
    out
}

/// Declared sizes are checked, never summed past u64: with a quota of u64::MAX, three
/// entries of the maximum file size each fit alone but not together (atomic mode admits
/// them all first; streaming reads the first, which is truncated), and one past the maximum
/// file size is refused for its own size. Either way nothing is left.
#[test]
fn hostile_declared_sizes_get_a_clear_error_not_an_overflow() {
    use ErrorKind::{FileTooLarge, StorageFull, UnexpectedEof};
    let max = dmemfs_core::MAX_FILE_SIZE;
    let cases = [
        (
            vec![max, max, max],
            [StorageFull, UnexpectedEof],
            ["/d/f2", "/d"],
        ),
        (vec![0, max + 1], [FileTooLarge; 2], ["/d/f1"; 2]),
        (vec![u64::MAX], [FileTooLarge; 2], ["/d/f0"; 2]),
    ];
    for (sizes, kinds, paths) in cases {
        for (mode, (kind, path)) in BOTH_MODES.into_iter().zip(kinds.into_iter().zip(paths)) {
            let fs = MemFs::builder().quota(u64::MAX).build().unwrap();
            let archive = zip_declaring(&sizes);
            let err = fails_cleanly(&fs, kind, || {
                fs.extract_zip(Cursor::new(&archive), "/d", &self::mode(mode))
            });
            assert_eq!(err.path(), path, "{sizes:?} {mode:?}: {err}");
            assert!(matches!(err.reason(), Reason::Archive { .. }), "{err}");
        }
    }
}

/// `cmd | zip out.zip -` records the data it read from the pipe with a FIFO's mode: it is
/// extracted as a regular file, as `unzip` and Python's zipfile do, not skipped.
#[test]
fn an_entry_with_a_fifo_mode_is_a_regular_file() {
    let data = vec![b'x'; 100_000];
    let mut archive = zip_of(&[("-", &data)], deflated());
    // Give the entry the mode Info-ZIP writes for standard input: S_IFIFO | 0644.
    let central = archive
        .windows(4)
        .position(|w| w == [0x50, 0x4b, 0x01, 0x02])
        .unwrap();
    archive[central + 4..central + 6].copy_from_slice(&0x031eu16.to_le_bytes()); // made by Unix
    archive[central + 38..central + 42].copy_from_slice(&(0o010_644u32 << 16).to_le_bytes());
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        let report = fs
            .extract_zip(Cursor::new(&archive), "/d", &self::mode(mode))
            .unwrap();
        assert_eq!((report.files, report.bytes), (1, 100_000), "{mode:?}");
        assert!(report.skipped.is_empty(), "{mode:?}: {:?}", report.skipped);
        assert_eq!(fs.read("/d/-").unwrap(), data);
    }
}
