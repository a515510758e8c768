//! Checking what the arguments mean: their types, the memory guard's form, the seed directory.
//! Every problem becomes a `syn::Error` on the offending token, and all of them are reported
//! together. Sizes and durations are only taken apart from the literal here: their text is
//! read by dmemfs-core's const parsers, in a constant the expansion emits (see `checked`).

use std::path::Path;

use proc_macro2::Span;
use syn::{Lit, LitStr};

use crate::args::{Arg, Args};

/// The keys `#[with_memfs]` accepts, in the order the docs list them.
pub(crate) const KEYS: [&str; 9] = [
    "quota",
    "max_nodes",
    "lock_timeout",
    "semantics",
    "mount",
    "memory_guard",
    "seed",
    "dump",
    "crate",
];

/// A size or duration as written, for the constant that reads it: compile-time evaluation
/// is then the check, with its error at `span`.
#[derive(Clone)]
pub(crate) struct Checked {
    pub(crate) text: String,
    pub(crate) span: Span,
}

#[derive(Default)]
pub(crate) struct Config {
    pub(crate) quota: Option<Checked>,
    pub(crate) max_nodes: Option<u64>,
    pub(crate) lock_timeout: Option<LockTimeout>,
    pub(crate) semantics: Option<Semantics>,
    /// `mount`: the span of the flag (for the error when the feature is off), and whether
    /// the test and the server are pinned to one CPU (`mount = "pinned"`).
    pub(crate) mount: Option<(Span, bool)>,
    pub(crate) memory_guard: Option<Guard>,
    pub(crate) seed: Option<LitStr>,
    pub(crate) dump: Option<Dump>,
    pub(crate) krate: Option<syn::Path>,
}

pub(crate) enum LockTimeout {
    Forever,
    After(Checked),
}

/// `dmemfs_core::Semantics`, by name.
pub(crate) enum Semantics {
    Locked,
    Posix,
}

pub(crate) enum GuardMode {
    Off,
    Init,
    /// The interval, if given (the library's default otherwise).
    PerWrite(Option<Checked>),
}

pub(crate) struct Guard {
    pub(crate) mode: GuardMode,
    pub(crate) error: bool,
}

pub(crate) enum Dump {
    Off,
    On,
    To(LitStr),
}

/// Collects errors so that all of them are reported at once.
#[derive(Default)]
pub(crate) struct Errors(pub(crate) Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn with(mut self, error: syn::Error) -> Errors {
        self.push(error);
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// All the errors as one; only called once there is at least one.
    pub(crate) fn finish(self) -> syn::Error {
        self.0.unwrap_or_else(|| {
            syn::Error::new(proc_macro2::Span::call_site(), "#[with_memfs] failed")
        })
    }
}

/// Interprets the arguments. Returns the settings that were valid, and the errors.
pub(crate) fn validate(args: Args) -> (Config, Errors) {
    let mut config = Config::default();
    let mut errors = Errors::default();
    let mut seen: Vec<String> = Vec::new();
    for arg in &args.args {
        let key = arg.key.to_string();
        if !KEYS.contains(&key.as_str()) {
            let expected = KEYS.map(|k| format!("`{k}`")).join(", ");
            errors.push(syn::Error::new(
                arg.key_span(),
                format!("unknown argument `{key}`; expected one of: {expected}"),
            ));
            continue;
        }
        if seen.contains(&key) {
            errors.push(syn::Error::new(
                arg.key_span(),
                format!("`{key}` set multiple times"),
            ));
            continue;
        }
        seen.push(key.clone());
        if let Err(error) = apply(&mut config, &key, arg) {
            errors.push(error);
        }
    }
    (config, errors)
}

fn apply(config: &mut Config, key: &str, arg: &Arg) -> syn::Result<()> {
    let value = &arg.value;
    match key {
        "quota" => config.quota = Some(size(value)?),
        "max_nodes" => config.max_nodes = Some(max_nodes(value)?),
        "lock_timeout" => config.lock_timeout = Some(lock_timeout(value)?),
        "semantics" => config.semantics = Some(semantics(value)?),
        "mount" => config.mount = mount(arg)?,
        "memory_guard" => config.memory_guard = Some(guard(value)?),
        "seed" => config.seed = Some(seed(value)?),
        "dump" => config.dump = Some(dump(value)?),
        "crate" => config.krate = Some(krate(value)?),
        // Checked against KEYS by the caller; an error rather than a panic all the same.
        other => {
            return Err(syn::Error::new(
                arg.key_span(),
                format!("unknown argument `{other}`"),
            ));
        }
    }
    Ok(())
}

fn mount(arg: &Arg) -> syn::Result<Option<(Span, bool)>> {
    match &arg.value {
        Lit::Bool(flag) => Ok(flag.value.then(|| (arg.key_span(), false))),
        Lit::Str(mode) if mode.value() == "pinned" => Ok(Some((arg.key_span(), true))),
        other => Err(syn::Error::new(
            other.span(),
            "expected `mount` alone (or `mount = true`), or `mount = \"pinned\"` (the test and the server on one CPU): the test gets a host directory where its filesystem is mounted",
        )),
    }
}

fn semantics(value: &Lit) -> syn::Result<Semantics> {
    let expected = "expected `semantics = \"posix\"` (open files shared, renamed and removed as on Linux) or `\"locked\"` (D-MemFS's handle locks, the default)";
    match value {
        Lit::Str(text) => match text.value().as_str() {
            "posix" => Ok(Semantics::Posix),
            "locked" => Ok(Semantics::Locked),
            other => Err(syn::Error::new(
                text.span(),
                format!("unknown semantics \"{other}\"; {expected}"),
            )),
        },
        other => Err(syn::Error::new(other.span(), expected)),
    }
}

/// Rust's integer type suffixes: `4096u64` is still a plain number.
const INTEGER_SUFFIXES: [&str; 12] = [
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
];

/// A numeric literal's digits and suffix: `32M` is `("32", "M")`, `1.5G` is `("1.5", "G")`.
/// The suffix is a unit: unquoted sizes and durations mean what they say (`32M` is 32 MiB,
/// not 32 bytes).
fn number_and_unit(value: &Lit) -> Option<(&str, &str)> {
    match value {
        Lit::Int(int) => Some((int.base10_digits(), int.suffix())),
        Lit::Float(float) => Some((float.base10_digits(), float.suffix())),
        _ => None,
    }
}

fn size(value: &Lit) -> syn::Result<Checked> {
    const EXPECTED: &str = "expected a size for `quota`, such as 32M, 512K, 1.5GiB (quoted or not) or an integer number of bytes";
    let text = match value {
        Lit::Str(text) => text.value(),
        // `4096u64` is still a plain number of bytes.
        Lit::Int(int) if INTEGER_SUFFIXES.contains(&int.suffix()) => int.base10_digits().to_owned(),
        other => match number_and_unit(other) {
            Some((number, unit)) => format!("{number}{unit}"),
            None => return Err(syn::Error::new(other.span(), EXPECTED)),
        },
    };
    Ok(Checked {
        text,
        span: value.span(),
    })
}

fn max_nodes(value: &Lit) -> syn::Result<u64> {
    let count = match value {
        Lit::Int(int) if int.suffix().is_empty() || INTEGER_SUFFIXES.contains(&int.suffix()) => {
            int.base10_parse::<u64>()?
        }
        Lit::Int(int) => {
            return Err(syn::Error::new(
                int.span(),
                format!(
                    "`max_nodes` is a count of files and directories, without a unit: write {}, not `{int}`",
                    int.base10_digits()
                ),
            ));
        }
        other => {
            return Err(syn::Error::new(
                other.span(),
                "expected an integer for `max_nodes`, such as 100",
            ));
        }
    };
    match count {
        0 => Err(syn::Error::new(
            value.span(),
            "`max_nodes = 0` leaves no room for the root directory, which is a node; use at least 1",
        )),
        n => Ok(n),
    }
}

fn lock_timeout(value: &Lit) -> syn::Result<LockTimeout> {
    const EXPECTED: &str = "expected a duration for `lock_timeout`, such as 100ms or 2s (quoted or not), or \"none\" to wait without limit";
    let text = match value {
        Lit::Str(text) => text.value(),
        other => match number_and_unit(other) {
            // Syntactic: the literal has no suffix at all.
            Some((number, "")) => {
                return Err(syn::Error::new(
                    other.span(),
                    format!("`lock_timeout = {number}` has no unit; write {number}ms or {number}s"),
                ));
            }
            Some((number, unit)) => format!("{number}{unit}"),
            None => return Err(syn::Error::new(other.span(), EXPECTED)),
        },
    };
    match text.trim() {
        "none" | "forever" | "never" if matches!(value, Lit::Str(_)) => Ok(LockTimeout::Forever),
        _ => Ok(LockTimeout::After(Checked {
            text,
            span: value.span(),
        })),
    }
}

fn guard(value: &Lit) -> syn::Result<Guard> {
    const EXPECTED: &str = "expected \"off\", \"init\", \"per_write\" or \"per_write(500ms)\", optionally followed by \", warn\" or \", error\"";
    let Lit::Str(text) = value else {
        return Err(syn::Error::new(
            value.span(),
            format!("invalid `memory_guard`: {EXPECTED}"),
        ));
    };
    let spec = text.value();
    let invalid = |detail: String| {
        syn::Error::new(
            text.span(),
            format!("invalid `memory_guard` \"{spec}\": {detail}; {EXPECTED}"),
        )
    };
    let (mode, action) = match spec.split_once(',') {
        Some((mode, action)) => (mode.trim(), Some(action.trim())),
        None => (spec.trim(), None),
    };
    let error = match action {
        None | Some("warn") => false,
        Some("error") => true,
        Some(other) => return Err(invalid(format!("unknown action `{other}`"))),
    };
    let mode = match mode {
        "off" => GuardMode::Off,
        "init" => GuardMode::Init,
        "per_write" => GuardMode::PerWrite(None),
        other => match other
            .strip_prefix("per_write(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            Some(interval) => GuardMode::PerWrite(Some(Checked {
                text: interval.trim().to_owned(),
                span: text.span(),
            })),
            None => return Err(invalid(format!("unknown mode `{other}`"))),
        },
    };
    Ok(Guard { mode, error })
}

fn seed(value: &Lit) -> syn::Result<LitStr> {
    let Lit::Str(text) = value else {
        return Err(syn::Error::new(
            value.span(),
            "expected a directory path string for `seed`, such as \"tests/fixtures/tree\"",
        ));
    };
    let relative = text.value();
    let base = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let full = Path::new(&base).join(&relative);
    if !full.is_dir() {
        return Err(syn::Error::new(
            text.span(),
            format!(
                "seed directory \"{relative}\" does not exist (relative paths start at the crate's manifest directory)"
            ),
        ));
    }
    Ok(text.clone())
}

fn dump(value: &Lit) -> syn::Result<Dump> {
    match value {
        Lit::Bool(flag) if flag.value => Ok(Dump::On),
        Lit::Bool(_) => Ok(Dump::Off),
        Lit::Str(text) if text.value().trim().is_empty() => Err(syn::Error::new(
            text.span(),
            "`dump` needs a directory; use `dump = false` to turn dumps off",
        )),
        Lit::Str(text) => Ok(Dump::To(text.clone())),
        other => Err(syn::Error::new(
            other.span(),
            "expected `true`, `false` or a directory path string for `dump`",
        )),
    }
}

fn krate(value: &Lit) -> syn::Result<syn::Path> {
    let Lit::Str(text) = value else {
        return Err(syn::Error::new(
            value.span(),
            "expected a path string for `crate`, such as \"my_dmemfs_test\"",
        ));
    };
    text.parse::<syn::Path>().map_err(|_| {
        syn::Error::new(
            text.span(),
            format!("`crate = \"{}\"` is not a path", text.value()),
        )
    })
}
