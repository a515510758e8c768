//! Child processes doing real work in a mount, checked through the `MemFs` API.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

use common::{have, mounted, posix, sh, sh_ok, stderr};

#[test]
fn shell_tools_create_copy_link_and_list() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let listing = sh_ok(
        mount.path(),
        "mkdir -p out/deep && printf 'line\\n' > out/a && cp out/a out/deep/b && \
         ln -s a out/link && ln out/a out/hard && cat out/link && ls -a out",
    );
    assert_eq!(listing, "line\n.\n..\na\ndeep\nhard\nlink\n");
    assert_eq!(fs.read_to_string("/out/deep/b").unwrap(), "line\n");
    assert_eq!(fs.read_link("/out/link").unwrap(), "a");
    assert_eq!(fs.metadata("/out/hard").unwrap().nlink(), 2);
    assert_eq!(
        fs.metadata("/out/a").unwrap().ino(),
        fs.metadata("/out/hard").unwrap().ino()
    );
    // `stat` through the mount reports the API's inode numbers and link counts.
    let stat = sh_ok(mount.path(), "stat -c '%i %h %a' out/a");
    let meta = fs.metadata("/out/a").unwrap();
    assert_eq!(stat.trim(), format!("{} 2 644", meta.ino()));
}

#[test]
fn dd_past_the_quota_fails_with_enospc_and_used_stays_exact() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let out = sh(mount.path(), "dd if=/dev/zero of=big bs=64k count=32");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    let len = fs.metadata("/big").unwrap().len();
    assert_eq!(len, 1 << 20, "every whole request that fit was written");
    assert_eq!(fs.stats().used, len);
    // `df` shows the quota as the size.
    let df = sh_ok(mount.path(), "stat -f -c '%S %b %a' .");
    assert_eq!(df.trim(), "4096 256 0");
}

#[test]
fn the_node_limit_is_disk_quota_exceeded() {
    let fs = dmemfs_core::MemFs::builder()
        .max_nodes(3)
        .semantics(dmemfs_core::Semantics::Posix)
        .build()
        .unwrap();
    let Some(mount) = mounted(&fs) else { return };
    let out = sh(mount.path(), "touch n1 n2 && touch n3");
    assert!(
        stderr(&out).contains("Disk quota exceeded"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs.stats().nodes, 3);
}

#[test]
fn tar_extracts_with_modes_and_times_then_the_api_sees_them() {
    let fs = posix(8 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let src = tempfile::tempdir().unwrap();
    sh_ok(
        src.path(),
        "mkdir -p pkg/bin && echo '#!/bin/sh' > pkg/bin/run && echo 'echo ran' >> pkg/bin/run && \
         chmod 755 pkg/bin/run && echo data > pkg/data.txt && touch -d '2001-02-03 04:05:06Z' pkg/data.txt && \
         ln -s data.txt pkg/alias && tar -cf pkg.tar pkg",
    );
    let archive = src.path().join("pkg.tar");
    sh_ok(mount.path(), &format!("tar -xpf {}", archive.display()));
    assert_eq!(fs.read_to_string("/pkg/data.txt").unwrap(), "data\n");
    assert_eq!(fs.metadata("/pkg/bin/run").unwrap().mode() & 0o777, 0o755);
    assert_eq!(fs.read_link("/pkg/alias").unwrap(), "data.txt");
    let mtime = fs.metadata("/pkg/data.txt").unwrap().modified().unwrap();
    assert_eq!(
        mtime,
        SystemTime::UNIX_EPOCH + Duration::from_secs(981_173_106)
    );
    // An executable made by tar runs from the mount; chmod +x works too.
    assert_eq!(sh_ok(mount.path(), "./pkg/bin/run"), "ran\n");
    sh_ok(
        mount.path(),
        "printf '#!/bin/sh\\necho second\\n' > s && chmod +x s",
    );
    assert_eq!(sh_ok(mount.path(), "./s"), "second\n");
    let mode = std::fs::metadata(mount.host_path("/s"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111);
    // cp -p keeps the time.
    sh_ok(mount.path(), "cp -p pkg/data.txt copy.txt");
    assert_eq!(fs.metadata("/copy.txt").unwrap().modified().unwrap(), mtime);
}

#[test]
fn python_and_git_work_in_the_mount() {
    let fs = posix(32 << 20);
    let Some(mount) = mounted(&fs) else { return };
    if have("python3") {
        sh_ok(
            mount.path(),
            "python3 -c \"import os, tempfile; d = tempfile.mkdtemp(dir='.'); \
             p = os.path.join(d, 'x'); open(p, 'w').write('py'); os.replace(p, 'done.txt'); os.rmdir(d)\"",
        );
        assert_eq!(fs.read_to_string("/done.txt").unwrap(), "py");
    } else {
        eprintln!("python3 not installed: its part skipped");
    }
    if have("git") {
        sh_ok(
            mount.path(),
            "git init -q repo && cd repo && echo a > a && git add a && \
             git -c user.name=t -c user.email=t@t commit -qm first && git status --porcelain",
        );
        assert!(fs.is_dir("/repo/.git/objects"));
        assert!(!fs.exists("/repo/.git/index.lock"));
    } else {
        eprintln!("git not installed: its part skipped");
    }
}

#[test]
fn a_backslash_in_a_name_is_one_file_as_on_linux() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    sh_ok(mount.path(), "echo x > 'a\\b'");
    assert_eq!(fs.read_to_string("/a\\b").unwrap(), "x\n");
    assert!(!fs.exists("/a"));
}

#[test]
fn truncating_opens_are_atomic() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    sh_ok(
        mount.path(),
        "i=0; while [ $i -lt 300 ]; do echo $i > f; i=$((i+1)); done",
    );
    assert_eq!(fs.read_to_string("/f").unwrap(), "299\n");
    sh_ok(
        mount.path(),
        "i=0; while [ $i -lt 300 ]; do echo $i >> g; i=$((i+1)); done",
    );
    assert_eq!(fs.read_to_string("/g").unwrap().lines().count(), 300);
}

#[test]
fn execute_needs_an_x_bit_and_access_agrees_with_tmpfs() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let shm = tempfile::tempdir_in("/dev/shm").unwrap();
    let script = "printf '#!/bin/sh\\necho ran\\n' > s && chmod 644 s && \
                  (./s 2>/dev/null || echo refused) && (test -x s && echo x || echo no-x) && \
                  (test -w s && echo w) && chmod 100 s && ./s && (test -r s && echo r)";
    let on_tmpfs = sh_ok(shm.path(), script);
    assert_eq!(sh_ok(mount.path(), script), on_tmpfs);
}

#[test]
fn rewinddir_sees_the_directory_as_it_is_now() {
    if !have("python3") {
        eprintln!("python3 not installed: rewinddir_sees_the_directory_as_it_is_now skipped");
        return;
    }
    // os.listdir(fd) reads the open directory and rewinds it (rewinddir) for the next call.
    let script = "python3 -c \"import os; fd = os.open('.', os.O_RDONLY); \
                  a = sorted(os.listdir(fd)); open('new', 'w').close(); \
                  print(a, sorted(os.listdir(fd)))\"";
    let shm = tempfile::tempdir_in("/dev/shm").unwrap();
    std::fs::write(shm.path().join("old"), "").unwrap();
    let expected = sh_ok(shm.path(), script);
    assert_eq!(expected, "['old'] ['new', 'old']\n");
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    fs.write("/old", "").unwrap();
    assert_eq!(sh_ok(mount.path(), script), expected);
}

/// What dmemfs-fuse's docs list as differing from tmpfs, each as documented.
#[test]
fn the_documented_differences_from_tmpfs_hold() {
    // Not a multiple of 4 KiB: `df` shows it rounded down.
    let fs = posix((1 << 20) + 100);
    let Some(mount) = mounted(&fs) else { return };
    let m = mount.path();
    assert_eq!(sh_ok(m, "stat -f -c '%S %b' ."), "4096 256\n");
    // Not sparse: a length counts against the quota whole.
    let out = sh(m, "truncate -s 2M sparse");
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs.stats().used, 0);
    if have("fallocate") {
        let out = sh(m, "fallocate -l 4096 f");
        assert!(
            stderr(&out).contains("Operation not supported"),
            "{}",
            stderr(&out)
        );
    }
    // A link's own times are not kept: `touch -h` succeeds and changes nothing.
    sh_ok(m, "echo x > a && ln -s a l && touch -h -d 2001-01-01 l");
    assert!(!sh_ok(m, "stat -c %y l").starts_with("2001"));
    if have("python3") {
        let probe = "python3 -c \"import os, ctypes, errno\n\
                     try:\n    os.open('.', os.O_TMPFILE | os.O_WRONLY)\n\
                     except OSError as e: print('O_TMPFILE EOPNOTSUPP', e.errno == errno.EOPNOTSUPP)\n\
                     libc = ctypes.CDLL(None, use_errno=True)\n\
                     r = libc.renameat2(-100, b'a', -100, b'l', 2)\n\
                     print('RENAME_EXCHANGE EINVAL', r == -1 and ctypes.get_errno() == errno.EINVAL)\"";
        assert_eq!(
            sh_ok(m, probe),
            "O_TMPFILE EOPNOTSUPP True\nRENAME_EXCHANGE EINVAL True\n"
        );
    } else {
        eprintln!("python3 not installed: O_TMPFILE and RENAME_EXCHANGE not probed");
    }
}
