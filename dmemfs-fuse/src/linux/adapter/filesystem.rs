//! `fuser::Filesystem` for [`Adapter`]: each request runs its handler under
//! [`Adapter::serve`] and turns the outcome into the reply.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use fuser::{
    AccessFlags, BsdFileFlags, Errno, FileHandle, Filesystem, FopenFlags, Generation, INodeNo,
    InitFlags, KernelConfig, LockOwner, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData,
    ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, Request, TimeOrNow,
    WriteFlags,
};

use super::entries::{AttrChange, BLOCK};
use super::handles::DirItem;
use super::{Adapter, Failure, Served};

const GENERATION: Generation = Generation(0);

fn empty(reply: ReplyEmpty, outcome: Result<(), Failure>) {
    match outcome {
        Ok(()) => reply.ok(),
        Err(Failure(errno)) => reply.error(errno),
    }
}

impl Adapter {
    fn reply_entry(&self, reply: ReplyEntry, outcome: Result<fuser::FileAttr, Failure>) {
        match outcome {
            Ok(attr) => {
                let attr_ttl = self.settings.attr_ttl;
                reply.entry_with_ttls(&attr_ttl, &self.entry_ttl(), &attr, GENERATION);
            }
            Err(Failure(errno)) => reply.error(errno),
        }
    }

    fn reply_attr(&self, reply: ReplyAttr, outcome: Result<fuser::FileAttr, Failure>) {
        match outcome {
            Ok(attr) => reply.attr(&self.settings.attr_ttl, &attr),
            Err(Failure(errno)) => reply.error(errno),
        }
    }
}

impl Filesystem for Adapter {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        // Without it the kernel turns `open(O_TRUNC)` into a separate truncate, so
        // `echo x > file` is not one operation.
        if let Err(missing) = config.add_capabilities(InitFlags::FUSE_ATOMIC_O_TRUNC) {
            log::warn!("dmemfs-fuse: the kernel lacks {missing:?}");
        }
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let work = || self.do_lookup(parent, name);
        self.serve("lookup", work, |out| self.reply_entry(reply, out));
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        self.serve("forget", || self.do_forget(ino, nlookup), drop);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, fh: Option<FileHandle>, reply: ReplyAttr) {
        let work = || self.do_getattr(ino, fh.map(|fh| fh.0));
        self.serve("getattr", work, |out| self.reply_attr(reply, out));
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let fh = fh.map(|fh| fh.0);
        let change = AttrChange {
            mode,
            size,
            atime,
            mtime,
            fh,
        };
        let work = || self.do_setattr(ino, change);
        self.serve("setattr", work, |out| self.reply_attr(reply, out));
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        self.serve(
            "readlink",
            || self.do_readlink(ino),
            |out| reply_data(reply, out),
        );
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        let pid = req.pid();
        let work = || {
            // Only regular files: a MemFs has no devices, FIFOs or sockets.
            if mode & libc::S_IFMT != libc::S_IFREG {
                return Err(Failure(Errno::EPERM));
            }
            let flags = libc::O_WRONLY | libc::O_EXCL;
            let (attr, fh, _) = self.do_create(parent, name, mode, flags, pid)?;
            self.do_release(fh);
            Ok(attr)
        };
        self.serve("mknod", work, |out| self.reply_entry(reply, out));
    }

    fn mkdir(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let work = || self.do_mkdir(parent, name, mode, umask);
        self.serve("mkdir", work, |out| self.reply_entry(reply, out));
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        self.serve(
            "unlink",
            || self.do_unlink(parent, name),
            |out| empty(reply, out),
        );
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        self.serve(
            "rmdir",
            || self.do_rmdir(parent, name),
            |out| empty(reply, out),
        );
    }

    fn symlink(
        &self,
        _req: &Request,
        parent: INodeNo,
        link_name: &OsStr,
        target: &Path,
        reply: ReplyEntry,
    ) {
        let work = || self.do_symlink(parent, link_name, target);
        self.serve("symlink", work, |out| self.reply_entry(reply, out));
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let work = || self.do_rename((parent, name), (newparent, newname), flags);
        self.serve("rename", work, |out| empty(reply, out));
    }

    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        let work = || self.do_link(ino, newparent, newname);
        self.serve("link", work, |out| self.reply_entry(reply, out));
    }

    fn open(&self, req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let pid = req.pid();
        self.serve(
            "open",
            || self.do_open(ino, flags.0, pid),
            |out| match out {
                Ok((fh, fopen)) => reply.opened(FileHandle(fh), fopen),
                Err(Failure(errno)) => reply.error(errno),
            },
        );
    }

    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        self.serve(
            "read",
            || self.do_read(fh.0, offset, size),
            |out| reply_data(reply, out),
        );
    }

    fn write(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        self.serve(
            "write",
            || self.do_write(fh.0, offset, data),
            |out| match out {
                Ok(written) => reply.written(written),
                Err(Failure(errno)) => reply.error(errno),
            },
        );
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        self.serve("flush", || (), |()| reply.ok());
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        self.serve("release", || self.do_release(fh.0), |()| reply.ok());
    }

    fn fsync(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        // Memory is the storage: written bytes are as durable as they will ever be.
        self.serve("fsync", || (), |()| reply.ok());
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        self.serve(
            "opendir",
            || self.do_opendir(ino),
            |out| match out {
                Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
                Err(Failure(errno)) => reply.error(errno),
            },
        );
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let answer = |items: Served<Arc<[DirItem]>>| {
            let items = match items {
                Ok(items) => items,
                Err(failure) => return reply.error(failure.0),
            };
            // Offsets are positions in the listing taken at opendir (or rewinddir).
            let start = usize::try_from(offset).unwrap_or(usize::MAX);
            for (index, item) in items.iter().enumerate().skip(start) {
                if reply.add(INodeNo(item.ino), index as u64 + 1, item.kind, &item.name) {
                    break;
                }
            }
            reply.ok();
        };
        self.serve("readdir", || self.do_readdir(ino, fh.0, offset), answer);
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        self.serve(
            "releasedir",
            || self.handles.release_dir(fh.0),
            |()| reply.ok(),
        );
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        self.serve("fsyncdir", || (), |()| reply.ok());
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        self.serve(
            "statfs",
            || self.usage(),
            |usage| {
                let name_max = dmemfs_core::NAME_MAX as u32;
                let block = BLOCK as u32;
                let (blocks, free) = (usage.blocks, usage.free_blocks);
                let (files, free_files) = (usage.files, usage.free_files);
                reply.statfs(
                    blocks, free, free, files, free_files, block, name_max, block,
                );
            },
        );
    }

    fn access(&self, _req: &Request, ino: INodeNo, mask: AccessFlags, reply: ReplyEmpty) {
        // Asked only when the kernel does not check modes itself, i.e. for root, who may do
        // everything but execute a file that has no x bit.
        let work = || {
            let meta = self.fs.metadata_by_ino(ino.0)?;
            let executable = meta.is_dir() || meta.mode() & 0o111 != 0;
            if mask.contains(AccessFlags::X_OK) && !executable {
                return Err(Failure(Errno::EACCES));
            }
            Ok(())
        };
        self.serve("access", work, |out| empty(reply, out));
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        let pid = req.pid();
        let work = || self.do_create(parent, name, mode & !umask, flags, pid);
        self.serve("create", work, |out| match out {
            Ok((attr, fh, fopen)) => {
                reply.created(
                    &self.settings.attr_ttl,
                    &attr,
                    GENERATION,
                    FileHandle(fh),
                    fopen,
                );
            }
            Err(Failure(errno)) => reply.error(errno),
        });
    }
}

/// Answers a request whose reply is bytes (read, readlink).
fn reply_data(reply: ReplyData, outcome: Served<Vec<u8>>) {
    match outcome {
        Ok(data) => reply.data(&data),
        Err(Failure(errno)) => reply.error(errno),
    }
}
