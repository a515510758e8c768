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

impl ShardedCounter {
    pub(crate) fn add(&self, delta: i64) {
        self.shards[shard_index()].0.fetch_add(delta, Relaxed);
    }

    /// The total. A handle may be opened on one thread and dropped on another, so single
    /// shards can go negative; the sum cannot.
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
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        counter.add(1);
                    }
                });
            }
        });
        counter.add(-1);
        assert_eq!(counter.sum(), 3999);
    }
}
