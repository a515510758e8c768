use dmemfs_test::with_memfs;

#[with_memfs]
struct NotATest;

fn main() {}
