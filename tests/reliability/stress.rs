//! Many threads, overlapping paths, every kind of operation, with parking_lot's deadlock
//! detector watching: no panic, no deadlock, only documented error kinds, the quota never
//! exceeded at any instant, and the accounting exact at the end.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use dmemfs_core::MemFs;

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
    // Quota watcher: `used` never exceeds the quota, at any instant.
    let watcher = {
        let (stop, over, fs) = (Arc::clone(&stop), Arc::clone(&over_quota), fs.clone());
        thread::spawn(move || {
            while !stop.load(SeqCst) {
                let stats = fs.stats();
                if stats.used > stats.quota || stats.peak_used > stats.quota {
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
        "used exceeded the quota at some instant"
    );
    assert_eq!(fs.stats().open_handles, 0);
    assert_invariants(&fs);
}
