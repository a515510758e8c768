//! The pattern language of `glob`, shared by [`MemFs::glob`](crate::MemFs::glob) and
//! `OsFs`'s: parsing into `/`-separated segments, and an NFA step over one name at a time, so
//! that each directory is listed at most once however many `**` a pattern holds.

use glob::{MatchOptions, Pattern};

use crate::error::Reason;

/// One `/`-separated piece of a pattern.
#[derive(Debug)]
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
                    Reason::InvalidArgument(format!("malformed pattern `{name}`: {}", e.msg))
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
