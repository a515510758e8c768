//! [`AsyncMemFs`] and [`AsyncMemFile`]: the filesystem for Tokio code (feature `tokio`).
//!
//! Every operation is in-memory, so it runs on the calling task's thread, except that waiting
//! for a file lock must never block a runtime worker. Each operation that may wait is first
//! tried through a handle whose lock waits try once (`MemFs::single_try`, the policy passed
//! with the handle rather than set aside somewhere); only if a file lock was contended does
//! it run again on Tokio's blocking pool with the filesystem's real lock timeout. A failed
//! operation changes nothing, so the retry behaves exactly like one call that waited.

mod file;
mod ops;

use std::io;

pub use file::{AsyncMemFile, AsyncOpenOptions};

use crate::error::{FsError, Reason};
use crate::fs::MemFs;

/// A [`MemFs`] for async code: the same operations as `async fn`s, in the shape of
/// `tokio::fs`.
///
/// It is a cheap handle around a `MemFs` (clones share the filesystem); get one with
/// [`AsyncMemFs::new`] or `From`, and the `MemFs` back with [`as_std`](Self::as_std) or
/// [`into_std`](Self::into_std), as tokio names its own. Both views work
/// on the same files at the same time.
///
/// # Waiting never blocks a worker
/// Operations run inline on the task's thread, since they only copy memory, with one
/// exception: waiting for a file lock (opening a file another handle holds, or a whole-file
/// [`read`](Self::read), [`write`](Self::write), [`copy`](Self::copy), ... while a writer has
/// it open). Such an operation first tries the lock once; if it is taken, the operation is
/// handed to [`tokio::task::spawn_blocking`] and waits there, up to the filesystem's lock
/// timeout, while the runtime goes on running other tasks. A timeout gives the same
/// `WouldBlock` error, naming the path, as the blocking API.
///
/// While a [fault injector](MemFs::set_fault_injector) is installed, every operation runs on
/// the blocking pool, since a [`Delay`](crate::fault::Verdict::Delay) verdict sleeps. Outside a Tokio
/// runtime, a contended lock is waited for on the calling thread.
///
/// If a future is dropped while its operation waits on the blocking pool, the operation still
/// completes there (as with `tokio::fs`); a file it opened is closed again at once.
///
/// ```
/// use dmemfs_core::{AsyncMemFs, MemFs};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let fs = AsyncMemFs::new(MemFs::with_quota(1 << 20));
/// fs.create_dir_all("/out").await?;
/// let mut log = fs.create("/out/run.log").await?;
/// log.write_all(b"step 1\n").await?;
/// drop(log);
/// assert_eq!(fs.read_to_string("/out/run.log").await?, "step 1\n");
/// assert_eq!(fs.as_std().stats().used, 7);
/// # Ok::<(), std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AsyncMemFs {
    fs: MemFs,
    /// The same filesystem through a handle whose lock waits try once: every operation's
    /// first attempt runs through it.
    once: MemFs,
}

impl AsyncMemFs {
    /// Wraps a filesystem; the `MemFs` and its clones keep working on the same files.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// let afs = dmemfs_core::AsyncMemFs::new(fs.clone());
    /// assert_eq!(afs.as_std().id(), fs.id());
    /// ```
    pub fn new(fs: MemFs) -> AsyncMemFs {
        let once = fs.single_try();
        AsyncMemFs { fs, once }
    }

    /// The synchronous filesystem underneath, for calls that never wait, or for code on a
    /// blocking thread.
    ///
    /// ```
    /// let afs = dmemfs_core::AsyncMemFs::new(dmemfs_core::MemFs::with_quota(100));
    /// assert_eq!(afs.as_std().stats().quota, 100);
    /// ```
    pub fn as_std(&self) -> &MemFs {
        &self.fs
    }

    /// Unwraps the synchronous filesystem.
    ///
    /// ```
    /// let afs = dmemfs_core::AsyncMemFs::from(dmemfs_core::MemFs::new());
    /// let fs: dmemfs_core::MemFs = afs.into_std();
    /// assert!(fs.exists("/"));
    /// ```
    pub fn into_std(self) -> MemFs {
        self.fs
    }

    /// Runs an operation that may wait for a file lock without blocking the runtime:
    /// `attempt` inline with single-try lock waits; if a lock was contended, the job made by
    /// `blocking` (owning its arguments) on the blocking pool.
    async fn run<T, B>(
        &self,
        attempt: impl FnOnce(&MemFs) -> io::Result<T>,
        blocking: impl FnOnce() -> B,
    ) -> io::Result<T>
    where
        T: Send + 'static,
        B: FnOnce(&MemFs) -> io::Result<T> + Send + 'static,
    {
        if !self.fs.inner.faults.is_armed() || !self.fs.faults {
            match attempt(&self.once) {
                Err(err) if lock_contended(&err) => {}
                done => return done,
            }
        }
        off_runtime(self.fs.clone(), blocking()).await
    }
}

/// Runs `job` on Tokio's blocking pool (or, outside a runtime, right here).
async fn off_runtime<T, B>(fs: MemFs, job: B) -> io::Result<T>
where
    T: Send + 'static,
    B: FnOnce(&MemFs) -> io::Result<T> + Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return job(&fs);
    }
    match tokio::task::spawn_blocking(move || job(&fs)).await {
        Ok(result) => result,
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(_) => Err(io::Error::other(
            "the Tokio runtime shut down before the operation could run",
        )),
    }
}

/// Whether `err` is a lock wait cut short by the single try (not an injected `WouldBlock`).
fn lock_contended(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::WouldBlock
        && FsError::from_io(err).is_some_and(|e| matches!(e.reason(), Reason::LockTimeout { .. }))
}

impl Default for AsyncMemFs {
    /// A new [`MemFs::default`], wrapped.
    fn default() -> AsyncMemFs {
        AsyncMemFs::new(MemFs::default())
    }
}

impl From<MemFs> for AsyncMemFs {
    fn from(fs: MemFs) -> AsyncMemFs {
        AsyncMemFs::new(fs)
    }
}

impl From<AsyncMemFs> for MemFs {
    fn from(fs: AsyncMemFs) -> MemFs {
        fs.into_std()
    }
}
