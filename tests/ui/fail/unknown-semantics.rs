use dmemfs_test::with_memfs;

#[with_memfs(semantics = "linux")]
fn named(fs: &dmemfs_test::MemFs) {
    let _ = fs;
}

#[with_memfs(semantics = true)]
fn not_a_string() {}

fn main() {}
