//! Interoperability with the system `tar` (GNU tar on the CI image): it reads what
//! `export_tar` writes, and `extract_tar` reads what it writes.

use std::fs as host;
use std::path::Path;
use std::process::Command;

use dmemfs_core::{
    MemFs,
    archive::{Compression, ExportOptions, ExtractOptions, SkipReason},
};

use super::{sample, subtree};

fn system_tar(args: &[&str], dir: &Path) -> String {
    let output = Command::new("tar")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the system `tar` command is needed for this test");
    assert!(
        output.status.success(),
        "tar {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The files below a host directory, relative paths to contents (`None`: directory).
fn host_tree(dir: &Path, prefix: &str, out: &mut Vec<(String, Option<Vec<u8>>)>) {
    let mut entries: Vec<_> = host::read_dir(dir).unwrap().map(Result::unwrap).collect();
    entries.sort_by_key(host::DirEntry::file_name);
    for entry in entries {
        let relative = format!("{prefix}/{}", entry.file_name().to_str().unwrap());
        if entry.file_type().unwrap().is_dir() {
            out.push((relative.clone(), None));
            host_tree(&entry.path(), &relative, out);
        } else {
            out.push((relative, Some(host::read(entry.path()).unwrap())));
        }
    }
}

#[test]
fn system_tar_lists_and_extracts_the_export() {
    for gzip in [false, true] {
        let fs = MemFs::new();
        let long = sample(&fs, "/src");
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join(if gzip { "out.tar.gz" } else { "out.tar" });
        let writer = host::File::create(&file).unwrap();
        fs.export_tar(
            "/src",
            writer,
            &ExportOptions::new().compression(if gzip {
                Compression::Gzip
            } else {
                Compression::Plain
            }),
        )
        .unwrap();

        let flags = if gzip { "-tvzf" } else { "-tvf" };
        let listing = system_tar(&[flags, file.to_str().unwrap()], tmp.path());
        let lines: Vec<&str> = listing.lines().collect();
        assert_eq!(lines.len(), 8, "{listing}");
        let fields = |line: &str| -> (String, String, String, String) {
            let f: Vec<&str> = line.split_whitespace().collect();
            (f[0].into(), f[1].into(), f[2].into(), f[f.len() - 1].into())
        };
        assert_eq!(
            fields(lines[0]),
            ("drwxr-xr-x".into(), "0/0".into(), "0".into(), "a/".into())
        );
        let big = lines.iter().find(|l| l.ends_with(" big")).unwrap();
        assert_eq!(
            fields(big),
            (
                "-rw-r--r--".into(),
                "0/0".into(),
                "200000".into(),
                "big".into()
            )
        );
        assert!(
            listing.contains(&long["/src/".len()..]),
            "long names survive: {listing}"
        );

        let out = tmp.path().join("x");
        host::create_dir(&out).unwrap();
        let flags = if gzip { "-xzf" } else { "-xf" };
        system_tar(
            &[flags, file.to_str().unwrap(), "-C", out.to_str().unwrap()],
            tmp.path(),
        );
        let mut extracted = Vec::new();
        host_tree(&out, "", &mut extracted);
        assert_eq!(extracted, subtree(&fs, "/src"));
        // Modification times survive, to the second.
        let want = fs.metadata("/src/big").unwrap().modified().unwrap();
        let got = host::metadata(out.join("big")).unwrap().modified().unwrap();
        let secs =
            |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs(got), secs(want));
    }
}

#[test]
fn extract_tar_reads_what_system_tar_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    host::create_dir_all(src.join("dir/empty")).unwrap();
    host::write(src.join("dir/file.txt"), "from the host").unwrap();
    host::write(src.join("z".repeat(120)), "long").unwrap();
    std::os::unix::fs::symlink("dir/file.txt", src.join("link")).unwrap();
    let archive = tmp.path().join("host.tgz");
    system_tar(
        &[
            "-czf",
            archive.to_str().unwrap(),
            "-C",
            src.to_str().unwrap(),
            ".",
        ],
        tmp.path(),
    );

    let fs = MemFs::new();
    let report = fs
        .extract_tar(
            host::File::open(&archive).unwrap(),
            "/in",
            &ExtractOptions::new(),
        )
        .unwrap();
    assert_eq!(
        fs.read_to_string("/in/dir/file.txt").unwrap(),
        "from the host"
    );
    assert_eq!(
        fs.read_to_string(format!("/in/{}", "z".repeat(120)))
            .unwrap(),
        "long"
    );
    assert!(fs.is_dir("/in/dir/empty"));
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].path, "/in/link");
    assert_eq!(
        report.skipped[0].reason,
        SkipReason::Symlink {
            target: "dir/file.txt".into()
        }
    );
}
