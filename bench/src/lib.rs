//! The measuring instrument of issue 4: dmemfs against what a user would pick instead, on the
//! six workloads of D-MemFS's benchmark (`shared/reference/perf-baseline.md`), plus a
//! test-suite workload, memory footprint and 2-thread scaling.
//!
//! Run it with `cargo bench -p dmemfs-bench` (everything, ~3 minutes on 2 cores) or select
//! parts: `cargo bench -p dmemfs-bench -- small_files_rw memory --quick`. See
//! `benches/compare.rs` for the options. Not published; nothing here is a stable API.
//!
//! ```
//! use dmemfs_bench::backends::{DmemFs, Floor};
//! use dmemfs_bench::measure::{Reps, run};
//! use dmemfs_bench::workloads::{Sizes, run_case};
//!
//! let reps = Reps { warmup: 0, timed: 1 };
//! let floor = run(reps, || run_case::<Floor>("small_files_rw", &Sizes::QUICK))?;
//! let dmemfs = run(reps, || run_case::<DmemFs>("small_files_rw", &Sizes::QUICK))?;
//! println!("dmemfs/floor = {:.2}", dmemfs.median_ms() / floor.median_ms());
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod backends;
pub mod measure;
pub mod memcpy;
pub mod memory;
pub mod pyrandom;
pub mod render;
pub mod report;
pub mod scaling;
pub mod suite;
pub mod workloads;
