//! Model checks: a file against a `Vec<u8>`, `glob` against a brute-force matcher, and open
//! files unlinked or replaced in POSIX mode against a model of inodes.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom, Write};

use dmemfs_core::{MemFile, MemFs, Semantics};
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
    fn a_file_behaves_like_a_vector(
        append in any::<bool>(),
        ops in prop::collection::vec(file_op(), 1..40),
    ) {
        // With `append`, writes land at the end (`write_at` too, as Linux's `pwrite` on
        // O_APPEND); an empty write moves nothing, not even the cursor to the end.
        let fs = MemFs::builder().quota(1 << 30).build().unwrap();
        let mut file = fs
            .options()
            .read(true)
            .write(true)
            .append(append)
            .create(true)
            .open("/f")
            .unwrap();
        let mut model = Model::default();
        for op in &ops {
            match op {
                FileOp::Write(data) => {
                    prop_assert_eq!(file.write(data).unwrap(), data.len());
                    if !data.is_empty() {
                        let at = if append { model.bytes.len() as u64 } else { model.cursor };
                        model.write_at(at, data);
                        model.cursor = at + data.len() as u64;
                    }
                }
                FileOp::WriteAt(offset, data) => {
                    prop_assert_eq!(file.write_at(data, *offset).unwrap(), data.len());
                    let at = if append { model.bytes.len() as u64 } else { *offset };
                    model.write_at(at, data);
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

// ---- orphans: files unlinked or replaced while open, in POSIX mode ----

const ORPHAN_NAMES: [&str; 4] = ["/n0", "/n1", "/n2", "/n3"];
const ORPHAN_SLOTS: usize = 3;

#[derive(Clone, Debug)]
enum OrphanOp {
    /// Opens (creating if missing) a name into a slot; the slot's old handle drops.
    Open(usize, usize),
    WriteAt(usize, u64, Vec<u8>),
    SetLen(usize, u64),
    /// Replaces the contents by path (`MemFs::write`), creating the file if missing.
    WritePath(usize, Vec<u8>),
    Unlink(usize),
    /// Renames one name over another (replacing its file).
    RenameOver(usize, usize),
    HardLink(usize, usize),
    Drop(usize),
}

fn orphan_op() -> impl Strategy<Value = OrphanOp> {
    let name = 0..ORPHAN_NAMES.len();
    let slot = 0..ORPHAN_SLOTS;
    let data = prop::collection::vec(any::<u8>(), 0..100);
    prop_oneof![
        3 => (slot.clone(), name.clone()).prop_map(|(s, n)| OrphanOp::Open(s, n)),
        3 => (slot.clone(), 0u64..150, data.clone()).prop_map(|(s, o, d)| OrphanOp::WriteAt(s, o, d)),
        1 => (slot.clone(), 0u64..200).prop_map(|(s, l)| OrphanOp::SetLen(s, l)),
        2 => (name.clone(), data).prop_map(|(n, d)| OrphanOp::WritePath(n, d)),
        2 => name.clone().prop_map(OrphanOp::Unlink),
        2 => (name.clone(), name.clone()).prop_map(|(a, b)| OrphanOp::RenameOver(a, b)),
        1 => (name.clone(), name).prop_map(|(a, b)| OrphanOp::HardLink(a, b)),
        2 => slot.prop_map(OrphanOp::Drop),
    ]
}

/// The model: inodes with their bytes, names and open handles.
#[derive(Default)]
struct Inodes {
    bytes: Vec<Vec<u8>>,
    names: Vec<BTreeSet<usize>>,
    open: Vec<usize>,
    /// Which inode each name is, and each slot holds.
    by_name: [Option<usize>; ORPHAN_NAMES.len()],
    by_slot: [Option<usize>; ORPHAN_SLOTS],
}

impl Inodes {
    fn alive(&self, inode: usize) -> bool {
        !self.names[inode].is_empty() || self.open[inode] > 0
    }

    fn live_bytes(&self) -> u64 {
        (0..self.bytes.len())
            .filter(|&i| self.alive(i))
            .map(|i| self.bytes[i].len() as u64)
            .sum()
    }

    fn named_files(&self) -> u64 {
        self.names.iter().filter(|n| !n.is_empty()).count() as u64
    }

    fn create(&mut self) -> usize {
        self.bytes.push(Vec::new());
        self.names.push(BTreeSet::new());
        self.open.push(0);
        self.bytes.len() - 1
    }

    fn link(&mut self, name: usize, inode: usize) {
        if let Some(old) = self.by_name[name].replace(inode) {
            self.names[old].remove(&name);
        }
        self.names[inode].insert(name);
    }

    fn unlink(&mut self, name: usize) {
        if let Some(old) = self.by_name[name].take() {
            self.names[old].remove(&name);
        }
    }

    /// Points a slot at `inode` (or nothing); returns the inode its old handle held.
    fn hold(&mut self, slot: usize, inode: Option<usize>) -> Option<usize> {
        if let Some(new) = inode {
            self.open[new] += 1;
        }
        let old = std::mem::replace(&mut self.by_slot[slot], inode);
        if let Some(old) = old {
            self.open[old] -= 1;
        }
        old
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::proptest_cases(128), ..ProptestConfig::default() })]

    #[test]
    fn orphans_are_charged_until_their_last_handle_drops(ops in prop::collection::vec(orphan_op(), 1..60)) {
        let fs = MemFs::builder().semantics(Semantics::Posix).quota(1 << 20).build().unwrap();
        let mut model = Inodes::default();
        let mut slots: [Option<MemFile>; ORPHAN_SLOTS] = Default::default();
        for op in &ops {
            let used_before = fs.stats().used;
            let mut freed: Option<u64> = None;
            match op {
                OrphanOp::Open(slot, name) => {
                    let file = fs.options().read(true).write(true).create(true).open(ORPHAN_NAMES[*name]).unwrap();
                    let inode = match model.by_name[*name] {
                        Some(inode) => inode,
                        None => {
                            let inode = model.create();
                            model.link(*name, inode);
                            inode
                        }
                    };
                    slots[*slot] = Some(file);
                    if let Some(old) = model.hold(*slot, Some(inode)) && !model.alive(old) {
                        freed = Some(model.bytes[old].len() as u64);
                    }
                }
                OrphanOp::WriteAt(slot, offset, data) => {
                    if let (Some(file), Some(inode)) = (&slots[*slot], model.by_slot[*slot]) {
                        prop_assert_eq!(file.write_at(data, *offset).unwrap(), data.len());
                        if !data.is_empty() {
                            let bytes = &mut model.bytes[inode];
                            let end = *offset as usize + data.len();
                            if bytes.len() < end {
                                bytes.resize(end, 0);
                            }
                            bytes[*offset as usize..end].copy_from_slice(data);
                        }
                    }
                }
                OrphanOp::SetLen(slot, len) => {
                    if let (Some(file), Some(inode)) = (&slots[*slot], model.by_slot[*slot]) {
                        file.set_len(*len).unwrap();
                        model.bytes[inode].resize(*len as usize, 0);
                    }
                }
                OrphanOp::WritePath(name, data) => {
                    fs.write(ORPHAN_NAMES[*name], data).unwrap();
                    let inode = match model.by_name[*name] {
                        Some(inode) => inode,
                        None => {
                            let inode = model.create();
                            model.link(*name, inode);
                            inode
                        }
                    };
                    model.bytes[inode] = data.clone();
                }
                OrphanOp::Unlink(name) => match model.by_name[*name] {
                    None => prop_assert!(fs.remove_file(ORPHAN_NAMES[*name]).is_err()),
                    Some(inode) => {
                        fs.remove_file(ORPHAN_NAMES[*name]).unwrap();
                        model.unlink(*name);
                        if !model.alive(inode) {
                            freed = Some(model.bytes[inode].len() as u64);
                        }
                    }
                },
                OrphanOp::RenameOver(from, to) => match model.by_name[*from] {
                    None => prop_assert!(fs.rename(ORPHAN_NAMES[*from], ORPHAN_NAMES[*to]).is_err()),
                    Some(inode) => {
                        fs.rename(ORPHAN_NAMES[*from], ORPHAN_NAMES[*to]).unwrap();
                        // Onto itself or another name of the same file: nothing happens.
                        if model.by_name[*to] != Some(inode) {
                            let replaced = model.by_name[*to];
                            model.unlink(*from);
                            model.link(*to, inode);
                            if let Some(old) = replaced && !model.alive(old) {
                                freed = Some(model.bytes[old].len() as u64);
                            }
                        }
                    }
                },
                OrphanOp::HardLink(original, link) => {
                    let result = fs.hard_link(ORPHAN_NAMES[*original], ORPHAN_NAMES[*link]);
                    match (model.by_name[*original], model.by_name[*link]) {
                        (Some(inode), None) => {
                            result.unwrap();
                            model.link(*link, inode);
                        }
                        _ => prop_assert!(result.is_err()),
                    }
                }
                OrphanOp::Drop(slot) => {
                    slots[*slot] = None;
                    if let Some(old) = model.hold(*slot, None) && !model.alive(old) {
                        freed = Some(model.bytes[old].len() as u64);
                    }
                }
            }
            let stats = fs.stats();
            // The bytes of a file that died went at once, exactly; a living one's stayed.
            if let Some(bytes) = freed {
                prop_assert_eq!(used_before - stats.used, bytes, "{:?} freed a file", op);
            }
            prop_assert_eq!(stats.used, model.live_bytes(), "after {:?}", op);
            prop_assert_eq!(stats.files, model.named_files());
            prop_assert_eq!(stats.open_handles, slots.iter().flatten().count() as u64);
            // Every handle sees its inode: bytes and link count, named or orphaned.
            for (slot, file) in slots.iter().enumerate() {
                let (Some(file), Some(inode)) = (file, model.by_slot[slot]) else { continue };
                let meta = file.metadata().unwrap();
                prop_assert_eq!(meta.nlink(), model.names[inode].len() as u64);
                let mut buf = vec![0; model.bytes[inode].len() + 1];
                let n = file.read_at(&mut buf, 0).unwrap();
                prop_assert_eq!(&buf[..n], &model.bytes[inode][..]);
            }
            for (name, inode) in model.by_name.iter().enumerate() {
                match inode {
                    Some(inode) => prop_assert_eq!(&fs.peek(ORPHAN_NAMES[name]).unwrap(), &model.bytes[*inode]),
                    None => prop_assert!(!fs.exists(ORPHAN_NAMES[name])),
                }
            }
        }
        drop(slots);
        let named: u64 = (0..model.bytes.len()).filter(|&i| !model.names[i].is_empty()).map(|i| model.bytes[i].len() as u64).sum();
        prop_assert_eq!(fs.stats().used, named);
    }
}
