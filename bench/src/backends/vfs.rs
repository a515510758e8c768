//! The `vfs` crate (0.13): `MemoryFS` through `VfsPath`, as its README shows.

use std::io::{self, Read, Seek, SeekFrom, Write};

use vfs::{MemoryFS, VfsPath};

use super::{Store, read_until_eof};

/// A fresh `VfsPath::new(MemoryFS::new())`.
#[derive(Debug)]
pub struct Vfs {
    root: VfsPath,
}

fn io_err(err: vfs::VfsError) -> io::Error {
    io::Error::other(err)
}

impl Vfs {
    fn at(&self, path: &str) -> io::Result<VfsPath> {
        self.root.join(path).map_err(io_err)
    }
}

impl Store for Vfs {
    const NAME: &'static str = "vfs";

    fn create() -> io::Result<Self> {
        Ok(Vfs {
            root: VfsPath::new(MemoryFS::new()),
        })
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.at(path)?.create_dir().map_err(io_err)
    }

    fn write_chunks(&mut self, path: &str, chunk: &[u8], count: usize) -> io::Result<()> {
        let mut file = self.at(path)?.create_file().map_err(io_err)?;
        for _ in 0..count {
            file.write_all(chunk)?;
        }
        Ok(())
    }

    fn read_whole(&mut self, path: &str) -> io::Result<Vec<u8>> {
        // Sized from the metadata first, as vfs's own `read_to_string` does.
        let at = self.at(path)?;
        let len = at.metadata().map_err(io_err)?.len;
        let mut out = Vec::with_capacity(len as usize);
        at.open_file().map_err(io_err)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn read_chunked(&mut self, path: &str, buf: &mut [u8]) -> io::Result<u64> {
        read_until_eof(self.at(path)?.open_file().map_err(io_err)?, buf)
    }

    fn overwrite_at(&mut self, path: &str, offsets: &[u64], chunk: &[u8]) -> io::Result<()> {
        // `append_file` is vfs's only way to change a file without truncating it.
        let mut file = self.at(path)?.append_file().map_err(io_err)?;
        for &offset in offsets {
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(chunk)?;
        }
        Ok(())
    }
}
