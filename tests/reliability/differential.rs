//! Differential testing against the kernel: random sequences of operations run on a `MemFs`
//! and, through `std::fs`, on a fresh directory of the RAM disk (`/dev/shm`), compared step
//! by step: the same success with the same value, or the same `ErrorKind`. The trees are
//! compared at the end.
//!
//! Where dmemfs differs from Linux on purpose, the difference is excluded by a named rule.
//! Every rule is listed in [`DIVERGENCES`] (and in the README); nothing else is tolerated.
//!
//! CI runs a bounded number of cases; for a long run:
//! `PROPTEST_CASES=20000 cargo test --release -p dmemfs-e2e --test reliability differential`.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use dmemfs_core::{MemFile, MemFs};
use proptest::prelude::*;

use crate::common::{assert_invariants, snapshot as observable};

/// The deliberate differences from Linux, each excluded by the rule of the same name.
pub(crate) const DIVERGENCES: &[(&str, &str)] = &[
    (
        "LOCKS",
        "An open file cannot be removed, renamed or replaced (ResourceBusy), and whole-file \
         operations wait for a writer. The sequence closes its handle before any operation \
         other than metadata and listing, so locks never meet.",
    ),
    (
        "OPEN_DIR",
        "Opening a directory as a file fails at open with IsADirectory; Linux opens it read-only and fails at read.",
    ),
    (
        "COPY_DIR",
        "copy from a directory is IsADirectory; std::fs::copy says InvalidInput.",
    ),
    (
        "COPY_SELF",
        "copy(a, a) is InvalidInput; Linux truncates the file to nothing. Not generated.",
    ),
    (
        "HANDLE_MODE",
        "Writing (or set_len) through a read-only handle, or reading a write-only one, is \
         Unsupported; Linux answers EBADF or EINVAL.",
    ),
    (
        "DIR_LEN",
        "A directory's length is 0; tmpfs reports a size that depends on its entries.",
    ),
    (
        "TIMES",
        "Timestamps are not compared (directories keep their creation time).",
    ),
    (
        "QUOTA",
        "The quota (1 GiB) and node limit (none) are never reached here; they are tested on their own.",
    ),
    (
        "NORMAL_PATHS",
        "Only normalised paths are generated: trailing slashes, `.` and `..` normalise differently.",
    ),
];

/// A path below the root, from a small alphabet so that sequences collide.
fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&["a", "b", "c"][..]), 1..=3)
        .prop_map(|parts| format!("/{}", parts.join("/")))
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..300)
}

#[derive(Clone, Debug)]
struct Flags {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
}

#[derive(Clone, Debug)]
enum Step {
    CreateDir(String),
    CreateDirAll(String),
    RemoveDir(String),
    RemoveDirAll(String),
    RemoveFile(String),
    Write(String, Vec<u8>),
    Read(String),
    Metadata(String),
    ReadDir(String),
    Rename(String, String),
    Copy(String, String),
    Open(String, Flags),
    HandleWrite(Vec<u8>),
    HandleRead(usize),
    HandleSeek(SeekFrom),
    HandleSetLen(u64),
    HandleWriteAt(u64, Vec<u8>),
    HandleReadAt(u64, usize),
    HandlePosition,
    Close,
}

fn step() -> impl Strategy<Value = Step> {
    let flags = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(read, write, append, truncate, create, create_new)| Flags {
                read,
                write,
                append,
                truncate,
                create,
                create_new,
            },
        );
    let seek = prop_oneof![
        (0u64..400).prop_map(SeekFrom::Start),
        (-400i64..400).prop_map(SeekFrom::Current),
        (-400i64..400).prop_map(SeekFrom::End),
    ];
    prop_oneof![
        1 => path().prop_map(Step::CreateDir),
        1 => path().prop_map(Step::CreateDirAll),
        1 => path().prop_map(Step::RemoveDir),
        1 => path().prop_map(Step::RemoveDirAll),
        1 => path().prop_map(Step::RemoveFile),
        2 => (path(), bytes()).prop_map(|(p, b)| Step::Write(p, b)),
        1 => path().prop_map(Step::Read),
        1 => path().prop_map(Step::Metadata),
        1 => path().prop_map(Step::ReadDir),
        1 => (path(), path()).prop_map(|(a, b)| Step::Rename(a, b)),
        1 => (path(), path()).prop_filter("COPY_SELF", |(a, b)| a != b).prop_map(|(a, b)| Step::Copy(a, b)),
        2 => (path(), flags).prop_map(|(p, f)| Step::Open(p, f)),
        2 => bytes().prop_map(Step::HandleWrite),
        1 => (0usize..400).prop_map(Step::HandleRead),
        1 => seek.prop_map(Step::HandleSeek),
        1 => (0u64..400).prop_map(Step::HandleSetLen),
        1 => ((0u64..400), bytes()).prop_map(|(o, b)| Step::HandleWriteAt(o, b)),
        1 => ((0u64..400), (0usize..400)).prop_map(|(o, n)| Step::HandleReadAt(o, n)),
        1 => Just(Step::HandlePosition),
        1 => Just(Step::Close),
    ]
}

/// What a step gave: a value or an error kind.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    Bytes(Vec<u8>),
    Count(u64),
    Meta { is_dir: bool, len: Option<u64> },
    Listing(Vec<(String, bool)>),
    Failed(ErrorKind),
}

fn outcome<T>(result: io::Result<T>, value: impl FnOnce(T) -> Outcome) -> Outcome {
    match result {
        Ok(v) => value(v),
        Err(e) => Outcome::Failed(e.kind()),
    }
}

/// One side of the comparison.
struct Host {
    root: PathBuf,
    file: Option<File>,
}

impl Host {
    fn at(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    fn run(&mut self, step: &Step) -> Outcome {
        use Outcome::*;
        match step {
            Step::CreateDir(p) => outcome(std::fs::create_dir(self.at(p)), |_| Done),
            Step::CreateDirAll(p) => outcome(std::fs::create_dir_all(self.at(p)), |_| Done),
            Step::RemoveDir(p) => outcome(std::fs::remove_dir(self.at(p)), |_| Done),
            Step::RemoveDirAll(p) => outcome(std::fs::remove_dir_all(self.at(p)), |_| Done),
            Step::RemoveFile(p) => outcome(std::fs::remove_file(self.at(p)), |_| Done),
            Step::Write(p, b) => outcome(std::fs::write(self.at(p), b), |_| Done),
            Step::Read(p) => outcome(std::fs::read(self.at(p)), Bytes),
            Step::Metadata(p) => outcome(std::fs::metadata(self.at(p)), |m| Meta {
                is_dir: m.is_dir(),
                len: m.is_file().then_some(m.len()),
            }),
            Step::ReadDir(p) => outcome(host_listing(&self.at(p)), Listing),
            Step::Rename(a, b) => outcome(std::fs::rename(self.at(a), self.at(b)), |_| Done),
            Step::Copy(a, b) => outcome(std::fs::copy(self.at(a), self.at(b)), Count),
            Step::Open(p, f) => {
                let opened = OpenOptions::new()
                    .read(f.read)
                    .write(f.write)
                    .append(f.append)
                    .truncate(f.truncate)
                    .create(f.create)
                    .create_new(f.create_new)
                    .open(self.at(p));
                outcome(opened, |file| {
                    self.file = Some(file);
                    Done
                })
            }
            Step::Close => {
                self.file = None;
                Done
            }
            handle_step => match &mut self.file {
                None => Done,
                Some(file) => run_handle(file, handle_step),
            },
        }
    }
}

fn host_listing(dir: &Path) -> io::Result<Vec<(String, bool)>> {
    let mut entries: Vec<(String, bool)> = std::fs::read_dir(dir)?
        .map(|e| {
            e.map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.path().is_dir(),
                )
            })
        })
        .collect::<io::Result<_>>()?;
    entries.sort();
    Ok(entries)
}

/// Runs a handle step on either side (both implement the same traits).
fn run_handle<F: Read + Write + Seek + Positional>(file: &mut F, step: &Step) -> Outcome {
    use Outcome::*;
    match step {
        Step::HandleWrite(b) => outcome(file.write(b), |n| Count(n as u64)),
        Step::HandleRead(n) => {
            let mut buf = vec![0; *n];
            outcome(file.read(&mut buf), |got| Bytes(buf[..got].to_vec()))
        }
        Step::HandleSeek(pos) => outcome(file.seek(*pos), Count),
        Step::HandleSetLen(len) => outcome(file.set_len_(*len), |_| Done),
        Step::HandleWriteAt(offset, b) => outcome(file.write_at_(b, *offset), |n| Count(n as u64)),
        Step::HandleReadAt(offset, n) => {
            let mut buf = vec![0; *n];
            outcome(file.read_at_(&mut buf, *offset), |got| {
                Bytes(buf[..got].to_vec())
            })
        }
        Step::HandlePosition => outcome(file.stream_position(), Count),
        other => unreachable!("not a handle step: {other:?}"),
    }
}

/// The positional calls, named alike on both sides.
trait Positional {
    fn set_len_(&self, len: u64) -> io::Result<()>;
    fn write_at_(&self, buf: &[u8], offset: u64) -> io::Result<usize>;
    fn read_at_(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
}

impl Positional for File {
    fn set_len_(&self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
    fn write_at_(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        FileExt::write_at(self, buf, offset)
    }
    fn read_at_(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        FileExt::read_at(self, buf, offset)
    }
}

impl Positional for MemFile {
    fn set_len_(&self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
    fn write_at_(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        self.write_at(buf, offset)
    }
    fn read_at_(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.read_at(buf, offset)
    }
}

/// The dmemfs side.
struct Mem {
    fs: MemFs,
    file: Option<MemFile>,
}

impl Mem {
    fn run(&mut self, step: &Step) -> Outcome {
        use Outcome::*;
        let fs = &self.fs;
        match step {
            Step::CreateDir(p) => outcome(fs.create_dir(p), |_| Done),
            Step::CreateDirAll(p) => outcome(fs.create_dir_all(p), |_| Done),
            Step::RemoveDir(p) => outcome(fs.remove_dir(p), |_| Done),
            Step::RemoveDirAll(p) => outcome(fs.remove_dir_all(p), |_| Done),
            Step::RemoveFile(p) => outcome(fs.remove_file(p), |_| Done),
            Step::Write(p, b) => outcome(fs.write(p, b), |_| Done),
            Step::Read(p) => outcome(fs.read(p), Bytes),
            Step::Metadata(p) => outcome(fs.metadata(p), |m| Meta {
                is_dir: m.is_dir(),
                len: m.is_file().then_some(m.len()),
            }),
            Step::ReadDir(p) => outcome(fs.read_dir(p), |entries| {
                let mut listing: Vec<(String, bool)> = entries
                    .map(|e| e.map(|e| (e.file_name().to_owned(), e.file_type().is_dir())))
                    .collect::<io::Result<_>>()
                    .unwrap();
                listing.sort();
                Listing(listing)
            }),
            Step::Rename(a, b) => outcome(fs.rename(a, b), |_| Done),
            Step::Copy(a, b) => outcome(fs.copy(a, b), Count),
            Step::Open(p, f) => {
                let opened = fs
                    .options()
                    .read(f.read)
                    .write(f.write)
                    .append(f.append)
                    .truncate(f.truncate)
                    .create(f.create)
                    .create_new(f.create_new)
                    .open(p);
                outcome(opened, |file| {
                    self.file = Some(file);
                    Done
                })
            }
            Step::Close => {
                self.file = None;
                Done
            }
            handle_step => match &mut self.file {
                None => Done,
                Some(file) => run_handle(file, handle_step),
            },
        }
    }
}

/// Applies the divergence rules to a pair of outcomes; `Err` describes a real divergence.
fn reconcile(
    step: &Step,
    mem: &Outcome,
    host: &Outcome,
    host_side: &mut Host,
    target_was_dir: bool,
) -> Result<(), String> {
    use Outcome::*;
    if mem == host {
        return Ok(());
    }
    let rule = match (step, mem, host) {
        // OPEN_DIR: Linux opened the directory; drop that handle so the sides stay alike.
        (Step::Open(..), Failed(ErrorKind::IsADirectory), Done) if target_was_dir => {
            host_side.file = None;
            "OPEN_DIR"
        }
        (Step::Copy(..), Failed(ErrorKind::IsADirectory), Failed(ErrorKind::InvalidInput)) => {
            "COPY_DIR"
        }
        (_, Failed(ErrorKind::Unsupported), Failed(_)) if is_handle_step(step) => "HANDLE_MODE",
        _ => {
            return Err(format!(
                "{step:?}: dmemfs gave {mem:?}, Linux gave {host:?}"
            ));
        }
    };
    let _ = rule;
    Ok(())
}

fn is_handle_step(step: &Step) -> bool {
    matches!(
        step,
        Step::HandleWrite(_)
            | Step::HandleRead(_)
            | Step::HandleSeek(_)
            | Step::HandleSetLen(_)
            | Step::HandleWriteAt(..)
            | Step::HandleReadAt(..)
            | Step::HandlePosition
    )
}

/// Whether LOCKS asks to close the handle before `step`.
fn closes_handle(step: &Step) -> bool {
    !(is_handle_step(step) || matches!(step, Step::Metadata(_) | Step::ReadDir(_) | Step::Close))
}

/// The whole host tree, as `observable` renders a `MemFs`.
fn host_tree(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn visit(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
            if entry.path().is_dir() {
                out.insert(name.clone(), None);
                visit(&entry.path(), &name, out);
            } else {
                out.insert(name, Some(std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    out.insert("/".to_owned(), None);
    visit(root, "", &mut out);
    out
}

fn run_sequence(steps: &[Step]) -> Result<(), String> {
    let base = if Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "/tmp"
    };
    let dir = tempfile::tempdir_in(base).map_err(|e| e.to_string())?;
    let mut host = Host {
        root: dir.path().to_owned(),
        file: None,
    };
    let mut mem = Mem {
        fs: MemFs::builder().quota(1 << 30).build().unwrap(),
        file: None,
    };
    for (index, step) in steps.iter().enumerate() {
        if closes_handle(step) {
            host.file = None;
            mem.file = None;
        }
        let target_was_dir = match step {
            Step::Open(p, _) => mem.fs.is_dir(p),
            _ => false,
        };
        let before = observable(&mem.fs);
        let mem_outcome = mem.run(step);
        let host_outcome = host.run(step);
        reconcile(step, &mem_outcome, &host_outcome, &mut host, target_was_dir)
            .map_err(|e| format!("step {index}: {e}"))?;
        if matches!(mem_outcome, Outcome::Failed(_)) && observable(&mem.fs) != before {
            return Err(format!(
                "step {index}: {step:?} failed but changed the filesystem"
            ));
        }
        assert_invariants(&mem.fs);
    }
    drop((host.file.take(), mem.file.take()));
    let theirs = host_tree(dir.path());
    let ours = observable(&mem.fs).entries;
    if ours != theirs {
        return Err(format!(
            "final trees differ:\n dmemfs: {ours:?}\n Linux:  {theirs:?}"
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::proptest_cases(256), ..ProptestConfig::default() })]

    #[test]
    fn differential_against_linux(steps in prop::collection::vec(step(), 1..60)) {
        if let Err(divergence) = run_sequence(&steps) {
            prop_assert!(false, "{}", divergence);
        }
    }
}

#[test]
fn the_divergence_table_names_every_rule_once() {
    let mut names: Vec<&str> = DIVERGENCES.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), DIVERGENCES.len());
}
