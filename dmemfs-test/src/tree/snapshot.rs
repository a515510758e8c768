//! A serializable form of a tree, for insta's serde snapshots (`assert_yaml_snapshot!`,
//! `assert_json_snapshot!`, ...).

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Node, Tree};

/// A tree as data: every entry by relative path. Text files carry their text, binary files
/// the SHA-256 of their contents; timestamps are left out so snapshots are stable.
///
/// ```
/// use dmemfs_test::{MemFs, Tree, TreeEntry};
///
/// let fs = MemFs::new();
/// fs.create_dir("/cfg")?;
/// fs.write("/cfg/app.toml", "debug = true\n")?;
/// let snapshot = Tree::from_memfs(&fs, "/")?.to_snapshot();
/// assert_eq!(snapshot.entries["cfg"], TreeEntry::Dir);
/// assert_eq!(
///     snapshot.entries["cfg/app.toml"],
///     TreeEntry::File { size: 13, text: Some("debug = true\n".into()), sha256: None }
/// );
/// // In a test: insta::assert_yaml_snapshot!(snapshot);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TreeSnapshot {
    /// Where the tree was read from.
    pub root: String,
    /// The entries, keyed by path relative to the root.
    pub entries: BTreeMap<String, TreeEntry>,
}

/// One entry of a [`TreeSnapshot`].
///
/// ```
/// use dmemfs_test::TreeEntry;
/// let entry = TreeEntry::File { size: 3, text: Some("abc".into()), sha256: None };
/// assert_ne!(entry, TreeEntry::Dir);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TreeEntry {
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink {
        /// Where it points, as given when it was made.
        target: String,
    },
    /// A file.
    File {
        /// Its length in bytes.
        size: u64,
        /// Its contents, when they are text (UTF-8 without control characters other than
        /// newlines and tabs).
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// The SHA-256 of its contents, in hex, when they are binary.
        #[serde(skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
    },
}

impl Tree {
    /// The tree as serializable data.
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// fs.write("/bin", [0u8, 159, 146, 150])?;
    /// let snapshot = dmemfs_test::Tree::from_memfs(&fs, "/")?.to_snapshot();
    /// let dmemfs_test::TreeEntry::File { sha256, .. } = &snapshot.entries["bin"] else { panic!() };
    /// assert_eq!(sha256.as_ref().unwrap().len(), 64);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn to_snapshot(&self) -> TreeSnapshot {
        let entries = self
            .entries
            .iter()
            .map(|(path, node)| {
                let entry = match node {
                    Node::Dir => TreeEntry::Dir,
                    Node::Symlink(target) => TreeEntry::Symlink {
                        target: target.clone(),
                    },
                    Node::File(contents) => {
                        let text = super::render::text_of(contents).map(str::to_owned);
                        let sha256 = text.is_none().then(|| {
                            Sha256::digest(contents)
                                .iter()
                                .map(|b| format!("{b:02x}"))
                                .collect()
                        });
                        TreeEntry::File {
                            size: contents.len() as u64,
                            text,
                            sha256,
                        }
                    }
                };
                (path.clone(), entry)
            })
            .collect();
        TreeSnapshot {
            root: self.label.clone(),
            entries,
        }
    }
}
