//! End-to-end tests for the dmemfs workspace live in `e2e/` (one test binary, a module per
//! area) and `heap/` (the heap-footprint check). This library only compiles the README's
//! examples as doctests, so they cannot drift from the code.

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
