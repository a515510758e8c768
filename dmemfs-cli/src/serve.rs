//! The `mount` command.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use dmemfs_core::{ArchiveReport, ExportOptions, MemFs, Semantics, Stats, parse_size};
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
                .arg(Arg::new("seed").long("seed").value_name("HOST_DIR").value_parser(value_parser!(PathBuf)).help("Copy this host directory in before serving (files and directories; symbolic links are refused, and modes and times are not copied)"))
                .arg(Arg::new("save").long("save").value_name("FILE.tar.gz").value_parser(value_parser!(PathBuf)).help("On exit, write the tree to this archive first (gzip if it ends in .gz or .tgz); replaced only once the new one is complete"))
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
    if quota == 0 {
        return Err(format!(
            "--quota {quota_text}: a RAM disk of 0 bytes holds nothing"
        ));
    }
    check_mount_point(dir)?;
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
    // Before mounting: a --save that cannot be written is found now, not after the work.
    let save = args
        .get_one::<PathBuf>("save")
        .map(|file| Save::prepare(file))
        .transpose()?;
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
    let mut signals = signals.forever();
    eprintln!("dmemfs: {}; stopping", signal_name(signals.next()));
    let saved = save.map(|save| {
        save.keep(&fs, |err| {
            // The files exist nowhere else: keep serving them for one more chance.
            eprintln!(
                "dmemfs: {err}\ndmemfs: the files are still served at {}: copy what you need \
                 (or free space), then stop again to retry; a second failure stops without saving",
                dir.display()
            );
            eprintln!("dmemfs: {}; retrying the save", signal_name(signals.next()));
        })
    });
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

/// Refuses a mount point that is not an empty directory: files there would be hidden while
/// the RAM disk is mounted over them.
fn check_mount_point(dir: &Path) -> Result<(), String> {
    let shown = dir.display();
    let mut entries = std::fs::read_dir(dir)
        .map_err(|err| format!("{shown}: not an existing directory: {err}"))?;
    if entries.next().is_some() {
        return Err(format!(
            "{shown}: not empty (its files would be hidden while the RAM disk is mounted there)"
        ));
    }
    Ok(())
}

/// Where `--save` writes: a temporary file beside the archive, made before mounting, and
/// renamed over it only once complete, so a failed save never destroys an earlier archive.
struct Save {
    file: PathBuf,
    gzip: bool,
    partial: tempfile::NamedTempFile,
}

impl Save {
    fn prepare(file: &Path) -> Result<Save, String> {
        let name = file.display();
        let dir = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if file.is_dir() {
            return Err(format!("--save {name}: a directory, not an archive file"));
        }
        let partial = tempfile::Builder::new()
            .prefix(".dmemfs-save-")
            .permissions(std::fs::Permissions::from_mode(0o644))
            .tempfile_in(dir)
            .map_err(|err| format!("--save {name}: cannot write in {}: {err}", dir.display()))?;
        let text = file.to_string_lossy();
        Ok(Save {
            file: file.to_owned(),
            gzip: text.ends_with(".gz") || text.ends_with(".tgz"),
            partial,
        })
    }

    /// Writes the archive, with one retry after `again` if the first attempt fails, and puts
    /// it in place.
    fn keep(self, fs: &MemFs, again: impl FnOnce(&str)) -> Result<(), String> {
        let name = self.file.display().to_string();
        let report = match self.write(fs) {
            Ok(report) => report,
            Err(err) => {
                again(&err);
                self.write(fs)?
            }
        };
        self.partial
            .persist(&self.file)
            .map_err(|err| format!("--save {name}: {}", err.error))?;
        println!(
            "dmemfs: saved {} files and {} directories to {name}",
            report.files, report.dirs
        );
        Ok(())
    }

    /// Writes the whole tree into the temporary file, from its start.
    fn write(&self, fs: &MemFs) -> Result<ArchiveReport, String> {
        let name = self.file.display();
        let fail = |err: std::io::Error| format!("--save {name}: {err}");
        let out = self.partial.reopen().map_err(fail)?;
        out.set_len(0).map_err(fail)?;
        let mut out = std::io::BufWriter::new(out);
        let report = fs
            .export_tar("/", &mut out, &ExportOptions::new().gzip(self.gzip))
            .map_err(fail)?;
        out.into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .and_then(|out| out.sync_all())
            .map_err(fail)?;
        Ok(report)
    }
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
