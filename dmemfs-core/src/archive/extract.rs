//! The archive-independent half of an extraction: admitting entries (names, policies, limits)
//! and reading their bytes into filesystem storage.
//!
//! Each file entry goes through two steps. [`Extractor::admit`] validates its name, applies
//! the conflict and special-entry policies, and checks the node limit and the quota for its
//! declared size, reserving the bytes, all before a byte of it is read. [`Extractor::fill`]
//! then reads the bytes straight into chunked storage (no intermediate buffer beyond one
//! 64 KiB block). Tar admits and fills entry by entry; zip admits every entry from its central
//! directory first, so a zip that cannot fit is refused before anything is decompressed.

use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::commit::{Log, Pending, Stage};
use super::names::{Target, target};
use super::{ArchiveReport, ExtractMode, ExtractOptions, SkipReason, SkippedEntry, SpecialEntries};
use crate::error::{IoSource, Op, Reason, fail};
use crate::fs::MemFs;
use crate::storage::{CHUNK, Growth, MAX_FILE_SIZE, Storage};

/// An entry as the archive describes it, before anything is read.
#[derive(Debug)]
pub(super) struct EntryHead {
    /// The name as the archive spells it (already checked to be UTF-8).
    pub(super) name: String,
    pub(super) kind: EntryKind,
    pub(super) mtime: Option<SystemTime>,
}

#[derive(Debug)]
pub(super) enum EntryKind {
    File {
        size: u64,
    },
    Dir,
    Symlink {
        target: String,
    },
    // Zip has no hard links.
    #[cfg_attr(not(feature = "tar"), allow(dead_code))]
    HardLink {
        target: String,
    },
    /// A device, FIFO or unknown type, named for the report.
    Special(&'static str),
}

/// Where admitted entries go until the extraction ends.
#[derive(Debug)]
pub(super) enum State<'fs> {
    Atomic(Stage<'fs>),
    Streaming(Log<'fs>),
}

/// Wraps the caller's reader to tell its errors apart from the archive crate's: a failing
/// source keeps its own error kind, anything else the crate reports is a bad archive.
///
/// It also retries `Interrupted` reads itself, as `Read`'s contract asks: the archive crates
/// (tar's header reads, flate2's gzip header) pass such an error up instead of retrying, and
/// it would then end the extraction as a corrupt archive.
#[derive(Debug)]
pub(super) struct Source<R> {
    inner: R,
    failed: Rc<Cell<bool>>,
}

impl<R> Source<R> {
    pub(super) fn new(inner: R) -> (Source<R>, Rc<Cell<bool>>) {
        let failed = Rc::new(Cell::new(false));
        let source = Source {
            inner,
            failed: Rc::clone(&failed),
        };
        (source, failed)
    }

    fn note<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if result.is_err() {
            self.failed.set(true);
        }
        result
    }
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        self.note(result)
    }
}

impl<R: Seek> Seek for Source<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let result = self.inner.seek(pos);
        self.note(result)
    }
}

/// One extraction in progress.
#[derive(Debug)]
pub(super) struct Extractor<'fs> {
    pub(super) fs: &'fs MemFs,
    pub(super) op: Op,
    /// The destination as the caller wrote it, for error messages.
    pub(super) raw_dest: String,
    /// The destination, normalised.
    pub(super) dest: String,
    pub(super) options: ExtractOptions,
    pub(super) report: ArchiveReport,
    pub(super) state: State<'fs>,
    source_failed: Rc<Cell<bool>>,
    /// One block of file contents in transit; wiped when dropped, like the files themselves.
    block: Zeroizing<Vec<u8>>,
}

impl<'fs> Extractor<'fs> {
    /// Starts an extraction into `raw_dest`, which must be a directory or missing (it is
    /// then created with its parents).
    pub(super) fn new(
        fs: &'fs MemFs,
        op: Op,
        raw_dest: &str,
        options: &ExtractOptions,
        source_failed: Rc<Cell<bool>>,
    ) -> io::Result<Extractor<'fs>> {
        let dest = fs.normalize(op, raw_dest)?.into_owned();
        fs.intercept(op, &dest, None, None)
            .map_err(|r| fail(op, raw_dest, r))?;
        let inner = &*fs.inner;
        let state = match options.mode {
            ExtractMode::Atomic => State::Atomic(Stage::new(inner, options.conflict)),
            ExtractMode::Streaming => State::Streaming(Log::new(inner, options.conflict)),
        };
        let mut extractor = Extractor {
            fs,
            op,
            raw_dest: raw_dest.to_owned(),
            dest,
            options: options.clone(),
            report: ArchiveReport::default(),
            state,
            source_failed,
            block: Zeroizing::new(Vec::new()),
        };
        let dest = extractor.dest.clone();
        extractor
            .dir(&dest)
            .map_err(|reason| fail(op, raw_dest, reason))?;
        Ok(extractor)
    }

    /// Checks an entry's name alone, as [`admit`](Self::admit) will: lets zip refuse an
    /// archive with an unsafe name anywhere before it writes anything, in either mode.
    #[cfg_attr(not(feature = "zip"), allow(dead_code))]
    pub(super) fn check_name(&self, name: &str) -> io::Result<()> {
        match target(&self.dest, name) {
            Ok(_) => Ok(()),
            Err(reason @ Reason::UnsafeEntry { .. }) => Err(fail(self.op, &self.raw_dest, reason)),
            Err(reason) => Err(fail(self.op, &self.raw_path(name), reason)),
        }
    }

    /// Validates an entry and applies the policies; `Some` for a file whose bytes must now be
    /// read with [`fill`](Self::fill), `None` when there is nothing to read.
    pub(super) fn admit(&mut self, head: EntryHead) -> io::Result<Option<Pending>> {
        let op = self.op;
        let to = match target(&self.dest, &head.name) {
            Ok(to) => to,
            Err(reason @ Reason::UnsafeEntry { .. }) => {
                return Err(fail(op, &self.raw_dest, reason));
            }
            // Too long: name the path it would have had.
            Err(reason) => return Err(fail(op, &self.raw_path(&head.name), reason)),
        };
        let path = match &to {
            Target::Dest => self.dest.clone(),
            Target::Below(path) => path.clone(),
        };
        let size = match head.kind {
            EntryKind::File { size } => Some(size),
            EntryKind::Dir => None,
            special => {
                let reason = match special {
                    EntryKind::Symlink { target } => SkipReason::Symlink { target },
                    EntryKind::HardLink { target } => SkipReason::HardLink { target },
                    EntryKind::Special(what) => SkipReason::Special(what),
                    EntryKind::File { .. } | EntryKind::Dir => unreachable!("matched above"),
                };
                return self.special(head.name, path, reason);
            }
        };
        let size = match (size, to) {
            (None, Target::Dest) => return Ok(None),
            (Some(_), Target::Dest) => {
                let reason = Reason::UnsafeEntry {
                    entry: head.name,
                    why: "a file cannot take the destination directory's place",
                };
                return Err(fail(op, &self.raw_dest, reason));
            }
            (None, Target::Below(_)) => {
                self.fs
                    .intercept(op, &path, None, None)
                    .map_err(|r| fail(op, &path, r))?;
                self.dir(&path).map_err(|r| fail(op, &path, r))?;
                return Ok(None);
            }
            (Some(size), Target::Below(_)) => size,
        };
        // A hostile header may declare any size: refuse what no file can hold before it
        // is summed with others or charged.
        if size > MAX_FILE_SIZE {
            let reason = Reason::Archive {
                entry: Some(head.name),
                kind: io::ErrorKind::FileTooLarge,
                message: format!("declares {size} bytes, more than the maximum file size"),
                error: None,
            };
            return Err(fail(op, &path, reason));
        }
        self.fs
            .intercept(op, &path, None, Some(size))
            .map_err(|r| fail(op, &path, r))?;
        let mtime = head.mtime.filter(|_| self.options.preserve_mtime);
        let admitted = match &mut self.state {
            State::Atomic(stage) => stage.admit_file(&path, &head.name, size, mtime),
            State::Streaming(log) => log.admit_file(&path, size),
        };
        match admitted.map_err(|r| fail(op, &path, r))? {
            Some(id) => Ok(Some(Pending {
                path,
                entry: head.name,
                size,
                mtime,
                id,
            })),
            None => {
                self.skip(head.name, path, SkipReason::Exists);
                Ok(None)
            }
        }
    }

    /// Reads an admitted file's bytes from `reader` (which yields exactly the entry's data)
    /// and hands them to the state: staged (atomic) or installed (streaming).
    pub(super) fn fill(&mut self, pending: Pending, reader: &mut dyn Read) -> io::Result<()> {
        let storage = self.read_contents(&pending, reader)?;
        let op = self.op;
        match &mut self.state {
            State::Atomic(stage) => {
                stage.fill(&pending, storage);
                Ok(())
            }
            State::Streaming(log) => {
                let installed = log
                    .install(&pending, storage)
                    .map_err(|r| fail(op, &pending.path, r))?;
                match installed {
                    Some(bytes) => {
                        self.report.files += 1;
                        self.report.bytes += bytes;
                    }
                    None => self.skip(pending.entry, pending.path, SkipReason::Exists),
                }
                Ok(())
            }
        }
    }

    /// Whether a pending file is still wanted (a later entry of the same name may have
    /// taken its place before its bytes were read).
    #[cfg_attr(not(feature = "zip"), allow(dead_code))]
    pub(super) fn wants(&self, pending: &Pending) -> bool {
        match &self.state {
            State::Atomic(stage) => stage.wants(pending),
            State::Streaming(_) => true,
        }
    }

    /// Ends the extraction: installs everything (atomic) or lets go of the undo log.
    pub(super) fn finish(self) -> io::Result<ArchiveReport> {
        let Extractor {
            op,
            state,
            mut report,
            raw_dest,
            ..
        } = self;
        match state {
            State::Atomic(stage) => stage
                .commit(&mut report)
                .map_err(|(path, reason)| fail(op, path.as_deref().unwrap_or(&raw_dest), reason))?,
            State::Streaming(log) => log.finish(&mut report),
        }
        Ok(report)
    }

    /// The error for a failure of the archive crate or the reader, outside any entry's data.
    /// The message says what failed; `err`, their own words, is the source.
    pub(super) fn archive_error(&self, entry: Option<&str>, err: io::Error) -> io::Error {
        let (kind, message) = if self.source_failed.get() {
            (err.kind(), "reading the archive failed")
        } else if err.kind() == io::ErrorKind::UnexpectedEof {
            (err.kind(), "the archive is truncated")
        } else if err.kind() == io::ErrorKind::Unsupported {
            (err.kind(), "unsupported archive feature")
        } else {
            (io::ErrorKind::InvalidData, "corrupt archive")
        };
        let message = message.to_owned();
        let reason = Reason::Archive {
            entry: entry.map(str::to_owned),
            kind,
            message,
            error: Some(IoSource::new(err)),
        };
        fail(self.op, &self.raw_dest, reason)
    }

    /// A directory to ensure (the destination, or a directory entry).
    fn dir(&mut self, path: &str) -> Result<(), Reason> {
        match &mut self.state {
            State::Atomic(stage) => stage.admit_dir(path),
            State::Streaming(log) => log.create_dir(path),
        }
    }

    /// A link or special file: skipped and reported, or refused.
    fn special(
        &mut self,
        entry: String,
        path: String,
        reason: SkipReason,
    ) -> io::Result<Option<Pending>> {
        if self.options.special == SpecialEntries::Refuse {
            let reason = Reason::Archive {
                entry: Some(entry),
                kind: io::ErrorKind::Unsupported,
                message: format!("{reason}: links and special files are refused"),
                error: None,
            };
            return Err(fail(self.op, &path, reason));
        }
        self.skip(entry, path, reason);
        Ok(None)
    }

    fn skip(&mut self, entry: String, path: String, reason: SkipReason) {
        self.report.skipped.push(SkippedEntry {
            entry,
            path,
            reason,
        });
    }

    /// The path an entry would have, unnormalised, for errors about over-long names.
    fn raw_path(&self, entry: &str) -> String {
        format!("{}/{entry}", self.dest.trim_end_matches('/'))
    }

    fn read_contents(&mut self, pending: &Pending, reader: &mut dyn Read) -> io::Result<Storage> {
        if self.block.len() < CHUNK {
            self.block.resize(CHUNK, 0);
        }
        let mut storage = self.fs.inner.contents(Storage::default());
        let mut offset: u64 = 0;
        loop {
            let n = fill_block(reader, &mut self.block)
                .map_err(|e| self.archive_error(Some(&pending.entry), e))?;
            if n == 0 {
                break;
            }
            if offset + n as u64 > pending.size {
                return Err(self.entry_error(
                    pending,
                    io::ErrorKind::InvalidData,
                    format!(
                        "holds more than the {} bytes its header declares",
                        pending.size
                    ),
                ));
            }
            // Block-aligned writes of whole blocks fill whole chunks: each is allocated once,
            // at its final size.
            storage
                .write_at(offset, &self.block[..n], Growth::Tight)
                .map_err(|_| fail(self.op, &pending.path, Reason::AllocationFailed(n as u64)))?;
            offset += n as u64;
        }
        if offset < pending.size {
            return Err(self.entry_error(
                pending,
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the archive is truncated: {offset} of the entry's {} bytes",
                    pending.size
                ),
            ));
        }
        Ok(storage)
    }

    fn entry_error(&self, pending: &Pending, kind: io::ErrorKind, message: String) -> io::Error {
        let reason = Reason::Archive {
            entry: Some(pending.entry.clone()),
            kind,
            message,
            error: None,
        };
        fail(self.op, &self.raw_dest, reason)
    }
}

/// Reads until `block` is full or the reader is exhausted.
fn fill_block(reader: &mut dyn Read, block: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < block.len() {
        match reader.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
