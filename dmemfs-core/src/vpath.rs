//! Helpers for virtual paths, the `&str` paths every [`MemFs`](crate::MemFs) and
//! [`FileSystem`](crate::FileSystem) method takes: [`join`], [`parent`], [`file_name`],
//! [`file_stem`] and [`extension`], shaped like the methods of [`std::path::Path`] of the same
//! names, so that code moving from `Path` keeps its meaning.
//!
//! They are lexical, as `Path`'s are: nothing is looked up, and `..` is not resolved; repeated
//! separators, trailing separators and `.` components are skipped. Only `/` separates, as in
//! `Path` on Unix and in every path the filesystem hands back (a `\` is part of a name here;
//! the default locked semantics also reads it as a separator when normalising, POSIX
//! semantics does not).
//!
//! ```
//! use dmemfs_core::{MemFs, vpath};
//!
//! let fs = MemFs::new();
//! let dir = "/logs";
//! let archive = vpath::join(dir, "app.log.1.gz");
//! fs.create_dir(dir)?;
//! fs.write(&archive, "...")?;
//! assert_eq!(vpath::parent(&archive), Some("/logs"));
//! assert_eq!(vpath::file_name(&archive), Some("app.log.1.gz"));
//! assert_eq!(vpath::extension(&archive), Some("gz"));
//! assert_eq!(vpath::join("/", "app.log"), "/app.log"); // not `//app.log`
//! # Ok::<(), std::io::Error>(())
//! ```

fn is_separator(c: char) -> bool {
    c == '/'
}

/// `path` without trailing separators and `.` components; a root stays a root (`"/"`).
fn trim_tail(path: &str) -> &str {
    let mut rest = path;
    loop {
        let trimmed = rest.trim_end_matches(is_separator);
        if trimmed.is_empty() {
            // Only separators (the root), or nothing at all.
            return &rest[..rest.len().min(1)];
        }
        match trimmed.strip_suffix('.') {
            Some(head) if head.is_empty() || head.ends_with(is_separator) => rest = head,
            _ => return trimmed,
        }
    }
}

/// The last component and what precedes it (separators included), or `None` for a root or
/// empty path.
fn split_last(path: &str) -> Option<(&str, &str)> {
    let path = trim_tail(path);
    let start = path.rfind(is_separator).map_or(0, |i| i + 1);
    let name = &path[start..];
    (!name.is_empty()).then(|| (&path[..start], name))
}

/// Joins `path` onto `base`, with one separator between them. An absolute `path` (starting
/// with a separator) replaces `base`, as in [`Path::join`](std::path::Path::join).
///
/// ```
/// use dmemfs_core::vpath::join;
///
/// assert_eq!(join("/logs", "app.log"), "/logs/app.log");
/// assert_eq!(join("/logs/", "app.log"), "/logs/app.log");
/// assert_eq!(join("/", "app.log"), "/app.log");
/// assert_eq!(join("/logs", "old/app.log.2"), "/logs/old/app.log.2");
/// assert_eq!(join("/logs", "/etc/app.toml"), "/etc/app.toml");
/// ```
pub fn join(base: &str, path: &str) -> String {
    if base.is_empty() || path.starts_with(is_separator) {
        return path.to_owned();
    }
    let mut joined = String::with_capacity(base.len() + 1 + path.len());
    joined.push_str(base);
    if !base.ends_with(is_separator) {
        joined.push('/');
    }
    joined.push_str(path);
    joined
}

/// The path without its last component, or `None` if it has none (the root, or an empty
/// path), as [`Path::parent`](std::path::Path::parent). The parent of a single relative name
/// is `""`.
///
/// ```
/// use dmemfs_core::vpath::parent;
///
/// assert_eq!(parent("/logs/app.log"), Some("/logs"));
/// assert_eq!(parent("/logs/"), Some("/"));
/// assert_eq!(parent("/"), None);
/// assert_eq!(parent("app.log"), Some(""));
/// ```
pub fn parent(path: &str) -> Option<&str> {
    let (head, _) = split_last(path)?;
    Some(trim_tail(head))
}

/// The last component, or `None` if the path ends in `..` or has no component, as
/// [`Path::file_name`](std::path::Path::file_name).
///
/// ```
/// use dmemfs_core::vpath::file_name;
///
/// assert_eq!(file_name("/logs/app.log.1.gz"), Some("app.log.1.gz"));
/// assert_eq!(file_name("/logs/"), Some("logs"));
/// assert_eq!(file_name("/logs/.."), None);
/// assert_eq!(file_name("/"), None);
/// ```
pub fn file_name(path: &str) -> Option<&str> {
    split_last(path)
        .map(|(_, name)| name)
        .filter(|name| *name != "..")
}

/// The file name without its extension (everything before the last `.`; the whole name if it
/// has no `.` or only a leading one), as [`Path::file_stem`](std::path::Path::file_stem).
///
/// ```
/// use dmemfs_core::vpath::file_stem;
///
/// assert_eq!(file_stem("/logs/app.log.1.gz"), Some("app.log.1"));
/// assert_eq!(file_stem("/home/.bashrc"), Some(".bashrc"));
/// assert_eq!(file_stem("/"), None);
/// ```
pub fn file_stem(path: &str) -> Option<&str> {
    let name = file_name(path)?;
    Some(split_extension(name).map_or(name, |(stem, _)| stem))
}

/// The extension of the file name (after its last `.`), or `None` if it has none or only a
/// leading `.`, as [`Path::extension`](std::path::Path::extension).
///
/// ```
/// use dmemfs_core::vpath::extension;
///
/// assert_eq!(extension("/logs/app.log.1.gz"), Some("gz"));
/// assert_eq!(extension("/logs/app"), None);
/// assert_eq!(extension("/home/.bashrc"), None);
/// ```
pub fn extension(path: &str) -> Option<&str> {
    split_extension(file_name(path)?).map(|(_, extension)| extension)
}

fn split_extension(name: &str) -> Option<(&str, &str)> {
    name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const PATHS: [&str; 24] = [
        "",
        "/",
        "//",
        "a",
        "/a",
        "/a/",
        "/a//",
        "/a/b",
        "a/b",
        "/a/b.txt",
        "/a/b.tar.gz",
        "/a/.hidden",
        "/a/.hidden.txt",
        "/a/b.",
        "/a/..",
        "/a/../b",
        "/a/.",
        "/a/./b",
        "./a",
        "/a/b/./",
        "/a//b",
        "a.b/c",
        "/.",
        "..",
    ];

    /// Every helper agrees with `std::path::Path` on `/`-separated paths.
    #[test]
    fn agrees_with_std_path() {
        let text = |p: Option<&std::ffi::OsStr>| p.map(|p| p.to_str().unwrap().to_owned());
        for path in PATHS {
            let std = Path::new(path);
            let case = format!("path {path:?}");
            assert_eq!(
                file_name(path).map(str::to_owned),
                text(std.file_name()),
                "{case}"
            );
            assert_eq!(
                file_stem(path).map(str::to_owned),
                text(std.file_stem()),
                "{case}"
            );
            assert_eq!(
                extension(path).map(str::to_owned),
                text(std.extension()),
                "{case}"
            );
            if !path.starts_with('.') {
                // std keeps a leading `.` component (`./a`'s parent is `.`); these skip it.
                let std_parent = std.parent().map(|p| p.to_str().unwrap().to_owned());
                assert_eq!(parent(path).map(str::to_owned), std_parent, "{case}");
            }
            for other in ["x", "x/y", "/x", ""] {
                let std_join = std.join(other);
                assert_eq!(
                    join(path, other),
                    std_join.to_str().unwrap(),
                    "{case} + {other:?}"
                );
            }
        }
    }

    #[test]
    fn a_backslash_is_part_of_a_name() {
        assert_eq!(file_name("/logs/a\\b.log"), Some("a\\b.log"));
        assert_eq!(parent("/logs/a\\b"), Some("/logs"));
        assert_eq!(join("/logs", "\\a"), "/logs/\\a");
    }

    #[test]
    fn a_leading_dot_component_is_skipped() {
        assert_eq!(parent("./a"), Some(""));
        assert_eq!(file_name("./a"), Some("a"));
        assert_eq!(parent("."), None);
    }
}
