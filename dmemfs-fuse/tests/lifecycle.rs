//! Mounting and unmounting: after a panic, after the server is killed, with files held
//! open, many at once.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{fuse_or_skip, is_mounted, mounted, posix, sh_ok};
use dmemfs_fuse::{MountOptions, Unmounted};

#[test]
fn a_panicking_test_still_unmounts() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let dir = mount.path().to_owned();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _mount = mount;
        panic!("the test failed");
    }));
    assert!(outcome.is_err());
    assert!(!dir.exists(), "the fresh directory is removed");
    assert!(!is_mounted(&dir));
}

#[test]
fn unmounting_with_a_file_held_open_detaches_and_names_the_holder() {
    let fs = posix(1 << 20);
    if !fuse_or_skip() {
        return;
    }
    let options = MountOptions::new().unmount_wait(Duration::from_millis(200));
    let mount = dmemfs_fuse::mount(&fs, &options).unwrap();
    fs.write("/held.txt", "x").unwrap();
    let mut holder = Command::new("sh")
        .arg("-c")
        .arg("exec 3<held.txt; echo open; exec sleep 30")
        .current_dir(mount.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    let dir = mount.path().to_owned();
    let outcome = mount.unmount().unwrap();
    let Unmounted::Detached { holders } = outcome else {
        panic!("expected a detached unmount, got {outcome:?}");
    };
    assert_eq!(holders.len(), 1);
    assert_eq!(holders[0].path, "/held.txt");
    assert_eq!(holders[0].pid, holder.id());
    assert!(!is_mounted(&dir), "gone from the namespace at once");
    holder.kill().unwrap();
    holder.wait().unwrap();
    // Once the holder is gone the background server ends and closes its handle.
    for _ in 0..1000 {
        if fs.stats().open_handles == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(fs.stats().open_handles, 0);
}

/// Run as a child by `a_killed_servers_dead_mount_is_swept`: mounts, says where, waits to be
/// killed.
#[test]
#[ignore = "a helper run by a_killed_servers_dead_mount_is_swept"]
fn serve_until_killed() {
    let fs = posix(1 << 20);
    let mount = dmemfs_fuse::mount(&fs, &MountOptions::new()).unwrap();
    println!("MOUNTED {}", mount.path().display());
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_killed_servers_dead_mount_is_swept() {
    if !fuse_or_skip() {
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "serve_until_killed", "--ignored", "--nocapture"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let dir = loop {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut reader, &mut line).unwrap() > 0,
            "the child mounted"
        );
        if let Some(dir) = line.trim().strip_prefix("MOUNTED ") {
            break std::path::PathBuf::from(dir);
        }
    };
    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();
    let err = std::fs::metadata(&dir).unwrap_err();
    assert_eq!(
        err.raw_os_error(),
        Some(libc_enotconn()),
        "a dead mount: {err}"
    );
    assert!(dmemfs_fuse::sweep_stale().unwrap() >= 1);
    assert!(!dir.exists());
    assert!(!is_mounted(&dir));
}

fn libc_enotconn() -> i32 {
    107
}

#[test]
fn two_dozen_mounts_at_once_each_running_programs() {
    if !fuse_or_skip() {
        return;
    }
    let workers: Vec<_> = (0..24)
        .map(|i| {
            std::thread::spawn(move || {
                let fs = posix(1 << 20);
                let mount =
                    dmemfs_fuse::mount(&fs, &MountOptions::new().name(format!("par{i}"))).unwrap();
                sh_ok(
                    mount.path(),
                    &format!(
                        "mkdir d && echo {i} > d/n && tar -cf a.tar d && rm -r d && tar -xf a.tar"
                    ),
                );
                assert_eq!(fs.read_to_string("/d/n").unwrap(), format!("{i}\n"));
                assert_eq!(mount.unmount().unwrap(), Unmounted::Joined);
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}

#[test]
fn mounting_on_a_file_is_a_clear_error() {
    if !fuse_or_skip() {
        return;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    let err = dmemfs_fuse::mount_at(&posix(1), file.path(), &MountOptions::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotADirectory);
    assert!(
        err.to_string().contains(file.path().to_str().unwrap()),
        "{err}"
    );
}

#[test]
fn mounting_over_a_mount_point_is_refused_so_no_unmount_takes_it_along() {
    if !fuse_or_skip() {
        return;
    }
    let fs = posix(1 << 20);
    let first = dmemfs_fuse::mount(&fs, &MountOptions::new()).unwrap();
    std::fs::write(first.host_path("/precious"), "kept").unwrap();
    let err =
        dmemfs_fuse::mount_at(&posix(1 << 20), first.path(), &MountOptions::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ResourceBusy);
    assert!(err.to_string().contains("already a mount point"), "{err}");
    assert_eq!(
        std::fs::read_to_string(first.host_path("/precious")).unwrap(),
        "kept"
    );
    assert!(is_mounted(first.path()));
}
