//! `MemFs` against `OsFs`: random sequences of `FileSystem` calls run on both, compared step by
//! step (the same value, or the same `ErrorKind`) and tree by tree at the end. Both promise
//! one behaviour behind the trait; the conformance suite checks chosen cases, this checks the
//! orders nobody chose (it would have caught `copy_dir_all(x, "/")` failing with one kind on
//! a `MemFs` and another on an `OsFs`, issue 12).

use std::collections::BTreeMap;
use std::io::ErrorKind;

use dmemfs_core::{FileSystem, MemFs, OsFs};
use proptest::prelude::*;

use crate::common::proptest_cases;

/// Few paths, so that calls meet each other's results: the root, nested names, and a path
/// below a parent that never exists.
const PATHS: [&str; 8] = ["/", "/a", "/b", "/a/x", "/a/b", "/b/y", "/a/x/z", "/nope/z"];

#[derive(Clone, Debug)]
enum Call {
    Write(usize, Vec<u8>),
    Append(usize, Vec<u8>),
    CreateDir(usize),
    CreateDirAll(usize),
    RemoveFile(usize),
    RemoveDir(usize),
    RemoveDirAll(usize),
    Rename(usize, usize),
    Copy(usize, usize),
    CopyDirAll(usize, usize),
    HardLink(usize, usize),
    Read(usize),
    Metadata(usize),
    ReadDir(usize),
}

fn call() -> impl Strategy<Value = Call> {
    let p = || 0..PATHS.len();
    let bytes = || prop::collection::vec(any::<u8>(), 0..8);
    prop_oneof![
        3 => (p(), bytes()).prop_map(|(p, b)| Call::Write(p, b)),
        1 => (p(), bytes()).prop_map(|(p, b)| Call::Append(p, b)),
        2 => p().prop_map(Call::CreateDir),
        1 => p().prop_map(Call::CreateDirAll),
        1 => p().prop_map(Call::RemoveFile),
        1 => p().prop_map(Call::RemoveDir),
        1 => p().prop_map(Call::RemoveDirAll),
        2 => (p(), p()).prop_map(|(a, b)| Call::Rename(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Call::Copy(a, b)),
        2 => (p(), p()).prop_map(|(a, b)| Call::CopyDirAll(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Call::HardLink(a, b)),
        1 => p().prop_map(Call::Read),
        1 => p().prop_map(Call::Metadata),
        1 => p().prop_map(Call::ReadDir),
    ]
}

/// What a call returned: its value, or only the error's kind.
type Outcome = Result<String, ErrorKind>;

fn run(fs: &dyn FileSystem, call: &Call) -> Outcome {
    let at = |i: &usize| PATHS[*i];
    let done = |r: std::io::Result<()>| r.map(|()| String::new());
    let result = match call {
        Call::Write(p, b) => done(fs.write(at(p), b)),
        Call::Append(p, b) => done(fs.append(at(p), b)),
        Call::CreateDir(p) => done(fs.create_dir(at(p))),
        Call::CreateDirAll(p) => done(fs.create_dir_all(at(p))),
        Call::RemoveFile(p) => done(fs.remove_file(at(p))),
        Call::RemoveDir(p) => done(fs.remove_dir(at(p))),
        Call::RemoveDirAll(p) => done(fs.remove_dir_all(at(p))),
        Call::Rename(a, b) => done(fs.rename(at(a), at(b))),
        Call::Copy(a, b) => fs.copy(at(a), at(b)).map(|n| n.to_string()),
        Call::CopyDirAll(a, b) => done(fs.copy_dir_all(at(a), at(b))),
        Call::HardLink(a, b) => done(fs.hard_link(at(a), at(b))),
        Call::Read(p) => fs.read(at(p)).map(|b| format!("{b:?}")),
        Call::Metadata(p) => fs
            .metadata(at(p))
            .map(|m| format!("dir {} len {} links {}", m.is_dir(), m.len(), m.nlink())),
        Call::ReadDir(p) => fs.read_dir(at(p)).and_then(|entries| {
            let named = entries.map(|e| e.map(|e| e.file_name().to_owned()));
            let mut names = named.collect::<std::io::Result<Vec<String>>>()?;
            names.sort();
            Ok(names.join(","))
        }),
    };
    result.map_err(|err| err.kind())
}

/// Every path with its contents (`None` for a directory).
fn tree(fs: &dyn FileSystem) -> BTreeMap<String, Option<Vec<u8>>> {
    fs.walk("/")
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let contents = entry
                .file_type()
                .is_file()
                .then(|| fs.read(entry.path()).unwrap());
            (entry.path().to_owned(), contents)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: proptest_cases(96),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn memfs_and_osfs_agree_on_random_sequences(calls in prop::collection::vec(call(), 1..40)) {
        let mem = MemFs::new();
        let dir = tempfile::tempdir().unwrap();
        let os = OsFs::new(dir.path()).unwrap();
        for (index, call) in calls.iter().enumerate() {
            let (ours, theirs) = (run(&mem, call), run(&os, call));
            prop_assert_eq!(&ours, &theirs, "step {} {:?}: MemFs against OsFs", index, call);
        }
        prop_assert_eq!(tree(&mem), tree(&os));
    }
}
