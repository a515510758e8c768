//! Paths as the API sees them: normalisation (`\`, `.`, `..`, repeated slashes, `//` as the
//! root), names starting with dots, and the `NAME_MAX` / `PATH_MAX` limits, through moves and
//! copies too.

use std::io::ErrorKind;

use dmemfs_core::{MemFs, NAME_MAX, PATH_MAX, Reason, error::PathError};

use crate::common::*;

/// A D-MemFS bug (fixed here): `"//"` kept two leading slashes, bypassing the root guards (`KeyError`).
#[test]
fn bug01_double_slash_is_the_root() {
    let fs = test_fs(1 << 20);
    fs.write("//a", "x").unwrap();
    assert!(fs.is_file("/a") && fs.exists("//a"));
    let root = Reason::InvalidPath(PathError::RootImmovable);
    expect_reason(fs.rename("//", "/x"), ErrorKind::InvalidInput, &root);
    expect_err(fs.move_path("//", "/x"), ErrorKind::InvalidInput);
    expect_err(fs.remove_dir_all("//"), ErrorKind::InvalidInput);
    expect_err(fs.remove_dir("//"), ErrorKind::InvalidInput);
    assert_eq!(fs.metadata("//").unwrap(), fs.metadata("/").unwrap());
}

#[test]
fn paths_are_normalised_everywhere() {
    let fs = test_fs(1 << 10);
    fs.create_dir_all("x\\y").unwrap();
    fs.write("//x//y//f.txt/", "one").unwrap();
    for same in [
        "/x/y/f.txt",
        "x/y/f.txt",
        "\\x\\y\\f.txt",
        "/x/./y/f.txt",
        "/x/z/../y/f.txt",
        "/./x/y/f.txt/.",
    ] {
        assert_eq!(fs.read(same).unwrap(), b"one", "{same:?}");
        assert!(fs.is_file(same), "{same:?}");
    }
    fs.append("x/y/../y/f.txt", "+two").unwrap();
    assert_eq!(fs.read_to_string("/x/y/f.txt").unwrap(), "one+two");
    let names: Vec<String> = fs
        .read_dir("")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(names, ["/x"]);
    assert_eq!(fs.stats().files, 1);
    // Errors report the path as the caller wrote it.
    let err = expect_err(fs.read("x//missing/"), ErrorKind::NotFound);
    assert_eq!(err.path(), "x//missing/");
    fs.remove_file("x\\y\\f.txt").unwrap();
    assert!(!fs.exists("/x/y/f.txt"));
}

#[test]
fn names_starting_with_dots_are_ordinary_names() {
    let fs = test_fs(1 << 10);
    fs.create_dir("/.git").unwrap();
    fs.write("/.git/.x", "x").unwrap();
    fs.write("/...", "dots").unwrap();
    fs.write("/.hidden", "h").unwrap();
    assert_eq!(fs.read("/.git/.x").unwrap(), b"x");
    assert_eq!(fs.read("/.git/../...").unwrap(), b"dots");
    assert_eq!(fs.read("./.hidden").unwrap(), b"h");
    let names: Vec<String> = fs
        .read_dir("/")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    assert_eq!(names, ["...", ".git", ".hidden"]);
}

#[test]
fn names_and_paths_up_to_the_limits_are_accepted() {
    let fs = test_fs(1 << 10);
    let name = "n".repeat(NAME_MAX);
    fs.write(format!("/{name}"), "ok").unwrap();
    assert_eq!(fs.read(format!("/{name}")).unwrap(), b"ok");
    // 15 components of "/" + 255 bytes and one of "/" + 254 make PATH_MAX - 1 bytes, the
    // longest path Linux accepts (its PATH_MAX counts the terminating NUL).
    let deep = format!("/{}", "d".repeat(NAME_MAX)).repeat(PATH_MAX / (NAME_MAX + 1) - 1)
        + "/"
        + &"e".repeat(NAME_MAX - 1);
    assert_eq!(deep.len(), PATH_MAX - 1);
    fs.create_dir_all(&deep).unwrap();
    assert!(fs.is_dir(&deep));
    // Normalisation happens before the length check: a longer spelling of a valid path is fine.
    let spelled = format!("{deep}/./");
    assert!(fs.is_dir(&spelled));
}

/// A chain of directories whose deepest file path is just under `PATH_MAX`.
fn deep_chain(fs: &MemFs) -> String {
    let component = format!("/{}", "n".repeat(200));
    let mut dir = String::from("/a");
    while dir.len() + component.len() + 3 < PATH_MAX {
        dir.push_str(&component);
    }
    fs.create_dir_all(&dir).unwrap();
    let file = format!("{dir}/f");
    fs.write(&file, "deep").unwrap();
    assert!(file.len() < PATH_MAX);
    file
}

#[test]
fn moves_and_copies_may_not_push_a_path_past_path_max() {
    let fs = test_fs(1 << 20);
    deep_chain(&fs);
    let longer = format!("/{}", "b".repeat(NAME_MAX));
    let before = snapshot(&fs);
    let too_long = Reason::NameTooLong;
    expect_reason(
        fs.rename("/a", &longer),
        ErrorKind::InvalidFilename,
        &too_long,
    );
    expect_reason(
        fs.move_path("/a", format!("{longer}/x")),
        ErrorKind::InvalidFilename,
        &too_long,
    );
    expect_reason(
        fs.copy_dir_all("/a", &longer),
        ErrorKind::InvalidFilename,
        &too_long,
    );
    assert_eq!(snapshot(&fs), before, "nothing moved, nothing created");
    // A move that keeps every path within the limit still works.
    fs.rename("/a", "/z").unwrap();
    assert_eq!(fs.export_tree("/z").unwrap().len(), 1);
}
