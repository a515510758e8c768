// `crate = "..."` for a dependency renamed in Cargo.toml (simulated with `extern crate`).
extern crate dmemfs_test as testfs;

#[testfs::with_memfs(crate = "testfs")]
#[test]
fn renamed(fs: testfs::MemFs) {
    fs.write("/a", "x").unwrap();
}

fn main() {}
