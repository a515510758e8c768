//! Many threads, overlapping paths, every kind of operation, with parking_lot's deadlock
//! detector watching: no panic, no deadlock, only documented error kinds, the quota never
//! exceeded at any instant, and the accounting exact at the end.

use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use dmemfs_core::{MemFile, MemFs, Semantics};

use crate::common::assert_invariants;

const THREADS: usize = 16;
const ROUNDS: usize = 600;
const QUOTA: u64 = 256 * 1024;

/// A xorshift generator: deterministic per thread, no dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn path(&mut self) -> String {
        let dirs = ["/x", "/y", "/x/z"];
        format!("{}/f{}", dirs[self.below(3) as usize], self.below(5))
    }
}

fn one_operation(fs: &MemFs, rng: &mut Rng, me: usize) -> std::io::Result<()> {
    let (a, b) = (rng.path(), rng.path());
    match rng.below(16) {
        0 => fs.write(&a, vec![me as u8; rng.below(6000) as usize]),
        1 => fs.append(&a, [me as u8; 17]),
        2 => fs.read(&a).map(drop),
        3 => fs.remove_file(&a),
        4 => fs.rename(&a, &b),
        5 => fs.copy(&a, &b).map(drop),
        6 => fs.move_path(&a, format!("/moved/{me}/{}", rng.below(3))),
        7 => fs.create_dir_all(["/x", "/y", "/x/z", "/moved"][rng.below(4) as usize]),
        8 => fs.remove_dir_all(["/y", "/moved", "/x/z"][rng.below(3) as usize]),
        9 => fs.walk("/").map(|walk| walk.for_each(drop)),
        10 => fs.glob("/**/f*").map(drop),
        11 => fs.export_tree("/x").map(drop),
        12 => fs.import_tree([(a.clone(), vec![1u8; 100])]),
        13 => {
            let mut file = fs.options().read(true).write(true).create(true).open(&a)?;
            file.seek(SeekFrom::Start(rng.below(3000)))?;
            file.write_all(&[me as u8; 500])?;
            file.set_len(rng.below(4000))?;
            let mut buf = Vec::new();
            file.rewind()?;
            file.read_to_end(&mut buf)?;
            Ok(())
        }
        14 => fs
            .copy_dir_all("/x", format!("/copies/{me}"))
            .and_then(|()| fs.remove_dir_all(format!("/copies/{me}"))),
        _ => fs.metadata(&a).map(drop),
    }
}

#[test]
fn many_threads_mixed_operations_under_deadlock_detection() {
    let fs = MemFs::builder()
        .quota(QUOTA)
        .lock_timeout(Some(Duration::from_millis(100)))
        .build()
        .unwrap();
    fs.create_dir_all("/x/z").unwrap();
    fs.create_dir_all("/y").unwrap();
    fs.create_dir_all("/copies").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let over_quota = Arc::new(AtomicU64::new(0));

    // Deadlock detector: parking_lot's graph of waiting threads, checked every 50 ms.
    let detector = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            while !stop.load(SeqCst) {
                thread::sleep(Duration::from_millis(50));
                let deadlocks = parking_lot::deadlock::check_deadlock();
                assert!(
                    deadlocks.is_empty(),
                    "deadlock detected: {} cycles",
                    deadlocks.len()
                );
            }
        })
    };
    // Quota watcher: `used` never exceeds the quota nor the peak, at any instant.
    let watcher = {
        let (stop, over, fs) = (Arc::clone(&stop), Arc::clone(&over_quota), fs.clone());
        thread::spawn(move || {
            while !stop.load(SeqCst) {
                let stats = fs.stats();
                // The peak is never below `used` either, in any one reading.
                if stats.used > stats.quota
                    || stats.peak_used > stats.quota
                    || stats.peak_used < stats.used
                {
                    over.fetch_add(1, SeqCst);
                }
            }
        })
    };

    let barrier = Arc::new(Barrier::new(THREADS));
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|me| {
            let (fs, barrier) = (fs.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(me as u64 + 1) | 1);
                barrier.wait();
                for _ in 0..ROUNDS {
                    if let Err(err) = one_operation(&fs, &mut rng, me) {
                        assert!(
                            crate::common::RACE_ERROR_KINDS.contains(&err.kind()),
                            "thread {me}: unexpected error {err}"
                        );
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker panicked");
    }
    // A hang would never get here; this bound only turns a very slow run into a clear failure.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "stress run took {:?}",
        started.elapsed()
    );
    stop.store(true, SeqCst);
    detector.join().expect("the deadlock detector fired");
    watcher.join().unwrap();
    assert_eq!(
        over_quota.load(SeqCst),
        0,
        "used exceeded the quota, or the peak was below used, at some instant"
    );
    assert_eq!(fs.stats().open_handles, 0);
    assert_invariants(&fs);
}

// ---- POSIX mode: open files renamed, replaced and removed under their handles ----

const POSIX_THREADS: usize = 16;
const POSIX_ROUNDS: usize = 2000;
const POSIX_QUOTA: u64 = 64 * 1024;
/// The workers stop after this long even if their rounds are not done.
const POSIX_BUDGET: Duration = Duration::from_secs(5);
/// Handles each thread keeps open at most.
const HELD: usize = 4;

/// What a POSIX-mode worker may meet: a path changed under it, the quota taken first, or a
/// copy between two names of one file. Never a lock (`WouldBlock`, `ResourceBusy`).
const POSIX_RACE_KINDS: [ErrorKind; 4] = [
    ErrorKind::NotFound,
    ErrorKind::AlreadyExists,
    ErrorKind::StorageFull,
    ErrorKind::InvalidInput,
];

/// Writes through handles whose file had no name left: the test must exercise orphans.
static ORPHAN_WRITES: AtomicU64 = AtomicU64::new(0);

impl Rng {
    fn posix_path(&mut self) -> String {
        format!("/{}/f{}", ["p", "q"][self.below(2) as usize], self.below(6))
    }
}

/// One step of a POSIX-mode worker: a path operation on the shared paths, or a call through
/// one of the handles it holds, whose files other threads rename, replace and unlink.
fn one_posix_operation(
    fs: &MemFs,
    rng: &mut Rng,
    me: usize,
    held: &mut Vec<MemFile>,
) -> std::io::Result<()> {
    let (a, b) = (rng.posix_path(), rng.posix_path());
    let pick = rng.below(held.len().max(1) as u64) as usize;
    let byte = me as u8;
    match rng.below(14) {
        0 | 1 => {
            if held.len() == HELD {
                held.swap_remove(pick);
            }
            let append = rng.below(4) == 0;
            let file = fs
                .options()
                .read(true)
                .write(!append)
                .append(append)
                .create(true)
                .truncate(!append && rng.below(3) == 0)
                .open(&a)?;
            held.push(file);
            Ok(())
        }
        2 | 3 => match held.get_mut(pick) {
            Some(file) => {
                if file.metadata()?.nlink() == 0 {
                    ORPHAN_WRITES.fetch_add(1, SeqCst);
                }
                if rng.below(2) == 0 {
                    file.write_all(&vec![byte; rng.below(3000) as usize])
                } else {
                    file.write_all_at(&[byte; 700], rng.below(5000))
                }
            }
            None => Ok(()),
        },
        4 => match held.get_mut(pick) {
            Some(file) => {
                let mut buf = Vec::new();
                file.seek(SeekFrom::Start(rng.below(2000)))?;
                file.read_to_end(&mut buf).map(drop)
            }
            None => Ok(()),
        },
        5 => match held.get(pick) {
            Some(file) => file.set_len(rng.below(6000)),
            None => Ok(()),
        },
        6 => {
            if !held.is_empty() {
                held.swap_remove(pick);
            }
            Ok(())
        }
        // Every handle's metadata stays readable, its file named or not.
        7 => held
            .get(pick)
            .map_or(Ok(()), |file| file.metadata().map(drop)),
        8 => fs.write(&a, vec![byte; rng.below(4000) as usize]),
        9 => fs.rename(&a, &b),
        10 => fs.remove_file(&a),
        11 => fs.hard_link(&a, &b),
        12 => fs.copy(&a, &b).map(drop),
        _ => fs.append(&a, [byte; 100]),
    }
}

/// The summed lengths of the distinct files (hard links counted once) the tree names.
fn named_bytes(fs: &MemFs) -> u64 {
    let mut lengths = std::collections::BTreeMap::new();
    for entry in fs.walk("/").unwrap() {
        let meta = entry.unwrap().metadata();
        if meta.is_file() {
            lengths.insert(meta.ino(), meta.len());
        }
    }
    lengths.values().sum()
}

#[test]
fn posix_handles_survive_renames_replacements_and_unlinks_and_the_quota_holds() {
    let fs = MemFs::builder()
        .quota(POSIX_QUOTA)
        .semantics(Semantics::Posix)
        .build()
        .unwrap();
    fs.create_dir("/p").unwrap();
    fs.create_dir("/q").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    // Quota watcher: `used` (orphans included) never exceeds the quota, at any observation.
    let watcher = {
        let (stop, fs) = (Arc::clone(&stop), fs.clone());
        thread::spawn(move || {
            let (mut observations, mut over) = (0u64, 0u64);
            while !stop.load(SeqCst) {
                let stats = fs.stats();
                observations += 1;
                over += u64::from(
                    stats.used > stats.quota
                        || stats.peak_used > stats.quota
                        || stats.peak_used < stats.used,
                );
            }
            (observations, over)
        })
    };
    let barrier = Arc::new(Barrier::new(POSIX_THREADS));
    let started = Instant::now();
    let workers: Vec<_> = (0..POSIX_THREADS)
        .map(|me| {
            let (fs, barrier) = (fs.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                let mut rng = Rng(0xD1B5_4A32_D192_ED03_u64.wrapping_mul(me as u64 + 1) | 1);
                let mut held = Vec::new();
                barrier.wait();
                for _ in 0..POSIX_ROUNDS {
                    // Bounded in time on a slow machine, whatever the rounds.
                    if started.elapsed() > POSIX_BUDGET {
                        break;
                    }
                    if let Err(err) = one_posix_operation(&fs, &mut rng, me, &mut held) {
                        assert!(
                            POSIX_RACE_KINDS.contains(&err.kind()),
                            "thread {me}: unexpected error {err}"
                        );
                    }
                }
                // The handles drop here, after other threads may have unlinked their files.
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker panicked");
    }
    let elapsed = started.elapsed();
    stop.store(true, SeqCst);
    let (observations, over) = watcher.join().unwrap();
    assert!(observations > 0);
    assert_eq!(
        over, 0,
        "used exceeded the quota or the peak at {over} of {observations} observations"
    );
    assert!(
        elapsed < POSIX_BUDGET + Duration::from_secs(5),
        "stress run took {elapsed:?}"
    );
    assert!(
        ORPHAN_WRITES.load(SeqCst) > 0,
        "no write reached an unlinked file"
    );

    // Every handle is gone: orphans gave their bytes back, exactly.
    let stats = fs.stats();
    assert_eq!(stats.open_handles, 0);
    assert_eq!(stats.used, named_bytes(&fs));
    let files: Vec<String> = fs
        .walk("/")
        .unwrap()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| entry.path().to_owned())
        .collect();
    for file in files {
        fs.remove_file(file).unwrap();
    }
    let stats = fs.stats();
    assert_eq!((stats.used, stats.files, stats.dirs), (0, 0, 3));
}

// ---- stats() read while handles move between threads and files grow and shrink ----

const HANDOFF_ROUNDS: usize = 50_000;
const APPEND_ROUNDS: usize = 20_000;

/// Every `stats()` reading is consistent, at every instant: a handle open throughout is
/// counted (`open_handles >= 1`) while other handles are opened on one thread and dropped on
/// another, as tokio tasks do; and `peak_used >= used` while other threads append and
/// truncate.
#[test]
fn stats_are_consistent_at_every_instant() {
    let fs = MemFs::with_quota(1 << 20);
    fs.write("/shared", "x").unwrap();
    let held = fs.open("/shared").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, fs) = (Arc::clone(&stop), fs.clone());
        thread::spawn(move || {
            let (mut observations, mut no_handles, mut low_peak) = (0u64, 0u64, 0u64);
            while !stop.load(SeqCst) {
                let stats = fs.stats();
                observations += 1;
                no_handles += u64::from(stats.open_handles == 0);
                low_peak += u64::from(stats.peak_used < stats.used);
            }
            (observations, no_handles, low_peak)
        })
    };
    let (send, receive) = std::sync::mpsc::sync_channel::<MemFile>(64);
    let dropper = thread::spawn(move || receive.into_iter().for_each(drop));
    let openers: Vec<_> = (0..2)
        .map(|_| {
            let (fs, send) = (fs.clone(), send.clone());
            thread::spawn(move || {
                for _ in 0..HANDOFF_ROUNDS {
                    send.send(fs.open("/shared").unwrap()).unwrap();
                }
            })
        })
        .collect();
    drop(send);
    let appenders: Vec<_> = (0..2)
        .map(|me| {
            let fs = fs.clone();
            thread::spawn(move || {
                let path = format!("/grow{me}");
                for round in 0..APPEND_ROUNDS {
                    if round % 64 == 0 {
                        fs.write(&path, "").unwrap();
                    }
                    fs.append(&path, [me as u8; 100]).unwrap();
                }
            })
        })
        .collect();
    for worker in openers.into_iter().chain(appenders) {
        worker.join().expect("a worker panicked");
    }
    dropper.join().unwrap();
    stop.store(true, SeqCst);
    let (observations, no_handles, low_peak) = watcher.join().unwrap();
    assert!(observations > 0);
    assert_eq!(
        (no_handles, low_peak),
        (0, 0),
        "of {observations} readings: open_handles 0 with a handle open, peak_used below used"
    );
    drop(held);
    assert_eq!(fs.stats().open_handles, 0);
}
