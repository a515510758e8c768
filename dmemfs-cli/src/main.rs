//! `dmemfs mount DIR --quota 2G`: a RAM disk with a hard quota, for Linux, served through
//! FUSE until Ctrl-C or SIGTERM. On other systems it says that mounting needs Linux.

// Every dependency is used (on Unix, where the command serves).
#![cfg_attr(all(unix, not(test)), deny(unused_crate_dependencies))]

#[cfg(unix)]
mod serve;

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    eprintln!("dmemfs: mounting needs Linux FUSE");
    std::process::ExitCode::FAILURE
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    serve::main()
}
