//! [`FileSystem`] for [`MemFs`] and [`FsFile`] for [`MemFile`]: thin delegation to the
//! inherent methods, which stay the faster, generic (`impl AsRef<str>`) way to call them.

use std::io;
use std::time::SystemTime;

use super::handle::FsFile;
use super::traits::{FileSystem, FsWalk};
use super::types::FsOpenOptions;
use crate::attrs::{FileTimes, Permissions};
use crate::file::MemFile;
use crate::fs::MemFs;
use crate::metadata::{Metadata, ReadDir};

impl FsFile for MemFile {
    fn path(&self) -> &str {
        MemFile::path(self)
    }

    fn metadata(&self) -> io::Result<Metadata> {
        MemFile::metadata(self)
    }

    fn set_len(&self, size: u64) -> io::Result<()> {
        MemFile::set_len(self, size)
    }

    fn sync_all(&self) -> io::Result<()> {
        MemFile::sync_all(self)
    }

    fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        MemFile::set_permissions(self, perm)
    }

    fn set_times(&self, times: FileTimes) -> io::Result<()> {
        MemFile::set_times(self, times)
    }

    fn set_modified(&self, time: SystemTime) -> io::Result<()> {
        MemFile::set_modified(self, time)
    }
}

/// Every method calls the inherent method of the same name, so the trait and the inherent API
/// cannot drift apart: same checks, same locks, same errors.
impl FileSystem for MemFs {
    fn open_with(&self, path: &str, options: &FsOpenOptions) -> io::Result<Box<dyn FsFile>> {
        let file = self
            .options()
            .read(options.read)
            .write(options.write)
            .append(options.append)
            .truncate(options.truncate)
            .create(options.create)
            .create_new(options.create_new)
            .open(path)?;
        Ok(Box::new(file))
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn FsFile>> {
        Ok(Box::new(MemFs::open(self, path)?))
    }

    fn create(&self, path: &str) -> io::Result<Box<dyn FsFile>> {
        Ok(Box::new(MemFs::create(self, path)?))
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        MemFs::read(self, path)
    }

    fn read_to_string(&self, path: &str) -> io::Result<String> {
        MemFs::read_to_string(self, path)
    }

    fn write(&self, path: &str, contents: &[u8]) -> io::Result<()> {
        MemFs::write(self, path, contents)
    }

    fn append(&self, path: &str, contents: &[u8]) -> io::Result<()> {
        MemFs::append(self, path, contents)
    }

    fn metadata(&self, path: &str) -> io::Result<Metadata> {
        MemFs::metadata(self, path)
    }

    fn exists(&self, path: &str) -> bool {
        MemFs::exists(self, path)
    }

    fn is_file(&self, path: &str) -> bool {
        MemFs::is_file(self, path)
    }

    fn is_dir(&self, path: &str) -> bool {
        MemFs::is_dir(self, path)
    }

    fn create_dir(&self, path: &str) -> io::Result<()> {
        MemFs::create_dir(self, path)
    }

    fn create_dir_all(&self, path: &str) -> io::Result<()> {
        MemFs::create_dir_all(self, path)
    }

    fn remove_file(&self, path: &str) -> io::Result<()> {
        MemFs::remove_file(self, path)
    }

    fn remove_dir(&self, path: &str) -> io::Result<()> {
        MemFs::remove_dir(self, path)
    }

    fn remove_dir_all(&self, path: &str) -> io::Result<()> {
        MemFs::remove_dir_all(self, path)
    }

    fn read_dir(&self, path: &str) -> io::Result<ReadDir> {
        MemFs::read_dir(self, path)
    }

    fn walk(&self, path: &str) -> io::Result<FsWalk<'_>> {
        let walk = MemFs::walk(self, path)?;
        Ok(FsWalk::new(walk))
    }

    fn glob(&self, pattern: &str) -> io::Result<Vec<String>> {
        MemFs::glob(self, pattern)
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        MemFs::rename(self, from, to)
    }

    fn copy(&self, from: &str, to: &str) -> io::Result<u64> {
        MemFs::copy(self, from, to)
    }

    fn copy_dir_all(&self, from: &str, to: &str) -> io::Result<()> {
        MemFs::copy_dir_all(self, from, to)
    }

    fn hard_link(&self, original: &str, link: &str) -> io::Result<()> {
        MemFs::hard_link(self, original, link)
    }

    fn set_permissions(&self, path: &str, perm: Permissions) -> io::Result<()> {
        MemFs::set_permissions(self, path, perm)
    }

    fn set_times(&self, path: &str, times: FileTimes) -> io::Result<()> {
        MemFs::set_times(self, path, times)
    }

    fn set_modified(&self, path: &str, time: SystemTime) -> io::Result<()> {
        MemFs::set_modified(self, path, time)
    }
}
