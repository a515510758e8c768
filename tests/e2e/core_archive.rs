//! Archives (features `tar`, `zip`): `extract_tar`, `extract_zip`, `export_tar`.
//!
//! Test archives are built in-test with the `tar` and `zip` crates' writers; hostile names
//! that the writers refuse are written into raw headers. Round trips, names and limits are
//! here; the submodules hold policies, corrupt input, streaming, extraction over hard-linked
//! files (`links`), zip and the system `tar`.

mod corrupt;
mod links;
mod policies;
mod streaming;
mod system_tar;
mod zip;

use std::io::{self, ErrorKind, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dmemfs_core::{
    FsError, MemFs, Op, Reason,
    archive::{ArchiveReport, Compression, Conflict, ExportOptions, ExtractMode, ExtractOptions},
};

use crate::common::*;

const BOTH_MODES: [ExtractMode; 2] = [ExtractMode::Atomic, ExtractMode::Streaming];

/// A tar archive of regular files (mode 0644, mtime 1_000_000_000).
pub(crate) fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_000_000_000);
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Appends an entry whose name is written into the header as is, bypassing the builder's
/// path checks (which refuse `..` and absolute names).
fn raw_entry(builder: &mut tar::Builder<Vec<u8>>, name: &[u8], kind: tar::EntryType, data: &[u8]) {
    let mut header = tar::Header::new_old();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

/// Good files, then one entry named `bad`.
fn tar_with_bad_name(bad: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, b"ok1.txt", tar::EntryType::Regular, b"one");
    raw_entry(
        &mut builder,
        b"sub/ok2.txt",
        tar::EntryType::Regular,
        b"two",
    );
    raw_entry(&mut builder, bad, tar::EntryType::Regular, b"evil");
    builder.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn mode(mode: ExtractMode) -> ExtractOptions {
    ExtractOptions::new().mode(mode)
}

/// Runs an extraction that must fail with `kind`, and checks that nothing observable
/// changed: tree, contents, used bytes, node counts, and the high-water mark.
#[track_caller]
fn fails_cleanly(
    fs: &MemFs,
    kind: ErrorKind,
    extract: impl FnOnce() -> io::Result<ArchiveReport>,
) -> FsError {
    let before = snapshot(fs);
    let peak = fs.stats().peak_used;
    let err = expect_err(extract(), kind);
    assert_eq!(
        snapshot(fs),
        before,
        "a failed extraction changed the tree: {err}"
    );
    assert_invariants(fs);
    // Streaming mode installs (and so counts) entries before it fails; atomic mode never.
    assert!(fs.stats().peak_used >= peak);
    err
}

/// A sample tree with nesting, an empty directory and file, binary contents and a name
/// longer than the 100 bytes of a classic tar header.
fn sample(fs: &MemFs, root: &str) -> String {
    let long = format!("{root}/{}", "n".repeat(150));
    fs.create_dir_all(format!("{root}/a/b")).unwrap();
    fs.create_dir_all(format!("{root}/empty")).unwrap();
    fs.write(format!("{root}/a/b/deep.txt"), "deep").unwrap();
    fs.write(format!("{root}/a/bin"), [0u8, 255, 1, 254, b'\n', b'\r'])
        .unwrap();
    fs.write(format!("{root}/zero"), "").unwrap();
    fs.write(format!("{root}/big"), vec![7u8; 200_000]).unwrap();
    fs.write(&long, "long name").unwrap();
    long
}

/// The files and directories below `root`, with paths relative to it.
fn subtree(fs: &MemFs, root: &str) -> Vec<(String, Option<Vec<u8>>)> {
    fs.walk(root)
        .unwrap()
        .skip(1) // the root itself
        .map(|entry| {
            let entry = entry.unwrap();
            let contents = entry
                .file_type()
                .is_file()
                .then(|| fs.read(entry.path()).unwrap());
            (entry.path()[root.len()..].to_owned(), contents)
        })
        .collect()
}

// ---------------------------------------------------------------- round trips

#[test]
fn export_then_extract_reproduces_the_tree() {
    for mode in BOTH_MODES {
        let fs = MemFs::new();
        sample(&fs, "/src");
        let mut archive = Vec::new();
        let exported = fs
            .export_tar("/src", &mut archive, &ExportOptions::new())
            .unwrap();
        assert_eq!(
            (exported.files, exported.dirs, exported.bytes),
            (5, 3, 200_019)
        );
        let report = fs
            .extract_tar(&archive[..], "/copy/here", &self::mode(mode))
            .unwrap();
        assert_eq!(subtree(&fs, "/copy/here"), subtree(&fs, "/src"), "{mode:?}");
        // `/copy`, `/copy/here`, `a`, `a/b`, `empty`.
        assert_eq!((report.files, report.dirs, report.bytes), (5, 5, 200_019));
        assert!(report.skipped.is_empty());
        assert_invariants(&fs);
    }
}

#[test]
fn export_is_deterministic_and_sorted() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    for name in ["c", "a", "b/x", "b/y"] {
        fs.create_dir_all("/d/b").unwrap();
        fs.write(format!("/d/{name}"), name).unwrap();
    }
    let mut first = Vec::new();
    let mut second = Vec::new();
    fs.export_tar("/d", &mut first, &ExportOptions::new())
        .unwrap();
    fs.export_tar("/d", &mut second, &ExportOptions::new())
        .unwrap();
    assert_eq!(first, second);
    let mut archive = tar::Archive::new(&first[..]);
    let listing: Vec<(String, u32, u64)> = archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let header = e.header();
            (
                e.path().unwrap().display().to_string(),
                header.mode().unwrap(),
                header.uid().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listing,
        [
            ("a".to_owned(), 0o644, 0),
            ("b/".to_owned(), 0o755, 0),
            ("b/x".to_owned(), 0o644, 0),
            ("b/y".to_owned(), 0o644, 0),
            ("c".to_owned(), 0o644, 0),
        ]
    );
}

#[test]
fn export_of_one_file_or_the_root() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.write("/d/report.txt", "r").unwrap();
    let mut one = Vec::new();
    let report = fs
        .export_tar("/d/report.txt", &mut one, &ExportOptions::new())
        .unwrap();
    assert_eq!((report.files, report.dirs), (1, 0));
    let other = MemFs::new();
    other
        .extract_tar(&one[..], "/", &ExtractOptions::new())
        .unwrap();
    assert_eq!(other.read_to_string("/report.txt").unwrap(), "r");

    let mut all = Vec::new();
    fs.export_tar("/", &mut all, &ExportOptions::new()).unwrap();
    let other = MemFs::new();
    other
        .extract_tar(&all[..], "/", &ExtractOptions::new())
        .unwrap();
    assert_eq!(other.read_to_string("/d/report.txt").unwrap(), "r");

    let err = expect_err(
        fs.export_tar("/nope", Vec::new(), &ExportOptions::new()),
        ErrorKind::NotFound,
    );
    assert_eq!((err.op(), err.path()), (Op::ExportTar, "/nope"));
}

#[test]
fn a_failing_writer_keeps_its_error_kind() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(ErrorKind::BrokenPipe, "pipe closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let fs = MemFs::new();
    fs.write("/f", "x").unwrap();
    let err = expect_err(
        fs.export_tar("/", Broken, &ExportOptions::new()),
        ErrorKind::BrokenPipe,
    );
    assert_eq!(err.op(), Op::ExportTar);
    assert!(
        matches!(err.reason(), Reason::Archive { entry: Some(e), .. } if e == "f"),
        "{err}"
    );
}

#[test]
fn gzip_is_detected_or_forced() {
    let fs = MemFs::new();
    fs.write("/in/a.txt", "alpha")
        .or_else(|_| {
            fs.create_dir("/in")?;
            fs.write("/in/a.txt", "alpha")
        })
        .unwrap();
    let mut gz = Vec::new();
    fs.export_tar(
        "/in",
        &mut gz,
        &ExportOptions::new().compression(Compression::Gzip),
    )
    .unwrap();
    assert_eq!(gz[..2], [0x1f, 0x8b]);
    fs.extract_tar(&gz[..], "/auto", &ExtractOptions::new())
        .unwrap();
    let forced = ExtractOptions::new().compression(Compression::Gzip);
    fs.extract_tar(&gz[..], "/forced", &forced).unwrap();
    assert_eq!(fs.read_to_string("/auto/a.txt").unwrap(), "alpha");
    assert_eq!(fs.read_to_string("/forced/a.txt").unwrap(), "alpha");
    // Told it is plain, the gzip bytes are a corrupt tar header.
    let plain = ExtractOptions::new().compression(Compression::Plain);
    let err = fails_cleanly(&fs, ErrorKind::InvalidData, || {
        fs.extract_tar(&gz[..], "/p", &plain)
    });
    assert!(err.to_string().contains("corrupt archive"), "{err}");
    // Concatenated gzip members read as one stream, as `gzip -d` does.
    let tar = tar_of(&[("one", b"1")]);
    let (head, tail) = tar.split_at(700);
    let two_members = [gzip(head), gzip(tail)].concat();
    fs.extract_tar(&two_members[..], "/multi", &ExtractOptions::new())
        .unwrap();
    assert_eq!(fs.read_to_string("/multi/one").unwrap(), "1");
}

#[test]
fn mtimes_come_from_the_archive_unless_told_otherwise() {
    let fs = MemFs::new();
    let archive = tar_of(&[("f", b"x")]);
    fs.extract_tar(&archive[..], "/kept", &ExtractOptions::new())
        .unwrap();
    let kept = fs.metadata("/kept/f").unwrap().modified().unwrap();
    assert_eq!(kept, UNIX_EPOCH + Duration::from_secs(1_000_000_000));
    let now = SystemTime::now() - Duration::from_secs(60);
    fs.extract_tar(
        &archive[..],
        "/fresh",
        &ExtractOptions::new().preserve_mtime(false),
    )
    .unwrap();
    assert!(fs.metadata("/fresh/f").unwrap().modified().unwrap() > now);
    // Extracted files count as imported: generation 0.
    assert_eq!(fs.metadata("/kept/f").unwrap().generation(), Some(0));
}

#[test]
fn later_entries_of_the_same_name_win() {
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        let archive = tar_of(&[("f", b"first version"), ("f", b"second")]);
        let report = fs
            .extract_tar(&archive[..], "/d", &self::mode(mode))
            .unwrap();
        assert_eq!(fs.read_to_string("/d/f").unwrap(), "second", "{mode:?}");
        assert_eq!(fs.stats().used, 6, "{mode:?}");
        assert_eq!(
            report.bytes,
            if mode == ExtractMode::Atomic { 6 } else { 19 }
        );
        assert_invariants(&fs);
    }
}

// ---------------------------------------------------------------- hostile names

#[test]
fn names_escaping_the_destination_are_refused_and_nothing_is_left() {
    let cases: [(&[u8], &str); 7] = [
        (b"../evil", "`..` components are refused"),
        (b"sub/../../evil", "`..` components are refused"),
        (b"a/../b", "`..` components are refused"),
        (b"..\\..\\evil", "`..` components are refused"),
        (b"/etc/passwd", "absolute names are refused"),
        (b"C:\\Windows\\evil", "a drive prefix is refused"),
        (b"\\\\host\\share\\evil", "absolute names are refused"),
    ];
    for mode in BOTH_MODES {
        for (bad, why) in cases {
            let fs = test_fs(1 << 20);
            fs.create_dir("/keep").unwrap();
            let archive = tar_with_bad_name(bad);
            let err = fails_cleanly(&fs, ErrorKind::InvalidData, || {
                fs.extract_tar(&archive[..], "/dest", &self::mode(mode))
            });
            let entry = String::from_utf8_lossy(bad).into_owned();
            assert_eq!(err.op(), Op::ExtractTar);
            assert_eq!(err.path(), "/dest");
            assert_eq!(
                err.reason(),
                &Reason::UnsafeEntry {
                    entry: entry.clone(),
                    why
                }
            );
            assert_eq!(
                err.to_string(),
                format!("extract_tar `/dest`: unsafe entry name `{entry}`: {why}")
            );
            assert!(
                !fs.exists("/evil") && !fs.exists("/dest"),
                "{mode:?} {entry}"
            );
        }
    }
}

#[test]
fn non_utf8_and_overlong_names_are_refused() {
    let fs = test_fs(1 << 20);
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, b"caf\xe9", tar::EntryType::Regular, b"x");
    let archive = builder.into_inner().unwrap();
    let err = fails_cleanly(&fs, ErrorKind::InvalidData, || {
        fs.extract_tar(&archive[..], "/d", &ExtractOptions::new())
    });
    assert!(matches!(
        err.reason(),
        Reason::UnsafeEntry {
            why: "the name is not valid UTF-8",
            ..
        }
    ));

    let long = format!("ok/{}", "n".repeat(300));
    let archive = tar_of(&[(long.as_str(), b"x")]);
    fails_cleanly(&fs, ErrorKind::InvalidFilename, || {
        fs.extract_tar(&archive[..], "/d", &ExtractOptions::new())
    });
}

#[test]
fn dot_entries_name_the_destination() {
    let fs = MemFs::new();
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, b"./", tar::EntryType::Directory, b"");
    raw_entry(&mut builder, b"./a/./b", tar::EntryType::Regular, b"ab");
    let mut empty = tar::Header::new_gnu();
    empty.set_size(0);
    builder.append_data(&mut empty, "plain", &b""[..]).unwrap();
    let archive = builder.into_inner().unwrap();
    fs.extract_tar(&archive[..], "/d", &ExtractOptions::new())
        .unwrap();
    assert_eq!(fs.read_to_string("/d/a/b").unwrap(), "ab");
    assert!(fs.is_file("/d/plain"));

    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, b".", tar::EntryType::Regular, b"x");
    let archive = builder.into_inner().unwrap();
    let err = fails_cleanly(&fs, ErrorKind::InvalidData, || {
        fs.extract_tar(&archive[..], "/d", &ExtractOptions::new())
    });
    assert!(matches!(err.reason(), Reason::UnsafeEntry { .. }), "{err}");
}

// ---------------------------------------------------------------- limits

#[test]
fn quota_hit_on_the_third_entry_leaves_no_trace() {
    for mode in BOTH_MODES {
        let fs = test_fs(10_000);
        fs.write("/existing", [1u8; 1000]).unwrap();
        let data = [9u8; 4000];
        let archive = tar_of(&[("a", &data), ("sub/b", &data), ("sub/c", &data)]);
        let err = fails_cleanly(&fs, ErrorKind::StorageFull, || {
            fs.extract_tar(&archive[..], "/d", &self::mode(mode))
        });
        assert_eq!(
            (err.op(), err.path()),
            (Op::ExtractTar, "/d/sub/c"),
            "{mode:?}"
        );
        assert!(
            matches!(
                err.reason(),
                Reason::QuotaExceeded {
                    requested: 4000,
                    available: 1000,
                    quota: 10_000
                }
            ),
            "{mode:?}: {err}"
        );
        if mode == ExtractMode::Atomic {
            assert_eq!(
                fs.stats().peak_used,
                1000,
                "atomic mode never counted the staged entries"
            );
        }
    }
}

#[test]
fn the_quota_is_checked_at_the_header_before_any_bytes_are_read() {
    // The header declares 1 GiB but the archive stops right after it: a check after reading
    // would report a truncated archive, not a full quota.
    let mut header = tar::Header::new_gnu();
    header.set_path("huge.bin").unwrap();
    header.set_size(1 << 30);
    header.set_cksum();
    let archive = [
        tar_of(&[("small", b"s")]).split_at(1024).0,
        header.as_bytes(),
    ]
    .concat();
    for mode in BOTH_MODES {
        let fs = test_fs(1 << 20);
        let err = fails_cleanly(&fs, ErrorKind::StorageFull, || {
            fs.extract_tar(&archive[..], "/d", &self::mode(mode))
        });
        assert_eq!(err.path(), "/d/huge.bin");
    }
}

#[test]
fn replacing_files_is_charged_for_the_net_growth() {
    let fs = test_fs(1000);
    fs.write("/d/f", [0u8; 900])
        .or_else(|_| {
            fs.create_dir("/d")?;
            fs.write("/d/f", [0u8; 900])
        })
        .unwrap();
    let archive = tar_of(&[("f", &[1u8; 950])]);
    let overwrite = ExtractOptions::new().conflict(Conflict::Overwrite);
    fs.extract_tar(&archive[..], "/d", &overwrite).unwrap();
    assert_eq!(fs.read("/d/f").unwrap(), [1u8; 950]);
    assert_eq!(fs.stats().used, 950);
    assert_invariants(&fs);
}

#[test]
fn the_node_limit_is_checked_before_anything_is_written() {
    for mode in BOTH_MODES {
        // Root, `/d`, and room for 3 more nodes: `x/`, `x/1`, `x/2` fit, `x/3` does not.
        let fs = MemFs::builder()
            .quota(1 << 20)
            .max_nodes(5)
            .build()
            .unwrap();
        fs.create_dir("/d").unwrap();
        let archive = tar_of(&[("x/1", b"1"), ("x/2", b"2"), ("x/3", b"3")]);
        let err = fails_cleanly(&fs, ErrorKind::QuotaExceeded, || {
            fs.extract_tar(&archive[..], "/d", &self::mode(mode))
        });
        assert!(
            matches!(err.reason(), Reason::NodeLimit { limit: 5, .. }),
            "{err}"
        );
        assert_eq!(err.path(), "/d/x/3");
    }
}

#[test]
fn an_archive_error_either_shows_its_source_or_returns_it_not_both() {
    use std::error::Error;
    let fs = MemFs::new();
    // A header block of 0xff bytes: the tar crate refuses it (a bad checksum).
    let corrupt = vec![0xffu8; 1024];
    let plain = ExtractOptions::new().compression(Compression::Plain);
    let err = fs.extract_tar(&corrupt[..], "/x", &plain).unwrap_err();
    let payload = FsError::from_io(&err).expect("an FsError");
    assert!(
        matches!(payload.reason(), Reason::Archive { .. }),
        "{payload:?}"
    );
    let source = payload
        .source()
        .expect("the archive crate's error is kept as the source");
    // What `anyhow`'s `{:#}`, `eyre` and `tracing` print: each level of the chain in turn.
    let chain = format!("{payload}: {source}");
    let inner = source.to_string();
    assert_eq!(
        chain.matches(inner.as_str()).count(),
        1,
        "the source's text appears twice in the error chain: {chain}"
    );
}
