//! Inode numbers: given, freed and looked up (see the module above for what they name).

use std::sync::{Arc, Weak};

use super::{ByIno, Tree};
use crate::engine::ledger::Ino;
use crate::engine::node::{FileNode, Node};

impl Tree {
    /// A fresh inode number for a file (`Some`) or another node (`None`; the caller records
    /// it).
    pub(super) fn alloc_ino(&mut self, file: Option<&Arc<FileNode>>) -> Ino {
        if self.free_inos.is_empty() {
            self.ledger.take_dead(&mut self.free_inos);
        }
        if self.ledger.inos_unique() {
            self.free_inos.clear();
        }
        let ino = match self.free_inos.pop() {
            Some(ino) => {
                // A number an orphan freed by dropping may still be listed.
                if !self.orphans.is_empty() {
                    self.orphans.remove(&ino);
                }
                ino
            }
            None => {
                let ino = self.next_ino;
                self.next_ino += 1;
                ino
            }
        };
        if self.numbered {
            self.set_slot(ino, file.map(Arc::downgrade));
        }
        ino
    }

    fn set_slot(&mut self, ino: Ino, file: Option<Weak<FileNode>>) {
        let at = ino as usize;
        if at >= self.inodes.len() {
            self.inodes.resize(at + 1, None);
        }
        self.inodes[at] = file;
    }

    pub(super) fn free_ino(&mut self, ino: Ino) {
        if ino == 0 || ino >= self.next_ino {
            return;
        }
        if let Some(slot) = self.inodes.get_mut(ino as usize) {
            *slot = None;
        }
        self.dir_inos.remove(&ino);
        self.link_inos.remove(&ino);
        self.free_inos.push(ino);
    }

    /// Whether files can be found by number ([`Tree::number_files`] ran).
    pub(crate) fn files_numbered(&self) -> bool {
        self.numbered
    }

    /// From now on, keeps the inode table that finds files by number (8 bytes a number),
    /// filled now from the index and the orphans: called by the first lookup by number, so a
    /// filesystem never asked pays nothing per file.
    pub(crate) fn number_files(&mut self) {
        if self.numbered {
            return;
        }
        self.numbered = true;
        let mut inodes: Vec<Option<Weak<FileNode>>> = vec![None; self.next_ino as usize];
        for node in self.nodes.nodes() {
            if let Node::File(file) = node {
                inodes[file.ino() as usize] = Some(Arc::downgrade(file));
            }
        }
        for (ino, orphan) in self.orphans.drain() {
            inodes[ino as usize] = Some(orphan);
        }
        self.inodes = inodes;
    }

    /// The node numbered `ino`, if it is alive; files only once [numbered](Tree::number_files).
    pub(crate) fn by_ino(&self, ino: Ino) -> Option<ByIno> {
        if let Some(path) = self.dir_inos.get(&ino) {
            return Some(ByIno::Dir(path.clone()));
        }
        if let Some(link) = self.link_inos.get(&ino) {
            return link.upgrade().map(ByIno::Symlink);
        }
        let slot = self.inodes.get(usize::try_from(ino).ok()?)?;
        slot.as_ref()?.upgrade().map(ByIno::File)
    }
}
