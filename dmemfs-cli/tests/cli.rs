//! The `dmemfs` binary: started, used by other processes, stopped by a signal, unmounted.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn dmemfs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dmemfs"))
}

fn fuse_or_skip() -> bool {
    dmemfs_fuse::can_mount_or_skip(std::thread::current().name().unwrap_or("cli"))
}

fn sh(script: &str) -> std::process::Output {
    Command::new("sh").arg("-c").arg(script).output().unwrap()
}

#[test]
fn serves_other_processes_until_sigint_then_saves_and_unmounts() {
    if !fuse_or_skip() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let mnt = work.path().join("mnt");
    let seed = work.path().join("seed");
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(seed.join("etc")).unwrap();
    std::fs::write(seed.join("etc/app.conf"), "level=debug\n").unwrap();
    let archive = work.path().join("saved.tar.gz");
    let mut server = dmemfs()
        .arg("mount")
        .arg(&mnt)
        .args(["--quota", "1M", "--max-nodes", "100", "--seed"])
        .arg(&seed)
        .arg("--save")
        .arg(&archive)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    assert!(
        ready.contains("serving") && ready.contains("1.0 MiB"),
        "{ready}"
    );

    let m = mnt.display();
    let used = sh(&format!(
        "cat {m}/etc/app.conf && echo made > {m}/made.txt && dd if=/dev/zero of={m}/big bs=64k count=32"
    ));
    assert_eq!(String::from_utf8_lossy(&used.stdout), "level=debug\n");
    assert!(String::from_utf8_lossy(&used.stderr).contains("No space left on device"));

    assert!(sh(&format!("kill -INT {}", server.id())).status.success());
    let status = server.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(status.success(), "{status}: {rest}");
    assert!(
        rest.contains("saved 3 files") && rest.contains("unmounted"),
        "{rest}"
    );
    assert!(!dmemfs_fuse::mounts().unwrap().contains(&mnt));
    let leftovers: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with(".dmemfs-save-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let listing = sh(&format!("tar -tzf {}", archive.display()));
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains("made.txt") && listing.contains("etc/app.conf"),
        "{listing}"
    );
}

#[test]
fn bad_arguments_get_a_clear_message_and_a_failure_exit() {
    let dir = tempfile::tempdir().unwrap();
    let full = tempfile::tempdir().unwrap();
    std::fs::write(full.path().join("kept.txt"), "mine").unwrap();
    let full = full.path().to_str().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["mount", "DIR", "--quota", "lots"], "--quota lots"),
        (
            &["mount", "/nonexistent/dmemfs", "--quota", "1M"],
            "not an existing directory",
        ),
        (&["mount", "DIR"], "--quota"),
        (
            &["mount", "DIR", "--quota", "1M", "--max-nodes", "0"],
            "--max-nodes",
        ),
        (
            &["mount", "DIR", "--quota", "0"],
            "--quota 0: a RAM disk of 0 bytes",
        ),
        (&["mount", full, "--quota", "1M"], "not empty"),
        (
            &[
                "mount",
                "DIR",
                "--quota",
                "1M",
                "--save",
                "/nonexistent/dir/a.tar",
            ],
            "--save /nonexistent/dir/a.tar: cannot write in /nonexistent/dir",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("DIR", dir.path().to_str().unwrap()))
            .collect();
        let out = dmemfs().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let seed = dmemfs()
        .arg("mount")
        .arg(dir.path())
        .args(["--quota", "1M", "--seed", "/nonexistent/seed"])
        .output()
        .unwrap();
    assert!(!seed.status.success());
    assert!(String::from_utf8_lossy(&seed.stderr).contains("--seed /nonexistent/seed"));
}
