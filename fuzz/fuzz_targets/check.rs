//! Invariants shared by the fuzz targets.

use std::collections::BTreeMap;

use dmemfs_core::{MemFile, MemFs};

/// Everything observable: every path with its kind, inode and contents (files only; links
/// and directories `None`), and the usage figures.
pub type State = (Vec<(String, u64, Option<Vec<u8>>)>, u64, u64, u64, u64);

pub fn state(fs: &MemFs) -> State {
    let mut entries = Vec::new();
    for entry in fs.walk("/").expect("the root can always be walked") {
        let entry = entry.expect("walk entries never fail");
        let contents = entry.file_type().is_file().then(|| fs.peek(entry.path()).expect("peek a listed file"));
        entries.push((entry.path().to_owned(), entry.metadata().ino(), contents));
    }
    let stats = fs.stats();
    (entries, stats.used, stats.files, stats.dirs, stats.symlinks)
}

/// The accounting invariants: used is the sum of the lengths of distinct live files (named,
/// or kept only by the open `handle`), within the quota; the peak is at least used; node
/// counts add up, hard links counted once.
pub fn assert_invariants(fs: &MemFs, handle: Option<&MemFile>) {
    let (entries, used, files, dirs, symlinks) = state(fs);
    let mut inodes: BTreeMap<u64, u64> = BTreeMap::new();
    for (_, ino, contents) in &entries {
        if let Some(contents) = contents {
            inodes.insert(*ino, contents.len() as u64);
        }
    }
    let mut total: u64 = inodes.values().sum();
    if let Some(meta) = handle.and_then(|h| h.metadata().ok())
        && meta.nlink() == 0
    {
        total += meta.len(); // an orphan: removed while open, still charged
    }
    let stats = fs.stats();
    assert_eq!(used, total, "used != sum of live file lengths");
    assert!(used <= stats.quota && stats.peak_used >= used);
    assert_eq!(stats.used + stats.free, stats.quota);
    let links = fs
        .walk("/")
        .unwrap()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_symlink()))
        .count() as u64;
    let dir_count = entries.len() as u64 - entries.iter().filter(|(_, _, c)| c.is_some()).count() as u64 - links;
    assert_eq!((files, dirs), (inodes.len() as u64, dir_count));
    // Hard links to a link count it once.
    assert!(symlinks <= links);
    assert_eq!(stats.nodes, files + dirs + symlinks);
}
