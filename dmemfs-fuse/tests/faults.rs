//! Fault rules through the mount fail the programs' operations, and only those: never a
//! step the adapter takes for itself, never an operation after it happened.

mod common;

use std::io::ErrorKind;
use std::sync::Arc;

use common::{mounted, posix, sh, stderr};
use dmemfs_core::{
    Op,
    fault::{Call, FaultInjector, Verdict},
};

/// Fails `stat` of `/d` only.
#[derive(Debug)]
struct HideD;

impl FaultInjector for HideD {
    fn on_call(&self, call: &Call<'_>) -> Verdict {
        if call.op == Op::Metadata && call.path == "/d" {
            return Verdict::Fail(ErrorKind::PermissionDenied);
        }
        Verdict::Proceed
    }
}

/// A rule on the metadata of `/d` must not fail listing `/d/sub`, whose listing never
/// asks for `/d`'s metadata (on a real filesystem `ls d/sub` does not stat `d`).
#[test]
fn a_metadata_rule_on_a_directory_does_not_fail_listing_its_subdirectory() {
    if !common::have("python3") {
        eprintln!("python3 not installed: the listing through /proc/PID/fd is not tried");
        return;
    }
    let fs = posix(1 << 20);
    fs.create_dir_all("/d/sub").unwrap();
    fs.write("/d/sub/x", "x").unwrap();
    let Some(mount) = mounted(&fs) else { return };
    // The kernel has looked `d` and `d/sub` up already.
    assert!(sh(mount.path(), "ls d/sub").status.success());
    let sub = std::fs::File::open(mount.path().join("d/sub")).unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&sub);
    fs.set_fault_injector(Some(Arc::new(HideD)));
    // Through the open directory: no lookup of `d` is needed (on tmpfs, no stat of `d`).
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            &format!(
                "import os; print(os.listdir('/proc/{}/fd/{fd}'))",
                std::process::id()
            ),
        ])
        .output()
        .unwrap();
    fs.set_fault_injector(None);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Fails `stat` of `/new` from its second time on (as a rule failing some share of the
/// calls may).
#[derive(Debug, Default)]
struct HideNew(std::sync::atomic::AtomicU32);

impl FaultInjector for HideNew {
    fn on_call(&self, call: &Call<'_>) -> Verdict {
        if call.op == Op::Metadata
            && call.path == "/new"
            && self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0
        {
            return Verdict::Fail(ErrorKind::PermissionDenied);
        }
        Verdict::Proceed
    }
}

/// A metadata rule (for `stat`) must not make a create, mkdir or link fail after it was done:
/// a failed call leaves no file behind.
#[test]
fn a_metadata_rule_does_not_fail_a_create_that_happened() {
    let fs = posix(1 << 20);
    fs.write("/a", "a").unwrap();
    let Some(mount) = mounted(&fs) else { return };
    let mut seen = Vec::new();
    for (what, script) in [
        ("create", "echo x > new"),
        ("mkdir", "mkdir new"),
        ("link", "ln a new"),
    ] {
        fs.set_fault_injector(Some(Arc::new(HideNew::default())));
        let out = sh(mount.path(), script);
        fs.set_fault_injector(None);
        let exists = fs.exists("/new");
        seen.push(format!(
            "{what}: succeeded {} exists {exists}",
            out.status.success()
        ));
        let _ = fs.remove_file("/new");
        let _ = fs.remove_dir("/new");
    }
    fs.set_fault_injector(None);
    for line in &seen {
        assert!(!line.contains("succeeded false exists true"), "{seen:#?}");
    }
}
