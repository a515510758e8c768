//! Conflict policies, type clashes, the destination, links and special entries.

use std::io::{self, ErrorKind};

use dmemfs_core::{
    MemFs,
    archive::{Conflict, ExtractOptions, SkipReason, SpecialEntries},
};

use super::{BOTH_MODES, fails_cleanly, mode, raw_entry, tar_of};
use crate::common::*;

// ---------------------------------------------------------------- conflicts

fn conflict_fs() -> MemFs {
    let fs = test_fs(1 << 20);
    fs.create_dir_all("/d/sub").unwrap();
    fs.write("/d/a.txt", "old").unwrap();
    fs.write("/d/sub/keep.txt", "keep").unwrap();
    fs
}

#[test]
fn conflict_error_is_the_default() {
    for mode in BOTH_MODES {
        let fs = conflict_fs();
        let archive = tar_of(&[("new.txt", b"n"), ("a.txt", b"new")]);
        let err = fails_cleanly(&fs, ErrorKind::AlreadyExists, || {
            fs.extract_tar(&archive[..], "/d", &self::mode(mode))
        });
        assert_eq!(err.to_string(), "extract_tar `/d/a.txt`: already exists");
    }
}

#[test]
fn conflict_overwrite_replaces_and_skip_keeps() {
    for mode in BOTH_MODES {
        let archive = tar_of(&[("a.txt", b"new"), ("sub/b.txt", b"b")]);
        let fs = conflict_fs();
        let overwrite = self::mode(mode).conflict(Conflict::Overwrite);
        let report = fs.extract_tar(&archive[..], "/d", &overwrite).unwrap();
        assert_eq!(fs.read_to_string("/d/a.txt").unwrap(), "new");
        // Existing directories merge.
        assert_eq!(fs.read_to_string("/d/sub/keep.txt").unwrap(), "keep");
        assert_eq!((report.files, report.dirs), (2, 0));
        assert_invariants(&fs);

        let fs = conflict_fs();
        let skip = self::mode(mode).conflict(Conflict::Skip);
        let report = fs.extract_tar(&archive[..], "/d", &skip).unwrap();
        assert_eq!(fs.read_to_string("/d/a.txt").unwrap(), "old");
        assert_eq!(fs.read_to_string("/d/sub/b.txt").unwrap(), "b");
        assert_eq!(report.files, 1);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(
            (
                report.skipped[0].entry.as_str(),
                report.skipped[0].path.as_str()
            ),
            ("a.txt", "/d/a.txt")
        );
        assert_eq!(report.skipped[0].reason, SkipReason::Exists);
        assert_invariants(&fs);
    }
}

#[test]
fn overwriting_an_open_file_is_busy() {
    for mode in BOTH_MODES {
        let fs = conflict_fs();
        let _open = fs.open("/d/a.txt").unwrap();
        let archive = tar_of(&[("a.txt", b"new")]);
        let overwrite = self::mode(mode).conflict(Conflict::Overwrite);
        let err = expect_err(
            fs.extract_tar(&archive[..], "/d", &overwrite),
            ErrorKind::ResourceBusy,
        );
        assert_eq!(err.path(), "/d/a.txt");
        assert_eq!(fs.read_to_string("/d/a.txt").unwrap(), "old");
    }
}

#[test]
fn files_and_directories_never_replace_each_other() {
    for policy in [Conflict::Error, Conflict::Overwrite, Conflict::Skip] {
        let fs = conflict_fs();
        let onto_dir = tar_of(&[("sub", b"file where a directory is")]);
        let options = ExtractOptions::new().conflict(policy);
        fails_cleanly(&fs, ErrorKind::IsADirectory, || {
            fs.extract_tar(&onto_dir[..], "/d", &options)
        });
        let below_file = tar_of(&[("a.txt/inner", b"x")]);
        fails_cleanly(&fs, ErrorKind::NotADirectory, || {
            fs.extract_tar(&below_file[..], "/d", &options)
        });
        let mut builder = tar::Builder::new(Vec::new());
        raw_entry(&mut builder, b"a.txt/", tar::EntryType::Directory, b"");
        let dir_onto_file = builder.into_inner().unwrap();
        fails_cleanly(&fs, ErrorKind::NotADirectory, || {
            fs.extract_tar(&dir_onto_file[..], "/d", &options)
        });
        // Within one archive: a file, then something below it.
        let inside = tar_of(&[("f", b"x"), ("f/g", b"y")]);
        fails_cleanly(&fs, ErrorKind::NotADirectory, || {
            fs.extract_tar(&inside[..], "/d", &options)
        });
    }
}

#[test]
fn the_destination_is_created_or_must_be_a_directory() {
    let fs = MemFs::new();
    let report = fs
        .extract_tar(&tar_of(&[])[..], "/a/b/c", &ExtractOptions::new())
        .unwrap();
    assert!(fs.is_dir("/a/b/c"));
    assert_eq!(report.dirs, 3);
    fs.write("/file", "x").unwrap();
    let archive = tar_of(&[("f", b"x")]);
    let err = fails_cleanly(&fs, ErrorKind::NotADirectory, || {
        fs.extract_tar(&archive[..], "/file", &ExtractOptions::new())
    });
    assert_eq!(err.path(), "/file");
    fails_cleanly(&fs, ErrorKind::NotADirectory, || {
        fs.extract_tar(&archive[..], "/file/below", &ExtractOptions::new())
    });
}

// ---------------------------------------------------------------- special entries

fn tar_with_specials() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, b"real.txt", tar::EntryType::Regular, b"real");
    for (name, kind) in [
        (&b"sym"[..], tar::EntryType::Symlink),
        (b"hard", tar::EntryType::Link),
        (b"fifo", tar::EntryType::Fifo),
        (b"tty", tar::EntryType::Char),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(0);
        header.set_link_name("/etc/passwd").unwrap();
        builder
            .append_data(&mut header, std::str::from_utf8(name).unwrap(), io::empty())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn links_and_special_files_are_skipped_and_reported() {
    for mode in BOTH_MODES {
        let fs = MemFs::new();
        let report = fs
            .extract_tar(&tar_with_specials()[..], "/d", &self::mode(mode))
            .unwrap();
        assert_eq!(fs.read_dir("/d").unwrap().count(), 1, "only real.txt");
        let reasons: Vec<(String, SkipReason)> = report
            .skipped
            .into_iter()
            .map(|s| (s.path, s.reason))
            .collect();
        let target = "/etc/passwd".to_owned();
        assert_eq!(
            reasons,
            [
                (
                    "/d/sym".to_owned(),
                    SkipReason::Symlink {
                        target: target.clone()
                    }
                ),
                ("/d/hard".to_owned(), SkipReason::HardLink { target }),
                ("/d/fifo".to_owned(), SkipReason::Special("FIFO")),
                ("/d/tty".to_owned(), SkipReason::Special("character device")),
            ]
        );
    }
}

#[test]
fn links_can_be_refused() {
    for mode in BOTH_MODES {
        let fs = MemFs::new();
        let strict = self::mode(mode).special_entries(SpecialEntries::Refuse);
        let err = fails_cleanly(&fs, ErrorKind::Unsupported, || {
            fs.extract_tar(&tar_with_specials()[..], "/d", &strict)
        });
        assert_eq!(err.path(), "/d/sym");
        assert!(
            err.to_string().contains("symbolic link to `/etc/passwd`"),
            "{err}"
        );
    }
}
