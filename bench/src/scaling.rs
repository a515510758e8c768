//! Scaling: 1 vs 2 threads, each writing and reading back its own files on one shared `MemFs`.
//!
//! Beside it runs a control with no shared state at all (each thread its own `HashMap`): on
//! a busy 2-core machine it shows how much a second thread can give at best right now.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use dmemfs_core::MemFs;

use crate::backends::BENCH_QUOTA;

/// Files per thread; file `k` holds `4 KiB << (k % 5)` bytes (4 to 64 KiB).
pub const FILES_PER_THREAD: usize = 16;

/// The size of file `k`.
fn file_size(k: usize) -> usize {
    4096 << (k % 5)
}

/// What the threads work on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// One `MemFs` shared by all threads, each in its own directory.
    Dmemfs,
    /// A `HashMap<String, Vec<u8>>` per thread: nothing shared.
    Independent,
}

/// Runs `threads` threads of `ops` operations each (an operation writes one file whole, then
/// reads it back and checks its length) and returns the wall time from the first thread's
/// start (all are released together) to the last one's end.
///
/// ```
/// use dmemfs_bench::scaling::{Target, run_threads};
/// let time = run_threads(Target::Dmemfs, 2, 100)?;
/// assert!(time.as_nanos() > 0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn run_threads(target: Target, threads: usize, ops: usize) -> io::Result<Duration> {
    let fs = MemFs::with_quota(BENCH_QUOTA);
    let payload = vec![b'p'; file_size(4)];
    let start = Barrier::new(threads);
    for t in 0..threads {
        fs.create_dir(format!("/t{t}"))?;
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (fs, payload, start) = (&fs, &payload, &start);
                scope.spawn(move || {
                    let paths: Vec<String> = (0..FILES_PER_THREAD)
                        .map(|k| format!("/t{t}/f{k:02}.bin"))
                        .collect();
                    start.wait();
                    let begun = Instant::now();
                    match target {
                        Target::Dmemfs => dmemfs_ops(fs, &paths, payload, ops),
                        Target::Independent => independent_ops(&paths, payload, ops),
                    }?;
                    Ok::<_, io::Error>((begun, Instant::now()))
                })
            })
            .collect();
        let mut span: Option<(Instant, Instant)> = None;
        for worker in workers {
            let (begun, ended) = worker
                .join()
                .map_err(|_| io::Error::other("scaling: a worker thread panicked"))??;
            span = Some(span.map_or((begun, ended), |(b, e)| (b.min(begun), e.max(ended))));
        }
        Ok(span.map_or(Duration::ZERO, |(b, e)| e - b))
    })
}

fn dmemfs_ops(fs: &MemFs, paths: &[String], payload: &[u8], ops: usize) -> io::Result<()> {
    let mut buf = Vec::with_capacity(payload.len());
    for op in 0..ops {
        let k = op % paths.len();
        let size = file_size(k);
        fs.create(&paths[k])?.write_all(&payload[..size])?;
        buf.clear();
        fs.open(&paths[k])?.read_to_end(&mut buf)?;
        if buf.len() != size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "scaling: {} read back {} of {size} bytes",
                    paths[k],
                    buf.len()
                ),
            ));
        }
    }
    Ok(())
}

fn independent_ops(paths: &[String], payload: &[u8], ops: usize) -> io::Result<()> {
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    let mut buf = Vec::with_capacity(payload.len());
    for op in 0..ops {
        let k = op % paths.len();
        let size = file_size(k);
        match files.get_mut(&paths[k]) {
            Some(file) => {
                file.clear();
                file.extend_from_slice(&payload[..size]);
            }
            None => {
                files.insert(paths[k].clone(), payload[..size].to_vec());
            }
        }
        buf.clear();
        buf.extend_from_slice(std::hint::black_box(&files[&paths[k]]));
        if buf.len() != size {
            return Err(io::Error::other("scaling: control lost bytes"));
        }
    }
    Ok(())
}
