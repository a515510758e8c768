//! Measures one memory scenario in a process of its own and prints `key=value` pairs on one
//! line; the `compare` benchmark runs it. Usage: `memprobe large|files <n> heap|rss`.

use std::process::ExitCode;

use dmemfs_bench::measure::proc_status_bytes;
use dmemfs_bench::memory::{Mode, Scenario, format_line, warm_up};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn probe(args: &[String]) -> std::io::Result<String> {
    let (scenario, mode) = Scenario::parse(args)?;
    let payload = scenario.payload();
    warm_up()?;
    // Allocate the output line's buffer before anything is measured.
    let mut line = String::with_capacity(256);
    match mode {
        Mode::Heap => {
            // Blocks allocated before the profiler starts are not counted: the payload is not.
            let profiler = dhat::Profiler::builder().testing().build();
            let fs = scenario.build(&payload)?;
            let built = dhat::HeapStats::get();
            drop(fs);
            let after = dhat::HeapStats::get();
            // Freed chunks wait in dmemfs's memory cache for the next filesystem; trimming it
            // must give everything back.
            dmemfs_core::memory_cache::trim();
            let trimmed = dhat::HeapStats::get();
            drop(profiler);
            line.push_str(&format_line(&[
                ("heap_live", built.curr_bytes as u64),
                ("heap_peak", built.max_bytes as u64),
                ("heap_after_drop", after.curr_bytes as u64),
                ("heap_after_trim", trimmed.curr_bytes as u64),
            ]));
        }
        Mode::Rss => {
            let base = proc_status_bytes("VmRSS").unwrap_or(0);
            let fs = scenario.build(&payload)?;
            let peak = proc_status_bytes("VmHWM").unwrap_or(0);
            drop(fs);
            line.push_str(&format_line(&[("rss_base", base), ("rss_peak", peak)]));
        }
    }
    Ok(line)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match probe(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("memprobe: {err}");
            ExitCode::FAILURE
        }
    }
}
