//! The examples of README.md's "Testing with dmemfs" section and of docs/migrating.md, run as
//! tests. (Those blocks are compiled as doctests, where `#[test]` functions are not run.) Keep
//! them in step.

use std::io::{Cursor, ErrorKind, Read, Write};

use dmemfs_core::Op;
use dmemfs_test::{
    FaultPlan, MemFs, Rule, assert_file_eq, assert_missing, assert_quota, memfs, with_memfs,
};
use rstest::rstest;

#[with_memfs(quota = "32M")]
#[test]
fn writes_report(fs: MemFs) -> std::io::Result<()> {
    fs.create_dir("/out")?;
    fs.write("/out/report.csv", "region,total\nnorth,12\n")?;
    assert_file_eq!(fs, "/out/report.csv", "region,total\nnorth,12\n");
    assert_quota!(fs, files == 1);
    Ok(())
}

#[rstest]
fn with_the_fixture(#[with("1M")] memfs: MemFs) {
    memfs.write("/a.txt", "a").unwrap();
}

#[with_memfs(quota = "1K")]
#[test]
fn refuses_big_uploads(fs: MemFs) {
    let err = fs.write("/upload.bin", vec![b'x'; 2048]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
    assert_missing!(fs, "/upload.bin");
    assert_quota!(fs, used == 0);
}

/// The code under test: unpacks an archive below `dir`.
fn extract(fs: &MemFs, archive: &[u8], dir: &str) -> zip::result::ZipResult<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive))?;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let path = format!("{dir}/{}", entry.name()?);
        if entry.is_dir() {
            fs.create_dir_all(&path)?;
            continue;
        }
        if let Some((parent, _)) = path.rsplit_once('/') {
            fs.create_dir_all(parent)?;
        }
        let mut contents = Vec::new();
        entry.read_to_end(&mut contents)?;
        fs.write(&path, contents)?;
    }
    Ok(())
}

#[with_memfs(quota = "64M")]
#[test]
fn extracts_an_archive(fs: MemFs) -> zip::result::ZipResult<()> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in [
        ("README.txt", "hello"),
        ("data/config.json", "{\"debug\": true}"),
        ("data/records.csv", "id,name\n1,alpha\n"),
        ("data/nested/deep.txt", "deep"),
    ] {
        writer.start_file(name, zip::write::SimpleFileOptions::default())?;
        writer.write_all(text.as_bytes())?;
    }
    let archive = writer.finish()?.into_inner();

    extract(&fs, &archive, "/archive")?;
    assert_file_eq!(fs, "/archive/data/config.json", "{\"debug\": true}");
    assert_quota!(fs, files == 4);
    assert_quota!(fs, dirs == 4);
    Ok(())
}

#[with_memfs]
#[test]
fn reports_a_full_disk(fs: MemFs) {
    let plan = FaultPlan::new().with(
        Rule::fail(ErrorKind::StorageFull)
            .on(Op::Write)
            .matching("/out/**")
            .nth(2),
    );
    let _faults = plan.install(&fs);
    fs.create_dir("/out").unwrap();
    fs.write("/out/1.json", "{}").unwrap();
    assert_eq!(
        fs.write("/out/2.json", "{}").unwrap_err().kind(),
        ErrorKind::StorageFull
    );
    assert_eq!(plan.injected().len(), 1);
}

#[with_memfs(quota = "4M", mount)]
fn a_program_writes_into_the_test_filesystem(fs: MemFs) {
    let status = std::process::Command::new("sh")
        .args([
            "-c",
            "mkdir out && echo done > out/status && tar -cf out.tar out",
        ])
        .current_dir(dmemfs_test::mount_dir())
        .status()
        .unwrap();
    assert!(status.success());
    assert_file_eq!(fs, "/out/status", "done\n"); // read through the API
    assert_quota!(fs, used <= "1M");
}

/// docs/migrating.md, "After": the production code takes a `&dyn FileSystem`.
mod migrating {
    use dmemfs_core::vpath;
    use dmemfs_test::{FileSystem, MemFs, assert_file_eq, assert_missing, with_memfs};
    use std::io::{self, ErrorKind};

    fn publish(fs: &dyn FileSystem, dir: &str, name: &str, body: &str) -> io::Result<()> {
        let old = vpath::join(dir, "old");
        fs.create_dir_all(&old)?;
        let file = format!("{name}.csv");
        let path = vpath::join(dir, &file);
        if fs.exists(&path) {
            fs.rename(&path, &vpath::join(&old, &file))?;
        }
        fs.write(&path, body.as_bytes())
    }

    #[with_memfs(quota = "1M")]
    #[test]
    fn keeps_the_previous_report(fs: MemFs) -> io::Result<()> {
        publish(&fs, "/", "q1", "v1")?;
        publish(&fs, "/", "q1", "v2")?;
        assert_file_eq!(fs, "/q1.csv", "v2");
        assert_file_eq!(fs, "/old/q1.csv", "v1");
        Ok(())
    }

    #[with_memfs(quota = "3")]
    #[test]
    fn a_full_disk_loses_the_current_report(fs: MemFs) {
        publish(&fs, "/", "q1", "v1").unwrap();
        let err = publish(&fs, "/", "q1", "v2").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StorageFull);
        assert_missing!(fs, "/q1.csv");
    }

    /// docs/migrating.md, "Keep `std::fs` and mount the test's filesystem".
    mod mounted {
        use dmemfs_test::{MemFs, assert_file_eq, mount_dir, with_memfs};
        use std::{fs, io, path::Path};

        fn publish(dir: &Path, name: &str, body: &str) -> io::Result<()> {
            let old = dir.join("old");
            fs::create_dir_all(&old)?;
            let path = dir.join(format!("{name}.csv"));
            if path.exists() {
                fs::rename(&path, old.join(format!("{name}.csv")))?;
            }
            fs::write(&path, body)
        }

        #[with_memfs(quota = "1M", mount)]
        #[test]
        fn keeps_the_previous_report_on_a_mount(fs: MemFs) -> io::Result<()> {
            publish(&mount_dir(), "q1", "v1")?;
            publish(&mount_dir(), "q1", "v2")?;
            assert_file_eq!(fs, "/q1.csv", "v2");
            assert_file_eq!(fs, "/old/q1.csv", "v1");
            Ok(())
        }
    }
}
