//! The filesystem operations of [`AsyncMemFs`], each the async twin of a [`MemFs`] method.

use std::collections::BTreeMap;
use std::io;

use super::AsyncMemFs;
use crate::fs::MemFs;
use crate::metadata::{DirEntry, Metadata, ReadDir, Stats};

impl AsyncMemFs {
    /// Runs a one-path operation (see [`run`](Self::run)); the blocking job owns a copy of
    /// the path, made only if it is needed.
    async fn on_path<T: Send + 'static>(
        &self,
        path: &str,
        op: fn(&MemFs, &str) -> io::Result<T>,
    ) -> io::Result<T> {
        self.run(
            |fs| op(fs, path),
            || {
                let path = path.to_owned();
                move |fs: &MemFs| op(fs, &path)
            },
        )
        .await
    }

    /// Runs a two-path operation, like [`on_path`](Self::on_path).
    async fn on_pair<T: Send + 'static>(
        &self,
        from: &str,
        to: &str,
        op: fn(&MemFs, &str, &str) -> io::Result<T>,
    ) -> io::Result<T> {
        self.run(
            |fs| op(fs, from, to),
            || {
                let (from, to) = (from.to_owned(), to.to_owned());
                move |fs: &MemFs| op(fs, &from, &to)
            },
        )
        .await
    }

    /// Reads a whole file into a new vector, waiting for a writer without blocking the runtime.
    ///
    /// This corresponds to `tokio::fs::read`.
    ///
    /// # Errors
    /// As [`MemFs::read`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/a.bin", [1, 2, 3]).await?;
    /// assert_eq!(fs.read("/a.bin").await?, [1, 2, 3]);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn read(&self, path: impl AsRef<str>) -> io::Result<Vec<u8>> {
        self.on_path(path.as_ref(), |fs, p| fs.read(p)).await
    }

    /// Reads a whole file into a string.
    ///
    /// This corresponds to `tokio::fs::read_to_string`.
    ///
    /// # Errors
    /// As [`MemFs::read_to_string`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/hello.txt", "héllo").await?;
    /// assert_eq!(fs.read_to_string("/hello.txt").await?, "héllo");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn read_to_string(&self, path: impl AsRef<str>) -> io::Result<String> {
        self.on_path(path.as_ref(), |fs, p| fs.read_to_string(p))
            .await
    }

    /// Writes `contents` as the whole file, creating it or replacing what it held; atomic
    /// under the quota like [`MemFs::write`].
    ///
    /// This corresponds to `tokio::fs::write`. The contents are copied only if the file's
    /// lock is contended and the write has to wait on the blocking pool.
    ///
    /// # Errors
    /// As [`MemFs::write`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::new(dmemfs_core::MemFs::with_quota(4));
    /// fs.write("/a", "1234").await?;
    /// let err = fs.write("/b", "5").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn write(&self, path: impl AsRef<str>, contents: impl AsRef<[u8]>) -> io::Result<()> {
        self.put(path.as_ref(), contents.as_ref(), |fs, p, c| fs.write(p, c))
            .await
    }

    /// Appends `contents` to a file, creating it if missing, in one atomic write.
    ///
    /// There is no `tokio::fs::append`; this is [`MemFs::append`].
    ///
    /// # Errors
    /// As [`MemFs::append`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.append("/log", "a\n").await?;
    /// fs.append("/log", "b\n").await?;
    /// assert_eq!(fs.read_to_string("/log").await?, "a\nb\n");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn append(
        &self,
        path: impl AsRef<str>,
        contents: impl AsRef<[u8]>,
    ) -> io::Result<()> {
        self.put(path.as_ref(), contents.as_ref(), |fs, p, c| fs.append(p, c))
            .await
    }

    async fn put(
        &self,
        path: &str,
        contents: &[u8],
        op: fn(&MemFs, &str, &[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        self.run(
            |fs| op(fs, path, contents),
            || {
                let (path, contents) = (path.to_owned(), contents.to_vec());
                move |fs: &MemFs| op(fs, &path, &contents)
            },
        )
        .await
    }

    /// Copies a file's contents to another file, creating or replacing it; returns the
    /// number of bytes copied.
    ///
    /// This corresponds to `tokio::fs::copy`, atomic like [`MemFs::copy`].
    ///
    /// # Errors
    /// As [`MemFs::copy`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/a.txt", "data").await?;
    /// assert_eq!(fs.copy("/a.txt", "/b.txt").await?, 4);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn copy(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<u64> {
        self.on_pair(from.as_ref(), to.as_ref(), |fs, f, t| fs.copy(f, t))
            .await
    }

    /// Copies a directory tree to a new path, all or nothing.
    ///
    /// There is no `tokio::fs::copy_dir_all`; this is [`MemFs::copy_dir_all`].
    ///
    /// # Errors
    /// As [`MemFs::copy_dir_all`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir_all("/src/sub").await?;
    /// fs.write("/src/sub/a.txt", "a").await?;
    /// fs.copy_dir_all("/src", "/backup").await?;
    /// assert_eq!(fs.read("/backup/sub/a.txt").await?, b"a");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn copy_dir_all(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<()> {
        self.on_pair(from.as_ref(), to.as_ref(), |fs, f, t| fs.copy_dir_all(f, t))
            .await
    }

    /// Renames a file or directory, replacing the destination as `rename` does on Linux.
    ///
    /// This corresponds to `tokio::fs::rename`.
    ///
    /// # Errors
    /// As [`MemFs::rename`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/draft.txt", "v2").await?;
    /// fs.rename("/draft.txt", "/final.txt").await?;
    /// assert!(fs.exists("/final.txt").await && !fs.exists("/draft.txt").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn rename(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<()> {
        self.on_pair(from.as_ref(), to.as_ref(), |fs, f, t| fs.rename(f, t))
            .await
    }

    /// Moves a file or directory, creating the destination's parents, never replacing.
    ///
    /// This is [`MemFs::move_path`] (D-MemFS's `move`).
    ///
    /// # Errors
    /// As [`MemFs::move_path`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/mail.eml", "hi").await?;
    /// fs.move_path("/mail.eml", "/archive/2026/mail.eml").await?;
    /// assert!(fs.is_file("/archive/2026/mail.eml").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn move_path(&self, from: impl AsRef<str>, to: impl AsRef<str>) -> io::Result<()> {
        self.on_pair(from.as_ref(), to.as_ref(), |fs, f, t| fs.move_path(f, t))
            .await
    }

    /// Creates one directory; its parent must exist.
    ///
    /// This corresponds to `tokio::fs::create_dir`.
    ///
    /// # Errors
    /// As [`MemFs::create_dir`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir("/a").await?;
    /// let err = fs.create_dir("/a").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn create_dir(&self, path: impl AsRef<str>) -> io::Result<()> {
        self.on_path(path.as_ref(), |fs, p| fs.create_dir(p)).await
    }

    /// Creates a directory and any missing parents, all or nothing.
    ///
    /// This corresponds to `tokio::fs::create_dir_all`.
    ///
    /// # Errors
    /// As [`MemFs::create_dir_all`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir_all("/a/b/c").await?;
    /// assert!(fs.is_dir("/a/b").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn create_dir_all(&self, path: impl AsRef<str>) -> io::Result<()> {
        self.on_path(path.as_ref(), |fs, p| fs.create_dir_all(p))
            .await
    }

    /// Removes a file that no handle has open.
    ///
    /// This corresponds to `tokio::fs::remove_file`.
    ///
    /// # Errors
    /// As [`MemFs::remove_file`] (`ResourceBusy` while the file is open).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/a", "x").await?;
    /// fs.remove_file("/a").await?;
    /// assert!(!fs.exists("/a").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn remove_file(&self, path: impl AsRef<str>) -> io::Result<()> {
        self.on_path(path.as_ref(), |fs, p| fs.remove_file(p)).await
    }

    /// Removes an empty directory.
    ///
    /// This corresponds to `tokio::fs::remove_dir`.
    ///
    /// # Errors
    /// As [`MemFs::remove_dir`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir("/d").await?;
    /// fs.remove_dir("/d").await?;
    /// assert!(!fs.exists("/d").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn remove_dir(&self, path: impl AsRef<str>) -> io::Result<()> {
        self.on_path(path.as_ref(), |fs, p| fs.remove_dir(p)).await
    }

    /// Removes a directory and everything below it.
    ///
    /// This corresponds to `tokio::fs::remove_dir_all`.
    ///
    /// # Errors
    /// As [`MemFs::remove_dir_all`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir_all("/d/e").await?;
    /// fs.remove_dir_all("/d").await?;
    /// assert!(!fs.exists("/d").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn remove_dir_all(&self, path: impl AsRef<str>) -> io::Result<()> {
        self.on_path(path.as_ref(), |fs, p| fs.remove_dir_all(p))
            .await
    }

    /// The metadata of a file or directory. It never waits for a lock.
    ///
    /// This corresponds to `tokio::fs::metadata`.
    ///
    /// # Errors
    /// As [`MemFs::metadata`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/a.txt", "hello").await?;
    /// assert_eq!(fs.metadata("/a.txt").await?.len(), 5);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn metadata(&self, path: impl AsRef<str>) -> io::Result<Metadata> {
        self.on_path(path.as_ref(), |fs, p| fs.metadata(p)).await
    }

    /// Lists a directory, sorted by name: a snapshot, so iterating it needs no `.await`.
    ///
    /// This corresponds to `tokio::fs::read_dir`, returning the synchronous [`ReadDir`].
    ///
    /// # Errors
    /// As [`MemFs::read_dir`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/b.txt", "").await?;
    /// fs.create_dir("/a").await?;
    /// let names: Vec<String> = fs
    ///     .read_dir("/")
    ///     .await?
    ///     .map(|e| e.map(|e| e.file_name().to_owned()))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(names, ["a", "b.txt"]);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn read_dir(&self, path: impl AsRef<str>) -> io::Result<ReadDir> {
        self.on_path(path.as_ref(), |fs, p| fs.read_dir(p)).await
    }

    /// Every entry of the directory tree at `path`, in pre-order with names sorted, the
    /// directory itself first. For pruning or a depth bound, use
    /// [`as_std().walk`](MemFs::walk), which never waits either.
    ///
    /// # Errors
    /// As [`MemFs::walk`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir_all("/a/b").await?;
    /// fs.write("/a/b/c.txt", "").await?;
    /// let paths: Vec<String> = fs.walk("/a").await?.iter().map(|e| e.path().to_owned()).collect();
    /// assert_eq!(paths, ["/a", "/a/b", "/a/b/c.txt"]);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn walk(&self, path: impl AsRef<str>) -> io::Result<Vec<DirEntry>> {
        self.on_path(path.as_ref(), |fs, p| fs.walk(p)?.collect())
            .await
    }

    /// The paths matching a glob pattern, sorted.
    ///
    /// # Errors
    /// As [`MemFs::glob`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.create_dir("/src").await?;
    /// fs.write("/src/lib.rs", "").await?;
    /// fs.write("/src/notes.md", "").await?;
    /// assert_eq!(fs.glob("/src/*.rs").await?, ["/src/lib.rs"]);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn glob(&self, pattern: impl AsRef<str>) -> io::Result<Vec<String>> {
        self.on_path(pattern.as_ref(), |fs, p| fs.glob(p)).await
    }

    /// Every file at or below `prefix` with its contents; waits for writers without blocking
    /// the runtime.
    ///
    /// # Errors
    /// As [`MemFs::export_tree`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/a.txt", "a").await?;
    /// assert_eq!(fs.export_tree("/").await?["/a.txt"], b"a");
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn export_tree(
        &self,
        prefix: impl AsRef<str>,
    ) -> io::Result<BTreeMap<String, Vec<u8>>> {
        self.on_path(prefix.as_ref(), |fs, p| fs.export_tree(p))
            .await
    }

    /// Whether `path` names a file or directory; invalid paths give `false`.
    ///
    /// This corresponds to `tokio::fs::try_exists`, without the error case.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// assert!(fs.exists("/").await && !fs.exists("/nope").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn exists(&self, path: impl AsRef<str>) -> bool {
        self.fs.exists(path)
    }

    /// Whether `path` names a file; invalid paths give `false`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// fs.write("/f", "").await?;
    /// assert!(fs.is_file("/f").await && !fs.is_file("/").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn is_file(&self, path: impl AsRef<str>) -> bool {
        self.fs.is_file(path)
    }

    /// Whether `path` names a directory; invalid paths give `false`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let fs = dmemfs_core::AsyncMemFs::default();
    /// assert!(fs.is_dir("/").await);
    /// # Ok::<(), std::io::Error>(()) })?; Ok::<(), std::io::Error>(())
    /// ```
    pub async fn is_dir(&self, path: impl AsRef<str>) -> bool {
        self.fs.is_dir(path)
    }

    /// Usage figures, as [`MemFs::stats`]. Not `async`: it reads counters and never waits.
    ///
    /// ```
    /// let fs = dmemfs_core::AsyncMemFs::new(dmemfs_core::MemFs::with_quota(100));
    /// assert_eq!(fs.stats().free, 100);
    /// ```
    pub fn stats(&self) -> Stats {
        self.fs.stats()
    }
}
