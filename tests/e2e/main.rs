//! The workspace's end-to-end suite: one test binary, one module per area.

mod common;

// As a dependency renamed in Cargo.toml would be: in the extern prelude, for `crate = "..."`.
extern crate dmemfs_test as renamed;

// dmemfs-core
mod core_async;
mod core_atomicity;
// Modes, times, the clock, inode numbers.
mod core_attrs;
mod core_concurrency;
mod core_dirs;
mod core_errors;
// Regression tests for the fast paths (namespace slots, chunk cache, one-pass open).
mod core_fast_paths;
mod core_faults;
mod core_files;
mod core_glob_walk;
mod core_handles;
mod core_limits;
mod core_links;
mod core_memory_cache;
mod core_moves;
// Semantics::Posix: open files as on Linux.
mod core_posix;
mod core_regressions;
mod core_transfer;
// Links meeting accounting and resolution (regressions from review).
mod core_link_edges;
// Features `tar`, `zip`.
mod core_archive;
// Links meeting bulk operations and races (regressions from review).
mod core_links_bulk_and_races;

// dmemfs-test
mod harness_assertions;
mod harness_dump;
mod harness_faults;
mod harness_macro;
// `#[with_memfs(mount)]`: std::fs code and child processes on the test's filesystem.
mod harness_mount;
mod harness_snapshots;

// interop
// The FileSystem trait: one suite for MemFs and OsFs.
mod conformance;
mod interop_vfs;
mod os_fs;
mod readme_examples;
