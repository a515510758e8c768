// Sizes and durations are read by dmemfs-core's parsers in a constant evaluated at compile
// time: each error names the argument, says what is wrong, and points at the literal.
use dmemfs_test::with_memfs;

#[with_memfs(quota = "12 parsecs", lock_timeout = "1h 5x", memory_guard = "per_write(soon)")]
#[test]
fn every_checked_value(fs: dmemfs_test::MemFs) {}

#[with_memfs(quota = 99999999999T)]
#[test]
fn too_large(fs: dmemfs_test::MemFs) {}

fn main() {}
