//! Reliability: dmemfs checked against the Linux kernel, against models, under threads and
//! under hostile input.

mod common {
    pub(crate) use dmemfs_e2e::support::*;
}

mod cgroup;
mod differential;
mod hostile;
mod linux_agreement;
mod memfs_vs_osfs;
mod model;
mod namespace_model;
mod stress;
