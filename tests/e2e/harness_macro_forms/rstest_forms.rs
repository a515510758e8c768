// #[with_memfs] above #[rstest]: cases, values and fixtures are left to rstest.
use dmemfs_test::{MemFs, with_memfs};
use rstest::{fixture, rstest};

#[fixture]
fn name() -> String {
    "n".into()
}

#[with_memfs(quota = "1M")]
#[rstest]
#[case(1)]
#[case::named(2)]
fn cases(fs: MemFs, #[case] n: u8) {
    fs.write("/n", [n]).unwrap();
}

#[with_memfs]
#[rstest]
fn values(#[values(1, 2)] n: u8, fs: &MemFs) {
    fs.write("/n", [n]).unwrap();
}

#[with_memfs]
#[rstest]
fn fixtures(name: String, fs: MemFs) {
    fs.write(format!("/{name}"), "").unwrap();
}
