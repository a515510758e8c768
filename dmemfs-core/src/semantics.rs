//! [`Semantics`]: what open files may do, D-MemFS's locks or Linux's sharing.

/// How open files behave: chosen per filesystem with
/// [`MemFsBuilder::semantics`](crate::MemFsBuilder::semantics).
///
/// | | `Locked` (default, as D-MemFS) | `Posix` (as Linux, tmpfs) |
/// |---|---|---|
/// | handles | hold the file's lock: many readers or one writer; opening waits up to the lock timeout, then `WouldBlock` | take no lock: any number of readers and writers share the file |
/// | whole-file `read`/`write`/`copy` | wait for the lock, so they never interleave with a handle | never wait; each call is atomic |
/// | removing or renaming an open file | `ResourceBusy` | allowed: handles keep the file, now nameless or renamed |
/// | a removed file's bytes | freed at once | charged to the quota until its last handle drops |
/// | `\` in a path | separates names, like `/` (paths written on Windows work) | an ordinary byte of a name, as on Linux |
///
/// In both, each single read or write call is atomic, the quota is hard, and a failed
/// operation changes nothing. `Posix` is what code written for `std::fs` on Linux expects (a
/// logger that renames its own open log, a tool that replaces a file others are reading);
/// `Locked` catches code that would race on a shared file.
///
/// ```
/// use dmemfs_core::{MemFs, Semantics};
/// use std::io::{Read, Write};
///
/// let fs = MemFs::builder().semantics(Semantics::Posix).build()?;
/// let mut log = fs.create("/app.log")?;
/// log.write_all(b"before rotation\n")?;
/// fs.rename("/app.log", "/app.log.1")?; // rotate while the logger writes
/// log.write_all(b"still the same file\n")?;
/// drop(log);
/// assert_eq!(fs.read_to_string("/app.log.1")?, "before rotation\nstill the same file\n");
///
/// let reader = fs.open("/app.log.1")?;
/// fs.remove_file("/app.log.1")?; // the handle keeps the nameless file and its bytes
/// assert_eq!(fs.stats().used, 36);
/// drop(reader);
/// assert_eq!(fs.stats().used, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Semantics {
    /// D-MemFS's model: open files are locked; busy files cannot be removed or renamed.
    #[default]
    Locked,
    /// Linux's model: open files are shared and can be renamed, replaced or removed.
    Posix,
}
