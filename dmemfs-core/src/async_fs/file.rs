//! [`AsyncMemFile`], an open file for async code, and [`AsyncOpenOptions`].

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

use super::AsyncMemFs;
use crate::file::{MemFile, OpenOptions};
use crate::fs::MemFs;
use crate::metadata::Metadata;

impl AsyncMemFs {
    /// Opens a file for reading, waiting for a writer without blocking the runtime.
    ///
    /// This corresponds to `tokio::fs::File::open`.
    ///
    /// # Errors
    /// As [`MemFs::open`].
    ///
    /// ```
    /// use tokio::io::AsyncReadExt;
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/a.txt", "text").await?;
    /// let mut s = String::new();
    /// fs.open("/a.txt").await?.read_to_string(&mut s).await?;
    /// assert_eq!(s, "text");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn open(&self, path: impl AsRef<str>) -> io::Result<AsyncMemFile> {
        self.options().read(true).open(path).await
    }

    /// Opens a file for writing, creating it or truncating it.
    ///
    /// This corresponds to `tokio::fs::File::create`.
    ///
    /// # Errors
    /// As [`MemFs::create`].
    ///
    /// ```
    /// use tokio::io::AsyncWriteExt;
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create("/a.txt").await?.write_all(b"new").await?;
    /// assert_eq!(fs.read("/a.txt").await?, b"new");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn create(&self, path: impl AsRef<str>) -> io::Result<AsyncMemFile> {
        self.options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Options to open a file with, all off to start with.
    ///
    /// This corresponds to `tokio::fs::OpenOptions::new`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// let file = fs.options().append(true).create(true).open("/app.log").await?;
    /// assert_eq!(file.path(), "/app.log");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub fn options(&self) -> AsyncOpenOptions {
        AsyncOpenOptions {
            fs: self.clone(),
            options: self.fs.options(),
        }
    }
}

/// Options for opening a file, from [`AsyncMemFs::options`].
///
/// This corresponds to `tokio::fs::OpenOptions`; the flags and their rules are those of
/// [`OpenOptions`].
///
/// ```
/// use std::time::Duration;
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let fs = dmemfs_core::AsyncMemFs::default();
/// let _writer = fs.create("/busy").await?;
/// let err = fs
///     .options()
///     .read(true)
///     .lock_timeout(Some(Duration::from_millis(10)))
///     .open("/busy")
///     .await
///     .unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
/// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "options do nothing until `open` is called"]
pub struct AsyncOpenOptions {
    fs: AsyncMemFs,
    options: OpenOptions,
}

impl AsyncOpenOptions {
    /// Allow reading; see [`OpenOptions::read`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// let mut options = fs.options();
    /// options.read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.options.read(read);
        self
    }

    /// Allow writing; see [`OpenOptions::write`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.options().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.options.write(write);
        self
    }

    /// Write at the end of the file; see [`OpenOptions::append`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.options().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut Self {
        self.options.append(append);
        self
    }

    /// Truncate an existing file on open; see [`OpenOptions::truncate`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.options().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.options.truncate(truncate);
        self
    }

    /// Create the file if it does not exist; see [`OpenOptions::create`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.options().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.options.create(create);
        self
    }

    /// Create the file, failing if anything is at the path; see
    /// [`OpenOptions::create_new`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.options().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut Self {
        self.options.create_new(create_new);
        self
    }

    /// Make the file at least `len` bytes long on open; see [`OpenOptions::preallocate`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.options().write(true).create(true).preallocate(4096);
    /// ```
    pub fn preallocate(&mut self, len: u64) -> &mut Self {
        self.options.preallocate(len);
        self
    }

    /// How long to wait for the file's lock (on the blocking pool, never on a worker); see
    /// [`OpenOptions::lock_timeout`].
    ///
    /// ```
    /// # let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.options().read(true).lock_timeout(Some(std::time::Duration::from_secs(1)));
    /// ```
    pub fn lock_timeout(&mut self, timeout: Option<Duration>) -> &mut Self {
        self.options.lock_timeout(timeout);
        self
    }

    /// Opens the file at `path` with these options.
    ///
    /// This corresponds to `tokio::fs::OpenOptions::open`. The lock is tried once on the
    /// calling thread; if other handles hold it, the open waits on the blocking pool.
    ///
    /// # Errors
    /// As [`OpenOptions::open`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// let err = fs.options().read(true).truncate(true).open("/a").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn open(&self, path: impl AsRef<str>) -> io::Result<AsyncMemFile> {
        let (options, path) = (&self.options, path.as_ref());
        self.fs
            .run(
                |fs| options.open_through(fs, path),
                || {
                    let (options, path) = (options.clone(), path.to_owned());
                    move |_: &MemFs| options.open(&path)
                },
            )
            .await
            .map(AsyncMemFile::from_std)
    }
}

/// An open file for async code: it implements Tokio's [`AsyncRead`], [`AsyncWrite`] and
/// [`AsyncSeek`].
///
/// This corresponds to `tokio::fs::File`. It is a [`MemFile`] underneath, with the same
/// lock held from open to drop: once a handle is open, reads, writes and seeks are memory
/// copies, so each `poll_*` completes at once and never waits. Writes reach the file when the
/// call returns; `flush` and
/// `shutdown` have nothing to do.
///
/// Calls on a handle run on the task's thread, including a fault injector's
/// [`Delay`](crate::fault::Verdict::Delay) for them.
///
/// ```
/// use std::io::SeekFrom;
/// use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let fs = dmemfs_core::AsyncMemFs::default();
/// let mut file = fs.options().read(true).write(true).create(true).open("/data.bin").await?;
/// file.write_all(b"hello world").await?;
/// file.seek(SeekFrom::Start(6)).await?;
/// let mut word = String::new();
/// file.read_to_string(&mut word).await?;
/// assert_eq!(word, "world");
/// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct AsyncMemFile {
    file: MemFile,
    /// The outcome of the seek started by `start_seek`, reported by `poll_complete`.
    seek: Option<io::Result<u64>>,
}

impl AsyncMemFile {
    /// Wraps an open [`MemFile`].
    ///
    /// This corresponds to `tokio::fs::File::from_std`.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// let file = dmemfs_core::AsyncMemFile::from_std(fs.create("/a")?);
    /// assert_eq!(file.path(), "/a");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(file: MemFile) -> AsyncMemFile {
        AsyncMemFile { file, seek: None }
    }

    /// The [`MemFile`] underneath, for positional reads and writes
    /// ([`read_at`](MemFile::read_at), [`write_at`](MemFile::write_at)), which never wait.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// let file = fs.create("/a").await?;
    /// file.as_std().write_at(b"xy", 2)?;
    /// assert_eq!(file.metadata().await?.len(), 4);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_std(&self) -> &MemFile {
        &self.file
    }

    /// Unwraps the [`MemFile`]; the file stays open.
    ///
    /// This corresponds to `tokio::fs::File::into_std`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// let file: dmemfs_core::MemFile = fs.create("/a").await?.into_std();
    /// assert_eq!(file.path(), "/a");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> MemFile {
        self.file
    }

    /// The file's normalised virtual path.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir("/logs").await?;
    /// assert_eq!(fs.create("logs//today.txt/").await?.path(), "/logs/today.txt");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &str {
        self.file.path()
    }

    /// The file's current metadata.
    ///
    /// This corresponds to `tokio::fs::File::metadata`.
    ///
    /// # Errors
    /// As [`MemFile::metadata`].
    ///
    /// ```
    /// use tokio::io::AsyncWriteExt;
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// let mut file = fs.create("/a").await?;
    /// file.write_all(b"abc").await?;
    /// assert_eq!(file.metadata().await?.len(), 3);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        self.file.metadata()
    }

    /// Truncates or extends the file to `size` bytes, charging any extension to the quota.
    ///
    /// This corresponds to `tokio::fs::File::set_len`.
    ///
    /// # Errors
    /// As [`MemFile::set_len`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::new(dmemfs_core::MemFs::with_quota(8));
    /// let file = fs.create("/a").await?;
    /// file.set_len(8).await?;
    /// let err = file.set_len(9).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.file.set_len(size)
    }

    /// Does nothing: contents live in memory and are always up to date.
    ///
    /// This corresponds to `tokio::fs::File::sync_all`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create("/a").await?.sync_all().await?;
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn sync_all(&self) -> io::Result<()> {
        self.file.sync_all()
    }

    /// Does nothing, like [`sync_all`](Self::sync_all).
    ///
    /// This corresponds to `tokio::fs::File::sync_data`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create("/a").await?.sync_data().await?;
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn sync_data(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

impl From<MemFile> for AsyncMemFile {
    fn from(file: MemFile) -> AsyncMemFile {
        AsyncMemFile::from_std(file)
    }
}

impl AsyncRead for AsyncMemFile {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = (&self.file).read(buf.initialize_unfilled())?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for AsyncMemFile {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready((&self.file).write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for AsyncMemFile {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        this.seek = Some((&this.file).seek(position));
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        Poll::Ready(match this.seek.take() {
            Some(outcome) => outcome,
            None => (&this.file).stream_position(),
        })
    }
}
