//! Memory: the heap and peak RSS a `MemFs` needs for its data, each scenario measured in a
//! process of its own (the `memprobe` binary of this crate) so that peaks do not mix.
//!
//! `memprobe` installs dhat's counting allocator. The timing benchmark does not: dhat's
//! allocator takes a global lock on every allocation even when no profiler runs, which would
//! slow every backend and serialise the scaling threads. Each scenario runs twice: once with
//! the heap profiler on (heap bytes), once with it off (peak RSS without the profiler's own
//! tables).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::process::Command;

use dmemfs_core::MemFs;

use crate::backends::BENCH_QUOTA;

const MIB: usize = 1024 * 1024;
/// The size of each file in the small-files scenario.
pub const SMALL_FILE: usize = 4096;

/// What a memory scenario builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// One file of `mib` MiB at `/large.bin`, written in 1 MiB writes.
    LargeFile {
        /// Size in MiB.
        mib: usize,
    },
    /// `files` files of 4 KiB at `/f000000.bin`, ..., one write each.
    SmallFiles {
        /// How many files.
        files: usize,
    },
}

/// What a scenario is measured for in one child process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Heap bytes, with dhat's profiler running.
    Heap,
    /// Peak RSS (`VmHWM`), with no profiler.
    Rss,
}

impl Scenario {
    /// The bytes of file contents the scenario stores.
    pub fn data_bytes(&self) -> u64 {
        match *self {
            Scenario::LargeFile { mib } => (mib * MIB) as u64,
            Scenario::SmallFiles { files } => (files * SMALL_FILE) as u64,
        }
    }

    /// How many files it creates.
    pub fn files(&self) -> u64 {
        match *self {
            Scenario::LargeFile { .. } => 1,
            Scenario::SmallFiles { files } => files as u64,
        }
    }

    /// A label for the table.
    pub fn label(&self) -> String {
        match *self {
            Scenario::LargeFile { mib } => format!("1 file of {mib} MiB (1 MiB writes)"),
            Scenario::SmallFiles { files } => format!("{files} files of 4 KiB"),
        }
    }

    /// The write buffer, allocated before measuring starts.
    pub fn payload(&self) -> Vec<u8> {
        match self {
            Scenario::LargeFile { .. } => vec![b'L'; MIB],
            Scenario::SmallFiles { .. } => vec![b'S'; SMALL_FILE],
        }
    }

    /// Builds the filesystem as a user would: `fs.create` and `write_all`.
    pub fn build(&self, payload: &[u8]) -> io::Result<MemFs> {
        let fs = MemFs::with_quota(BENCH_QUOTA);
        match *self {
            Scenario::LargeFile { mib } => {
                let mut file = fs.create("/large.bin")?;
                for _ in 0..mib {
                    file.write_all(payload)?;
                }
            }
            Scenario::SmallFiles { files } => {
                for i in 0..files {
                    fs.create(format!("/f{i:06}.bin"))?.write_all(payload)?;
                }
            }
        }
        Ok(fs)
    }

    /// The command-line arguments `memprobe` takes for this scenario and mode.
    pub fn args(&self, mode: Mode) -> Vec<String> {
        let (kind, n) = match *self {
            Scenario::LargeFile { mib } => ("large", mib),
            Scenario::SmallFiles { files } => ("files", files),
        };
        let mode = match mode {
            Mode::Heap => "heap",
            Mode::Rss => "rss",
        };
        vec![kind.to_owned(), n.to_string(), mode.to_owned()]
    }

    /// Parses what [`args`](Self::args) wrote.
    ///
    /// ```
    /// use dmemfs_bench::memory::{Mode, Scenario};
    /// let scenario = Scenario::SmallFiles { files: 10 };
    /// assert_eq!(Scenario::parse(&scenario.args(Mode::Rss))?, (scenario, Mode::Rss));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn parse(args: &[String]) -> io::Result<(Scenario, Mode)> {
        let bad = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("memprobe: expected `large|files <n> heap|rss`, got {args:?}"),
            )
        };
        let [kind, n, mode] = args else {
            return Err(bad());
        };
        let n: usize = n.parse().map_err(|_| bad())?;
        let scenario = match kind.as_str() {
            "large" => Scenario::LargeFile { mib: n },
            "files" => Scenario::SmallFiles { files: n },
            _ => return Err(bad()),
        };
        let mode = match mode.as_str() {
            "heap" => Mode::Heap,
            "rss" => Mode::Rss,
            _ => return Err(bad()),
        };
        Ok((scenario, mode))
    }
}

/// Runs every code path once before measuring, so that state allocated lazily for the life
/// of the process (thread-locals, statics) is not counted as the filesystem's.
pub fn warm_up() -> io::Result<()> {
    let fs = MemFs::with_quota(1 << 20);
    fs.create_dir("/a")?;
    fs.create("/a/f")?.write_all(&[1u8; 100])?;
    fs.write("/a/g", [2u8; 70_000])?;
    drop(fs);
    Ok(())
}

/// What the two child runs of one scenario measured, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// Live heap bytes the filesystem holds once built.
    pub heap_live: u64,
    /// The heap's high-water mark while building it.
    pub heap_peak: u64,
    /// Heap bytes still live after dropping it: freed chunks kept by the process-wide
    /// memory cache (`dmemfs_core::memory_cache`) for the next filesystem.
    pub heap_after_drop: u64,
    /// Heap bytes still live after also trimming that cache (0 unless something leaked).
    pub heap_after_trim: u64,
    /// `VmRSS` before building.
    pub rss_base: u64,
    /// `VmHWM` after building.
    pub rss_peak: u64,
}

/// Formats one child's results as `key=value` pairs on one line.
pub fn format_line(values: &[(&str, u64)]) -> String {
    values
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_line(line: &str) -> BTreeMap<String, u64> {
    line.split_whitespace()
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((k.to_owned(), v.parse().ok()?))
        })
        .collect()
}

fn run_child(probe: &Path, scenario: Scenario, mode: Mode) -> io::Result<BTreeMap<String, u64>> {
    let output = Command::new(probe).args(scenario.args(mode)).output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "memprobe {:?} failed ({}): {}",
            scenario.args(mode),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(parse_line(stdout.lines().last().unwrap_or("")))
}

/// Measures `scenario` with the `memprobe` binary at `probe`: one process for the heap, one
/// for the peak RSS.
pub fn measure(probe: &Path, scenario: Scenario) -> io::Result<Measured> {
    let heap = run_child(probe, scenario, Mode::Heap)?;
    let rss = run_child(probe, scenario, Mode::Rss)?;
    let get = |map: &BTreeMap<String, u64>, key: &str| {
        map.get(key)
            .copied()
            .ok_or_else(|| io::Error::other(format!("memprobe printed no {key} for {scenario:?}")))
    };
    Ok(Measured {
        heap_live: get(&heap, "heap_live")?,
        heap_peak: get(&heap, "heap_peak")?,
        heap_after_drop: get(&heap, "heap_after_drop")?,
        heap_after_trim: get(&heap, "heap_after_trim")?,
        rss_base: get(&rss, "rss_base")?,
        rss_peak: get(&rss, "rss_peak")?,
    })
}
