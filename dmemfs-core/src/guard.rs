//! The memory guard: refuses (or warns about) growth the host has no physical memory for.
//!
//! The quota bounds what a filesystem may hold; the guard protects the host when the quota is
//! larger than the memory actually free. Available memory comes from `sysinfo`, lowered to the
//! container's free memory when a cgroup limit applies, and to what the limits of the
//! process's own cgroup and its parents leave. Turn it on with
//! [`MemFsBuilder::memory_guard`](crate::MemFsBuilder::memory_guard).

// Without the `memory-guard` feature the guard cannot be turned on: its modes go unbuilt.
#![cfg_attr(not(feature = "memory-guard"), allow(dead_code, unreachable_pub))]
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::error::Reason;

/// When the memory guard checks the host's available memory.
///
/// ```
/// use dmemfs_core::guard::{GuardAction, GuardMode, MemoryGuard};
/// use std::time::Duration;
/// let guard = MemoryGuard { mode: GuardMode::PerWrite { interval: Duration::from_secs(1) }, action: GuardAction::Error };
/// assert_eq!(guard, MemoryGuard::per_write(Duration::from_secs(1)).error());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardMode {
    /// Never.
    #[default]
    Off,
    /// Once, when the filesystem is built: the quota is compared with available memory.
    Init,
    /// When built, and before any growth: a write is compared with the memory available,
    /// minus what the filesystem has grown since the reading. The reading is cached for
    /// `interval`, because querying the host costs microseconds.
    PerWrite {
        /// How long one reading of available memory is trusted.
        interval: Duration,
    },
}

/// What the memory guard does when memory is short.
///
/// ```
/// use dmemfs_core::guard::{GuardAction, MemoryGuard};
/// assert_eq!(MemoryGuard::init().action, GuardAction::Warn);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardAction {
    /// Log a warning (through the `log` crate) and go on.
    #[default]
    Warn,
    /// Fail the operation with [`ErrorKind::OutOfMemory`](std::io::ErrorKind::OutOfMemory).
    Error,
}

/// The memory guard's configuration: a [`GuardMode`] and a [`GuardAction`].
///
/// ```
/// use dmemfs_core::{MemFs, guard::{GuardAction, GuardMode, MemoryGuard}};
/// use std::time::Duration;
///
/// let guard = MemoryGuard::per_write(Duration::from_secs(1)).error();
/// assert_eq!(guard.action, GuardAction::Error);
/// let fs = MemFs::builder().quota(1 << 20).memory_guard(guard).build()?;
/// fs.write("/a", b"fits easily")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryGuard {
    /// When to check.
    pub mode: GuardMode,
    /// What to do when memory is short.
    pub action: GuardAction,
}

impl MemoryGuard {
    /// No checks (the default).
    ///
    /// ```
    /// assert_eq!(dmemfs_core::guard::MemoryGuard::OFF, Default::default());
    /// ```
    pub const OFF: MemoryGuard = MemoryGuard {
        mode: GuardMode::Off,
        action: GuardAction::Warn,
    };

    /// Check the quota against available memory once, at build time; warns by default.
    ///
    /// ```
    /// use dmemfs_core::guard::{GuardMode, MemoryGuard};
    /// assert_eq!(MemoryGuard::init().mode, GuardMode::Init);
    /// ```
    pub fn init() -> MemoryGuard {
        MemoryGuard {
            mode: GuardMode::Init,
            action: GuardAction::Warn,
        }
    }

    /// Check at build time and before every growth, re-reading available memory at most once
    /// per `interval`; warns by default.
    ///
    /// ```
    /// use dmemfs_core::guard::{GuardMode, MemoryGuard};
    /// use std::time::Duration;
    /// let guard = MemoryGuard::per_write(Duration::from_millis(500));
    /// assert_eq!(guard.mode, GuardMode::PerWrite { interval: Duration::from_millis(500) });
    /// ```
    pub fn per_write(interval: Duration) -> MemoryGuard {
        MemoryGuard {
            mode: GuardMode::PerWrite { interval },
            action: GuardAction::Warn,
        }
    }

    /// The same checks, failing with `OutOfMemory` instead of warning.
    ///
    /// ```
    /// use dmemfs_core::guard::{GuardAction, MemoryGuard};
    /// assert_eq!(MemoryGuard::init().error().action, GuardAction::Error);
    /// ```
    pub fn error(self) -> MemoryGuard {
        MemoryGuard {
            action: GuardAction::Error,
            ..self
        }
    }

    /// The same checks, logging a warning instead of failing.
    ///
    /// ```
    /// use dmemfs_core::guard::{GuardAction, MemoryGuard};
    /// assert_eq!(MemoryGuard::init().error().warn().action, GuardAction::Warn);
    /// ```
    pub fn warn(self) -> MemoryGuard {
        MemoryGuard {
            action: GuardAction::Warn,
            ..self
        }
    }
}

/// Reports the bytes of physical memory available, or `None` when unknown.
pub(crate) type MemoryProbe = Arc<dyn Fn() -> Option<u64> + Send + Sync>;

/// A probe that knows nothing: for filesystems whose guard cannot be on.
#[cfg(any(test, not(feature = "memory-guard")))]
pub(crate) fn no_probe() -> MemoryProbe {
    Arc::new(|| None)
}

/// The default probe: `sysinfo`'s available memory, capped by the cgroup's free memory and by
/// what the limits of the process's own cgroups leave.
#[cfg(feature = "memory-guard")]
pub(crate) fn system_probe() -> MemoryProbe {
    let system: Mutex<Option<sysinfo::System>> = Mutex::new(None);
    Arc::new(move || {
        let mut slot = system.lock();
        if slot.is_none() {
            *slot = sysinfo::System::new().ok();
        }
        let system = slot.as_mut()?;
        system.refresh_memory_specifics(sysinfo::MemoryRefreshKind::nothing().with_ram());
        let host = system.available_memory();
        // sysinfo's reading sees the cgroup hierarchy's root; the process's own cgroup (and
        // its parents) may allow much less: the least of the three is what is left.
        let available = [
            system.cgroup_limits().map(|limits| limits.free_memory),
            crate::cgroup::available(),
        ]
        .into_iter()
        .flatten()
        .fold(host, u64::min);
        // Some platforms report 0 when they cannot tell (sysinfo#1620); a running process
        // never truly has zero bytes available, so treat it as unknown.
        // Chunks in the process-wide memory cache are reused before new memory is asked of
        // the host: count them as available, or a full cache would look like memory pressure.
        (available > 0).then(|| available.saturating_add(crate::storage::pool::cached_bytes()))
    })
}

pub(crate) struct GuardState {
    guard: MemoryGuard,
    probe: MemoryProbe,
    cache: Mutex<Reading>,
}

#[derive(Default)]
struct Reading {
    taken_at: Option<Instant>,
    available: Option<u64>,
    /// Bytes granted since the reading, so a run of writes counts against one figure.
    granted: u64,
    warned: bool,
}

impl fmt::Debug for GuardState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardState")
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl GuardState {
    pub(crate) fn new(guard: MemoryGuard, probe: MemoryProbe) -> GuardState {
        GuardState {
            guard,
            probe,
            cache: Mutex::new(Reading::default()),
        }
    }

    pub(crate) fn is_per_write(&self) -> bool {
        matches!(self.guard.mode, GuardMode::PerWrite { .. })
    }

    /// The build-time check of the quota against available memory.
    pub(crate) fn check_init(&self, quota: u64) -> Result<(), Reason> {
        if self.guard.mode == GuardMode::Off {
            return Ok(());
        }
        match (self.probe)() {
            Some(available) if quota > available => self.violate(quota, available),
            _ => Ok(()),
        }
    }

    /// The check before a growth of `bytes`.
    pub(crate) fn check_growth(&self, bytes: u64) -> Result<(), Reason> {
        let GuardMode::PerWrite { interval } = self.guard.mode else {
            return Ok(());
        };
        let mut reading = self.cache.lock();
        let stale = reading.taken_at.is_none_or(|at| at.elapsed() >= interval);
        if stale {
            *reading = Reading {
                taken_at: Some(Instant::now()),
                available: (self.probe)(),
                ..Reading::default()
            };
        }
        let Some(available) = reading.available else {
            return Ok(());
        };
        let left = available.saturating_sub(reading.granted);
        if bytes > left {
            if self.guard.action == GuardAction::Warn && reading.warned {
                // One warning per reading is enough to be seen without flooding the log.
                reading.granted = reading.granted.saturating_add(bytes);
                return Ok(());
            }
            reading.warned = true;
            self.violate(bytes, left)?;
        }
        reading.granted = reading.granted.saturating_add(bytes);
        Ok(())
    }

    /// Gives back growth that did not happen (a failed operation) or memory freed since (files
    /// shrunk or removed), so it no longer counts against the current reading.
    pub(crate) fn refund(&self, bytes: u64) {
        if bytes > 0 && self.is_per_write() {
            let mut reading = self.cache.lock();
            reading.granted = reading.granted.saturating_sub(bytes);
        }
    }

    fn violate(&self, requested: u64, available: u64) -> Result<(), Reason> {
        let reason = Reason::MemoryGuard {
            requested,
            available,
        };
        match self.guard.action {
            GuardAction::Warn => {
                log::warn!("dmemfs: {reason}");
                Ok(())
            }
            GuardAction::Error => Err(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

    fn fixed(bytes: u64) -> MemoryProbe {
        Arc::new(move || Some(bytes))
    }

    #[test]
    fn off_never_checks() {
        let probe: MemoryProbe = Arc::new(|| panic!("probe must not run"));
        let state = GuardState::new(MemoryGuard::OFF, probe);
        assert!(state.check_init(u64::MAX).is_ok());
        assert!(state.check_growth(u64::MAX).is_ok());
    }

    #[test]
    fn init_compares_quota() {
        let state = GuardState::new(MemoryGuard::init().error(), fixed(100));
        assert!(state.check_init(100).is_ok());
        assert_eq!(
            state.check_init(101),
            Err(Reason::MemoryGuard {
                requested: 101,
                available: 100
            })
        );
        assert!(
            state.check_growth(1 << 40).is_ok(),
            "init mode does not check writes"
        );
        let warn = GuardState::new(MemoryGuard::init(), fixed(1));
        assert!(warn.check_init(2).is_ok());
    }

    #[test]
    fn per_write_counts_growth_against_a_cached_reading() {
        let calls = Arc::new(AtomicU64::new(0));
        let probe: MemoryProbe = {
            let calls = Arc::clone(&calls);
            Arc::new(move || {
                calls.fetch_add(1, SeqCst);
                Some(100)
            })
        };
        let guard = MemoryGuard::per_write(Duration::from_secs(3600)).error();
        let state = GuardState::new(guard, probe);
        assert!(state.check_growth(60).is_ok());
        assert!(state.check_growth(40).is_ok());
        assert_eq!(
            state.check_growth(1),
            Err(Reason::MemoryGuard {
                requested: 1,
                available: 0
            })
        );
        assert_eq!(calls.load(SeqCst), 1, "the reading is cached");
    }

    #[test]
    fn per_write_refreshes_after_interval() {
        let guard = MemoryGuard::per_write(Duration::ZERO).error();
        let state = GuardState::new(guard, fixed(10));
        for _ in 0..5 {
            assert!(state.check_growth(10).is_ok());
        }
        assert!(state.check_growth(11).is_err());
    }

    #[test]
    fn unknown_memory_passes() {
        let state = GuardState::new(
            MemoryGuard::per_write(Duration::ZERO).error(),
            Arc::new(|| None),
        );
        assert!(state.check_init(u64::MAX).is_ok());
        assert!(state.check_growth(u64::MAX).is_ok());
    }

    #[cfg(feature = "memory-guard")]
    #[test]
    fn system_probe_reads_something_plausible() {
        let available = system_probe()().expect("Linux reports available memory");
        assert!(available > 1 << 20, "{available}");
    }
}
