//! Virtual path normalisation.
//!
//! Virtual paths are UTF-8 strings in absolute POSIX style. Normalisation follows D-MemFS
//! (backslashes become slashes, relative paths are rooted, `.` and empty segments vanish, `..`
//! pops a segment, trailing slashes are dropped) and also collapses leading `//`, which D-MemFS
//! kept and which let `"//"` slip past its root checks.

use std::borrow::Cow;

use crate::error::{PathError, Reason};

/// The longest name (one path component) accepted, in bytes. Matches Linux's `NAME_MAX`.
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// let too_long = "x".repeat(dmemfs_core::NAME_MAX + 1);
/// assert_eq!(fs.write(&too_long, "").unwrap_err().kind(), std::io::ErrorKind::InvalidFilename);
/// ```
pub const NAME_MAX: usize = 255;

/// Linux's `PATH_MAX`, which counts a terminating NUL: normalised paths are at most
/// `PATH_MAX - 1` (4095) bytes long, as on Linux.
///
/// Besides matching the kernel, the bound keeps memory linear: every node is indexed by its
/// full path.
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// let deep = "/d".repeat(dmemfs_core::PATH_MAX / 2);
/// assert_eq!(fs.create_dir_all(&deep).unwrap_err().kind(), std::io::ErrorKind::InvalidFilename);
/// ```
pub const PATH_MAX: usize = 4096;

/// Which bytes separate the names of a path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `/` and `\` both separate, as in D-MemFS (paths written on Windows work unchanged):
    /// the rule of [`Semantics::Locked`](crate::Semantics::Locked), of `OsFs` and of archives.
    #[default]
    Dmemfs,
    /// Only `/` separates; `\` is an ordinary byte of a name, as on Linux: the rule of
    /// [`Semantics::Posix`](crate::Semantics::Posix), which a mount needs (`touch 'a\b'`
    /// creates one file).
    Linux,
}

impl Syntax {
    fn separators(self) -> &'static [char] {
        match self {
            Syntax::Dmemfs => &['/', '\\'],
            Syntax::Linux => &['/'],
        }
    }
}

/// Normalises `input` into an absolute path without `.`, `..`, repeated or trailing slashes,
/// with D-MemFS's separators ([`Syntax::Dmemfs`]).
///
/// Returns the input unchanged (borrowed) when it is already normal, which is the common case.
// D-MemFS syntax, fixed: what OsFs and archive names use (a MemFs follows its semantics).
#[cfg(any(test, feature = "os", feature = "tar", feature = "zip"))]
pub(crate) fn normalize(input: &str) -> Result<Cow<'_, str>, Reason> {
    normalize_in(input, Syntax::Dmemfs)
}

/// [`normalize`] with the separators of `syntax`.
pub(crate) fn normalize_in(input: &str, syntax: Syntax) -> Result<Cow<'_, str>, Reason> {
    if is_normal(input, syntax) {
        return Ok(Cow::Borrowed(input));
    }
    normalize_slow(input, false, syntax).map(Cow::Owned)
}

/// Normalises the path a symbolic link leads to: as [`normalize_in`], except that `..` at the
/// root stays at the root, as the kernel resolves it.
pub(crate) fn normalize_link_target(input: &str, syntax: Syntax) -> Result<String, Reason> {
    normalize_slow(input, true, syntax)
}

/// Whether `input` is already in normal form, checked without allocating.
///
/// This runs on every call: paths of up to [`LONG`] bytes are checked eight byte pairs at a
/// time (see [`suspicious_word`]), which beats the vectorised byte loop below that length.
fn is_normal(input: &str, syntax: Syntax) -> bool {
    let bytes = input.as_bytes();
    let n = bytes.len();
    if bytes.first() != Some(&b'/') {
        return false;
    }
    if n == 1 {
        return true;
    }
    if n >= PATH_MAX || bytes[n - 1] == b'/' {
        return false;
    }
    let backslash = match syntax {
        Syntax::Dmemfs => splat(b'\\'),
        // Tested as a NUL again, which changes nothing.
        Syntax::Linux => 0,
    };
    // "/." also flags ordinary names such as "/.git"; the slow path handles them correctly.
    // The first byte is '/', so checking every pair (byte, next byte) covers the whole path.
    let pair = |seen: bool, (&prev, &byte): (&u8, &u8)| {
        seen | ((byte == b'\\') & (backslash != 0))
            | (byte == 0)
            | ((prev == b'/') & ((byte == b'/') | (byte == b'.')))
    };
    let suspicious = if n <= WORD || n > LONG {
        // Branch-free over byte pairs: the compiler vectorises it, which wins on long paths.
        bytes[..n - 1].iter().zip(&bytes[1..]).fold(false, pair)
    } else {
        // Words of the bytes from 1 on, each with the word one byte earlier; the last word
        // is taken flush with the end (it may overlap the one before, which is harmless).
        let whole = bytes[..n - 1]
            .chunks_exact(WORD)
            .zip(bytes[1..].chunks_exact(WORD))
            .fold(0, |seen, (prev, cur)| {
                seen | suspicious_word(word(prev), word(cur), backslash)
            });
        let (prev, cur) = (&bytes[n - 1 - WORD..], &bytes[n - WORD..]);
        let last = suspicious_word(word(prev), word(cur), backslash);
        (whole | last) & splat(0x80) != 0
    };
    // A path no longer than NAME_MAX + 1 cannot hold an over-long name.
    !suspicious && (n <= NAME_MAX + 1 || names_fit(bytes))
}

const WORD: usize = 8;

/// Paths longer than this are checked by the vectorised byte loop.
const LONG: usize = 64;

/// `byte` in every byte of a word.
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; WORD])
}

/// The first eight bytes of `bytes` as a word (the byte order does not matter: every test
/// below works byte by byte).
fn word(bytes: &[u8]) -> u64 {
    let mut out = [0; WORD];
    out.copy_from_slice(&bytes[..WORD]);
    u64::from_ne_bytes(out)
}

/// High bits set in some byte iff `x` has a zero byte (exact as to whether there is one).
fn zero_byte(x: u64) -> u64 {
    x.wrapping_sub(splat(1)) & !x
}

/// Whether, among eight byte pairs (`prev`'s byte, `cur`'s byte in the same position),
/// any has a NUL or a separating backslash in `cur`, or a `/` followed by `/` or `.`: nonzero
/// high bits if so (mask with `splat(0x80)`). `.` and `/` differ only in the lowest bit.
fn suspicious_word(prev: u64, cur: u64, backslash: u64) -> u64 {
    let slash = splat(b'/');
    let slash_then_slash_or_dot = (prev ^ slash) | ((cur | splat(1)) ^ slash);
    zero_byte(cur) | zero_byte(cur ^ backslash) | zero_byte(slash_then_slash_or_dot)
}

fn names_fit(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'/')
        .all(|name| name.len() <= NAME_MAX)
}

#[cold]
fn normalize_slow(input: &str, clamp_at_root: bool, syntax: Syntax) -> Result<String, Reason> {
    if input.contains('\0') {
        return Err(Reason::InvalidPath(PathError::Nul));
    }
    let mut out = String::with_capacity(input.len() + 1);
    // Byte offsets in `out` where each pushed segment's separator starts, for `..`.
    let mut starts: Vec<usize> = Vec::new();
    for segment in input.split(syntax.separators()) {
        match segment {
            "" | "." => {}
            ".." => match starts.pop() {
                Some(start) => out.truncate(start),
                None if clamp_at_root => {}
                None => return Err(Reason::InvalidPath(PathError::AboveRoot)),
            },
            name => {
                if name.len() > NAME_MAX {
                    return Err(Reason::NameTooLong);
                }
                starts.push(out.len());
                out.push('/');
                out.push_str(name);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    if out.len() >= PATH_MAX {
        return Err(Reason::NameTooLong);
    }
    Ok(out)
}

/// Splits a normalised path into its parent and its last name; `None` for the root.
pub(crate) fn split_parent(path: &str) -> Option<(&str, &str)> {
    if path == "/" {
        return None;
    }
    // A byte loop: names are short, and `rfind` calls into memchr with a setup cost that
    // showed in profiles of small-file workloads.
    let slash = path.bytes().rposition(|b| b == b'/').unwrap_or(0);
    let parent = if slash == 0 { "/" } else { &path[..slash] };
    Some((parent, &path[slash + 1..]))
}

/// Joins a normalised directory path and a name.
pub(crate) fn join(dir: &str, name: &str) -> String {
    let mut out = String::with_capacity(dir.len() + 1 + name.len());
    out.push_str(dir);
    if dir != "/" {
        out.push('/');
    }
    out.push_str(name);
    out
}

/// Whether `path` lies strictly below `ancestor` (both normalised).
pub(crate) fn is_strictly_below(path: &str, ancestor: &str) -> bool {
    if ancestor == "/" {
        return path != "/";
    }
    path.len() > ancestor.len()
        && path.starts_with(ancestor)
        && path.as_bytes()[ancestor.len()] == b'/'
}

/// Rewrites `path`, which lies at or below `from`, to lie at or below `to`.
pub(crate) fn rebase(path: &str, from: &str, to: &str) -> String {
    // Below the root, `rest` keeps its leading slash: "/a/b" from "/a" is "/b"; from "/" it is
    // the whole path.
    let rest = if from == "/" {
        path.trim_end_matches('/')
    } else {
        &path[from.len()..]
    };
    if to == "/" {
        if rest.is_empty() {
            "/".to_owned()
        } else {
            rest.to_owned()
        }
    } else {
        let mut out = String::with_capacity(to.len() + rest.len());
        out.push_str(to);
        out.push_str(rest);
        out
    }
}

/// The proper ancestors of a normalised path, from the root's child down to its parent
/// (the root itself is not included): `/a/b/c` gives `/a`, `/a/b`.
pub(crate) fn ancestors_below_root(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .skip(1)
        .map(move |(i, _)| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(p: &str) -> Result<String, Reason> {
        normalize(p).map(Cow::into_owned)
    }

    #[test]
    fn normalises_like_dmemfs() {
        let cases = [
            ("/a/b/", "/a/b"),
            ("/a//b", "/a/b"),
            ("/a/./b", "/a/b"),
            ("/a/b/../c", "/a/c"),
            ("a/b/c", "/a/b/c"),
            ("", "/"),
            ("/", "/"),
            (".", "/"),
            ("a/..", "/"),
            ("\\a\\b", "/a/b"),
            ("//a", "/a"),
            ("//", "/"),
            ("///a//", "/a"),
            ("....", "/...."),
            ("/a/...", "/a/..."),
            (" ", "/ "),
            ("/.git/x", "/.git/x"),
        ];
        for (input, want) in cases {
            assert_eq!(norm(input).as_deref(), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn rejects_escapes_and_nul() {
        for bad in ["../x", "/a/../../x", "..\\x", "/..", ".."] {
            assert_eq!(
                norm(bad),
                Err(Reason::InvalidPath(PathError::AboveRoot)),
                "{bad:?}"
            );
        }
        assert_eq!(norm("/a\0b"), Err(Reason::InvalidPath(PathError::Nul)));
    }

    #[test]
    fn enforces_name_and_path_limits() {
        let long_name = "n".repeat(NAME_MAX + 1);
        assert_eq!(norm(&format!("/{long_name}")), Err(Reason::NameTooLong));
        assert_eq!(norm(&format!("/x/{long_name}/y")), Err(Reason::NameTooLong));
        let ok_name = "n".repeat(NAME_MAX);
        assert!(norm(&format!("/{ok_name}")).is_ok());
        let longest = format!("/{}", "a".repeat(NAME_MAX)).repeat(15)
            + "/"
            + &"b".repeat(PATH_MAX - 1 - 15 * 256 - 1);
        assert_eq!(longest.len(), PATH_MAX - 1);
        assert!(norm(&longest).is_ok());
        assert_eq!(norm(&(longest.clone() + "c")), Err(Reason::NameTooLong));
        assert_eq!(norm(&(longest + "/")).map(|p| p.len()), Ok(PATH_MAX - 1));
        let deep = "/a".repeat(PATH_MAX / 2 + 1);
        assert_eq!(norm(&deep), Err(Reason::NameTooLong));
        // A long input can still normalise below the limit.
        let shrinking = format!("{}/x", "/a/..".repeat(2000));
        assert_eq!(norm(&shrinking).as_deref(), Ok("/x"));
    }

    /// The byte-pair definition the word-at-a-time `is_normal` must agree with.
    fn is_normal_bytewise(input: &str, syntax: Syntax) -> bool {
        let b = input.as_bytes();
        b.first() == Some(&b'/')
            && (b.len() == 1
                || (b.len() < PATH_MAX
                    && b[b.len() - 1] != b'/'
                    && b.windows(2).all(|w| {
                        w[1] != 0
                            && !(w[1] == b'\\' && syntax == Syntax::Dmemfs)
                            && !(w[0] == b'/' && (w[1] == b'/' || w[1] == b'.'))
                    })
                    && names_fit(b)))
    }

    #[test]
    fn word_check_agrees_with_bytes() {
        let alphabet = ["/", ".", "a", "\\", "\0", "\u{e9}", "-"];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut normal = 0;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 1 + (seed % 40) as usize;
            let mut path = String::from("/");
            let mut bits = seed;
            for _ in 1..len {
                bits = bits.rotate_left(5) ^ 0x9e37_79b9;
                path.push_str(alphabet[(bits % alphabet.len() as u64) as usize]);
            }
            for syntax in [Syntax::Dmemfs, Syntax::Linux] {
                normal += usize::from(is_normal_bytewise(&path, syntax));
                assert_eq!(
                    is_normal(&path, syntax),
                    is_normal_bytewise(&path, syntax),
                    "{path:?} {syntax:?}"
                );
            }
        }
        assert!(normal > 1_000, "too few normal paths drawn: {normal}");
        for long in ["/a".repeat(200), format!("{}/./x", "/abc".repeat(70))] {
            assert_eq!(
                is_normal(&long, Syntax::Dmemfs),
                is_normal_bytewise(&long, Syntax::Dmemfs)
            );
        }
    }

    #[test]
    fn normal_input_is_borrowed() {
        assert!(matches!(normalize("/a/b.txt"), Ok(Cow::Borrowed(_))));
        assert!(matches!(normalize("/a/b/"), Ok(Cow::Owned(_))));
    }

    #[test]
    fn idempotent() {
        for p in ["a/./b//c/../d/", "\\x\\.\\y", "/", "", "/a/.hidden/..."] {
            let once = norm(p).unwrap();
            assert_eq!(norm(&once).unwrap(), once);
        }
    }

    #[test]
    fn parent_split_join_rebase() {
        assert_eq!(split_parent("/"), None);
        assert_eq!(split_parent("/a"), Some(("/", "a")));
        assert_eq!(split_parent("/a/b/c"), Some(("/a/b", "c")));
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("/a", "b"), "/a/b");
        assert!(is_strictly_below("/a/b", "/a"));
        assert!(!is_strictly_below("/ab", "/a"));
        assert!(!is_strictly_below("/a", "/a"));
        assert!(is_strictly_below("/a", "/"));
        assert_eq!(rebase("/a/b/c", "/a", "/x"), "/x/b/c");
        assert_eq!(rebase("/a", "/a", "/x/y"), "/x/y");
        assert_eq!(rebase("/a/b", "/", "/r"), "/r/a/b");
        assert_eq!(rebase("/", "/", "/r"), "/r");
        assert_eq!(rebase("/a/b", "/a", "/"), "/b");
        let anc: Vec<_> = ancestors_below_root("/a/b/c").collect();
        assert_eq!(anc, ["/a", "/a/b"]);
        assert_eq!(ancestors_below_root("/a").count(), 0);
    }
}
