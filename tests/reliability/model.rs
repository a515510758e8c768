//! Model checks: a file against a `Vec<u8>`, and `glob` against a brute-force matcher.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom, Write};

use dmemfs_core::MemFs;
use proptest::prelude::*;

use crate::common::assert_invariants;

/// Offsets and lengths large enough to cross the 64 KiB chunks, small enough to stay quick.
const SPAN: u64 = 200_000;

#[derive(Clone, Debug)]
enum FileOp {
    Write(Vec<u8>),
    WriteAt(u64, Vec<u8>),
    Read(usize),
    ReadAt(u64, usize),
    Seek(SeekFrom),
    SetLen(u64),
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..64),
        1 => (any::<u8>(), 0usize..70_000).prop_map(|(byte, n)| vec![byte; n]),
    ]
}

fn file_op() -> impl Strategy<Value = FileOp> {
    prop_oneof![
        3 => data().prop_map(FileOp::Write),
        3 => ((0..SPAN), data()).prop_map(|(o, d)| FileOp::WriteAt(o, d)),
        2 => (0usize..80_000).prop_map(FileOp::Read),
        2 => ((0..SPAN), (0usize..80_000)).prop_map(|(o, n)| FileOp::ReadAt(o, n)),
        2 => prop_oneof![
            (0..SPAN).prop_map(SeekFrom::Start),
            (-(SPAN as i64)..SPAN as i64).prop_map(SeekFrom::Current),
            (-(SPAN as i64)..SPAN as i64).prop_map(SeekFrom::End),
        ].prop_map(FileOp::Seek),
        1 => (0..SPAN).prop_map(FileOp::SetLen),
    ]
}

/// The reference: a vector and a cursor, with POSIX semantics.
#[derive(Default)]
struct Model {
    bytes: Vec<u8>,
    cursor: u64,
}

impl Model {
    fn write_at(&mut self, offset: u64, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let end = offset as usize + data.len();
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        self.bytes[offset as usize..end].copy_from_slice(data);
    }

    fn read_at(&self, offset: u64, n: usize) -> Vec<u8> {
        let start = (offset as usize).min(self.bytes.len());
        let end = (start + n).min(self.bytes.len());
        self.bytes[start..end].to_vec()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::proptest_cases(96), ..ProptestConfig::default() })]

    #[test]
    fn a_file_behaves_like_a_vector(ops in prop::collection::vec(file_op(), 1..40)) {
        let fs = MemFs::builder().quota(1 << 30).build().unwrap();
        let mut file = fs.options().read(true).write(true).create(true).open("/f").unwrap();
        let mut model = Model::default();
        for op in &ops {
            match op {
                FileOp::Write(data) => {
                    prop_assert_eq!(file.write(data).unwrap(), data.len());
                    model.write_at(model.cursor, data);
                    model.cursor += data.len() as u64;
                }
                FileOp::WriteAt(offset, data) => {
                    prop_assert_eq!(file.write_at(data, *offset).unwrap(), data.len());
                    model.write_at(*offset, data);
                }
                FileOp::Read(n) => {
                    let mut buf = vec![0; *n];
                    let got = file.read(&mut buf).unwrap();
                    let expected = model.read_at(model.cursor, *n);
                    prop_assert_eq!(&buf[..got], &expected[..]);
                    model.cursor += got as u64;
                }
                FileOp::ReadAt(offset, n) => {
                    let mut buf = vec![0; *n];
                    let got = file.read_at(&mut buf, *offset).unwrap();
                    prop_assert_eq!(&buf[..got], &model.read_at(*offset, *n)[..]);
                }
                FileOp::Seek(pos) => {
                    let target = match *pos {
                        SeekFrom::Start(n) => Some(n as i64),
                        SeekFrom::Current(d) => Some(model.cursor as i64 + d),
                        SeekFrom::End(d) => Some(model.bytes.len() as i64 + d),
                    };
                    match (file.seek(*pos), target) {
                        (Ok(n), Some(t)) if t >= 0 => {
                            prop_assert_eq!(n, t as u64);
                            model.cursor = n;
                        }
                        (Err(err), Some(t)) if t < 0 => prop_assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput),
                        (got, want) => prop_assert!(false, "seek {:?}: {:?} vs model {:?}", pos, got, want),
                    }
                }
                FileOp::SetLen(len) => {
                    file.set_len(*len).unwrap();
                    model.bytes.resize(*len as usize, 0);
                }
            }
            prop_assert_eq!(file.metadata().unwrap().len(), model.bytes.len() as u64);
            prop_assert_eq!(file.stream_position().unwrap(), model.cursor);
        }
        drop(file);
        prop_assert_eq!(fs.read("/f").unwrap(), model.bytes);
        assert_invariants(&fs);
    }
}

// ---- glob ----

const NAMES: [&str; 5] = ["a", "b", "ab", ".x", "c.rs"];

/// A random tree: each path is a file or a directory (the ancestors of everything are
/// directories).
fn tree() -> impl Strategy<Value = Vec<(Vec<&'static str>, bool)>> {
    prop::collection::vec(
        (
            prop::collection::vec(prop::sample::select(&NAMES[..]), 1..=4),
            any::<bool>(),
        ),
        1..30,
    )
}

fn pattern() -> impl Strategy<Value = String> {
    let segment = prop::sample::select(
        &[
            "a", "b", "ab", "*", "?", "a*", "*b", "[ab]", "[!a]", "**", ".x", "*.rs", "c?rs",
        ][..],
    );
    prop::collection::vec(segment, 1..=4).prop_map(|parts| format!("/{}", parts.join("/")))
}

/// Shell matching of one name: `*`, `?`, `[set]`, `[!set]`.
fn matches_name(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|i| matches_name(rest, &name[i..])),
        Some(('?', rest)) => !name.is_empty() && matches_name(rest, &name[1..]),
        Some(('[', rest)) => {
            let close = rest.iter().position(|&c| c == ']').expect("closed set");
            let (set, after) = (&rest[..close], &rest[close + 1..]);
            let (negate, set) = match set.split_first() {
                Some(('!', set)) => (true, set),
                _ => (false, set),
            };
            name.split_first()
                .is_some_and(|(c, tail)| set.contains(c) != negate && matches_name(after, tail))
        }
        Some((c, rest)) => name.first() == Some(c) && matches_name(rest, &name[1..]),
    }
}

/// Whether the components of a path match the pattern's segments: `**` takes zero or more
/// components, a final `**` one or more.
fn matches_path(segments: &[&str], components: &[&str]) -> bool {
    match segments.split_first() {
        None => components.is_empty(),
        Some((&"**", [])) => !components.is_empty(),
        Some((&"**", rest)) => (0..=components.len()).any(|i| matches_path(rest, &components[i..])),
        Some((segment, rest)) => components.split_first().is_some_and(|(name, tail)| {
            let (p, n): (Vec<char>, Vec<char>) =
                (segment.chars().collect(), name.chars().collect());
            matches_name(&p, &n) && matches_path(rest, tail)
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::proptest_cases(128), ..ProptestConfig::default() })]

    #[test]
    fn glob_equals_brute_force(entries in tree(), patterns in prop::collection::vec(pattern(), 1..8)) {
        let fs = MemFs::new();
        for (components, is_file) in &entries {
            let path = format!("/{}", components.join("/"));
            // Earlier entries may have made a prefix a file: then this one cannot exist.
            let _ = if *is_file { fs.write(&path, "").map(drop) } else { fs.create_dir_all(&path) };
        }
        let all: Vec<String> = fs.walk("/").unwrap().map(|e| e.unwrap().path().to_owned()).filter(|p| p != "/").collect();
        for pattern in &patterns {
            let segments: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
            let expected: BTreeSet<&String> = all
                .iter()
                .filter(|path| matches_path(&segments, &path.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>()))
                .collect();
            let found = fs.glob(pattern).unwrap();
            let found_set: BTreeSet<&String> = found.iter().collect();
            prop_assert_eq!(found.len(), found_set.len(), "duplicates for {}", pattern);
            prop_assert_eq!(found_set, expected, "pattern {}", pattern);
        }
    }
}
