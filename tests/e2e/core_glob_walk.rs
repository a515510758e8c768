//! `walk` (pre-order, sorted, pruning, depth bound) and `glob` (shell patterns with `**`),
//! including a brute-force comparison of `glob` against a reference matcher.

use std::collections::BTreeSet;
use std::io::ErrorKind;

use dmemfs_core::{FileType, MemFs, Op, Reason, Walk};

use crate::common::*;

/// A tree with files and directories at several depths.
///
/// ```text
/// /a/            /a/b/           /a/b/c/        /a/b/c/deep.txt
/// /a/b/x.txt     /a/y.txt        /a/z.rs        /a/empty/
/// /b.txt         /c/             /c/d.txt
/// ```
fn sample() -> MemFs {
    let fs = MemFs::new();
    fs.create_dir_all("/a/b/c").unwrap();
    fs.create_dir_all("/a/empty").unwrap();
    fs.create_dir("/c").unwrap();
    for (path, contents) in [
        ("/a/b/c/deep.txt", "deep"),
        ("/a/b/x.txt", "x"),
        ("/a/y.txt", "yy"),
        ("/a/z.rs", "fn z() {}"),
        ("/b.txt", "b"),
        ("/c/d.txt", "dd"),
    ] {
        fs.write(path, contents).unwrap();
    }
    fs
}

fn walk_paths(fs: &MemFs, dir: &str) -> Vec<String> {
    fs.walk(dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect()
}

/// Walks `dir`, calling `skip_current_dir` right after the entries named in `skip_after`.
fn walk_skipping(mut walk: Walk, skip_after: &[&str]) -> Vec<String> {
    let mut seen = Vec::new();
    while let Some(entry) = walk.next() {
        let entry = entry.unwrap();
        if skip_after.contains(&entry.path()) {
            walk.skip_current_dir();
        }
        seen.push(entry.path().to_owned());
    }
    seen
}

fn glob(fs: &MemFs, pattern: &str) -> Vec<String> {
    fs.glob(pattern)
        .unwrap_or_else(|e| panic!("glob {pattern:?}: {e}"))
}

// ---------------------------------------------------------------- walk

#[test]
fn walk_is_pre_order_with_sorted_children_and_depths() {
    let fs = sample();
    let entries: Vec<_> = fs.walk("/").unwrap().map(Result::unwrap).collect();
    let got: Vec<(&str, usize, FileType)> = entries
        .iter()
        .map(|e| (e.path(), e.depth(), e.file_type()))
        .collect();
    use FileType::{Dir, File};
    assert_eq!(
        got,
        [
            ("/", 0, Dir),
            ("/a", 1, Dir),
            ("/a/b", 2, Dir),
            ("/a/b/c", 3, Dir),
            ("/a/b/c/deep.txt", 4, File),
            ("/a/b/x.txt", 3, File),
            ("/a/empty", 2, Dir),
            ("/a/y.txt", 2, File),
            ("/a/z.rs", 2, File),
            ("/b.txt", 1, File),
            ("/c", 1, Dir),
            ("/c/d.txt", 2, File),
        ]
    );
    assert_eq!(entries[0].file_name(), "/");
    assert_eq!(entries[4].file_name(), "deep.txt");
    assert_eq!(entries[4].metadata().len(), 4);
    assert_eq!(entries[8].metadata(), fs.metadata("/a/z.rs").unwrap());
}

#[test]
fn walk_of_a_subdirectory_starts_with_it_at_depth_zero() {
    let fs = sample();
    let entries: Vec<_> = fs.walk("a/b/").unwrap().map(Result::unwrap).collect();
    let got: Vec<(&str, &str, usize)> = entries
        .iter()
        .map(|e| (e.path(), e.file_name(), e.depth()))
        .collect();
    assert_eq!(
        got,
        [
            ("/a/b", "b", 0),
            ("/a/b/c", "c", 1),
            ("/a/b/c/deep.txt", "deep.txt", 2),
            ("/a/b/x.txt", "x.txt", 1),
        ]
    );
    assert_eq!(walk_paths(&fs, "/a/empty"), ["/a/empty"]);
    assert_eq!(walk_paths(&MemFs::new(), ""), ["/"]);
}

#[test]
fn skip_current_dir_after_a_directory_skips_its_contents() {
    let fs = sample();
    let seen = walk_skipping(fs.walk("/").unwrap(), &["/a/b"]);
    assert_eq!(
        seen,
        [
            "/", "/a", "/a/b", "/a/empty", "/a/y.txt", "/a/z.rs", "/b.txt", "/c", "/c/d.txt"
        ]
    );
    let seen = walk_skipping(fs.walk("/").unwrap(), &["/a", "/c"]);
    assert_eq!(seen, ["/", "/a", "/b.txt", "/c"]);
    // After the walked directory itself: nothing more.
    assert_eq!(walk_skipping(fs.walk("/").unwrap(), &["/"]), ["/"]);
    assert_eq!(walk_skipping(fs.walk("/a").unwrap(), &["/a"]), ["/a"]);
}

#[test]
fn skip_current_dir_after_a_file_skips_the_rest_of_its_directory() {
    let fs = sample();
    let seen = walk_skipping(fs.walk("/").unwrap(), &["/a/b/c/deep.txt"]);
    // The rest of /a/b/c (nothing), then /a/b continues.
    assert_eq!(
        &seen[..6],
        ["/", "/a", "/a/b", "/a/b/c", "/a/b/c/deep.txt", "/a/b/x.txt"]
    );
    let seen = walk_skipping(fs.walk("/").unwrap(), &["/a/b/x.txt"]);
    assert_eq!(
        seen,
        [
            "/",
            "/a",
            "/a/b",
            "/a/b/c",
            "/a/b/c/deep.txt",
            "/a/b/x.txt",
            "/a/empty",
            "/a/y.txt",
            "/a/z.rs",
            "/b.txt",
            "/c",
            "/c/d.txt"
        ]
    );
    let seen = walk_skipping(fs.walk("/").unwrap(), &["/a/y.txt"]);
    assert_eq!(
        seen,
        [
            "/",
            "/a",
            "/a/b",
            "/a/b/c",
            "/a/b/c/deep.txt",
            "/a/b/x.txt",
            "/a/empty",
            "/a/y.txt",
            "/b.txt",
            "/c",
            "/c/d.txt"
        ]
    );
    let seen = walk_skipping(fs.walk("/").unwrap(), &["/b.txt"]);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("/b.txt"),
        "the rest of / is skipped"
    );
}

#[test]
fn max_depth_bounds_the_walk() {
    let fs = sample();
    assert_eq!(
        fs.walk("/")
            .unwrap()
            .max_depth(0)
            .map(|e| e.unwrap().path().to_owned())
            .collect::<Vec<_>>(),
        ["/"]
    );
    let one: Vec<_> = fs
        .walk("/")
        .unwrap()
        .max_depth(1)
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(one, ["/", "/a", "/b.txt", "/c"]);
    let two: Vec<_> = fs
        .walk("/a")
        .unwrap()
        .max_depth(2)
        .map(|e| e.unwrap())
        .collect();
    let got: Vec<(&str, usize)> = two.iter().map(|e| (e.path(), e.depth())).collect();
    assert_eq!(
        got,
        [
            ("/a", 0),
            ("/a/b", 1),
            ("/a/b/c", 2),
            ("/a/b/x.txt", 2),
            ("/a/empty", 1),
            ("/a/y.txt", 1),
            ("/a/z.rs", 1),
        ]
    );
    assert_eq!(fs.walk("/").unwrap().max_depth(usize::MAX).count(), 12);
}

#[test]
fn skip_current_dir_with_max_depth_inside_the_bound() {
    let fs = sample();
    let seen = walk_skipping(fs.walk("/").unwrap().max_depth(3), &["/a/b"]);
    assert_eq!(
        seen,
        [
            "/", "/a", "/a/b", "/a/empty", "/a/y.txt", "/a/z.rs", "/b.txt", "/c", "/c/d.txt"
        ]
    );
}

#[test]
fn skip_current_dir_after_a_directory_at_the_depth_bound_skips_only_its_contents() {
    let fs = sample();
    // "/a" is at the bound: its contents are not walked anyway; skipping it must not skip
    // "/b.txt" and "/c" (the documented rule, and walkdir's behaviour).
    let seen = walk_skipping(fs.walk("/").unwrap().max_depth(1), &["/a"]);
    assert_eq!(seen, ["/", "/a", "/b.txt", "/c"]);
}

#[test]
fn walk_errors_are_reported_by_walk_itself() {
    let fs = sample();
    let err = expect_err(fs.walk("/b.txt"), ErrorKind::NotADirectory);
    assert_eq!(
        (err.op(), err.path(), err.reason()),
        (Op::Walk, "/b.txt", &Reason::NotADirectory)
    );
    let err = expect_err(fs.walk("/nope"), ErrorKind::NotFound);
    assert_eq!((err.op(), err.path()), (Op::Walk, "/nope"));
    expect_err(fs.walk("/a/nope/deeper"), ErrorKind::NotFound);
    expect_reason(
        fs.walk("/b.txt/x"),
        ErrorKind::NotADirectory,
        &Reason::ComponentNotADirectory {
            component: "/b.txt".into(),
        },
    );
    expect_err(fs.walk("/.."), ErrorKind::InvalidInput);
}

#[test]
fn a_directory_removed_during_the_walk_is_skipped_without_error() {
    let fs = sample();
    fs.create_dir("/c/sub").unwrap();
    fs.write("/c/sub/inner", "i").unwrap();
    let mut seen = Vec::new();
    for entry in fs.walk("/").unwrap() {
        let entry = entry.expect("a walk never fails once started");
        seen.push(entry.path().to_owned());
        if entry.path() == "/a/b/x.txt" {
            // /c/sub: not listed yet. /a/empty: already listed in /a, not reached yet.
            fs.remove_dir_all("/c/sub").unwrap();
            fs.remove_dir("/a/empty").unwrap();
            fs.write("/a/empty", "now a file").unwrap();
        }
    }
    assert!(!seen.iter().any(|p| p.starts_with("/c/sub")), "{seen:?}");
    // The stale "/a/empty" entry of /a's listing may or may not be yielded; nothing below it is.
    seen.retain(|p| p != "/a/empty");
    assert_eq!(
        seen,
        [
            "/",
            "/a",
            "/a/b",
            "/a/b/c",
            "/a/b/c/deep.txt",
            "/a/b/x.txt",
            "/a/y.txt",
            "/a/z.rs",
            "/b.txt",
            "/c",
            "/c/d.txt"
        ]
    );
}

// ---------------------------------------------------------------- glob

#[test]
fn glob_single_name_wildcards() {
    let fs = sample();
    assert_eq!(glob(&fs, "/*"), ["/a", "/b.txt", "/c"]);
    assert_eq!(glob(&fs, "/a/*.txt"), ["/a/y.txt"]);
    assert_eq!(glob(&fs, "/a/?.*"), ["/a/y.txt", "/a/z.rs"]);
    assert_eq!(glob(&fs, "/a/[xyz].txt"), ["/a/y.txt"]);
    assert_eq!(glob(&fs, "/a/[!y]*"), ["/a/b", "/a/empty", "/a/z.rs"]);
    assert_eq!(glob(&fs, "/a/[a-e]*"), ["/a/b", "/a/empty"]);
    assert_eq!(glob(&fs, "/*/*/*"), ["/a/b/c", "/a/b/x.txt"]);
    assert_eq!(glob(&fs, "/?/d.txt"), ["/c/d.txt"]);
    assert_eq!(glob(&fs, "/a/b/c/deep.txt"), ["/a/b/c/deep.txt"]);
    assert_eq!(glob(&fs, "/a/nope"), Vec::<String>::new());
    assert_eq!(
        glob(&fs, "/b.txt/*"),
        Vec::<String>::new(),
        "files are not descended"
    );
    assert_eq!(glob(&fs, "/*/d.txt"), ["/c/d.txt"]);
}

#[test]
fn glob_double_star_matches_any_number_of_directories() {
    let fs = sample();
    assert_eq!(
        glob(&fs, "/**/*.txt"),
        [
            "/a/b/c/deep.txt",
            "/a/b/x.txt",
            "/a/y.txt",
            "/b.txt",
            "/c/d.txt"
        ]
    );
    assert_eq!(
        glob(&fs, "/a/**/*.txt"),
        ["/a/b/c/deep.txt", "/a/b/x.txt", "/a/y.txt"]
    );
    assert_eq!(glob(&fs, "/a/**/c"), ["/a/b/c"]);
    assert_eq!(glob(&fs, "/**/b"), ["/a/b"]);
    assert_eq!(glob(&fs, "/a/**/b/**/deep.txt"), ["/a/b/c/deep.txt"]);
    assert_eq!(glob(&fs, "/**/**/x.txt"), ["/a/b/x.txt"]);
    // A final `**`: every descendant, files and directories, not the directory itself.
    assert_eq!(
        glob(&fs, "/a/b/**"),
        ["/a/b/c", "/a/b/c/deep.txt", "/a/b/x.txt"]
    );
    assert_eq!(glob(&fs, "/a/empty/**"), Vec::<String>::new());
    assert_eq!(glob(&fs, "/b.txt/**"), Vec::<String>::new());
    assert_eq!(glob(&fs, "/*/**"), glob(&fs, "/*/**/*"));
}

#[test]
fn glob_results_have_no_duplicates() {
    // D-MemFS returned each `/a/**/*.txt` match twice, and 12 entries for `/**` on 5 nodes.
    let fs = MemFs::new();
    fs.create_dir_all("/a/b").unwrap();
    fs.write("/a/1.txt", "").unwrap();
    fs.write("/a/b/2.txt", "").unwrap();
    fs.write("/3.txt", "").unwrap();
    assert_eq!(
        glob(&fs, "/**"),
        ["/3.txt", "/a", "/a/1.txt", "/a/b", "/a/b/2.txt"]
    );
    assert_eq!(glob(&fs, "/a/**/*.txt"), ["/a/1.txt", "/a/b/2.txt"]);
    assert_eq!(
        glob(&fs, "/**/**/**/*.txt"),
        ["/3.txt", "/a/1.txt", "/a/b/2.txt"]
    );
    assert_eq!(glob(&fs, "/**/*"), glob(&fs, "/**"));
    assert_eq!(glob(&fs, "/**/a/**"), ["/a/1.txt", "/a/b", "/a/b/2.txt"]);
}

#[test]
fn glob_pattern_spelling() {
    let fs = sample();
    assert_eq!(
        glob(&fs, "a/*.txt"),
        glob(&fs, "/a/*.txt"),
        "relative patterns are rooted"
    );
    assert_eq!(glob(&fs, "\\a\\b\\*"), ["/a/b/c", "/a/b/x.txt"]);
    assert_eq!(glob(&fs, "a\\**\\*.rs"), ["/a/z.rs"]);
    assert_eq!(glob(&fs, "//a//./y.txt/"), ["/a/y.txt"]);
    // `**` inside a name is a plain `*`.
    assert_eq!(glob(&fs, "/a/e**"), ["/a/empty"]);
    assert_eq!(glob(&fs, "/**.txt"), ["/b.txt"]);
    assert_eq!(glob(&fs, "/a/**y**"), ["/a/empty", "/a/y.txt"]);
    // The root.
    assert_eq!(glob(&fs, "/"), ["/"]);
    assert_eq!(glob(&fs, "/."), ["/"]);
}

#[test]
fn glob_is_case_sensitive_and_hidden_names_are_not_special() {
    let fs = MemFs::new();
    fs.create_dir("/.git").unwrap();
    fs.write("/.git/config", "").unwrap();
    fs.write("/.env", "").unwrap();
    fs.write("/Readme", "").unwrap();
    fs.write("/readme", "").unwrap();
    assert_eq!(glob(&fs, "/*"), ["/.env", "/.git", "/Readme", "/readme"]);
    assert_eq!(glob(&fs, "/.*"), ["/.env", "/.git"]);
    assert_eq!(glob(&fs, "/**/config"), ["/.git/config"]);
    assert_eq!(glob(&fs, "/?eadme"), ["/Readme", "/readme"]);
    assert_eq!(glob(&fs, "/R*"), ["/Readme"]);
    assert_eq!(glob(&fs, "/readme"), ["/readme"]);
    assert_eq!(glob(&fs, "/README"), Vec::<String>::new());
}

#[test]
fn glob_final_segment_matches_files_and_directories() {
    let fs = MemFs::new();
    fs.create_dir_all("/logs/old").unwrap();
    fs.write("/logs/app", "").unwrap();
    fs.write("/logs/old/app", "").unwrap();
    fs.write("/logs/a", "").unwrap();
    assert_eq!(glob(&fs, "/logs/*"), ["/logs/a", "/logs/app", "/logs/old"]);
    // A non-final segment only descends directories: "/logs/app" is a file.
    assert_eq!(glob(&fs, "/logs/*/app"), ["/logs/old/app"]);
    assert_eq!(glob(&fs, "/logs/*/*"), ["/logs/old/app"]);
}

#[test]
fn glob_rejects_malformed_patterns() {
    let fs = sample();
    for pattern in ["/a/../b", "..", "/**/..", "a\\..\\b"] {
        let err = expect_err(fs.glob(pattern), ErrorKind::InvalidInput);
        assert_eq!((err.op(), err.path()), (Op::Glob, pattern));
    }
    for pattern in ["/a/[b", "/[", "/x[!"] {
        let err = expect_err(fs.glob(pattern), ErrorKind::InvalidInput);
        assert_eq!((err.op(), err.path()), (Op::Glob, pattern));
    }
    expect_err(fs.glob("/a\0"), ErrorKind::InvalidInput);
}

// ---------------------------------------------------------------- model check

/// A tiny deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Shell-style matching of one name: `*`, `?`, `[set]`, `[!set]` with ranges.
fn name_matches(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|skip| name_matches(rest, &name[skip..])),
        Some(('?', rest)) => !name.is_empty() && name_matches(rest, &name[1..]),
        Some(('[', rest)) => {
            let Some((&c, name_rest)) = name.split_first() else {
                return false;
            };
            let (negated, set) = match rest.first() {
                Some('!') => (true, &rest[1..]),
                _ => (false, rest),
            };
            let close = 1 + set[1..]
                .iter()
                .position(|&ch| ch == ']')
                .expect("closed set");
            let (items, after) = (&set[..close], &set[close + 1..]);
            let mut hit = false;
            let mut i = 0;
            while i < items.len() {
                if i + 2 < items.len() && items[i + 1] == '-' {
                    hit |= items[i] <= c && c <= items[i + 2];
                    i += 3;
                } else {
                    hit |= items[i] == c;
                    i += 1;
                }
            }
            hit != negated && name_matches(after, name_rest)
        }
        Some((&literal, rest)) => name.first() == Some(&literal) && name_matches(rest, &name[1..]),
    }
}

/// Whether the components of a path match the pattern's segments.
fn components_match(segments: &[&str], components: &[&str]) -> bool {
    match segments.split_first() {
        None => components.is_empty(),
        Some((&"**", [])) => !components.is_empty(),
        Some((&"**", rest)) => {
            (0..=components.len()).any(|k| components_match(rest, &components[k..]))
        }
        Some((segment, rest)) => match components.split_first() {
            None => false,
            Some((first, others)) => {
                let pattern: Vec<char> = segment.chars().collect();
                let name: Vec<char> = first.chars().collect();
                name_matches(&pattern, &name) && components_match(rest, others)
            }
        },
    }
}

fn reference_glob(all_paths: &[String], pattern: &str) -> Vec<String> {
    let segments: Vec<&str> = pattern
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let found: BTreeSet<String> = all_paths
        .iter()
        .filter(|path| {
            let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
            components_match(&segments, &components)
        })
        .cloned()
        .collect();
    found.into_iter().collect()
}

#[test]
fn glob_agrees_with_a_brute_force_reference_matcher() {
    const NAMES: [&str; 12] = [
        "a", "b", "ab", "ba", "a.txt", "b.txt", "c.rs", ".h", "x1", "x2", "data", "A",
    ];
    let fs = MemFs::new();
    let mut rng = Lcg(0x5eed_1234);
    let mut dirs = vec!["/".to_owned()];
    let mut created = 0;
    while created < 40 {
        let parent = dirs[rng.below(dirs.len())].clone();
        let name = NAMES[rng.below(NAMES.len())];
        let path = if parent == "/" {
            format!("/{name}")
        } else {
            format!("{parent}/{name}")
        };
        if fs.exists(&path) {
            continue;
        }
        if rng.below(5) < 2 {
            fs.create_dir(&path).unwrap();
            dirs.push(path);
        } else {
            fs.write(&path, name).unwrap();
        }
        created += 1;
    }
    assert_eq!(fs.stats().nodes, 41);
    let all_paths = walk_paths(&fs, "/");
    let patterns = [
        "/",
        "/*",
        "/*/*",
        "/*/*/*",
        "/**",
        "/**/*",
        "/**/a",
        "/**/*.txt",
        "/a/**",
        "/b/**",
        "/ab/**",
        "/a/**/b",
        "/*/**/*.rs",
        "/?",
        "/??",
        "/[ab]",
        "/[!ab]*",
        "/**/[a-b]*",
        "/**/x?",
        "/a*",
        "/a**",
        "/**/.*",
        "/**/*b*",
        "/*/a/**",
        "/**/**/a.txt",
        "/a/*/**",
        "/b/**/*",
        "**/ab",
        "a/**/*",
        "\\**\\*.txt",
        "/**/a/**",
        "/x1/**",
        "/**/*.*",
        "/[a-c]*/**/[!.]*",
        "/a",
        "/a/b",
        "/.h",
        "/**/[.]h",
        "/**/data/**/x?",
        "/**/[A-Z]",
        "/*/*/**/b*",
        "/**/?.???",
    ];
    let mut non_empty = 0;
    for pattern in patterns {
        let expected = reference_glob(&all_paths, pattern);
        assert_eq!(fs.glob(pattern).unwrap(), expected, "pattern {pattern:?}");
        non_empty += usize::from(!expected.is_empty());
    }
    assert!(
        non_empty >= 30,
        "the tree is too sparse to test much: {non_empty}"
    );
}
