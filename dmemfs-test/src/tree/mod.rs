//! A file tree read into memory from a [`MemFs`] or a host directory, to render, snapshot and
//! compare.

mod render;
mod snapshot;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use dmemfs_core::MemFs;

pub use render::RenderOptions;
pub use snapshot::{TreeEntry, TreeSnapshot};

/// A tree of directories and files with their contents, keyed by path relative to its root
/// (`"a/b.txt"`; the root itself is not an entry).
///
/// ```
/// use dmemfs_test::{MemFs, Tree};
///
/// let fs = MemFs::new();
/// fs.create_dir_all("/out/logs")?;
/// fs.write("/out/logs/run.log", "ok\n")?;
/// let tree = Tree::from_memfs(&fs, "/out")?;
/// assert_eq!(tree.files().count(), 1);
/// assert_eq!(tree.file("logs/run.log"), Some(&b"ok\n"[..]));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub(crate) label: String,
    pub(crate) entries: BTreeMap<String, Node>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Dir,
    File(Vec<u8>),
    /// A symbolic link and its target (never followed).
    Symlink(String),
}

impl Tree {
    /// Reads the tree at `root` (a directory, or a single file) of a filesystem.
    ///
    /// # Errors
    /// `NotFound` if `root` does not exist, and read errors (a file held by a writer beyond
    /// the lock timeout is `WouldBlock`: drop the handle before reading the tree).
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/a.txt", "a")?;
    /// assert_eq!(dmemfs_test::Tree::from_memfs(&fs, "/")?.len(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_memfs(fs: &MemFs, root: &str) -> io::Result<Tree> {
        // Reading for inspection: faults a test armed must not get in the way.
        let fs = &fs.without_faults();
        let mut entries = BTreeMap::new();
        let meta = fs.metadata(root)?;
        let label = if root.is_empty() {
            "/".to_owned()
        } else {
            root.to_owned()
        };
        if meta.is_file() {
            let name = root.rsplit(['/', '\\']).next().unwrap_or(root).to_owned();
            entries.insert(name, Node::File(fs.peek(root)?));
            return Ok(Tree { label, entries });
        }
        let mut walk = fs.walk(root)?;
        let base = walk
            .next()
            .transpose()?
            .map(|e| e.path().to_owned())
            .unwrap_or_default();
        for entry in walk {
            let entry = entry?;
            let relative = relative_to(entry.path(), &base);
            let node = if entry.file_type().is_dir() {
                Node::Dir
            } else if entry.file_type().is_symlink() {
                match fs.read_link(entry.path()) {
                    Ok(target) => Node::Symlink(target),
                    Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                    Err(err) => return Err(err),
                }
            } else {
                match fs.peek(entry.path()) {
                    Ok(contents) => Node::File(contents),
                    Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                    Err(err) => return Err(err),
                }
            };
            entries.insert(relative, node);
        }
        Ok(Tree { label, entries })
    }

    /// Reads a host directory tree. Symbolic links are refused, as in
    /// [`MemFs::import_from_dir`].
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("x.txt"), "x")?;
    /// let tree = dmemfs_test::Tree::from_host(dir.path())?;
    /// assert_eq!(tree.file("x.txt"), Some(&b"x"[..]));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_host(dir: &Path) -> io::Result<Tree> {
        let mut entries = BTreeMap::new();
        read_host(dir, &mut entries)?;
        // The directory's name, not its absolute path: renderings stay the same on every
        // machine.
        let label = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        Ok(Tree { label, entries })
    }

    /// The number of entries (files and directories below the root).
    ///
    /// ```
    /// assert!(dmemfs_test::Tree::default().is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the tree has no entries.
    ///
    /// ```
    /// assert_eq!(dmemfs_test::Tree::default().len(), 0);
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The contents of the file at `path` (relative to the root), if it is one.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/a", "1")?;
    /// let tree = dmemfs_test::Tree::from_memfs(&fs, "/")?;
    /// assert_eq!(tree.file("a"), Some(&b"1"[..]));
    /// assert_eq!(tree.file("b"), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        match self.entries.get(path.trim_start_matches('/'))? {
            Node::File(contents) => Some(contents),
            Node::Dir | Node::Symlink(_) => None,
        }
    }

    /// The files, sorted by path, with their contents.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/b", "")?;
    /// fs.write("/a", "")?;
    /// let tree = dmemfs_test::Tree::from_memfs(&fs, "/")?;
    /// assert_eq!(tree.files().map(|(p, _)| p).collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().filter_map(|(path, node)| match node {
            Node::File(contents) => Some((path.as_str(), contents.as_slice())),
            Node::Dir | Node::Symlink(_) => None,
        })
    }

    /// Renders the tree as text with the default [`RenderOptions`].
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/hello.txt", "hi\n")?;
    /// let text = dmemfs_test::Tree::from_memfs(&fs, "/")?.render();
    /// assert_eq!(text, "/\n└── hello.txt (3 bytes)\n        hi\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn render(&self) -> String {
        RenderOptions::default().render_tree(self)
    }

    /// Where the tree was read from, as shown in renderings and diffs.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// assert_eq!(dmemfs_test::Tree::from_memfs(&fs, "/")?.label(), "/");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn label(&self) -> &str {
        &self.label
    }
}

fn relative_to(path: &str, base: &str) -> String {
    let rest = if base == "/" {
        path
    } else {
        path.strip_prefix(base).unwrap_or(path)
    };
    rest.trim_start_matches('/').to_owned()
}

/// Reads the host tree below `root` into `entries`, keyed by path relative to it. Iterative,
/// with a stack of directories still to list: a recursion per level would overflow a test
/// thread's stack some 650 levels down. Errors name the host path.
fn read_host(root: &Path, entries: &mut BTreeMap<String, Node>) -> io::Result<()> {
    let mut pending: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let mut children: Vec<(String, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| host_error(&dir, "listing", e))? {
            let entry = entry.map_err(|e| host_error(&dir, "listing", e))?;
            let name = entry.file_name().into_string().map_err(|name| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: file name {name:?} is not UTF-8", dir.display()),
                )
            })?;
            children.push((name, entry.path()));
        }
        children.sort();
        for (name, path) in children {
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = std::fs::symlink_metadata(&path)
                .map_err(|e| host_error(&path, "reading metadata of", e))?
                .file_type();
            if kind.is_symlink() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{}: symbolic links are not supported", path.display()),
                ));
            } else if kind.is_dir() {
                entries.insert(relative.clone(), Node::Dir);
                pending.push((path, relative));
            } else if kind.is_file() {
                let contents = std::fs::read(&path).map_err(|e| host_error(&path, "reading", e))?;
                entries.insert(relative, Node::File(contents));
            } else {
                // A FIFO would block the test forever; a device might never end.
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{}: not a regular file or directory", path.display()),
                ));
            }
        }
    }
    Ok(())
}

/// A host error with the path and what was being done, keeping the original as its source.
fn host_error(path: &Path, doing: &str, err: io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        HostError {
            message: format!("{doing} {}", path.display()),
            source: err,
        },
    )
}

#[derive(Debug)]
struct HostError {
    message: String,
    source: io::Error,
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.message, self.source)
    }
}

impl std::error::Error for HostError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
