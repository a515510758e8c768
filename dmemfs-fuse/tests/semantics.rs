//! What the mount promises beyond "programs work": coherence with the API, open files as on
//! Linux, D-MemFS locks that never stall a request, faults, panics.

mod common;

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use common::{mounted, posix, sh, sh_ok, stderr};
use dmemfs_core::{Call, FaultInjector, MemFs, Op, Verdict};

#[test]
fn api_changes_are_seen_through_the_mount_at_once() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let host = mount.host_path("/a.txt");
    fs.write("/a.txt", "first").unwrap();
    assert_eq!(std::fs::read_to_string(&host).unwrap(), "first");
    fs.write("/a.txt", "second, longer").unwrap();
    assert_eq!(std::fs::read_to_string(&host).unwrap(), "second, longer");
    fs.rename("/a.txt", "/b.txt").unwrap();
    assert!(!host.exists());
    fs.remove_file("/b.txt").unwrap();
    assert!(!mount.host_path("/b.txt").exists());
    // And std::fs in this process reaches the API at once.
    std::fs::create_dir(mount.host_path("/d")).unwrap();
    std::fs::write(mount.host_path("/d/x"), "via std").unwrap();
    assert_eq!(fs.read_to_string("/d/x").unwrap(), "via std");
}

#[test]
fn an_open_file_lives_on_after_rename_and_unlink_with_its_bytes_charged() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let mut log = File::create(mount.host_path("/app.log")).unwrap();
    log.write_all(b"before\n").unwrap();
    std::fs::rename(mount.host_path("/app.log"), mount.host_path("/app.log.1")).unwrap();
    log.write_all(b"after\n").unwrap();
    assert_eq!(fs.read_to_string("/app.log.1").unwrap(), "before\nafter\n");

    let mut reader = File::open(mount.host_path("/app.log.1")).unwrap();
    std::fs::remove_file(mount.host_path("/app.log.1")).unwrap();
    assert!(!fs.exists("/app.log.1"));
    assert_eq!(fs.stats().used, 13, "a nameless open file stays charged");
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    assert_eq!(text, "before\nafter\n");
    reader.seek(SeekFrom::Start(0)).unwrap();
    drop((log, reader));
    // The kernel releases asynchronously after close.
    for _ in 0..500 {
        if fs.stats().used == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(fs.stats().used, 0);
    assert_eq!(fs.stats().open_handles, 0);
}

#[test]
fn with_dmemfs_locks_a_held_file_gives_other_processes_eagain_at_once() {
    let fs = MemFs::builder()
        .lock_timeout(Some(std::time::Duration::from_secs(30)))
        .build()
        .unwrap();
    let Some(mount) = mounted(&fs) else { return };
    fs.write("/busy", "x").unwrap();
    let writer = fs.options().write(true).open("/busy").unwrap();
    let started = std::time::Instant::now();
    let out = sh(mount.path(), "cat busy");
    assert!(
        stderr(&out).contains("Resource temporarily unavailable"),
        "{}",
        stderr(&out)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "no lock wait"
    );
    drop(writer);
    assert_eq!(sh_ok(mount.path(), "cat busy"), "x");
    // Files the mount opens are not locked between requests: git-style unlink of an open file.
    assert_eq!(
        sh_ok(mount.path(), "exec 3>lock; echo y >&3; rm lock; echo ok"),
        "ok\n"
    );
}

/// Fails writes under `/out` with the kind given, panics on `/boom`.
#[derive(Debug)]
struct Faults;

impl FaultInjector for Faults {
    fn on_call(&self, call: &Call<'_>) -> Verdict {
        if call.path == "/boom" {
            panic!("injected panic on /boom");
        }
        if call.op == Op::Write && call.path.starts_with("/out/") {
            return Verdict::Fail(ErrorKind::StorageFull);
        }
        if call.op == Op::Write && call.path.starts_with("/short/") && call.handle {
            return Verdict::Short(3);
        }
        Verdict::Proceed
    }
}

#[test]
fn faults_reach_child_processes_as_errno_and_a_panic_fails_one_request() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    fs.create_dir("/out").unwrap();
    fs.create_dir("/short").unwrap();
    fs.write("/boom", "never read").unwrap();
    fs.set_fault_injector(Some(Arc::new(Faults)));
    // (dash's builtin echo calls every write error "I/O error"; dd says what it got.)
    let out = sh(mount.path(), "echo data | dd of=out/f status=none");
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    // A short write: the program sees fewer bytes written and carries on (printf retries).
    sh_ok(mount.path(), "printf 'abcdefgh' > short/f");
    assert_eq!(
        fs.without_faults().read_to_string("/short/f").unwrap(),
        "abcdefgh"
    );

    let out = sh(mount.path(), "cat boom");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Input/output error"),
        "{}",
        stderr(&out)
    );
    // The mount still serves every later request.
    fs.set_fault_injector(None);
    assert_eq!(sh_ok(mount.path(), "ls"), "boom\nout\nshort\n");
    assert_eq!(sh_ok(mount.path(), "cat boom"), "never read");
}

#[test]
fn inode_numbers_are_stable_across_renames() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    sh_ok(mount.path(), "mkdir d && echo x > d/f");
    let before = sh_ok(mount.path(), "stat -c %i d/f");
    sh_ok(mount.path(), "mv d e && mv e/f e/g");
    let after = sh_ok(mount.path(), "stat -c %i e/g");
    assert_eq!(before, after);
    assert_eq!(after.trim(), fs.metadata("/e/g").unwrap().ino().to_string());
}

#[test]
fn a_dir_listing_holds_dot_and_dotdot_with_their_numbers() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    fs.create_dir_all("/a/b").unwrap();
    let out = sh_ok(mount.path(), "ls -ai a/b | sort -k2");
    let a = fs.metadata("/a").unwrap().ino();
    let b = fs.metadata("/a/b").unwrap().ino();
    assert_eq!(
        out.split_whitespace().collect::<Vec<_>>(),
        [&b.to_string(), ".", &a.to_string(), ".."]
    );
}

#[test]
fn renames_follow_linux_rules() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    sh_ok(mount.path(), "mkdir full empty && touch full/x a b");
    let out = sh(mount.path(), "mv -T empty full");
    assert!(!out.status.success());
    sh_ok(mount.path(), "mv -f a b");
    assert!(!fs.exists("/a") && fs.is_file("/b"));
    let noreplace = sh(
        mount.path(),
        "mv --no-clobber b full/x; test -e b && echo kept",
    );
    assert_eq!(String::from_utf8_lossy(&noreplace.stdout), "kept\n");
}

#[test]
fn a_removed_directory_stays_removed_for_a_process_inside_it() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    fs.create_dir("/d").unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("cd d && echo inside && read go && (echo late > y) 2>/dev/null; echo $?")
        .current_dir(mount.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "inside\n");
    // Through the API: the child's directory goes, a new one comes (on a number never
    // given before, so the child's requests cannot reach it).
    fs.remove_dir("/d").unwrap();
    fs.create_dir("/e").unwrap();
    writeln!(child.stdin.take().unwrap(), "go").unwrap();
    let mut status = String::new();
    out.read_line(&mut status).unwrap();
    child.wait().unwrap();
    assert_ne!(
        status.trim(),
        "0",
        "creating in a removed directory fails, as on tmpfs"
    );
    assert!(!fs.exists("/e/y"));
}
