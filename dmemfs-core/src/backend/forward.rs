//! Forwarding impls: `&T`, `Box<T>` and `Arc<T>` are filesystems when `T` is, and a boxed
//! handle is a handle, so that `&impl FileSystem` and `F: FileSystem` APIs also accept
//! `&fs`, `Box<dyn FileSystem>` and `Arc<dyn FileSystem>`.

use std::io;
use std::sync::Arc;
use std::time::SystemTime;

use super::handle::FsFile;
use super::traits::{FileSystem, FsWalk};
use super::types::FsOpenOptions;
use crate::attrs::{FileTimes, Permissions};
use crate::metadata::{Metadata, ReadDir};

/// Forwards every method, defaults included, so an override on the inner type is kept.
macro_rules! forward_file_system {
    ($($target:ty),*) => {$(
        impl<T: FileSystem + ?Sized> FileSystem for $target {
            fn open_with(&self, path: &str, options: &FsOpenOptions) -> io::Result<Box<dyn FsFile>> {
                (**self).open_with(path, options)
            }
            fn open(&self, path: &str) -> io::Result<Box<dyn FsFile>> {
                (**self).open(path)
            }
            fn create(&self, path: &str) -> io::Result<Box<dyn FsFile>> {
                (**self).create(path)
            }
            fn read(&self, path: &str) -> io::Result<Vec<u8>> {
                (**self).read(path)
            }
            fn read_to_string(&self, path: &str) -> io::Result<String> {
                (**self).read_to_string(path)
            }
            fn write(&self, path: &str, contents: &[u8]) -> io::Result<()> {
                (**self).write(path, contents)
            }
            fn append(&self, path: &str, contents: &[u8]) -> io::Result<()> {
                (**self).append(path, contents)
            }
            fn metadata(&self, path: &str) -> io::Result<Metadata> {
                (**self).metadata(path)
            }
            fn exists(&self, path: &str) -> bool {
                (**self).exists(path)
            }
            fn is_file(&self, path: &str) -> bool {
                (**self).is_file(path)
            }
            fn is_dir(&self, path: &str) -> bool {
                (**self).is_dir(path)
            }
            fn create_dir(&self, path: &str) -> io::Result<()> {
                (**self).create_dir(path)
            }
            fn create_dir_all(&self, path: &str) -> io::Result<()> {
                (**self).create_dir_all(path)
            }
            fn remove_file(&self, path: &str) -> io::Result<()> {
                (**self).remove_file(path)
            }
            fn remove_dir(&self, path: &str) -> io::Result<()> {
                (**self).remove_dir(path)
            }
            fn remove_dir_all(&self, path: &str) -> io::Result<()> {
                (**self).remove_dir_all(path)
            }
            fn read_dir(&self, path: &str) -> io::Result<ReadDir> {
                (**self).read_dir(path)
            }
            fn walk(&self, path: &str) -> io::Result<FsWalk<'_>> {
                (**self).walk(path)
            }
            fn glob(&self, pattern: &str) -> io::Result<Vec<String>> {
                (**self).glob(pattern)
            }
            fn rename(&self, from: &str, to: &str) -> io::Result<()> {
                (**self).rename(from, to)
            }
            fn copy(&self, from: &str, to: &str) -> io::Result<u64> {
                (**self).copy(from, to)
            }
            fn copy_dir_all(&self, from: &str, to: &str) -> io::Result<()> {
                (**self).copy_dir_all(from, to)
            }
            fn hard_link(&self, original: &str, link: &str) -> io::Result<()> {
                (**self).hard_link(original, link)
            }
            fn set_permissions(&self, path: &str, perm: Permissions) -> io::Result<()> {
                (**self).set_permissions(path, perm)
            }
            fn set_times(&self, path: &str, times: FileTimes) -> io::Result<()> {
                (**self).set_times(path, times)
            }
            fn set_modified(&self, path: &str, time: SystemTime) -> io::Result<()> {
                (**self).set_modified(path, time)
            }
        }
    )*};
}

forward_file_system!(&T, Box<T>, Arc<T>);

impl<F: FsFile + ?Sized> FsFile for Box<F> {
    fn path(&self) -> &str {
        (**self).path()
    }

    fn metadata(&self) -> io::Result<Metadata> {
        (**self).metadata()
    }

    fn set_len(&self, size: u64) -> io::Result<()> {
        (**self).set_len(size)
    }

    fn sync_all(&self) -> io::Result<()> {
        (**self).sync_all()
    }

    fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        (**self).set_permissions(perm)
    }

    fn set_times(&self, times: FileTimes) -> io::Result<()> {
        (**self).set_times(times)
    }

    fn set_modified(&self, time: SystemTime) -> io::Result<()> {
        (**self).set_modified(time)
    }
}
