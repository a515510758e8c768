// The generated code names everything by absolute path, so local items that shadow the
// prelude or common names do not break it.
#![allow(dead_code, non_camel_case_types)]

type Option = ();
type Result = ();
type Box = ();
type String = ();
struct Duration;
struct Session;
struct Config;
mod core {}
mod dmemfs_test {}

#[::dmemfs_test::with_memfs(quota = "1M", lock_timeout = "1s", memory_guard = "per_write")]
#[test]
fn shadowed(fs: ::dmemfs_test::MemFs) {
    let _ = fs;
}
