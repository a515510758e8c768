//! The fault-injection hook: lets a test make chosen operations fail, slow down or come up
//! short, to exercise the error paths of the code under test.
//!
//! The core only asks; deciding which call to fault (the Nth write on `/out/**`, every rename,
//! ...) is the injector's business. `dmemfs-test` ships a programmable one (`FaultPlan`).

use std::fmt;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::RwLock;

use crate::error::{Op, Reason};

/// An operation about to run, as shown to a [`FaultInjector`] (see its example).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Call<'a> {
    /// The operation. Opening with `create` or `create_new` is [`Op::Create`]; reads and
    /// writes through handles are [`Op::Read`] and [`Op::Write`] like whole-file ones.
    pub op: Op,
    /// The normalised path (the source, for two-path operations).
    pub path: &'a str,
    /// The destination of a rename, move or copy.
    pub target: Option<&'a str>,
    /// For reads and writes: the bytes asked for (a handle's buffer length, a whole-file
    /// write's length); `None` where not known in advance (a whole-file read).
    pub len: Option<u64>,
    /// Whether the call is a read or write through an open handle: the only calls a
    /// [`Verdict::Short`] shortens.
    pub handle: bool,
}

/// What a [`FaultInjector`] decides for a [`Call`].
///
/// ```
/// use dmemfs_core::fault::Verdict;
/// use std::io::ErrorKind;
/// let verdict = Verdict::Fail(ErrorKind::StorageFull);
/// assert_ne!(verdict, Verdict::Proceed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Run the operation normally.
    Proceed,
    /// Fail it with this kind, changing nothing. The error names the operation and path like
    /// any other, with [`Reason::Injected`].
    Fail(io::ErrorKind),
    /// Wait this long, then run it (slow storage, contention).
    Delay(Duration),
    /// For reads and writes through a handle: transfer at most this many bytes (a short read
    /// or write, which `Read`/`Write` allow). Other operations proceed normally.
    Short(usize),
}

/// Decides, for every operation, whether to let it run. Install with
/// [`MemFs::set_fault_injector`](crate::MemFs::set_fault_injector).
///
/// It runs on the calling thread before the operation takes any lock, so it may block
/// (that is how [`Verdict::Delay`] works) but must not call back into the same filesystem.
///
/// ```
/// use dmemfs_core::{MemFs, Op, fault::{Call, FaultInjector, Verdict}};
/// use std::io::ErrorKind;
/// use std::sync::Arc;
///
/// /// Every write under /logs fails as if the disk were full.
/// #[derive(Debug)]
/// struct FullLogs;
/// impl FaultInjector for FullLogs {
///     fn on_call(&self, call: &Call<'_>) -> Verdict {
///         if call.op == Op::Write && call.path.starts_with("/logs/") {
///             Verdict::Fail(ErrorKind::StorageFull)
///         } else {
///             Verdict::Proceed
///         }
///     }
/// }
///
/// let fs = MemFs::new();
/// fs.create_dir("/logs")?;
/// fs.set_fault_injector(Some(Arc::new(FullLogs)));
/// assert_eq!(fs.write("/logs/app.log", "x").unwrap_err().kind(), ErrorKind::StorageFull);
/// fs.write("/data.txt", "fine")?;
/// fs.set_fault_injector(None);
/// fs.write("/logs/app.log", "x")?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait FaultInjector: Send + Sync + fmt::Debug {
    /// The verdict for one call.
    fn on_call(&self, call: &Call<'_>) -> Verdict;
}

/// The slot an injector is installed in; checking an empty slot is one relaxed load.
#[derive(Debug, Default)]
pub(crate) struct FaultSlot {
    armed: AtomicBool,
    injector: RwLock<Option<Arc<dyn FaultInjector>>>,
}

impl FaultSlot {
    /// Installs `injector`, returning the one it replaces.
    pub(crate) fn replace(
        &self,
        injector: Option<Arc<dyn FaultInjector>>,
    ) -> Option<Arc<dyn FaultInjector>> {
        let mut slot = self.injector.write();
        self.armed.store(injector.is_some(), Ordering::Release);
        std::mem::replace(&mut slot, injector)
    }

    /// Whether an injector is installed (its verdicts may sleep on the calling thread).
    pub(crate) fn is_armed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    /// Asks the injector, if any. `Ok(None)`: proceed; `Ok(Some(n))`: at most `n` bytes.
    /// Inlined: every read, write and open asks, and nearly always the slot is empty.
    #[inline]
    pub(crate) fn check(&self, call: &Call<'_>) -> Result<Option<usize>, Reason> {
        if !self.armed.load(Ordering::Acquire) {
            return Ok(None);
        }
        self.ask(call)
    }

    #[cold]
    fn ask(&self, call: &Call<'_>) -> Result<Option<usize>, Reason> {
        let Some(injector) = self.injector.read().clone() else {
            return Ok(None);
        };
        match injector.on_call(call) {
            Verdict::Proceed => Ok(None),
            Verdict::Fail(kind) => Err(Reason::Injected { kind }),
            Verdict::Delay(duration) => {
                std::thread::sleep(duration);
                Ok(None)
            }
            Verdict::Short(n) => Ok(Some(n)),
        }
    }
}
