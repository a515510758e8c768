//! The names under which the kernel holds files and links.
//!
//! The kernel asks about a node by number long after looking it up (`open`, `truncate`,
//! `link`), and a file's number does not lead back to a path: it may have several names or
//! none. The kernel's own lookups tell which name it reached the node by; the entry lives as
//! long as the kernel holds the node (until it forgets as many lookups as it made).

use std::collections::HashMap;

use parking_lot::Mutex;

#[derive(Debug)]
struct Known {
    parent: u64,
    name: String,
    lookups: u64,
}

#[derive(Debug, Default)]
pub(super) struct Names {
    known: Mutex<HashMap<u64, Known>>,
}

impl Names {
    /// The kernel looked `ino` up as `name` in `parent` (or created, linked or renamed it
    /// there): it now holds one more reference, and this is the name to reach it by.
    pub(super) fn looked_up(&self, ino: u64, parent: u64, name: &str) {
        let mut known = self.known.lock();
        let entry = known.entry(ino).or_insert_with(|| Known {
            parent,
            name: String::new(),
            lookups: 0,
        });
        entry.parent = parent;
        name.clone_into(&mut entry.name);
        entry.lookups += 1;
    }

    /// `ino` was renamed to `name` in `parent` without a new lookup.
    pub(super) fn renamed(&self, ino: u64, parent: u64, name: &str) {
        if let Some(entry) = self.known.lock().get_mut(&ino) {
            entry.parent = parent;
            name.clone_into(&mut entry.name);
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

    /// The (directory, name) `ino` was last reached by.
    pub(super) fn get(&self, ino: u64) -> Option<(u64, String)> {
        let known = self.known.lock();
        known.get(&ino).map(|k| (k.parent, k.name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lives_until_every_lookup_is_forgotten() {
        let names = Names::default();
        names.looked_up(7, 1, "a");
        names.looked_up(7, 1, "b");
        names.renamed(7, 2, "c");
        assert_eq!(names.get(7), Some((2, "c".to_owned())));
        names.forget(7, 1);
        assert!(names.get(7).is_some());
        names.forget(7, 1);
        assert_eq!(names.get(7), None);
        names.renamed(7, 1, "gone");
        assert_eq!(names.get(7), None);
    }
}
