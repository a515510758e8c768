//! Hostile input: each gets a clear error (never a panic or an abort) and leaves the
//! filesystem exactly as it was.

use std::io::{ErrorKind, Seek, SeekFrom, Write};
use std::time::Duration;

use dmemfs_core::{FsError, MAX_FILE_SIZE, MemFs, NAME_MAX};

use crate::common::snapshot;

/// An operation run against a prepared filesystem.
type Attempt = Box<dyn Fn(&MemFs) -> std::io::Result<()>>;

type Case = (&'static str, Attempt, ErrorKind);

fn cases() -> Vec<Case> {
    let long_name = format!("/{}", "n".repeat(NAME_MAX + 1));
    let ten_thousand = "/a".repeat(10_000);
    let huge = "x".repeat(10 << 20);
    let case = |name, op: Attempt, kind| (name, op, kind);
    vec![
        case(
            "NUL in a path",
            Box::new(|fs| fs.write("/a\0b", "x")),
            ErrorKind::InvalidInput,
        ),
        case(
            "NUL in a directory",
            Box::new(|fs| fs.create_dir_all("/d\0/e")),
            ErrorKind::InvalidInput,
        ),
        case(
            "the root as a file",
            Box::new(|fs| fs.create("").map(drop)),
            ErrorKind::InvalidInput,
        ),
        case(
            "the root removed",
            Box::new(|fs| fs.remove_dir_all("/x/..")),
            ErrorKind::InvalidInput,
        ),
        case(
            "a name of 256 bytes",
            {
                let p = long_name.clone();
                Box::new(move |fs| fs.write(&p, "x"))
            },
            ErrorKind::InvalidFilename,
        ),
        case(
            "a 10 MiB path",
            {
                let p = huge.clone();
                Box::new(move |fs| fs.create_dir_all(&p))
            },
            ErrorKind::InvalidFilename,
        ),
        case(
            "10,000 components",
            {
                let p = ten_thousand.clone();
                Box::new(move |fs| fs.create_dir_all(&p))
            },
            ErrorKind::InvalidFilename,
        ),
        case(
            "10,000 components imported",
            {
                let p = ten_thousand;
                Box::new(move |fs| fs.import_tree([(p.as_str(), "x")]))
            },
            ErrorKind::InvalidFilename,
        ),
        case(
            "`..` above the root",
            Box::new(|fs| fs.write("/../../etc/passwd", "x")),
            ErrorKind::InvalidInput,
        ),
        case(
            "`..` above the root, relative",
            Box::new(|fs| fs.create_dir("../x")),
            ErrorKind::InvalidInput,
        ),
        case(
            "`..` above the root in a rename",
            Box::new(|fs| fs.rename("/data", "/../data")),
            ErrorKind::InvalidInput,
        ),
        case(
            "a seek to u64::MAX",
            Box::new(|fs| {
                fs.options()
                    .read(true)
                    .open("/data")?
                    .seek(SeekFrom::Start(u64::MAX))
                    .map(drop)
            }),
            ErrorKind::InvalidInput,
        ),
        case(
            "a seek to i64::MAX past the end",
            Box::new(|fs| fs.open("/data")?.seek(SeekFrom::End(i64::MAX)).map(drop)),
            ErrorKind::InvalidInput,
        ),
        case(
            "a seek before the start",
            Box::new(|fs| fs.open("/data")?.seek(SeekFrom::Current(-1)).map(drop)),
            ErrorKind::InvalidInput,
        ),
        case(
            "set_len(u64::MAX)",
            Box::new(|fs| fs.options().write(true).open("/data")?.set_len(u64::MAX)),
            ErrorKind::InvalidInput,
        ),
        case(
            "set_len(i64::MAX)",
            Box::new(|fs| {
                fs.options()
                    .write(true)
                    .open("/data")?
                    .set_len(MAX_FILE_SIZE)
            }),
            ErrorKind::StorageFull,
        ),
        case(
            "a write overflowing u64",
            Box::new(|fs| {
                fs.options()
                    .write(true)
                    .open("/data")?
                    .write_at(b"xy", u64::MAX - 1)
                    .map(drop)
            }),
            ErrorKind::FileTooLarge,
        ),
        case(
            "a write past i64::MAX",
            Box::new(|fs| {
                let mut file = fs.options().write(true).open("/data")?;
                file.seek(SeekFrom::Start(MAX_FILE_SIZE))?;
                file.write(b"x").map(drop)
            }),
            ErrorKind::FileTooLarge,
        ),
        case(
            "preallocate(u64::MAX)",
            Box::new(|fs| {
                fs.options()
                    .write(true)
                    .preallocate(u64::MAX)
                    .open("/new")
                    .map(drop)
            }),
            ErrorKind::InvalidInput,
        ),
        case(
            "a huge preallocation",
            Box::new(|fs| {
                fs.options()
                    .write(true)
                    .create(true)
                    .preallocate(1 << 40)
                    .open("/new")
                    .map(drop)
            }),
            ErrorKind::StorageFull,
        ),
        case(
            "an unclosed glob set",
            Box::new(|fs| fs.glob("/[abc").map(drop)),
            ErrorKind::InvalidInput,
        ),
        case(
            "`..` in a glob",
            Box::new(|fs| fs.glob("/a/../*").map(drop)),
            ErrorKind::InvalidInput,
        ),
        case(
            "a zero lock timeout on a held file",
            Box::new(|fs| {
                let _writer = fs.options().write(true).open("/data")?;
                fs.options()
                    .read(true)
                    .lock_timeout(Some(Duration::ZERO))
                    .open("/data")
                    .map(drop)
            }),
            ErrorKind::WouldBlock,
        ),
    ]
}

#[test]
fn every_hostile_input_gets_a_clear_error_and_changes_nothing() {
    for (name, op, kind) in cases() {
        let fs = MemFs::builder()
            .quota(1 << 20)
            .lock_timeout(Some(Duration::from_millis(20)))
            .build()
            .unwrap();
        fs.create_dir("/x").unwrap();
        fs.write("/data", "payload").unwrap();
        let before = snapshot(&fs);
        let err = op(&fs).expect_err(name);
        assert_eq!(err.kind(), kind, "{name}: {err}");
        let payload =
            FsError::from_io(&err).unwrap_or_else(|| panic!("{name}: no FsError in {err:?}"));
        assert!(
            err.to_string().starts_with(&format!("{} `", payload.op())),
            "{name}: {err}"
        );
        assert_eq!(snapshot(&fs), before, "{name} changed the filesystem");
    }
}

#[test]
fn extreme_settings() {
    // Quota 0: only empty files fit.
    let empty = MemFs::builder().quota(0).build().unwrap();
    empty.write("/e", "").unwrap();
    assert_eq!(
        empty.write("/x", "x").unwrap_err().kind(),
        ErrorKind::StorageFull
    );
    // Node limit 0 cannot hold the root; 1 holds only the root.
    assert_eq!(
        MemFs::builder().max_nodes(0).build().unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let root_only = MemFs::builder().max_nodes(1).build().unwrap();
    assert_eq!(
        root_only.create_dir("/d").unwrap_err().kind(),
        ErrorKind::QuotaExceeded
    );
    // A quota of u64::MAX is accepted (the memory guard, if on, would judge it).
    let vast = MemFs::builder().quota(u64::MAX).build().unwrap();
    vast.write("/a", "x").unwrap();
    // A huge lock timeout means "wait": it must not overflow the clock.
    let fs = MemFs::builder()
        .lock_timeout(Some(Duration::MAX))
        .build()
        .unwrap();
    let writer = fs.create("/held").unwrap();
    let other = fs.clone();
    let reader = std::thread::spawn(move || other.read("/held"));
    std::thread::sleep(Duration::from_millis(20));
    drop(writer);
    assert_eq!(reader.join().unwrap().unwrap(), b"");
    // Reads far past the end give nothing.
    let file = fs.open("/held").unwrap();
    assert_eq!(file.read_at(&mut [0; 8], u64::MAX).unwrap(), 0);
}
