//! `walk` (pre-order, sorted, pruning, depth bound) and `glob` (shell patterns with `**`),
//! with limits (deep trees on a small stack, many `**`); `reference` compares `glob` with a
//! brute-force matcher.

mod reference;

use std::collections::BTreeSet;
use std::io::ErrorKind;

use dmemfs_core::{FileType, MemFs, Op, PATH_MAX, Reason, Walk};

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

/// A D-MemFS bug (fixed here): `glob` returned duplicates (`/a/**/*.txt` twice, `/**` 12 entries for 5 nodes).
#[test]
fn bug02_glob_returns_each_path_once() {
    let fs = test_fs(1 << 20);
    fs.create_dir_all("/a/b").unwrap();
    for file in ["/a/x.txt", "/a/b/y.txt", "/top.txt"] {
        fs.write(file, "").unwrap();
    }
    assert_eq!(fs.glob("/a/**/*.txt").unwrap(), ["/a/b/y.txt", "/a/x.txt"]);
    let all = ["/a", "/a/b", "/a/b/y.txt", "/a/x.txt", "/top.txt"];
    assert_eq!(fs.glob("/**").unwrap(), all);
    assert_eq!(fs.glob("/**/**").unwrap(), all);
}

/// A D-MemFS bug (fixed here): pruning `dirnames` in `walk` was ignored, and errors surfaced only on the first
/// iteration.
#[test]
fn bug12_walk_prunes_and_fails_early() {
    let fs = test_fs(1 << 20);
    fs.create_dir_all("/keep/skip/deep").unwrap();
    fs.write("/keep/file", "").unwrap();
    let mut walk = fs.walk("/keep").unwrap();
    let mut seen = Vec::new();
    while let Some(entry) = walk.next() {
        let entry = entry.unwrap();
        if entry.file_name() == "skip" {
            walk.skip_current_dir();
        }
        seen.push(entry.path().to_owned());
    }
    assert_eq!(seen, ["/keep", "/keep/file", "/keep/skip"]);
    expect_err(fs.walk("/missing"), ErrorKind::NotFound);
    expect_err(fs.walk("/keep/file"), ErrorKind::NotADirectory);
    expect_err(fs.export_tree("/missing"), ErrorKind::NotFound);
}

#[test]
fn glob_with_many_double_stars_stays_linear() {
    // Exponential matching took 8.7 s for five `**/d` pairs on this chain; linear matching
    // answers at once. Compared against a simple model rather than timed.
    let fs = test_fs(1 << 20);
    let chain: String = (0..40).map(|_| "/d").collect();
    fs.create_dir_all(&chain).unwrap();
    fs.write(format!("{chain}/zzz"), "").unwrap();
    let pattern = format!("{}/**/zzz", "/**/d".repeat(6));
    assert_eq!(fs.glob(&pattern).unwrap(), [format!("{chain}/zzz")]);
    assert!(
        fs.glob(format!("{}/**/nothing", "/**/d".repeat(8)))
            .unwrap()
            .is_empty()
    );
    // Every depth of the chain: `/**/d` matches all 40 directories, once each.
    assert_eq!(fs.glob("/**/d").unwrap().len(), 40);
}

#[test]
fn glob_and_walk_handle_the_deepest_tree_on_a_small_stack() {
    let fs = test_fs(1 << 20);
    let deepest = "/d".repeat(PATH_MAX / 2 - 1);
    fs.create_dir_all(&deepest).unwrap();
    let shared = fs.clone();
    let found = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            (
                shared.glob("/**/d").map(|v| v.len()),
                shared.walk("/").map(Iterator::count),
            )
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(found.0.unwrap(), PATH_MAX / 2 - 1);
    assert_eq!(found.1.unwrap(), PATH_MAX / 2);
}
