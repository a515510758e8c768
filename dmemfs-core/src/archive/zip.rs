//! Zip archives in: [`MemFs::extract_zip`].

use std::io::{self, Read, Seek};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::zip::read::ZipFileEntry;
use ::zip::result::ZipError;
use ::zip::{DateTime, ZipArchive};

use super::extract::{EntryHead, EntryKind, Extractor, Source};
use super::names::utf8_name;
use super::{ArchiveReport, ExtractMode, ExtractOptions};
use crate::error::{Op, Reason, fail};
use crate::fs::MemFs;
use crate::path::PATH_MAX;

/// The file-type bits of a Unix mode, as zip tools store them in the external attributes.
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFIFO: u32 = 0o010_000;

impl MemFs {
    /// Extracts a zip archive read from `reader` into the directory `dest`, creating it and
    /// its parents if missing.
    ///
    /// A zip's table of contents (the central directory) is at its end, so the reader must be
    /// seekable. For a non-seekable source, read it into memory first
    /// (`io::Cursor::new(bytes)`); the extraction then holds the compressed archive as well.
    ///
    /// The central directory is read first and every entry admitted from it (names,
    /// conflicts, node limit, and the quota for the declared sizes) before anything is
    /// decompressed, so an archive that cannot fit is refused without inflating a byte of
    /// it, whatever its compression ratio. In [`ExtractMode::Streaming`] only the names are
    /// checked up front and the rest entry by entry. An entry that inflates to more or fewer
    /// bytes than declared is refused as corrupt. The rest is as for
    /// `MemFs::extract_tar`: atomic by default, directories merge, symbolic
    /// links and special entries (recognised by the Unix mode in the external attributes)
    /// are skipped or refused, unsafe names are refused. An entry with a FIFO's mode is a
    /// regular file, as `unzip` reads it: Info-ZIP gives that mode to data it read from a
    /// pipe (`cmd | zip out.zip -`). Modification times come from the
    /// entries' MS-DOS timestamps, read as UTC.
    ///
    /// # Errors
    /// As `MemFs::extract_tar`; also `Unsupported` for encrypted entries and
    /// compression methods other than stored and deflate.
    ///
    /// ```
    /// use dmemfs_core::{MemFs, archive::ExtractOptions};
    /// use std::io::{Cursor, Write};
    ///
    /// let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    /// writer.start_file("data/1.csv", zip::write::SimpleFileOptions::default())?;
    /// writer.write_all(b"a,b\n")?;
    /// let archive = writer.finish()?.into_inner();
    ///
    /// let fs = MemFs::new();
    /// fs.extract_zip(Cursor::new(archive), "/in", &ExtractOptions::new())?;
    /// assert_eq!(fs.read_to_string("/in/data/1.csv")?, "a,b\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn extract_zip(
        &self,
        reader: impl Read + Seek,
        dest: impl AsRef<str>,
        options: &ExtractOptions,
    ) -> io::Result<ArchiveReport> {
        let op = Op::ExtractZip;
        let (source, failed) = Source::new(reader);
        let mut extractor = Extractor::new(self, op, dest.as_ref(), options, failed)?;
        let mut archive = ZipArchive::new(source).map_err(|e| zip_error(&extractor, None, e))?;
        let mut heads = Vec::with_capacity(archive.len());
        for index in 0..archive.len() {
            let head = read_head(&mut archive, index)
                .map_err(|e| zip_error(&extractor, None, e))?
                .map_err(|r| fail(op, dest.as_ref(), r))?;
            extractor.check_name(&head.name)?;
            heads.push(head);
        }
        if options.get_mode() == ExtractMode::Atomic {
            let mut admitted = Vec::new();
            for (index, head) in heads.into_iter().enumerate() {
                if let Some(pending) = extractor.admit(head)? {
                    admitted.push((index, pending));
                }
            }
            for (index, pending) in admitted {
                // A later entry of the same name took its place: not worth inflating.
                if extractor.wants(&pending) {
                    fill(&mut extractor, &mut archive, index, pending)?;
                }
            }
        } else {
            for (index, head) in heads.into_iter().enumerate() {
                if let Some(pending) = extractor.admit(head)? {
                    fill(&mut extractor, &mut archive, index, pending)?;
                }
            }
        }
        extractor.finish()
    }
}

/// Reads entry `index`'s bytes into the extraction, refusing more than it declared.
fn fill<R: Read + Seek>(
    extractor: &mut Extractor<'_>,
    archive: &mut ZipArchive<R>,
    index: usize,
    pending: super::commit::Pending,
) -> io::Result<()> {
    let file = archive
        .by_index(index)
        .map_err(|e| zip_error(extractor, Some(&pending.entry), e))?;
    // One byte past the declared size is enough to tell a lying header.
    let mut limited = file.take(pending.size.saturating_add(1));
    extractor.fill(pending, &mut limited)
}

/// The central directory's description of entry `index`: the outer error is the archive's,
/// the inner one an entry refused for its name or encryption.
fn read_head<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
) -> Result<Result<EntryHead, Reason>, ZipError> {
    let entry: ZipFileEntry<'_> = archive.by_index_data(index)?;
    let name = match utf8_name(entry.name_raw()).and_then(|_| {
        // `name()` honours the UTF-8 flag and the Info-ZIP Unicode path field.
        entry
            .name()
            .map(|n| n.into_owned())
            .map_err(|_| Reason::UnsafeEntry {
                entry: String::from_utf8_lossy(entry.name_raw()).into_owned(),
                why: "the name cannot be decoded",
            })
    }) {
        Ok(name) => name,
        Err(reason) => return Ok(Err(reason)),
    };
    if entry.encrypted() {
        return Ok(Err(Reason::Archive {
            entry: Some(name),
            kind: io::ErrorKind::Unsupported,
            message: "encrypted entries are not supported".into(),
            error: None,
        }));
    }
    let mtime = entry.last_modified().and_then(to_system_time);
    let file_type = entry
        .unix_mode()
        .map(|mode| mode & S_IFMT)
        .filter(|t| *t != 0);
    let (is_dir, size) = (entry.is_dir(), entry.size());
    drop(entry);
    let kind = match file_type {
        _ if is_dir => EntryKind::Dir,
        Some(S_IFDIR) => EntryKind::Dir,
        Some(S_IFLNK) => EntryKind::Symlink {
            target: link_target(archive, index)?,
        },
        None | Some(S_IFREG) => EntryKind::File { size },
        Some(0o020_000) => EntryKind::Special("character device"),
        Some(0o060_000) => EntryKind::Special("block device"),
        // Info-ZIP records data it read from a pipe (`cmd | zip out.zip -`) with the pipe's
        // mode: `unzip` and Python's zipfile extract it as a regular file, and so does this.
        Some(S_IFIFO) => EntryKind::File { size },
        Some(0o140_000) => EntryKind::Special("socket"),
        Some(_) => EntryKind::Special("entry of an unsupported type"),
    };
    Ok(Ok(EntryHead { name, kind, mtime }))
}

/// A symbolic link's target, which zip stores as the entry's contents (read for the
/// report only, and at most a path's length of it).
fn link_target<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
) -> Result<String, ZipError> {
    let mut target = Vec::new();
    archive
        .by_index(index)?
        .take(PATH_MAX as u64)
        .read_to_end(&mut target)?;
    Ok(String::from_utf8_lossy(&target).into_owned())
}

/// An MS-DOS timestamp (no time zone), read as UTC.
fn to_system_time(time: DateTime) -> Option<SystemTime> {
    let days = days_from_civil(
        i64::from(time.year()),
        u32::from(time.month()),
        u32::from(time.day()),
    );
    let secs = days * 86_400
        + i64::from(time.hour()) * 3_600
        + i64::from(time.minute()) * 60
        + i64::from(time.second());
    UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Maps the zip crate's errors: the reader's keep their kind, the rest are a bad archive.
fn zip_error(extractor: &Extractor<'_>, entry: Option<&str>, err: ZipError) -> io::Error {
    match err {
        ZipError::Io(e) => extractor.archive_error(entry, e),
        ZipError::UnsupportedArchive(what) => unsupported(extractor, entry, what.to_owned()),
        ZipError::CompressionMethodNotSupported(method) => {
            unsupported(extractor, entry, format!("compression method {method}"))
        }
        other => extractor.archive_error(entry, io::Error::new(io::ErrorKind::InvalidData, other)),
    }
}

fn unsupported(extractor: &Extractor<'_>, entry: Option<&str>, what: String) -> io::Error {
    let reason = Reason::Archive {
        entry: entry.map(str::to_owned),
        kind: io::ErrorKind::Unsupported,
        message: format!("unsupported zip feature: {what}"),
        error: None,
    };
    fail(extractor.op, &extractor.raw_dest, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_convert_to_unix_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(days_from_civil(1980, 1, 1), 3_652);
    }
}
