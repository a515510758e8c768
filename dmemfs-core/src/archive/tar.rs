//! Tar archives in and out: [`MemFs::extract_tar`], [`MemFs::export_tar`].

use std::io::{self, Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::tar::{Archive, Builder, Entry, EntryType, Header};
use flate2::write::GzEncoder;

use super::extract::{EntryHead, EntryKind, Extractor, Source};
use super::gzip::Members;
use super::names::utf8_name;
use super::{ArchiveReport, Compression, ExportOptions, ExtractOptions, SkipReason, SkippedEntry};
use crate::engine::{FileNode, Node};
use crate::error::{IoSource, Op, Reason, fail};
use crate::fs::MemFs;
use crate::lock::Access;
use crate::metadata::Metadata;
use crate::path::split_parent;

/// gzip's magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

impl MemFs {
    /// Extracts a tar archive (plain or gzip-compressed) read from `reader` into the
    /// directory `dest`, creating it and its parents if missing.
    ///
    /// The archive is read once, front to back, in 64 KiB blocks: `reader` need not be
    /// seekable, and a network stream or a decompressor works as well as a file. Gzip is
    /// recognised by its magic bytes unless [`ExtractOptions::compression`] says otherwise.
    ///
    /// What happens on failure depends on [`ExtractOptions::mode`]:
    /// - [`ExtractMode::Atomic`](crate::archive::ExtractMode::Atomic) (default): all or nothing. Each
    ///   entry's name, conflicts, the node limit and the quota (for its declared size) are
    ///   checked when its header is read, before its bytes are; the bytes are held, charged
    ///   to the quota, until the last entry, then everything is installed at once. A failure
    ///   anywhere (an unsafe name on the last entry, a truncated stream, a full quota)
    ///   leaves the tree, `stats().used` and `stats().peak_used` as they were.
    /// - [`ExtractMode::Streaming`](crate::archive::ExtractMode::Streaming): each entry is installed as
    ///   soon as it is read, so the extraction holds one entry's bytes at a time; a failure
    ///   undoes what was installed (see the mode's docs for the exact rules).
    ///
    /// Entries: regular files become files, directories merge into existing ones, links,
    /// devices and FIFOs are skipped (or refused, see [`SpecialEntries`](crate::archive::SpecialEntries)),
    /// PAX and GNU long-name records are applied by the `tar` crate. Names are checked as
    /// described in the [crate docs](crate#archives): absolute names, `..` components and
    /// drive prefixes are refused.
    ///
    /// # Errors
    /// - `InvalidData`: an unsafe or non-UTF-8 entry name ([`Reason::UnsafeEntry`]), or a
    ///   corrupt archive ([`Reason::Archive`]); `UnexpectedEof`: a truncated archive;
    ///   `Unsupported`: a refused special entry; the reader's own kind if it fails;
    /// - `AlreadyExists` (policy [`Conflict::Error`](crate::archive::Conflict::Error)), `IsADirectory`,
    ///   `NotADirectory`, `ResourceBusy` (a file to replace is open);
    /// - `StorageFull`, `QuotaExceeded` (node limit), `InvalidFilename`, `OutOfMemory`.
    ///
    /// Errors about an entry's place in the tree name its virtual path; errors about the
    /// archive name the destination, with the entry inside the [`Reason`].
    ///
    /// ```
    /// use dmemfs_core::{MemFs, archive::ExtractOptions};
    ///
    /// // A tar archive, as `tar -cf` would write it.
    /// let mut builder = tar::Builder::new(Vec::new());
    /// let mut header = tar::Header::new_gnu();
    /// header.set_size(5);
    /// header.set_mode(0o644);
    /// builder.append_data(&mut header, "conf/app.toml", &b"a = 1"[..])?;
    /// let archive = builder.into_inner()?;
    ///
    /// let fs = MemFs::new();
    /// let report = fs.extract_tar(&archive[..], "/etc/app", &ExtractOptions::new())?;
    /// assert_eq!((report.files, report.bytes), (1, 5));
    /// assert_eq!(fs.read_to_string("/etc/app/conf/app.toml")?, "a = 1");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn extract_tar(
        &self,
        reader: impl Read,
        dest: impl AsRef<str>,
        options: &ExtractOptions,
    ) -> io::Result<ArchiveReport> {
        let (mut source, failed) = Source::new(reader);
        let mut extractor = Extractor::new(self, Op::ExtractTar, dest.as_ref(), options, failed)?;
        let mut magic = [0u8; 2];
        let sniffed = match options.get_compression() {
            Compression::Plain | Compression::Gzip => 0,
            _ => {
                read_up_to(&mut source, &mut magic).map_err(|e| extractor.archive_error(None, e))?
            }
        };
        let gzip = match options.get_compression() {
            Compression::Plain => false,
            Compression::Gzip => true,
            _ => magic[..sniffed] == GZIP_MAGIC,
        };
        // Put the sniffed bytes back in front of the stream.
        let stream = io::Cursor::new(magic[..sniffed].to_vec()).chain(source);
        let stream: Box<dyn Read + '_> = if gzip {
            Box::new(Members::new(io::BufReader::new(stream)))
        } else {
            Box::new(stream)
        };
        let mut archive = Archive::new(stream);
        let entries = archive
            .entries()
            .map_err(|e| extractor.archive_error(None, e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| extractor.archive_error(None, e))?;
            let Some(head) = head_of(&entry).map_err(|r| fail(Op::ExtractTar, dest.as_ref(), r))?
            else {
                continue;
            };
            if let Some(pending) = extractor.admit(head)? {
                extractor.fill(pending, &mut entry)?;
            }
        }
        if gzip {
            // The tar stream ends before the gzip trailer: read on so that its checksum is
            // verified and a corrupt archive is not taken for a good one.
            io::copy(&mut archive.into_inner(), &mut io::sink())
                .map_err(|e| extractor.archive_error(None, e))?;
        }
        extractor.finish()
    }

    /// Writes the directory `path` (its contents, recursively, empty directories included)
    /// or the single file `path` as a tar archive to `writer`, optionally gzip-compressed.
    ///
    /// Entry names are relative to `path` (`a.txt`, `sub/`, `sub/b.txt`), so
    /// [`extract_tar`](Self::extract_tar) into another directory reproduces the tree there.
    /// The output is deterministic: entries in sorted pre-order (a directory before its
    /// contents), GNU headers (long names supported), owner 0:0 without names, mode 0644 for
    /// files and 0755 for directories, and each node's modification time. The system `tar`
    /// reads it.
    ///
    /// The set of entries is taken when the call starts; each file is then read under its
    /// lock (waiting, up to the lock timeout, for a writer to finish) and streamed to `writer`
    /// without being copied whole. A file removed meanwhile is left out and listed in
    /// [`ArchiveReport::skipped`].
    ///
    /// # Errors
    /// `NotFound` (no `path`), `WouldBlock` (a writer holds a file beyond the lock timeout),
    /// `InvalidInput` (invalid path), and the writer's errors, with their kind, in a
    /// [`Reason::Archive`] naming the entry. The writer may have received part of the archive.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, archive::{Compression, ExportOptions, ExtractOptions}};
    ///
    /// let fs = MemFs::new();
    /// fs.create_dir_all("/out/logs")?;
    /// fs.write("/out/logs/run.log", "ok\n")?;
    /// let mut archive = Vec::new();
    /// let report = fs.export_tar("/out", &mut archive, &ExportOptions::new().compression(Compression::Gzip))?;
    /// assert_eq!((report.files, report.dirs), (1, 1));
    ///
    /// fs.extract_tar(&archive[..], "/copy", &ExtractOptions::new())?;
    /// assert_eq!(fs.read_to_string("/copy/logs/run.log")?, "ok\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn export_tar(
        &self,
        path: impl AsRef<str>,
        writer: impl Write,
        options: &ExportOptions,
    ) -> io::Result<ArchiveReport> {
        let raw = path.as_ref();
        let op = Op::ExportTar;
        let root = self.resolve(op, raw, true)?.into_owned();
        self.intercept(op, &root, None, None)
            .map_err(|r| fail(op, raw, r))?;
        let items = self.export_list(&root).map_err(|r| fail(op, raw, r))?;
        let mut report = ArchiveReport::default();
        if options.gzip() {
            let encoder = GzEncoder::new(writer, flate2::Compression::default());
            let encoder = self.write_tar(raw, &items, encoder, &mut report)?;
            encoder.finish().map_err(|e| write_error(raw, None, e))?;
        } else {
            self.write_tar(raw, &items, writer, &mut report)?;
        }
        Ok(report)
    }

    /// What to export: the paths, names and kinds below `root`, and the directories' times.
    /// Files are looked up again when written, so that a file removed meanwhile is freed
    /// rather than kept alive by the export.
    fn export_list(&self, root: &str) -> Result<Vec<Item>, Reason> {
        // Names are relative to a directory `root`; a file or link `root` goes by its own.
        let skip = if root == "/" { 1 } else { root.len() + 1 };
        self.inner.snapshot(root, |path, node| Item {
            kind: match node {
                Node::Dir(_) => Kind::Dir,
                Node::File(_) => Kind::File,
                Node::Symlink(link) => Kind::Symlink(link.target.to_string()),
            },
            modified: Metadata::of(node)
                .modified()
                .unwrap_or(SystemTime::UNIX_EPOCH),
            mode: Metadata::of(node).mode() & 0o7777,
            name: if path == root {
                split_parent(root).map_or("", |(_, name)| name).to_owned()
            } else {
                path[skip..].to_owned()
            },
            path,
        })
    }

    fn write_tar<W: Write>(
        &self,
        root: &str,
        items: &[Item],
        writer: W,
        report: &mut ArchiveReport,
    ) -> io::Result<W> {
        let op = Op::ExportTar;
        let mut builder = Builder::new(writer);
        for item in items {
            let mut header = Header::new_gnu();
            header.set_uid(0);
            header.set_gid(0);
            if let Kind::Symlink(target) = &item.kind {
                header.set_entry_type(EntryType::Symlink);
                header.set_mode(item.mode);
                header.set_size(0);
                header.set_mtime(unix_secs(item.modified));
                builder
                    .append_link(&mut header, &item.name, target)
                    .map_err(|e| write_error(&item.path, Some(&item.name), e))?;
                report.files += 1;
                continue;
            }
            if item.kind == Kind::Dir {
                header.set_entry_type(EntryType::Directory);
                header.set_mode(item.mode);
                header.set_size(0);
                header.set_mtime(unix_secs(item.modified));
                builder
                    .append_data(&mut header, format!("{}/", item.name), io::empty())
                    .map_err(|e| write_error(&item.path, Some(&item.name), e))?;
                report.dirs += 1;
                continue;
            }
            // The file now at the path: it may have been replaced since the listing.
            let mut wait = self.wait();
            let held = match self
                .inner
                .lock_existing(&item.path, Access::Shared, &mut wait)
            {
                Ok(held) => held,
                Err(Reason::LockTimeout { waited }) => {
                    return Err(fail(op, &item.path, Reason::LockTimeout { waited }));
                }
                Err(_) => {
                    report.skipped.push(SkippedEntry {
                        entry: item.name.clone(),
                        path: item.path.clone(),
                        reason: SkipReason::Vanished,
                    });
                    continue;
                }
            };
            let (len, modified, mode) = {
                let data = held.node.data.read();
                (data.storage.len(), data.attrs.modified(), data.attrs.mode)
            };
            header.set_entry_type(EntryType::Regular);
            header.set_mode(mode);
            header.set_size(len);
            header.set_mtime(unix_secs(modified));
            let contents = NodeReader {
                node: &held.node,
                offset: 0,
            };
            builder
                .append_data(&mut header, &item.name, contents)
                .map_err(|e| write_error(&item.path, Some(&item.name), e))?;
            report.files += 1;
            report.bytes += len;
        }
        builder.into_inner().map_err(|e| write_error(root, None, e))
    }
}

/// One node to export.
#[derive(Debug)]
struct Item {
    path: String,
    /// The entry name, relative to the exported directory.
    name: String,
    kind: Kind,
    modified: SystemTime,
    mode: u32,
}

/// What an exported node is.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    /// A symbolic link, exported as one (with its target), never followed.
    Symlink(String),
}

/// Reads a file's contents in place while the caller holds its lock (so they cannot change).
struct NodeReader<'a> {
    node: &'a FileNode,
    offset: u64,
}

impl Read for NodeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.node.data.read().storage.read_at(self.offset, buf);
        self.offset += n as u64;
        Ok(n)
    }
}

/// The entry's description, or `None` for records that only carry metadata for the next
/// entry (the `tar` crate applies PAX and GNU long-name records itself).
fn head_of<R: Read>(entry: &Entry<'_, R>) -> Result<Option<EntryHead>, Reason> {
    let name = utf8_name(&entry.path_bytes())?;
    let header = entry.header();
    let target = || {
        entry
            .link_name_bytes()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default()
    };
    let kind = match header.entry_type() {
        // Old archives mark directories with a trailing slash on a regular entry.
        EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse
            if name.ends_with('/') =>
        {
            EntryKind::Dir
        }
        EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
            EntryKind::File { size: entry.size() }
        }
        EntryType::Directory => EntryKind::Dir,
        EntryType::Symlink => EntryKind::Symlink { target: target() },
        EntryType::Link => EntryKind::HardLink { target: target() },
        EntryType::Char => EntryKind::Special("character device"),
        EntryType::Block => EntryKind::Special("block device"),
        EntryType::Fifo => EntryKind::Special("FIFO"),
        EntryType::XGlobalHeader
        | EntryType::XHeader
        | EntryType::GNULongName
        | EntryType::GNULongLink => {
            return Ok(None);
        }
        _ => EntryKind::Special("entry of an unsupported type"),
    };
    let mtime = header
        .mtime()
        .ok()
        .and_then(|secs| UNIX_EPOCH.checked_add(Duration::from_secs(secs)));
    Ok(Some(EntryHead { name, kind, mtime }))
}

/// Reads until `buf` is full or the stream ends; returns how many bytes were read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Seconds since the epoch, 0 for earlier times (tar's field is unsigned).
fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn write_error(path: &str, entry: Option<&str>, err: io::Error) -> io::Error {
    let reason = Reason::Archive {
        entry: entry.map(str::to_owned),
        kind: err.kind(),
        // The writer's own words are the source.
        message: "writing the archive failed".to_owned(),
        error: Some(IoSource::new(err)),
    };
    fail(Op::ExportTar, path, reason)
}
