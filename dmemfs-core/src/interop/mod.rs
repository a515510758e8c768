//! Implementations of other crates' filesystem traits for [`MemFs`](crate::MemFs), so code
//! written against them gets dmemfs's quotas, locks and test harness.

#[cfg(feature = "vfs")]
mod vfs;
