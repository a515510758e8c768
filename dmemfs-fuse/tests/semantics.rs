//! What the mount promises beyond "programs work": coherence with the API, open files as on
//! Linux, D-MemFS locks that never stall a request, faults, panics.

mod common;

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use common::{mounted, posix, sh, sh_ok, stderr};
use dmemfs_core::{
    MemFs, Op,
    fault::{Call, FaultInjector, Verdict},
};
use dmemfs_fuse::{Cache, MountOptions};

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
    assert_eq!(common::used_after_release(&fs), 0);
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

/// Fails writes under `/out` with the kind given and `stat` of `/hidden`, panics on `/boom`.
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
        if call.op == Op::Metadata && call.path == "/hidden" {
            return Verdict::Fail(ErrorKind::PermissionDenied);
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
    fs.write("/hidden", "x").unwrap();
    fs.set_fault_injector(Some(Arc::new(Faults)));
    // A metadata rule fails a child's `stat` (the kernel's lookup of the name).
    let out = sh(mount.path(), "stat hidden");
    assert!(
        stderr(&out).contains("Permission denied"),
        "{}",
        stderr(&out)
    );
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
    assert_eq!(sh_ok(mount.path(), "ls"), "boom\nhidden\nout\nshort\n");
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

/// Open files reached by number once their names are gone or changed: `fchmod`, `futimens`,
/// `ftruncate` and reopening through `/proc/self/fd` (as `tempfile` and `flock`-style code
/// do), recorded step by step to compare with tmpfs.
fn nameless_open_files(dir: &std::path::Path) -> Vec<String> {
    use std::fs::{FileTimes, Permissions};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::time::{Duration, UNIX_EPOCH};
    let mut seen = Vec::new();
    let state = |step: &str, file: &File| {
        let meta = file.metadata().unwrap();
        format!(
            "{step}: mode {:o} len {} links {}",
            meta.mode() & 0o7777,
            meta.len(),
            meta.nlink(),
        )
    };
    let proc_fd = |file: &File| {
        use std::os::fd::AsRawFd;
        format!("/proc/self/fd/{}", file.as_raw_fd())
    };
    // Unlinked while open.
    let mut orphan = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(dir.join("orphan"))
        .unwrap();
    orphan.write_all(b"hello world").unwrap();
    std::fs::remove_file(dir.join("orphan")).unwrap();
    orphan
        .set_permissions(Permissions::from_mode(0o600))
        .unwrap();
    seen.push(state("fchmod", &orphan));
    let at = UNIX_EPOCH + Duration::from_secs(1_000_000);
    orphan.set_times(FileTimes::new().set_modified(at)).unwrap();
    // (Only set times are compared: the two runs may fall in different seconds.)
    seen.push(format!(
        "futimens: mtime {}",
        orphan.metadata().unwrap().mtime()
    ));
    let mut again = File::open(proc_fd(&orphan)).unwrap();
    let mut text = String::new();
    again.read_to_string(&mut text).unwrap();
    seen.push(format!("reopened read: {text}"));
    orphan.set_len(5).unwrap();
    seen.push(state("ftruncate", &orphan));
    // Read-only with O_TRUNC still empties it, as Linux does.
    use std::os::unix::fs::OpenOptionsExt;
    let emptied = File::options()
        .read(true)
        .custom_flags(libc::O_TRUNC)
        .open(proc_fd(&orphan))
        .unwrap();
    seen.push(state("read-only O_TRUNC", &emptied));
    // Linked, then the first name removed: reached by the second.
    let first = File::create(dir.join("first")).unwrap();
    std::fs::hard_link(dir.join("first"), dir.join("second")).unwrap();
    std::fs::remove_file(dir.join("first")).unwrap();
    first
        .set_permissions(Permissions::from_mode(0o640))
        .unwrap();
    seen.push(state("fchmod after unlinking one of two names", &first));
    let writer = File::options().write(true).open(proc_fd(&first)).unwrap();
    (&writer).write_all(b"via fd").unwrap();
    seen.push(format!(
        "second reads: {}",
        std::fs::read_to_string(dir.join("second")).unwrap()
    ));
    let emptied = File::options()
        .read(true)
        .custom_flags(libc::O_TRUNC)
        .open(dir.join("second"))
        .unwrap();
    seen.push(state("read-only O_TRUNC by name", &emptied));
    seen
}

#[test]
fn open_files_without_their_names_behave_as_on_tmpfs() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let shm = tempfile::tempdir_in("/dev/shm").unwrap();
    let expected = nameless_open_files(shm.path());
    assert_eq!(nameless_open_files(mount.path()), expected);
}

/// With a TTL cache the kernel reuses its entry for a name without asking again: a file
/// reached by two names, one then removed, is still opened by the other.
#[test]
fn a_cached_name_still_opens_after_another_link_is_removed() {
    let fs = posix(1 << 20);
    if !common::fuse_or_skip() {
        return;
    }
    let options = MountOptions::new().cache(Cache::Ttl(std::time::Duration::from_secs(10)));
    let mount = dmemfs_fuse::mount(&fs, &options).unwrap();
    let (a, b) = (mount.host_path("/a"), mount.host_path("/b"));
    std::fs::write(&a, "x").unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    std::fs::remove_file(&b).unwrap();
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "x");
}

const NAMELESS: &str = r#"
exec 3<>f; printf hello >&3; rm f
stat -L -c 'stat: size %s links %h mode %a' /proc/self/fd/3 2>&1 | sed 's/.*: //'
chmod 600 /proc/self/fd/3 2>&1 && echo chmod ok
stat -L -c 'mode %a' /proc/self/fd/3 2>&1 | sed 's/.*: //'
truncate -s 3 /proc/self/fd/3 2>&1 && echo truncate ok
cat /proc/self/fd/3; echo
: > /proc/self/fd/3 && echo otrunc ok
stat -L -c 'size %s' /proc/self/fd/3 2>&1 | sed 's/.*: //'
printf again > /proc/self/fd/3; cat /proc/self/fd/3; echo
ln -L /proc/self/fd/3 g 2>&1 | sed 's/.*: //'
ls
"#;

/// A shell reaching an unlinked open file through /proc/self/fd, compared with tmpfs.
#[test]
fn nameless_file_through_proc_fd_matches_tmpfs() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let shm = tempfile::tempdir_in("/dev/shm").unwrap();
    let want = sh(shm.path(), NAMELESS);
    let got = sh(mount.path(), NAMELESS);
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want.stdout),
        "mount stderr: {}",
        stderr(&got)
    );
    assert_eq!(
        common::used_after_release(&fs),
        0,
        "the orphan's bytes are freed once closed"
    );
}

/// Quota: an orphan reopened through /proc/self/fd, grown through the second handle,
/// frees everything when the last handle closes.
#[test]
fn a_reopened_orphan_frees_its_bytes_when_the_last_handle_closes() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let out = sh(
        mount.path(),
        "exec 3<>f; head -c 1000 /dev/zero >&3; rm f; exec 4<>/proc/self/fd/3; \
         head -c 5000 /dev/zero >&4; exec 3>&-; echo $(stat -L -c %s /proc/self/fd/4)",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "5000",
        "{}",
        stderr(&out)
    );
    assert_eq!(common::used_after_release(&fs), 0);
}
