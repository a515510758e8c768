//! `dmemfs mount DIR --quota 2G`: a RAM disk with a hard quota, for Linux, served through
//! FUSE until Ctrl-C or SIGTERM. On other systems it says that mounting needs Linux.

// Every dependency is used (on Unix, where the command serves).
#![cfg_attr(all(unix, not(test)), deny(unused_crate_dependencies))]

/// Prints a line on standard output (`say!`) or standard error (`note!`). A closed stream
/// (`dmemfs mount ... | head -1`) must not stop the server before it saves and unmounts, as
/// `println!` would by panicking, so write errors are ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// See [`say!`].
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

#[cfg(unix)]
mod save;
#[cfg(unix)]
mod serve;

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    note!("dmemfs: mounting needs Linux FUSE");
    std::process::ExitCode::FAILURE
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    serve::main()
}
