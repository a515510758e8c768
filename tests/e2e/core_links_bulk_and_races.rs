//! Links meeting bulk operations and races: every name of a hard-linked file replaced by a
//! streaming or atomic extraction, an import racing a reader that pins the file it replaces,
//! `mkdir -p` and `move_path` below links to files and link loops. Each case reproduced a
//! defect found by an adversarial review.

use std::io::ErrorKind;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use dmemfs_core::{Clock, Conflict, ExtractMode, ExtractOptions, MemFs, Semantics};

use crate::core_archive::tar_of;

// ---------------------------------------------------------------------------------------
// 1. The streaming log pins the file it replaced (`Kept`), and `decide` refuses any file
//    `in_use()`: a later entry of the same archive naming another hard link of that file is
//    refused as ResourceBusy, by the extraction's own pin. (Atomic mode and import_tree
//    replace both names.)
// ---------------------------------------------------------------------------------------

#[test]
fn streaming_overwrite_of_every_name_of_a_hard_linked_file_is_not_busy() {
    // Refused by the extraction's own pin before the fix.
    let fs = crate::core_link_edges::overwrite_both_names(ExtractMode::Streaming);
    assert_eq!(fs.read("/d/a").unwrap(), b"x");
    assert_eq!(fs.read("/d/b").unwrap(), b"y");
    assert_eq!(fs.stats().used, 2);
}

// ---------------------------------------------------------------------------------------
// 2. Quota drift (POSIX mode): `batch::check` decides under the write lock that a replaced
//    file frees its bytes (`outgoing`), but readers pin without the tree lock
//    (`Inner::hold_waiting`: ExportIter, copy_dir_all's sources). A pin taken between
//    `check` and `apply` makes `Tree::unlinked` orphan the replaced file, which then
//    releases its bytes again when the reader drops it: released twice.
//    The window is opened deterministically by a user `Clock`: `apply` calls `ledger.now()`
//    under the write lock before replacing anything.
// ---------------------------------------------------------------------------------------

type Hook = Box<dyn FnOnce() + Send>;

/// A clock that runs a hook (once) on its next reading.
#[derive(Clone)]
struct HookClock(Arc<Mutex<Option<Hook>>>);

impl std::fmt::Debug for HookClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookClock")
    }
}

impl Clock for HookClock {
    fn now(&self) -> SystemTime {
        let hook = self.0.lock().unwrap().take();
        if let Some(hook) = hook {
            hook();
        }
        SystemTime::now()
    }
}

#[test]
fn import_tree_racing_a_pinning_reader_does_not_release_bytes_twice() {
    let clock = HookClock(Arc::new(Mutex::new(None)));
    let fs = MemFs::builder()
        .quota(10_000)
        .semantics(Semantics::Posix)
        .clock(clock.clone())
        .build()
        .unwrap();
    fs.write("/keep", [0u8; 1000]).unwrap();
    fs.write("/a", [7u8; 100]).unwrap();
    assert_eq!(fs.stats().used, 1100);

    // A reader that has listed /a but not yet read it.
    let mut export = fs.export_iter("/a").unwrap();
    let (go, wait) = mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        wait.recv().unwrap();
        // hold_waiting pins /a's node with no tree lock, then waits for the tree lock.
        export.next().map(|r| r.map(|(path, _)| path))
    });
    // Inside import_tree's apply (write lock held, checks done): let the reader pin.
    *clock.0.lock().unwrap() = Some(Box::new(move || {
        go.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }));
    fs.import_tree([("/a", "x")]).unwrap();
    let read = reader.join().unwrap();
    // The reader found /a replaced and skipped it; the old 100-byte inode is gone.
    assert!(read.is_none(), "{read:?}");
    assert_eq!(fs.read("/a").unwrap(), b"x");
    assert_eq!(
        fs.stats().used,
        1001,
        "live files: /keep (1000) + /a (1); the old /a was released twice"
    );
}

// ---------------------------------------------------------------------------------------
// 3. `resolve_for_creation` / `Tree::dangling_ancestor` treat every link that does not lead
//    to a directory as "a symbolic link to nothing" (AlreadyExists). A link to a *file*
//    among the parents is NotADirectory on Linux (mkdir("l/x") is ENOTDIR, which
//    std::fs::create_dir_all returns), as it is here for the file itself; a loop is ELOOP.
// ---------------------------------------------------------------------------------------

#[test]
fn create_dir_all_below_a_link_to_a_file_is_not_a_directory() {
    let fs = MemFs::new();
    fs.write("/f", "x").unwrap();
    fs.symlink("/f", "/lf").unwrap();
    // Without the link: NotADirectory.
    assert_eq!(
        fs.create_dir_all("/f/x").unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    let err = fs.create_dir_all("/lf/x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotADirectory, "{err}");
}

#[test]
fn move_path_below_a_link_to_a_file_is_not_a_directory() {
    let fs = MemFs::new();
    fs.write("/f", "x").unwrap();
    fs.write("/src", "s").unwrap();
    fs.symlink("/f", "/lf").unwrap();
    assert_eq!(
        fs.move_path("/src", "/f/x").unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    let err = fs.move_path("/src", "/lf/x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotADirectory, "{err}");
}

#[test]
fn create_dir_all_below_a_link_loop_is_a_loop() {
    let fs = MemFs::new();
    fs.symlink("/loop", "/loop").unwrap();
    let err = fs.create_dir_all("/loop/x").unwrap_err();
    // What resolving through it reports elsewhere (ELOOP).
    let expected = fs.metadata("/loop/x").unwrap_err().kind();
    assert_ne!(expected, ErrorKind::AlreadyExists);
    assert_eq!(err.kind(), expected, "{err}");
}

// ---------------------------------------------------------------------------------------
// 4. Atomic extraction admits entries with `sole_name_bytes` (0 for a name of a hard-linked
//    file), so replacing every name of a large hard-linked file is charged its whole size
//    up front and refused for quota, although the batch that installs it (and import_tree,
//    which plans by node) frees the old inode and fits.
// ---------------------------------------------------------------------------------------

#[test]
fn atomic_extraction_replacing_every_name_of_a_hard_linked_file_fits_as_import_tree_does() {
    let setup = || {
        let fs = MemFs::with_quota(200);
        fs.create_dir("/d").unwrap();
        fs.write("/d/a", [7u8; 150]).unwrap();
        fs.hard_link("/d/a", "/d/b").unwrap();
        fs
    };
    let new = [1u8; 40];
    // import_tree: 80 bytes replace 150.
    let fs = setup();
    fs.import_tree([("/d/a", &new[..]), ("/d/b", &new[..])])
        .unwrap();
    assert_eq!(fs.stats().used, 80);
    // The same as an atomic extraction.
    let fs = setup();
    let archive = tar_of(&[("a", &new), ("b", &new)]);
    let options = ExtractOptions::new()
        .mode(ExtractMode::Atomic)
        .conflict(Conflict::Overwrite);
    let result = fs.extract_tar(&archive[..], "/d", &options);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(fs.stats().used, 80);
}
