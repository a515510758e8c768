//! The names under which the kernel holds files and links.
//!
//! The kernel asks about a node by number long after looking it up (`open`, `truncate`,
//! `chmod` through `/proc/self/fd`), and a file's number does not lead back to a path: it may
//! have several names or none. The kernel's own lookups tell which names it reached the node
//! by; they are kept, most recent first, as long as the kernel holds the node (until it
//! forgets as many lookups as it made), and dropped when the name is removed.

use std::collections::HashMap;

use parking_lot::Mutex;

#[derive(Debug)]
struct Known {
    /// (directory, name) pairs, most recent first.
    names: Vec<(u64, String)>,
    lookups: u64,
}

#[derive(Debug, Default)]
pub(super) struct Names {
    known: Mutex<HashMap<u64, Known>>,
}

impl Names {
    /// The kernel looked `ino` up as `name` in `parent` (or created or linked it there): it
    /// holds one more reference, and this name reaches it.
    pub(super) fn looked_up(&self, ino: u64, parent: u64, name: &str) {
        let mut known = self.known.lock();
        let entry = known.entry(ino).or_insert_with(|| Known {
            names: Vec::new(),
            lookups: 0,
        });
        entry.lookups += 1;
        add_first(&mut entry.names, parent, name);
    }

    /// `ino` was renamed from (`parent`, `name`) to (`new_parent`, `new_name`).
    pub(super) fn renamed(&self, ino: u64, (parent, name): (u64, &str), to: (u64, &str)) {
        if let Some(entry) = self.known.lock().get_mut(&ino) {
            entry
                .names
                .retain(|(p, n)| (*p, n.as_str()) != (parent, name));
            add_first(&mut entry.names, to.0, to.1);
        }
    }

    /// The name (`parent`, `name`) of `ino` was removed (unlinked, or replaced by a rename).
    pub(super) fn removed(&self, ino: u64, parent: u64, name: &str) {
        if let Some(entry) = self.known.lock().get_mut(&ino) {
            entry
                .names
                .retain(|(p, n)| (*p, n.as_str()) != (parent, name));
        }
    }

    /// The kernel dropped `count` of its references to `ino`.
    pub(super) fn forget(&self, ino: u64, count: u64) {
        let mut known = self.known.lock();
        if let Some(entry) = known.get_mut(&ino) {
            entry.lookups = entry.lookups.saturating_sub(count);
            if entry.lookups == 0 {
                known.remove(&ino);
            }
        }
    }

    /// The (directory, name) pairs `ino` was reached by, most recent first.
    pub(super) fn get(&self, ino: u64) -> Vec<(u64, String)> {
        let known = self.known.lock();
        known.get(&ino).map(|k| k.names.clone()).unwrap_or_default()
    }
}

fn add_first(names: &mut Vec<(u64, String)>, parent: u64, name: &str) {
    names.retain(|(p, n)| (*p, n.as_str()) != (parent, name));
    names.insert(0, (parent, name.to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_kept_until_removed_or_forgotten() {
        let names = Names::default();
        names.looked_up(7, 1, "a");
        names.looked_up(7, 1, "b");
        names.renamed(7, (1, "b"), (2, "c"));
        assert_eq!(names.get(7), [(2, "c".to_owned()), (1, "a".to_owned())]);
        names.removed(7, 2, "c");
        assert_eq!(names.get(7), [(1, "a".to_owned())]);
        names.forget(7, 1);
        assert!(!names.get(7).is_empty());
        names.forget(7, 1);
        assert!(names.get(7).is_empty());
        names.renamed(7, (1, "a"), (1, "gone"));
        assert!(names.get(7).is_empty());
    }
}
