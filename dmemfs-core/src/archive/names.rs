//! From an archive entry's name to the virtual path it extracts to.
//!
//! Stricter than the crate's path normalisation on purpose: a `..` anywhere is refused rather
//! than resolved (`a/../b` is legal in a path but only an attacker writes it in an archive),
//! and so are absolute names and drive prefixes, which `normalize` would quietly re-root.

use crate::error::Reason;
use crate::path::normalize;

/// Where an entry goes.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// The destination directory itself (`.`, `./`).
    Dest,
    /// A path strictly below the destination, normalised.
    Below(String),
}

/// Maps `entry` to a path below the normalised directory `dest`.
///
/// Both `/` and `\` separate components, as in virtual paths, so a Windows-made archive's
/// `dir\file` extracts to `dir/file` and `..\x` is caught like `../x`. Empty and `.`
/// components are dropped (`./a//b` is `a/b`, as tar writes them).
pub(super) fn target(dest: &str, entry: &str) -> Result<Target, Reason> {
    let unsafe_entry = |why| Reason::UnsafeEntry {
        entry: entry.to_owned(),
        why,
    };
    if entry.is_empty() {
        return Err(unsafe_entry("the name is empty"));
    }
    if entry.contains('\0') {
        return Err(unsafe_entry("the name contains a NUL byte"));
    }
    if entry.starts_with(['/', '\\']) {
        return Err(unsafe_entry("absolute names are refused"));
    }
    let bytes = entry.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(unsafe_entry("a drive prefix is refused"));
    }
    let mut components = Vec::new();
    for component in entry.split(['/', '\\']) {
        match component {
            "" | "." => {}
            ".." => return Err(unsafe_entry("`..` components are refused")),
            name => components.push(name),
        }
    }
    if components.is_empty() {
        return Ok(Target::Dest);
    }
    let mut path = String::with_capacity(dest.len() + entry.len() + 1);
    path.push_str(if dest == "/" { "" } else { dest });
    for name in components {
        path.push('/');
        path.push_str(name);
    }
    // Only the length limits can still fail here: no `..`, no empty or `.` components.
    let normalized = normalize(&path)?.into_owned();
    debug_assert_eq!(normalized, path);
    Ok(Target::Below(normalized))
}

/// The entry's name as text: archive names are bytes, virtual paths UTF-8.
pub(super) fn utf8_name(raw: &[u8]) -> Result<String, Reason> {
    String::from_utf8(raw.to_vec()).map_err(|_| Reason::UnsafeEntry {
        entry: String::from_utf8_lossy(raw).into_owned(),
        why: "the name is not valid UTF-8",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn below(dest: &str, entry: &str) -> String {
        match target(dest, entry) {
            Ok(Target::Below(path)) => path,
            other => panic!("{entry:?}: {other:?}"),
        }
    }

    fn why(entry: &str) -> &'static str {
        match target("/d", entry) {
            Err(Reason::UnsafeEntry { why, .. }) => why,
            other => panic!("{entry:?} was accepted: {other:?}"),
        }
    }

    #[test]
    fn ordinary_names_land_below_the_destination() {
        assert_eq!(below("/d", "a.txt"), "/d/a.txt");
        assert_eq!(below("/d", "./a//b/"), "/d/a/b");
        assert_eq!(below("/d", "dir\\file"), "/d/dir/file");
        assert_eq!(below("/", "a/b"), "/a/b");
        assert_eq!(below("/d", "...."), "/d/....");
        assert_eq!(below("/d", ".hidden"), "/d/.hidden");
        assert_eq!(target("/d", "./"), Ok(Target::Dest));
        assert_eq!(target("/d", "."), Ok(Target::Dest));
    }

    #[test]
    fn escapes_are_refused() {
        assert_eq!(why("../x"), "`..` components are refused");
        assert_eq!(why("a/../../x"), "`..` components are refused");
        assert_eq!(why("a/../b"), "`..` components are refused");
        assert_eq!(why("..\\..\\x"), "`..` components are refused");
        assert_eq!(why("/etc/passwd"), "absolute names are refused");
        assert_eq!(why("\\\\server\\share"), "absolute names are refused");
        assert_eq!(why("C:\\Windows"), "a drive prefix is refused");
        assert_eq!(why("c:x"), "a drive prefix is refused");
        assert_eq!(why(""), "the name is empty");
        assert_eq!(why("a\0b"), "the name contains a NUL byte");
    }

    #[test]
    fn length_limits_apply() {
        let long = "n".repeat(crate::NAME_MAX + 1);
        assert_eq!(target("/d", &long), Err(Reason::NameTooLong));
    }

    #[test]
    fn non_utf8_names_are_refused() {
        assert!(matches!(
            utf8_name(b"caf\xe9"),
            Err(Reason::UnsafeEntry {
                why: "the name is not valid UTF-8",
                ..
            })
        ));
        assert_eq!(utf8_name(b"ok").unwrap(), "ok");
    }
}
