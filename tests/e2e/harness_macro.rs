//! `#[with_memfs]` as users write it: every supported shape of test, every argument.

use std::io::{self, ErrorKind, Read};
use std::time::{Duration, Instant};

use dmemfs_test::{
    DEFAULT_TEST_LOCK_TIMEOUT, DEFAULT_TEST_QUOTA, MemFs, current, memfs, try_current, with_memfs,
};
use rstest::rstest;

#[with_memfs]
#[test]
fn a_parameter_receives_a_fresh_filesystem(fs: MemFs) {
    assert_eq!(fs.stats().files, 0);
    assert_eq!(fs.stats().quota, DEFAULT_TEST_QUOTA);
    fs.write("/only-here", "x").unwrap();
}

#[with_memfs]
#[test]
fn each_test_is_isolated(fs: MemFs) {
    // The test above wrote /only-here into its own filesystem.
    assert!(!fs.exists("/only-here"));
}

#[with_memfs(quota = "1K")]
#[test]
fn a_borrowed_parameter_works_too(fs: &MemFs) {
    fs.write("/a", [0; 1024]).unwrap();
    assert_eq!(
        fs.write("/b", [0; 1]).unwrap_err().kind(),
        ErrorKind::StorageFull
    );
}

#[with_memfs]
#[test]
fn without_a_parameter_current_returns_it() {
    current().write("/ambient", "yes").unwrap();
    assert_eq!(current().read("/ambient").unwrap(), b"yes");
    // The same filesystem, not a new one per call.
    assert_eq!(current().stats().files, 1);
}

#[test]
fn outside_a_session_nothing_is_bound() {
    assert!(try_current().is_none());
}

#[with_memfs]
#[test]
fn the_binding_is_per_thread(fs: MemFs) {
    let other = std::thread::spawn(try_current).join().unwrap();
    assert!(
        other.is_none(),
        "a spawned thread gets the MemFs passed explicitly"
    );
    let shared = fs.clone();
    std::thread::spawn(move || shared.write("/from-thread", "ok"))
        .join()
        .unwrap()
        .unwrap();
    assert!(current().exists("/from-thread"));
}

#[with_memfs(quota = "32M")]
#[test]
fn tests_may_return_result(fs: MemFs) -> io::Result<()> {
    fs.create_dir_all("/out")?;
    fs.write("/out/report.csv", "a,b\n")?;
    assert_eq!(fs.read_dir("/out")?.count(), 1);
    Ok(())
}

#[with_memfs(quota = 4096, max_nodes = 3)]
#[test]
fn integer_quota_and_node_limit(fs: MemFs) {
    assert_eq!(fs.stats().quota, 4096);
    fs.write("/one", "").unwrap();
    fs.write("/two", "").unwrap();
    assert_eq!(
        fs.write("/three", "").unwrap_err().kind(),
        ErrorKind::QuotaExceeded
    );
}

#[with_memfs(quota = "1.5K")]
#[test]
fn fractional_sizes(fs: MemFs) {
    assert_eq!(fs.stats().quota, 1536);
}

#[with_memfs]
#[test]
fn the_default_lock_timeout_is_short(fs: MemFs) {
    let _writer = fs.create("/held").unwrap();
    let started = Instant::now();
    // A self-deadlock: reading a file this thread holds for writing.
    assert_eq!(fs.read("/held").unwrap_err().kind(), ErrorKind::WouldBlock);
    let waited = started.elapsed();
    assert!(waited >= DEFAULT_TEST_LOCK_TIMEOUT, "{waited:?}");
}

#[with_memfs(lock_timeout = "30ms")]
#[test]
fn lock_timeout_argument(fs: MemFs) {
    let _writer = fs.create("/held").unwrap();
    let started = Instant::now();
    assert_eq!(fs.open("/held").unwrap_err().kind(), ErrorKind::WouldBlock);
    assert!(started.elapsed() >= Duration::from_millis(30));
}

// issue 14: `quota = 32M` used to mean 32 bytes (the literal's suffix was ignored).
#[with_memfs(quota = 32M, max_nodes = 10u64)]
#[test]
fn unquoted_sizes_mean_their_unit(fs: MemFs) {
    assert_eq!(fs.stats().quota, 32 << 20);
    assert_eq!(fs.stats().max_nodes, Some(10));
}

#[with_memfs(quota = 1.5K)]
#[test]
fn unquoted_fractional_and_decimal_sizes(fs: MemFs) {
    assert_eq!(fs.stats().quota, 1536);
}

#[with_memfs(quota = 10MB)]
#[test]
fn unquoted_decimal_units(fs: MemFs) {
    assert_eq!(fs.stats().quota, 10_000_000);
}

#[with_memfs(lock_timeout = 30ms)]
#[test]
fn unquoted_durations_mean_their_unit(fs: MemFs) {
    let _writer = fs.create("/held").unwrap();
    let started = Instant::now();
    assert_eq!(fs.open("/held").unwrap_err().kind(), ErrorKind::WouldBlock);
    let waited = started.elapsed();
    // 30 ms, not 30 s (nor the 2 s default).
    assert!(waited >= Duration::from_millis(30), "{waited:?}");
    assert!(waited < DEFAULT_TEST_LOCK_TIMEOUT, "{waited:?}");
}

#[with_memfs(semantics = "posix", quota = "1K")]
#[test]
fn semantics_posix_argument(fs: MemFs) {
    let mut log = fs.create("/app.log").unwrap();
    fs.rename("/app.log", "/app.log.1").unwrap();
    std::io::Write::write_all(&mut log, b"after rotation").unwrap();
    fs.remove_file("/app.log.1").unwrap();
    assert_eq!(fs.stats().used, 14);
    drop(log);
    assert_eq!(fs.stats().used, 0);
}

#[with_memfs(semantics = "locked")]
#[test]
fn semantics_locked_argument(fs: MemFs) {
    let _log = fs.create("/app.log").unwrap();
    let err = fs.rename("/app.log", "/app.log.1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResourceBusy);
}

#[with_memfs(lock_timeout = "none")]
#[test]
fn lock_timeout_none_waits_for_the_holder(fs: MemFs) {
    let writer = fs.create("/held").unwrap();
    let other = fs.clone();
    let reader = std::thread::spawn(move || other.read("/held"));
    std::thread::sleep(Duration::from_millis(20));
    drop(writer);
    assert_eq!(reader.join().unwrap().unwrap(), b"");
}

#[with_memfs(memory_guard = "per_write(1s), error")]
#[test]
fn memory_guard_argument(fs: MemFs) {
    // The host has far more than a few bytes available: the guard lets this through.
    fs.write("/a", "guarded").unwrap();
}

#[with_memfs(seed = "e2e/fixtures/seed")]
#[test]
fn seed_imports_a_host_directory(fs: MemFs) {
    assert_eq!(
        fs.read_to_string("/config/app.toml").unwrap(),
        "name = \"demo\"\nport = 8080\n"
    );
    assert_eq!(
        fs.read("/data/records.csv").unwrap(),
        b"id,value\n1,alpha\n2,beta\n"
    );
}

#[with_memfs(quota = "1M", dump = false)]
#[test]
#[should_panic(expected = "expected failure")]
fn should_panic_composes(fs: MemFs) {
    fs.write("/a", "x").unwrap();
    panic!("expected failure");
}

#[with_memfs]
#[test]
#[ignore = "runs only when asked: proves #[ignore] is kept"]
fn ignore_is_kept(_fs: MemFs) {
    panic!("an ignored test ran");
}

mod renamed_dependency {
    #[renamed::with_memfs(crate = "renamed", quota = "2K")]
    #[test]
    fn crate_argument_points_at_a_renamed_dependency(fs: renamed::MemFs) {
        assert_eq!(fs.stats().quota, 2048);
    }
}

// ---- rstest ----

#[with_memfs(quota = "1K")]
#[rstest]
#[case::small(10)]
#[case::exact(1024)]
fn rstest_cases_each_get_a_filesystem(fs: MemFs, #[case] size: usize) {
    assert_eq!(fs.stats().used, 0, "each case starts empty");
    fs.write("/blob", vec![1; size]).unwrap();
    assert_eq!(fs.stats().used, size as u64);
}

#[with_memfs]
#[rstest]
fn rstest_values_make_a_matrix(
    fs: MemFs,
    #[values("a", "b")] name: &str,
    #[values(1, 2)] copies: usize,
) {
    for i in 0..copies {
        fs.write(format!("/{name}{i}"), name).unwrap();
    }
    assert_eq!(fs.stats().files, copies as u64);
}

#[rstest::fixture]
fn greeting() -> String {
    "hello".to_owned()
}

#[with_memfs]
#[rstest]
fn rstest_fixtures_compose(greeting: String, fs: MemFs) {
    fs.write("/greeting", &greeting).unwrap();
    assert_eq!(fs.read_to_string("/greeting").unwrap(), "hello");
}

#[with_memfs]
#[rstest]
#[case(1)]
fn rstest_with_result(fs: MemFs, #[case] n: u8) -> io::Result<()> {
    fs.write("/n", [n])?;
    Ok(())
}

// ---- async ----

#[with_memfs(quota = "1M")]
#[tokio::test]
async fn tokio_tests_get_a_filesystem(fs: MemFs) {
    let path = "/async.txt";
    fs.write(path, "from an async test").unwrap();
    tokio::task::yield_now().await;
    assert_eq!(
        current().read_to_string(path).unwrap(),
        "from an async test"
    );
}

#[with_memfs]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_follows_the_task_across_workers() {
    for i in 0..20 {
        tokio::task::yield_now().await;
        current().write(format!("/step{i}"), "").unwrap();
    }
    assert_eq!(current().stats().files, 20);
}

#[with_memfs]
#[tokio::test]
async fn async_tests_may_return_result(fs: &MemFs) -> io::Result<()> {
    let mut contents = String::new();
    fs.write("/a", "b")?;
    fs.open("/a")?.read_to_string(&mut contents)?;
    assert_eq!(contents, "b");
    Ok(())
}

#[with_memfs]
#[rstest]
#[case("x")]
#[tokio::test]
async fn rstest_and_tokio_together(fs: MemFs, #[case] name: &str) {
    fs.write(format!("/{name}"), name).unwrap();
    tokio::task::yield_now().await;
    assert!(fs.exists(format!("/{name}")));
}

// ---- without a test attribute, #[test] is added ----

#[with_memfs]
fn a_plain_function_becomes_a_test(fs: MemFs) {
    fs.write("/plain", "").unwrap();
}

// ---- the rstest fixture, without the attribute ----

#[rstest]
fn the_memfs_fixture(memfs: MemFs) {
    assert_eq!(memfs.stats().quota, DEFAULT_TEST_QUOTA);
    memfs.write("/a", "x").unwrap();
}

#[rstest]
fn the_memfs_fixture_with_a_quota(#[with("100")] memfs: MemFs) {
    assert_eq!(memfs.stats().quota, 100);
    assert_eq!(
        memfs.write("/a", [0; 101]).unwrap_err().kind(),
        ErrorKind::StorageFull
    );
}

// ---- shapes found in review ----

#[derive(Debug)]
struct MyError;

impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("my error")
    }
}

impl std::error::Error for MyError {}

#[with_memfs]
#[test]
fn returns_coerce_as_in_the_function(fs: MemFs) -> Result<(), Box<dyn std::error::Error>> {
    if fs.exists("/nothing-here") {
        return Err(Box::new(MyError));
    }
    fs.write("/a", "x")?;
    Ok(())
}

#[with_memfs]
#[tokio::test]
async fn async_returns_coerce_too(fs: MemFs) -> Result<(), Box<dyn std::error::Error>> {
    if fs.exists("/nothing-here") {
        return Err(Box::new(MyError));
    }
    tokio::task::yield_now().await;
    Ok(())
}

mod support {
    pub(crate) use dmemfs_test as dt;
}

#[with_memfs(crate = "crate::harness_macro::support::dt")]
#[test]
fn crate_argument_accepts_a_path_inside_the_crate(fs: MemFs) {
    fs.write("/a", "x").unwrap();
}

#[with_memfs]
#[test]
#[allow(clippy::needless_lifetimes, single_use_lifetimes)]
fn a_named_lifetime_on_the_reference<'a>(fs: &'a MemFs) {
    fs.write("/a", "x").unwrap();
}

#[with_memfs]
#[cfg_attr(all(), test)]
fn a_test_attribute_inside_cfg_attr(fs: MemFs) {
    fs.write("/a", "x").unwrap();
}

// issue 14: code written against the `FileSystem` trait is tested through the trait.
mod trait_parameters {
    use std::rc::Rc;
    use std::sync::Arc;

    use dmemfs_test::{FileSystem, MemFs, current, with_memfs};

    fn rotate(fs: &dyn FileSystem) -> std::io::Result<()> {
        fs.rename("/app.log", "/app.log.1")
    }

    #[with_memfs(quota = "1K")]
    #[test]
    fn dyn_reference(fs: &dyn FileSystem) -> std::io::Result<()> {
        fs.write("/app.log", b"line\n")?;
        rotate(fs)?;
        assert_eq!(current().read("/app.log.1")?, b"line\n");
        assert_eq!(current().stats().quota, 1024);
        Ok(())
    }

    #[with_memfs]
    #[test]
    fn dyn_reference_with_auto_traits(fs: &'static (dyn FileSystem + Send + Sync)) {
        fs.write("/a", b"x").unwrap();
        assert!(current().exists("/a"));
    }

    #[with_memfs]
    #[test]
    fn impl_trait(fs: impl FileSystem) {
        fs.write("/a", b"x").unwrap();
        assert!(current().exists("/a"));
    }

    #[with_memfs]
    #[test]
    fn impl_trait_reference(fs: &impl FileSystem) {
        fs.write("/a", b"x").unwrap();
        assert!(current().exists("/a"));
    }

    #[with_memfs]
    #[test]
    fn arc_of_dyn(fs: Arc<dyn FileSystem>) {
        fs.write("/a", b"x").unwrap();
        assert!(current().exists("/a"));
    }

    #[with_memfs]
    #[test]
    fn box_of_dyn(fs: Box<dyn dmemfs_test::FileSystem>) {
        fs.write("/a", b"x").unwrap();
        assert!(current().exists("/a"));
    }

    #[with_memfs]
    #[test]
    fn rc_of_memfs(fs: Rc<MemFs>) {
        fs.write("/a", "x").unwrap();
        assert!(current().exists("/a"));
    }

    #[with_memfs]
    #[rstest::rstest]
    #[case(1)]
    #[case(2)]
    fn dyn_reference_with_rstest(fs: &dyn FileSystem, #[case] n: usize) {
        fs.write("/n", n.to_string().as_bytes()).unwrap();
        assert_eq!(current().read_to_string("/n").unwrap(), n.to_string());
    }
}
