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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;

use dmemfs_core::{GlobPattern, MemFs};

use super::{Node, Tree};
use per_file::{FileViews, short_sha256};

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
    include: Vec<GlobPattern>,
    exclude: Vec<GlobPattern>,
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
    /// `"*.toml"`; a [`GlobPattern`], read as `MemFs::glob` reads it), and the directories
    /// leading to them. May be given several times.
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

    /// Hides paths matching `glob` (relative to the rendered root; a [`GlobPattern`]), and
    /// everything below a matching directory. May be given several times.
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
        // Linear in the size of the tree and of the rendering: every failure message and
        // snapshot goes through here, for trees of any width and depth.
        let mut entries: Vec<(&str, &Node)> =
            tree.entries.iter().map(|(p, n)| (p.as_str(), n)).collect();
        // Tree order (by components): "a/x" must follow "a" before "a-b", which sorts first
        // byte-wise ('-' < '/').
        entries.sort_by(|(a, _), (b, _)| a.split('/').cmp(b.split('/')));
        let visible = self.visible(&entries);
        let last = last_children(&visible);
        let mut out = String::new();
        out.push_str(&tree.label);
        out.push('\n');
        // For each level above the entry: whether that ancestor has a later sibling (then a
        // vertical bar continues down this line).
        let mut bars: Vec<bool> = Vec::new();
        for ((path, node), last) in visible.iter().zip(last) {
            let depth = path.matches('/').count();
            let name = path.rsplit('/').next().unwrap_or(path);
            // An ancestor missing from the tree draws no bar.
            bars.resize(depth, false);
            let mut prefix = String::with_capacity(depth * 6);
            for bar in &bars {
                prefix.push_str(if *bar { "│   " } else { "    " });
            }
            bars.push(!last);
            let branch = if last { "└── " } else { "├── " };
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
                        let bar = if last { "    " } else { "│   " };
                        self.write_contents(&mut out, &format!("{prefix}{bar}    "), &body);
                    }
                }
            }
        }
        out
    }

    /// The entries to show, of `entries` in tree order: not below an excluded path, and (with
    /// includes) included themselves or below an included directory, or leading to an
    /// included entry. One pass with a stack of the current entry's ancestors: each path is
    /// matched once, and each ancestor marked kept once.
    fn visible<'t>(&self, entries: &[(&'t str, &'t Node)]) -> Vec<(&'t str, &'t Node)> {
        let any = |patterns: &[GlobPattern], path: &str| patterns.iter().any(|p| p.matches(path));
        /// An ancestor of the current entry.
        struct Level {
            index: usize,
            hidden: bool,
            included: bool,
        }
        let mut keep = vec![false; entries.len()];
        let mut ancestors: Vec<Level> = Vec::new();
        for (index, (path, _)) in entries.iter().enumerate() {
            let depth = path.matches('/').count();
            ancestors.truncate(depth);
            // A parent missing from the tree (or not yet met) neither hides nor includes.
            let parent = ancestors.last().filter(|_| ancestors.len() == depth);
            let hidden = parent.is_some_and(|p| p.hidden) || any(&self.exclude, path);
            let included = self.include.is_empty()
                || parent.is_some_and(|p| p.included)
                || any(&self.include, path);
            if !hidden && included {
                keep[index] = true;
                // Its ancestors lead to it; stop at the first already kept (so are its own).
                for level in ancestors.iter().rev() {
                    if std::mem::replace(&mut keep[level.index], true) {
                        break;
                    }
                }
            }
            ancestors.push(Level {
                index,
                hidden,
                included,
            });
        }
        entries
            .iter()
            .zip(keep)
            .filter_map(|(entry, kept)| kept.then_some(*entry))
            .collect()
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

/// The one pattern type of the workspace, read as `MemFs::glob` reads it (a leading `/`
/// changes nothing: paths are matched relative to the rendered root).
#[track_caller]
fn pattern(glob: &str) -> GlobPattern {
    match GlobPattern::new(glob) {
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

/// For each entry of `visible` (in tree order), whether it is the last shown in its
/// directory: one pass recording each directory's last child.
fn last_children(visible: &[(&str, &Node)]) -> Vec<bool> {
    fn parent(path: &str) -> &str {
        path.rfind('/').map_or("", |i| &path[..i])
    }
    let mut last_child: HashMap<&str, usize> = HashMap::new();
    for (index, (path, _)) in visible.iter().enumerate() {
        last_child.insert(parent(path), index);
    }
    visible
        .iter()
        .enumerate()
        .map(|(index, (path, _))| last_child[parent(path)] == index)
        .collect()
}
