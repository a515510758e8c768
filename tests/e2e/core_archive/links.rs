//! Extraction over hard-linked files: every name of a file replaced by an atomic or a
//! streaming extraction, and the streaming undo log around names removed meanwhile and
//! orphans kept by open handles. The quota and inode numbers must come out exact.

use std::collections::HashSet;
use std::io::{self, ErrorKind, Read};

use dmemfs_core::{
    MemFs,
    archive::{Conflict, ExtractMode, ExtractOptions},
};

use super::tar_of;
use crate::common::posix_fs as posix;

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
// Quota: an extraction replacing every name of a hard-linked file frees it, as import_tree
// does (core_links).
// ---------------------------------------------------------------------------------------

/// Overwrites both names of a hard-linked 100-byte file `/d/a` = `/d/b` by extraction in
/// `mode`; returns the filesystem.
fn overwrite_both_names(mode: ExtractMode) -> MemFs {
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
// The streaming log pins the file it replaced (`Kept`), and `decide` refuses any file
// `in_use()`: a later entry of the same archive naming another hard link of that file is
// refused as ResourceBusy, by the extraction's own pin. (Atomic mode and import_tree
// replace both names.)
// ---------------------------------------------------------------------------------------

#[test]
fn streaming_overwrite_of_every_name_of_a_hard_linked_file_is_not_busy() {
    // Refused by the extraction's own pin before the fix.
    let fs = overwrite_both_names(ExtractMode::Streaming);
    assert_eq!(fs.read("/d/a").unwrap(), b"x");
    assert_eq!(fs.read("/d/b").unwrap(), b"y");
    assert_eq!(fs.stats().used, 2);
}

// ---------------------------------------------------------------------------------------
// Atomic extraction admits entries with `sole_name_bytes` (0 for a name of a hard-linked
// file), so replacing every name of a large hard-linked file is charged its whole size
// up front and refused for quota, although the batch that installs it (and import_tree,
// which plans by node) frees the old inode and fits.
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
