//! `glob`: shell-style pattern matching over the tree, pruned by directory.

use std::collections::BTreeSet;
use std::io;

use glob::{MatchOptions, Pattern};

use super::MemFs;
use crate::error::{Op, Reason, fail};
use crate::path::join;
use crate::tree::{Node, Tree};

/// One `/`-separated piece of a pattern.
#[derive(Debug)]
enum Segment {
    /// No wildcard: a direct lookup.
    Literal(String),
    /// `*`, `?`, `[seq]`, `[!seq]` within one name.
    Pattern(Pattern),
    /// `**`: any number of directories.
    AnyDepth,
}

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

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
    ///   descended into.
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
        let segments = parse(raw).map_err(|reason| fail(Op::Glob, raw, reason))?;
        self.intercept(Op::Glob, raw, None, None)
            .map_err(|r| fail(Op::Glob, raw, r))?;
        let tree = self.inner.tree.read();
        let mut found = BTreeSet::new();
        match_from(&tree, "/", &segments, &mut found);
        Ok(found.into_iter().collect())
    }
}

fn parse(pattern: &str) -> Result<Vec<Segment>, Reason> {
    if pattern.contains('\0') {
        return Err(Reason::InvalidPath("contains a NUL byte"));
    }
    let mut segments = Vec::new();
    for piece in pattern.split(['/', '\\']) {
        match piece {
            "" | "." => {}
            ".." => {
                return Err(Reason::InvalidArgument(
                    "`..` is not allowed in a glob pattern".into(),
                ));
            }
            "**" => {
                // `**/**` means the same as `**`; collapsing keeps matching linear.
                if !matches!(segments.last(), Some(Segment::AnyDepth)) {
                    segments.push(Segment::AnyDepth);
                }
            }
            name if !name.contains(['*', '?', '[']) => {
                segments.push(Segment::Literal(name.to_owned()))
            }
            name => {
                // Inside a name, `**` is just `*` (as in shells and fnmatch).
                let mut single = String::with_capacity(name.len());
                for c in name.chars() {
                    if !(c == '*' && single.ends_with('*')) {
                        single.push(c);
                    }
                }
                let compiled = Pattern::new(&single).map_err(|e| {
                    Reason::InvalidArgument(format!("malformed pattern `{name}`: {}", e.msg))
                })?;
                segments.push(Segment::Pattern(compiled));
            }
        }
    }
    Ok(segments)
}

/// Adds to `found` every path below (or at) `dir` that matches `segments`.
fn match_from(tree: &Tree, dir: &str, segments: &[Segment], found: &mut BTreeSet<String>) {
    let Some((segment, rest)) = segments.split_first() else {
        found.insert(dir.to_owned());
        return;
    };
    let Some(node) = tree.dir(dir) else { return };
    match segment {
        Segment::Literal(name) => {
            let child = join(dir, name);
            if let Some(child_node) = tree.get(&child) {
                descend(tree, child, child_node, rest, found);
            }
        }
        Segment::Pattern(pattern) => {
            for name in node
                .children
                .iter()
                .filter(|name| pattern.matches_with(name, OPTIONS))
            {
                let child = join(dir, name);
                if let Some(child_node) = tree.get(&child) {
                    descend(tree, child, child_node, rest, found);
                }
            }
        }
        Segment::AnyDepth if rest.is_empty() => {
            found.extend(tree.descendants(dir));
        }
        Segment::AnyDepth => {
            // Zero directories here, or one more and `**` again.
            match_from(tree, dir, rest, found);
            for name in &node.children {
                let child = join(dir, name);
                if tree.dir(&child).is_some() {
                    match_from(tree, &child, segments, found);
                }
            }
        }
    }
}

fn descend(tree: &Tree, path: String, node: &Node, rest: &[Segment], found: &mut BTreeSet<String>) {
    if rest.is_empty() {
        found.insert(path);
    } else if node.is_dir() {
        match_from(tree, &path, rest, found);
    }
}
