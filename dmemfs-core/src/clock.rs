//! Where file times come from: a [`Clock`], and [`ManualClock`] for tests in which "older
//! than a day" must be deterministic ([`MemFsBuilder::clock`](crate::MemFsBuilder::clock)).
//!
//! By default files are stamped from the kernel's coarse clock, as Linux filesystems (tmpfs
//! included) stamp theirs, so times have the granularity code under test would see on a real
//! disk: a few milliseconds. Changes within one tick are still told apart by
//! [`Metadata::generation`](crate::Metadata::generation).

// Why the coarse clock: every write stamps its file, and the precise clock
// (`SystemTime::now`) costs tens of nanoseconds under virtualisation (a tenth of a whole
// small-file write in profiles), while the coarse clock is a memory read.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use parking_lot::Mutex;

use crate::engine::attrs::Stamp;

/// Where a filesystem reads the time it stamps files and directories with.
///
/// `now` is called while the filesystem holds internal locks: it must return promptly and
/// must not call back into the filesystem.
///
/// ```
/// use dmemfs_core::{MemFs, clock::Clock};
/// use std::time::{Duration, SystemTime};
///
/// #[derive(Debug)]
/// struct Epoch;
/// impl Clock for Epoch {
///     fn now(&self) -> SystemTime {
///         SystemTime::UNIX_EPOCH + Duration::from_secs(86_400)
///     }
/// }
/// let fs = MemFs::builder().clock(Epoch).build()?;
/// fs.write("/a", "x")?;
/// assert_eq!(fs.metadata("/a")?.modified()?, Epoch.now());
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// A clock that stands still until set or advanced: clones share the same time.
///
/// ```
/// use dmemfs_core::{MemFs, clock::ManualClock};
/// use std::time::{Duration, SystemTime};
///
/// let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
/// let fs = MemFs::builder().clock(clock.clone()).build()?;
/// fs.write("/old.log", "x")?;
/// clock.advance(Duration::from_secs(2 * 86_400));
/// fs.write("/new.log", "y")?;
/// let age = |p| clock.now().duration_since(fs.metadata(p)?.modified()?).map_err(std::io::Error::other);
/// assert_eq!(age("/old.log")?.as_secs(), 2 * 86_400);
/// assert_eq!(age("/new.log")?.as_secs(), 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock showing `start`.
    ///
    /// ```
    /// let clock = dmemfs_core::clock::ManualClock::new(std::time::SystemTime::UNIX_EPOCH);
    /// assert_eq!(clock.now(), std::time::SystemTime::UNIX_EPOCH);
    /// ```
    pub fn new(start: SystemTime) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    /// The time the clock shows.
    ///
    /// ```
    /// let clock = dmemfs_core::clock::ManualClock::new(std::time::SystemTime::UNIX_EPOCH);
    /// assert_eq!(clock.now(), std::time::SystemTime::UNIX_EPOCH);
    /// ```
    pub fn now(&self) -> SystemTime {
        *self.0.lock()
    }

    /// Sets the time.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let clock = dmemfs_core::clock::ManualClock::new(SystemTime::UNIX_EPOCH);
    /// clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs(5));
    /// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(5));
    /// ```
    pub fn set(&self, time: SystemTime) {
        *self.0.lock() = time;
    }

    /// Moves the time forward by `by`.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let clock = dmemfs_core::clock::ManualClock::new(SystemTime::UNIX_EPOCH);
    /// clock.advance(Duration::from_secs(60));
    /// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(60));
    /// ```
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock();
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        ManualClock::now(self)
    }
}

/// The time to stamp a file or directory with, as the kernel's `timespec`: stored as it
/// comes, converted to a `SystemTime` only when metadata is read.
#[cfg(target_os = "linux")]
pub(crate) fn now() -> Stamp {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    match u32::try_from(ts.tv_nsec) {
        Ok(nanos) if nanos < 1_000_000_000 => Stamp::from_parts(ts.tv_sec, nanos),
        // A clock out of range: take the ordinary path.
        _ => Stamp::new(SystemTime::now()),
    }
}

/// The time to stamp a file or directory with.
#[cfg(not(target_os = "linux"))]
pub(crate) fn now() -> Stamp {
    Stamp::new(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    #[test]
    fn close_to_the_precise_clock() {
        let coarse = super::now().time();
        let precise = SystemTime::now();
        // The coarse clock lags by at most a tick (1-10 ms depending on the kernel's HZ).
        assert!(coarse <= precise + Duration::from_millis(1));
        assert!(precise.duration_since(coarse).unwrap_or_default() < Duration::from_millis(50));
    }
}
