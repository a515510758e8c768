//! `glob` for an [`OsFs`], with the pattern language and results of
//! [`MemFs::glob`](crate::MemFs::glob): the same parser rules and the same matching of
//! `/`-separated pieces, run over directory listings instead of the in-memory tree.

use std::collections::BTreeSet;

use glob::{MatchOptions, Pattern};

use super::OsFs;
use crate::error::Reason;

/// One `/`-separated piece of a pattern.
#[derive(Debug)]
enum Segment {
    Literal(String),
    Pattern(Pattern),
    /// `**`: any number of directories.
    AnyDepth,
}

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Every path of `fs` matching `pattern`, sorted.
pub(super) fn glob(fs: &OsFs, pattern: &str) -> Result<Vec<String>, Reason> {
    let segments = parse(pattern)?;
    if segments.is_empty() {
        return Ok(vec!["/".to_owned()]);
    }
    let mut found = BTreeSet::new();
    // Each directory is listed at most once, with the pattern positions alive in it.
    let mut pending = vec![("/".to_owned(), closure(&segments, vec![0]))];
    while let Some((dir, states)) = pending.pop() {
        let listed = match fs.list(&dir, 0) {
            Ok(listed) => listed,
            // Removed or replaced meanwhile: nothing matches below it.
            Err(Reason::NotFound | Reason::NotADirectory) => continue,
            Err(reason) => return Err(reason),
        };
        for item in listed {
            let (matched, next) = step(&segments, &states, item.entry.file_name());
            if matched {
                found.insert(item.entry.path().to_owned());
            }
            if !next.is_empty() && item.descend {
                pending.push((item.entry.path().to_owned(), closure(&segments, next)));
            }
        }
    }
    Ok(found.into_iter().collect())
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
                if !matches!(segments.last(), Some(Segment::AnyDepth)) {
                    segments.push(Segment::AnyDepth);
                }
            }
            name if !name.contains(['*', '?', '[']) => {
                segments.push(Segment::Literal(name.to_owned()));
            }
            name => {
                // Inside a name, `**` is just `*`.
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

/// Advances the live positions over one name: whether the name completes the pattern, and
/// the positions alive below it.
fn step(segments: &[Segment], states: &[usize], name: &str) -> (bool, Vec<usize>) {
    let last = segments.len() - 1;
    let mut matched = false;
    let mut next = Vec::new();
    for &i in states {
        let advances = match &segments[i] {
            Segment::AnyDepth => {
                matched |= i == last;
                next.push(i);
                false
            }
            Segment::Literal(literal) => literal == name,
            Segment::Pattern(pattern) => pattern.matches_with(name, OPTIONS),
        };
        if advances {
            if i == last {
                matched = true;
            } else {
                next.push(i + 1);
            }
        }
    }
    (matched, next)
}

/// Adds the positions reachable without consuming a name (a non-final `**` may match zero
/// directories).
fn closure(segments: &[Segment], mut states: Vec<usize>) -> Vec<usize> {
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
