//! The per-file lock held by open handles: many readers or one writer.
//!
//! Why not `parking_lot::RwLock`: its task-fair policy makes a second read lock wait behind a
//! queued writer, so a thread that holds a read handle and opens another would wait on itself
//! (parking_lot#212). Handles live for arbitrary spans of user code, so this lock prefers
//! readers, as D-MemFS's does and as `std::fs` users expect from opening a file twice; a steady
//! stream of readers can delay a writer, which then fails with its timeout rather than hanging.
//!
//! The uncontended path is one compare-and-swap. Waiting uses a mutex and condition variable,
//! touched only when someone actually waits, from a small process-wide set shared by address:
//! every file carries a lock, and its own pair would cost 16 bytes a file. The count of
//! waiters that tells a release whether to wake anyone is the stripe's too (in each lock it
//! took 4 of the file node's bytes, which kept the node a size class larger): a release wakes
//! all waiters of its stripe, and each checks its own lock again, so a waiter on another lock
//! of the stripe costs at most a wake-up for nothing.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

const WRITER: u32 = 1 << 31;
const MAX_READERS: u32 = WRITER - 1;

/// What a handle needs from its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Reading: shared with other readers.
    Shared,
    /// Writing: no other handle at all.
    Exclusive,
}

#[derive(Debug, Default)]
pub(crate) struct HandleLock {
    /// `WRITER`, or the number of readers.
    state: AtomicU32,
}

const STRIPES: usize = 64;

/// Where waiters sleep, shared by the locks whose addresses fall in the same stripe.
struct Stripe {
    mutex: Mutex<()>,
    cond: Condvar,
    /// Threads waiting on any lock of the stripe (changed under `mutex`).
    waiters: AtomicU32,
}

static WAITING: [Stripe; STRIPES] = [const {
    Stripe {
        mutex: Mutex::new(()),
        cond: Condvar::new(),
        waiters: AtomicU32::new(0),
    }
}; STRIPES];

impl HandleLock {
    /// A lock already held with `access`, for a file created by the handle that will own it.
    /// No other thread can see it yet: it starts in that state, without a compare-and-swap.
    pub(crate) fn held(access: Access) -> HandleLock {
        let state = match access {
            Access::Exclusive => WRITER,
            Access::Shared => 1,
        };
        HandleLock {
            state: AtomicU32::new(state),
        }
    }

    pub(crate) fn try_acquire(&self, access: Access) -> bool {
        match access {
            Access::Exclusive => self
                .state
                .compare_exchange(0, WRITER, SeqCst, SeqCst)
                .is_ok(),
            Access::Shared => {
                let mut current = self.state.load(SeqCst);
                loop {
                    if current & WRITER != 0 || current == MAX_READERS {
                        return false;
                    }
                    match self
                        .state
                        .compare_exchange_weak(current, current + 1, SeqCst, SeqCst)
                    {
                        Ok(_) => return true,
                        Err(actual) => current = actual,
                    }
                }
            }
        }
    }

    /// Acquires the lock, waiting until `deadline` (`None`: without limit). Returns whether it
    /// was acquired.
    pub(crate) fn acquire(&self, access: Access, deadline: Option<Instant>) -> bool {
        if self.try_acquire(access) {
            return true;
        }
        let stripe = self.stripe();
        let mut guard = stripe.mutex.lock();
        // Registered before the retry below, so a release that happens after the failed retry
        // sees the waiter and notifies under the mutex, which we only give up inside `wait`.
        stripe.waiters.fetch_add(1, SeqCst);
        let acquired = loop {
            if self.try_acquire(access) {
                break true;
            }
            match deadline {
                None => stripe.cond.wait(&mut guard),
                Some(deadline) => {
                    if Instant::now() >= deadline {
                        break self.try_acquire(access);
                    }
                    // A timed-out wait loops once more: the final try above decides.
                    let _ = stripe.cond.wait_until(&mut guard, deadline);
                }
            }
        };
        stripe.waiters.fetch_sub(1, SeqCst);
        acquired
    }

    pub(crate) fn release(&self, access: Access) {
        match access {
            Access::Exclusive => self.state.store(0, SeqCst),
            Access::Shared => {
                self.state.fetch_sub(1, SeqCst);
            }
        }
        let stripe = self.stripe();
        if stripe.waiters.load(SeqCst) > 0 {
            let _guard = stripe.mutex.lock();
            stripe.cond.notify_all();
        }
    }

    fn stripe(&self) -> &'static Stripe {
        // Locks live inside heap nodes at least 64 bytes apart: drop the low bits that are
        // the same for all of them.
        &WAITING[(std::ptr::from_ref(self) as usize >> 6) % STRIPES]
    }

    /// Whether any handle holds the lock.
    pub(crate) fn is_locked(&self) -> bool {
        self.state.load(SeqCst) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;
    use std::time::Duration;

    #[test]
    fn readers_share_writers_exclude() {
        let lock = HandleLock::default();
        assert!(lock.try_acquire(Access::Shared));
        assert!(lock.try_acquire(Access::Shared));
        assert!(!lock.try_acquire(Access::Exclusive));
        lock.release(Access::Shared);
        lock.release(Access::Shared);
        assert!(!lock.is_locked());
        assert!(lock.try_acquire(Access::Exclusive));
        assert!(!lock.try_acquire(Access::Shared));
        assert!(!lock.try_acquire(Access::Exclusive));
        lock.release(Access::Exclusive);
        assert!(!lock.is_locked());
    }

    #[test]
    fn waits_until_deadline_then_gives_up() {
        let lock = HandleLock::held(Access::Exclusive);
        let start = Instant::now();
        let deadline = start + Duration::from_millis(50);
        assert!(!lock.acquire(Access::Shared, Some(deadline)));
        assert!(start.elapsed() >= Duration::from_millis(50));
        // An already-passed deadline means: try once.
        assert!(!lock.acquire(Access::Exclusive, Some(Instant::now())));
    }

    #[test]
    fn waiter_wakes_on_release() {
        let lock = Arc::new(HandleLock::held(Access::Exclusive));
        let waiter = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || lock.acquire(Access::Exclusive, None))
        };
        thread::sleep(Duration::from_millis(20));
        lock.release(Access::Exclusive);
        assert!(waiter.join().unwrap());
        assert!(lock.is_locked());
    }

    #[test]
    fn a_reader_is_not_queued_behind_a_waiting_writer() {
        let lock = Arc::new(HandleLock::held(Access::Shared));
        let writer = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire(
                    Access::Exclusive,
                    Some(Instant::now() + Duration::from_millis(200)),
                )
            })
        };
        thread::sleep(Duration::from_millis(20));
        // Same "thread" takes a second read lock while the writer waits.
        assert!(lock.acquire(Access::Shared, Some(Instant::now())));
        lock.release(Access::Shared);
        lock.release(Access::Shared);
        assert!(writer.join().unwrap());
    }

    /// `threads` threads take, `rounds` times each, one of `locks` locks (by `(thread + round)
    /// % locks`) as `access` says for that thread and round, and check what they hold: a
    /// writer marks 1000 and must find nobody; a reader must find no writer. A lost wake-up
    /// fails a 10-second deadline instead of hanging the test.
    fn hammer_locks(locks: usize, threads: usize, rounds: usize, access: fn(usize) -> Access) {
        let locks: Arc<Vec<(HandleLock, AtomicU32)>> =
            Arc::new((0..locks).map(|_| Default::default()).collect());
        let threads: Vec<_> = (0..threads)
            .map(|i| {
                let locks = Arc::clone(&locks);
                thread::spawn(move || {
                    for round in 0..rounds {
                        let (lock, inside) = &locks[(i + round) % locks.len()];
                        let access = access(i + round);
                        let deadline = Instant::now() + Duration::from_secs(10);
                        assert!(lock.acquire(access, Some(deadline)), "lost wake-up");
                        if access == Access::Exclusive {
                            assert!(inside.compare_exchange(0, 1000, SeqCst, SeqCst).is_ok());
                            inside.store(0, SeqCst);
                        } else {
                            assert!(inside.fetch_add(1, SeqCst) < 1000);
                            inside.fetch_sub(1, SeqCst);
                        }
                        lock.release(access);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(locks.iter().all(|(lock, _)| !lock.is_locked()));
    }

    #[test]
    fn hammer() {
        // One lock, writers and readers in turn.
        hammer_locks(1, 8, 2000, |n| {
            if n % 2 == 0 {
                Access::Exclusive
            } else {
                Access::Shared
            }
        });
    }

    /// Locks next to each other (8 bytes apart here) share a stripe and its count of
    /// waiters: a release must still wake the waiters of its own lock while others wait on
    /// their neighbours.
    #[test]
    fn neighbours_sharing_a_stripe_all_wake() {
        hammer_locks(4, 16, 1000, |n| {
            if n % 3 == 0 {
                Access::Shared
            } else {
                Access::Exclusive
            }
        });
    }
}
