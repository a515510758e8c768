//! The engine: the namespace (names, nodes and inode numbers), the ledger every file charges
//! its bytes to, and the nodes themselves.

pub(crate) mod attrs;
pub(crate) mod batch;
mod generation;
mod index;
mod key;
pub(crate) mod ledger;
pub(crate) mod namespace;
pub(crate) mod node;
mod resolve;
mod watch;

pub(crate) use attrs::Attrs;
pub(crate) use key::Key;
pub(crate) use ledger::freed_file_bytes;
pub(crate) use ledger::{Ino, Ledger};
pub(crate) use namespace::{ByIno, Miss, ROOT_INO, Tree};
pub(crate) use node::{FileData, FileNode, Node, SymlinkNode};
pub use watch::NameWatcher;
pub(crate) use watch::TreeLock;

#[cfg(test)]
mod size_tests {
    use super::{attrs, node};
    use std::mem::size_of;

    /// Every file pays for its node: growing it is a decision, not an accident. (The heap
    /// test and the benchmark's memory table measure the whole cost per node.)
    #[test]
    fn nodes_stay_small() {
        assert_eq!(
            size_of::<attrs::Attrs>(),
            40,
            "three 12-byte stamps and a mode"
        );
        assert!(
            size_of::<node::FileNode>() <= 112,
            "{}",
            size_of::<node::FileNode>()
        );
        assert!(
            size_of::<node::DirNode>() <= 88,
            "{}",
            size_of::<node::DirNode>()
        );
        assert_eq!(size_of::<node::Node>(), 16);
    }
}
