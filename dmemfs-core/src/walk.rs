//! The one walk driver: the traversal behind a `MemFs`'s [`Walk`](crate::Walk) and an
//! `OsFs`'s [`walk`](crate::FileSystem::walk).
//!
//! Both walk the same way (pre-order, children in the order listed, each directory listed
//! when the walk reaches it, so a skipped directory is never listed); what differs is how a
//! directory is listed and which entries may be descended into, the [`ListDir`] a walk is
//! given.

use std::io;

use crate::metadata::DirEntry;

/// How a walk lists a directory.
pub(crate) trait ListDir {
    /// The entries of the directory `dir` (a path the walk yielded), each at `depth`, in the
    /// order the walk yields them.
    ///
    /// A directory gone since it was yielded (removed, or replaced by a file) must list as
    /// empty: the walk is weakly consistent. An error is yielded by the walk in place of the
    /// directory's contents, and the walk goes on with its next sibling.
    fn list(&self, dir: &str, depth: usize) -> io::Result<Vec<Listed>>;
}

/// One listed entry, and whether a walk may descend into it.
#[derive(Debug)]
pub(crate) struct Listed {
    pub(crate) entry: DirEntry,
    pub(crate) descend: bool,
}

impl Listed {
    /// An entry that a walk descends into if it is a directory.
    pub(crate) fn new(entry: DirEntry) -> Listed {
        let descend = entry.file_type().is_dir();
        Listed { entry, descend }
    }
}

/// A walk in progress: the directory walked first, then what [`ListDir`] lists below it.
#[derive(Debug)]
pub(crate) struct WalkDriver<L> {
    lister: L,
    root: Option<DirEntry>,
    /// The directories entered and not finished, innermost last.
    stack: Vec<Frame>,
    max_depth: usize,
    /// The last entry yielded was one to descend into, at the depth bound: it has no frame, so
    /// skipping it has nothing to pop.
    last_dir_at_bound: bool,
}

#[derive(Debug)]
struct Frame {
    dir: String,
    depth: usize,
    /// Listed on first use, so a skipped directory is never listed.
    entries: Option<std::vec::IntoIter<Listed>>,
}

impl<L: ListDir> WalkDriver<L> {
    /// A walk of the directory `root` (depth 0, always descended into), listed by `lister`.
    pub(crate) fn new(lister: L, root: DirEntry) -> WalkDriver<L> {
        WalkDriver {
            lister,
            root: Some(root),
            stack: Vec::new(),
            max_depth: usize::MAX,
            last_dir_at_bound: false,
        }
    }

    /// Descends at most `depth` levels below the root.
    pub(crate) fn set_max_depth(&mut self, depth: usize) {
        self.max_depth = depth;
    }

    /// Skips the rest of the current directory: the contents of the last entry yielded if the
    /// walk was to descend into it, otherwise the rest of the directory that holds it.
    pub(crate) fn skip_current_dir(&mut self) {
        // A directory entered within the depth bound is on top of the stack; after any other
        // entry, the top is the directory holding it.
        if !std::mem::take(&mut self.last_dir_at_bound) {
            self.stack.pop();
        }
    }

    fn enter(&mut self, entry: &DirEntry, descend: bool) {
        self.last_dir_at_bound = descend && entry.depth() >= self.max_depth;
        if descend && entry.depth() < self.max_depth {
            self.stack.push(Frame {
                dir: entry.path().to_owned(),
                depth: entry.depth() + 1,
                entries: None,
            });
        }
    }
}

impl<L: ListDir> Iterator for WalkDriver<L> {
    type Item = io::Result<DirEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(root) = self.root.take() {
            self.enter(&root, true);
            return Some(Ok(root));
        }
        loop {
            let frame = self.stack.last_mut()?;
            let entries = match &mut frame.entries {
                Some(entries) => entries,
                None => match self.lister.list(&frame.dir, frame.depth) {
                    Ok(listed) => frame.entries.insert(listed.into_iter()),
                    Err(err) => {
                        self.stack.pop();
                        return Some(Err(err));
                    }
                },
            };
            match entries.next() {
                Some(Listed { entry, descend }) => {
                    self.enter(&entry, descend);
                    return Some(Ok(entry));
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemFs;
    use crate::error::{Op, Reason, fail};

    /// A tree given as (path, is a directory, descend): `/bad` fails to list.
    struct Fixed(&'static [(&'static str, bool, bool)]);

    fn entry(path: &str, dir: bool, depth: usize) -> DirEntry {
        // Metadata of the right type, from a MemFs.
        let fs = MemFs::new();
        fs.write("/file", "").unwrap();
        let metadata = fs.metadata(if dir { "/" } else { "/file" }).unwrap();
        DirEntry::new(path.to_owned(), metadata, depth)
    }

    impl ListDir for Fixed {
        fn list(&self, dir: &str, depth: usize) -> io::Result<Vec<Listed>> {
            if dir == "/bad" {
                return Err(fail(Op::Walk, dir, Reason::NotFound));
            }
            let children = self.0.iter().filter(|(path, ..)| {
                crate::path::split_parent(path).is_some_and(|(parent, _)| parent == dir)
            });
            let listed = children.map(|&(path, dir, descend)| Listed {
                entry: entry(path, dir, depth),
                descend,
            });
            Ok(listed.collect())
        }
    }

    const TREE: &[(&str, bool, bool)] = &[
        ("/bad", true, true),
        ("/d", true, true),
        ("/d/f", false, false),
        ("/link", true, false),
        ("/link/inside", false, false),
        ("/z", false, false),
    ];

    /// What `walk` yields (errors as text), skipping the current directory after `skip_at`.
    fn paths(mut walk: WalkDriver<Fixed>, skip_at: &str) -> Vec<String> {
        let mut seen = Vec::new();
        while let Some(item) = walk.next() {
            let path = item.map_or_else(|err| format!("error {err}"), |e| e.path().to_owned());
            if path == skip_at {
                walk.skip_current_dir();
            }
            seen.push(path);
        }
        seen
    }

    fn walk_of_root() -> WalkDriver<Fixed> {
        WalkDriver::new(Fixed(TREE), entry("/", true, 0))
    }

    #[test]
    fn a_failed_listing_is_yielded_and_the_walk_goes_on() {
        assert_eq!(
            paths(walk_of_root(), ""),
            [
                "/",
                "/bad",
                "error walk `/bad`: no such file or directory",
                "/d",
                "/d/f",
                "/link",
                "/z"
            ]
        );
    }

    #[test]
    fn skipping_after_an_entry_not_descended_into_skips_the_rest_of_its_parent() {
        let seen = paths(walk_of_root(), "/link");
        assert_eq!(seen[seen.len() - 2..], ["/d/f", "/link"]);
    }

    #[test]
    fn the_depth_bound_stops_descent_and_skipping_at_it_pops_nothing() {
        let mut walk = walk_of_root();
        walk.set_max_depth(1);
        assert_eq!(paths(walk, "/d"), ["/", "/bad", "/d", "/link", "/z"]);
    }
}
