//! The operations an error can name.

use std::fmt;

/// The filesystem operation that failed.
///
/// ```
/// use dmemfs_core::{FsError, MemFs, Op};
/// let fs = MemFs::new();
/// let err = fs.create_dir("/a/b").unwrap_err();
/// assert_eq!(FsError::from_io(&err).unwrap().op(), Op::CreateDir);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// Building a [`MemFs`](crate::MemFs), or opening an [`OsFs`](crate::OsFs).
    Build,
    /// Opening an existing file ([`MemFs::open`](crate::MemFs::open), or
    /// [`OpenOptions::open`](crate::OpenOptions::open) without `create`).
    Open,
    /// Opening a file that may be created ([`MemFs::create`](crate::MemFs::create), or
    /// [`OpenOptions::open`](crate::OpenOptions::open) with `create` or `create_new`).
    Create,
    /// Reading from a file or a handle.
    Read,
    /// Writing to a file or a handle.
    Write,
    /// Appending to a file ([`MemFs::append`](crate::MemFs::append)).
    Append,
    /// Moving a handle's cursor.
    Seek,
    /// Changing a file's length.
    SetLen,
    /// Querying metadata.
    Metadata,
    /// Listing a directory.
    ReadDir,
    /// Creating one directory.
    CreateDir,
    /// Creating a directory and its missing parents.
    CreateDirAll,
    /// Removing a file.
    RemoveFile,
    /// Removing an empty directory.
    RemoveDir,
    /// Removing a directory and everything below it.
    RemoveDirAll,
    /// Renaming with `std::fs::rename` semantics.
    Rename,
    /// Moving with D-MemFS `move` semantics ([`MemFs::move_path`](crate::MemFs::move_path)).
    Move,
    /// Copying a file.
    Copy,
    /// Copying a directory tree.
    CopyDirAll,
    /// Walking a directory tree.
    Walk,
    /// Matching a glob pattern.
    Glob,
    /// Exporting files to a map.
    ExportTree,
    /// Importing files from a map.
    ImportTree,
    /// Exporting files to a host directory.
    ExportToDir,
    /// Importing files from a host directory.
    ImportFromDir,
    /// Extracting a tar archive (feature `tar`).
    ExtractTar,
    /// Extracting a zip archive (feature `zip`).
    ExtractZip,
    /// Writing a subtree as a tar archive (feature `tar`).
    ExportTar,
    /// [`MemFs::set_permissions`](crate::MemFs::set_permissions) and its handle form.
    SetPermissions,
    /// [`MemFs::set_times`](crate::MemFs::set_times) and its handle form.
    SetTimes,
    /// [`MemFs::hard_link`](crate::MemFs::hard_link).
    HardLink,
    /// [`MemFs::symlink`](crate::MemFs::symlink).
    Symlink,
    /// [`MemFs::read_link`](crate::MemFs::read_link).
    ReadLink,
    /// [`MemFs::lookup`](crate::MemFs::lookup) and
    /// [`MemFs::metadata_by_ino`](crate::MemFs::metadata_by_ino).
    Lookup,
}

impl Op {
    /// The operation's name as it appears in messages, e.g. `"create_dir_all"`.
    ///
    /// ```
    /// assert_eq!(dmemfs_core::Op::CreateDirAll.name(), "create_dir_all");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Op::Build => "build",
            Op::Open => "open",
            Op::Create => "create",
            Op::Read => "read",
            Op::Write => "write",
            Op::Append => "append",
            Op::Seek => "seek",
            Op::SetLen => "set_len",
            Op::Metadata => "metadata",
            Op::ReadDir => "read_dir",
            Op::CreateDir => "create_dir",
            Op::CreateDirAll => "create_dir_all",
            Op::RemoveFile => "remove_file",
            Op::RemoveDir => "remove_dir",
            Op::RemoveDirAll => "remove_dir_all",
            Op::Rename => "rename",
            Op::Move => "move_path",
            Op::Copy => "copy",
            Op::CopyDirAll => "copy_dir_all",
            Op::Walk => "walk",
            Op::Glob => "glob",
            Op::ExportTree => "export_tree",
            Op::ImportTree => "import_tree",
            Op::ExportToDir => "export_to_dir",
            Op::ImportFromDir => "import_from_dir",
            Op::ExtractTar => "extract_tar",
            Op::ExtractZip => "extract_zip",
            Op::ExportTar => "export_tar",
            Op::SetPermissions => "set_permissions",
            Op::SetTimes => "set_times",
            Op::HardLink => "hard_link",
            Op::Lookup => "lookup",
            Op::Symlink => "symlink",
            Op::ReadLink => "read_link",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
