//! [`Walk`]: a pre-order traversal with children sorted by name, and pruning.

use std::io;
use std::sync::Arc;

use super::{Inner, MemFs};
use crate::engine::Node;
use crate::error::{Op, fail};
use crate::metadata::{DirEntry, Metadata};
use crate::walk::{ListDir, Listed, WalkDriver};

/// An iterator over a directory tree, from [`MemFs::walk`].
///
/// Entries come in pre-order (a directory before its contents), children sorted by name,
/// starting with the walked directory itself at depth 0. Like `walkdir`, a subtree can be
/// skipped with [`skip_current_dir`](Walk::skip_current_dir), and the depth bounded with
/// [`max_depth`](Walk::max_depth).
///
/// The walk is weakly consistent: each directory is listed when the walk reaches it, so
/// changes made meanwhile may or may not be seen; a directory removed before it is reached is
/// skipped. It never fails once started (items are `io::Result` for symmetry with walks over
/// real filesystems).
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// fs.create_dir_all("/a/b")?;
/// fs.write("/a/b/c.txt", "")?;
/// let paths: Vec<String> = fs.walk("/a")?.map(|e| e.map(|e| e.path().to_owned())).collect::<Result<_, _>>()?;
/// assert_eq!(paths, ["/a", "/a/b", "/a/b/c.txt"]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Walk {
    driver: WalkDriver<Listing>,
    /// Walking through a link: (the directory walked, the path given), so that entries are
    /// named under the path given.
    alias: Option<(String, String)>,
}

/// How a `MemFs`'s walk lists a directory: from the tree as it is when the walk reaches it.
#[derive(Debug)]
struct Listing(Arc<Inner>);

impl ListDir for Listing {
    fn list(&self, dir: &str, depth: usize) -> io::Result<Vec<Listed>> {
        let tree = self.0.tree.read();
        // A directory removed since it was yielded has nothing left to walk.
        let listed = super::dirs::list(&tree, dir, depth).unwrap_or_default();
        Ok(listed.into_iter().map(Listed::new).collect())
    }
}

impl MemFs {
    /// Walks the directory `path` and everything below it.
    ///
    /// The D-MemFS equivalent is `walk`; unlike it, errors are reported by this call rather
    /// than on the first iteration, and pruning works.
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (a file), `InvalidInput` (invalid path).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/src/target/debug")?;
    /// fs.write("/src/main.rs", "fn main() {}")?;
    /// fs.write("/src/target/debug/app", "")?;
    ///
    /// let mut walk = fs.walk("/src")?;
    /// let mut seen = Vec::new();
    /// while let Some(entry) = walk.next() {
    ///     let entry = entry?;
    ///     if entry.file_name() == "target" {
    ///         walk.skip_current_dir(); // do not descend into build output
    ///     }
    ///     seen.push(entry.path().to_owned());
    /// }
    /// assert_eq!(seen, ["/src", "/src/main.rs", "/src/target"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn walk(&self, path: impl AsRef<str>) -> io::Result<Walk> {
        let raw = path.as_ref();
        let given = self.normalize(Op::Walk, raw)?;
        let path = self
            .resolve_normalized(given.clone(), true)
            .map_err(|r| fail(Op::Walk, raw, r))?;
        self.intercept(Op::Walk, &path, None, None)
            .map_err(|r| fail(Op::Walk, raw, r))?;
        let tree = self.inner.tree.read();
        let metadata = match tree.get(&path) {
            Some(node @ Node::Dir(_)) => Metadata::of(node),
            Some(Node::File(_) | Node::Symlink(_)) => {
                return Err(fail(Op::Walk, raw, crate::error::Reason::NotADirectory));
            }
            None => return Err(fail(Op::Walk, raw, tree.miss(&path).into_reason())),
        };
        let alias = (given != path).then(|| (path.to_string(), given.into_owned()));
        let root = DirEntry::new(path.into_owned(), metadata, 0);
        Ok(Walk {
            driver: WalkDriver::new(Listing(Arc::clone(&self.inner)), root),
            alias,
        })
    }
}

impl Walk {
    /// Descends at most `depth` levels below the walked directory (0 yields only itself).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/b/c")?;
    /// assert_eq!(fs.walk("/")?.max_depth(1).count(), 2); // "/" and "/a"
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_depth(mut self, depth: usize) -> Walk {
        self.driver.set_max_depth(depth);
        self
    }

    /// Skips the rest of the current directory: if the last entry yielded was a directory,
    /// its contents; otherwise the remaining entries of the directory that holds it.
    ///
    /// This corresponds to `walkdir::IntoIter::skip_current_dir`.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/a/skip")?;
    /// fs.write("/a/skip/x", "")?;
    /// fs.write("/a/z", "")?;
    /// let mut walk = fs.walk("/a")?;
    /// let mut paths = Vec::new();
    /// while let Some(entry) = walk.next() {
    ///     let entry = entry?;
    ///     if entry.path() == "/a/skip" {
    ///         walk.skip_current_dir();
    ///     }
    ///     paths.push(entry.path().to_owned());
    /// }
    /// assert_eq!(paths, ["/a", "/a/skip", "/a/z"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn skip_current_dir(&mut self) {
        self.driver.skip_current_dir();
    }
}

impl Walk {
    /// The entry as the caller sees it: under the path given, when that was a link.
    fn shown(&self, mut entry: DirEntry) -> DirEntry {
        if let Some((walked, given)) = &self.alias {
            entry.rebase(walked, given);
        }
        entry
    }
}

impl Iterator for Walk {
    type Item = io::Result<DirEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.driver.next()?;
        Some(entry.map(|entry| self.shown(entry)))
    }
}
