//! The byte quota: a lock-free counter checked before any memory is taken.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

use crate::error::Reason;

#[derive(Debug)]
pub(crate) struct Quota {
    limit: u64,
    used: AtomicU64,
    peak: AtomicU64,
}

impl Quota {
    pub(crate) fn new(limit: u64) -> Quota {
        Quota {
            limit,
            used: AtomicU64::new(0),
            peak: AtomicU64::new(0),
        }
    }

    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }

    pub(crate) fn used(&self) -> u64 {
        self.used.load(SeqCst)
    }

    pub(crate) fn peak(&self) -> u64 {
        self.peak.load(SeqCst)
    }

    /// Charges `bytes`, or refuses without charging anything.
    pub(crate) fn try_charge(&self, bytes: u64) -> Result<(), Reason> {
        if bytes == 0 {
            return Ok(());
        }
        let mut used = self.used.load(SeqCst);
        loop {
            let available = self.limit.saturating_sub(used);
            if bytes > available {
                return Err(Reason::QuotaExceeded {
                    requested: bytes,
                    available,
                    quota: self.limit,
                });
            }
            match self
                .used
                .compare_exchange_weak(used, used + bytes, SeqCst, SeqCst)
            {
                Ok(_) => {
                    self.peak.fetch_max(used + bytes, SeqCst);
                    return Ok(());
                }
                Err(actual) => used = actual,
            }
        }
    }

    pub(crate) fn release(&self, bytes: u64) {
        if bytes > 0 {
            let before = self.used.fetch_sub(bytes, SeqCst);
            debug_assert!(before >= bytes, "quota released more than it charged");
        }
    }
}

/// Bytes charged to the quota that go back unless [`commit`](Reservation::commit)ted, so every
/// early return of a failing operation leaves `used` as it was.
#[must_use = "a reservation is released when dropped"]
#[derive(Debug)]
pub(crate) struct Reservation<'a> {
    quota: &'a Quota,
    bytes: u64,
}

impl<'a> Reservation<'a> {
    pub(crate) fn new(quota: &'a Quota, bytes: u64) -> Reservation<'a> {
        Reservation { quota, bytes }
    }

    /// Keeps the charge: the bytes now belong to a file.
    pub(crate) fn commit(mut self) {
        self.bytes = 0;
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.quota.release(self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_up_to_the_limit_exactly() {
        let q = Quota::new(10);
        assert!(q.try_charge(4).is_ok());
        assert!(q.try_charge(6).is_ok());
        assert_eq!(
            q.try_charge(1),
            Err(Reason::QuotaExceeded {
                requested: 1,
                available: 0,
                quota: 10
            })
        );
        q.release(7);
        assert_eq!(q.used(), 3);
        assert_eq!(q.peak(), 10);
        assert!(q.try_charge(u64::MAX).is_err());
        assert_eq!(q.used(), 3);
    }

    #[test]
    fn reservation_rolls_back_unless_committed() {
        let q = Quota::new(100);
        q.try_charge(30).unwrap();
        drop(Reservation::new(&q, 30));
        assert_eq!(q.used(), 0);
        q.try_charge(30).unwrap();
        Reservation::new(&q, 30).commit();
        assert_eq!(q.used(), 30);
    }
}
