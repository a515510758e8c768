//! dmemfs, used as its docs show: `fs.create`, `fs.open`, `fs.options()`, and the handle's
//! `Read` / `Write` / `Seek`.

use std::io::{self, Read, Seek, SeekFrom, Write};

use dmemfs_core::MemFs;

use super::{Store, read_until_eof};

/// The quota of every benchmark filesystem: room for the 512 MiB stream case.
pub const BENCH_QUOTA: u64 = 1 << 30;

/// A fresh [`MemFs`] with a 1 GiB quota per instance.
#[derive(Debug)]
pub struct DmemFs {
    fs: MemFs,
}

impl Store for DmemFs {
    const NAME: &'static str = "dmemfs";

    fn create() -> io::Result<Self> {
        Ok(DmemFs {
            fs: MemFs::with_quota(BENCH_QUOTA),
        })
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.fs.create_dir(path)
    }

    fn write_chunks(&mut self, path: &str, chunk: &[u8], count: usize) -> io::Result<()> {
        let mut file = self.fs.create(path)?;
        for _ in 0..count {
            file.write_all(chunk)?;
        }
        Ok(())
    }

    fn read_whole(&mut self, path: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.fs.open(path)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn read_chunked(&mut self, path: &str, buf: &mut [u8]) -> io::Result<u64> {
        read_until_eof(self.fs.open(path)?, buf)
    }

    fn overwrite_at(&mut self, path: &str, offsets: &[u64], chunk: &[u8]) -> io::Result<()> {
        let mut file = self.fs.options().read(true).write(true).open(path)?;
        for &offset in offsets {
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(chunk)?;
        }
        Ok(())
    }
}
