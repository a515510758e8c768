//! Arbitrary strings as paths and patterns: every call gives a result (never a panic), keeps
//! the accounting exact, and a failed call changes nothing.

#![no_main]

use dmemfs_core::MemFs;
use libfuzzer_sys::fuzz_target;

#[path = "check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('|').unwrap_or((text, "/b"));
    let fs = MemFs::builder().quota(4096).max_nodes(64).build().unwrap();
    fs.create_dir_all("/d/e").unwrap();
    fs.write("/d/f", "contents").unwrap();
    let _ = (fs.exists(a), fs.is_file(a), fs.is_dir(a));
    let calls: [&dyn Fn() -> bool; 14] = [
        &|| fs.metadata(a).is_ok(),
        &|| fs.create_dir_all(a).is_ok(),
        &|| fs.create_dir(a).is_ok(),
        &|| fs.write(a, b).is_ok(),
        &|| fs.append(a, b).is_ok(),
        &|| fs.read(a).is_ok(),
        &|| fs.read_dir(a).is_ok(),
        &|| fs.glob(a).is_ok(),
        &|| fs.walk(a).is_ok(),
        &|| fs.rename(a, b).is_ok(),
        &|| fs.move_path(a, b).is_ok(),
        &|| fs.copy(a, b).is_ok(),
        &|| fs.import_tree([(a, b)]).is_ok(),
        &|| fs.remove_dir_all(a).is_ok() | fs.remove_file(b).is_ok(),
    ];
    for call in calls {
        let before = check::state(&fs);
        if !call() {
            assert_eq!(check::state(&fs), before, "a failed call changed the filesystem");
        }
        check::assert_invariants(&fs, None);
    }
});
