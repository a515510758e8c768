//! The six workloads of D-MemFS's `benchmarks/compare_backends.py`, as perf-baseline.md defines
//! them. Each is one timed repetition: build the payload, create a fresh instance, run the
//! workload with its validation, drop the instance.

use std::io;

use crate::backends::Store;
use crate::pyrandom::PyRandom;

/// The six case names, in table order.
pub const CASES: [&str; 6] = [
    "small_files_rw",
    "stream_write_read",
    "random_access_rw",
    "large_stream_write_read",
    "many_files_random_read",
    "deep_tree_read",
];

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

/// The sizes of the workloads; [`Sizes::FULL`] is the baseline's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// `small_files_rw`: files of 4 KiB.
    pub small_files: usize,
    /// `stream_write_read` and `random_access_rw`: 64 KiB writes (256 = 16 MiB).
    pub stream_chunks: usize,
    /// `random_access_rw`: 64 KiB overwrites at random offsets.
    pub random_writes: usize,
    /// `large_stream_write_read`: 1 MiB writes (512 = 512 MiB).
    pub large_chunks: usize,
    /// `many_files_random_read`: files of 4 KiB at the root.
    pub many_files: usize,
    /// `many_files_random_read`: random whole-file reads.
    pub many_reads: usize,
    /// `deep_tree_read`: directory levels.
    pub deep_levels: usize,
    /// `deep_tree_read`: reads of the file at the bottom.
    pub deep_reads: usize,
}

impl Sizes {
    /// Exactly perf-baseline.md.
    pub const FULL: Sizes = Sizes {
        small_files: 300,
        stream_chunks: 256,
        random_writes: 256,
        large_chunks: 512,
        many_files: 10_000,
        many_reads: 5_000,
        deep_levels: 50,
        deep_reads: 1_000,
    };

    /// Smaller volumes for smoke tests: 64 MiB instead of 512 MiB, 2,000 files instead of
    /// 10,000.
    pub const QUICK: Sizes = Sizes {
        large_chunks: 64,
        many_files: 2_000,
        many_reads: 1_000,
        ..Sizes::FULL
    };

    /// Bytes of the stream file (`stream_chunks` × 64 KiB).
    pub fn stream_bytes(&self) -> usize {
        self.stream_chunks * 64 * KIB
    }

    /// Bytes of the large file (`large_chunks` × 1 MiB).
    pub fn large_bytes(&self) -> usize {
        self.large_chunks * MIB
    }
}

/// Runs one repetition of case `name` on backend `S`.
///
/// ```
/// use dmemfs_bench::backends::DmemFs;
/// use dmemfs_bench::workloads::{Sizes, run_case};
/// run_case::<DmemFs>("deep_tree_read", &Sizes::QUICK)?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// `InvalidInput` for an unknown case; any error of the backend; `InvalidData` when a read
/// returns other bytes than were written.
pub fn run_case<S: Store>(name: &str, sizes: &Sizes) -> io::Result<()> {
    match name {
        "small_files_rw" => small_files_rw::<S>(sizes),
        "stream_write_read" => stream_write_read::<S>(sizes),
        "random_access_rw" => random_access_rw::<S>(sizes),
        "large_stream_write_read" => large_stream_write_read::<S>(sizes),
        "many_files_random_read" => many_files_random_read::<S>(sizes),
        "deep_tree_read" => deep_tree_read::<S>(sizes),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unknown case {other:?}; cases: {}", CASES.join(", ")),
        )),
    }
}

/// The validation: the read must hold what was written.
fn check(what: &str, ok: bool) -> io::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what}: read back other bytes than were written"),
        ))
    }
}

/// mkdir `/bench`; write 300 files of 4 KiB; read each whole, in order.
fn small_files_rw<S: Store>(sizes: &Sizes) -> io::Result<()> {
    let payload = vec![b'x'; 4 * KIB];
    let mut fs = S::create()?;
    fs.mkdir("/bench")?;
    for i in 0..sizes.small_files {
        fs.write_chunks(&format!("/bench/f{i:05}.bin"), &payload, 1)?;
    }
    for i in 0..sizes.small_files {
        let data = fs.read_whole(&format!("/bench/f{i:05}.bin"))?;
        check("small_files_rw", data.len() == payload.len())?;
    }
    drop(fs);
    Ok(())
}

/// Write `/stream.bin` as 256 writes of 64 KiB; read it whole.
fn stream_write_read<S: Store>(sizes: &Sizes) -> io::Result<()> {
    let chunk = vec![b's'; 64 * KIB];
    let mut fs = S::create()?;
    fs.write_chunks("/stream.bin", &chunk, sizes.stream_chunks)?;
    let data = fs.read_whole("/stream.bin")?;
    check("stream_write_read", data.len() == sizes.stream_bytes())?;
    drop(data);
    drop(fs);
    Ok(())
}

/// Write `/random.bin` as in the stream case; overwrite 64 KiB at 256 offsets drawn by
/// `Random(42).randint(0, size - 64 KiB)`; read it whole.
fn random_access_rw<S: Store>(sizes: &Sizes) -> io::Result<()> {
    let chunk = vec![b'r'; 64 * KIB];
    let patch = vec![b'R'; 64 * KIB];
    let size = sizes.stream_bytes();
    let mut rng = PyRandom::new(42);
    let offsets: Vec<u64> = (0..sizes.random_writes)
        .map(|_| rng.randint(0, (size - patch.len()) as u64))
        .collect();
    let mut fs = S::create()?;
    fs.write_chunks("/random.bin", &chunk, sizes.stream_chunks)?;
    fs.overwrite_at("/random.bin", &offsets, &patch)?;
    let data = fs.read_whole("/random.bin")?;
    let last = offsets.last().map_or(0, |&o| o as usize);
    check(
        "random_access_rw",
        data.len() == size && data.get(last) == Some(&b'R'),
    )?;
    drop(data);
    drop(fs);
    Ok(())
}

/// Write `/large.bin` as 512 writes of 1 MiB; read it back 1 MiB at a time into one buffer.
fn large_stream_write_read<S: Store>(sizes: &Sizes) -> io::Result<()> {
    let chunk = vec![b'L'; MIB];
    let mut buf = vec![0u8; MIB];
    let mut fs = S::create()?;
    fs.write_chunks("/large.bin", &chunk, sizes.large_chunks)?;
    let read = fs.read_chunked("/large.bin", &mut buf)?;
    check(
        "large_stream_write_read",
        read == sizes.large_bytes() as u64 && buf[0] == b'L',
    )?;
    drop(fs);
    Ok(())
}

/// Write 10,000 files of 4 KiB at the root; read 5,000 of them whole, indices
/// `Random(42).randint(0, 9999)`.
fn many_files_random_read<S: Store>(sizes: &Sizes) -> io::Result<()> {
    let payload = vec![b'm'; 4 * KIB];
    let mut fs = S::create()?;
    for i in 0..sizes.many_files {
        fs.write_chunks(&format!("/f{i:06}.bin"), &payload, 1)?;
    }
    let mut rng = PyRandom::new(42);
    for _ in 0..sizes.many_reads {
        let i = rng.randint(0, sizes.many_files as u64 - 1);
        let data = fs.read_whole(&format!("/f{i:06}.bin"))?;
        check("many_files_random_read", data.len() == payload.len())?;
    }
    drop(fs);
    Ok(())
}

/// mkdir `/d0`, `/d0/d1`, ... 50 levels; write a 1 KiB file at the bottom; read it whole 1,000
/// times by full path.
fn deep_tree_read<S: Store>(sizes: &Sizes) -> io::Result<()> {
    let payload = vec![b'd'; KIB];
    let mut fs = S::create()?;
    let mut path = String::new();
    for level in 0..sizes.deep_levels {
        path.push_str(&format!("/d{level}"));
        fs.mkdir(&path)?;
    }
    path.push_str("/file.bin");
    fs.write_chunks(&path, &payload, 1)?;
    for _ in 0..sizes.deep_reads {
        let data = fs.read_whole(&path)?;
        check("deep_tree_read", data.len() == payload.len())?;
    }
    drop(fs);
    Ok(())
}
