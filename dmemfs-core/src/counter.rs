//! A counter that threads update without contending: one cache line per shard.
//!
//! Every handle opened or dropped updates the count of open handles. A single atomic would
//! make two threads working on different files bounce its cache line between their cores on
//! every open; with shards each thread updates its own line, and reading the total (rare:
//! `stats()`) sums them.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering::Relaxed};

const SHARDS: usize = 8;

/// One shard per cache line (128 bytes: adjacent-line prefetching pairs 64-byte lines).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Shard(AtomicI64);

#[derive(Debug, Default)]
pub(crate) struct ShardedCounter {
    shards: [Shard; SHARDS],
}

fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Relaxed) % SHARDS;
    }
    INDEX.with(|index| *index)
}

/// Which shard a count was added to: it must be taken back from the same one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Counted(usize);

impl ShardedCounter {
    /// Counts one more, on the calling thread's shard.
    pub(crate) fn increment(&self) -> Counted {
        let index = shard_index();
        self.shards[index].0.fetch_add(1, Relaxed);
        Counted(index)
    }

    /// Takes back a count, from the shard it was added to, whatever the thread: a handle is
    /// often dropped on another thread than the one that opened it (tokio tasks move). If it
    /// came off the dropping thread's shard, that shard could read -1 while the opening one
    /// still read 0 before the open, and a sum taken meanwhile would lose an unrelated
    /// handle open throughout.
    pub(crate) fn decrement(&self, counted: Counted) {
        self.shards[counted.0].0.fetch_sub(1, Relaxed);
    }

    /// The total. Every shard only counts what was added to it and not yet taken back, so
    /// it is never negative: a count held throughout the call is in the total, however the
    /// other shards change while they are read one by one.
    pub(crate) fn sum(&self) -> u64 {
        let total: i64 = self.shards.iter().map(|shard| shard.0.load(Relaxed)).sum();
        u64::try_from(total).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_across_threads() {
        let counter = ShardedCounter::default();
        let counts: Vec<Counted> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..1000).map(|_| counter.increment()).collect::<Vec<_>>()))
                .collect();
            threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        });
        counter.decrement(counts[0]);
        assert_eq!(counter.sum(), 3999);
    }

    /// Counts added on one thread and taken back on others (handles moved between threads)
    /// leave no shard negative at any point: the sum, read shard by shard, can then never
    /// lose a count held throughout.
    #[test]
    fn counts_taken_back_on_other_threads_leave_no_shard_negative() {
        let counter = ShardedCounter::default();
        let counts: Vec<Counted> = std::thread::scope(|s| {
            s.spawn(|| (0..SHARDS).map(|_| counter.increment()).collect())
                .join()
                .unwrap()
        });
        for counted in counts {
            // A fresh thread each: they take the shards in turn, most not the adding one's.
            std::thread::scope(|s| s.spawn(|| counter.decrement(counted)).join().unwrap());
            let shards: Vec<i64> = counter.shards.iter().map(|s| s.0.load(Relaxed)).collect();
            assert!(
                shards.iter().all(|n| *n >= 0),
                "a shard went negative: {shards:?}"
            );
        }
        assert_eq!(counter.sum(), 0);
    }
}
