//! Support for the file assertions: `assert_exists!`, `assert_missing!`, `assert_is_dir!`,
//! `assert_is_file!`, `assert_file_eq!`, `assert_file_contains!`, `assert_file_matches!`.
//! Failure messages show the part of the tree around the path.

use dmemfs_core::MemFs;

use crate::tree::RenderOptions;

/// What a path was expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Anything.
    Exists,
    /// Nothing.
    Missing,
    /// A directory.
    Dir,
    /// A file.
    File,
}

/// Checks what `path` is.
#[track_caller]
pub fn check_path(fs: &MemFs, path: &str, expect: Expect, macro_name: &str) {
    // Assertions look at the files as they are, whatever faults the test armed.
    let fs = &fs.without_faults();
    let meta = fs.metadata(path).ok();
    let holds = match expect {
        Expect::Exists => meta.is_some(),
        Expect::Missing => meta.is_none(),
        Expect::Dir => meta.is_some_and(|m| m.is_dir()),
        Expect::File => meta.is_some_and(|m| m.is_file()),
    };
    if !holds {
        let found = match meta {
            None => "nothing is there".to_owned(),
            Some(m) if m.is_dir() => "it is a directory".to_owned(),
            Some(m) => format!("it is a file of {} bytes", m.len()),
        };
        panic!(
            "{macro_name}!(`{path}`) failed: {found}\n{}",
            surroundings(fs, path)
        );
    }
}

/// Reads a file for a content assertion, panicking with context if it cannot be read.
#[track_caller]
fn read_for(fs: &MemFs, path: &str, macro_name: &str) -> Vec<u8> {
    // `peek`: an assertion must not wait on a handle the test itself holds. A `match`, not
    // `unwrap_or_else`: a closure would report its own line, not the test's.
    match fs.peek(path) {
        Ok(contents) => contents,
        Err(err) => panic!(
            "{macro_name}!(`{path}`) failed: {err}\n{}",
            surroundings(fs, path)
        ),
    }
}

/// Checks a file's exact contents.
#[track_caller]
pub fn check_file_eq(fs: &MemFs, path: &str, expected: &[u8]) {
    let actual = read_for(fs, path, "assert_file_eq");
    if actual == expected {
        return;
    }
    let comparison = match (std::str::from_utf8(&actual), std::str::from_utf8(expected)) {
        (Ok(actual), Ok(expected)) => {
            let diff = similar::TextDiff::from_lines(expected, actual);
            format!("{}", diff.unified_diff().header("expected", "actual"))
        }
        _ => format!(
            "expected {} bytes: {:?}\nactual {} bytes: {:?}",
            expected.len(),
            preview(expected),
            actual.len(),
            preview(&actual)
        ),
    };
    panic!("assert_file_eq!(`{path}`) failed: the contents differ\n{comparison}");
}

/// Checks that a file contains `needle`.
#[track_caller]
pub fn check_file_contains(fs: &MemFs, path: &str, needle: &[u8]) {
    let actual = read_for(fs, path, "assert_file_contains");
    let found = needle.is_empty() || actual.windows(needle.len()).any(|window| window == needle);
    if !found {
        panic!(
            "assert_file_contains!(`{path}`) failed: {:?} not found in its {} bytes\n{}",
            String::from_utf8_lossy(needle),
            actual.len(),
            surroundings(fs, path)
        );
    }
}

/// Checks a file's contents against a predicate.
#[track_caller]
pub fn check_file_matches(
    fs: &MemFs,
    path: &str,
    predicate: impl FnOnce(&[u8]) -> bool,
    predicate_expr: &str,
) {
    let actual = read_for(fs, path, "assert_file_matches");
    if !predicate(&actual) {
        panic!(
            "assert_file_matches!(`{path}`, {predicate_expr}) failed: the predicate is false for its {} bytes\n{}",
            actual.len(),
            surroundings(fs, path)
        );
    }
}

fn preview(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(64)];
    let mut text = String::from_utf8_lossy(shown).into_owned();
    if shown.len() < bytes.len() {
        text.push('…');
    }
    text
}

/// The tree at the nearest existing directory above `path`, contents abridged.
fn surroundings(fs: &MemFs, path: &str) -> String {
    let mut dir = path.trim_end_matches('/').to_owned();
    loop {
        dir = match dir.rfind('/') {
            Some(0) | None => "/".to_owned(),
            Some(i) => dir[..i].to_owned(),
        };
        if fs.is_dir(&dir) || dir == "/" {
            break;
        }
    }
    let options = RenderOptions::new()
        .max_text_bytes(200)
        .hex_preview_bytes(16);
    match options.render(fs, &dir) {
        Ok(text) => format!("the tree at `{dir}`:\n{text}"),
        Err(err) => format!("(the tree at `{dir}` is unavailable: {err})"),
    }
}
