//! Resolving symbolic links: the path a lookup should use, where only directories stand
//! before the last name.

use std::borrow::Cow;

use super::namespace::Tree;
use super::node::{Node, SymlinkNode};
use crate::error::Reason;
use crate::path::{Syntax, ancestors_below_root, normalize_link_target, split_parent};

impl Tree {
    /// The first proper ancestor of `path` (normalised, links not yet resolved) that is a
    /// link leading nowhere. An operation that creates missing parents must not create a
    /// dangling link's target through it: `mkdir -p` says the link "exists".
    pub(crate) fn dangling_ancestor(&self, path: &str) -> Option<String> {
        if self.symlinks() == 0 {
            return None;
        }
        for prefix in ancestors_below_root(path) {
            let at = self.resolve(prefix, false).ok()?;
            match self.get(&at) {
                Some(Node::Dir(_)) => {}
                // Only a link to nothing: a link to a file is not a directory, and a loop is a
                // loop; the operation's own resolution reports those.
                Some(Node::Symlink(_)) => match self.resolve(&at, true) {
                    Ok(to) => match self.get(&to) {
                        Some(Node::Dir(_)) => {}
                        Some(_) => return None,
                        None => return Some(prefix.to_owned()),
                    },
                    Err(_) => return None,
                },
                Some(Node::File(_)) | None => return None,
            }
        }
        None
    }

    /// Resolves the symbolic links on `path` (its last component too if `follow_last`): the
    /// path of what it names, where only directories stand before the last name. Lookups by
    /// the result then need no links. A link's target is taken relative to the link's
    /// directory unless absolute, and normalised like every path (`..` lexically). A missing
    /// or non-directory component stops resolution: the caller's lookup reports it. More than
    /// [`MAX_HOPS`] links is a loop, as on Linux.
    ///
    /// Costs nothing while the filesystem has no links.
    pub(crate) fn resolve<'p>(
        &self,
        path: &'p str,
        follow_last: bool,
    ) -> Result<Cow<'p, str>, Reason> {
        if self.symlinks() == 0 {
            return Ok(Cow::Borrowed(path));
        }
        let mut current = Cow::Borrowed(path);
        let mut hops = 0;
        loop {
            match self.get(&current) {
                Some(Node::Symlink(link)) if follow_last => {
                    current = Cow::Owned(follow(
                        &current,
                        link,
                        "",
                        &mut hops,
                        path,
                        self.ledger.syntax,
                    )?);
                    continue;
                }
                Some(_) => return Ok(current),
                None => {}
            }
            let mut next = None;
            for ancestor in ancestors_below_root(&current) {
                match self.get(ancestor) {
                    Some(Node::Dir(_)) => {}
                    Some(Node::Symlink(link)) => {
                        let rest = &current[ancestor.len()..];
                        next = Some(follow(
                            ancestor,
                            link,
                            rest,
                            &mut hops,
                            path,
                            self.ledger.syntax,
                        )?);
                        break;
                    }
                    Some(Node::File(_)) | None => break,
                }
            }
            match next {
                Some(next) => current = Cow::Owned(next),
                None => return Ok(current),
            }
        }
    }
}

/// The most symbolic links one resolution follows, as Linux's `MAXSYMLINKS`.
pub(crate) const MAX_HOPS: u32 = 40;

/// The path reached through the link at `at`, followed by `rest` (empty, or `/...`).
fn follow(
    at: &str,
    link: &SymlinkNode,
    rest: &str,
    hops: &mut u32,
    original: &str,
    syntax: Syntax,
) -> Result<String, Reason> {
    *hops += 1;
    if *hops > MAX_HOPS {
        return Err(Reason::FilesystemLoop {
            path: original.to_owned(),
        });
    }
    let absolute = match syntax {
        Syntax::Dmemfs => link.target.starts_with(['/', '\\']),
        Syntax::Linux => link.target.starts_with('/'),
    };
    let joined = if absolute {
        format!("{}{rest}", link.target)
    } else {
        let dir = split_parent(at).map_or("/", |(dir, _)| dir);
        format!("{dir}/{}{rest}", link.target)
    };
    normalize_link_target(&joined, syntax)
}
