//! `glob`: shell-style pattern matching over the tree, pruned by directory.

use std::collections::BTreeSet;
use std::io;

use super::MemFs;
use crate::engine::Tree;
use crate::error::{Op, fail};
use crate::glob_pattern::{GlobPattern, Segment, closure, step};
use crate::path::join;

impl MemFs {
    /// Every path matching a shell-style pattern, sorted, without duplicates.
    ///
    /// Patterns are absolute (a relative one is rooted) and use `/` (or `\`) between names:
    /// - `*` matches any run of characters within a name, `?` one character, `[abc]`, `[a-z]`
    ///   and `[!abc]` one character from (or not from) a set; names starting with `.` are not
    ///   special;
    /// - `**` as a whole name matches any number of directories: `/src/**/*.rs` finds `.rs`
    ///   files at any depth below `/src`, and a final `**` matches everything below its
    ///   directory (not the directory itself);
    /// - a name with no wildcard is looked up directly; only matching directories are
    ///   descended into, never symbolic links (a link matches as a name), as `OsFs` does.
    ///
    /// Matching is case-sensitive and runs against one consistent snapshot of the tree.
    ///
    /// # Errors
    /// `InvalidInput` for a malformed pattern (such as an unclosed `[`), a `..` name, or a
    /// NUL byte.
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/src/net")?;
    /// for p in ["/src/lib.rs", "/src/net/tcp.rs", "/src/net/README.md"] {
    ///     fs.write(p, "")?;
    /// }
    /// assert_eq!(fs.glob("/src/**/*.rs")?, ["/src/lib.rs", "/src/net/tcp.rs"]);
    /// assert_eq!(fs.glob("/src/*")?, ["/src/lib.rs", "/src/net"]);
    /// assert_eq!(fs.glob("/src/net/[!R]*")?, ["/src/net/tcp.rs"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn glob(&self, pattern: impl AsRef<str>) -> io::Result<Vec<String>> {
        let raw = pattern.as_ref();
        let pattern = GlobPattern::new(raw)?;
        self.intercept(Op::Glob, raw, None, None)
            .map_err(|r| fail(Op::Glob, raw, r))?;
        let tree = self.inner.tree.read();
        let mut found = BTreeSet::new();
        match_from(&tree, "/", pattern.segments(), &mut found);
        Ok(found.into_iter().collect())
    }
}

/// Adds to `found` every path matching `segments`.
///
/// Walks the tree once, iteratively, carrying for each directory the set of pattern positions
/// still alive there (an NFA over path components): every directory is visited at most once,
/// so matching costs O(nodes x segments) whatever the mix of `**` and other segments, and
/// depth cannot overflow the stack.
fn match_from(tree: &Tree, root: &str, segments: &[Segment], found: &mut BTreeSet<String>) {
    if segments.is_empty() {
        found.insert(root.to_owned());
        return;
    }
    let mut pending = vec![(root.to_owned(), closure(segments, vec![0]))];
    while let Some((dir, states)) = pending.pop() {
        let Some(node) = tree.dir(&dir) else { continue };
        // Only literal segments alive: look the names up instead of scanning the children.
        let literal_names: Option<Vec<&str>> = states
            .iter()
            .map(|&i| match &segments[i] {
                Segment::Literal(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        let mut candidates: Vec<&str> = match literal_names {
            Some(names) => names
                .into_iter()
                .filter(|name| tree.get(&join(&dir, name)).is_some())
                .collect(),
            None => tree.sorted_names(node),
        };
        candidates.sort_unstable();
        candidates.dedup();
        for name in candidates {
            let (matched, next) = step(segments, &states, name);
            if !matched && next.is_empty() {
                continue;
            }
            let child = join(&dir, name);
            if matched {
                found.insert(child.clone());
            }
            if !next.is_empty() && tree.dir(&child).is_some() {
                pending.push((child, closure(segments, next)));
            }
        }
    }
}
