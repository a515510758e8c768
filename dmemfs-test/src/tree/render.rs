//! The text rendering of a tree: what a person wants to read in a code review.
//!
//! ```text
//! /out
//! ├── logs/
//! │   └── run.log (12 bytes)
//! │           step 1 done
//! ├── image.png (2048 bytes, binary, sha256 3f2a9c0e81b7d6a4)
//! │       00000000  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  |.PNG........IHDR|
//! │       … 2032 more bytes
//! └── empty.txt (0 bytes)
//! ```
//!
//! Deterministic: names sorted, no timestamps. Text files are shown inline (up to a limit),
//! binary files as a short hex preview and a digest of their whole contents.

mod per_file;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io;

use dmemfs_core::MemFs;
use glob::{MatchOptions, Pattern};

use super::{Node, Tree};
use per_file::{FileViews, short_sha256};

const MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// How to render a tree: how much of each file to show, which paths, and, per glob, whether
/// to show files by their size only ([`size_only`](Self::size_only)), a digest only
/// ([`digest_only`](Self::digest_only)) or through a renderer of yours
/// ([`render_with`](Self::render_with)).
///
/// ```
/// use dmemfs_test::{MemFs, RenderOptions};
///
/// let fs = MemFs::new();
/// fs.create_dir_all("/src/target")?;
/// fs.write("/src/main.rs", "fn main() {}\n")?;
/// fs.write("/src/target/app", [0u8, 1, 2])?;
/// let text = RenderOptions::new().exclude("target").render(&fs, "/src")?;
/// assert_eq!(text, "/src\n└── main.rs (13 bytes)\n        fn main() {}\n");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RenderOptions {
    max_text_bytes: usize,
    hex_preview_bytes: usize,
    contents: bool,
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
    views: FileViews,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            max_text_bytes: 2048,
            hex_preview_bytes: 32,
            contents: true,
            include: Vec::new(),
            exclude: Vec::new(),
            views: FileViews::default(),
        }
    }
}

impl RenderOptions {
    /// The defaults: text shown up to 2048 bytes per file, 32 bytes of hex for binary files,
    /// every path.
    ///
    /// ```
    /// let text = dmemfs_test::RenderOptions::new().render_tree(&dmemfs_test::Tree::default());
    /// assert_eq!(text, "\n");
    /// ```
    pub fn new() -> RenderOptions {
        RenderOptions::default()
    }

    /// Shows at most `bytes` of each text file, then how many bytes were left out.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/long.txt", "abcdefgh")?;
    /// let text = dmemfs_test::RenderOptions::new().max_text_bytes(3).render(&fs, "/")?;
    /// assert!(text.contains("abc\n        … 5 more bytes"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_text_bytes(mut self, bytes: usize) -> RenderOptions {
        self.max_text_bytes = bytes;
        self
    }

    /// Shows the first `bytes` of each binary file as hex.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/b", [0u8, 255])?;
    /// let text = dmemfs_test::RenderOptions::new().hex_preview_bytes(1).render(&fs, "/")?;
    /// assert!(text.contains("00000000  00") && text.contains("… 1 more bytes"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn hex_preview_bytes(mut self, bytes: usize) -> RenderOptions {
        self.hex_preview_bytes = bytes;
        self
    }

    /// Whether to show file contents at all (sizes and digests are always shown).
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/a", "secret")?;
    /// let text = dmemfs_test::RenderOptions::new().contents(false).render(&fs, "/")?;
    /// assert_eq!(text, "/\n└── a (6 bytes)\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn contents(mut self, show: bool) -> RenderOptions {
        self.contents = show;
        self
    }

    /// Shows only paths matching `glob` (relative to the rendered root, such as `"src/**"` or
    /// `"*.toml"`), and the directories leading to them. May be given several times.
    ///
    /// # Panics
    /// If `glob` is not a valid pattern.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/a.toml", "")?;
    /// fs.write("/b.txt", "")?;
    /// let text = dmemfs_test::RenderOptions::new().include("*.toml").render(&fs, "/")?;
    /// assert_eq!(text, "/\n└── a.toml (0 bytes)\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn include(mut self, glob: &str) -> RenderOptions {
        self.include.push(pattern(glob));
        self
    }

    /// Hides paths matching `glob` (relative to the rendered root), and everything below a
    /// matching directory. May be given several times.
    ///
    /// # Panics
    /// If `glob` is not a valid pattern.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/keep.txt", "")?;
    /// fs.write("/debug.log", "")?;
    /// let text = dmemfs_test::RenderOptions::new().exclude("*.log").render(&fs, "/")?;
    /// assert_eq!(text, "/\n└── keep.txt (0 bytes)\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn exclude(mut self, glob: &str) -> RenderOptions {
        self.exclude.push(pattern(glob));
        self
    }

    /// Reads the tree at `root` of `fs` and renders it.
    ///
    /// # Errors
    /// As [`Tree::from_memfs`].
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.create_dir("/d")?;
    /// assert_eq!(dmemfs_test::RenderOptions::new().render(&fs, "/")?, "/\n└── d/\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn render(&self, fs: &MemFs, root: &str) -> io::Result<String> {
        Ok(self.render_tree(&Tree::from_memfs(fs, root)?))
    }

    /// Renders a tree already read.
    ///
    /// ```
    /// let tree = dmemfs_test::Tree::from_host(std::path::Path::new("src"))?;
    /// let text = dmemfs_test::RenderOptions::new().contents(false).render_tree(&tree);
    /// assert!(text.contains("lib.rs"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn render_tree(&self, tree: &Tree) -> String {
        let keep = self.visible(tree);
        let mut visible: Vec<(&str, &Node)> = tree
            .entries
            .iter()
            .filter(|(path, _)| keep.contains(path.as_str()))
            .map(|(p, n)| (p.as_str(), n))
            .collect();
        // Tree order (by components): "a/x" must follow "a" before "a-b", which sorts first
        // byte-wise ('-' < '/').
        visible.sort_by(|(a, _), (b, _)| a.split('/').cmp(b.split('/')));
        let mut out = String::new();
        out.push_str(&tree.label);
        out.push('\n');
        for (index, (path, node)) in visible.iter().enumerate() {
            let depth = path.matches('/').count();
            let name = path.rsplit('/').next().unwrap_or(path);
            // Whether, at each level up to this entry's, a later sibling follows (a vertical bar).
            let mut prefix = String::new();
            for level in 0..depth {
                let ancestor = ancestor_at(path, level);
                prefix.push_str(if has_later_sibling(&visible, index, ancestor) {
                    "│   "
                } else {
                    "    "
                });
            }
            let last = !has_later_sibling(&visible, index, path);
            let branch = if last { "└── " } else { "├── " };
            let child_prefix = format!("{prefix}{}", if last { "    " } else { "│   " });
            match node {
                Node::Dir => {
                    let _ = writeln!(out, "{prefix}{branch}{name}/");
                }
                Node::Symlink(target) => {
                    let _ = writeln!(out, "{prefix}{branch}{name} -> {target}");
                }
                Node::File(contents) => {
                    let (header, body) = self.file_view(path, contents);
                    let _ = writeln!(out, "{prefix}{branch}{name} ({header})");
                    if let Some(body) = body.filter(|_| self.contents) {
                        self.write_contents(&mut out, &format!("{child_prefix}    "), &body);
                    }
                }
            }
        }
        out
    }

    /// The entries to show: not below an excluded path, and (with includes) included
    /// themselves or leading to an included entry. One pass, bottom-up for the ancestors.
    fn visible<'t>(&self, tree: &'t Tree) -> BTreeSet<&'t str> {
        let any =
            |patterns: &[Pattern], path: &str| patterns.iter().any(|p| p.matches_with(path, MATCH));
        let mut keep = BTreeSet::new();
        for path in tree.entries.keys() {
            if self_and_ancestors(path).any(|p| any(&self.exclude, p)) {
                continue;
            }
            if self.include.is_empty() || self_and_ancestors(path).any(|p| any(&self.include, p)) {
                keep.extend(self_and_ancestors(path));
            }
        }
        keep
    }

    fn describe(&self, contents: &[u8]) -> String {
        let len = contents.len();
        let digest = || short_sha256(contents);
        if !is_text(contents) {
            format!("{len} bytes, binary, sha256 {}", digest())
        } else if self.contents && len > self.max_text_bytes {
            // A change past the shown part must still change the rendering.
            format!("{len} bytes, sha256 {}", digest())
        } else {
            format!("{len} bytes")
        }
    }

    fn write_contents(&self, out: &mut String, indent: &str, contents: &[u8]) {
        if contents.is_empty() {
            return;
        }
        if is_text(contents) {
            let text = text_of(contents).unwrap_or_default();
            let mut cut = self.max_text_bytes.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let shown = &text[..cut];
            for line in shown.split_inclusive('\n') {
                let line = line.strip_suffix('\n').unwrap_or(line);
                let line = match line.strip_suffix('\r') {
                    Some(line) => format!("{}␍", visible_trailing_space(line)),
                    None => visible_trailing_space(line),
                };
                // Only the indent of an empty line is trimmed; content keeps its spaces.
                let _ = writeln!(out, "{}", format!("{indent}{line}").trim_end_matches(' '));
            }
            if cut < text.len() {
                let _ = writeln!(out, "{indent}… {} more bytes", text.len() - cut);
            } else if !text.ends_with('\n') {
                let _ = writeln!(out, "{indent}\\ no newline at end of file");
            }
        } else {
            let shown = &contents[..self.hex_preview_bytes.min(contents.len())];
            for (row, chunk) in shown.chunks(16).enumerate() {
                let _ = writeln!(out, "{indent}{}", hex_row(row * 16, chunk));
            }
            if shown.len() < contents.len() {
                let _ = writeln!(out, "{indent}… {} more bytes", contents.len() - shown.len());
            }
        }
    }
}

#[track_caller]
fn pattern(glob: &str) -> Pattern {
    match Pattern::new(glob.trim_start_matches('/')) {
        Ok(pattern) => pattern,
        Err(err) => panic!("invalid glob pattern `{glob}`: {err}"),
    }
}

/// Shows trailing spaces and tabs (`·`, `→`): editors and review tools hide them, and a
/// snapshot must show every change.
fn visible_trailing_space(line: &str) -> String {
    let body = line.trim_end_matches([' ', '\t']);
    let tail: String = line[body.len()..]
        .chars()
        .map(|c| if c == '\t' { '→' } else { '·' })
        .collect();
    format!("{body}{tail}")
}

/// The contents as text, if they are UTF-8 with no control characters other than newline,
/// carriage return and tab.
pub(super) fn text_of(contents: &[u8]) -> Option<&str> {
    std::str::from_utf8(contents).ok().filter(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    })
}

fn is_text(contents: &[u8]) -> bool {
    text_of(contents).is_some()
}

fn hex_row(offset: usize, chunk: &[u8]) -> String {
    let mut hex = String::new();
    for (i, byte) in chunk.iter().enumerate() {
        if i == 8 {
            hex.push(' ');
        }
        let _ = write!(hex, "{byte:02x} ");
    }
    let ascii: String = chunk
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!("{offset:08x}  {hex:<49} |{ascii}|")
}

/// `a/b/c`, then `a/b`, then `a`.
fn self_and_ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(path), |p| p.rfind('/').map(|i| &p[..i]))
}

/// The ancestor of `path` at depth `level` (0: the top-level entry).
fn ancestor_at(path: &str, level: usize) -> &str {
    let end = path
        .match_indices('/')
        .nth(level)
        .map_or(path.len(), |(i, _)| i);
    &path[..end]
}

/// Whether a visible entry after position `index` is a sibling of `path` (same parent).
fn has_later_sibling(visible: &[(&str, &Node)], index: usize, path: &str) -> bool {
    let parent = path.rfind('/').map(|i| &path[..i]);
    let under_parent = |other: &str| match parent {
        Some(parent) => {
            other.len() > parent.len()
                && other.starts_with(parent)
                && other.as_bytes()[parent.len()] == b'/'
        }
        None => true,
    };
    visible[index + 1..]
        .iter()
        .map(|(other, _)| *other)
        .take_while(|other| under_parent(other))
        .any(|other| other.rfind('/').map(|i| &other[..i]) == parent && other != path)
}
