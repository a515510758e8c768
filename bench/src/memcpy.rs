//! The memcpy floor: the time a perfect implementation needs just to copy the bytes a stream
//! case moves, at this machine's warm copy bandwidth.

use std::hint::black_box;
use std::io;
use std::time::Duration;

use crate::measure::{Reps, run};

/// Warm copy bandwidth in bytes per second: median of `copy_from_slice` of `bytes` into a
/// buffer that was written before (pre-faulted), so only the copy is timed.
///
/// ```
/// let bandwidth = dmemfs_bench::memcpy::bandwidth(1 << 20, dmemfs_bench::measure::Reps::QUICK)?;
/// assert!(bandwidth > 0.0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn bandwidth(bytes: usize, reps: Reps) -> io::Result<f64> {
    let source = vec![0xA5u8; bytes];
    let mut target = vec![0x5Au8; bytes];
    let sample = run(reps, || {
        target.copy_from_slice(black_box(&source));
        black_box(&mut target);
        Ok(())
    })?;
    Ok(bytes as f64 / sample.median.as_secs_f64().max(1e-9))
}

/// The time to copy `bytes` at `bandwidth` bytes per second.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(dmemfs_bench::memcpy::floor_time(1_000_000, 1e9), Duration::from_millis(1));
/// ```
pub fn floor_time(bytes: u64, bandwidth: f64) -> Duration {
    Duration::from_secs_f64(bytes as f64 / bandwidth)
}
