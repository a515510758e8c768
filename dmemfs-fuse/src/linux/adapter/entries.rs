//! Requests on the namespace: lookups, attributes, directories, links, renames.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dmemfs_core::{FileTimes, FileType, MemFile, Metadata, Permissions};
use fuser::{Errno, FileAttr, INodeNo, RenameFlags, TimeOrNow};

use super::handles::{DirItem, How};
use super::{Adapter, Failure, Served, name_str};

/// The node a `setattr` changes: through an open handle, or by path.
#[derive(Clone, Copy)]
enum Target<'a> {
    File(&'a MemFile),
    Path(INodeNo, &'a str),
}

/// What `statfs` reports: the quota as the size, the node limit as the inode count.
#[derive(Debug)]
pub(super) struct Usage {
    pub(super) blocks: u64,
    pub(super) free_blocks: u64,
    pub(super) files: u64,
    pub(super) free_files: u64,
}

/// The block size `statfs` counts in (so `df` shows the quota exactly when it is a multiple).
pub(super) const BLOCK: u64 = 4096;

/// The changes a `setattr` asks for (owners are not kept: every node belongs to the mounting
/// user, and a `chown` is accepted and changes nothing, as vfat's `quiet` option does).
#[derive(Debug)]
pub(super) struct AttrChange {
    pub(super) mode: Option<u32>,
    pub(super) size: Option<u64>,
    pub(super) atime: Option<TimeOrNow>,
    pub(super) mtime: Option<TimeOrNow>,
    pub(super) fh: Option<u64>,
}

impl Adapter {
    pub(super) fn do_lookup(&self, parent: INodeNo, name: &OsStr) -> Served<FileAttr> {
        let name = name_str(name)?;
        let meta = self.fs.lookup(parent.0, name)?;
        Ok(self.entry(parent, name, &meta))
    }

    pub(super) fn do_forget(&self, ino: INodeNo, count: u64) {
        self.names.forget(ino.0, count);
    }

    pub(super) fn do_getattr(&self, ino: INodeNo, fh: Option<u64>) -> Served<FileAttr> {
        // Through the handle: the file may have no name any more.
        if let Some(How::Held(file)) = fh
            .and_then(|fh| self.handles.file(fh))
            .as_deref()
            .map(|o| &o.how)
        {
            return Ok(self.attr(&file.metadata()?));
        }
        Ok(self.attr(&self.fs.metadata_by_ino(ino.0)?))
    }

    pub(super) fn do_setattr(&self, ino: INodeNo, change: AttrChange) -> Served<FileAttr> {
        // Through the handle when there is one (`ftruncate`): the file may have no name.
        let open = change.fh.and_then(|fh| self.handles.file(fh));
        if let Some(How::Held(file)) = open.as_deref().map(|o| &o.how) {
            return self.set_attrs(Target::File(file), &change);
        }
        match self.path_of(ino) {
            Ok(path) => self.set_attrs(Target::Path(ino, &path), &change),
            // `fchmod` or `futimens` of an open file with no name left: through a handle
            // another open holds.
            Err(Failure(errno)) if errno == Errno::ESTALE => self
                .handles
                .with_held(ino.0, |file| self.set_attrs(Target::File(file), &change))
                .ok_or(Failure(Errno::ESTALE))?,
            Err(failure) => Err(failure),
        }
    }

    fn set_attrs(&self, target: Target<'_>, change: &AttrChange) -> Served<FileAttr> {
        let kind = match target {
            Target::File(_) => FileType::File,
            Target::Path(_, path) => self.quiet.symlink_metadata(path)?.file_type(),
        };
        if let Some(size) = change.size {
            let writable = self
                .fs
                .options()
                .write(true)
                .lock_timeout(Some(Duration::ZERO))
                .clone();
            match target {
                // A read-only handle cannot truncate; the kernel checked the caller may.
                Target::File(file) => match file.set_len(size) {
                    Err(err) if err.kind() == std::io::ErrorKind::Unsupported => {
                        writable.reopen(file)?.set_len(size)?;
                    }
                    done => done?,
                },
                Target::Path(_, path) => writable.open(path)?.set_len(size)?,
            }
        }
        // A link's own mode and times are not kept (Linux fixes a link's mode at 0777).
        if kind != FileType::Symlink {
            if let Some(mode) = change.mode {
                let perm = Permissions::from_mode(mode & 0o7777);
                match target {
                    Target::File(file) => file.set_permissions(perm)?,
                    Target::Path(_, path) => self.fs.set_permissions(path, perm)?,
                }
            }
            if change.atime.is_some() || change.mtime.is_some() {
                let mut times = FileTimes::new();
                if let Some(t) = change.atime {
                    times = times.set_accessed(instant(t));
                }
                if let Some(t) = change.mtime {
                    times = times.set_modified(instant(t));
                }
                match target {
                    Target::File(file) => file.set_times(times)?,
                    Target::Path(_, path) => self.fs.set_times(path, times)?,
                }
            }
        }
        match target {
            Target::File(file) => Ok(self.attr(&file.metadata()?)),
            Target::Path(ino, _) => Ok(self.attr(&self.fs.metadata_by_ino(ino.0)?)),
        }
    }

    pub(super) fn do_mkdir(
        &self,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
    ) -> Served<FileAttr> {
        let path = self.child_path(parent, name)?;
        self.fs.create_dir(&path)?;
        self.fs
            .set_permissions(&path, Permissions::from_mode(mode & !umask & 0o7777))?;
        self.looked_up(parent, name)
    }

    pub(super) fn do_unlink(&self, parent: INodeNo, name: &OsStr) -> Served<()> {
        let path = self.child_path(parent, name)?;
        let gone = self.quiet.symlink_metadata(&path).map(|m| m.ino());
        self.fs.remove_file(&path)?;
        if let Ok(ino) = gone {
            self.names.removed(ino, parent.0, name_str(name)?);
        }
        Ok(())
    }

    pub(super) fn do_rmdir(&self, parent: INodeNo, name: &OsStr) -> Served<()> {
        Ok(self.fs.remove_dir(self.child_path(parent, name)?)?)
    }

    pub(super) fn do_symlink(
        &self,
        parent: INodeNo,
        name: &OsStr,
        target: &Path,
    ) -> Served<FileAttr> {
        let path = self.child_path(parent, name)?;
        let target = target.to_str().ok_or(Failure(Errno::EINVAL))?;
        self.fs.symlink(target, &path)?;
        self.looked_up(parent, name)
    }

    pub(super) fn do_link(&self, ino: INodeNo, parent: INodeNo, name: &OsStr) -> Served<FileAttr> {
        let original = self.path_of(ino)?;
        self.fs
            .hard_link(&original, self.child_path(parent, name)?)?;
        self.looked_up(parent, name)
    }

    pub(super) fn do_rename(
        &self,
        (parent, name): (INodeNo, &OsStr),
        (new_parent, new_name): (INodeNo, &OsStr),
        flags: RenameFlags,
    ) -> Served<()> {
        let from = self.child_path(parent, name)?;
        let to = self.child_path(new_parent, new_name)?;
        if flags.contains(RenameFlags::RENAME_EXCHANGE)
            || flags.contains(RenameFlags::RENAME_WHITEOUT)
        {
            return Err(Failure(Errno::EINVAL));
        }
        if flags.contains(RenameFlags::RENAME_NOREPLACE) && self.quiet.symlink_metadata(&to).is_ok()
        {
            return Err(Failure(Errno::EEXIST));
        }
        let replaced = self.quiet.symlink_metadata(&to).map(|m| m.ino());
        self.fs.rename(&from, &to)?;
        let (old, new) = (
            (parent.0, name_str(name)?),
            (new_parent.0, name_str(new_name)?),
        );
        if let Ok(ino) = replaced {
            self.names.removed(ino, new.0, new.1);
        }
        if let Ok(meta) = self.quiet.symlink_metadata(&to)
            && !meta.is_dir()
        {
            self.names.renamed(meta.ino(), old, new);
        }
        Ok(())
    }

    pub(super) fn do_readlink(&self, ino: INodeNo) -> Served<Vec<u8>> {
        Ok(self.fs.read_link(self.path_of(ino)?)?.into_bytes())
    }

    pub(super) fn do_opendir(&self, ino: INodeNo) -> Served<u64> {
        Ok(self.handles.add_dir(self.listing(ino)?))
    }

    /// The entries of the open directory `fh` from `offset` on.
    pub(super) fn do_readdir(&self, ino: INodeNo, fh: u64, offset: u64) -> Served<Arc<[DirItem]>> {
        let listing = self.handles.dir(fh).ok_or(Failure(Errno::EBADF))?;
        listing.serve(offset, || self.listing(ino))
    }

    /// The directory numbered `ino`'s entries, `.` and `..` first.
    fn listing(&self, ino: INodeNo) -> Served<Vec<DirItem>> {
        let path = self.fs.dir_path_by_ino(ino.0)?;
        let up = self.quiet.lookup(ino.0, "..")?.ino();
        let mut items = vec![
            DirItem {
                ino: ino.0,
                kind: fuser::FileType::Directory,
                name: ".".into(),
            },
            DirItem {
                ino: up,
                kind: fuser::FileType::Directory,
                name: "..".into(),
            },
        ];
        for entry in self.fs.read_dir(&path)? {
            let entry = entry?;
            let meta = entry.metadata();
            items.push(DirItem {
                ino: meta.ino(),
                kind: self.attr(&meta).kind,
                name: entry.file_name().to_owned(),
            });
        }
        Ok(items)
    }

    pub(super) fn usage(&self) -> Usage {
        let stats = self.fs.stats();
        let files = stats.max_nodes.unwrap_or(u64::from(u32::MAX));
        Usage {
            blocks: stats.quota / BLOCK,
            free_blocks: stats.free / BLOCK,
            files,
            free_files: files.saturating_sub(stats.nodes),
        }
    }

    /// The entry for `name` in `parent` just made: looked up, so the kernel may hold it.
    pub(super) fn looked_up(&self, parent: INodeNo, name: &OsStr) -> Served<FileAttr> {
        let name = name_str(name)?;
        let meta: Metadata = self.quiet.lookup(parent.0, name)?;
        Ok(self.entry(parent, name, &meta))
    }
}

fn instant(time: TimeOrNow) -> SystemTime {
    match time {
        TimeOrNow::SpecificTime(t) => t,
        TimeOrNow::Now => SystemTime::now(),
    }
}
