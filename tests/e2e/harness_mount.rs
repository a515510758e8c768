//! `#[with_memfs(mount)]`: the test's filesystem mounted for `std::fs` code and programs,
//! with the quota, fault plans and assertions working as before.

use std::io::ErrorKind;
use std::process::Command;

use dmemfs_core::Op;
use dmemfs_test::{
    FaultPlan, MemFs, Rule, Semantics, assert_file_eq, assert_quota, assert_tree_snapshot,
    mount_dir, with_memfs,
};

/// Code under test that knows nothing of dmemfs: it takes a `Path`.
fn write_report(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("out"))?;
    std::fs::write(dir.join("out/report.csv"), "region,total\nnorth,12\n")
}

#[with_memfs(quota = "1M", mount)]
fn std_fs_code_writes_into_the_test_filesystem(fs: MemFs) {
    write_report(&mount_dir()).unwrap();
    assert_file_eq!(fs, "/out/report.csv", "region,total\nnorth,12\n");
    assert_quota!(fs, used == 22);
    assert_eq!(
        fs.semantics(),
        Semantics::Posix,
        "a mount defaults to POSIX semantics"
    );
}

#[with_memfs(quota = "4M", mount)]
fn the_system_tar_extracts_into_the_mount(fs: &MemFs) -> std::io::Result<()> {
    let src = tempfile::tempdir()?;
    std::fs::create_dir_all(src.path().join("site/css"))?;
    std::fs::write(src.path().join("site/index.html"), "<h1>hi</h1>\n")?;
    std::fs::write(src.path().join("site/css/main.css"), "h1 { color: red }\n")?;
    let archive = src.path().join("site.tar");
    let made = Command::new("tar")
        .arg("-cf")
        .arg(&archive)
        .arg("-C")
        .arg(src.path())
        .arg("site")
        .status()?;
    assert!(made.success());
    let extracted = Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .current_dir(mount_dir())
        .status()?;
    assert!(extracted.success());
    assert_tree_snapshot!(fs, "/", @r"
    /
    └── site/
        ├── css/
        │   └── main.css (18 bytes)
        │           h1 { color: red }
        └── index.html (12 bytes)
                <h1>hi</h1>
    ");
    Ok(())
}

#[with_memfs(quota = "1M", mount)]
fn a_fault_rule_fails_a_child_process_write(fs: MemFs) {
    fs.create_dir("/out").unwrap();
    let plan = FaultPlan::new().with(
        Rule::fail(ErrorKind::StorageFull)
            .on(Op::Write)
            .matching("/out/**"),
    );
    let _faults = plan.install(&fs);
    let out = Command::new("sh")
        .arg("-c")
        .arg("echo data | dd of=out/f status=none")
        .current_dir(mount_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("No space left on device"));
    assert_eq!(plan.injected().len(), 1);
}

#[with_memfs(quota = "64K", mount)]
fn dd_past_the_quota_fails_and_used_is_exact(fs: MemFs) {
    let out = Command::new("dd")
        .args(["if=/dev/zero", "of=big", "bs=4k", "count=32"])
        .current_dir(mount_dir())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("No space left on device"));
    assert_quota!(fs, used == "64K");
}

#[with_memfs(mount, semantics = "locked")]
fn locked_semantics_can_be_asked_for(fs: MemFs) {
    assert_eq!(fs.semantics(), Semantics::Locked);
    std::fs::write(mount_dir().join("a"), "x").unwrap();
    assert_file_eq!(fs, "/a", "x");
}

#[with_memfs(mount)]
#[test]
fn a_test_returning_a_result_works_with_mount(fs: MemFs) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::write(mount_dir().join("r"), "ok")?;
    assert_eq!(fs.read_to_string("/r")?, "ok");
    Ok(())
}

#[with_memfs(mount)]
#[test]
#[ignore = "fails on purpose; run by a_failing_mount_test_dumps_its_tree_and_unmounts"]
fn panics_in_a_mount_on_purpose(fs: MemFs) {
    let made = Command::new("sh")
        .args(["-c", "mkdir -p app && echo from-a-child > app/out.txt"])
        .current_dir(mount_dir())
        .status()
        .unwrap();
    assert!(made.success());
    assert!(fs.is_file("/app/out.txt"));
    println!("MOUNTED AT {}", mount_dir().display());
    panic!("boom");
}

#[test]
fn a_failing_mount_test_dumps_its_tree_and_unmounts() {
    let dumps = tempfile::tempdir().unwrap();
    let test = "harness_mount::panics_in_a_mount_on_purpose";
    let output = crate::harness_dump::run_child(test, Some(dumps.path()));
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tree = crate::harness_dump::dumped(dumps.path(), test);
    assert_eq!(
        std::fs::read_to_string(tree.join("app/out.txt")).unwrap(),
        "from-a-child\n",
        "{stdout}"
    );
    let mounted_at = stdout
        .lines()
        .find_map(|line| line.strip_prefix("MOUNTED AT "))
        .expect("the child printed its mount point");
    let mounted_at = std::path::Path::new(mounted_at);
    let mounts = dmemfs_fuse::mounts().unwrap();
    assert!(
        !mounts.iter().any(|m| m == mounted_at),
        "unmounted after the panic"
    );
    assert!(!mounted_at.exists(), "its directory removed");
}

/// The CPUs the calling thread may run on, from /proc.
fn allowed_cpus() -> String {
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))
        .unwrap()
        .trim()
        .to_owned()
}

#[with_memfs(mount = "pinned")]
fn a_pinned_mount_test_and_its_children_run_on_one_cpu(fs: MemFs) {
    let cpus = allowed_cpus();
    assert!(
        !cpus.contains(',') && !cpus.contains('-'),
        "pinned to one CPU: {cpus}"
    );
    let child = Command::new("sh")
        .args(["-c", "grep Cpus_allowed_list /proc/self/status > cpus"])
        .current_dir(mount_dir())
        .status()
        .unwrap();
    assert!(child.success());
    let seen = fs.read_to_string("/cpus").unwrap();
    assert_eq!(
        seen.split(':').nth(1).unwrap().trim(),
        cpus,
        "the child inherits the pin"
    );
}

#[test]
fn pinning_ends_with_the_test() {
    // On a fresh thread, as libtest runs each test: pinned during the body, restored after.
    let (before, after) = std::thread::spawn(|| {
        let before = allowed_cpus();
        pinned_body();
        (before, allowed_cpus())
    })
    .join()
    .unwrap();
    assert_eq!(before, after);
}

#[with_memfs(mount = "pinned")]
#[test]
#[ignore = "called by pinning_ends_with_the_test"]
fn pinned_body() {
    let cpus = allowed_cpus();
    assert!(!cpus.contains(',') && !cpus.contains('-'), "{cpus}");
}
