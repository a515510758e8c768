//! A `FileSystem` implementation of one's own (a wrapper that hides dot files, an overlay)
//! returns its own listing from `read_dir`: it must be able to make a `ReadDir`, as it can
//! make an `FsWalk` (`FsWalk::new`). Before the change `read_dir` returned a `Vec`.

use dmemfs_test::dmemfs_core::{DirEntry, MemFs, ReadDir};

fn without_dot_files(fs: &MemFs, path: &str) -> std::io::Result<ReadDir> {
    let kept: Vec<DirEntry> = fs
        .read_dir(path)?
        .filter(|entry| entry.as_ref().map_or(true, |e| !e.file_name().starts_with('.')))
        .collect::<Result<_, _>>()?;
    Ok(ReadDir::from(kept))
}

fn main() {
    let fs = MemFs::new();
    fs.write("/.hidden", "x").unwrap();
    fs.write("/shown", "y").unwrap();
    assert_eq!(without_dot_files(&fs, "/").unwrap().len(), 1);
}
