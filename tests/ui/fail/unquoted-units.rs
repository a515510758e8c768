// issue 14: an unquoted size or duration means its unit, and an unknown unit is an error on
// the literal (`quota = 32M` once compiled to a 32-byte quota).
use dmemfs_test::with_memfs;

#[with_memfs(quota = 32Q)]
#[test]
fn unknown_size_unit(fs: dmemfs_test::MemFs) {}

#[with_memfs(quota = 0.3K)]
#[test]
fn not_whole_bytes(fs: dmemfs_test::MemFs) {}

#[with_memfs(quota = 2.5f64)]
#[test]
fn float_type_suffix(fs: dmemfs_test::MemFs) {}

#[with_memfs(max_nodes = 10K)]
#[test]
fn count_with_a_unit(fs: dmemfs_test::MemFs) {}

#[with_memfs(lock_timeout = 100parsecs)]
#[test]
fn unknown_duration_unit(fs: dmemfs_test::MemFs) {}

#[with_memfs(lock_timeout = 100)]
#[test]
fn duration_without_unit(fs: dmemfs_test::MemFs) {}

fn main() {}
