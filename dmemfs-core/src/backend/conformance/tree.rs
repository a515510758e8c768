//! Cases on `walk` and `glob`.

use std::io::ErrorKind::{InvalidInput, NotADirectory, NotFound};

use super::{fails, walked};
use crate::backend::FileSystem;
use crate::error::Op;

/// `walk` yields the directory itself, then each entry before its contents, children sorted,
/// with depths.
pub fn walk_is_preorder_and_sorted(fs: &dyn FileSystem) {
    fs.create_dir_all("/w/b/inner").unwrap();
    fs.create_dir("/w/c").unwrap();
    fs.write("/w/a.txt", b"a").unwrap();
    fs.write("/w/b/x.txt", b"xx").unwrap();
    fs.write("/other", b"not walked").unwrap();
    let entries: Vec<_> = fs.walk("/w").unwrap().map(|entry| entry.unwrap()).collect();
    let shape: Vec<(&str, usize, bool)> = entries
        .iter()
        .map(|e| (e.path(), e.depth(), e.file_type().is_dir()))
        .collect();
    assert_eq!(
        shape,
        [
            ("/w", 0, true),
            ("/w/a.txt", 1, false),
            ("/w/b", 1, true),
            ("/w/b/inner", 2, true),
            ("/w/b/x.txt", 2, false),
            ("/w/c", 1, true),
        ]
    );
    assert_eq!(entries[4].metadata().len(), 2);
    assert_eq!(entries[0].file_name(), "w");

    let from_root = fs.walk("/").unwrap().next().unwrap().unwrap();
    assert_eq!((from_root.path(), from_root.file_name()), ("/", "/"));
    assert_eq!(from_root.depth(), 0);
    assert_eq!(walked(fs, "/").len(), 8);
    assert_eq!(walked(fs, "w/b/"), ["/w/b", "/w/b/inner", "/w/b/x.txt"]);
    fs.create_dir("/lonely").unwrap();
    assert_eq!(walked(fs, "/lonely"), ["/lonely"]);
}

/// `walk` of a file, a missing path or an invalid one fails at the call.
pub fn walk_errors(fs: &dyn FileSystem) {
    fs.write("/f", b"x").unwrap();
    fails(fs.walk("/f"), NotADirectory, Op::Walk, "/f");
    fails(fs.walk("/nope"), NotFound, Op::Walk, "/nope");
    fails(fs.walk("/.."), InvalidInput, Op::Walk, "/..");
}

/// The glob pattern language: `*`, `?`, sets, `**`, literals; results sorted.
pub fn glob_patterns(fs: &dyn FileSystem) {
    fs.create_dir_all("/src/net").unwrap();
    fs.create_dir("/docs").unwrap();
    for file in [
        "/src/lib.rs",
        "/src/main.rs",
        "/src/net/tcp.rs",
        "/src/net/README.md",
        "/docs/a.md",
        "/.hidden",
    ] {
        fs.write(file, b"").unwrap();
    }
    let glob = |pattern: &str| fs.glob(pattern).unwrap();
    assert_eq!(glob("/src/*.rs"), ["/src/lib.rs", "/src/main.rs"]);
    assert_eq!(
        glob("/src/**/*.rs"),
        ["/src/lib.rs", "/src/main.rs", "/src/net/tcp.rs"]
    );
    assert_eq!(glob("/src/net/[!R]*"), ["/src/net/tcp.rs"]);
    assert_eq!(glob("/src/[lm]*.rs"), ["/src/lib.rs", "/src/main.rs"]);
    assert_eq!(glob("/src/?ain.rs"), ["/src/main.rs"]);
    assert_eq!(glob("/**/*.md"), ["/docs/a.md", "/src/net/README.md"]);
    assert_eq!(
        glob("/src/**"),
        [
            "/src/lib.rs",
            "/src/main.rs",
            "/src/net",
            "/src/net/README.md",
            "/src/net/tcp.rs"
        ]
    );
    assert_eq!(glob("/*"), ["/.hidden", "/docs", "/src"]);
    assert_eq!(glob("/src/net"), ["/src/net"]);
    assert_eq!(glob("src\\*.rs"), glob("/src/*.rs"));
    assert_eq!(glob("/"), ["/"]);
    assert!(glob("/nothing*").is_empty());
    assert!(glob("/src/lib.rs/*").is_empty());
    assert!(glob("/SRC/*.rs").is_empty(), "matching is case-sensitive");
}

/// Malformed patterns, `..` and NUL bytes are `InvalidInput`, naming `glob` and the pattern.
pub fn glob_errors(fs: &dyn FileSystem) {
    fails(fs.glob("/[abc"), InvalidInput, Op::Glob, "/[abc");
    fails(fs.glob("/a/../*"), InvalidInput, Op::Glob, "/a/../*");
    fails(fs.glob("/a\0*"), InvalidInput, Op::Glob, "/a\0*");
}
