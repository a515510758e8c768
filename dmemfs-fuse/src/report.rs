//! What mounting and unmounting report.

use std::fmt;

/// A process that held a file of the mount open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// Its command name (from `/proc/PID/comm`; empty if it has exited).
    pub command: String,
    /// The virtual path of the file when it was opened.
    pub path: String,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` open by pid {} ({})",
            self.path, self.pid, self.command
        )
    }
}

/// How much work a mount's server has done: for telling the FUSE round trip apart from
/// the time spent in dmemfs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeStats {
    /// Requests answered.
    pub requests: u64,
    /// Time spent in the request handlers doing the `MemFs` work (not sending replies).
    pub handler_time: std::time::Duration,
    /// Requests answered, by kind (`lookup`, `getattr`, `write`, ...).
    pub by_request: std::collections::BTreeMap<&'static str, u64>,
}

/// How an unmount ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unmounted {
    /// The mount is gone and its server has stopped.
    Joined,
    /// The mount is gone from the namespace, but these processes still held files open
    /// when the wait ran out: the server goes on for them in the background until they close.
    Detached {
        /// Who held what.
        holders: Vec<Holder>,
    },
}

/// Why FUSE mounts are impossible here (see [`available`](crate::available)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable {
    pub(crate) reason: String,
}

impl Unavailable {
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn new(reason: impl Into<String>) -> Unavailable {
        Unavailable {
            reason: reason.into(),
        }
    }

    /// The reason, e.g. ``/dev/fuse: Permission denied (os error 13); run as root or install
    /// the setuid `fusermount3` (package fuse3)``.
    ///
    /// ```
    /// if let Err(why) = dmemfs_fuse::available() {
    ///     assert!(!why.reason().is_empty());
    /// }
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FUSE unavailable: {}", self.reason)
    }
}

impl std::error::Error for Unavailable {}
