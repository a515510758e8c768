//! Real host directories: `export_to_dir` (for debugging) and `import_from_dir` (for seeding).
//!
//! These are the only functions that take `std::path::Path`: the host side of the copy.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::MemFs;
use super::transfer::ImportPlan;
use crate::error::{ArgError, IoSource, Op, Reason, fail};
use crate::path::join;

fn host_error(op: Op, virtual_path: &str, host_path: &Path, err: io::Error) -> io::Error {
    let reason = Reason::Host {
        host_path: host_path.display().to_string(),
        kind: err.kind(),
        error: IoSource::new(err),
    };
    fail(op, virtual_path, reason)
}

impl MemFs {
    /// Writes the tree at `prefix` into the host directory `host_dir`, creating it (and its
    /// parents) if needed. Empty directories are created too; existing host files with the
    /// same names are overwritten, other host files are left alone. A `prefix` naming a file
    /// writes that one file into `host_dir`.
    ///
    /// Meant for looking at a filesystem's contents, e.g. after a failed test. Files are read
    /// under their locks (waiting up to the lock timeout for writers).
    ///
    /// # Errors
    /// `NotFound` (prefix), `WouldBlock`, or the host's error (its kind, with the host path in
    /// the message).
    ///
    /// ```
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.create_dir_all("/app/logs")?;
    /// fs.write("/app/logs/run.log", "boom")?;
    /// let dump = tempfile::tempdir()?;
    /// fs.export_to_dir("/app", dump.path())?;
    /// assert_eq!(std::fs::read_to_string(dump.path().join("logs/run.log"))?, "boom");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn export_to_dir(
        &self,
        prefix: impl AsRef<str>,
        host_dir: impl AsRef<Path>,
    ) -> io::Result<()> {
        let raw = prefix.as_ref();
        let host_dir = host_dir.as_ref();
        let op = Op::ExportToDir;
        let prefix = self.resolve(op, raw, true)?;
        self.intercept(op, &prefix, None, None)
            .map_err(|r| fail(op, raw, r))?;
        // Check the prefix before touching the host.
        self.metadata(&*prefix).map_err(|e| rewrap(op, raw, e))?;
        fs::create_dir_all(host_dir).map_err(|e| host_error(op, raw, host_dir, e))?;
        if self.is_file(&*prefix) {
            let name = crate::path::split_parent(&prefix).map_or("file", |(_, name)| name);
            let contents = self.read(&*prefix)?;
            let target = host_dir.join(name);
            return fs::write(&target, contents).map_err(|e| host_error(op, &prefix, &target, e));
        }
        let base_len = if prefix == "/" { 0 } else { prefix.len() };
        let walk = self.walk(&*prefix).map_err(|e| rewrap(op, raw, e))?;
        for entry in walk {
            let entry = entry?;
            let relative = entry.path()[base_len..].trim_start_matches('/');
            let target = host_dir.join(relative);
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target)
                    .map_err(|e| host_error(op, entry.path(), &target, e))?;
            } else {
                // A file removed since the walk listed it is simply not exported.
                let contents = match self.read(entry.path()) {
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    other => other.map_err(|e| rewrap(op, entry.path(), e))?,
                };
                fs::write(&target, contents)
                    .map_err(|e| host_error(op, entry.path(), &target, e))?;
            }
        }
        Ok(())
    }

    /// Copies the host directory `host_dir` (recursively, empty directories included) into the
    /// virtual directory `prefix`, creating it and its parents: everything or, on any error,
    /// nothing.
    ///
    /// Meant for seeding a filesystem from fixtures. The host files' total size is checked
    /// against the quota before they are read. Existing virtual files with the same paths are
    /// replaced; host symbolic links are refused rather than followed, and host names that are
    /// not UTF-8 are refused (virtual paths are UTF-8).
    ///
    /// # Errors
    /// The host's errors (with the host path), `InvalidInput` (a symlink or an invalid
    /// name), `InvalidData` (a non-UTF-8 name), and those of
    /// [`import_tree`](Self::import_tree).
    ///
    /// ```
    /// let seed = tempfile::tempdir()?;
    /// std::fs::create_dir(seed.path().join("conf"))?;
    /// std::fs::write(seed.path().join("conf/app.toml"), "port = 8080")?;
    ///
    /// let fs = dmemfs_core::MemFs::new();
    /// fs.import_from_dir(seed.path(), "/etc/app")?;
    /// assert_eq!(fs.read_to_string("/etc/app/conf/app.toml")?, "port = 8080");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn import_from_dir(
        &self,
        host_dir: impl AsRef<Path>,
        prefix: impl AsRef<str>,
    ) -> io::Result<()> {
        let host_dir = host_dir.as_ref();
        let raw = prefix.as_ref();
        let op = Op::ImportFromDir;
        let prefix = self.resolve(op, raw, true)?.into_owned();
        let mut found = Vec::new();
        let mut plan = self.import_plan();
        plan.dirs.insert(prefix.clone());
        scan(host_dir, &prefix, &mut plan, &mut found)?;
        // Refuse before reading anything if the files cannot possibly fit.
        // Saturating: sparse host files may claim lengths that add up past u64.
        let total = found
            .iter()
            .fold(0u64, |sum, (_, _, len)| sum.saturating_add(*len));
        let free = self.stats().free;
        let replaceable: u64 = found
            .iter()
            .filter_map(|(path, _, _)| {
                self.metadata(path)
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
            })
            .fold(0u64, u64::saturating_add);
        if total > free.saturating_add(replaceable) {
            let reason = Reason::QuotaExceeded {
                requested: total - replaceable,
                available: free,
                quota: self.inner.ledger.quota.limit(),
            };
            return Err(fail(op, &prefix, reason));
        }
        for (path, host_path, _) in found {
            let contents =
                fs::read(&host_path).map_err(|e| host_error(op, &path, &host_path, e))?;
            plan.add_file(&path, contents)
                .map_err(|(raw, reason)| fail(op, &raw, reason))?;
        }
        self.apply_import(op, plan)
    }
}

/// Collects the host tree below `host_dir` as virtual paths below `prefix`, in sorted
/// pre-order. Iterative, with a stack of directories being listed, like every other tree
/// operation: a recursion per level overflows a test thread's stack some 650 levels down.
fn scan(
    host_dir: &Path,
    prefix: &str,
    plan: &mut ImportPlan,
    found: &mut Vec<(String, PathBuf, u64)>,
) -> io::Result<()> {
    let op = Op::ImportFromDir;
    let mut stack = vec![(sorted_entries(host_dir, prefix)?, prefix.to_owned())];
    while let Some((entries, dir)) = stack.last_mut() {
        let Some(entry) = entries.next() else {
            stack.pop();
            continue;
        };
        let host_path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            let reason = Reason::Host {
                host_path: host_path.display().to_string(),
                kind: io::ErrorKind::InvalidData,
                error: IoSource::new(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "file name is not valid UTF-8",
                )),
            };
            return Err(fail(op, dir, reason));
        };
        if name.contains('\\') && plan.syntax == crate::path::Syntax::Dmemfs {
            let reason = Reason::InvalidArgument(ArgError::UnsupportedHostEntry {
                host_path,
                why: "has a `\\` in its name, a separator in virtual paths",
            });
            return Err(fail(op, dir, reason));
        }
        let path = join(dir, &name);
        let kind = entry
            .file_type()
            .map_err(|e| host_error(op, &path, &host_path, e))?;
        if kind.is_symlink() {
            let reason = Reason::InvalidArgument(ArgError::UnsupportedHostEntry {
                host_path,
                why: "is a symbolic link; links are not imported",
            });
            return Err(fail(op, &path, reason));
        } else if kind.is_dir() {
            plan.dirs.insert(path.clone());
            let below = sorted_entries(&host_path, &path)?;
            stack.push((below, path));
        } else if !kind.is_file() {
            // A FIFO would block forever; a device might never end.
            let reason = Reason::InvalidArgument(ArgError::UnsupportedHostEntry {
                host_path,
                why: "is not a regular file",
            });
            return Err(fail(op, &path, reason));
        } else {
            let len = entry
                .metadata()
                .map_err(|e| host_error(op, &path, &host_path, e))?
                .len();
            found.push((path, host_path, len));
        }
    }
    Ok(())
}

/// The entries of the host directory `host_dir` (virtually `prefix`), sorted by name. They
/// are collected, so no directory stays open while its subdirectories are listed.
fn sorted_entries(host_dir: &Path, prefix: &str) -> io::Result<std::vec::IntoIter<fs::DirEntry>> {
    let op = Op::ImportFromDir;
    let entries = fs::read_dir(host_dir).map_err(|e| host_error(op, prefix, host_dir, e))?;
    let mut entries: Vec<fs::DirEntry> = entries
        .collect::<io::Result<_>>()
        .map_err(|e| host_error(op, prefix, host_dir, e))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    Ok(entries.into_iter())
}

/// Re-labels an error from an inner call with the outer operation, keeping its reason.
fn rewrap(op: Op, path: &str, err: io::Error) -> io::Error {
    match crate::error::FsError::from_io(&err) {
        Some(inner) => fail(op, path, inner.reason().clone()),
        None => err,
    }
}
