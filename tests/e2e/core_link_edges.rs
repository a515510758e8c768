//! Where links meet accounting and resolution: several names of one file replaced at once,
//! undoing a streaming extraction around hard links and orphans, renames and `mkdir -p`
//! onto symbolic links, listings through them, extreme timestamps. Each case reproduced a
//! defect found by an adversarial review.

use std::collections::HashSet;
use std::io::{self, ErrorKind, Read};

use dmemfs_core::{Conflict, ExtractMode, ExtractOptions, MemFs};

use crate::common::posix_fs as posix;
use crate::core_archive::tar_of;

/// Reads `data`, calling `hook` once, just before the first read at or past byte `at`.
struct Hooked<F: FnMut()> {
    data: Vec<u8>,
    pos: usize,
    at: usize,
    hook: Option<F>,
}

impl<F: FnMut()> Read for Hooked<F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.at
            && let Some(mut hook) = self.hook.take()
        {
            hook();
        }
        // Never read across the hook point, so the hook runs between entries.
        let end = if self.hook.is_some() {
            self.at.min(self.data.len())
        } else {
            self.data.len()
        };
        let n = buf.len().min(end - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The inode numbers of every live node reachable by a path.
fn live_inos(fs: &MemFs) -> Vec<(String, u64)> {
    let mut out = vec![("/".to_owned(), fs.symlink_metadata("/").unwrap().ino())];
    for entry in fs.walk("/").unwrap() {
        let entry = entry.unwrap();
        if entry.path() == "/" {
            continue;
        }
        let ino = fs.symlink_metadata(entry.path()).unwrap().ino();
        out.push((entry.path().to_owned(), ino));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Quota: a batch (import_tree) replacing every name of a hard-linked file never frees it.
// ---------------------------------------------------------------------------------------

#[test]
fn import_tree_replacing_both_names_of_a_hard_linked_file_frees_its_bytes() {
    let fs = MemFs::with_quota(1000);
    fs.write("/a", [7u8; 100]).unwrap();
    fs.hard_link("/a", "/b").unwrap();
    assert_eq!(fs.stats().used, 100);
    fs.import_tree([("/a", "x"), ("/b", "y")]).unwrap();
    // Two new one-byte files; the 100-byte inode has no name and no handle any more.
    assert_eq!(fs.stats().files, 2);
    assert_eq!(
        fs.stats().used,
        2,
        "the replaced inode's bytes stay charged forever"
    );
}

/// Overwrites both names of a hard-linked 100-byte file `/d/a` = `/d/b` by extraction in
/// `mode`; returns the filesystem.
pub(crate) fn overwrite_both_names(mode: ExtractMode) -> MemFs {
    let fs = MemFs::with_quota(1000);
    fs.create_dir("/d").unwrap();
    fs.write("/d/a", [7u8; 100]).unwrap();
    fs.hard_link("/d/a", "/d/b").unwrap();
    let archive = tar_of(&[("a", b"x"), ("b", b"y")]);
    let options = ExtractOptions::new()
        .mode(mode)
        .conflict(Conflict::Overwrite);
    let result = fs.extract_tar(&archive[..], "/d", &options);
    assert!(result.is_ok(), "{mode:?}: {result:?}");
    fs
}

// Same in an atomic archive extraction: what replacing frees is counted per file.
#[test]
fn atomic_extraction_overwriting_both_names_of_a_hard_linked_file_frees_its_bytes() {
    let fs = overwrite_both_names(ExtractMode::Atomic);
    assert_eq!(fs.read("/d/a").unwrap(), b"x");
    assert_eq!(fs.stats().files, 2);
    assert_eq!(
        fs.stats().used,
        2,
        "the replaced inode's bytes stay charged forever"
    );
}

// ---------------------------------------------------------------------------------------
// Quota: the streaming undo log settles a replaced hard-linked file's bytes by
// `freed_file_bytes` at undo time, but another thread's remove_file of its other name has
// already released them (links went 1 -> 0 while the log kept the node).
// ---------------------------------------------------------------------------------------

/// /d/a (100 bytes) also named /other; an archive overwrites `a` (512 bytes), then fails on
/// an entry naming the directory /d/dir. `between` runs after `a` is installed.
fn streaming_overwrite_then_fail(fs: &MemFs, between: impl FnMut()) {
    fs.create_dir_all("/d/dir").unwrap();
    fs.write("/d/a", [7u8; 100]).unwrap();
    fs.hard_link("/d/a", "/other").unwrap();
    let archive = tar_of(&[("a", &[1u8; 512]), ("dir", b"boom")]);
    let reader = Hooked {
        data: archive,
        pos: 0,
        // Entry `a`: a 512-byte header and 512 bytes of data; the next header follows.
        at: 1024,
        hook: Some(between),
    };
    let options = ExtractOptions::new()
        .mode(ExtractMode::Streaming)
        .conflict(Conflict::Overwrite);
    let err = fs.extract_tar(reader, "/d", &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IsADirectory, "{err}");
}

#[test]
fn streaming_undo_puts_back_a_file_whose_other_name_was_removed_still_charged() {
    let fs = MemFs::with_quota(10_000);
    let other = fs.clone();
    streaming_overwrite_then_fail(&fs, || other.remove_file("/other").unwrap());
    // The undo put the old 100-byte inode back at /d/a.
    assert_eq!(fs.read("/d/a").unwrap(), [7u8; 100]);
    assert_eq!(fs.stats().files, 1);
    assert_eq!(
        fs.stats().used,
        100,
        "the file back in the tree is no longer charged (remove_file released it)"
    );
}

#[test]
fn streaming_undo_does_not_release_bytes_twice() {
    let fs = MemFs::with_quota(10_000);
    fs.write("/keep", [0u8; 1000]).unwrap();
    let other = fs.clone();
    streaming_overwrite_then_fail(&fs, || {
        // Releases the old inode's 100 bytes (its last name goes)...
        other.remove_file("/other").unwrap();
        // ...and the installed file is changed, so the undo cannot put the old one back: it
        // releases the old inode's bytes a second time.
        other.append("/d/a", b"!").unwrap();
    });
    assert_eq!(fs.read("/d/a").unwrap().len(), 513);
    // Live files: /keep (1000) + /d/a (513).
    assert_eq!(
        fs.stats().used,
        1513,
        "the old inode's bytes were released twice"
    );
}

// ---------------------------------------------------------------------------------------
// Inode numbers: the streaming undo relinks an *orphan* (POSIX: its other name was removed
// while open). The node keeps its ORPHAN bit while named again, so when it later loses that
// name its number is freed twice (free_ino under the tree lock, then bury() on drop), and
// two live nodes end up with the same inode number.
// ---------------------------------------------------------------------------------------

#[test]
fn a_relinked_orphan_does_not_free_its_inode_number_twice() {
    let fs = posix(1 << 20);
    let other = fs.clone();
    let mut handle = None;
    streaming_overwrite_then_fail(&fs, || {
        handle = Some(other.open("/other").unwrap());
        other.remove_file("/other").unwrap();
    });
    drop(handle);
    assert_eq!(fs.read("/d/a").unwrap(), [7u8; 100]);
    assert_eq!(fs.stats().used, 100);
    fs.remove_file("/d/a").unwrap();
    assert_eq!(fs.stats().used, 0);
    for i in 0..8 {
        fs.write(format!("/n{i}"), "x").unwrap();
    }
    let inos = live_inos(&fs);
    let distinct: HashSet<u64> = inos.iter().map(|(_, ino)| *ino).collect();
    assert_eq!(
        distinct.len(),
        inos.len(),
        "two live nodes share an inode number: {inos:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Symbolic links.
// ---------------------------------------------------------------------------------------

/// rename(2): "oldpath is a directory, and newpath exists but is not a directory" is ENOTDIR.
/// MemFs silently replaces the link with the directory (rename_normalized's
/// `(_, Some(_)) => {}` arm lets (dir, symlink) through).
#[test]
fn renaming_a_directory_onto_a_symlink_is_not_a_directory() {
    let fs = MemFs::new();
    fs.create_dir("/d").unwrap();
    fs.create_dir("/target").unwrap();
    fs.symlink("/target", "/l").unwrap();
    let err = fs.rename("/d", "/l").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotADirectory);
    assert!(fs.symlink_metadata("/l").unwrap().file_type().is_symlink());
    assert!(fs.is_dir("/d"));
}

/// std::fs::create_dir_all("dangling/sub") fails on Linux (mkdir("dangling") is EEXIST and
/// it is not a directory); MemFs resolves the dangling link lexically and creates its target.
#[test]
fn create_dir_all_does_not_create_through_a_dangling_link() {
    let fs = MemFs::new();
    fs.symlink("/nowhere", "/dangling").unwrap();
    let result = fs.create_dir_all("/dangling/sub");
    assert!(
        !fs.exists("/nowhere"),
        "created the link's target: {result:?}"
    );
    assert!(result.is_err());
}

/// std::fs::read_dir("/current") yields entries whose path() is "/current/<name>"; MemFs
/// reports the resolved target's paths, so a caller's paths silently change directory.
#[test]
fn read_dir_through_a_link_names_entries_under_the_path_given() {
    let fs = MemFs::new();
    fs.create_dir_all("/releases/v1").unwrap();
    fs.write("/releases/v1/app.conf", "v1").unwrap();
    fs.symlink("releases/v1", "/current").unwrap();
    let paths: Vec<String> = fs
        .read_dir("/current")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(paths, ["/current/app.conf"]);
}

// ---------------------------------------------------------------------------------------
// No panic from the public API: Stamp::new negates the seconds before the epoch, which
// overflows for the earliest SystemTime Linux can represent (tv_sec == i64::MIN).
// ---------------------------------------------------------------------------------------

#[test]
fn setting_the_earliest_representable_time_does_not_panic() {
    let fs = MemFs::new();
    fs.write("/a", "x").unwrap();
    let earliest = std::time::UNIX_EPOCH
        .checked_sub(std::time::Duration::from_secs(1 << 63))
        .expect("representable on Linux");
    fs.set_modified("/a", earliest).unwrap();
    assert_eq!(fs.metadata("/a").unwrap().modified().unwrap(), earliest);
}
