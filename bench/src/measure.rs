//! Timing: warm-up runs, then repetitions whose median and minimum are reported, with the
//! minor page faults the measuring thread took per repetition.
//!
//! Faults come from `/proc/thread-self/stat` (the kernel's per-thread `minflt`), read outside
//! the timed region, so no `getrusage` (and no `unsafe`) is needed.

use std::io;
use std::time::{Duration, Instant};

/// How many times a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reps {
    /// Untimed runs first (caches, allocator and page-cache state settle).
    pub warmup: usize,
    /// Timed runs.
    pub timed: usize,
}

impl Reps {
    /// Warm-up 1 + 10 repetitions, as perf-baseline.md.
    pub const FULL: Reps = Reps {
        warmup: 1,
        timed: 10,
    };
    /// Warm-up 1 + 3 repetitions, for smoke tests.
    pub const QUICK: Reps = Reps {
        warmup: 1,
        timed: 3,
    };
}

/// The result of one case on one backend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Median wall time of the timed repetitions.
    pub median: Duration,
    /// Fastest timed repetition.
    pub min: Duration,
    /// Median minor page faults of the measuring thread per repetition; `None` when
    /// `/proc/thread-self/stat` cannot be read.
    pub faults: Option<u64>,
    /// How many timed repetitions ran.
    pub reps: usize,
}

impl Sample {
    /// The median in milliseconds.
    pub fn median_ms(&self) -> f64 {
        self.median.as_secs_f64() * 1e3
    }

    /// The minimum in milliseconds.
    pub fn min_ms(&self) -> f64 {
        self.min.as_secs_f64() * 1e3
    }
}

/// Runs `case` `reps.warmup` times untimed, then `reps.timed` times timed. Everything inside
/// `case` is timed, so it must create and drop its own instance.
///
/// ```
/// use dmemfs_bench::measure::{Reps, run};
/// let sample = run(Reps { warmup: 0, timed: 3 }, || {
///     std::hint::black_box(vec![1u8; 1000]);
///     Ok(())
/// })?;
/// // A case this short repeats beyond the three asked for (see `run_within`).
/// assert!(sample.min <= sample.median && sample.reps >= 3);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn run(reps: Reps, case: impl FnMut() -> io::Result<()>) -> io::Result<Sample> {
    run_within(reps, Duration::MAX, case)
}

/// Short cases repeat until their timed runs add up to this...
const SHORT_CASE_TIME: Duration = Duration::from_millis(200);
/// ...or this many have run.
const MAX_SHORT_REPS: usize = 500;

/// Like [`run`], but stops repeating once the timed repetitions add up to `budget`, after at
/// least [`MIN_REPS`] of them (or `reps.timed`, if fewer): on a loaded machine the disk cases
/// can take 10x their usual time, and the whole run must stay within minutes.
/// [`Sample::reps`] says how many ran.
///
/// ```
/// use std::time::Duration;
/// use dmemfs_bench::measure::{Reps, run_within};
/// let slow = || {
///     std::thread::sleep(Duration::from_millis(2));
///     Ok(())
/// };
/// let sample = run_within(Reps { warmup: 0, timed: 10 }, Duration::from_millis(1), slow)?;
/// assert_eq!(sample.reps, 3);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn run_within(
    reps: Reps,
    budget: Duration,
    mut case: impl FnMut() -> io::Result<()>,
) -> io::Result<Sample> {
    for _ in 0..reps.warmup {
        case()?;
    }
    let wanted = reps.timed.max(1);
    let mut times = Vec::with_capacity(wanted);
    let mut faults = Vec::with_capacity(wanted);
    let mut spent = Duration::ZERO;
    // Short cases (a fraction of a millisecond) get more repetitions, up to SHORT_CASE_TIME
    // of them: with ten, one scheduler hiccup on a shared machine moves the median.
    let more = |times: &Vec<Duration>, spent: Duration| {
        times.len() < MAX_SHORT_REPS && spent < SHORT_CASE_TIME.min(budget)
    };
    while (times.len() < wanted && (spent < budget || times.len() < MIN_REPS))
        || more(&times, spent)
    {
        let before = thread_minor_faults();
        let start = Instant::now();
        case()?;
        let elapsed = start.elapsed();
        let after = thread_minor_faults();
        spent += elapsed;
        times.push(elapsed);
        faults.push(before.zip(after).map(|(b, a)| a.saturating_sub(b)));
    }
    let min = times.iter().copied().min().unwrap_or_default();
    let count = times.len();
    let faults: Option<Vec<u64>> = faults.into_iter().collect();
    Ok(Sample {
        median: median(&mut times, |a, b| (a + b) / 2),
        min,
        faults: faults.map(|mut f| median(&mut f, |a, b| (a + b) / 2)),
        reps: count,
    })
}

/// The fewest timed repetitions [`run_within`] makes, whatever the budget.
pub const MIN_REPS: usize = 3;

/// The median: the middle value, or the mean of the middle two for an even count (the
/// default for no values). `mean` averages two values.
///
/// ```
/// let mid = dmemfs_bench::measure::median(&mut [5u64, 1, 3, 100], |a, b| (a + b) / 2);
/// assert_eq!(mid, 4);
/// ```
pub fn median<T: Copy + Ord + Default>(values: &mut [T], mean: impl Fn(T, T) -> T) -> T {
    values.sort_unstable();
    match values.len() {
        0 => T::default(),
        n if n % 2 == 1 => values[n / 2],
        n => mean(values[n / 2 - 1], values[n / 2]),
    }
}

/// Minor page faults taken so far by the calling thread: field 10 (`minflt`) of
/// `/proc/thread-self/stat`. `None` where procfs is not available.
pub fn thread_minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Field 2 (the command name) is in parentheses and may hold spaces: count from the last
    // `)`. What follows starts at field 3, so field 10 is the 8th.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(7)?.parse().ok()
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`, ...), in bytes.
pub fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        let kib: u64 = value.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kib * 1024)
    })
}

/// `/proc/loadavg`'s first three fields, to show how busy the machine was.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Puts glibc's allocator in the state of a process that has already freed one 16 MiB buffer,
/// as any process that ran a while has, and as the baseline's single-process run was after
/// its first stream case.
///
/// Freeing an mmapped block of up to 32 MiB raises glibc's mmap threshold to its size and
/// the trim threshold to twice that. A fresh process still has the defaults (128 KiB both),
/// so it hands freed heap back to the kernel at once and faults it in again on the next
/// repetition: the floor's `small_files_rw` then takes ~160 page faults per repetition and
/// runs 4x slower than in a process that has freed a large buffer. Every measuring process
/// calls this first, so that every backend starts from the same state.
///
/// ```
/// dmemfs_bench::measure::prime_allocator();
/// ```
pub fn prime_allocator() {
    let block = std::hint::black_box(vec![1u8; 16 << 20]);
    drop(block);
}
