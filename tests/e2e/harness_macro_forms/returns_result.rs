// Tests returning `Result`, sync and async.
use dmemfs_test::{MemFs, with_memfs};

#[with_memfs]
#[test]
fn sync_result(fs: MemFs) -> std::io::Result<()> {
    fs.write("/a", "x")?;
    Ok(())
}

#[with_memfs]
#[tokio::test]
async fn async_result(fs: MemFs) -> Result<(), Box<dyn std::error::Error>> {
    fs.write("/a", "x")?;
    Ok(())
}
