//! Listing, walking and copying trees of an [`OsFs`].

use std::io;

use cap_std::fs::OpenOptions;

use super::{OsFailure, OsFs, metadata_of, relative};
use crate::error::{Op, Reason};
use crate::metadata::DirEntry;
use crate::path::{join, rebase};
use crate::walk::{ListDir, Listed, WalkDriver};

impl OsFs {
    /// The entries of the directory `normal` that virtual paths can address, sorted by name,
    /// each at `depth`, with whether a walk may descend into it.
    pub(super) fn list(&self, normal: &str, depth: usize) -> Result<Vec<Listed>, OsFailure> {
        let entries = if normal == "/" {
            self.dir().entries()
        } else {
            self.dir().read_dir(relative(normal))
        }?;
        let mut listed = Vec::new();
        for item in entries {
            let item = item?;
            // Not UTF-8, or holding `\` (a separator in virtual paths): no path can name it.
            let Ok(name) = item.file_name().into_string() else {
                continue;
            };
            if name.contains('\\') {
                continue;
            }
            let path = join(normal, &name);
            let file_type = item.file_type()?;
            // Only real directories are descended into, never a symbolic link to one (which
            // could lead back to an ancestor).
            let (meta, descend) = if file_type.is_symlink() {
                // Resolved beneath the root: a dangling or escaping link is left out.
                match self.dir().metadata(relative(&path)) {
                    Ok(meta) => (meta, false),
                    Err(_) => continue,
                }
            } else {
                match item.metadata() {
                    Ok(meta) => (meta, file_type.is_dir()),
                    // Removed since the directory was read.
                    Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                    Err(err) => return Err(err.into()),
                }
            };
            // Sockets, FIFOs and devices have no place in a file-or-directory tree.
            let Ok(metadata) = metadata_of(&meta) else {
                continue;
            };
            listed.push(Listed {
                entry: DirEntry::new(path, metadata, depth),
                descend,
            });
        }
        // Byte order of the names, as a MemFs keeps them.
        listed.sort_unstable_by(|a, b| a.entry.path().cmp(b.entry.path()));
        Ok(listed)
    }

    /// [`list`](OsFs::list) of a directory found earlier (by a walk or a glob): one gone since
    /// (removed, or replaced by a file) lists as empty, as on a MemFs.
    pub(super) fn list_found(&self, normal: &str, depth: usize) -> Result<Vec<Listed>, OsFailure> {
        match self.list(normal, depth) {
            Err(failure) if matches!(failure.reason, Reason::NotFound | Reason::NotADirectory) => {
                Ok(Vec::new())
            }
            listed => listed,
        }
    }

    pub(super) fn walk_normalized(&self, normal: &str) -> Result<OsWalk, OsFailure> {
        let metadata = self.stat(normal)?;
        if !metadata.is_dir() {
            return Err(Reason::NotADirectory.into());
        }
        let root = DirEntry::new(normal.to_owned(), metadata, 0);
        Ok(WalkDriver::new(WalkListing(self.clone()), root))
    }

    /// Copies the tree at `from` to the new directory `to`; on failure, removes what it
    /// created, so the disk is left as it was.
    pub(super) fn copy_dir_normalized(&self, from: &str, to: &str) -> Result<(), OsFailure> {
        // The checks of a MemFs, in its order: one implementation for both.
        let source_is_dir = self.stat(from).map(|meta| meta.is_dir());
        crate::precedence::copy_dir_all(source_is_dir, to, || {
            self.dir().symlink_metadata(relative(to)).is_ok()
        })?;
        // Listed before anything is created, so that copying a directory into itself copies
        // what it held before and terminates.
        let mut entries = Vec::new();
        for entry in self.walk_normalized(from)?.skip(1) {
            let entry = entry.map_err(OsFailure::caught)?;
            entries.push(entry);
        }
        self.dir().create_dir(relative(to))?;
        let result = entries.iter().try_for_each(|entry| {
            let target = rebase(entry.path(), from, to);
            if entry.file_type().is_dir() {
                self.dir()
                    .create_dir(relative(&target))
                    .map_err(OsFailure::from)
            } else {
                self.copy_new_file(entry.path(), &target)
            }
        });
        if result.is_err() {
            let _ = self.dir().remove_dir_all(relative(to));
        }
        result
    }

    /// Copies the file `from` to the path `to`, which must not exist.
    fn copy_new_file(&self, from: &str, to: &str) -> Result<(), OsFailure> {
        let mut source = self.dir().open(relative(from))?;
        let mut dest = self.dir().open_with(
            relative(to),
            OpenOptions::new().write(true).create_new(true),
        )?;
        io::copy(&mut source, &mut dest)?;
        Ok(())
    }
}

/// The walk of an [`OsFs`] directory: the driver of a `MemFs`'s [`Walk`](crate::Walk), listing
/// with `OsFs::list` (so never descending into a linked directory).
pub(super) type OsWalk = WalkDriver<WalkListing>;

/// How an [`OsFs`]'s walk lists a directory.
#[derive(Debug)]
pub(super) struct WalkListing(OsFs);

impl ListDir for WalkListing {
    fn list(&self, dir: &str, depth: usize) -> io::Result<Vec<Listed>> {
        self.0
            .list_found(dir, depth)
            .map_err(|failure| failure.at(Op::Walk, dir))
    }
}
