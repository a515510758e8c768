//! One (case, backend) pair measured in a fresh process of this binary, so that no backend
//! inherits the allocator state another left behind.

use std::io;
use std::process::Command;
use std::time::Duration;

use dmemfs_bench::backends::{Disk, DmemFs, Floor, Rsfs, StdFs, Store, Tmpfs, Vfs};
use dmemfs_bench::measure::{Reps, Sample, run_within};
use dmemfs_bench::workloads::{Sizes, run_case};

/// Timed repetitions of one (case, backend) stop once they add up to this (after 3).
pub(crate) const CASE_BUDGET: Duration = Duration::from_secs(10);

pub(crate) fn sample(backend: &str, case: &str, sizes: &Sizes, reps: Reps) -> io::Result<Sample> {
    fn on<S: Store>(case: &str, sizes: &Sizes, reps: Reps) -> io::Result<Sample> {
        run_within(reps, CASE_BUDGET, || run_case::<S>(case, sizes))
    }
    match backend {
        "floor" => on::<Floor>(case, sizes, reps),
        "dmemfs" => on::<DmemFs>(case, sizes, reps),
        "tmpfs" => on::<StdFs<Tmpfs>>(case, sizes, reps),
        "disk" => on::<StdFs<Disk>>(case, sizes, reps),
        "vfs" => on::<Vfs>(case, sizes, reps),
        "rsfs" => on::<Rsfs>(case, sizes, reps),
        other => Err(io::Error::other(format!("unknown backend {other}"))),
    }
}

/// A sample as one line of `key=value`s, for the parent process.
pub(crate) fn sample_line(s: &Sample) -> String {
    let mut line = format!(
        "median_ns={} min_ns={} reps={}",
        s.median.as_nanos(),
        s.min.as_nanos(),
        s.reps
    );
    if let Some(faults) = s.faults {
        line.push_str(&format!(" faults={faults}"));
    }
    line
}

/// Runs `case` on `backend` in a fresh process of this binary.
pub(crate) fn sample_isolated(backend: &str, case: &str, quick: bool) -> io::Result<Sample> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["--child", case, backend]);
    if quick {
        command.arg("--quick");
    }
    let output = command.output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "{case} on {backend} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let field = |key: &str| -> Option<u64> {
        stdout
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
    };
    let missing = || io::Error::other(format!("{case} on {backend}: unreadable result {stdout:?}"));
    Ok(Sample {
        median: Duration::from_nanos(field("median_ns").ok_or_else(missing)?),
        min: Duration::from_nanos(field("min_ns").ok_or_else(missing)?),
        faults: field("faults"),
        reps: field("reps").ok_or_else(missing)? as usize,
    })
}
