//! The byte quota: lock-free counters checked before any memory is taken.
//!
//! Two figures: `charged` includes reservations of operations still in flight and is what the
//! limit is checked against; `used` counts only bytes that belong to files (committed
//! reservations), so a failed operation never shows in `used` or in the high-water mark.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

use crate::error::Reason;
use crate::guard::GuardState;

#[derive(Debug)]
pub(crate) struct Quota {
    limit: u64,
    charged: AtomicU64,
    used: AtomicU64,
    peak: AtomicU64,
}

impl Quota {
    pub(crate) fn new(limit: u64) -> Quota {
        Quota {
            limit,
            charged: AtomicU64::new(0),
            used: AtomicU64::new(0),
            peak: AtomicU64::new(0),
        }
    }

    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes held by files.
    #[cfg(test)]
    pub(crate) fn used(&self) -> u64 {
        self.used.load(SeqCst)
    }

    /// The highest `used` has been.
    #[cfg(test)]
    pub(crate) fn peak(&self) -> u64 {
        self.usage().1
    }

    /// `(used, peak)`. `peak` holds every value `used` had before it fell (see
    /// [`release`](Self::release)), so the high-water mark is the larger of it and `used`.
    pub(crate) fn usage(&self) -> (u64, u64) {
        let used = self.used.load(SeqCst);
        (used, self.peak.load(SeqCst).max(used))
    }

    /// Reserves `bytes` for an operation, or refuses without reserving anything.
    pub(crate) fn reserve(&self, bytes: u64) -> Result<Reservation<'_>, Reason> {
        if bytes > 0 {
            let mut charged = self.charged.load(SeqCst);
            loop {
                let available = self.limit.saturating_sub(charged);
                if bytes > available {
                    return Err(Reason::QuotaExceeded {
                        requested: bytes,
                        available,
                        quota: self.limit,
                    });
                }
                match self
                    .charged
                    .compare_exchange_weak(charged, charged + bytes, SeqCst, SeqCst)
                {
                    Ok(_) => break,
                    Err(actual) => charged = actual,
                }
            }
        }
        Ok(Reservation {
            quota: self,
            bytes,
            guard: None,
        })
    }

    /// Gives back bytes that files held (a file shrank or went away).
    ///
    /// The high-water mark is kept here rather than in [`commit`](Self::commit): a peak can
    /// only be passed by a fall, so recording `used` just before each fall (with the fall
    /// conditional on `used` being unchanged) keeps it exact, and commits, which run on every
    /// growing write, need one read-modify-write instead of two.
    pub(crate) fn release(&self, bytes: u64) {
        if bytes > 0 {
            let mut used = self.used.load(SeqCst);
            loop {
                debug_assert!(used >= bytes, "quota released more than files held");
                if used > self.peak.load(SeqCst) {
                    self.peak.fetch_max(used, SeqCst);
                }
                match self
                    .used
                    .compare_exchange_weak(used, used - bytes, SeqCst, SeqCst)
                {
                    Ok(_) => break,
                    Err(actual) => used = actual,
                }
            }
            self.charged.fetch_sub(bytes, SeqCst);
        }
    }

    fn cancel(&self, bytes: u64) {
        if bytes > 0 {
            self.charged.fetch_sub(bytes, SeqCst);
        }
    }

    fn commit(&self, bytes: u64) {
        if bytes > 0 {
            // No peak to raise: `usage` counts `used` itself (see `release`).
            self.used.fetch_add(bytes, SeqCst);
        }
    }
}

/// Bytes reserved for an operation in flight. They go back to the quota when dropped, unless
/// [`commit`](Reservation::commit)ted: so every early return of a failing operation leaves
/// the quota as it was.
#[must_use = "a reservation is released when dropped"]
#[derive(Debug)]
pub(crate) struct Reservation<'a> {
    quota: &'a Quota,
    bytes: u64,
    /// The memory guard that granted these bytes, to refund if they are not used.
    guard: Option<&'a GuardState>,
}

impl<'a> Reservation<'a> {
    /// Records that `guard` granted these bytes.
    pub(crate) fn granted_by(mut self, guard: &'a GuardState) -> Reservation<'a> {
        self.guard = Some(guard);
        self
    }

    /// The bytes now belong to files.
    /// The bytes this reservation holds.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    pub(crate) fn commit(mut self) {
        self.quota.commit(std::mem::take(&mut self.bytes));
    }

    /// Merges another reservation of the same quota into this one.
    pub(crate) fn absorb(&mut self, mut other: Reservation<'a>) {
        debug_assert!(std::ptr::eq(self.quota, other.quota));
        self.bytes += std::mem::take(&mut other.bytes);
        self.guard = self.guard.or(other.guard);
    }

    /// Gives back all but `bytes` of the reservation.
    pub(crate) fn shrink_to(&mut self, bytes: u64) {
        debug_assert!(bytes <= self.bytes);
        self.give_back(self.bytes - bytes);
        self.bytes = bytes;
    }

    fn give_back(&self, bytes: u64) {
        self.quota.cancel(bytes);
        if let Some(guard) = self.guard {
            guard.refund(bytes);
        }
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.give_back(self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserves_up_to_the_limit_exactly() {
        let q = Quota::new(10);
        q.reserve(4).unwrap().commit();
        let six = q.reserve(6).unwrap();
        assert_eq!(
            q.reserve(1).unwrap_err(),
            Reason::QuotaExceeded {
                requested: 1,
                available: 0,
                quota: 10
            }
        );
        assert_eq!(q.used(), 4, "in-flight bytes are not used yet");
        six.commit();
        q.release(7);
        assert_eq!(q.used(), 3);
        assert_eq!(q.peak(), 10);
        assert!(q.reserve(u64::MAX).is_err());
        assert_eq!(q.used(), 3);
    }

    #[test]
    fn dropped_reservations_leave_no_trace() {
        let q = Quota::new(100);
        drop(q.reserve(80).unwrap());
        assert_eq!((q.used(), q.peak()), (0, 0));
        assert!(q.reserve(100).is_ok());
    }

    #[test]
    fn absorb_and_shrink() {
        let q = Quota::new(100);
        let mut r = q.reserve(30).unwrap();
        r.absorb(q.reserve(20).unwrap());
        r.shrink_to(40);
        assert!(q.reserve(61).is_err());
        r.commit();
        assert_eq!((q.used(), q.peak()), (40, 40));
        assert!(q.reserve(60).is_ok());
    }

    #[test]
    fn the_peak_survives_falls_and_rises() {
        let q = Quota::new(100);
        q.reserve(40).unwrap().commit();
        assert_eq!(q.usage(), (40, 40));
        q.release(30);
        q.reserve(20).unwrap().commit();
        assert_eq!(q.usage(), (30, 40));
        q.reserve(50).unwrap().commit();
        q.release(80);
        assert_eq!(q.usage(), (0, 80));
    }

    /// Threads committing and releasing at once: the peak is at least every total one
    /// thread saw after its own commit.
    #[test]
    fn concurrent_peaks_are_kept() {
        let q = Quota::new(u64::MAX);
        let seen = std::thread::scope(|s| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        let mut highest = 0;
                        for i in 1..2000 {
                            q.reserve(i).unwrap().commit();
                            highest = highest.max(q.used());
                            q.release(i);
                        }
                        highest
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).max()
        });
        assert!(q.peak() >= seen.unwrap());
        assert_eq!(q.used(), 0);
    }
}
