use dmemfs_test::with_memfs;

#[with_memfs(mount = "yes")]
fn not_a_flag() {}

#[with_memfs(mount, mount)]
fn twice() {}

fn main() {}
