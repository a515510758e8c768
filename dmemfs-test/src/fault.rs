//! [`FaultPlan`]: programmable fault injection, to prove that a test really takes the error
//! paths of the code under test.

use std::fmt;
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

use dmemfs_core::{
    GlobPattern, MemFs, Op,
    fault::{Call, FaultInjector, Verdict},
};
use parking_lot::Mutex;

/// What a [`Rule`] does to the calls it selects.
///
/// ```
/// use dmemfs_test::{Effect, Rule};
/// use std::io::ErrorKind;
/// assert_eq!(Rule::fail(ErrorKind::StorageFull).effect(), Effect::Fail(ErrorKind::StorageFull));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The call fails with this kind and changes nothing.
    Fail(ErrorKind),
    /// The call waits this long, then runs.
    Delay(Duration),
    /// A read or write through a handle transfers at most this many bytes.
    Short(usize),
}

/// When a rule fires, among the calls it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    Every,
    Nth(u64),
    FromNth(u64),
    AfterBytes(u64),
}

/// One fault: which calls (operations, paths), when (every time, the Nth, from the Nth on,
/// after N bytes), and what happens ([`Effect`]).
///
/// ```
/// use dmemfs_test::{Rule, dmemfs_core::Op};
/// use std::io::ErrorKind;
///
/// // The third write under /out fails as if the disk were full.
/// let rule = Rule::fail(ErrorKind::StorageFull).on(Op::Write).matching("/out/**").nth(3);
/// # let _ = rule;
/// ```
#[derive(Clone)]
pub struct Rule {
    ops: Vec<Op>,
    paths: Vec<GlobPattern>,
    trigger: Trigger,
    effect: Effect,
    limit: Option<u64>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("ops", &self.ops)
            .field(
                "paths",
                &self
                    .paths
                    .iter()
                    .map(GlobPattern::as_str)
                    .collect::<Vec<_>>(),
            )
            .field("trigger", &self.trigger)
            .field("effect", &self.effect)
            .field("limit", &self.limit)
            .finish()
    }
}

impl Rule {
    fn new(effect: Effect) -> Rule {
        Rule {
            ops: Vec::new(),
            paths: Vec::new(),
            trigger: Trigger::Every,
            effect,
            limit: None,
        }
    }

    /// Fail the selected calls with `kind`.
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::fail(std::io::ErrorKind::PermissionDenied);
    /// # let _ = rule;
    /// ```
    pub fn fail(kind: ErrorKind) -> Rule {
        Rule::new(Effect::Fail(kind))
    }

    /// Slow the selected calls down by `duration`.
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::delay(std::time::Duration::from_millis(5));
    /// # let _ = rule;
    /// ```
    pub fn delay(duration: Duration) -> Rule {
        Rule::new(Effect::Delay(duration))
    }

    /// Cut the selected handle reads and writes to at most `bytes` (short reads and writes).
    /// Only calls through an open handle are selected: whole-file operations are atomic.
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::short(1).on(dmemfs_test::dmemfs_core::Op::Read);
    /// # let _ = rule;
    /// ```
    pub fn short(bytes: usize) -> Rule {
        Rule::new(Effect::Short(bytes))
    }

    /// Lock contention: the selected opens and whole-file reads and writes fail with
    /// `WouldBlock`, as when another handle holds the file past the lock timeout (without the
    /// wait). Add [`Rule::on`] or [`Rule::matching`] to narrow it down.
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::lock_contention().matching("/db/*.lock");
    /// # let _ = rule;
    /// ```
    pub fn lock_contention() -> Rule {
        let mut rule = Rule::fail(ErrorKind::WouldBlock);
        rule.ops = vec![
            Op::Open,
            Op::Create,
            Op::Read,
            Op::Write,
            Op::Append,
            Op::Copy,
        ];
        rule
    }

    /// Select calls of this operation (several calls add operations; none means every
    /// operation, or the set [`lock_contention`](Rule::lock_contention) chose).
    ///
    /// ```
    /// use dmemfs_test::{Rule, dmemfs_core::Op};
    /// let rule = Rule::fail(std::io::ErrorKind::Other).on(Op::RemoveFile).on(Op::RemoveDirAll);
    /// # let _ = rule;
    /// ```
    pub fn on(mut self, op: Op) -> Rule {
        if !self.ops.contains(&op) {
            self.ops.push(op);
        }
        self
    }

    /// Select calls on paths matching `glob` (`*`, `?`, `[..]`, `**`), on either path of a
    /// rename, move or copy. Several calls add patterns. The pattern is a
    /// [`GlobPattern`], read as [`MemFs::glob`] reads it: `out/**` and `/out/**` select the
    /// same calls, the ones on the paths `fs.glob("out/**")` lists.
    ///
    /// # Panics
    /// If `glob` is not a valid pattern.
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::fail(std::io::ErrorKind::Other).matching("/tmp/**");
    /// # let _ = rule;
    /// ```
    #[track_caller]
    pub fn matching(mut self, glob: &str) -> Rule {
        let pattern = match GlobPattern::new(glob) {
            Ok(pattern) => pattern,
            Err(err) => panic!("Rule::matching: invalid glob `{glob}`: {err}"),
        };
        self.paths.push(pattern);
        self
    }

    /// Fire only on the `n`th selected call (counting from 1).
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::fail(std::io::ErrorKind::Other).nth(2);
    /// # let _ = rule;
    /// ```
    pub fn nth(mut self, n: u64) -> Rule {
        self.trigger = Trigger::Nth(n.max(1));
        self
    }

    /// Fire on the `n`th selected call and every one after it.
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::fail(std::io::ErrorKind::Other).from_nth(3);
    /// # let _ = rule;
    /// ```
    pub fn from_nth(mut self, n: u64) -> Rule {
        self.trigger = Trigger::FromNth(n.max(1));
        self
    }

    /// Fire once the selected calls have moved `bytes` bytes, as a disk that filled up: the
    /// first call whose length would take the total past `bytes` fires, and so does every
    /// selected call after it that moves any bytes, however few (nothing is freed
    /// meanwhile). Only calls that went ahead count towards the total; calls without a
    /// length (such as opens) and calls of zero bytes never fire. With [`times`](Rule::times), the disk "fills" only
    /// that many times.
    ///
    /// ```
    /// use dmemfs_test::{Rule, dmemfs_core::Op};
    /// let rule = Rule::fail(std::io::ErrorKind::StorageFull).on(Op::Write).after_bytes(1 << 20);
    /// # let _ = rule;
    /// ```
    pub fn after_bytes(mut self, bytes: u64) -> Rule {
        self.trigger = Trigger::AfterBytes(bytes);
        self
    }

    /// Fire at most `times` times.
    ///
    /// ```
    /// let rule = dmemfs_test::Rule::fail(std::io::ErrorKind::Interrupted).times(1);
    /// # let _ = rule;
    /// ```
    pub fn times(mut self, times: u64) -> Rule {
        self.limit = Some(times);
        self
    }

    /// What the rule does.
    ///
    /// ```
    /// use dmemfs_test::{Effect, Rule};
    /// assert_eq!(Rule::short(4).effect(), Effect::Short(4));
    /// ```
    pub fn effect(&self) -> Effect {
        self.effect
    }

    fn selects(&self, call: &Call<'_>) -> bool {
        // A short transfer only means something for a read or write through a handle.
        if matches!(self.effect, Effect::Short(_)) && !call.handle {
            return false;
        }
        let op_ok = self.ops.is_empty() || self.ops.contains(&call.op);
        let path_ok = self.paths.is_empty()
            || self
                .paths
                .iter()
                .any(|p| p.matches(call.path) || call.target.is_some_and(|t| p.matches(t)));
        op_ok && path_ok
    }
}

/// A fault the plan injected: which call, and what it did.
///
/// ```
/// use dmemfs_test::{Effect, FaultPlan, MemFs, Rule, dmemfs_core::Op};
/// use std::io::ErrorKind;
///
/// let fs = MemFs::new();
/// let plan = FaultPlan::new().with(Rule::fail(ErrorKind::StorageFull).on(Op::Write));
/// let _faults = plan.install(&fs);
/// assert!(fs.write("/a", "x").is_err());
/// let injected = plan.injected();
/// assert_eq!((injected[0].op, injected[0].path.as_str()), (Op::Write, "/a"));
/// assert_eq!(injected[0].effect, Effect::Fail(ErrorKind::StorageFull));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Injection {
    /// The operation.
    pub op: Op,
    /// Its (normalised) path.
    pub path: String,
    /// The second path of a rename, move or copy.
    pub target: Option<String>,
    /// What was done to it.
    pub effect: Effect,
    /// The index of the rule that fired, in the order rules were added.
    pub rule: usize,
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<(Rule, RuleCount)>,
    injected: Vec<Injection>,
}

#[derive(Debug, Default, Clone, Copy)]
struct RuleCount {
    selected: u64,
    bytes: u64,
    fired: u64,
}

/// A set of [`Rule`]s installed on a filesystem: every operation on it (and on its handles)
/// is checked against the rules in order, and the first one that fires decides. Every rule
/// counts the calls it selects (for [`Rule::nth`]) even when another rule decided them.
/// Deterministic for a given sequence of operations; rules can be added and cleared while it
/// is installed, and it records every fault it injected. Dumps and assertions of dmemfs-test
/// look at the files through [`MemFs::without_faults`], untouched by the plan.
///
/// ```
/// use dmemfs_test::{FaultPlan, MemFs, Rule, dmemfs_core::Op};
/// use std::io::ErrorKind;
///
/// /// Code under test: writes a batch of files, stopping at the first error.
/// fn save_all(fs: &MemFs, files: &[(&str, &str)]) -> std::io::Result<usize> {
///     for (saved, (path, contents)) in files.iter().enumerate() {
///         if let Err(err) = fs.write(path, contents) {
///             eprintln!("saved {saved} files before: {err}");
///             return Err(err);
///         }
///     }
///     Ok(files.len())
/// }
///
/// let fs = MemFs::new();
/// let plan = FaultPlan::new().with(Rule::fail(ErrorKind::StorageFull).on(Op::Write).nth(2));
/// let _faults = plan.install(&fs); // uninstalled when dropped
/// let err = save_all(&fs, &[("/a", "1"), ("/b", "2"), ("/c", "3")]).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::StorageFull);
/// assert_eq!(plan.injected().len(), 1, "the error path was really taken");
/// assert!(fs.exists("/a") && !fs.exists("/b") && !fs.exists("/c"));
/// ```
#[derive(Clone, Default)]
pub struct FaultPlan {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("FaultPlan")
            .field("rules", &state.rules)
            .field("injected", &state.injected.len())
            .finish()
    }
}

impl FaultPlan {
    /// A plan without rules.
    ///
    /// ```
    /// assert!(dmemfs_test::FaultPlan::new().injected().is_empty());
    /// ```
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// Adds a rule (builder style).
    ///
    /// ```
    /// let plan = dmemfs_test::FaultPlan::new().with(dmemfs_test::Rule::short(1));
    /// # let _ = plan;
    /// ```
    pub fn with(self, rule: Rule) -> FaultPlan {
        self.add(rule);
        self
    }

    /// Adds a rule, also while installed. Its counts start at zero.
    ///
    /// ```
    /// let plan = dmemfs_test::FaultPlan::new();
    /// plan.add(dmemfs_test::Rule::fail(std::io::ErrorKind::Other));
    /// ```
    pub fn add(&self, rule: Rule) {
        self.state.lock().rules.push((rule, RuleCount::default()));
    }

    /// Removes every rule (the record of injections is kept).
    ///
    /// ```
    /// let fs = dmemfs_test::MemFs::new();
    /// let plan = dmemfs_test::FaultPlan::new().with(dmemfs_test::Rule::fail(std::io::ErrorKind::Other));
    /// let _faults = plan.install(&fs);
    /// plan.clear();
    /// fs.write("/a", "fine")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn clear(&self) {
        self.state.lock().rules.clear();
    }

    /// Installs the plan on `fs` (and its clones and open handles) until the returned guard
    /// is dropped, which puts back the injector it replaced (usually none). To leave the plan
    /// installed for the rest of the test, call [`FaultGuard::keep`].
    ///
    /// ```
    /// use dmemfs_test::{FaultPlan, MemFs, Rule};
    /// use std::io::ErrorKind;
    ///
    /// let fs = MemFs::new();
    /// let plan = FaultPlan::new().with(Rule::fail(ErrorKind::StorageFull));
    /// {
    ///     let _faults = plan.install(&fs);
    ///     assert!(fs.write("/a", "x").is_err());
    /// }
    /// fs.write("/a", "x")?; // uninstalled with the guard
    ///
    /// plan.install(&fs).keep(); // installed until the filesystem goes away
    /// assert!(fs.write("/b", "x").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn install(&self, fs: &MemFs) -> FaultGuard {
        let previous = fs.replace_fault_injector(Some(Arc::new(self.clone())));
        FaultGuard {
            fs: fs.clone(),
            previous: Some(previous),
        }
    }

    /// Every fault injected so far, in order.
    ///
    /// ```
    /// assert!(dmemfs_test::FaultPlan::new().injected().is_empty());
    /// ```
    pub fn injected(&self) -> Vec<Injection> {
        self.state.lock().injected.clone()
    }
}

/// A [`FaultPlan`] installed by [`FaultPlan::install`]. Dropping it uninstalls the plan and
/// puts back the injector installed before (so guards nest); [`keep`](Self::keep) leaves the
/// plan installed instead.
#[must_use = "the plan is uninstalled as soon as this guard is dropped: bind it \
              (`let _faults = plan.install(&fs);`), or call `.keep()` to leave it installed"]
pub struct FaultGuard {
    fs: MemFs,
    /// The injector to put back; `None` once kept.
    previous: Option<Option<Arc<dyn FaultInjector>>>,
}

impl fmt::Debug for FaultGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultGuard")
            .field("fs", &self.fs)
            .field("kept", &self.previous.is_none())
            .finish()
    }
}

impl FaultGuard {
    /// Leaves the plan installed for the rest of the filesystem's life: for a `#[with_memfs]`
    /// filesystem, the whole test. Remove it later, if need be, with
    /// `fs.set_fault_injector(None)` (or [`FaultPlan::clear`] its rules).
    ///
    /// ```
    /// use dmemfs_test::{FaultPlan, MemFs, Rule};
    ///
    /// fn arm(fs: &MemFs) -> FaultPlan {
    ///     let plan = FaultPlan::new().with(Rule::fail(std::io::ErrorKind::Other));
    ///     plan.install(fs).keep(); // outlives this helper
    ///     plan
    /// }
    /// let fs = MemFs::new();
    /// let plan = arm(&fs);
    /// assert!(fs.write("/a", "x").is_err());
    /// assert_eq!(plan.injected().len(), 1);
    /// ```
    pub fn keep(mut self) {
        self.previous = None;
    }
}

impl Drop for FaultGuard {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            self.fs.replace_fault_injector(previous);
        }
    }
}

impl FaultInjector for FaultPlan {
    fn on_call(&self, call: &Call<'_>) -> Verdict {
        let mut state = self.state.lock();
        // First, which rule fires: the first in order whose trigger is met.
        let mut fired: Option<(usize, Effect)> = None;
        for (index, (rule, count)) in state.rules.iter().enumerate() {
            if !rule.selects(call) {
                continue;
            }
            let selected = count.selected + 1;
            let fires = match rule.trigger {
                Trigger::Every => true,
                Trigger::Nth(n) => selected == n,
                Trigger::FromNth(n) => selected >= n,
                // Once full, the disk stays full: a call that would have fitted beside the
                // total fires too. A call of no bytes is no more refused than by a full disk.
                Trigger::AfterBytes(limit) => call.len.is_some_and(|len| {
                    len > 0 && (count.fired > 0 || count.bytes.saturating_add(len) > limit)
                }),
            };
            if fires && rule.limit.is_none_or(|limit| count.fired < limit) {
                fired = Some((index, rule.effect));
                break;
            }
        }
        // Then the counts: every selecting rule counts the call; bytes count only when the
        // call goes ahead and moves them.
        let proceeds = matches!(fired, None | Some((_, Effect::Delay(_))));
        for (index, (rule, count)) in state.rules.iter_mut().enumerate() {
            if !rule.selects(call) {
                continue;
            }
            count.selected += 1;
            if proceeds {
                count.bytes = count.bytes.saturating_add(call.len.unwrap_or(0));
            }
            if fired.is_some_and(|(rule, _)| rule == index) {
                count.fired += 1;
            }
        }
        let Some((rule, effect)) = fired else {
            return Verdict::Proceed;
        };
        state.injected.push(Injection {
            op: call.op,
            path: call.path.to_owned(),
            target: call.target.map(str::to_owned),
            effect,
            rule,
        });
        match effect {
            Effect::Fail(kind) => Verdict::Fail(kind),
            Effect::Delay(duration) => Verdict::Delay(duration),
            Effect::Short(bytes) => Verdict::Short(bytes),
        }
    }
}
