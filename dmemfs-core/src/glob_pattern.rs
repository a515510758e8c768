//! The pattern language of `glob`, shared by [`MemFs::glob`](crate::MemFs::glob), `OsFs`'s,
//! and, through [`GlobPattern`], dmemfs-test's fault rules and tree renderings: parsing into
//! `/`-separated segments, and an NFA step over one name at a time, so that each directory is
//! listed at most once however many `**` a pattern holds.

use std::fmt;
use std::io;
use std::sync::Arc;

use glob::{MatchOptions, Pattern};

use crate::error::{ArgError, Op, PathError, Reason, fail};

/// A glob pattern, read as [`MemFs::glob`](crate::MemFs::glob) reads it: normalised like a
/// path (a leading `/`, doubled `/` and `.` pieces change nothing, so `out/**` and `/out/**`
/// are one pattern), `*`, `?` and `[..]` within one name, `**` for any number of directories.
/// One reading for every place that takes a pattern: `glob`, dmemfs-test's
/// `Rule::matching` and `RenderOptions` include and exclude.
///
/// ```
/// use dmemfs_core::{GlobPattern, MemFs};
///
/// let pattern = GlobPattern::new("out/**")?;
/// assert!(pattern.matches("/out/a.json") && pattern.matches("out/sub/b"));
/// assert!(!pattern.matches("/out") && !pattern.matches("/other/a.json"));
///
/// let fs = MemFs::new();
/// fs.create_dir("/out")?;
/// fs.write("/out/a.json", "{}")?;
/// assert_eq!(fs.glob("out/**")?, ["/out/a.json"]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct GlobPattern {
    text: String,
    segments: Arc<[Segment]>,
}

impl fmt::Debug for GlobPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GlobPattern").field(&self.text).finish()
    }
}

impl GlobPattern {
    /// Parses `pattern`.
    ///
    /// # Errors
    /// `InvalidInput` (operation `glob`, naming the pattern) for a malformed pattern (such as
    /// an unclosed `[`), a `..` piece, or a NUL byte.
    ///
    /// ```
    /// let err = dmemfs_core::GlobPattern::new("a/[b").unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// assert!(err.to_string().contains("a/[b"));
    /// ```
    pub fn new(pattern: &str) -> io::Result<GlobPattern> {
        let segments = parse(pattern).map_err(|reason| fail(Op::Glob, pattern, reason))?;
        Ok(GlobPattern {
            text: pattern.to_owned(),
            segments: segments.into(),
        })
    }

    /// The pattern as it was written.
    ///
    /// ```
    /// assert_eq!(dmemfs_core::GlobPattern::new("/a/*")?.as_str(), "/a/*");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path `path` matches, read like a path: absolute or relative, `/`-separated
    /// (empty and `.` pieces skipped). The empty pattern (or `/`) matches the root only.
    ///
    /// ```
    /// let pattern = dmemfs_core::GlobPattern::new("**/*.toml")?;
    /// assert!(pattern.matches("/Cargo.toml") && pattern.matches("crates/a/Cargo.toml"));
    /// assert!(!pattern.matches("/Cargo.lock"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn matches(&self, path: &str) -> bool {
        let segments = &self.segments;
        let mut names = path
            .split(['/', '\\'])
            .filter(|n| !n.is_empty() && *n != ".");
        let Some(mut name) = names.next() else {
            return segments.is_empty();
        };
        if segments.is_empty() {
            return false;
        }
        let mut states = closure(segments, vec![0]);
        loop {
            let (matched, next) = step(segments, &states, name);
            match names.next() {
                None => return matched,
                Some(following) if !next.is_empty() => {
                    states = closure(segments, next);
                    name = following;
                }
                Some(_) => return false,
            }
        }
    }

    /// The parsed pieces, for the tree walks of `glob`.
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

/// One `/`-separated piece of a pattern.
#[derive(Clone, Debug)]
pub(crate) enum Segment {
    /// No wildcard: a direct lookup.
    Literal(String),
    /// `*`, `?`, `[seq]`, `[!seq]` within one name.
    Pattern(Pattern),
    /// `**`: any number of directories.
    AnyDepth,
}

pub(crate) const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

pub(crate) fn parse(pattern: &str) -> Result<Vec<Segment>, Reason> {
    if pattern.contains('\0') {
        return Err(Reason::InvalidPath(PathError::Nul));
    }
    let mut segments = Vec::new();
    for piece in pattern.split(['/', '\\']) {
        match piece {
            "" | "." => {}
            ".." => {
                return Err(Reason::InvalidArgument(ArgError::ParentInGlob));
            }
            "**" => {
                // `**/**` means the same as `**`.
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
                    Reason::InvalidArgument(ArgError::MalformedGlob {
                        segment: name.to_owned(),
                        message: e.msg.to_owned(),
                    })
                })?;
                segments.push(Segment::Pattern(compiled));
            }
        }
    }
    Ok(segments)
}

/// Advances the live positions `states` over one name: whether the name completes the
/// pattern, and the positions alive below it.
pub(crate) fn step(segments: &[Segment], states: &[usize], name: &str) -> (bool, Vec<usize>) {
    let last = segments.len() - 1;
    let mut matched = false;
    let mut next = Vec::new();
    for &i in states {
        match &segments[i] {
            Segment::AnyDepth => {
                // `**` takes this name and stays alive below it; a final `**` matches it.
                matched |= i == last;
                next.push(i);
            }
            Segment::Literal(literal) if literal == name => {
                advance(i, last, &mut matched, &mut next)
            }
            Segment::Pattern(pattern) if pattern.matches_with(name, OPTIONS) => {
                advance(i, last, &mut matched, &mut next);
            }
            _ => {}
        }
    }
    (matched, next)
}

fn advance(i: usize, last: usize, matched: &mut bool, next: &mut Vec<usize>) {
    if i == last {
        *matched = true;
    } else {
        next.push(i + 1);
    }
}

/// Adds the positions reachable without consuming a name: a non-final `**` may match zero
/// directories, so the segment after it is alive too.
pub(crate) fn closure(segments: &[Segment], mut states: Vec<usize>) -> Vec<usize> {
    let mut i = 0;
    while i < states.len() {
        let position = states[i];
        if matches!(segments[position], Segment::AnyDepth) && position + 1 < segments.len() {
            states.push(position + 1);
        }
        i += 1;
    }
    states.sort_unstable();
    states.dedup();
    states
}
