//! A coherent mount lets the kernel cache names and tells it of every name the API removes,
//! renames away or replaces: whatever the kernel looked up before, it sees the change at once.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{mounted, posix, sh, sh_ok};
use dmemfs_core::MemFs;

/// Looks every path up through the kernel, so that it caches their names.
fn cache(mount: &Path, paths: &[&str]) {
    for path in paths {
        let _ = std::fs::symlink_metadata(mount.join(path.trim_start_matches('/')));
    }
}

fn content(mount: &Path, path: &str) -> Option<String> {
    std::fs::read_to_string(mount.join(path.trim_start_matches('/'))).ok()
}

#[test]
fn every_kind_of_api_change_is_seen_through_names_the_kernel_cached() {
    let fs = posix(1 << 20);
    let Some(mount) = mounted(&fs) else { return };
    let m = mount.path();
    fs.create_dir_all("/d/sub").unwrap();
    for (path, text) in [("/a", "a"), ("/b", "b"), ("/d/sub/x", "x"), ("/r", "old")] {
        fs.write(path, text).unwrap();
    }
    fs.symlink("/a", "/link").unwrap();
    cache(
        m,
        &["/a", "/b", "/d", "/d/sub", "/d/sub/x", "/r", "/link", "/c"],
    );

    fs.remove_file("/a").unwrap();
    assert_eq!(content(m, "/a"), None, "removed");
    fs.rename("/b", "/c").unwrap();
    assert_eq!(
        (content(m, "/b"), content(m, "/c")),
        (None, Some("b".into())),
        "renamed"
    );
    fs.write("/e", "e").unwrap();
    cache(m, &["/e"]);
    fs.rename("/e", "/c").unwrap();
    assert_eq!(
        (content(m, "/e"), content(m, "/c")),
        (None, Some("e".into())),
        "over"
    );
    fs.rename("/d", "/moved").unwrap();
    assert_eq!(content(m, "/d/sub/x"), None, "directory renamed");
    assert_eq!(content(m, "/moved/sub/x"), Some("x".into()));
    fs.remove_dir_all("/moved").unwrap();
    assert_eq!(content(m, "/moved/sub/x"), None, "tree removed");
    fs.import_tree([("/r", "new")]).unwrap();
    assert_eq!(
        content(m, "/r"),
        Some("new".into()),
        "replaced by an import"
    );
    assert_eq!(
        std::fs::metadata(m.join("r")).unwrap().len(),
        3,
        "the new node's size"
    );
    fs.remove_file("/link").unwrap();
    assert!(
        std::fs::symlink_metadata(m.join("link")).is_err(),
        "link removed"
    );
    // And a name made again after its removal is the new node.
    fs.write("/a", "again").unwrap();
    assert_eq!(content(m, "/a"), Some("again".into()));
    // Another process sees the same.
    assert_eq!(sh_ok(m, "ls"), "a\nc\nr\n");
}

/// The API renaming and removing names while other processes create, stat and remove files
/// through the mount: the kernel is told from the API's thread while requests hold directory
/// locks. Nothing may hang.
#[test]
fn telling_the_kernel_never_deadlocks_with_requests_in_flight() {
    let fs = posix(16 << 20);
    let Some(mount) = mounted(&fs) else { return };
    fs.create_dir("/w").unwrap();
    let dir = mount.path().to_owned();
    let deadline = Instant::now() + Duration::from_secs(3);
    let api = {
        let fs: MemFs = fs.clone();
        std::thread::spawn(move || {
            let mut rounds = 0u32;
            while Instant::now() < deadline {
                let _ = fs.write("/w/api", "x");
                let _ = fs.rename("/w/api", "/w/api2");
                let _ = fs.remove_file("/w/api2");
                let _ = fs.create_dir("/w/d");
                let _ = fs.remove_dir_all("/w/d");
                rounds += 1;
            }
            rounds
        })
    };
    let children: Vec<_> = (0..2)
        .map(|i| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let script = format!(
                    "cd w; end=$(( $(date +%s) + 3 )); while [ $(date +%s) -lt $end ]; do \
                     echo y > c{i}; mv c{i} m{i}; stat api api2 d >/dev/null 2>&1; \
                     ls >/dev/null; rm -f m{i}; mkdir -p d/{i} 2>/dev/null; done; echo done"
                );
                sh(&dir, &script)
            })
        })
        .collect();
    let (done, waited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rounds = api.join().unwrap();
        let outs: Vec<_> = children.into_iter().map(|c| c.join().unwrap()).collect();
        let _ = done.send((rounds, outs));
    });
    let (rounds, outs) = waited
        .recv_timeout(Duration::from_secs(60))
        .expect("the API and the mount's clients deadlocked");
    assert!(rounds > 0);
    for out in outs {
        assert!(String::from_utf8_lossy(&out.stdout).contains("done"));
    }
}
