//! The command line: which parts to run, and how.

use dmemfs_bench::measure::Reps;
use dmemfs_bench::workloads::{CASES, Sizes};

pub(crate) const BACKENDS: [&str; 6] = ["floor", "dmemfs", "tmpfs", "disk", "vfs", "rsfs"];
const PARTS: [&str; 5] = ["suite", "memory", "scaling", "render", "workloads"];

pub(crate) const USAGE: &str =
    "usage: cargo bench -p dmemfs-bench -- [PART...] [--quick] [--backends a,b,...] [--in-process]
  PART: workloads (the six cases) | small_files_rw | stream_write_read | random_access_rw |
        large_stream_write_read | many_files_random_read | deep_tree_read | suite | memory | scaling |
        render
        (none: everything)
  --quick       warm-up 1 + 3 repetitions, smaller volumes (64 MiB, 2,000 files, 100 tests)
  --backends    only these of floor,dmemfs,tmpfs,disk,vfs,rsfs in the six cases
  --in-process  run the six cases in this process instead of one process per case and backend";

/// What to run, from the command line.
pub(crate) struct Options {
    pub(crate) quick: bool,
    pub(crate) cases: Vec<&'static str>,
    pub(crate) suite: bool,
    pub(crate) memory: bool,
    pub(crate) scaling: bool,
    pub(crate) render: bool,
    pub(crate) backends: Vec<&'static str>,
    pub(crate) in_process: bool,
    /// `--child CASE BACKEND`: measure one pair and print it as `key=value`s.
    pub(crate) child: Option<(String, String)>,
}

pub(crate) fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut quick = false;
    let mut parts: Vec<&str> = Vec::new();
    let mut backends: Option<Vec<&'static str>> = None;
    let mut in_process = false;
    let mut child = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let list = match arg.as_str() {
            // Cargo passes `--bench` to every benchmark binary.
            "--bench" => continue,
            "--quick" => {
                quick = true;
                continue;
            }
            "--in-process" => {
                in_process = true;
                continue;
            }
            "--child" => {
                let mut next = || iter.next().cloned().ok_or("--child needs CASE BACKEND");
                child = Some((next()?, next()?));
                continue;
            }
            "--backends" => iter.next().ok_or("--backends needs a list")?.as_str(),
            other if other.starts_with("--backends=") => &other["--backends=".len()..],
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            part => {
                parts.push(part);
                continue;
            }
        };
        let mut chosen = Vec::new();
        for name in list.split(',').filter(|n| !n.is_empty()) {
            let known = BACKENDS.iter().find(|b| **b == name);
            chosen.push(*known.ok_or_else(|| format!("unknown backend {name:?}"))?);
        }
        backends = Some(chosen);
    }
    for part in &parts {
        if !CASES.contains(part) && !PARTS.contains(part) {
            return Err(format!("unknown part {part:?}"));
        }
    }
    let all = parts.is_empty();
    let wants = |p: &str| all || parts.contains(&p);
    let cases = CASES
        .into_iter()
        .filter(|c| wants("workloads") || parts.contains(c))
        .collect();
    Ok(Options {
        quick,
        cases,
        suite: wants("suite"),
        memory: wants("memory"),
        scaling: wants("scaling"),
        render: wants("render"),
        backends: backends.unwrap_or_else(|| BACKENDS.to_vec()),
        in_process,
        child,
    })
}

/// Sizes and repetitions for a full or a `--quick` run.
pub(crate) fn settings(quick: bool) -> (Sizes, Reps) {
    if quick {
        (Sizes::QUICK, Reps::QUICK)
    } else {
        (Sizes::FULL, Reps::FULL)
    }
}
