//! The steps of a sequence, their generators, and how each side runs them: the kernel through
//! `std::fs` ([`Host`]) and dmemfs ([`Mem`]).

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dmemfs_core::{MemFile, MemFs};
use proptest::prelude::*;

/// How many handles a sequence may hold at once (the POSIX run keeps them open across other
/// steps, on the same or different files).
pub(super) const SLOTS: usize = 3;

pub(super) const NAMES: [&str; 3] = ["a", "b", "c"];

/// A path below the root, from a small alphabet so that sequences collide.
fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&NAMES[..]), 1..=3)
        .prop_map(|parts| format!("/{}", parts.join("/")))
}

/// A path directly below the root.
fn top_path() -> impl Strategy<Value = String> {
    prop::sample::select(&NAMES[..]).prop_map(|name| format!("/{name}"))
}

/// Contents, often empty (an empty write or a truncation to nothing changes no length).
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(Vec::new()),
        4 => prop::collection::vec(any::<u8>(), 0..300),
    ]
}

/// A length or an offset, often one of the small lengths files have.
fn small() -> impl Strategy<Value = u64> {
    prop_oneof![1 => 0u64..3, 2 => 0u64..400]
}

/// Times set explicitly: all before 2001, so that they can never be mistaken for a stamp
/// taken from the clock (see [`Stamp`]); one before the epoch, some with nanoseconds.
fn explicit_time() -> impl Strategy<Value = SystemTime> {
    prop::sample::select(vec![
        UNIX_EPOCH + Duration::new(1_000, 0),
        UNIX_EPOCH + Duration::new(86_400 * 365, 999_999_999),
        UNIX_EPOCH + Duration::new(900_000_000, 123_456_789),
        UNIX_EPOCH - Duration::new(1, 500_000_000),
    ])
}

/// Modes to set: permission bits, the set-user-ID, set-group-ID and sticky bits, and some
/// with type bits above the twelve that `chmod` keeps.
fn mode() -> impl Strategy<Value = u32> {
    prop::sample::select(vec![
        0o644, 0o600, 0o755, 0o000, 0o444, 0o777, 0o4755, 0o2755, 0o1777, 0o7777, 0o100640,
        0o170711,
    ])
}

#[derive(Clone, Debug)]
pub(super) struct Flags {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
}

/// The times a `set_times` call sets (`None`: left alone).
#[derive(Clone, Copy, Debug)]
pub(super) struct Times {
    accessed: Option<SystemTime>,
    modified: Option<SystemTime>,
}

impl Times {
    fn host(self) -> std::fs::FileTimes {
        let mut times = std::fs::FileTimes::new();
        if let Some(t) = self.accessed {
            times = times.set_accessed(t);
        }
        if let Some(t) = self.modified {
            times = times.set_modified(t);
        }
        times
    }

    fn mem(self) -> dmemfs_core::FileTimes {
        let mut times = dmemfs_core::FileTimes::new();
        if let Some(t) = self.accessed {
            times = times.set_accessed(t);
        }
        if let Some(t) = self.modified {
            times = times.set_modified(t);
        }
        times
    }
}

#[derive(Clone, Debug)]
pub(super) enum Step {
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
    HardLink(String, String),
    SetPermissions(String, u32),
    SetTimes(String, Times),
    /// Opens a file into a handle slot; the handle it replaces (if the open succeeds) drops.
    Open(usize, String, Flags),
    Handle(usize, HandleStep),
    Close(usize),
}

/// A call through the handle in a slot (nothing happens on either side if the slot is empty).
#[derive(Clone, Debug)]
pub(super) enum HandleStep {
    Write(Vec<u8>),
    Read(usize),
    Seek(SeekFrom),
    SetLen(u64),
    WriteAt(u64, Vec<u8>),
    ReadAt(u64, usize),
    Position,
    Metadata,
    SetPermissions(u32),
    SetTimes(Times),
}

fn handle_step() -> impl Strategy<Value = HandleStep> {
    let seek = prop_oneof![
        small().prop_map(SeekFrom::Start),
        (-400i64..400).prop_map(SeekFrom::Current),
        (-400i64..400).prop_map(SeekFrom::End),
    ];
    prop_oneof![
        4 => bytes().prop_map(HandleStep::Write),
        2 => (0usize..400).prop_map(HandleStep::Read),
        1 => seek.prop_map(HandleStep::Seek),
        1 => small().prop_map(HandleStep::SetLen),
        2 => (small(), bytes()).prop_map(|(o, b)| HandleStep::WriteAt(o, b)),
        2 => ((0u64..400), (0usize..400)).prop_map(|(o, n)| HandleStep::ReadAt(o, n)),
        1 => Just(HandleStep::Position),
        2 => Just(HandleStep::Metadata),
        1 => mode().prop_map(HandleStep::SetPermissions),
        2 => times().prop_map(HandleStep::SetTimes),
    ]
}

fn times() -> impl Strategy<Value = Times> {
    (
        prop::option::of(explicit_time()),
        prop::option::of(explicit_time()),
    )
        .prop_map(|(accessed, modified)| Times { accessed, modified })
}

pub(super) fn step() -> impl Strategy<Value = Step> {
    let flags = any::<[bool; 6]>().prop_map(
        |[read, write, append, truncate, create, create_new]| Flags {
            read,
            write,
            append,
            truncate,
            create,
            create_new,
        },
    );
    let slot = 0..SLOTS;
    prop_oneof![
        1 => path().prop_map(Step::CreateDir),
        1 => path().prop_map(Step::CreateDirAll),
        1 => path().prop_map(Step::RemoveDir),
        1 => path().prop_map(Step::RemoveDirAll),
        2 => path().prop_map(Step::RemoveFile),
        2 => (path(), bytes()).prop_map(|(p, b)| Step::Write(p, b)),
        1 => path().prop_map(Step::Read),
        1 => path().prop_map(Step::Metadata),
        1 => path().prop_map(Step::ReadDir),
        2 => (path(), path()).prop_map(|(a, b)| Step::Rename(a, b)),
        1 => (path(), path()).prop_filter("COPY_SELF", |(a, b)| a != b).prop_map(|(a, b)| Step::Copy(a, b)),
        2 => (path(), path()).prop_map(|(a, b)| Step::HardLink(a, b)),
        1 => (path(), mode()).prop_map(|(p, m)| Step::SetPermissions(p, m)),
        2 => (path(), times()).prop_map(|(p, t)| Step::SetTimes(p, t)),
        // Often a top-level name, so that handles share files.
        3 => (slot.clone(), prop_oneof![2 => top_path(), 1 => path()], flags).prop_map(|(s, p, f)| Step::Open(s, p, f)),
        8 => (slot.clone(), handle_step()).prop_map(|(s, h)| Step::Handle(s, h)),
        1 => slot.prop_map(Step::Close),
    ]
}

/// A timestamp as the comparison sees it: a time set explicitly (all before 2001), or one
/// the filesystem took from its clock, whose value is not compared (rule `TIMES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stamp {
    Explicit(SystemTime),
    Clock,
}

impl Stamp {
    fn of(time: io::Result<SystemTime>) -> Stamp {
        let time = time.expect("timestamps are supported on both sides");
        if time < UNIX_EPOCH + Duration::from_secs(978_307_200) {
            Stamp::Explicit(time)
        } else {
            Stamp::Clock
        }
    }
}

/// Whether the host creates files 0o644 and directories 0o755, as dmemfs does: a umask of
/// 022. Under any other umask modes are not compared (rule `UMASK`).
pub(super) static HOST_UMASK_022: LazyLock<bool> = LazyLock::new(|| {
    let dir = tempfile::tempdir_in(scratch_base()).expect("a scratch directory");
    std::fs::write(dir.path().join("f"), "").unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    let mode = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().mode();
    let ok = mode("f") == 0o100644 && mode("d") == 0o40755;
    if !ok {
        eprintln!("differential: the host's umask is not 022; modes are not compared (UMASK)");
    }
    ok
});

/// The RAM disk when there is one.
pub(super) fn scratch_base() -> &'static str {
    if Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "/tmp"
    }
}

/// What `metadata` says about a node, as compared: the type, a file's length, the link count,
/// `st_mode`, and the access and modification times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Meta {
    pub(super) is_dir: bool,
    /// `None` for directories (rule `DIR_LEN`).
    pub(super) len: Option<u64>,
    pub(super) nlink: u64,
    /// `None` when the host's umask is not 022 (rule `UMASK`).
    pub(super) mode: Option<u32>,
    pub(super) accessed: Stamp,
    pub(super) modified: Stamp,
}

impl Meta {
    pub(super) fn host(m: &std::fs::Metadata) -> Meta {
        Meta {
            is_dir: m.is_dir(),
            len: m.is_file().then_some(m.len()),
            nlink: m.nlink(),
            mode: HOST_UMASK_022.then_some(m.mode()),
            accessed: Stamp::of(m.accessed()),
            modified: Stamp::of(m.modified()),
        }
    }

    pub(super) fn mem(m: &dmemfs_core::Metadata) -> Meta {
        Meta {
            is_dir: m.is_dir(),
            len: m.is_file().then_some(m.len()),
            nlink: m.nlink(),
            mode: HOST_UMASK_022.then_some(m.mode()),
            accessed: Stamp::of(m.accessed()),
            modified: Stamp::of(m.modified()),
        }
    }
}

/// What a step gave: a value or an error kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Done,
    Bytes(Vec<u8>),
    Count(u64),
    Stat(Meta),
    Listing(Vec<(String, bool)>),
    Failed(ErrorKind),
}

fn outcome<T>(result: io::Result<T>, value: impl FnOnce(T) -> Outcome) -> Outcome {
    match result {
        Ok(v) => value(v),
        Err(e) => Outcome::Failed(e.kind()),
    }
}

/// The kernel's side: a fresh directory, and the handles open on it.
pub(super) struct Host {
    pub(super) root: PathBuf,
    pub(super) files: [Option<File>; SLOTS],
}

impl Host {
    pub(super) fn at(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    pub(super) fn run(&mut self, step: &Step) -> Outcome {
        use Outcome::*;
        match step {
            Step::CreateDir(p) => outcome(std::fs::create_dir(self.at(p)), |_| Done),
            Step::CreateDirAll(p) => outcome(std::fs::create_dir_all(self.at(p)), |_| Done),
            Step::RemoveDir(p) => outcome(std::fs::remove_dir(self.at(p)), |_| Done),
            Step::RemoveDirAll(p) => outcome(std::fs::remove_dir_all(self.at(p)), |_| Done),
            Step::RemoveFile(p) => outcome(std::fs::remove_file(self.at(p)), |_| Done),
            Step::Write(p, b) => outcome(std::fs::write(self.at(p), b), |_| Done),
            Step::Read(p) => outcome(std::fs::read(self.at(p)), Bytes),
            Step::Metadata(p) => outcome(std::fs::metadata(self.at(p)), |m| Stat(Meta::host(&m))),
            Step::ReadDir(p) => outcome(host_listing(&self.at(p)), Listing),
            Step::Rename(a, b) => outcome(std::fs::rename(self.at(a), self.at(b)), |_| Done),
            Step::Copy(a, b) => outcome(std::fs::copy(self.at(a), self.at(b)), Count),
            Step::HardLink(a, b) => outcome(std::fs::hard_link(self.at(a), self.at(b)), |_| Done),
            Step::SetPermissions(p, m) => outcome(
                std::fs::set_permissions(self.at(p), std::fs::Permissions::from_mode(*m)),
                |_| Done,
            ),
            // `std::fs` sets times through a handle; a read-only one works for directories too.
            Step::SetTimes(p, t) => outcome(
                File::open(self.at(p)).and_then(|f| f.set_times(t.host())),
                |_| Done,
            ),
            Step::Open(slot, p, f) => {
                let opened = OpenOptions::new()
                    .read(f.read)
                    .write(f.write)
                    .append(f.append)
                    .truncate(f.truncate)
                    .create(f.create)
                    .create_new(f.create_new)
                    .open(self.at(p));
                outcome(opened, |file| {
                    // OPEN_DIR: dmemfs refuses a directory, and keeps the slot's handle; so
                    // does this side.
                    if !file.metadata().is_ok_and(|m| m.is_dir()) {
                        self.files[*slot] = Some(file);
                    }
                    Done
                })
            }
            Step::Close(slot) => {
                self.files[*slot] = None;
                Done
            }
            Step::Handle(slot, call) => match &mut self.files[*slot] {
                None => Done,
                Some(file) => run_handle(file, call),
            },
        }
    }
}

fn host_listing(dir: &Path) -> io::Result<Vec<(String, bool)>> {
    let mut entries: Vec<(String, bool)> = std::fs::read_dir(dir)?
        .map(|e| {
            e.and_then(|e| {
                Ok((
                    e.file_name().to_string_lossy().into_owned(),
                    e.file_type()?.is_dir(),
                ))
            })
        })
        .collect::<io::Result<_>>()?;
    entries.sort();
    Ok(entries)
}

/// Runs a handle call on either side (both implement the same traits).
fn run_handle<F: Read + Write + Seek + Handle>(file: &mut F, call: &HandleStep) -> Outcome {
    use Outcome::*;
    match call {
        HandleStep::Write(b) => outcome(file.write(b), |n| Count(n as u64)),
        HandleStep::Read(n) => {
            let mut buf = vec![0; *n];
            outcome(file.read(&mut buf), |got| Bytes(buf[..got].to_vec()))
        }
        HandleStep::Seek(pos) => outcome(file.seek(*pos), Count),
        HandleStep::SetLen(len) => outcome(file.set_len_(*len), |_| Done),
        HandleStep::WriteAt(offset, b) => outcome(file.write_at_(b, *offset), |n| Count(n as u64)),
        HandleStep::ReadAt(offset, n) => {
            let mut buf = vec![0; *n];
            outcome(file.read_at_(&mut buf, *offset), |got| {
                Bytes(buf[..got].to_vec())
            })
        }
        HandleStep::Position => outcome(file.stream_position(), Count),
        HandleStep::Metadata => outcome(file.meta_(), |(_, m)| Stat(m)),
        HandleStep::SetPermissions(m) => outcome(file.set_mode_(*m), |_| Done),
        HandleStep::SetTimes(t) => outcome(file.set_times_(*t), |_| Done),
    }
}

/// The calls of a handle beyond `Read + Write + Seek`, named alike on both sides.
pub(super) trait Handle {
    fn set_len_(&self, len: u64) -> io::Result<()>;
    fn write_at_(&self, buf: &[u8], offset: u64) -> io::Result<usize>;
    fn read_at_(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    /// The inode number and the compared metadata.
    fn meta_(&self) -> io::Result<(u64, Meta)>;
    fn set_mode_(&self, mode: u32) -> io::Result<()>;
    fn set_times_(&self, times: Times) -> io::Result<()>;
}

impl Handle for File {
    fn set_len_(&self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
    fn write_at_(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        FileExt::write_at(self, buf, offset)
    }
    fn read_at_(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        FileExt::read_at(self, buf, offset)
    }
    fn meta_(&self) -> io::Result<(u64, Meta)> {
        self.metadata().map(|m| (m.ino(), Meta::host(&m)))
    }
    fn set_mode_(&self, mode: u32) -> io::Result<()> {
        self.set_permissions(std::fs::Permissions::from_mode(mode))
    }
    fn set_times_(&self, times: Times) -> io::Result<()> {
        self.set_times(times.host())
    }
}

impl Handle for MemFile {
    fn set_len_(&self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
    fn write_at_(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        self.write_at(buf, offset)
    }
    fn read_at_(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.read_at(buf, offset)
    }
    fn meta_(&self) -> io::Result<(u64, Meta)> {
        self.metadata().map(|m| (m.ino(), Meta::mem(&m)))
    }
    fn set_mode_(&self, mode: u32) -> io::Result<()> {
        self.set_permissions(dmemfs_core::Permissions::from_mode(mode))
    }
    fn set_times_(&self, times: Times) -> io::Result<()> {
        self.set_times(times.mem())
    }
}

/// The dmemfs side.
pub(super) struct Mem {
    pub(super) fs: MemFs,
    pub(super) files: [Option<MemFile>; SLOTS],
}

impl Mem {
    pub(super) fn run(&mut self, step: &Step) -> Outcome {
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
            Step::Metadata(p) => outcome(fs.metadata(p), |m| Stat(Meta::mem(&m))),
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
            Step::HardLink(a, b) => outcome(fs.hard_link(a, b), |_| Done),
            Step::SetPermissions(p, m) => outcome(
                fs.set_permissions(p, dmemfs_core::Permissions::from_mode(*m)),
                |_| Done,
            ),
            Step::SetTimes(p, t) => outcome(fs.set_times(p, t.mem()), |_| Done),
            Step::Open(slot, p, f) => {
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
                    self.files[*slot] = Some(file);
                    Done
                })
            }
            Step::Close(slot) => {
                self.files[*slot] = None;
                Done
            }
            Step::Handle(slot, call) => match &mut self.files[*slot] {
                None => Done,
                Some(file) => run_handle(file, call),
            },
        }
    }
}
