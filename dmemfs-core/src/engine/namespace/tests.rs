//! Unit tests of the namespace.

use super::*;
use crate::engine::attrs::Stamp;
use crate::lock::HandleLock;
use crate::storage::Storage;
use std::time::SystemTime;

fn file() -> Node {
    Node::File(FileNode::new(
        Storage::default(),
        HandleLock::default(),
        0,
        Stamp::new(SystemTime::UNIX_EPOCH),
    ))
}

fn dir() -> Node {
    Node::new_dir(Stamp::new(SystemTime::UNIX_EPOCH))
}

fn tree() -> Tree {
    Tree::new(Arc::new(Ledger::for_tests()))
}

#[test]
fn insert_lookup_miss() {
    let mut t = tree();
    t.insert("/a", dir());
    t.insert("/a/f", file());
    assert!(t.get("/a/f").is_some());
    assert_eq!(t.miss("/a/g"), Miss::Leaf);
    assert_eq!(t.miss("/b/c"), Miss::Ancestor("/b".into()));
    assert_eq!(t.miss("/a/f/x/y"), Miss::FileInPath("/a/f".into()));
    assert_eq!(t.node_count(), 3);
    assert_eq!(
        t.check_parent("/a/f/x"),
        Err(Reason::ComponentNotADirectory {
            component: "/a/f".into()
        })
    );
    assert_eq!(
        t.check_parent("/z/x"),
        Err(Reason::ParentNotFound {
            parent: "/z".into()
        })
    );
}

#[test]
fn descendants_are_preorder_sorted() {
    let mut t = tree();
    for d in ["/b", "/a", "/a/y", "/a/x"] {
        t.insert(d, dir());
    }
    t.insert("/a/x/f", file());
    assert_eq!(t.descendants("/"), ["/a", "/a/x", "/a/x/f", "/a/y", "/b"]);
}

#[test]
fn move_rekeys_subtree() {
    let mut t = tree();
    t.insert("/a", dir());
    t.insert("/a/b", dir());
    t.insert("/a/b/f", file());
    t.insert("/z", dir());
    t.move_node("/a", "/z/q");
    assert!(t.get("/a").is_none());
    assert!(t.get("/z/q/b/f").is_some());
    assert_eq!(t.sorted_names(t.dir("/z").unwrap()), ["q"]);
    assert!(
        t.sorted_names(t.dir("/").unwrap())
            .iter()
            .all(|n| *n != "a")
    );
    assert_eq!(t.node_count(), 5);
    assert_eq!(t.remove_subtree("/z"), 0);
    assert_eq!(t.node_count(), 1);
}
