//! `--save`: the tree written to an archive when the RAM disk stops.

use std::fs::{File, Permissions};
use std::io::{BufWriter, Seek, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use dmemfs_core::{
    MemFs,
    archive::{ArchiveReport, Compression, ExportOptions},
};
use tempfile::NamedTempFile;

/// Where `--save` writes, checked before mounting so that a place that cannot take the
/// archive is found before the work, not after it.
pub(crate) struct Save {
    /// The path as the user gave it, for messages.
    shown: String,
    gzip: bool,
    /// The path written, with symbolic links followed.
    target: PathBuf,
    how: How,
}

enum How {
    /// A regular file, new or existing: written into a temporary file beside it, then renamed
    /// over it, so that a failed save never destroys an earlier archive. `None` once renamed.
    Replace(Option<NamedTempFile>),
    /// Something that is not a regular file (a pipe, a terminal, `/dev/stdout`): written
    /// directly, as a shell redirection would.
    Direct,
}

impl Save {
    /// Checks `file` and makes the temporary file beside it. `mount_point` is where the RAM
    /// disk will be: an archive inside it would be hidden by the mount, and lost with it.
    pub(crate) fn prepare(file: &Path, mount_point: &Path) -> Result<Save, String> {
        let shown = file.display().to_string();
        let fail = |why: String| format!("--save {shown}: {why}");
        let text = file.to_string_lossy();
        let Some(name) = file.file_name().filter(|_| !text.ends_with('/')) else {
            return Err(fail("names a directory, not an archive file".into()));
        };
        let gzip = text.ends_with(".gz") || text.ends_with(".tgz");
        match std::fs::metadata(file) {
            Ok(meta) if meta.is_dir() => {
                return Err(fail("a directory, not an archive file".into()));
            }
            // A pipe, a terminal, `/proc/self/fd/1`: written directly, as it is named.
            Ok(meta) if !meta.is_file() => {
                return Ok(Save {
                    gzip,
                    target: file.to_owned(),
                    how: How::Direct,
                    shown,
                });
            }
            _ => {}
        }
        let target = match std::fs::canonicalize(file) {
            Ok(target) => target,
            Err(_) if std::fs::symlink_metadata(file).is_ok() => {
                return Err(fail("a symbolic link to nothing".into()));
            }
            Err(_) => {
                let parent = match file.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                let dir = std::fs::canonicalize(parent)
                    .map_err(|err| fail(format!("no directory {}: {err}", parent.display())))?;
                dir.join(name)
            }
        };
        let mount_point = std::fs::canonicalize(mount_point)
            .map_err(|err| format!("{}: {err}", mount_point.display()))?;
        if target.starts_with(&mount_point) {
            return Err(fail(format!(
                "inside the mount point {}: the RAM disk would hide it",
                mount_point.display()
            )));
        }
        let dir = target.parent().unwrap_or(Path::new("/"));
        // 0o666 less the umask, as a new file made by a shell redirection.
        let partial = tempfile::Builder::new()
            .prefix(".dmemfs-save-")
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(dir)
            .map_err(|err| fail(format!("cannot write in {}: {err}", dir.display())))?;
        Ok(Save {
            gzip,
            shown,
            target,
            how: How::Replace(Some(partial)),
        })
    }

    /// Writes the archive and puts it in place; if that fails, calls `again` (which waits
    /// for the user) and tries once more, from the start.
    pub(crate) fn keep(mut self, fs: &MemFs, again: impl FnOnce(&str)) -> Result<(), String> {
        let report = match self.attempt(fs) {
            Ok(report) => report,
            Err(err) => {
                again(&err);
                self.attempt(fs)?
            }
        };
        say!(
            "dmemfs: saved {} files and {} directories to {}",
            report.files,
            report.dirs,
            self.shown
        );
        Ok(())
    }

    fn attempt(&mut self, fs: &MemFs) -> Result<ArchiveReport, String> {
        let fail = |err: std::io::Error| format!("--save {}: {err}", self.shown);
        let options = ExportOptions::new().compression(if self.gzip {
            Compression::Gzip
        } else {
            Compression::Plain
        });
        match &mut self.how {
            How::Direct => {
                let mut out = BufWriter::new(File::create(&self.target).map_err(fail)?);
                let report = fs.export_tar("/", &mut out, &options).map_err(fail)?;
                out.flush().map_err(fail)?;
                Ok(report)
            }
            How::Replace(slot) => {
                let Some(mut partial) = slot.take() else {
                    return Err(format!("--save {}: already saved", self.shown));
                };
                let written = write_into(fs, partial.as_file_mut(), &options, &self.target);
                let report = match written {
                    Ok(report) => report,
                    Err(err) => {
                        *slot = Some(partial);
                        return Err(fail(err));
                    }
                };
                match partial.persist(&self.target) {
                    Ok(_) => Ok(report),
                    Err(err) => {
                        *slot = Some(err.file);
                        Err(fail(err.error))
                    }
                }
            }
        }
    }
}

/// Writes the whole tree into `file` from its start, then gives it the mode (and, where
/// allowed, the owner) of the archive it will replace, so a private archive stays private.
fn write_into(
    fs: &MemFs,
    file: &mut File,
    options: &ExportOptions,
    target: &Path,
) -> std::io::Result<ArchiveReport> {
    file.set_len(0)?;
    file.rewind()?;
    let mut out = BufWriter::new(&mut *file);
    let report = fs.export_tar("/", &mut out, options)?;
    out.flush()?;
    drop(out);
    if let Ok(old) = std::fs::metadata(target) {
        // Only root may give a file away; anyone else keeps the new file as theirs. (Owner
        // first: a change of owner clears set-id bits.)
        let _ = std::os::unix::fs::fchown(&*file, Some(old.uid()), Some(old.gid()));
        file.set_permissions(Permissions::from_mode(old.mode() & 0o7777))?;
    }
    file.sync_all()?;
    Ok(report)
}
