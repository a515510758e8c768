//! `zeroize_on_free`: no block of memory the filesystem frees may still hold file contents.
//!
//! A global allocator inspects every block as it is freed, looking for a marker written into
//! the files. With the option off, the marker turns up in freed memory (which proves the
//! detector works); with it on, it must never. Every scenario frees contents a different way:
//! removal, replacement, truncation, growth (reallocation), compaction, copy, rename, import,
//! dropping the filesystem, and chunks parked in the process-wide memory cache.
//!
//! This is the workspace's only `unsafe` code; CI runs this binary under valgrind's memcheck.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use dmemfs_core::MemFs;
use zeroize::Zeroizing;

/// Written into every file; distinctive enough never to occur by accident.
const MARKER: &[u8] = b"-----SECRET KEY MATERIAL 7f3a9c1e5b20d4-----";

static FREED_WITH_MARKER: AtomicUsize = AtomicUsize::new(0);

/// Zero-fills every allocation and counts freed byte buffers that still contain [`MARKER`].
///
/// Only blocks of alignment 1 are read: byte buffers (`Vec<u8>`, `String`), where file
/// contents live. Other blocks hold structs, whose padding bytes become uninitialised when a
/// value is written, and must not be read as bytes.
struct Inspecting;

// SAFETY: every method forwards to `System`, which upholds the `GlobalAlloc` contract for the
// same layouts. `realloc` is the trait's default (allocate, copy, free), so the old block
// also goes through `dealloc` and is inspected.
unsafe impl GlobalAlloc for Inspecting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; zeroed so that `dealloc` reads initialised bytes.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() == 1 && layout.size() >= MARKER.len() {
            // SAFETY: `ptr` was returned by `alloc` for `layout` and is not freed yet, so it
            // is valid for reads of `layout.size()` bytes. A block of alignment 1 holds `u8`s
            // (a type of alignment 1 has no padding): `alloc` zeroed them and safe code only
            // ever overwrites them with initialised bytes.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(MARKER.len()).any(|w| w == MARKER) {
                FREED_WITH_MARKER.fetch_add(1, SeqCst);
            }
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Inspecting = Inspecting;

/// File contents holding the marker; the test's own copies are wiped on drop, so only the
/// filesystem's memory can show it.
fn secret(len: usize) -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(len));
    while bytes.len() + MARKER.len() <= len {
        bytes.extend_from_slice(MARKER);
    }
    bytes.resize(len, b'.');
    bytes
}

type Scenario = fn(&MemFs);

const SCENARIOS: &[(&str, Scenario)] = &[
    ("remove_file", |fs| {
        fs.write("/a", &*secret(5000)).unwrap();
        fs.remove_file("/a").unwrap();
    }),
    ("write over", |fs| {
        fs.write("/a", &*secret(5000)).unwrap();
        fs.write("/a", "public").unwrap();
    }),
    ("set_len cuts it off", |fs| {
        let contents = Zeroizing::new([b"public:".as_slice(), &*secret(100_000)].concat());
        fs.write("/a", &*contents).unwrap();
        fs.options()
            .write(true)
            .open("/a")
            .unwrap()
            .set_len(7)
            .unwrap();
    }),
    ("truncating open", |fs| {
        fs.write("/a", &*secret(3000)).unwrap();
        drop(fs.create("/a").unwrap());
    }),
    ("growth by small writes (reallocation)", |fs| {
        let chunk = secret(MARKER.len());
        let mut file = fs.create("/grow").unwrap();
        for _ in 0..2000 {
            file.write_all(&chunk).unwrap();
        }
        drop(file); // compaction
        fs.remove_file("/grow").unwrap();
    }),
    ("appends", |fs| {
        for _ in 0..300 {
            fs.append("/log", &*secret(MARKER.len())).unwrap();
        }
        fs.remove_file("/log").unwrap();
    }),
    ("copy onto a file, then remove both", |fs| {
        fs.write("/src", &*secret(4000)).unwrap();
        fs.write("/dst", &*secret(9000)).unwrap();
        fs.copy("/src", "/dst").unwrap();
        fs.remove_file("/src").unwrap();
        fs.remove_file("/dst").unwrap();
    }),
    ("rename onto a file", |fs| {
        fs.write("/new", "public").unwrap();
        fs.write("/old", &*secret(4000)).unwrap();
        fs.rename("/new", "/old").unwrap();
    }),
    ("remove_dir_all", |fs| {
        fs.create_dir_all("/d/e").unwrap();
        fs.write("/d/e/f", &*secret(70_000)).unwrap();
        fs.remove_dir_all("/d").unwrap();
    }),
    ("import over a file, and a failed import", |fs| {
        fs.write("/i", &*secret(2000)).unwrap();
        fs.import_tree([("/i", b"public".to_vec())]).unwrap();
        let ok = secret(2000);
        let failed = fs.import_tree([("/ok", &ok[..]), ("/i/under-a-file", &b"x"[..])]);
        assert!(failed.is_err());
    }),
    ("dropping the filesystem", |fs| {
        fs.write("/kept", &*secret(10_000)).unwrap();
    }),
    // Whole 64 KiB chunks go to the process-wide memory cache, not straight back to the
    // allocator; `run` trims the cache after each scenario, so they are inspected too.
    ("large file through the memory cache", |fs| {
        fs.write("/large", &*secret(300_000)).unwrap();
        fs.remove_file("/large").unwrap();
        fs.write("/kept-large", &*secret(200_000)).unwrap();
    }),
];

fn run(zeroize: bool) -> Vec<(&'static str, usize)> {
    SCENARIOS
        .iter()
        .map(|(name, scenario)| {
            let before = FREED_WITH_MARKER.load(SeqCst);
            let fs = MemFs::builder().zeroize_on_free(zeroize).build().unwrap();
            scenario(&fs);
            drop(fs);
            dmemfs_core::memory_cache::trim();
            (*name, FREED_WITH_MARKER.load(SeqCst) - before)
        })
        .collect()
}

fn main() {
    let without = run(false);
    let with = run(true);
    println!("freed blocks still holding file contents, per scenario (off / on):");
    for ((name, off), (_, on)) in without.iter().zip(&with) {
        println!("  {name:<40} {off:>5} / {on}");
    }
    // The detector must see the leak when the option is off, or the check proves nothing.
    let detected = without.iter().filter(|(_, n)| *n > 0).count();
    assert!(
        detected >= SCENARIOS.len() - 1,
        "the detector missed scenarios without zeroize: {without:?}"
    );
    let leaked: Vec<_> = with.iter().filter(|(_, n)| *n > 0).collect();
    assert!(
        leaked.is_empty(),
        "contents left in freed memory with zeroize_on_free: {leaked:?}"
    );
    println!("zeroize_on_free: no freed block held file contents");
}
