//! Archives in and out of a [`MemFs`](crate::MemFs): [`extract_tar`](crate::MemFs::extract_tar)
//! and [`export_tar`](crate::MemFs::export_tar) (feature `tar`),
//! [`extract_zip`](crate::MemFs::extract_zip) (feature `zip`).
//!
//! The parsing and writing is done by the `tar`, `flate2` and `zip` crates; this module decides
//! what an entry may become and keeps the filesystem's guarantees: names cannot escape the
//! destination, the quota and node limit are checked before an entry's bytes are read, and a
//! failed extraction leaves the filesystem as it was. This module holds the options and the
//! report of those methods.

// The split: `names` turns entry names into virtual paths, `extract` admits entries and reads
// their bytes, `commit` makes them visible (all at once, or one by one with an undo log),
// `tar` and `zip` drive the archive crates.

mod commit;
mod extract;
#[cfg(feature = "tar")]
mod gzip;
mod names;
#[cfg(feature = "tar")]
mod tar;
#[cfg(feature = "zip")]
mod zip;

/// What an extraction does with an entry whose path is an existing file.
///
/// Only files meeting files are subject to the policy: a directory entry merges into an
/// existing directory, and a file meeting a directory (or a directory meeting a file) is
/// always an error. Two entries of one archive with the same name do not conflict: the later
/// one wins, as with `tar -x`.
///
/// ```
/// use dmemfs_core::archive::{Conflict, ExtractOptions};
/// let options = ExtractOptions::new().conflict(Conflict::Skip);
/// assert_eq!(options.get_conflict(), Conflict::Skip);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Conflict {
    /// Fail with `AlreadyExists` (the default); nothing is extracted.
    #[default]
    Error,
    /// Replace the existing file (`ResourceBusy` if it is open).
    Overwrite,
    /// Keep the existing file; the entry is listed in [`ArchiveReport::skipped`].
    Skip,
}

/// What an extraction does with entries this filesystem cannot represent: symbolic links,
/// hard links, devices, FIFOs.
///
/// The filesystem has no links, and following one while extracting is how archives write
/// outside their destination, so links are never created.
///
/// ```
/// use dmemfs_core::archive::{ExtractOptions, SpecialEntries};
/// let strict = ExtractOptions::new().special_entries(SpecialEntries::Refuse);
/// assert_eq!(strict.get_special_entries(), SpecialEntries::Refuse);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpecialEntries {
    /// Leave them out and list them in [`ArchiveReport::skipped`] (the default).
    #[default]
    Skip,
    /// Fail with `Unsupported` ([`Reason::Archive`](crate::Reason::Archive)); nothing is
    /// extracted.
    Refuse,
}

/// How an extraction makes its entries visible, and what a failure leaves.
///
/// ```
/// use dmemfs_core::archive::{ExtractMode, ExtractOptions};
/// let options = ExtractOptions::new().mode(ExtractMode::Streaming);
/// assert_eq!(options.get_mode(), ExtractMode::Streaming);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtractMode {
    /// All or nothing (the default). Entries are read into memory charged to the quota but
    /// invisible (`stats().used` does not show them; other writers do feel the quota they
    /// take), then all of them are installed under one hold of the tree lock: other threads
    /// see the tree before or after, never in between. Replacing files is charged for the net
    /// growth, as [`import_tree`](crate::MemFs::import_tree) does. The extraction holds every
    /// entry's contents until the end: the whole unpacked archive, within the quota.
    #[default]
    Atomic,
    /// Each entry is installed as soon as its bytes are read, so the extraction holds one
    /// entry's contents at a time (plus a few dozen bytes per installed path for its undo
    /// log), and other threads see entries appear and may consume them: a file they remove
    /// is freed at once. On failure the undo log removes the files and directories the
    /// extraction created and puts back the files it replaced, newest first, except what
    /// other threads changed meanwhile: a file written to or open, or a directory no longer
    /// empty, stays as it is. Files it replaces stay charged to the quota until the
    /// extraction ends, so that they can be put back.
    Streaming,
}

/// Whether a tar archive is gzip-compressed: read by `MemFs::extract_tar`
/// ([`ExtractOptions::compression`]), written by `MemFs::export_tar`
/// ([`ExportOptions::compression`]).
///
/// ```
/// use dmemfs_core::archive::{Compression, ExtractOptions};
/// assert_eq!(ExtractOptions::new().get_compression(), Compression::Auto);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// Gzip if the stream starts with gzip's magic bytes `1f 8b` (the default). A plain tar
    /// archive starts with an entry name, which cannot begin with those bytes in practice.
    #[default]
    Auto,
    /// A plain tar stream.
    Plain,
    /// A gzip-compressed tar stream (`.tar.gz`, `.tgz`), read as `gzip -d` reads it:
    /// concatenated gzip members as one stream, zero bytes after the last member (tape
    /// blocking, padded downloads) ignored. Other bytes after it are refused as corrupt
    /// (`InvalidData`), where `gzip -d` would warn and drop them.
    Gzip,
}

/// Settings for `MemFs::extract_tar` and `MemFs::extract_zip`.
///
/// The defaults: fail on existing files, skip links and other special entries, all or
/// nothing, detect gzip, give files the archive's modification times.
///
/// ```
/// use dmemfs_core::archive::{Conflict, ExtractMode, ExtractOptions};
/// let options = ExtractOptions::new()
///     .conflict(Conflict::Overwrite)
///     .mode(ExtractMode::Streaming)
///     .preserve_mtime(false);
/// assert!(!options.get_preserve_mtime());
/// ```
#[derive(Clone, Debug)]
pub struct ExtractOptions {
    conflict: Conflict,
    special: SpecialEntries,
    mode: ExtractMode,
    compression: Compression,
    preserve_mtime: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            conflict: Conflict::Error,
            special: SpecialEntries::Skip,
            mode: ExtractMode::Atomic,
            compression: Compression::Auto,
            preserve_mtime: true,
        }
    }
}

impl ExtractOptions {
    /// The defaults (see the type's docs).
    ///
    /// ```
    /// let options = dmemfs_core::archive::ExtractOptions::new();
    /// assert_eq!(options.get_conflict(), dmemfs_core::archive::Conflict::Error);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// What to do with entries whose path is an existing file.
    ///
    /// ```
    /// use dmemfs_core::archive::{Conflict, ExtractOptions};
    /// let options = ExtractOptions::new().conflict(Conflict::Overwrite);
    /// assert_eq!(options.get_conflict(), Conflict::Overwrite);
    /// ```
    pub fn conflict(mut self, policy: Conflict) -> Self {
        self.conflict = policy;
        self
    }

    /// What to do with links, devices and FIFOs.
    ///
    /// ```
    /// use dmemfs_core::archive::{ExtractOptions, SpecialEntries};
    /// let options = ExtractOptions::new().special_entries(SpecialEntries::Refuse);
    /// assert_eq!(options.get_special_entries(), SpecialEntries::Refuse);
    /// ```
    pub fn special_entries(mut self, policy: SpecialEntries) -> Self {
        self.special = policy;
        self
    }

    /// All or nothing, or one entry at a time.
    ///
    /// ```
    /// use dmemfs_core::archive::{ExtractMode, ExtractOptions};
    /// let options = ExtractOptions::new().mode(ExtractMode::Streaming);
    /// assert_eq!(options.get_mode(), ExtractMode::Streaming);
    /// ```
    pub fn mode(mut self, mode: ExtractMode) -> Self {
        self.mode = mode;
        self
    }

    /// Whether a tar stream is gzip-compressed; ignored by `extract_zip`.
    ///
    /// ```
    /// use dmemfs_core::archive::{Compression, ExtractOptions};
    /// let options = ExtractOptions::new().compression(Compression::Gzip);
    /// assert_eq!(options.get_compression(), Compression::Gzip);
    /// ```
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Whether files take the modification time recorded in the archive (the default, as
    /// `tar -x` does) or the time of extraction. Directories always get the time of
    /// extraction.
    ///
    /// ```
    /// assert!(!dmemfs_core::archive::ExtractOptions::new().preserve_mtime(false).get_preserve_mtime());
    /// ```
    pub fn preserve_mtime(mut self, preserve: bool) -> Self {
        self.preserve_mtime = preserve;
        self
    }

    /// The conflict policy set.
    ///
    /// ```
    /// use dmemfs_core::archive::{Conflict, ExtractOptions};
    /// assert_eq!(ExtractOptions::new().get_conflict(), Conflict::Error);
    /// ```
    pub fn get_conflict(&self) -> Conflict {
        self.conflict
    }

    /// The policy for special entries set.
    ///
    /// ```
    /// use dmemfs_core::archive::{ExtractOptions, SpecialEntries};
    /// assert_eq!(ExtractOptions::new().get_special_entries(), SpecialEntries::Skip);
    /// ```
    pub fn get_special_entries(&self) -> SpecialEntries {
        self.special
    }

    /// The mode set.
    ///
    /// ```
    /// use dmemfs_core::archive::{ExtractMode, ExtractOptions};
    /// assert_eq!(ExtractOptions::new().get_mode(), ExtractMode::Atomic);
    /// ```
    pub fn get_mode(&self) -> ExtractMode {
        self.mode
    }

    /// The compression set.
    ///
    /// ```
    /// use dmemfs_core::archive::{Compression, ExtractOptions};
    /// assert_eq!(ExtractOptions::new().get_compression(), Compression::Auto);
    /// ```
    pub fn get_compression(&self) -> Compression {
        self.compression
    }

    /// Whether archive modification times are kept.
    ///
    /// ```
    /// assert!(dmemfs_core::archive::ExtractOptions::new().get_preserve_mtime());
    /// ```
    pub fn get_preserve_mtime(&self) -> bool {
        self.preserve_mtime
    }
}

/// Settings for `MemFs::export_tar`.
///
/// Compression is said as for extraction, with [`Compression`]: [`Plain`](Compression::Plain)
/// by default, [`Gzip`](Compression::Gzip) for a `.tar.gz`. ([`Auto`](Compression::Auto) has
/// nothing to detect when writing: it writes a plain stream.)
///
/// ```
/// use dmemfs_core::archive::{Compression, ExportOptions};
/// let options = ExportOptions::new().compression(Compression::Gzip);
/// assert_eq!(options.get_compression(), Compression::Gzip);
/// ```
#[derive(Clone, Debug)]
pub struct ExportOptions {
    compression: Compression,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            compression: Compression::Plain,
        }
    }
}

impl ExportOptions {
    /// A plain tar stream.
    ///
    /// ```
    /// use dmemfs_core::archive::{Compression, ExportOptions};
    /// assert_eq!(ExportOptions::new().get_compression(), Compression::Plain);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// How the stream is compressed: [`Compression::Gzip`] (default level) for a `.tar.gz`.
    ///
    /// ```
    /// use dmemfs_core::archive::{Compression, ExportOptions};
    /// let gzip = ExportOptions::new().compression(Compression::Gzip);
    /// assert_eq!(gzip.get_compression(), Compression::Gzip);
    /// ```
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// The compression set by [`compression`](Self::compression).
    ///
    /// ```
    /// use dmemfs_core::archive::{Compression, ExportOptions};
    /// assert_eq!(ExportOptions::default().get_compression(), Compression::Plain);
    /// ```
    pub fn get_compression(&self) -> Compression {
        self.compression
    }

    /// Whether the stream written is gzip-compressed.
    #[cfg(feature = "tar")]
    pub(crate) fn gzip(&self) -> bool {
        self.compression == Compression::Gzip
    }
}

/// What an extraction or export did.
///
/// ```
/// let report = dmemfs_core::archive::ArchiveReport::default();
/// assert_eq!((report.files, report.dirs, report.bytes), (0, 0, 0));
/// assert!(report.skipped.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveReport {
    /// Files written (extraction: created or replaced; export: archived).
    pub files: u64,
    /// Directories created (extraction: new ones only, the destination and its parents
    /// included; export: archived).
    pub dirs: u64,
    /// Bytes of file contents written.
    pub bytes: u64,
    /// Entries left out, in archive order.
    pub skipped: Vec<SkippedEntry>,
}

/// An entry left out of an extraction or an export, and why.
///
/// ```
/// let skipped = dmemfs_core::archive::SkippedEntry {
///     entry: "docs/latest".into(),
///     path: "/site/docs/latest".into(),
///     reason: dmemfs_core::archive::SkipReason::Symlink { target: "v2".into() },
/// };
/// assert_eq!(skipped.to_string(), "`docs/latest` (/site/docs/latest): symbolic link to `v2`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedEntry {
    /// The entry's name in the archive.
    pub entry: String,
    /// The virtual path it would have had.
    pub path: String,
    /// Why it was left out.
    pub reason: SkipReason,
}

impl std::fmt::Display for SkippedEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` ({}): {}", self.entry, self.path, self.reason)
    }
}

/// Why an entry was left out.
///
/// ```
/// let reason = dmemfs_core::archive::SkipReason::Special("FIFO");
/// assert_eq!(reason.to_string(), "FIFO");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The path was an existing file and the policy was [`Conflict::Skip`].
    Exists,
    /// A symbolic link (extraction creates no links).
    Symlink {
        /// The link's target as the archive spells it.
        target: String,
    },
    /// A hard link (extraction creates no links).
    HardLink {
        /// The entry it links to, as the archive spells it.
        target: String,
    },
    /// A device, FIFO or other entry type without file contents.
    Special(&'static str),
    /// (Export) the file was removed or replaced after the export listed it.
    Vanished,
}

impl std::error::Error for SkipReason {}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Exists => f.write_str("already exists"),
            SkipReason::Symlink { target } => write!(f, "symbolic link to `{target}`"),
            SkipReason::HardLink { target } => write!(f, "hard link to `{target}`"),
            SkipReason::Special(what) => f.write_str(what),
            SkipReason::Vanished => f.write_str("removed while the archive was written"),
        }
    }
}
