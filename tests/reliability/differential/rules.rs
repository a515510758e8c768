//! The deliberate differences from Linux, each excluded by a named rule, and the code that
//! applies them. Nothing else is tolerated.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::sync::Mutex;

use dmemfs_test::TreeEntry;

use super::ops::{Handle, HandleStep, Host, Mem, Meta, Outcome, Stamp, Step};

/// Which of the two runs a sequence belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Run {
    /// `Semantics::Locked` (the default): D-MemFS's handle locks.
    Locked,
    /// `Semantics::Posix`: handles shared and kept open across every other step.
    Posix,
}

/// A rule: its name, the runs it applies to, and why the difference is deliberate.
pub(crate) struct Rule {
    pub(crate) name: &'static str,
    pub(crate) runs: &'static [Run],
    pub(crate) why: &'static str,
}

const BOTH: &[Run] = &[Run::Locked, Run::Posix];

/// Every rule (also listed in the README).
pub(crate) const DIVERGENCES: &[Rule] = &[
    Rule {
        name: "LOCKS",
        runs: &[Run::Locked],
        why: "An open file cannot be removed, renamed or replaced (ResourceBusy), and \
              whole-file operations wait for a writer: the locked run closes its handles before \
              any step other than a handle call, metadata, a listing, a hard link or an \
              attribute change, so locks never meet.",
    },
    Rule {
        name: "OPEN_DIR",
        runs: BOTH,
        why: "Opening a directory as a file fails at open with IsADirectory; Linux opens it \
              read-only and fails at read.",
    },
    Rule {
        name: "COPY_DIR",
        runs: BOTH,
        why: "copy from a directory is IsADirectory; std::fs::copy says InvalidInput.",
    },
    Rule {
        name: "COPY_SELF",
        runs: BOTH,
        why: "copy between two names of one file (the same path, or hard links) is \
              InvalidInput; Linux truncates the file to nothing. Not generated.",
    },
    Rule {
        name: "HANDLE_MODE",
        runs: BOTH,
        why: "Writing (or set_len) through a read-only handle, or reading a write-only one, is \
              Unsupported; Linux answers EBADF or EINVAL.",
    },
    Rule {
        name: "DIR_LEN",
        runs: BOTH,
        why: "A directory's length is 0; tmpfs reports a size that depends on its entries.",
    },
    Rule {
        name: "TIMES",
        runs: BOTH,
        why: "Times taken from the clock (creation, status change, and the access and \
              modification stamps of creation, writes and entry changes) are not compared; \
              access and modification times set explicitly (set_times) are, on paths and \
              handles, until either side replaces them.",
    },
    Rule {
        name: "NOATIME",
        runs: BOTH,
        why: "Reads never update the access time (as a noatime mount); the host's relatime \
              mount replaces an old one on a read, so where Linux has replaced an explicitly \
              set access time and dmemfs still holds it, the access time is not compared.",
    },
    Rule {
        name: "SET_LEN_SAME",
        runs: BOTH,
        why: "set_len to the current length changes nothing, the modification time included \
              (as POSIX words ftruncate: the times change if the size does); Linux stamps it \
              anyway, so the host's stamp is undone.",
    },
    Rule {
        name: "UMASK",
        runs: BOTH,
        why: "New files are 0o644 and directories 0o755, as under umask 022; when the host's \
              umask differs, modes are not compared.",
    },
    Rule {
        name: "SGID_DIRS",
        runs: BOTH,
        why: "A directory created in a set-group-ID directory does not inherit the bit, \
              since dmemfs has no owners or groups to inherit; the host's copy of the bit on \
              a directory just created there is cleared.",
    },
    Rule {
        name: "QUOTA",
        runs: BOTH,
        why: "The quota (1 GiB) and node limit (none) are never reached here; they are tested \
              on their own.",
    },
    Rule {
        name: "NORMAL_PATHS",
        runs: BOTH,
        why: "Only normalised paths are generated: trailing slashes, `.` and `..` normalise \
              differently.",
    },
];

/// How often each rule (and each state of `view::note_coverage`) was met
/// in this process, by run.
static HITS: Mutex<BTreeMap<(Run, String), u64>> = Mutex::new(BTreeMap::new());

/// What `run` met so far, with counts: rule names and coverage states.
pub(super) fn hits(run: Run) -> Vec<(String, u64)> {
    let hits = HITS.lock().unwrap();
    hits.iter()
        .filter(|((r, _), _)| *r == run)
        .map(|((_, name), count)| (name.clone(), *count))
        .collect()
}

pub(super) fn count(run: Run, name: String) {
    *HITS.lock().unwrap().entry((run, name)).or_default() += 1;
}

/// Records that `run` applied the rule `name`, which must be one of its rules.
fn rule(run: Run, name: &'static str) -> &'static str {
    let known = DIVERGENCES
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no rule {name}"));
    assert!(
        known.runs.contains(&run),
        "rule {name} does not apply to {run:?}"
    );
    count(run, name.to_owned());
    name
}

/// Whether `LOCKS` asks to close every handle before `step` (the locked run only).
fn closes_handles(run: Run, step: &Step) -> bool {
    let exempt = matches!(
        step,
        Step::Handle(..)
            | Step::Metadata(_)
            | Step::ReadDir(_)
            | Step::Close(_)
            | Step::HardLink(..)
            | Step::SetPermissions(..)
            | Step::SetTimes(..)
    );
    run == Run::Locked && !exempt
}

/// Closes every handle on both sides if `LOCKS` asks to before `step`.
pub(super) fn apply_locks(run: Run, step: &Step, mem: &mut Mem, host: &mut Host) {
    if closes_handles(run, step) && mem.files.iter().any(Option::is_some) {
        let _ = rule(run, "LOCKS");
        mem.files = Default::default();
        host.files = Default::default();
    }
}

/// A step a rule says not to run, given which paths name the same file on the dmemfs side.
pub(super) fn skipped(
    run: Run,
    step: &Step,
    same_file: impl Fn(&str, &str) -> bool,
) -> Option<&'static str> {
    match step {
        Step::Copy(a, b) if same_file(a, b) => Some(rule(run, "COPY_SELF")),
        _ => None,
    }
}

/// Whether two metadata agree, `NOATIME` applied: an access time Linux took from the clock
/// where dmemfs still holds an explicitly set one is not compared.
pub(super) fn same_meta(run: Run, mem: Option<&Meta>, host: Option<&Meta>) -> bool {
    match (mem, host) {
        (Some(ours), Some(theirs)) if ours != theirs => {
            let mut ours = *ours;
            if theirs.accessed == Stamp::Clock && matches!(ours.accessed, Stamp::Explicit(_)) {
                ours.accessed = Stamp::Clock;
            }
            let same = ours == *theirs;
            if same {
                let _ = rule(run, "NOATIME");
            }
            same
        }
        (ours, theirs) => ours == theirs,
    }
}

/// `SGID_DIRS`: after `step`, clears the set-group-ID bit the host's directories created by it
/// inherited and dmemfs's did not.
pub(super) fn sgid_dirs(
    run: Run,
    step: &Step,
    existed: &BTreeMap<String, TreeEntry>,
    mem: &Mem,
    host: &Host,
) {
    use std::os::unix::fs::PermissionsExt;
    let (Step::CreateDir(path) | Step::CreateDirAll(path)) = step else {
        return;
    };
    let created = std::iter::successors(Some(path.as_str()), |p| {
        p.rsplit_once('/').map(|(parent, _)| parent)
    })
    .filter(|p| !p.is_empty() && !existed.contains_key(p.trim_start_matches('/')));
    for dir in created {
        let (Ok(ours), Ok(theirs)) = (mem.fs.metadata(dir), std::fs::metadata(host.at(dir))) else {
            continue;
        };
        if theirs.is_dir() && theirs.mode() & 0o2000 != 0 && ours.mode() & 0o2000 == 0 {
            let _ = rule(run, "SGID_DIRS");
            let mode = theirs.mode() & 0o7777 & !0o2000;
            std::fs::set_permissions(host.at(dir), std::fs::Permissions::from_mode(mode))
                .expect("chmod");
        }
    }
}

/// `SET_LEN_SAME`: after a `set_len` that kept the length (`len_before`, dmemfs's), puts back
/// on the host the explicit modification time dmemfs kept.
pub(super) fn set_len_same(
    run: Run,
    step: &Step,
    outcome: &Outcome,
    len_before: Option<u64>,
    mem: &Mem,
    host: &Host,
) {
    let (Step::Handle(slot, HandleStep::SetLen(len)), Outcome::Done) = (step, outcome) else {
        return;
    };
    if len_before != Some(*len) {
        return;
    }
    let (Some(ours), Some(theirs)) = (&mem.files[*slot], &host.files[*slot]) else {
        return;
    };
    let (_, mine) = ours.meta_().expect("handle metadata");
    let (_, linux) = theirs.meta_().expect("fstat");
    if let (Stamp::Explicit(kept), Stamp::Clock) = (mine.modified, linux.modified) {
        let _ = rule(run, "SET_LEN_SAME");
        theirs
            .set_times(std::fs::FileTimes::new().set_modified(kept))
            .expect("futimens");
    }
}

/// Applies the rules to a pair of outcomes; `Err` describes a real divergence.
pub(super) fn reconcile(
    run: Run,
    step: &Step,
    mem: &Outcome,
    host: &Outcome,
    source_was_dir: bool,
) -> Result<(), String> {
    use Outcome::*;
    if mem == host {
        return Ok(());
    }
    if let (Stat(ours), Stat(theirs)) = (mem, host)
        && same_meta(run, Some(ours), Some(theirs))
    {
        return Ok(());
    }
    match (step, mem, host) {
        // The host dropped the directory's handle (see `Host::run`).
        (Step::Open(..), Failed(ErrorKind::IsADirectory), Done) if source_was_dir => {
            let _ = rule(run, "OPEN_DIR");
            Ok(())
        }
        (Step::Copy(..), Failed(ErrorKind::IsADirectory), Failed(ErrorKind::InvalidInput)) => {
            let _ = rule(run, "COPY_DIR");
            Ok(())
        }
        (
            Step::Handle(
                _,
                HandleStep::Write(_)
                | HandleStep::Read(_)
                | HandleStep::SetLen(_)
                | HandleStep::WriteAt(..)
                | HandleStep::ReadAt(..),
            ),
            Failed(ErrorKind::Unsupported),
            Failed(_),
        ) => {
            let _ = rule(run, "HANDLE_MODE");
            Ok(())
        }
        _ => Err(format!(
            "{step:?}: dmemfs gave {mem:?}, Linux gave {host:?}"
        )),
    }
}
