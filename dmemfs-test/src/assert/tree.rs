//! Support for `assert_tree_snapshot!` and `assert_tree_eq!`.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use dmemfs_core::MemFs;

use crate::session::{count_snapshot, owning_test};
use crate::tree::{RenderOptions, Tree};

/// Something a tree can be read from, for [`assert_tree_eq!`](crate::assert_tree_eq): a
/// [`MemFs`] (its whole tree), `(&MemFs, "/subdir")`, a host directory (`Path`, `PathBuf`),
/// or a [`Tree`].
///
/// ```
/// use dmemfs_test::{MemFs, TreeSource};
/// let fs = MemFs::new();
/// fs.write("/a", "x")?;
/// assert_eq!(fs.read_tree()?.len(), 1);
/// assert_eq!((&fs, "/").read_tree()?.len(), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait TreeSource {
    /// Reads the tree.
    ///
    /// # Errors
    /// Whatever reading the files gives.
    fn read_tree(&self) -> io::Result<Tree>;
}

impl TreeSource for MemFs {
    fn read_tree(&self) -> io::Result<Tree> {
        Tree::from_memfs(self, "/")
    }
}

impl TreeSource for (&MemFs, &str) {
    fn read_tree(&self) -> io::Result<Tree> {
        Tree::from_memfs(self.0, self.1)
    }
}

impl TreeSource for Path {
    fn read_tree(&self) -> io::Result<Tree> {
        Tree::from_host(self)
    }
}

impl TreeSource for PathBuf {
    fn read_tree(&self) -> io::Result<Tree> {
        Tree::from_host(self)
    }
}

impl TreeSource for Tree {
    fn read_tree(&self) -> io::Result<Tree> {
        Ok(self.clone())
    }
}

impl<T: TreeSource + ?Sized> TreeSource for &T {
    fn read_tree(&self) -> io::Result<Tree> {
        (**self).read_tree()
    }
}

/// Reads a tree for `assert_tree_eq!`, panicking with the expression that failed.
#[track_caller]
pub fn read_or_panic(source: &dyn TreeSource, what: &str) -> Tree {
    match source.read_tree() {
        Ok(tree) => tree,
        Err(err) => panic!("cannot read the tree of `{what}`: {err}"),
    }
}

/// Renders for a snapshot, panicking with a clear message if the tree cannot be read.
#[track_caller]
pub fn render_snapshot(fs: &MemFs, root: &str, options: &RenderOptions) -> String {
    match options.render(fs, root) {
        Ok(text) => text,
        Err(err) => panic!("assert_tree_snapshot!: cannot read `{root}`: {err}"),
    }
}

/// A snapshot name unique per test *case* (insta alone names rstest cases after their
/// function, insta#357):
/// - for a `#[with_memfs]` filesystem, the path of the test that owns it, as libtest named
///   its thread when the test started (so snapshots taken on other threads, or in helpers of
///   other modules, still get their test's name);
/// - for another filesystem, the current thread's name, if it names a test of the calling
///   module;
/// - otherwise `None`: insta's own naming.
///
/// The path is made relative to the calling module when it lies in it; later snapshots of the
/// same test get `-2`, `-3`, ...
pub fn snapshot_name(module_path: &str, fs: &MemFs) -> Option<String> {
    let module = module_path.split_once("::").map_or("", |(_, rest)| rest);
    let test = match owning_test(fs) {
        Some(path) => path,
        None => {
            let thread = std::thread::current();
            let name = thread.name()?;
            if module.is_empty() || !name.starts_with(&format!("{module}::")) {
                return None;
            }
            name.to_owned()
        }
    };
    let relative = test
        .strip_prefix(module)
        .and_then(|rest| rest.strip_prefix("::"))
        .filter(|_| !module.is_empty())
        .unwrap_or(&test);
    let base = relative.replace("::", "-");
    let count = count_snapshot(&test);
    Some(if count == 1 {
        base
    } else {
        format!("{base}-{count}")
    })
}

/// Compares two trees; on a difference, panics with the differing paths and a unified diff of
/// their renderings.
#[track_caller]
pub fn assert_trees_equal(left: &Tree, right: &Tree, left_expr: &str, right_expr: &str) {
    if left.entries == right.entries {
        return;
    }
    let options = RenderOptions::new()
        .max_text_bytes(64 * 1024)
        .hex_preview_bytes(64);
    // The header names both roots; the diff compares what is below them.
    let relabeled = |tree: &Tree| Tree {
        label: ".".to_owned(),
        ..tree.clone()
    };
    let left_text = options.render_tree(&relabeled(left));
    let right_text = options.render_tree(&relabeled(right));
    let mut message = format!(
        "assert_tree_eq!({left_expr}, {right_expr}) failed\n  left:  {}\n  right: {}\n",
        left.label(),
        right.label()
    );
    for path in left
        .entries
        .keys()
        .filter(|p| !right.entries.contains_key(*p))
    {
        let _ = writeln!(message, "  only left:  {path}");
    }
    for path in right
        .entries
        .keys()
        .filter(|p| !left.entries.contains_key(*p))
    {
        let _ = writeln!(message, "  only right: {path}");
    }
    for (path, node) in &left.entries {
        match right.entries.get(path) {
            Some(other) if other != node => {
                let _ = writeln!(message, "  differs:    {path}");
            }
            _ => {}
        }
    }
    let diff = similar::TextDiff::from_lines(&left_text, &right_text);
    let _ = write!(
        message,
        "\n{}",
        diff.unified_diff()
            .context_radius(3)
            .header("left", "right")
    );
    panic!("{message}");
}
