//! Support for `assert_tree_snapshot!` and `assert_tree_eq!`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use dmemfs_core::MemFs;

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
    source
        .read_tree()
        .unwrap_or_else(|err| panic!("cannot read the tree of `{what}`: {err}"))
}

/// Renders for a snapshot, panicking with a clear message if the tree cannot be read.
#[track_caller]
pub fn render_snapshot(fs: &MemFs, root: &str, options: &RenderOptions) -> String {
    options
        .render(fs, root)
        .unwrap_or_else(|err| panic!("assert_tree_snapshot!: cannot read `{root}`: {err}"))
}

thread_local! {
    static SNAPSHOTS_TAKEN: RefCell<HashMap<String, usize>> = RefCell::new(HashMap::new());
}

/// A snapshot name unique per test *case*: from the test thread's name (which libtest sets to
/// the test's path, rstest case included), relative to `module_path`; `-2`, `-3`, ... for
/// later snapshots of the same test. `None` (insta's own naming) when the thread name does not
/// tell, as when tests run on the main thread.
///
/// This is what keeps rstest cases from sharing one snapshot file (insta issue #357).
pub fn snapshot_name(module_path: &str) -> Option<String> {
    let thread = std::thread::current();
    let test = thread.name()?;
    let module = module_path.split_once("::").map_or("", |(_, rest)| rest);
    let relative = if module.is_empty() {
        test
    } else {
        test.strip_prefix(module)?.strip_prefix("::")?
    };
    let base = relative.replace("::", "-");
    let count = SNAPSHOTS_TAKEN.with(|taken| {
        let mut taken = taken.borrow_mut();
        let count = taken.entry(base.clone()).or_insert(0);
        *count += 1;
        *count
    });
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
