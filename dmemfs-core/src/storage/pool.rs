//! A process-wide cache of freed chunk buffers, reused by the next file that grows.
//!
//! Fresh memory is expensive: the kernel must fault in and zero every 4 KiB page (about 2 µs
//! each on a small VM, several times the cost of copying into it), and the C allocator gives
//! large freed regions back to the kernel. Filesystems are often created and dropped in a
//! loop (a test suite, a pipeline stage), so full-size chunks freed by one are kept here, up to
//! a limit, for the next one — as an allocator keeps freed memory, but only for file contents.
//!
//! Cached buffers hold no data a reader can see (a chunk's readable bytes are only those
//! written after it was taken), and `zeroize_on_free` wipes a secret chunk before it arrives.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::Mutex;

use super::CHUNK;

/// Not yet decided: the default is computed from the host's memory on first use.
const UNSET: u64 = u64::MAX;

/// The default cache size: this share of physical memory...
const DEFAULT_SHARE: u64 = 16;
/// ...but never more than this.
const DEFAULT_CAP: u64 = 1 << 30;

static LIMIT_CHUNKS: AtomicU64 = AtomicU64::new(UNSET);
static FREE: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

fn limit_chunks() -> u64 {
    match LIMIT_CHUNKS.load(Relaxed) {
        UNSET => {
            let limit = default_limit() / CHUNK as u64;
            // A concurrent `set_limit` wins over the default.
            let _ = LIMIT_CHUNKS.compare_exchange(UNSET, limit, Relaxed, Relaxed);
            LIMIT_CHUNKS.load(Relaxed)
        }
        limit => limit,
    }
}

fn default_limit() -> u64 {
    (total_memory() / DEFAULT_SHARE).min(DEFAULT_CAP)
}

/// The machine's physical memory, from `sysinfo(2)`.
#[cfg(target_os = "linux")]
fn total_memory() -> u64 {
    let info = rustix::system::sysinfo();
    #[allow(clippy::useless_conversion)] // `c_ulong` is 32 bits on some targets
    u64::from(info.totalram).saturating_mul(u64::from(info.mem_unit.max(1)))
}

/// Elsewhere the size is not asked for: 4 GiB is assumed, a 256 MiB cache.
#[cfg(not(target_os = "linux"))]
fn total_memory() -> u64 {
    4 << 30
}

/// A buffer with room for one whole chunk, from the cache if it has one.
pub(super) fn take() -> Option<Vec<u8>> {
    let mut free = FREE.lock();
    free.pop()
}

/// Keeps `buffer` for reuse if it is a whole chunk and the cache has room; frees it otherwise.
pub(super) fn give(mut buffer: Vec<u8>) {
    if buffer.capacity() != CHUNK {
        return;
    }
    buffer.clear();
    // Computes the default (which may query the host) before taking the lock.
    limit_chunks();
    let mut free = FREE.lock();
    // Read under the lock: `set_limit` stores the new limit before it trims under this lock,
    // so a buffer freed after it returns sees the new limit. Read before the lock (as this
    // did), a thread waiting for the lock with the old limit pushed after the trim, and the
    // cache held more than the limit just set (`set_limit(0)` left buffers cached).
    if (free.len() as u64) < LIMIT_CHUNKS.load(Relaxed) {
        free.push(buffer);
    }
}

/// Sets how many bytes of freed file memory the process keeps for reuse (rounded down to
/// whole 64 KiB chunks), freeing what the cache holds beyond it. `0` turns the cache off.
///
/// By default dmemfs keeps up to 1/16 of physical memory, at most 1 GiB: enough for loops
/// that create and drop filesystems (test suites, pipeline stages) to reuse memory that is
/// already mapped, instead of paying the kernel to fault in and zero fresh pages each time.
///
/// ```
/// dmemfs_core::memory_cache::set_limit(64 << 20);
/// assert!(dmemfs_core::memory_cache::cached_bytes() <= 64 << 20);
/// ```
pub fn set_limit(bytes: u64) {
    let chunks = bytes / CHUNK as u64;
    LIMIT_CHUNKS.store(chunks, Relaxed);
    let stale: Vec<Vec<u8>> = {
        let mut free = FREE.lock();
        let keep = usize::try_from(chunks)
            .unwrap_or(usize::MAX)
            .min(free.len());
        free.split_off(keep)
    };
    // Freed outside the lock.
    drop(stale);
}

/// Frees every cached buffer (the limit stays as it is).
///
/// ```
/// let fs = dmemfs_core::MemFs::new();
/// fs.write("/big", vec![1u8; 1 << 20])?;
/// drop(fs); // its 16 chunks of 64 KiB go to the cache
/// dmemfs_core::memory_cache::trim(); // and now back to the allocator
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn trim() {
    let stale = std::mem::take(&mut *FREE.lock());
    drop(stale);
}

/// Bytes the cache holds right now.
///
/// ```
/// let cached = dmemfs_core::memory_cache::cached_bytes();
/// assert_eq!(cached % (64 * 1024), 0);
/// ```
pub fn cached_bytes() -> u64 {
    FREE.lock().len() as u64 * CHUNK as u64
}
