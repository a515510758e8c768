//! The FUSE server: `fuser::Filesystem` over a [`MemFs`], request by request.
//!
//! The kernel addresses nodes by inode number and (directory, name); the `MemFs` API by path.
//! Directories have one path, which the filesystem answers by number
//! ([`MemFs::dir_path_by_ino`]); files and links may have several names, so this server
//! remembers, for every other node the kernel holds, the (directory, name) it last looked it
//! up under ([`names`]). Open files are [`handles`]; the requests themselves are in
//! [`entries`] (the namespace) and [`io`] (open files).

mod entries;
mod handles;
mod io;
mod names;

use std::ffi::OsStr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dmemfs_core::{FileType, MemFs, Metadata};
use fuser::{Errno, FileAttr, INodeNo};

pub(crate) use handles::Handles;
use names::Names;

use super::errno::errno_of;
use super::forget::{self, Forget};

/// A failed request: the errno its reply carries.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) Errno);

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Failure {
        Failure(errno_of(&err))
    }
}

impl From<Errno> for Failure {
    fn from(errno: Errno) -> Failure {
        Failure(errno)
    }
}

pub(crate) type Served<T> = Result<T, Failure>;

/// How the server answers, fixed at mount time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// How long the kernel may cache attributes (zero: coherent with the API).
    pub(crate) attr_ttl: Duration,
    /// How long the kernel may cache names, once the mount tells it of every name the API
    /// removes ([`Forget`](super::forget::Forget)); until then, `attr_ttl`.
    pub(crate) entry_ttl: Duration,
    /// `FOPEN_DIRECT_IO` on every open file: no page cache.
    pub(crate) direct_io: bool,
    /// `FOPEN_KEEP_CACHE`: the page cache survives reopening (only with a TTL).
    pub(crate) keep_cache: bool,
}

/// The FUSE server of one mount.
pub(crate) struct Adapter {
    fs: MemFs,
    settings: Settings,
    /// The mounting user, who owns every node (MemFs keeps no owners).
    uid: u32,
    gid: u32,
    /// The same filesystem without fault injection, for the adapter's own bookkeeping
    /// (which name a number has, whether a rename replaces something, the entry of a node
    /// just made): a fault rule fails the program's operations, never a step of one that has
    /// already happened.
    quiet: MemFs,
    names: Names,
    handles: Arc<Handles>,
    forget: Arc<Forget>,
    mount_id: u64,
}

impl Adapter {
    pub(crate) fn new(
        fs: MemFs,
        settings: Settings,
        handles: Arc<Handles>,
        forget: Arc<Forget>,
        mount_id: u64,
    ) -> Adapter {
        Adapter {
            forget,
            mount_id,
            quiet: fs.without_faults(),
            fs,
            settings,
            uid: rustix::process::geteuid().as_raw(),
            gid: rustix::process::getegid().as_raw(),
            names: Names::default(),
            handles,
        }
    }

    /// Serves one request: `work` (the `MemFs` side, timed for [`ServeStats`]), then
    /// `answer` with its outcome. A panic in `work` (a bug, or a panicking fault injector)
    /// must not kill the session thread, which would hang every later request on the mount:
    /// `answer` is dropped unrun, and its reply, dropped, answers `EIO` for that request
    /// only. Sending the reply is not timed: it wakes the caller, whose own time a pinned
    /// CPU would otherwise count as ours.
    ///
    /// [`ServeStats`]: crate::ServeStats
    fn serve<T>(&self, op: &'static str, work: impl FnOnce() -> T, answer: impl FnOnce(T)) {
        let started = std::time::Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| forget::serving(self.mount_id, work)));
        self.handles.count(op, started.elapsed());
        match outcome {
            Ok(value) => answer(value),
            Err(_) => log::error!("dmemfs-fuse: the {op} handler panicked; answered EIO"),
        }
    }

    /// The path of the node numbered `ino`: a directory's own, or the name a file or link
    /// was last looked up under.
    fn path_of(&self, ino: INodeNo) -> Served<String> {
        match self.fs.dir_path_by_ino(ino.0) {
            Ok(path) => Ok(path),
            Err(err) if err.kind() == std::io::ErrorKind::NotADirectory => {
                // Any name the kernel reached it by that still names it (names may have been
                // removed or taken over through the API since).
                for (parent, name) in self.names.get(ino.0) {
                    let Ok(dir) = self.fs.dir_path_by_ino(parent) else {
                        continue;
                    };
                    let path = join(&dir, &name);
                    if self
                        .fs
                        .symlink_metadata(&path)
                        .is_ok_and(|m| m.ino() == ino.0)
                    {
                        return Ok(path);
                    }
                }
                Err(Failure(Errno::ESTALE))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The path of `name` in the directory numbered `parent`.
    fn child_path(&self, parent: INodeNo, name: &OsStr) -> Served<String> {
        let name = name_str(name)?;
        Ok(join(&self.fs.dir_path_by_ino(parent.0)?, name))
    }

    /// How long the kernel may keep a name it is told.
    fn entry_ttl(&self) -> Duration {
        if self.forget.armed() {
            self.settings.entry_ttl
        } else {
            self.settings.attr_ttl
        }
    }

    /// What the kernel is told about a node.
    fn attr(&self, meta: &Metadata) -> FileAttr {
        let time = |t: std::io::Result<SystemTime>| t.unwrap_or(UNIX_EPOCH);
        FileAttr {
            ino: INodeNo(meta.ino()),
            size: meta.len(),
            blocks: meta.len().div_ceil(512),
            atime: time(meta.accessed()),
            mtime: time(meta.modified()),
            ctime: meta.changed(),
            crtime: time(meta.created()),
            kind: match meta.file_type() {
                FileType::Dir => fuser::FileType::Directory,
                FileType::Symlink => fuser::FileType::Symlink,
                _ => fuser::FileType::RegularFile,
            },
            perm: (meta.mode() & 0o7777) as u16,
            nlink: u32::try_from(meta.nlink()).unwrap_or(u32::MAX),
            uid: self.uid,
            gid: self.gid,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        }
    }

    /// Records that the kernel now holds `meta`'s node under `name` in `parent`, and the
    /// entry it is told.
    fn entry(&self, parent: INodeNo, name: &str, meta: &Metadata) -> FileAttr {
        if !meta.is_dir() {
            self.names.looked_up(meta.ino(), parent.0, name);
        }
        self.attr(meta)
    }
}

/// `name` as UTF-8, which MemFs names are: other bytes are refused (`EINVAL`).
fn name_str(name: &OsStr) -> Served<&str> {
    name.to_str().ok_or(Failure(Errno::EINVAL))
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

mod filesystem;
