//! `cargo bench -p dmemfs-bench [-- PART... [--quick] [--backends a,b,...] [--in-process]]`
//!
//! Prints markdown tables comparing dmemfs with the floor (`HashMap<String, Vec<u8>>`),
//! `std::fs` on tmpfs and on disk, `vfs` and `rsfs`, then one PASS/FAIL line per target of
//! issue 4. PART is any of the six case names, `workloads` (all six), `suite`, `memory`,
//! `scaling`, `render`; none means everything.
//!
//! Each (case, backend) pair of the six workloads runs in a fresh process (this binary,
//! re-executed with `--child CASE BACKEND`): the stream cases depend on the allocator's state
//! (glibc raises its mmap threshold after freeing a large block), so in one process a backend's
//! result would depend on which backends ran before it. `--in-process` turns that off.

use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use dmemfs_bench::measure::{Reps, Sample, load_average, median, prime_allocator, run_within};
use dmemfs_bench::memory::{self, Scenario};
use dmemfs_bench::render::{Shape, render_time};
use dmemfs_bench::report::{Bound, Check, Table, bytes, ms, ratio};
use dmemfs_bench::scaling::{Target, run_threads};
use dmemfs_bench::workloads::Sizes;
use dmemfs_bench::{memcpy, suite};

mod child;
mod cli;

use child::{CASE_BUDGET, sample, sample_isolated, sample_line};
use cli::{Options, USAGE, parse_args, settings};

const MIB: f64 = 1024.0 * 1024.0;
/// The same for one backend of the test-suite workload.
const SUITE_BUDGET: Duration = Duration::from_secs(15);

/// The bytes a perfect implementation copies in a stream case, and the buffer size whose
/// bandwidth applies.
fn copied_bytes(case: &str, sizes: &Sizes) -> Option<(u64, usize)> {
    let stream = sizes.stream_bytes();
    match case {
        "stream_write_read" => Some((2 * stream as u64, stream)),
        "random_access_rw" => Some((
            (2 * stream + sizes.random_writes * 64 * 1024) as u64,
            stream,
        )),
        "large_stream_write_read" => Some((2 * sizes.large_bytes() as u64, sizes.large_bytes())),
        _ => None,
    }
}

fn workloads(opts: &Options, sizes: &Sizes, reps: Reps) -> io::Result<Vec<Check>> {
    let mut table = Table::new(&[
        "case",
        "backend",
        "median ms:",
        "min ms:",
        "× floor:",
        "× tmpfs:",
        "faults:",
        "reps:",
    ]);
    let mut checks = Vec::new();
    let mut bandwidths: Vec<(usize, f64)> = Vec::new();
    for &case in &opts.cases {
        let mut results: Vec<(&str, Sample)> = Vec::new();
        for &backend in &opts.backends {
            eprintln!("  {case}: {backend}");
            let result = if opts.in_process {
                sample(backend, case, sizes, reps)?
            } else {
                sample_isolated(backend, case, opts.quick)?
            };
            results.push((backend, result));
        }
        let median_of = |name: &str| {
            results
                .iter()
                .find(|(b, _)| *b == name)
                .map(|(_, s)| s.median_ms())
        };
        let (floor, tmpfs) = (median_of("floor"), median_of("tmpfs"));
        let relative =
            |value: f64, base: Option<f64>| base.map_or("—".into(), |b| ratio(value / b));
        for (backend, s) in &results {
            table.row(vec![
                case.into(),
                (*backend).into(),
                ms(s.median_ms()),
                ms(s.min_ms()),
                relative(s.median_ms(), floor),
                relative(s.median_ms(), tmpfs),
                s.faults.map_or("—".into(), |f| f.to_string()),
                s.reps.to_string(),
            ]);
        }
        let mut memcpy_ms = None;
        if let Some((moved, buffer)) = copied_bytes(case, sizes) {
            let bandwidth = match bandwidths.iter().find(|(size, _)| *size == buffer) {
                Some(&(_, bw)) => bw,
                None => {
                    eprintln!("  memcpy bandwidth at {} MiB", buffer as f64 / MIB);
                    let bw = memcpy::bandwidth(buffer, reps)?;
                    bandwidths.push((buffer, bw));
                    bw
                }
            };
            let floor_ms = memcpy::floor_time(moved, bandwidth).as_secs_f64() * 1e3;
            memcpy_ms = Some(floor_ms);
            table.row(vec![
                case.into(),
                format!("memcpy floor ({:.0} MiB)", moved as f64 / MIB),
                ms(floor_ms),
                "—".into(),
                relative(floor_ms, floor),
                relative(floor_ms, tmpfs),
                "—".into(),
                "—".into(),
            ]);
        }
        let Some(dmemfs) = median_of("dmemfs") else {
            continue;
        };
        let mut target = |base: Option<f64>, over: &str, bound: Bound, limit: f64| {
            if let Some(base) = base {
                let what = format!("{case} dmemfs/{over}");
                checks.push(Check::new(what, dmemfs / base, bound, limit));
            }
        };
        match case {
            "small_files_rw" => target(floor, "floor", Bound::AtMost, 1.5),
            // Issue 10's target (issue 4 asked 1.5).
            "many_files_random_read" => target(floor, "floor", Bound::AtMost, 1.3),
            "deep_tree_read" => target(floor, "floor", Bound::AtMost, 2.0),
            "stream_write_read" | "random_access_rw" => target(tmpfs, "tmpfs", Bound::AtMost, 0.8),
            _ => {
                target(tmpfs, "tmpfs", Bound::AtMost, 0.7);
                target(memcpy_ms, "memcpy floor", Bound::AtMost, 2.0);
            }
        }
        target(median_of("vfs"), "vfs", Bound::Below, 1.0);
        target(median_of("rsfs"), "rsfs", Bound::Below, 1.0);
    }
    println!("## The six D-MemFS workloads\n");
    println!(
        "Median and min of up to {} repetitions (after {} warm-up; fewer when they exceed {} s, \
         see reps), ms; × floor and × tmpfs are median/median; faults = minor page faults of \
         the thread per repetition (median). {}\n",
        reps.timed,
        reps.warmup,
        CASE_BUDGET.as_secs(),
        if opts.in_process {
            "All in this process, its allocator primed first."
        } else {
            "Each case and backend in a fresh process, its allocator primed (one 16 MiB buffer \
             freed first, see measure::prime_allocator)."
        }
    );
    println!("{}", table.render());
    for (size, bw) in &bandwidths {
        println!(
            "memcpy into a pre-faulted buffer, {:.0} MiB: {:.2} GB/s",
            *size as f64 / MIB,
            bw / 1e9
        );
    }
    println!();
    Ok(checks)
}

fn test_suite(tests: usize, reps: Reps) -> io::Result<Vec<Check>> {
    let runs: [(&str, &dyn Fn() -> io::Result<()>); 4] = [
        ("dmemfs (#[with_memfs] path)", &suite::harness_test),
        ("dmemfs (bare MemFs::new)", &suite::bare_test),
        ("tmpfs TempDir (/dev/shm)", &|| {
            suite::tempdir_test(Path::new("/dev/shm"))
        }),
        ("disk TempDir (/tmp)", &|| {
            suite::tempdir_test(Path::new("/tmp"))
        }),
    ];
    let mut samples = Vec::new();
    for (name, one) in runs {
        eprintln!("  suite: {name}");
        // Warm up on a tenth of the tests: a full warm-up on a loaded disk takes too long.
        suite::run_suite(tests.div_ceil(10), one)?;
        let timed = Reps { warmup: 0, ..reps };
        samples.push((
            name,
            run_within(timed, SUITE_BUDGET, || suite::run_suite(tests, one))?,
        ));
    }
    let harness = samples[0].1.median_ms();
    let mut table = Table::new(&[
        "backend",
        "median ms:",
        "min ms:",
        "µs per test:",
        "× dmemfs (harness):",
        "reps:",
    ]);
    for (name, s) in &samples {
        table.row(vec![
            (*name).into(),
            ms(s.median_ms()),
            ms(s.min_ms()),
            ms(s.median_ms() * 1e3 / tests as f64),
            ratio(s.median_ms() / harness),
            s.reps.to_string(),
        ]);
    }
    println!("## Test-suite workload\n");
    println!(
        "{tests} tests, each: create a filesystem, mkdir 3 directories, write {} files of {} B, \
         read them back, drop it. Warm-up: {} tests; then up to {} repetitions (fewer past {} s).\n",
        suite::FILES,
        suite::FILE_BYTES,
        tests.div_ceil(10),
        reps.timed,
        SUITE_BUDGET.as_secs()
    );
    println!("{}", table.render());
    Ok(vec![
        Check::new(
            "suite disk/dmemfs",
            samples[3].1.median_ms() / harness,
            Bound::AtLeast,
            20.0,
        ),
        Check::new(
            "suite tmpfs/dmemfs",
            samples[2].1.median_ms() / harness,
            Bound::AtLeast,
            5.0,
        ),
    ])
}

fn memory_part(scenarios: &[Scenario]) -> io::Result<Vec<Check>> {
    let probe = Path::new(env!("CARGO_BIN_EXE_memprobe"));
    let mut table = Table::new(&[
        "scenario",
        "data B:",
        "heap live B:",
        "heap peak B:",
        "peak / data:",
        "(peak − data) / file B:",
        "RSS base MiB:",
        "RSS peak MiB:",
        "(RSS peak − base) / data:",
        "heap after drop B (cached):",
        "heap after trim B:",
    ]);
    let mut checks = Vec::new();
    for scenario in scenarios {
        eprintln!("  memory: {}", scenario.label());
        let m = memory::measure(probe, *scenario)?;
        let data = scenario.data_bytes() as f64;
        let files = scenario.files() as f64;
        let peak = m.heap_peak as f64;
        table.row(vec![
            scenario.label(),
            bytes(scenario.data_bytes()),
            bytes(m.heap_live),
            bytes(m.heap_peak),
            format!("{:.4}", peak / data),
            format!("{:.1}", (peak - data) / files),
            format!("{:.1}", m.rss_base as f64 / MIB),
            format!("{:.1}", m.rss_peak as f64 / MIB),
            format!("{:.4}", m.rss_peak.saturating_sub(m.rss_base) as f64 / data),
            bytes(m.heap_after_drop),
            bytes(m.heap_after_trim),
        ]);
        checks.push(match scenario {
            Scenario::LargeFile { mib } => Check::new(
                format!("memory {mib} MiB file heap peak/data"),
                peak / data,
                Bound::AtMost,
                1.05,
            ),
            Scenario::SmallFiles { files: n } => Check::new(
                format!("memory {n} files heap peak/(1.1 × data + 200 B/file)"),
                peak / (1.1 * data + 200.0 * files),
                Bound::AtMost,
                1.0,
            ),
        });
    }
    println!("## Memory\n");
    println!(
        "Each scenario in its own process (`memprobe`): heap from dhat's counting allocator \
         (bytes requested, live after building and high-water mark while building, payload \
         buffer excluded); RSS from /proc/self/status (VmRSS before building, VmHWM after) in a \
         second process without the profiler.\n"
    );
    println!("{}", table.render());
    Ok(checks)
}

fn scaling_part(ops: usize, reps: Reps) -> io::Result<Vec<Check>> {
    let mut table = Table::new(&[
        "target",
        "threads",
        "median ms:",
        "min ms:",
        "ops/s:",
        "2 threads / 1 thread:",
    ]);
    let mut checks = Vec::new();
    for (name, target) in [
        ("dmemfs (one shared MemFs)", Target::Dmemfs),
        ("control (a HashMap per thread)", Target::Independent),
    ] {
        eprintln!("  scaling: {name}");
        // Alternate 1 and 2 threads so that load from elsewhere hits both alike.
        let (mut one, mut two) = (Vec::new(), Vec::new());
        for rep in 0..reps.warmup + reps.timed {
            let (t1, t2) = (run_threads(target, 1, ops)?, run_threads(target, 2, ops)?);
            if rep >= reps.warmup {
                one.push(t1);
                two.push(t2);
            }
        }
        let stats = |times: &mut Vec<Duration>| {
            let min = times.iter().copied().min().unwrap_or_default();
            (median(times, |a, b| (a + b) / 2), min)
        };
        let ((m1, min1), (m2, min2)) = (stats(&mut one), stats(&mut two));
        let speedup = 2.0 * m1.as_secs_f64() / m2.as_secs_f64();
        for (threads, m, min) in [(1, m1, min1), (2, m2, min2)] {
            table.row(vec![
                name.into(),
                threads.to_string(),
                ms(m.as_secs_f64() * 1e3),
                ms(min.as_secs_f64() * 1e3),
                format!("{:.0}", (threads * ops) as f64 / m.as_secs_f64()),
                if threads == 2 {
                    ratio(speedup)
                } else {
                    "".into()
                },
            ]);
        }
        if target == Target::Dmemfs {
            checks.push(Check::new(
                "scaling dmemfs 2-thread/1-thread throughput",
                speedup,
                Bound::AtLeast,
                1.6,
            ));
        }
    }
    println!("## Scaling\n");
    println!(
        "Each thread: {ops} operations on its own 16 files (4 to 64 KiB): create + write_all the \
         file whole, then open + read_to_end it. Median and min of {} runs; ops/s counts every \
         thread's operations.\n",
        reps.timed
    );
    println!("{}", table.render());
    Ok(checks)
}

/// Rendering time at two sizes of each shape: linear growth doubles it, quadratic would
/// quadruple it. A deep chain's rendering itself grows as the square of its depth (each line
/// is indented by its level), so that shape is allowed a square and no more.
fn render_part(quick: bool) -> io::Result<Vec<Check>> {
    let mut table = Table::new(&["tree", "min ms:", "× the half-size tree:"]);
    let mut checks = Vec::new();
    let (wide, deep) = if quick { (5_000, 256) } else { (20_000, 1_024) };
    let shapes = [
        (
            "files in one directory",
            Shape::Wide(wide / 2),
            Shape::Wide(wide),
            wide,
            2.6,
        ),
        (
            "levels of a chain",
            Shape::Deep(deep / 2),
            Shape::Deep(deep),
            deep,
            5.0,
        ),
    ];
    for (what, half, full, n, limit) in shapes {
        eprintln!("  render: {n} {what}");
        let (t_half, t_full) = (render_time(half, 5)?, render_time(full, 5)?);
        let growth = t_full.as_secs_f64() / t_half.as_secs_f64();
        table.row(vec![
            format!("{} {what}", n / 2),
            ms(t_half.as_secs_f64() * 1e3),
            "".into(),
        ]);
        table.row(vec![
            format!("{n} {what}"),
            ms(t_full.as_secs_f64() * 1e3),
            ratio(growth),
        ]);
        checks.push(Check::new(
            format!("render {n} {what} / {}", n / 2),
            growth,
            Bound::AtMost,
            limit,
        ));
    }
    println!("## Rendering\n");
    println!("`RenderOptions::new().render(&fs, \"/\")`, fastest of 5.\n");
    println!("{}", table.render());
    Ok(checks)
}

fn bench(opts: &Options) -> io::Result<Vec<Check>> {
    let (sizes, reps) = settings(opts.quick);
    prime_allocator();
    let mut checks = Vec::new();
    if !opts.cases.is_empty() {
        checks.extend(workloads(opts, &sizes, reps)?);
    }
    if opts.suite {
        checks.extend(test_suite(if opts.quick { 100 } else { 1_000 }, reps)?);
    }
    if opts.memory {
        let scenarios = if opts.quick {
            [
                Scenario::LargeFile { mib: 64 },
                Scenario::SmallFiles { files: 1_000 },
            ]
        } else {
            [
                Scenario::LargeFile { mib: 512 },
                Scenario::SmallFiles { files: 10_000 },
            ]
        };
        checks.extend(memory_part(&scenarios)?);
    }
    if opts.scaling {
        checks.extend(scaling_part(if opts.quick { 5_000 } else { 20_000 }, reps)?);
    }
    if opts.render {
        checks.extend(render_part(opts.quick)?);
    }
    Ok(checks)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let opts = match parse_args(&args) {
        Ok(opts) => opts,
        Err(err) => {
            eprintln!("compare: {err}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    if let Some((case, backend)) = &opts.child {
        let (sizes, reps) = settings(opts.quick);
        prime_allocator();
        return match sample(backend, case, &sizes, reps) {
            Ok(s) => {
                println!("{}", sample_line(&s));
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("compare --child {case} {backend}: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let started = Instant::now();
    let load_before = load_average().unwrap_or_else(|| "?".into());
    println!("# dmemfs benchmark (issue 4)\n");
    println!(
        "{} mode; {} CPUs; load average at start {load_before}\n",
        if opts.quick {
            "QUICK (reduced sizes, indicative only)"
        } else {
            "full"
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    let checks = match bench(&opts) {
        Ok(checks) => checks,
        Err(err) => {
            eprintln!("compare: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("## Targets (issue 4)\n");
    println!("```");
    for check in &checks {
        println!("{}", check.line());
    }
    let passed = checks.iter().filter(|c| c.passed()).count();
    println!("{passed} of {} targets met", checks.len());
    println!("```\n");
    println!(
        "Total {:.0} s; load average at end {}",
        started.elapsed().as_secs_f64(),
        load_average().unwrap_or_else(|| "?".into())
    );
    ExitCode::SUCCESS
}
