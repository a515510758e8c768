//! Keeping the caller and the FUSE server on one CPU (see
//! [`MountOptions::pin_cpu`](crate::MountOptions::pin_cpu)).

use std::io;

use rustix::thread::{CpuSet, sched_getaffinity, sched_setaffinity};

/// The CPUs the calling thread may run on, before [`only`] restricted it.
#[derive(Debug)]
pub struct Previous(CpuSet);

/// Restricts the calling thread (and the threads and processes it starts from now on) to
/// CPU `cpu`; returns what to [`restore`] it to.
///
/// # Errors
/// `InvalidInput` if this machine has no such CPU or this process may not use it.
///
/// ```
/// let previous = dmemfs_fuse::pin::only(0)?;
/// // ... run a child process that talks to a mount pinned to CPU 0 ...
/// dmemfs_fuse::pin::restore(&previous);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn only(cpu: usize) -> io::Result<Previous> {
    let previous = sched_getaffinity(None).map_err(io::Error::from)?;
    if cpu >= CpuSet::MAX_CPU || !previous.is_set(cpu) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "cannot pin to CPU {cpu}: this process may use CPUs {}",
                list(&previous)
            ),
        ));
    }
    let mut one = CpuSet::new();
    one.set(cpu);
    sched_setaffinity(None, &one).map_err(io::Error::from)?;
    Ok(Previous(previous))
}

/// Lets the calling thread run where it could before [`only`].
pub fn restore(previous: &Previous) {
    // Widening back to CPUs the thread had cannot fail in practice; if it does, the thread
    // stays pinned, which is slower but correct.
    let _ = sched_setaffinity(None, &previous.0);
}

/// The CPUs this process may use, in order: where [`only`] can pin.
///
/// ```
/// assert!(!dmemfs_fuse::pin::usable_cpus().is_empty());
/// ```
pub fn usable_cpus() -> Vec<usize> {
    sched_getaffinity(None)
        .map(|set| {
            (0..CpuSet::MAX_CPU)
                .filter(|&cpu| set.is_set(cpu))
                .collect()
        })
        .unwrap_or_else(|_| vec![0])
}

fn list(set: &CpuSet) -> String {
    let cpus: Vec<String> = (0..CpuSet::MAX_CPU)
        .filter(|&cpu| set.is_set(cpu))
        .map(|cpu| cpu.to_string())
        .collect();
    cpus.join(",")
}
