// A `&MemFs` parameter, with any name and a pattern.
use dmemfs_test::{MemFs, with_memfs};

#[with_memfs]
#[test]
fn borrowed(mut_name_is_fine: &MemFs) {
    mut_name_is_fine.create_dir("/d").unwrap();
}

#[with_memfs]
#[test]
fn qualified_type(_fs: dmemfs_test::MemFs) {}
