//! The shared helpers, from the crate's library target.

pub(crate) use dmemfs_e2e::support::*;
