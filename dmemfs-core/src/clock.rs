//! File timestamps from the kernel's coarse clock, as Linux filesystems take theirs.
//!
//! Every write stamps its file. The precise clock (`SystemTime::now`) costs tens of
//! nanoseconds under virtualisation — a tenth of a whole small-file write in profiles — while
//! the coarse clock is a memory read. Linux itself stamps files (tmpfs included) from the
//! coarse clock, so timestamps keep the granularity code under test would see on a real disk:
//! a few milliseconds. Changes within one tick are still told apart by
//! [`Metadata::generation`](crate::Metadata::generation).

use std::time::SystemTime;

/// The time to stamp a file or directory with.
#[cfg(target_os = "linux")]
pub(crate) fn now() -> SystemTime {
    use std::time::Duration;

    let ts = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    match (u64::try_from(ts.tv_sec), u32::try_from(ts.tv_nsec)) {
        (Ok(secs), Ok(nanos)) => SystemTime::UNIX_EPOCH + Duration::new(secs, nanos),
        // Before 1970, or a clock out of range: take the ordinary path.
        _ => SystemTime::now(),
    }
}

/// The time to stamp a file or directory with.
#[cfg(not(target_os = "linux"))]
pub(crate) fn now() -> SystemTime {
    SystemTime::now()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    #[test]
    fn close_to_the_precise_clock() {
        let coarse = super::now();
        let precise = SystemTime::now();
        // The coarse clock lags by at most a tick (1-10 ms depending on the kernel's HZ).
        assert!(coarse <= precise + Duration::from_millis(1));
        assert!(precise.duration_since(coarse).unwrap_or_default() < Duration::from_millis(50));
    }
}
