// issue 14: a parameter #[with_memfs] cannot supply is an error at that parameter, naming
// the types it does supply (rustc's "functions used as tests can not have any arguments"
// pointed at the attribute).
use dmemfs_test::{MemFile, with_memfs};

#[with_memfs]
#[test]
fn a_file_handle(fs: MemFile) {}

#[with_memfs]
#[tokio::test]
async fn extra_parameter(fs: &dyn dmemfs_test::FileSystem, name: &str) {}

#[with_memfs]
fn mutable_dyn(fs: &mut dyn dmemfs_test::FileSystem) {}

fn main() {}
