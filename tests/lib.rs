//! End-to-end tests for the dmemfs workspace live in `e2e/` (one test binary, a module per
//! area), `reliability/` (differential and model testing, stress, hostile input), `heap/`
//! and `zeroize/` (allocators of their own); `ui/` (compile errors of `#[with_memfs]`) is a
//! package of its own, `dmemfs-ui`. This
//! library holds the helpers they share, and compiles the examples of the README and
//! `docs/migrating.md` as doctests so they cannot drift from the code.

pub mod support;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../docs/migrating.md")]
struct MigratingDoctests;
