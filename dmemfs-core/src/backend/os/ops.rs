//! [`FileSystem`] for [`OsFs`]: each operation checks what a [`MemFs`](crate::MemFs) checks
//! on the path's text (the root, a copy onto itself), then makes one confined OS call.

use std::io::{self, Read, Write};

use cap_std::fs::OpenOptions;

use super::file::OsFile;
use super::{OsFailure, OsFs, relative};
use crate::attrs::{FileTimes, Permissions};
use crate::backend::handle::FsFile;
use crate::backend::traits::{FileSystem, FsWalk};
use crate::backend::types::FsOpenOptions;
use crate::error::{ArgError, Op, PathError, Reason, fail};
use crate::metadata::{Metadata, ReadDir};
use crate::path::is_strictly_below;

impl OsFs {
    /// Opens a normalised path with `options`, refusing directories at open as a `MemFs` does.
    fn open_normalized(&self, normal: &str, options: &FsOpenOptions) -> Result<OsFile, OsFailure> {
        if normal == "/" {
            return Err(if options.creating() {
                Reason::InvalidPath(PathError::RootHasNoName)
            } else {
                Reason::IsADirectory
            }
            .into());
        }
        let file = self
            .dir()
            .open_with(relative(normal), &host_options(options))?;
        // Linux opens a directory read-only without complaint and fails at the first read; a
        // writable open of one already failed with EISDIR.
        if !options.writes() {
            let meta = file.metadata()?;
            if meta.is_dir() {
                return Err(Reason::IsADirectory.into());
            }
        }
        Ok(OsFile::new(
            file,
            normal.to_owned(),
            options.read,
            options.writes(),
        ))
    }

    /// Opens an existing regular file for reading, with its host metadata.
    fn open_source(
        &self,
        normal: &str,
    ) -> Result<(cap_std::fs::File, cap_std::fs::Metadata), OsFailure> {
        if normal == "/" {
            return Err(Reason::IsADirectory.into());
        }
        let file = self.dir().open(relative(normal))?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(Reason::IsADirectory.into());
        }
        Ok((file, meta))
    }

    fn read_normalized(&self, normal: &str) -> Result<Vec<u8>, OsFailure> {
        let (mut file, meta) = self.open_source(normal)?;
        let mut out = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.read_to_end(&mut out)?;
        Ok(out)
    }

    fn put(&self, op: Op, raw: &str, contents: &[u8], append: bool) -> io::Result<()> {
        let normal = self.normalize(op, raw)?;
        let result = (|| -> Result<(), OsFailure> {
            if normal == "/" {
                return Err(Reason::InvalidPath(PathError::RootHasNoName).into());
            }
            let mut options = OpenOptions::new();
            options.create(true);
            if append {
                options.append(true);
            } else {
                options.write(true).truncate(true);
            }
            let mut file = self.dir().open_with(relative(&normal), &options)?;
            Ok(file.write_all(contents)?)
        })();
        result.map_err(|failure| failure.at(op, raw))
    }

    fn copy_normalized(&self, from: &str, to: &str) -> Result<u64, OsFailure> {
        if to == "/" {
            return Err(Reason::InvalidPath(PathError::RootNotAFile).into());
        }
        let same_file = || Reason::InvalidArgument(ArgError::SameFile);
        if from == to {
            return Err(match self.stat(from)? {
                meta if meta.is_dir() => Reason::IsADirectory,
                _ => same_file(),
            }
            .into());
        }
        let (mut source, source_meta) = self.open_source(from)?;
        // Created here, so removed again if the copy fails: a failed copy leaves no new file.
        let (mut dest, created) = match self.dir().open_with(
            relative(to),
            OpenOptions::new().write(true).create_new(true),
        ) {
            Ok(file) => (file, true),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                let file = self
                    .dir()
                    .open_with(relative(to), OpenOptions::new().write(true))?;
                (file, false)
            }
            Err(err) => return Err(err.into()),
        };
        let result = (|| {
            let dest_meta = dest.metadata()?;
            // The same file under another name (a link): truncating it would lose the data.
            if super::attrs::same_node(&dest_meta, &source_meta) {
                return Err(same_file().into());
            }
            dest.set_len(0)?;
            let copied = io::copy(&mut source, &mut dest)?;
            // As std::fs::copy: the destination gets the source's permissions.
            dest.set_permissions(source_meta.permissions())?;
            Ok(copied)
        })();
        if result.is_err() && created {
            drop(dest);
            let _ = self.dir().remove_file(relative(to));
        }
        result
    }
}

/// The host open options for `options`; the flags were checked by [`FsOpenOptions::check`].
fn host_options(options: &FsOpenOptions) -> OpenOptions {
    let mut host = OpenOptions::new();
    host.read(options.read)
        .write(options.write)
        .append(options.append)
        .truncate(options.truncate)
        .create(options.create)
        .create_new(options.create_new);
    host
}

impl FileSystem for OsFs {
    fn open_with(&self, path: &str, options: &FsOpenOptions) -> io::Result<Box<dyn FsFile>> {
        let op = options.op();
        options.check().map_err(|reason| fail(op, path, reason))?;
        let normal = self.normalize(op, path)?;
        let file = self
            .open_normalized(&normal, options)
            .map_err(|failure| failure.at(op, path))?;
        Ok(Box::new(file))
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        let normal = self.normalize(Op::Read, path)?;
        self.read_normalized(&normal)
            .map_err(|failure| failure.at(Op::Read, path))
    }

    fn write(&self, path: &str, contents: &[u8]) -> io::Result<()> {
        self.put(Op::Write, path, contents, false)
    }

    fn append(&self, path: &str, contents: &[u8]) -> io::Result<()> {
        self.put(Op::Append, path, contents, true)
    }

    fn metadata(&self, path: &str) -> io::Result<Metadata> {
        let normal = self.normalize(Op::Metadata, path)?;
        self.stat(&normal)
            .map_err(|failure| failure.at(Op::Metadata, path))
    }

    fn create_dir(&self, path: &str) -> io::Result<()> {
        let normal = self.normalize(Op::CreateDir, path)?;
        let result = if normal == "/" {
            Err(Reason::InvalidPath(PathError::RootHasNoName).into())
        } else {
            self.dir()
                .create_dir(relative(&normal))
                .map_err(OsFailure::from)
        };
        result.map_err(|failure| failure.at(Op::CreateDir, path))
    }

    fn create_dir_all(&self, path: &str) -> io::Result<()> {
        let normal = self.normalize(Op::CreateDirAll, path)?;
        if normal == "/" {
            return Ok(());
        }
        self.dir()
            .create_dir_all(relative(&normal))
            .map_err(|err| OsFailure::from(err).at(Op::CreateDirAll, path))
    }

    fn remove_file(&self, path: &str) -> io::Result<()> {
        let normal = self.normalize(Op::RemoveFile, path)?;
        let result = if normal == "/" {
            Err(Reason::IsADirectory.into())
        } else {
            self.dir()
                .remove_file(relative(&normal))
                .map_err(OsFailure::from)
        };
        result.map_err(|failure| failure.at(Op::RemoveFile, path))
    }

    fn remove_dir(&self, path: &str) -> io::Result<()> {
        let normal = self.normalize(Op::RemoveDir, path)?;
        let result = if normal == "/" {
            Err(Reason::InvalidPath(PathError::RootNotRemovable).into())
        } else {
            self.dir()
                .remove_dir(relative(&normal))
                .map_err(OsFailure::from)
        };
        result.map_err(|failure| failure.at(Op::RemoveDir, path))
    }

    fn remove_dir_all(&self, path: &str) -> io::Result<()> {
        let normal = self.normalize(Op::RemoveDirAll, path)?;
        let result = if normal == "/" {
            Err(Reason::InvalidPath(PathError::RootNotRemovable).into())
        } else {
            self.dir()
                .remove_dir_all(relative(&normal))
                .map_err(OsFailure::from)
        };
        result.map_err(|failure| failure.at(Op::RemoveDirAll, path))
    }

    fn read_dir(&self, path: &str) -> io::Result<ReadDir> {
        let normal = self.normalize(Op::ReadDir, path)?;
        let listed = self
            .list(&normal, 1)
            .map_err(|failure| failure.at(Op::ReadDir, path))?;
        Ok(ReadDir::new(
            listed.into_iter().map(|item| item.entry).collect(),
        ))
    }

    fn walk(&self, path: &str) -> io::Result<FsWalk<'_>> {
        let normal = self.normalize(Op::Walk, path)?;
        let walk = self
            .walk_normalized(&normal)
            .map_err(|failure| failure.at(Op::Walk, path))?;
        Ok(FsWalk::new(walk))
    }

    fn glob(&self, pattern: &str) -> io::Result<Vec<String>> {
        super::glob::glob(self, pattern).map_err(|failure| failure.at(Op::Glob, pattern))
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let (normal_from, normal_to) = self.normalize_pair(Op::Rename, from, to)?;
        let result = if normal_from == "/" || normal_to == "/" {
            Err(Reason::InvalidPath(PathError::RootImmovable).into())
        } else {
            let dir = self.dir();
            dir.rename(relative(&normal_from), dir, relative(&normal_to))
                .map_err(|err| match OsFailure::from(err) {
                    // EINVAL: a directory into itself; say so as a MemFs does.
                    failure
                        if failure.reason.kind() == io::ErrorKind::InvalidInput
                            && is_strictly_below(&normal_to, &normal_from) =>
                    {
                        failure.named(Reason::InvalidArgument(ArgError::IntoItself))
                    }
                    failure => failure,
                })
        };
        result.map_err(|failure| failure.at2(Op::Rename, from, to))
    }

    fn copy(&self, from: &str, to: &str) -> io::Result<u64> {
        let (normal_from, normal_to) = self.normalize_pair(Op::Copy, from, to)?;
        self.copy_normalized(&normal_from, &normal_to)
            .map_err(|failure| failure.at2(Op::Copy, from, to))
    }

    fn copy_dir_all(&self, from: &str, to: &str) -> io::Result<()> {
        let (normal_from, normal_to) = self.normalize_pair(Op::CopyDirAll, from, to)?;
        self.copy_dir_normalized(&normal_from, &normal_to)
            .map_err(|failure| failure.at2(Op::CopyDirAll, from, to))
    }

    fn hard_link(&self, original: &str, link: &str) -> io::Result<()> {
        let (normal_from, normal_to) = self.normalize_pair(Op::HardLink, original, link)?;
        self.hard_link_normalized(&normal_from, &normal_to)
            .map_err(|failure| failure.at2(Op::HardLink, original, link))
    }

    fn set_permissions(&self, path: &str, perm: Permissions) -> io::Result<()> {
        let normal = self.normalize(Op::SetPermissions, path)?;
        self.set_permissions_normalized(&normal, perm)
            .map_err(|failure| failure.at(Op::SetPermissions, path))
    }

    fn set_times(&self, path: &str, times: FileTimes) -> io::Result<()> {
        let normal = self.normalize(Op::SetTimes, path)?;
        self.set_times_normalized(&normal, times)
            .map_err(|failure| failure.at(Op::SetTimes, path))
    }
}
