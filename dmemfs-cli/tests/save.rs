//! `--save`: checked before mounting, the earlier archive replaced only by a complete one,
//! its mode kept, links followed, one retry when saving fails.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

fn fuse_or_skip() -> bool {
    dmemfs_fuse::can_mount_or_skip(std::thread::current().name().unwrap_or("cli save"))
}

fn dmemfs_mount(mnt: &Path, save: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dmemfs"));
    command
        .arg("mount")
        .arg(mnt)
        .args(["--quota", "1M", "--save"])
        .arg(save);
    command
}

/// A running `dmemfs mount`, its standard error read line by line.
struct Server {
    child: Child,
    errors: Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    /// Starts serving `mnt` with `--save save`, and writes a file through the mount.
    fn start(mnt: &Path, save: &Path) -> Server {
        let mut child = dmemfs_mount(mnt, save)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("serving"), "{line}");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (send, errors) = channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        std::fs::write(mnt.join("work.txt"), "precious").unwrap();
        Server {
            child,
            errors,
            seen: Vec::new(),
        }
    }

    fn signal(&self, name: &str) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args([name, &pid])
                .status()
                .unwrap()
                .success()
        );
    }

    /// Waits (up to 30 s) for a line of standard error containing `text`.
    fn wait_for(&mut self, text: &str) {
        while let Ok(line) = self.errors.recv_timeout(Duration::from_secs(30)) {
            let found = line.contains(text);
            self.seen.push(line);
            if found {
                return;
            }
        }
        panic!("no `{text}` on standard error: {:#?}", self.seen);
    }

    fn finish(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().unwrap();
        self.seen.extend(self.errors.iter());
        (status, self.seen.join("\n"))
    }
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let work = tempfile::tempdir().unwrap();
    let mnt = work.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    (work, mnt)
}

fn leftovers(dir: &Path) -> Vec<std::ffi::OsString> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with(".dmemfs-save-"))
        .collect()
}

#[test]
fn an_existing_private_archive_stays_private() {
    if !fuse_or_skip() {
        return;
    }
    let (work, mnt) = setup();
    let archive = work.path().join("private.tar");
    std::fs::write(&archive, "old").unwrap();
    std::fs::set_permissions(&archive, std::fs::Permissions::from_mode(0o600)).unwrap();
    let server = Server::start(&mnt, &archive);
    server.signal("-INT");
    let (status, errors) = server.finish();
    assert!(status.success(), "{errors}");
    let meta = std::fs::metadata(&archive).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_ne!(std::fs::read(&archive).unwrap(), b"old");
}

#[test]
fn a_symbolic_link_is_followed_and_kept() {
    if !fuse_or_skip() {
        return;
    }
    let (work, mnt) = setup();
    std::fs::create_dir(work.path().join("real")).unwrap();
    let target = work.path().join("real/t.tar");
    std::fs::write(&target, "old").unwrap();
    let link = work.path().join("link.tar");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let server = Server::start(&mnt, &link);
    server.signal("-INT");
    let (status, errors) = server.finish();
    assert!(status.success(), "{errors}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_ne!(std::fs::read(&target).unwrap(), b"old");
    assert!(leftovers(&work.path().join("real")).is_empty());
}

#[test]
fn places_that_cannot_take_the_archive_are_refused_before_mounting() {
    let (work, mnt) = setup();
    let inside = mnt.join("out.tar");
    let slash = format!("{}/", work.path().join("newdir").display());
    let dangling = work.path().join("dangling.tar");
    std::os::unix::fs::symlink(work.path().join("nowhere/x.tar"), &dangling).unwrap();
    for (save, expected) in [
        (inside.as_path(), "inside the mount point"),
        (Path::new(&slash), "names a directory"),
        (work.path(), "a directory, not an archive file"),
        (dangling.as_path(), "a symbolic link to nothing"),
    ] {
        let out = dmemfs_mount(&mnt, save).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{save:?}");
        assert!(stderr.contains(expected), "{save:?}: {stderr}");
        assert!(
            std::fs::read_dir(&mnt).unwrap().next().is_none(),
            "{save:?}"
        );
    }
}

#[test]
fn a_failed_save_keeps_serving_for_one_retry() {
    if !fuse_or_skip() {
        return;
    }
    let (work, mnt) = setup();
    let archive = work.path().join("out.tar");
    let mut server = Server::start(&mnt, &archive);
    // Something takes the archive's name meanwhile: putting it in place fails.
    std::fs::create_dir(&archive).unwrap();
    server.signal("-INT");
    server.wait_for("stop again to retry");
    assert_eq!(
        std::fs::read_to_string(mnt.join("work.txt")).unwrap(),
        "precious"
    );
    std::fs::remove_dir(&archive).unwrap();
    server.signal("-INT");
    let (status, errors) = server.finish();
    assert!(status.success(), "{errors}");
    assert!(std::fs::metadata(&archive).unwrap().is_file());
    assert!(leftovers(work.path()).is_empty());
}

#[test]
fn a_hang_up_saves_and_unmounts_too() {
    if !fuse_or_skip() {
        return;
    }
    let (work, mnt) = setup();
    let archive = work.path().join("out.tar");
    let server = Server::start(&mnt, &archive);
    server.signal("-HUP");
    let (status, errors) = server.finish();
    assert!(status.success(), "{errors}");
    assert!(errors.contains("hung up"), "{errors}");
    assert!(std::fs::metadata(&archive).unwrap().len() > 0);
    assert!(leftovers(work.path()).is_empty());
    assert!(!dmemfs_fuse::mounts().unwrap().contains(&mnt));
}
