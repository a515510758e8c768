//! Invariants shared by the fuzz targets.

use dmemfs_core::MemFs;

/// Everything observable: every path with its kind and contents, and the usage figures.
pub fn state(fs: &MemFs) -> (Vec<(String, Option<Vec<u8>>)>, u64, u64, u64) {
    let mut entries = Vec::new();
    for entry in fs.walk("/").expect("the root can always be walked") {
        let entry = entry.expect("walk entries never fail");
        let contents = entry.file_type().is_file().then(|| fs.peek(entry.path()).expect("peek a listed file"));
        entries.push((entry.path().to_owned(), contents));
    }
    let stats = fs.stats();
    (entries, stats.used, stats.files, stats.dirs)
}

/// The accounting invariants: used is the sum of file lengths, within the quota; the peak
/// is at least used; node counts add up.
pub fn assert_invariants(fs: &MemFs) {
    let (entries, used, files, dirs) = state(fs);
    let total: u64 = entries.iter().filter_map(|(_, c)| c.as_ref()).map(|c| c.len() as u64).sum();
    let stats = fs.stats();
    assert_eq!(used, total, "used != sum of file lengths");
    assert!(used <= stats.quota && stats.peak_used >= used);
    assert_eq!(stats.used + stats.free, stats.quota);
    let file_count = entries.iter().filter(|(_, c)| c.is_some()).count() as u64;
    assert_eq!((files, dirs), (file_count, entries.len() as u64 - file_count));
    assert_eq!(stats.nodes, files + dirs);
}
