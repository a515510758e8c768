//! The workspace's end-to-end suite: one test binary, one module per area.

mod common;

// As a dependency renamed in Cargo.toml would be: in the extern prelude, for `crate = "..."`.
extern crate dmemfs_test as renamed;

// dmemfs-core, one module per area (a folder where an area outgrows one file).
// Features `tar`, `zip`; `links`: extraction over hard-linked files.
mod core_archive;
mod core_async;
// A failed operation changes nothing.
mod core_atomicity;
// Modes, times, the clock, inode numbers.
mod core_attrs;
// Locks across threads, and many threads at once.
mod core_concurrency;
// Directories and listings, links among the parents.
mod core_dirs;
mod core_errors;
mod core_faults;
// Whole-file helpers, queries, parse_size, the builder.
mod core_files;
mod core_glob_walk;
// OpenOptions and MemFile; `reads_and_writes`: I/O through a handle.
mod core_handles;
// Hard and symbolic links.
mod core_links;
mod core_memory_cache;
// rename and move_path; `copies`: copy and copy_dir_all.
mod core_moves;
// Normalisation and length limits.
mod core_paths;
// Semantics::Posix: open files as on Linux.
mod core_posix;
// The byte quota, the node limit and the memory guard.
mod core_quota;
// Trees in and out; `host_dirs`: host directory bridges.
mod core_transfer;
mod core_watch;

// dmemfs-test
mod harness_assertions;
mod harness_dump;
mod harness_faults;
mod harness_macro;
// Every form of the attribute that compiles (the ones that must not are tests/ui).
mod harness_macro_forms;
// `#[with_memfs(mount)]`: std::fs code and child processes on the test's filesystem.
mod harness_mount;
mod harness_snapshots;

// interop
// The FileSystem trait: one suite for MemFs and OsFs.
mod conformance;
mod interop_vfs;
mod os_fs;
mod readme_examples;
