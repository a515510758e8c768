// With a bad argument, the function is still emitted as written (less its test attribute),
// so the only errors are the attribute's: callers still find it, and its body is still
// type-checked as the user wrote it.
use dmemfs_test::with_memfs;

#[with_memfs(quota = true)]
#[test]
fn bad_argument(fs: dmemfs_test::MemFs) -> std::io::Result<()> {
    fs.write("/a", "x")
}

fn uses_it() {
    let _ = bad_argument(dmemfs_test::MemFs::new());
}

fn main() {
    uses_it();
}
