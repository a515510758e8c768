//! The `mount` command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use dmemfs_core::{ExportOptions, MemFs, Semantics, Stats, parse_size};
use dmemfs_fuse::{MountOptions, Unmounted};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

fn cli() -> Command {
    Command::new("dmemfs")
        .about("An in-memory filesystem with a hard byte quota")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("mount")
                .about("Serve a RAM disk at DIR until Ctrl-C or SIGTERM, then unmount it")
                .arg(Arg::new("dir").value_name("DIR").required(true).value_parser(value_parser!(PathBuf)).help("An existing, empty directory to mount on"))
                .arg(Arg::new("quota").long("quota").value_name("SIZE").required(true).help("The hard byte quota: 2G, 512M, 1.5GiB, 10MB, or a number of bytes"))
                .arg(Arg::new("max-nodes").long("max-nodes").value_name("N").value_parser(value_parser!(u64).range(1..)).help("The most files, directories and links (the root counts)"))
                .arg(Arg::new("seed").long("seed").value_name("HOST_DIR").value_parser(value_parser!(PathBuf)).help("Copy this host directory in before serving"))
                .arg(Arg::new("save").long("save").value_name("FILE.tar.gz").value_parser(value_parser!(PathBuf)).help("On exit, write the tree to this archive first (gzip if it ends in .gz or .tgz)"))
                .arg(Arg::new("locked").long("locked").action(ArgAction::SetTrue).help("D-MemFS's locked open files instead of Linux's (open files cannot be removed or renamed)")),
        )
}

pub(crate) fn main() -> ExitCode {
    let matches = cli().get_matches();
    let Some(("mount", args)) = matches.subcommand() else {
        unreachable!("clap requires the subcommand");
    };
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dmemfs: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &ArgMatches) -> Result<(), String> {
    let dir: &PathBuf = args.get_one("dir").expect("required");
    let quota_text: &String = args.get_one("quota").expect("required");
    let quota = parse_size(quota_text).map_err(|err| format!("--quota {quota_text}: {err}"))?;
    if !dir.is_dir() {
        return Err(format!("{}: not an existing directory", dir.display()));
    }
    let mut builder = MemFs::builder()
        .quota(quota)
        .semantics(if args.get_flag("locked") {
            Semantics::Locked
        } else {
            Semantics::Posix
        });
    if let Some(&limit) = args.get_one::<u64>("max-nodes") {
        builder = builder.max_nodes(limit);
    }
    let fs = builder.build().map_err(|err| err.to_string())?;
    if let Some(seed) = args.get_one::<PathBuf>("seed") {
        fs.import_from_dir(seed, "/")
            .map_err(|err| format!("--seed {}: {err}", seed.display()))?;
    }
    let save: Option<&PathBuf> = args.get_one("save");
    // Before mounting: a signal that arrives at any later moment is seen.
    let mut signals = Signals::new([SIGINT, SIGTERM]).map_err(|err| format!("signals: {err}"))?;
    let name = dir.display().to_string();
    let mount = dmemfs_fuse::mount_at(&fs, dir, &MountOptions::new().name(name))
        .map_err(|err| err.to_string())?;
    println!(
        "dmemfs: serving {} with a quota of {} at {} (Ctrl-C to stop)",
        describe(&fs.stats()),
        human(quota),
        dir.display()
    );
    let signal = signals.forever().next();
    eprintln!("dmemfs: {}; stopping", signal_name(signal));
    let saved = save.map(|file| save_to(&fs, file));
    match mount
        .unmount()
        .map_err(|err| format!("unmounting {}: {err}", dir.display()))?
    {
        Unmounted::Joined => {}
        Unmounted::Detached { holders } => {
            eprintln!("dmemfs: unmounted while files were open; detached from:");
            for holder in holders {
                eprintln!("dmemfs:   {holder}");
            }
        }
    }
    println!(
        "dmemfs: unmounted {}; {}",
        dir.display(),
        describe(&fs.stats())
    );
    saved.unwrap_or(Ok(()))
}

fn save_to(fs: &MemFs, file: &Path) -> Result<(), String> {
    let name = file.to_string_lossy();
    let gzip = name.ends_with(".gz") || name.ends_with(".tgz");
    let out = std::fs::File::create(file).map_err(|err| format!("--save {name}: {err}"))?;
    let report = fs
        .export_tar(
            "/",
            std::io::BufWriter::new(out),
            &ExportOptions::new().gzip(gzip),
        )
        .map_err(|err| format!("--save {name}: {err}"))?;
    println!(
        "dmemfs: saved {} files and {} directories to {name}",
        report.files, report.dirs
    );
    Ok(())
}

fn signal_name(signal: Option<i32>) -> &'static str {
    match signal {
        Some(SIGINT) => "interrupted",
        Some(SIGTERM) => "terminated",
        _ => "signalled",
    }
}

fn describe(stats: &Stats) -> String {
    format!(
        "{} used (peak {}), {} files, {} directories, {} links",
        human(stats.used),
        human(stats.peak_used),
        stats.files,
        stats.dirs,
        stats.symlinks
    )
}

/// `1536` as `1.5 KiB`.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(0), "0 bytes");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(2 << 30), "2.0 GiB");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        cli().debug_assert();
    }
}
