//! The `#[with_memfs]` attribute. Use it through `dmemfs-test`, which re-exports it along with
//! the runtime support the generated code needs.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
// Every dependency is used (the library itself; tests and examples have their own).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]
// The examples show `#[test]` functions as users write them; doctests check that they compile,
// and the workspace's e2e suite runs them.
#![allow(clippy::test_attr_in_doctest)]

mod args;
mod attrs;
mod checked;
mod expand;
mod item;
mod params;
mod validate;

use proc_macro::TokenStream;

/// Gives a test its own in-memory filesystem.
///
/// ```
/// use dmemfs_test::{MemFs, with_memfs};
///
/// #[with_memfs(quota = "32M")]
/// #[test]
/// fn writes_report(fs: MemFs) -> std::io::Result<()> {
///     fs.create_dir_all("/out")?;
///     fs.write("/out/report.csv", "region,total\n")?;
///     assert_eq!(fs.read_dir("/out")?.count(), 1);
///     Ok(())
/// }
/// ```
///
/// The test names a parameter of type `MemFs` or `&MemFs` (any name); the attribute removes it
/// from the signature and passes a fresh filesystem, built from the arguments below, seeded,
/// and dropped when the test ends. To test code written against the
/// `FileSystem` trait, the parameter may
/// also be `&dyn FileSystem` (with `+ Send + Sync` if you like), `impl FileSystem`, or an
/// `Arc`, `Box` or `Rc` of `MemFs` or `dyn FileSystem`:
///
/// ```
/// use dmemfs_test::{FileSystem, with_memfs};
///
/// fn rotate(fs: &dyn FileSystem) -> std::io::Result<()> {
///     fs.rename("/app.log", "/app.log.1")
/// }
///
/// #[with_memfs]
/// #[test]
/// fn rotates(fs: &dyn FileSystem) -> std::io::Result<()> {
///     fs.write("/app.log", b"line\n")?;
///     rotate(fs)?;
///     assert!(fs.exists("/app.log.1"));
///     Ok(())
/// }
/// ```
///
/// Under a test attribute that supplies no arguments (see [Test attributes](#test-attributes)),
/// any other parameter is an error at that parameter; under `#[rstest]` and the other
/// attributes that supply arguments, the other parameters are theirs. Without such a parameter
/// the filesystem is still there: `dmemfs_test::current()` returns it anywhere in the test's
/// body (on its thread, or its task for an async test).
///
/// # Arguments
/// All optional:
///
/// | argument | value | default |
/// |---|---|---|
/// | `quota` | a size: `32M`, `1.5GiB`, `512K`, `10MB` (quoted or not), or an integer number of bytes | `64M` |
/// | `max_nodes` | an integer, at least 1 (the root is a node) | unlimited |
/// | `lock_timeout` | `100ms`, `2s`, `1m 30s`, ... (quoted or not; units `ns`, `us`, `ms`, `s`, `m`, `h`, `d`, `w`, `M`, `y`, or spelled out: `sec`, `min`, `hours`, ...; fractions such as `1.5s`, as humantime reads them), or `"none"` to wait without limit | `2s` |
/// | `mount` | mount the filesystem through FUSE for `std::fs` code and child processes; `dmemfs_test::mount_dir()` gives its host path; skipped with the reason printed where FUSE is unavailable, failed instead with `DMEMFS_REQUIRE_FUSE=1`; needs `dmemfs-test`'s `mount` feature; implies `semantics = "posix"` unless set; `mount = "pinned"` also keeps the test (and the programs it starts) and the server on one CPU, which avoids slow cross-CPU wake-ups on an idle machine | off |
/// | `semantics` | `"posix"` (open files shared, renamed and removed as on Linux) or `"locked"` (D-MemFS's handle locks); see `dmemfs_core::Semantics` | `"locked"` |
/// | `memory_guard` | `"off"`, `"init"`, `"per_write"`, `"per_write(500ms)"`, each optionally followed by `", error"` (default action: warn) | `"off"` |
/// | `seed` | a host directory, relative to the crate's manifest, imported at `/` before the body runs | none |
/// | `dump` | `false`, `true`, or a directory for failed tests' trees (relative to the manifest) | `true`, into `target/dmemfs-failures` |
/// | `crate` | the path of `dmemfs_test` if the dependency was renamed | `"dmemfs_test"` |
///
/// Unquoted sizes and durations take the same units as the strings: `quota = 32M` is 32 MiB,
/// `lock_timeout = 100ms` is 100 milliseconds; a bare integer quota is bytes, and a bare
/// integer timeout is an error (it has no unit).
///
/// Arguments are checked at compile time, each error pointing at the offending token: an
/// unknown or repeated key, a value of the wrong type, `max_nodes = 0` or a missing seed
/// directory are reported by the attribute itself; a malformed size or duration
/// (`quota = "32Q"`, `quota = 32Q`, `lock_timeout = "soon"`) or a zero quota with a seed by a
/// constant the attribute emits at the literal, which reads it with dmemfs-core's parsers
/// (`parse_size` for sizes) and fails to evaluate with a message such as
/// ``quota `32Q`: unknown unit `Q` (use K, M, G, T ...)``. On any error the function is
/// still emitted as written, less its test attribute, so the errors are the attribute's only.
///
/// The lock timeout defaults to 2 seconds inside tests (the library default is 30), so a test
/// that deadlocks on its own files fails quickly instead of hanging.
///
/// # When the test fails
/// If the test panics or returns `Err`, its whole tree is written to
/// `target/dmemfs-failures/<package>/<crate>/<module>.<path>.<test name>/` and the path is
/// printed with the test's output, along with the error in its `Display` form when it has one
/// (``dmemfs: the test returned Err(read `/logs/a.gz`: no such file or directory); ...``; the
/// test harness's own `Error:` line below it is always `Debug`). Nothing is written when it passes (a stale dump of the same test is
/// removed). Turn it off per test with `dump = false`, or for a whole run with the
/// environment variable `DMEMFS_DUMP=off`; `DMEMFS_DUMP=<dir>` sends every dump under `<dir>`.
/// Tests marked `#[should_panic]` do not dump unless `dump` is given.
///
/// # Attribute order
/// `#[with_memfs]` must come first, above the test attribute, so it runs before it:
///
/// ```
/// # use dmemfs_test::{MemFs, with_memfs};
/// #[with_memfs(quota = "1M")]
/// #[test]
/// fn plain(fs: MemFs) {
///     fs.write("/a", "x").unwrap();
/// }
/// ```
///
/// It composes with `#[rstest]` (cases, values and fixtures are left to rstest; each case gets
/// its own filesystem), with `#[tokio::test]` and other async test attributes (the body runs as
/// a future with the filesystem bound to its task), and with tests returning `Result`. A
/// function without a test attribute gets `#[test]`; an `async fn` without one is an error,
/// since its runtime cannot be guessed.
///
/// # Test attributes
/// The test attribute is recognised by its path, from two lists (a path may start with `::`,
/// and may be applied through `cfg_attr`):
///
/// - taking no arguments: `test` (also as `core::prelude::v1::test`, `std::prelude::v1::test`
///   or a `rust_20xx` prelude's), `tokio::test`, `async_std::test`, `test_log::test`;
/// - supplying arguments: `rstest`, `rstest::rstest`, `test_case`, `test_case::test_case`,
///   `test_matrix`, `test_case::test_matrix`, `proptest` and `test_strategy::proptest`,
///   `property_test` and `proptest::property_test`, `quickcheck` and
///   `quickcheck_macros::quickcheck`.
///
/// Nothing is guessed from a name: any other attribute is left alone and does not count as a
/// test attribute, so a function with none of these gets `#[test]` added. Name the attribute
/// by one of these paths (`#[tokio::test]` rather than a `use`d `#[test]` from elsewhere).
///
/// Placed below the test attribute, it runs too late. Below `#[rstest]`, rstest takes the
/// `MemFs` parameter for a fixture; `#[with_memfs]` recognises that and fails with `must come
/// before #[rstest]`. Below `#[test]`, rustc itself refuses the parameter first (`functions
/// used as tests can not have any arguments`): move `#[with_memfs]` to the top.
///
/// # Equivalent code not using `#[with_memfs]`
/// ```
/// use dmemfs_test::{DumpOnFailure, MemFs};
/// use std::time::Duration;
///
/// fn writes_report() -> std::io::Result<()> {
///     let fs = MemFs::builder()
///         .quota(32 << 20)
///         .lock_timeout(Some(Duration::from_secs(2)))
///         .build()?;
///     // With `seed = "tests/fixtures/tree"`:
///     // fs.import_from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tree"), "/")?;
///     let dump = DumpOnFailure::new(&fs, module_path!(), "writes_report");
///     let _bound = dmemfs_test::bind(&fs); // what dmemfs_test::current() returns
///     let result = (|| {
///         fs.create_dir_all("/out")?;
///         fs.write("/out/report.csv", "region,total\n")?;
///         Ok(())
///     })();
///     dump.finish(result) // on Err (or a panic), the tree goes to target/dmemfs-failures/
/// }
/// # writes_report().unwrap();
/// ```
#[proc_macro_attribute]
pub fn with_memfs(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let (config, mut errors) = match syn::parse::<args::Args>(args) {
        Ok(parsed) => validate::validate(parsed),
        Err(error) => (
            validate::Config::default(),
            validate::Errors::default().with(error),
        ),
    };
    let function = match syn::parse2::<item::TestFn>(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            errors.push(error);
            return expand::fallback(None, item, &config, errors.finish()).into();
        }
    };
    // The function is checked even when the arguments are wrong, so that every error is
    // reported at once; any error leaves the function as written (see `expand::fallback`).
    let failed = match expand::expand(&config, &function) {
        Ok(expanded) if errors.is_empty() => return expanded.into(),
        Ok(_) => function,
        Err(failed) => {
            errors.push(failed.error);
            failed.function
        }
    };
    expand::fallback(Some(failed), item, &config, errors.finish()).into()
}
