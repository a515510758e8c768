//! The process-wide cache of freed chunks: reused memory never shows old contents.
//!
//! The cache is global, and the tests of this binary run in parallel, so these tests check
//! what a reader sees, never how many bytes the cache holds at a given moment; its limit and
//! `trim` are tested in a process of their own (`core_fast_paths::cache_limit_child`).

use std::io::Write;

use dmemfs_core::MemFs;

const CHUNK: usize = 64 * 1024;

/// Fills the cache with chunks full of `byte`.
fn leave_chunks_behind(byte: u8) {
    let fs = MemFs::with_quota(1 << 24);
    fs.write("/old", vec![byte; 16 * CHUNK]).unwrap();
    drop(fs);
}

#[test]
fn holes_in_reused_chunks_read_as_zeros() {
    leave_chunks_behind(0xAB);
    let fs = MemFs::with_quota(1 << 24);
    let file = fs.create("/sparse").unwrap();
    file.set_len(8 * CHUNK as u64).unwrap();
    // One byte in the middle of a chunk makes the storage take a whole chunk for it.
    file.write_all_at(b"z", 3 * CHUNK as u64 + 100).unwrap();
    drop(file);
    let data = fs.read("/sparse").unwrap();
    assert_eq!(data.len(), 8 * CHUNK);
    assert_eq!(data[3 * CHUNK + 100], b'z');
    assert_eq!(data.iter().filter(|&&b| b != 0).count(), 1);
}

#[test]
fn short_writes_into_reused_chunks_show_only_what_was_written() {
    leave_chunks_behind(0xCD);
    let fs = MemFs::with_quota(1 << 24);
    let mut file = fs.create("/stream").unwrap();
    // A whole-chunk write, then a short one into the next chunk, then an extension.
    file.write_all(&vec![1u8; CHUNK]).unwrap();
    file.write_all(&[2u8; 10]).unwrap();
    file.set_len(3 * CHUNK as u64).unwrap();
    drop(file);
    let data = fs.read("/stream").unwrap();
    assert!(data[..CHUNK].iter().all(|&b| b == 1));
    assert!(data[CHUNK..CHUNK + 10].iter().all(|&b| b == 2));
    assert!(data[CHUNK + 10..].iter().all(|&b| b == 0));
}

#[test]
fn truncation_then_growth_does_not_resurrect_bytes() {
    let fs = MemFs::with_quota(1 << 24);
    fs.write("/f", vec![9u8; 4 * CHUNK]).unwrap();
    let file = fs.options().write(true).open("/f").unwrap();
    file.set_len(CHUNK as u64 / 2).unwrap();
    file.set_len(4 * CHUNK as u64).unwrap();
    drop(file);
    let data = fs.read("/f").unwrap();
    assert!(data[..CHUNK / 2].iter().all(|&b| b == 9));
    assert!(data[CHUNK / 2..].iter().all(|&b| b == 0));
}
