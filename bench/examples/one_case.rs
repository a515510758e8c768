//! One workload on one backend, for instruction counts under callgrind:
//! `valgrind --tool=callgrind target/release/examples/one_case dmemfs small_files_rw 20`.
//! Arguments: backend (`dmemfs` or `floor`), case (see `workloads::CASES`), repetitions.
//! `DMEMFS_BENCH_CACHE=<bytes>` sets the memory cache's limit first (`0`: no cache), to weigh
//! the cache's default: `farm-bench --vs 'env DMEMFS_BENCH_CACHE=0 ...' -- ...`.

use std::io;

use dmemfs_bench::backends::{DmemFs, Floor};
use dmemfs_bench::workloads::{Sizes, run_case};

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let backend = args.get(1).map_or("dmemfs", String::as_str);
    let case = args.get(2).map_or("small_files_rw", String::as_str);
    let reps: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(1);
    if let Some(limit) = std::env::var("DMEMFS_BENCH_CACHE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        dmemfs_core::memory_cache::set_limit(limit);
    }
    for _ in 0..reps {
        match backend {
            "floor" => run_case::<Floor>(case, &Sizes::FULL)?,
            _ => run_case::<DmemFs>(case, &Sizes::FULL)?,
        }
    }
    Ok(())
}
