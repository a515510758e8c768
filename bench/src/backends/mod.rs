//! The backends compared, behind one small trait so that every workload is written once and
//! runs identically on each. Each implementation uses its crate the way a user would: open a
//! handle per operation, `write_all`, `read_to_end`, `seek`, and close it.

mod dmemfs;
mod floor;
mod rsfs;
mod stdfs;
mod vfs;

use std::io;

pub use self::dmemfs::{BENCH_QUOTA, DmemFs};
pub use self::floor::Floor;
pub use self::rsfs::Rsfs;
pub use self::stdfs::{Disk, HostDir, StdFs, Tmpfs};
pub use self::vfs::Vfs;

/// What the workloads need from a filesystem. Paths are absolute (`/bench/f00001.bin`); every
/// call opens and closes its own handle, as D-MemFS's benchmark does.
pub trait Store: Sized {
    /// The backend's id in the tables.
    const NAME: &'static str;

    /// A fresh, empty instance. Called inside the timed region; dropping it is timed too.
    fn create() -> io::Result<Self>;

    /// Creates one directory (its parent exists).
    fn mkdir(&mut self, path: &str) -> io::Result<()>;

    /// Creates or truncates `path`, writes `chunk` `count` times, closes it.
    fn write_chunks(&mut self, path: &str, chunk: &[u8], count: usize) -> io::Result<()>;

    /// Opens `path`, reads it whole into a fresh `Vec`, closes it.
    fn read_whole(&mut self, path: &str) -> io::Result<Vec<u8>>;

    /// Opens `path` and reads it into `buf` (reused) until end of file; returns the bytes read.
    fn read_chunked(&mut self, path: &str, buf: &mut [u8]) -> io::Result<u64>;

    /// Opens `path` for reading and writing (`r+b`), then for each offset seeks there and writes
    /// `chunk`; closes it.
    fn overwrite_at(&mut self, path: &str, offsets: &[u64], chunk: &[u8]) -> io::Result<()>;
}

/// Reads from `reader` into `buf` until end of file, as `while f.read(n)` does in Python.
fn read_until_eof(mut reader: impl io::Read, buf: &mut [u8]) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        match reader.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}
