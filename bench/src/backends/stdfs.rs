//! `std::fs` in a fresh `tempfile::TempDir`: on tmpfs (`/dev/shm`) and on disk (`/tmp`, ext4
//! on this machine). Dropping the instance deletes the directory, inside the timed region.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::PathBuf;

use tempfile::TempDir;

use super::{Store, read_until_eof};

/// Where a [`StdFs`] makes its temporary directories.
pub trait HostDir {
    /// The backend's id in the tables.
    const NAME: &'static str;
    /// The host directory the `TempDir` is created in.
    const BASE: &'static str;
}

/// `/dev/shm`: the kernel's RAM disk.
#[derive(Debug)]
pub struct Tmpfs;

impl HostDir for Tmpfs {
    const NAME: &'static str = "tmpfs";
    const BASE: &'static str = "/dev/shm";
}

/// `/tmp`: a directory on the root filesystem (ext4 on this machine, not tmpfs).
#[derive(Debug)]
pub struct Disk;

impl HostDir for Disk {
    const NAME: &'static str = "disk";
    const BASE: &'static str = "/tmp";
}

/// `std::fs` under a fresh `TempDir` in `H::BASE`.
#[derive(Debug)]
pub struct StdFs<H> {
    dir: TempDir,
    host: PhantomData<H>,
}

impl<H> StdFs<H> {
    /// The host path of virtual path `path` (`/a/b` is `<tempdir>/a/b`).
    fn host(&self, path: &str) -> PathBuf {
        self.dir.path().join(path.trim_start_matches('/'))
    }
}

impl<H: HostDir> Store for StdFs<H> {
    const NAME: &'static str = H::NAME;

    fn create() -> io::Result<Self> {
        Ok(StdFs {
            dir: TempDir::new_in(H::BASE)?,
            host: PhantomData,
        })
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        fs::create_dir(self.host(path))
    }

    fn write_chunks(&mut self, path: &str, chunk: &[u8], count: usize) -> io::Result<()> {
        let mut file = File::create(self.host(path))?;
        for _ in 0..count {
            file.write_all(chunk)?;
        }
        Ok(())
    }

    fn read_whole(&mut self, path: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        File::open(self.host(path))?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn read_chunked(&mut self, path: &str, buf: &mut [u8]) -> io::Result<u64> {
        read_until_eof(File::open(self.host(path))?, buf)
    }

    fn overwrite_at(&mut self, path: &str, offsets: &[u64], chunk: &[u8]) -> io::Result<()> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(self.host(path))?;
        for &offset in offsets {
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(chunk)?;
        }
        Ok(())
    }
}
