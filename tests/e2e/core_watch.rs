//! `MemFs::watch_names`: watchers hear of every name that stops naming its node, after the
//! change and outside the filesystem's locks, and of nothing else.

use std::sync::{Arc, Mutex};

use dmemfs_core::{MemFs, watch::NameWatcher};

#[derive(Default)]
struct Heard(Mutex<Vec<(u64, String)>>);

impl NameWatcher for Heard {
    fn name_gone(&self, parent_ino: u64, name: &str) {
        self.0.lock().unwrap().push((parent_ino, name.to_owned()));
    }
}

fn watched(fs: &MemFs) -> (Arc<Heard>, Arc<dyn NameWatcher>) {
    let heard = Arc::new(Heard::default());
    let watcher: Arc<dyn NameWatcher> = heard.clone();
    fs.watch_names(&watcher);
    (heard, watcher)
}

fn take(heard: &Heard) -> Vec<(u64, String)> {
    std::mem::take(&mut *heard.0.lock().unwrap())
}

#[test]
fn removals_renames_and_replacements_are_told_and_creations_are_not() {
    let fs = MemFs::new();
    let (heard, _watcher) = watched(&fs);
    fs.create_dir_all("/d/e").unwrap();
    fs.write("/d/e/f", "x").unwrap();
    fs.write("/g", "y").unwrap();
    fs.hard_link("/g", "/h").unwrap();
    assert!(take(&heard).is_empty(), "nothing went");
    let d = fs.metadata("/d").unwrap().ino();
    fs.rename("/g", "/d/f2").unwrap();
    assert_eq!(take(&heard), [(1, "g".to_owned())]);
    // Two names of one file: renaming one onto the other does nothing, as rename(2).
    fs.rename("/h", "/d/f2").unwrap();
    assert!(take(&heard).is_empty());
    fs.write("/i", "z").unwrap();
    fs.rename("/i", "/d/f2").unwrap();
    assert_eq!(take(&heard), [(d, "f2".to_owned()), (1, "i".to_owned())]);
    fs.import_tree([("/d/f2", "new")]).unwrap();
    assert_eq!(
        take(&heard),
        [(d, "f2".to_owned())],
        "replaced by another node"
    );
    fs.remove_dir_all("/d").unwrap();
    assert_eq!(
        take(&heard),
        [(1, "d".to_owned())],
        "the top of a removed tree"
    );
    // A failed operation changes nothing and tells nothing.
    assert!(fs.remove_file("/nope").is_err());
    assert!(take(&heard).is_empty());
}

#[test]
fn the_watcher_may_call_back_and_a_dropped_one_hears_nothing() {
    struct Reader(MemFs, Mutex<Vec<bool>>);
    impl NameWatcher for Reader {
        fn name_gone(&self, _: u64, name: &str) {
            // No lock of the filesystem is held: calling back works.
            let gone = !self.0.exists(format!("/{name}"));
            self.1.lock().unwrap().push(gone);
        }
    }
    let fs = MemFs::new();
    let reader = Arc::new(Reader(fs.clone(), Mutex::new(Vec::new())));
    let watcher: Arc<dyn NameWatcher> = reader.clone();
    fs.watch_names(&watcher);
    fs.write("/a", "x").unwrap();
    fs.remove_file("/a").unwrap();
    assert_eq!(*reader.1.lock().unwrap(), [true], "told after the change");
    drop(watcher);
    drop(reader);
    fs.write("/b", "x").unwrap();
    fs.remove_file("/b").unwrap(); // nobody left to tell, nothing breaks
}

#[test]
fn a_panicking_watcher_does_not_undo_or_break_the_change() {
    struct Panics;
    impl NameWatcher for Panics {
        fn name_gone(&self, _: u64, _: &str) {
            panic!("a broken watcher");
        }
    }
    let fs = MemFs::new();
    let watcher: Arc<dyn NameWatcher> = Arc::new(Panics);
    fs.watch_names(&watcher);
    fs.write("/a", "x").unwrap();
    fs.remove_file("/a").unwrap();
    assert!(!fs.exists("/a"));
    fs.write("/a", "y").unwrap();
    assert_eq!(fs.read_to_string("/a").unwrap(), "y");
}
