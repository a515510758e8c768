//! Tree snapshots through insta, and tree comparisons. The `.snap` files live in
//! `e2e/snapshots/` and are reviewed like code (`cargo insta review`).

use std::path::Path;

use dmemfs_test::{MemFs, RenderOptions, Tree, assert_tree_eq, assert_tree_snapshot, with_memfs};
use rstest::rstest;

/// A small project tree with text, binary and empty files.
fn project(fs: &MemFs) {
    fs.create_dir_all("/project/src/net").unwrap();
    fs.create_dir_all("/project/target/debug").unwrap();
    fs.write("/project/Cargo.toml", "[package]\nname = \"demo\"\n")
        .unwrap();
    fs.write(
        "/project/src/main.rs",
        "fn main() {\n    println!(\"hi\");\n}\n",
    )
    .unwrap();
    fs.write("/project/src/net/mod.rs", "pub mod tcp;").unwrap();
    fs.write("/project/src/net/tcp.rs", "").unwrap();
    fs.write(
        "/project/target/debug/demo",
        (0u8..=255).cycle().take(300).collect::<Vec<_>>(),
    )
    .unwrap();
    fs.write("/project/notes-v2.txt", "windows line\r\nunix line\n")
        .unwrap();
}

#[with_memfs]
#[test]
fn whole_tree(fs: MemFs) {
    project(&fs);
    assert_tree_snapshot!(fs);
}

#[with_memfs]
#[test]
fn subtree_with_options(fs: MemFs) {
    project(&fs);
    assert_tree_snapshot!(
        fs,
        "/project",
        RenderOptions::new().exclude("target").max_text_bytes(12)
    );
    // A second snapshot in the same test gets its own name (`-2`).
    assert_tree_snapshot!(
        fs,
        "/project/src",
        RenderOptions::new().include("**/*.rs").contents(false)
    );
}

#[with_memfs]
#[test]
fn inline_snapshot(fs: MemFs) {
    fs.create_dir_all("/out/logs").unwrap();
    fs.write("/out/logs/run.log", "started\ndone\n").unwrap();
    fs.write("/out/summary.txt", "ok").unwrap();
    fs.write("/out/blob.bin", [0u8, 1, 2, 255]).unwrap();
    assert_tree_snapshot!(fs, "/out", @r"
    /out
    ├── blob.bin (4 bytes, binary, sha256 3d1f57c984978ef9)
    │       00000000  00 01 02 ff                                       |....|
    ├── logs/
    │   └── run.log (13 bytes)
    │           started
    │           done
    └── summary.txt (2 bytes)
            ok
            \ no newline at end of file
    ");
}

#[with_memfs]
#[rstest]
#[case::small(2)]
#[case::large(5)]
fn rstest_cases_get_their_own_snapshots(fs: MemFs, #[case] files: usize) {
    // insta alone would name both cases after the function (insta#357).
    for i in 0..files {
        fs.write(format!("/f{i}"), format!("{i}\n")).unwrap();
    }
    assert_tree_snapshot!(fs);
}

#[with_memfs]
#[test]
fn serde_form_for_yaml_snapshots(fs: MemFs) {
    project(&fs);
    let snapshot = Tree::from_memfs(&fs, "/project/src").unwrap().to_snapshot();
    insta::assert_yaml_snapshot!(snapshot);
}

#[with_memfs(seed = "e2e/fixtures/seed")]
#[test]
fn a_seeded_tree_equals_its_host_directory(fs: MemFs) {
    assert_tree_eq!(fs, Path::new("e2e/fixtures/seed"));
    fs.copy_dir_all("/config", "/backup").unwrap();
    assert_tree_eq!((&fs, "/config"), (&fs, "/backup"));
}

#[test]
fn a_difference_is_shown_as_a_diff() {
    let fs = MemFs::new();
    project(&fs);
    fs.copy_dir_all("/project/src", "/copy").unwrap();
    fs.write("/copy/main.rs", "fn main() {\n    println!(\"bye\");\n}\n")
        .unwrap();
    fs.remove_file("/copy/net/tcp.rs").unwrap();
    fs.write("/copy/extra.rs", "").unwrap();
    let panic = std::panic::catch_unwind(|| assert_tree_eq!((&fs, "/project/src"), (&fs, "/copy")))
        .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    for expected in [
        "assert_tree_eq!((&fs, \"/project/src\"), (&fs, \"/copy\")) failed",
        "only right: extra.rs",
        "only left:  net/tcp.rs",
        "differs:    main.rs",
        "-│           println!(\"hi\");",
        "+│           println!(\"bye\");",
        "+├── extra.rs (0 bytes)",
    ] {
        assert!(
            message.contains(expected),
            "missing {expected:?} in:\n{message}"
        );
    }
}

/// A helper in another module would give insta its own name for every caller (insta#357).
mod helpers {
    pub(crate) fn snapshot_report(fs: &dmemfs_test::MemFs) {
        dmemfs_test::assert_tree_snapshot!(fs, "/report");
    }
}

#[with_memfs]
#[test]
fn helper_snapshots_take_the_tests_name_first(fs: MemFs) {
    fs.create_dir("/report").unwrap();
    fs.write("/report/first.txt", "first\n").unwrap();
    helpers::snapshot_report(&fs);
}

#[with_memfs]
#[test]
fn helper_snapshots_take_the_tests_name_second(fs: MemFs) {
    fs.create_dir("/report").unwrap();
    fs.write("/report/second.txt", "second\n").unwrap();
    helpers::snapshot_report(&fs);
}

#[with_memfs]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_on_worker_threads_keep_the_tests_name(fs: MemFs) {
    fs.write("/from-a-task", "x\n").unwrap();
    let shared = fs.clone();
    tokio::spawn(async move { assert_tree_snapshot!(shared) })
        .await
        .unwrap();
}

#[test]
fn rendering_shows_what_a_review_must_see() {
    let fs = MemFs::new();
    fs.write("/trailing.txt", "x \ny\t\n").unwrap();
    fs.write("/long.txt", "a".repeat(50)).unwrap();
    let text = RenderOptions::new()
        .max_text_bytes(10)
        .render(&fs, "/")
        .unwrap();
    assert!(text.contains("        x·\n        y→\n"), "{text}");
    assert!(
        text.contains("long.txt (50 bytes, sha256 "),
        "a change past the cut changes the digest:\n{text}"
    );
    // `include` on a deep chain is linear (it was exponential in depth).
    let deep: String = (0..60).map(|_| "/d").collect();
    fs.create_dir_all(&deep).unwrap();
    fs.write(format!("{deep}/app.toml"), "").unwrap();
    let text = RenderOptions::new()
        .include("**/*.toml")
        .render(&fs, "/")
        .unwrap();
    assert_eq!(text.lines().count(), 1 + 60 + 1, "{text}");
}

#[test]
fn host_trees_are_labelled_by_name_not_by_absolute_path() {
    let tree = Tree::from_host(Path::new("e2e/fixtures/seed")).unwrap();
    assert_eq!(tree.label(), "seed");
    assert_eq!(tree.to_snapshot().root, "seed");
}

// issue 14: binary outputs rendered per glob, so a snapshot of `.gz` archives shows what is in
// them and does not churn when the compressor changes its bytes.
mod per_glob {
    use std::io::{Read, Write};

    use dmemfs_test::{MemFs, RenderOptions};
    use flate2::{Compression, read::GzDecoder, write::GzEncoder};

    fn gzip(text: &str, level: u32) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::new(level));
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    fn gunzip(bytes: &[u8]) -> String {
        let mut text = String::new();
        match GzDecoder::new(bytes).read_to_string(&mut text) {
            Ok(_) => text,
            Err(err) => format!("(not gzip: {err})"),
        }
    }

    /// Rotated logs, compressed at `level`.
    fn logs(level: u32) -> MemFs {
        let fs = MemFs::new();
        fs.create_dir_all("/logs/old").unwrap();
        fs.write("/logs/app.log", "today\n").unwrap();
        let day = "yesterday\n".repeat(20);
        fs.write("/logs/app.log.1.gz", gzip(&day, level)).unwrap();
        fs.write("/logs/old/app.log.2.gz", gzip("long ago\n", level))
            .unwrap();
        fs
    }

    #[test]
    fn a_custom_renderer_shows_archives_decompressed() {
        let options = RenderOptions::new().render_with("**/*.gz", "gunzip", gunzip);
        let fast = options.render(&logs(1), "/logs").unwrap();
        assert_eq!(fast, options.render(&logs(9), "/logs").unwrap());
        let expected = format!(
            "/logs\n├── app.log (6 bytes)\n│       today\n├── app.log.1.gz (gunzip)\n{}└── old/\n    └── app.log.2.gz (gunzip)\n            long ago\n",
            "│       yesterday\n".repeat(20)
        );
        assert_eq!(fast, expected);
    }

    #[test]
    fn size_only_and_digest_only() {
        let fs = logs(6);
        let size = fs.metadata("/logs/old/app.log.2.gz").unwrap().len();
        let text = RenderOptions::new()
            .size_only("old")
            .digest_only("*.gz")
            .render(&fs, "/logs")
            .unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1..3], ["├── app.log (6 bytes)", "│       today"]);
        // The first matching glob wins; a directory's glob covers the files below it.
        assert!(lines[3].starts_with("├── app.log.1.gz (sha256 "), "{text}");
        assert_eq!(lines[3].len(), "├── app.log.1.gz (sha256 )".len() + 16);
        assert_eq!(
            lines[4..],
            ["└── old/", &format!("    └── app.log.2.gz ({size} bytes)")]
        );
        // Without a view, an archive is a hex dump.
        let plain = RenderOptions::new().render(&fs, "/logs").unwrap();
        assert!(plain.contains("binary, sha256") && plain.contains("00000000  1f 8b"));
    }
}

/// The harness reads a host tree deeper than any stack would hold a recursion for, level
/// by level, on a small stack.
#[test]
fn host_trees_of_any_depth_are_read_without_recursing() {
    let (seed, chain) = crate::common::deep_host_tree();
    let tree = crate::common::on_small_stack(|| Tree::from_host(seed.path()).unwrap());
    assert_eq!(tree.file(&format!("{chain}/leaf")), Some(&b"bottom"[..]));
    assert_eq!(tree.len(), crate::common::DEEP_LEVELS + 1);
}

/// The one-pass rendering draws the same tree as before: bars for ancestors with later
/// siblings, `a/` before `a-b/`, includes keeping the directories that lead to a match,
/// excludes hiding a whole subtree. (Its time, linear in the tree, is measured by the
/// benchmark's `render` part.)
#[with_memfs]
#[test]
fn rendering_draws_bars_includes_and_excludes(fs: MemFs) {
    fs.create_dir_all("/a/x").unwrap();
    fs.create_dir_all("/a/y").unwrap();
    fs.create_dir_all("/a-b").unwrap();
    for file in [
        "/a/x/1.txt",
        "/a/x/2.txt",
        "/a/y/3.txt",
        "/a-b/4.txt",
        "/z.txt",
    ] {
        fs.write(file, "").unwrap();
    }
    let render = |options: RenderOptions| options.contents(false).render(&fs, "/").unwrap();
    assert_eq!(
        render(RenderOptions::new()),
        "/\n├── a/\n│   ├── x/\n│   │   ├── 1.txt (0 bytes)\n│   │   └── 2.txt (0 bytes)\n\
         │   └── y/\n│       └── 3.txt (0 bytes)\n├── a-b/\n│   └── 4.txt (0 bytes)\n\
         └── z.txt (0 bytes)\n"
    );
    assert_eq!(
        render(RenderOptions::new().include("**/3.txt").include("a-b")),
        "/\n├── a/\n│   └── y/\n│       └── 3.txt (0 bytes)\n└── a-b/\n    └── 4.txt (0 bytes)\n"
    );
    assert_eq!(
        render(RenderOptions::new().exclude("a/x").exclude("*.txt")),
        "/\n├── a/\n│   └── y/\n│       └── 3.txt (0 bytes)\n└── a-b/\n    └── 4.txt (0 bytes)\n"
    );
}

/// A 1,024-level chain renders whole, each level one deeper than its parent.
#[with_memfs]
#[test]
fn a_deep_chain_renders_every_level(fs: MemFs) {
    let chain: String = (0..1024).map(|_| "/d").collect();
    fs.create_dir_all(&chain).unwrap();
    let text = RenderOptions::new().render(&fs, "/").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 1024);
    for (depth, line) in lines[1..].iter().enumerate() {
        assert_eq!(*line, format!("{}└── d/", "    ".repeat(depth)));
    }
}
