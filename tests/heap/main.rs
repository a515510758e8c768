//! The heap a filesystem holds stays close to its quota figure (the sum of file lengths):
//! within 10% plus a small fixed cost per node, measured with a counting global allocator.
//!
//! Runs without the test harness, one scenario at a time, so that no other thread's
//! allocations are counted. Each scenario builds a filesystem, measures the live heap bytes
//! it added, prints the ratio, then drops it and checks that everything was given back.

use std::io::Write;

use dmemfs_core::MemFs;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The fixed cost allowed per node (file or directory): index entry, name, node header.
/// Issue 4's target for many small files.
const PER_NODE: usize = 200;

fn live_bytes() -> usize {
    dhat::HeapStats::get().curr_bytes
}

/// Builds a filesystem with `build`, checks its heap against `used * 1.10 + nodes * PER_NODE`,
/// and that dropping it frees everything.
fn scenario(name: &str, build: impl FnOnce() -> MemFs) {
    let before = live_bytes();
    let fs = build();
    let heap = live_bytes() - before;
    let stats = fs.stats();
    let budget = stats.used as usize + stats.used as usize / 10 + stats.nodes as usize * PER_NODE;
    let over_data = heap.saturating_sub(stats.used as usize);
    drop(fs);
    // Freed chunks wait in the process-wide cache for the next file; trimming it must leave
    // nothing behind.
    let cached = dmemfs_core::memory_cache::cached_bytes();
    dmemfs_core::memory_cache::trim();
    let leaked = live_bytes().saturating_sub(before);
    println!(
        "{name:<42} data {:>10} B  heap {:>10} B  ratio {:.4}  overhead/node {:>6.1} B  ({} nodes, {cached} B cached after drop)",
        stats.used,
        heap,
        heap as f64 / stats.used.max(1) as f64,
        over_data as f64 / stats.nodes as f64,
        stats.nodes,
    );
    assert!(
        heap <= budget,
        "{name}: heap {heap} B exceeds the budget of {budget} B"
    );
    assert!(
        leaked == 0,
        "{name}: {leaked} B still allocated after the filesystem was dropped"
    );
}

/// Exercises every code path once before measuring, so that process-wide state allocated
/// lazily and kept for the life of the thread is not mistaken for a leak. In this workspace
/// that is parking_lot's deadlock-detection bookkeeping (a per-thread list of held locks,
/// enabled for the stress test and unified into every test binary by Cargo's features).
fn warm_up() {
    let fs = MemFs::with_quota(1 << 20);
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/a/b/f", [1u8; 100]).unwrap();
    fs.append("/a/b/f", [2u8; 10]).unwrap();
    let mut file = fs.create("/a/g").unwrap();
    file.write_all(&[3u8; 100]).unwrap();
    file.write_all_at(&[4u8; 10], 5).unwrap();
    file.set_len(20).unwrap();
    drop(file);
    drop(fs);
}

fn main() {
    // Allocate stdout's buffer before measuring anything.
    println!("heap footprint per scenario (budget: 1.10 x data + {PER_NODE} B per node)");
    warm_up();
    let _profiler = dhat::Profiler::builder().testing().build();

    scenario("10,000 files of 4 KiB (write)", || {
        let fs = MemFs::with_quota(1 << 30);
        fs.create_dir("/data").unwrap();
        for i in 0..10_000 {
            fs.write(format!("/data/f{i:06}.bin"), [7u8; 4096]).unwrap();
        }
        fs
    });

    scenario("one 64 MiB file, 1000-byte handle writes", || {
        let fs = MemFs::with_quota(1 << 30);
        let mut file = fs.create("/big.bin").unwrap();
        let piece = [3u8; 1000];
        for _ in 0..(64 << 20) / 1000 {
            file.write_all(&piece).unwrap();
        }
        drop(file);
        fs
    });

    scenario("1,000 files grown by 200 appends of 37 B", || {
        let fs = MemFs::with_quota(1 << 30);
        for round in 0..200 {
            for i in 0..1000 {
                fs.append(format!("/log{i:04}"), [round as u8; 37]).unwrap();
            }
        }
        fs
    });

    scenario("2,000 files of 100 KiB via handles", || {
        let fs = MemFs::with_quota(1 << 30);
        for i in 0..2000 {
            let mut f = fs.create(format!("/m{i}")).unwrap();
            for _ in 0..25 {
                f.write_all(&[1u8; 4096]).unwrap();
            }
        }
        fs
    });

    scenario("deep tree: 50 levels x 20 files", || {
        let fs = MemFs::with_quota(1 << 30);
        let mut dir = String::new();
        for level in 0..50 {
            dir.push_str(&format!("/d{level}"));
            fs.create_dir(&dir).unwrap();
            for i in 0..20 {
                fs.write(format!("{dir}/f{i}"), [1u8; 2048]).unwrap();
            }
        }
        fs
    });

    scenario("shrunk files (set_len to a quarter)", || {
        let fs = MemFs::with_quota(1 << 30);
        for i in 0..200 {
            let f = fs.create(format!("/s{i}")).unwrap();
            f.write_all_at(&vec![9u8; 200_000], 0).unwrap();
            f.set_len(50_000).unwrap();
        }
        fs
    });
}
