//! A normalised path as the namespace keeps it: short paths inline, longer ones shared.
//!
//! Most paths are short (`/src/main.rs`, `/f000123.bin`). Kept inline in the index's entry,
//! such a path costs no allocation of its own (an `Arc<str>` took 16 bytes of counts plus its
//! bytes, and a cache miss on every lookup, which compares the path), and the filesystem's
//! drop frees no key. A path longer than [`INLINE`] bytes is shared, so that open handles and
//! directory records name it without a copy.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The longest path kept inline: the key is 24 bytes either way (a tag, a length, the bytes;
/// or a tag and a shared string).
const INLINE: usize = 22;

#[derive(Clone)]
pub(crate) enum Key {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl Key {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Key::Shared(path) => path.as_bytes(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::Inline { .. } => checked(self.as_bytes()),
            Key::Shared(path) => path,
        }
    }

    /// Whether the key is `path` (bytes compared, no UTF-8 check).
    pub(crate) fn is(&self, path: &str) -> bool {
        self.as_bytes() == path.as_bytes()
    }
}

/// Inline bytes as the `str` they were made from: checked again rather than trusted (the crate
/// has no `unsafe`; short paths only). Out of line, with its panic: inlined, the optimiser
/// ran the check ahead of branches that use the path only on errors (handles' writes and
/// reads paid 135 instructions for it).
#[inline(never)]
fn checked(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("a key is UTF-8")
}

impl From<&str> for Key {
    fn from(path: &str) -> Key {
        if path.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..path.len()].copy_from_slice(path.as_bytes());
            Key::Inline {
                len: path.len() as u8,
                bytes,
            }
        } else {
            Key::Shared(Arc::from(path))
        }
    }
}

impl Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paths_inline_long_ones_shared() {
        assert_eq!(size_of::<Key>(), 24);
        let short = Key::from("/a/b.txt");
        assert!(matches!(short, Key::Inline { .. }));
        let edge = Key::from("/0123456789/01234567é");
        assert_eq!(edge.len(), INLINE);
        assert!(matches!(edge, Key::Inline { .. }));
        assert_eq!(&*edge, "/0123456789/01234567é");
        let long = Key::from("/0123456789/0123456789/x");
        assert!(matches!(long, Key::Shared(_)));
        assert!(long.is("/0123456789/0123456789/x") && !long.is("/0123456789/0123456789/"));
        assert_eq!(short.to_string(), "/a/b.txt");
        assert_eq!(short, short.clone());
    }
}
