//! Node attributes: timestamps in 12 bytes, the permission bits, and how operations change
//! them (as Linux does: contents move `mtime` and `ctime`, status moves `ctime`).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Permission bits of a new file, as `open(2)` with mode 0666 under the usual umask 022.
pub(crate) const FILE_MODE: u32 = 0o644;
/// Permission bits of a new directory, as `mkdir(2)` with mode 0777 under umask 022.
pub(crate) const DIR_MODE: u32 = 0o755;
/// Permission bits of a symbolic link, as Linux reports them (and ignores).
pub(crate) const SYMLINK_MODE: u32 = 0o777;
/// The bits `chmod` may change: permissions plus setuid, setgid and sticky.
pub(crate) const MODE_MASK: u32 = 0o7777;

/// A timestamp in 12 bytes where a `SystemTime` takes 16 (every node keeps four): seconds
/// and nanoseconds from the epoch, the whole range of Linux's `SystemTime`.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
pub(crate) struct Stamp {
    secs: i64,
    nanos: u32,
}

impl Stamp {
    pub(crate) fn new(time: SystemTime) -> Stamp {
        // In i128: the extremes of `SystemTime` (i64 seconds either side) must not overflow.
        let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => (i128::from(after.as_secs()), after.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                let (secs, nanos) = (i128::from(before.as_secs()), before.subsec_nanos());
                if nanos == 0 {
                    (-secs, 0)
                } else {
                    (-secs - 1, 1_000_000_000 - nanos)
                }
            }
        };
        // A `SystemTime` outside i64 seconds cannot exist on Linux; saturate rather than wrap.
        let secs = i64::try_from(secs).unwrap_or(if secs < 0 { i64::MIN } else { i64::MAX });
        Stamp { secs, nanos }
    }

    /// A stamp from the parts of a `timespec`, as the kernel's clock gives them.
    pub(crate) fn from_parts(secs: i64, nanos: u32) -> Stamp {
        Stamp { secs, nanos }
    }

    pub(crate) fn time(self) -> SystemTime {
        let (secs, nanos) = (self.secs, self.nanos);
        let whole = Duration::from_secs(secs.unsigned_abs());
        let time = if secs >= 0 {
            UNIX_EPOCH + whole
        } else {
            UNIX_EPOCH - whole
        };
        time + Duration::from_nanos(u64::from(nanos))
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.time().fmt(f)
    }
}

/// The three timestamps every node keeps besides its creation time, and its permission bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attrs {
    accessed: Stamp,
    modified: Stamp,
    /// The status change time (`ctime`): contents, mode, times or names changed.
    changed: Stamp,
    pub(crate) mode: u32,
}

impl Attrs {
    pub(crate) fn new(now: Stamp, mode: u32) -> Attrs {
        Attrs {
            accessed: now,
            modified: now,
            changed: now,
            mode,
        }
    }

    /// Attributes read from elsewhere (a host file's, for `OsFs`).
    #[cfg(feature = "os")]
    pub(crate) fn from_times(
        accessed: SystemTime,
        modified: SystemTime,
        changed: SystemTime,
        mode: u32,
    ) -> Attrs {
        Attrs {
            accessed: Stamp::new(accessed),
            modified: Stamp::new(modified),
            changed: Stamp::new(changed),
            mode: mode & MODE_MASK,
        }
    }

    pub(crate) fn accessed(&self) -> SystemTime {
        self.accessed.time()
    }

    pub(crate) fn modified(&self) -> SystemTime {
        self.modified.time()
    }

    pub(crate) fn changed(&self) -> SystemTime {
        self.changed.time()
    }

    /// The contents changed (a write, a truncation, an entry added or removed).
    pub(crate) fn modify(&mut self, now: Stamp) {
        self.modified = now;
        self.changed = now;
    }

    /// The status changed (mode, times, a name): only `ctime` moves.
    pub(crate) fn change(&mut self, now: Stamp) {
        self.changed = now;
    }

    /// Sets the times given, as `utimensat(2)`; `ctime` becomes `now`.
    pub(crate) fn set_times(
        &mut self,
        accessed: Option<SystemTime>,
        modified: Option<SystemTime>,
        now: Stamp,
    ) {
        if let Some(accessed) = accessed {
            self.accessed = Stamp::new(accessed);
        }
        if let Some(modified) = modified {
            self.modified = Stamp::new(modified);
        }
        self.change(now);
    }

    /// Sets the permission bits (the type bits are not stored), as `chmod(2)`.
    pub(crate) fn set_mode(&mut self, mode: u32, now: Stamp) {
        self.mode = mode & MODE_MASK;
        self.change(now);
    }
}
