//! Compile-time behaviour of `#[with_memfs]`: every supported combination of attributes
//! compiles (`pass/`), and every misuse is an error pointing at the offending token
//! (`fail/`, with the expected output pinned in `.stderr` files).
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p dmemfs-e2e --test ui`
//! and review the diff: never edit them by hand.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
