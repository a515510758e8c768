//! A file's count of changes in 4 bytes, exact past them.
//!
//! [`Metadata::generation`](crate::Metadata::generation) is a `u64` that must neither wrap
//! nor stick. Eight bytes in every file node kept the node a size class larger for a count
//! that passes 2^31 only after billions of writes to one file; the count keeps 31 bits in
//! place, and a file that outgrows them keeps the rest in a process-wide table, as orphans
//! keep their ledgers (see `node::ORPHANS`).

use std::collections::HashMap;
use std::sync::LazyLock;

use parking_lot::Mutex;

/// Set once the count's upper part is in [`CARRIES`].
const SPILLED: u32 = 1 << 31;
const LOW: u32 = SPILLED - 1;

/// The upper parts (how many times the 31 bits wrapped) by the counter's address: a counter
/// lives in its file node's data, behind the node's `Arc`, and never moves once it counts.
static CARRIES: LazyLock<Mutex<HashMap<usize, u64>>> = LazyLock::new(Default::default);

#[derive(Debug)]
pub(crate) struct Generation(u32);

impl Generation {
    /// A count starting at `count` (0, or 1 for a file created by writing it).
    pub(crate) fn new(count: u32) -> Generation {
        debug_assert!(count <= LOW);
        Generation(count)
    }

    pub(crate) fn get(&self) -> u64 {
        let low = u64::from(self.0 & LOW);
        if self.0 & SPILLED == 0 {
            return low;
        }
        let carries = CARRIES.lock().get(&self.address()).copied().unwrap_or(0);
        (carries << 31) + low
    }

    /// Counts one change.
    #[inline]
    pub(crate) fn bump(&mut self) {
        if self.0 & LOW == LOW {
            self.carry();
        } else {
            self.0 += 1;
        }
    }

    #[cold]
    fn carry(&mut self) {
        *CARRIES.lock().entry(self.address()).or_insert(0) += 1;
        self.0 = SPILLED;
    }

    fn address(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }
}

impl Drop for Generation {
    fn drop(&mut self) {
        if self.0 & SPILLED != 0 {
            CARRIES.lock().remove(&self.address());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_past_31_bits_without_wrapping() {
        // Boxed, as in a node: the counter must not move once it counts past 31 bits.
        let mut count = Box::new(Generation::new(LOW - 1));
        let mut expected = u64::from(LOW - 1);
        for _ in 0..3 {
            count.bump();
            expected += 1;
            assert_eq!(count.get(), expected);
        }
        count.0 = SPILLED | LOW;
        count.bump();
        assert_eq!(count.get(), 2 << 31);
        let address = count.address();
        drop(count);
        assert!(!CARRIES.lock().contains_key(&address));
    }
}
