//! The `rsfs` crate (0.4.1): `mem::FS` through its `GenFS` trait.

use std::io::{self, Read, Seek, SeekFrom, Write};

use rsfs::{GenFS, OpenOptions};

use super::{Store, read_until_eof};

/// A fresh `rsfs::mem::FS`.
#[derive(Debug)]
pub struct Rsfs {
    fs: rsfs::mem::FS,
}

impl Store for Rsfs {
    const NAME: &'static str = "rsfs";

    fn create() -> io::Result<Self> {
        Ok(Rsfs {
            fs: rsfs::mem::FS::new(),
        })
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.fs.create_dir(path)
    }

    fn write_chunks(&mut self, path: &str, chunk: &[u8], count: usize) -> io::Result<()> {
        let mut file = self.fs.create_file(path)?;
        for _ in 0..count {
            file.write_all(chunk)?;
        }
        Ok(())
    }

    fn read_whole(&mut self, path: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.fs.open_file(path)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn read_chunked(&mut self, path: &str, buf: &mut [u8]) -> io::Result<u64> {
        read_until_eof(self.fs.open_file(path)?, buf)
    }

    fn overwrite_at(&mut self, path: &str, offsets: &[u64], chunk: &[u8]) -> io::Result<()> {
        let mut file = self.fs.new_openopts().read(true).write(true).open(path)?;
        for &offset in offsets {
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(chunk)?;
        }
        Ok(())
    }
}
