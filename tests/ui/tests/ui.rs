//! Compile-time behaviour of `#[with_memfs]`: every misuse is an error pointing at the
//! offending token (`fail/`, with the expected output pinned in `.stderr` files). The forms
//! that compile are tested, and run, in the e2e suite (`e2e/harness_macro_forms/`): trybuild
//! then only checks, never builds, which keeps its own build of the dependencies short.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p dmemfs-ui` and
//! review the diff: never edit them by hand.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("fail/*.rs");
}

/// Forms that must compile and run (built, unlike `fail/`: kept out of the default run).
#[test]
fn own_implementations_can_build_a_listing() {
    trybuild::TestCases::new().pass("pass/own-filesystem-read-dir.rs");
}
