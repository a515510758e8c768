// Below #[rstest], the attribute runs too late: rstest has already taken the `MemFs`
// parameter for a fixture. The error says which way round they go.
use rstest::rstest;

#[rstest]
#[dmemfs_test::with_memfs]
fn wrong_order(fs: dmemfs_test::MemFs) {
    let _ = fs;
}

fn main() {}
