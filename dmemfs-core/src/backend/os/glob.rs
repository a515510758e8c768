//! `glob` for an [`OsFs`], with the pattern language and results of
//! [`MemFs::glob`](crate::MemFs::glob): the same parser rules and the same matching of
//! `/`-separated pieces, run over directory listings instead of the in-memory tree.

use std::collections::BTreeSet;

use super::{OsFailure, OsFs};
use crate::glob_pattern::{closure, parse, step};

/// Every path of `fs` matching `pattern`, sorted.
pub(super) fn glob(fs: &OsFs, pattern: &str) -> Result<Vec<String>, OsFailure> {
    let segments = parse(pattern)?;
    if segments.is_empty() {
        return Ok(vec!["/".to_owned()]);
    }
    let mut found = BTreeSet::new();
    // Each directory is listed at most once, with the pattern positions alive in it.
    let mut pending = vec![("/".to_owned(), closure(&segments, vec![0]))];
    while let Some((dir, states)) = pending.pop() {
        // Removed or replaced meanwhile: nothing matches below it.
        for item in fs.list_found(&dir, 0)? {
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
