//! The floor: a bare `HashMap<String, Vec<u8>>`. No directories, locks, quota or metadata:
//! what any in-memory filesystem must at least do (hash a path, copy bytes in and out).

use std::collections::HashMap;
use std::io::{self, Cursor, Seek, SeekFrom, Write};

use super::{Store, read_until_eof};

/// `HashMap<String, Vec<u8>>`; positioned writes go through a `Cursor` over the `Vec`, reads
/// copy out with `extend_from_slice`.
#[derive(Debug, Default)]
pub struct Floor {
    files: HashMap<String, Vec<u8>>,
}

fn missing(path: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("floor: no file {path}"))
}

impl Store for Floor {
    const NAME: &'static str = "floor";

    fn create() -> io::Result<Self> {
        Ok(Floor::default())
    }

    fn mkdir(&mut self, _path: &str) -> io::Result<()> {
        // No directories: paths are plain keys.
        Ok(())
    }

    fn write_chunks(&mut self, path: &str, chunk: &[u8], count: usize) -> io::Result<()> {
        let file = self.files.entry(path.to_owned()).or_default();
        file.clear();
        let mut cursor = Cursor::new(file);
        for _ in 0..count {
            cursor.write_all(chunk)?;
        }
        Ok(())
    }

    fn read_whole(&mut self, path: &str) -> io::Result<Vec<u8>> {
        let file = self.files.get(path).ok_or_else(|| missing(path))?;
        let mut out = Vec::new();
        out.extend_from_slice(file);
        Ok(out)
    }

    fn read_chunked(&mut self, path: &str, buf: &mut [u8]) -> io::Result<u64> {
        let file = self.files.get(path).ok_or_else(|| missing(path))?;
        read_until_eof(file.as_slice(), buf)
    }

    fn overwrite_at(&mut self, path: &str, offsets: &[u64], chunk: &[u8]) -> io::Result<()> {
        let file = self.files.get_mut(path).ok_or_else(|| missing(path))?;
        let mut cursor = Cursor::new(file);
        for &offset in offsets {
            cursor.seek(SeekFrom::Start(offset))?;
            cursor.write_all(chunk)?;
        }
        Ok(())
    }
}
