//! File contents: fixed-size chunks, so files grow without copying what they already hold.
//!
//! Chunk `i` covers bytes `[i * CHUNK, (i + 1) * CHUNK)`. Each chunk is a `Vec<u8>` that may be
//! shorter than the bytes it covers; the rest of its range reads as zeros. That gives holes for
//! free (`set_len` and preallocation take no memory until written) and lets the last chunk be
//! sized to its data, so the heap stays close to the file length.
//!
//! Writes are two-phase: every allocation happens first (fallibly, with `try_reserve`), then the
//! bytes are copied. A failed allocation therefore leaves the contents untouched.

mod chunks;
pub(crate) mod pool;

use std::collections::TryReserveError;

use zeroize::Zeroize;

use chunks::Chunks;

/// Bytes per chunk. A power of two, below glibc's default mmap threshold so chunks come from
/// (and return to) the heap instead of fresh pages.
pub(crate) const CHUNK: usize = 64 * 1024;
const CHUNK_U64: u64 = CHUNK as u64;

/// The largest file length: offsets must fit `i64`, as for the kernel's `off_t`.
///
/// ```
/// use std::io::{Seek, SeekFrom};
/// let fs = dmemfs_core::MemFs::new();
/// let mut f = fs.create("/f")?;
/// assert!(f.seek(SeekFrom::Start(dmemfs_core::MAX_FILE_SIZE + 1)).is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

#[derive(Debug, Default)]
pub(crate) struct Storage {
    /// The length, and in the top bit (free: lengths fit `i64`) whether the contents are
    /// secret: overwritten with zeros before their memory goes back to the allocator, when
    /// cut off, moved by a reallocation, or dropped (`zeroize_on_free`). A `bool` of its own
    /// took 8 bytes of every file node.
    bits: u64,
    /// Always `len.div_ceil(CHUNK)` entries. Most files fit one chunk, kept inline.
    chunks: Chunks,
}

const SECRET: u64 = 1 << 63;
const _: () = assert!(MAX_FILE_SIZE < SECRET);

impl Drop for Storage {
    fn drop(&mut self) {
        let secret = self.is_secret();
        recycle(self.chunks.drain_from(0), secret);
    }
}

/// Hands chunks that are being let go to the cache (wiped first if secret).
fn recycle(chunks: impl Iterator<Item = Vec<u8>>, secret: bool) {
    for mut chunk in chunks {
        if secret {
            chunk.zeroize();
        }
        pool::give(chunk);
    }
}

/// Whether a tail chunk's spare capacity is worth giving back (more than 1/16 of its bytes).
fn worth_shrinking(tail: &Vec<u8>) -> bool {
    tail.capacity() - tail.len() > tail.len() / 16
}

/// An empty buffer with room for a whole chunk: a cached one if possible, as freshly mapped
/// memory costs far more than copying into memory already in use.
fn full_chunk() -> Result<Vec<u8>, AllocFailed> {
    if let Some(buffer) = pool::take() {
        return Ok(buffer);
    }
    let mut buffer = Vec::new();
    buffer.try_reserve_exact(CHUNK)?;
    Ok(buffer)
}

/// A buffer of `capacity` holding `piece`.
fn chunk_from(piece: &[u8], capacity: usize) -> Result<Vec<u8>, AllocFailed> {
    let mut chunk = if capacity == CHUNK {
        full_chunk()?
    } else {
        let mut chunk = Vec::new();
        chunk.try_reserve_exact(capacity)?;
        chunk
    };
    chunk.extend_from_slice(piece);
    Ok(chunk)
}

/// Moves a chunk's bytes into a fresh allocation of `capacity`, wiping the old one: what a
/// reallocation would do, without leaving a copy behind in freed memory.
fn regrow(chunk: &mut Vec<u8>, capacity: usize) -> Result<(), AllocFailed> {
    let mut fresh = Vec::new();
    fresh.try_reserve_exact(capacity.max(chunk.len()))?;
    fresh.extend_from_slice(chunk);
    chunk.zeroize();
    *chunk = fresh;
    Ok(())
}

/// How a chunk that must grow picks its new capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Growth {
    /// Double (up to the chunk size): amortised O(1) for a handle's stream of small writes;
    /// the handle gives the slack back with [`Storage::compact`] when it is dropped.
    Double,
    /// Leave at most 1/16 spare: for one-shot writes (`append`), which never compact.
    Tight,
}

/// The allocator refused memory; the storage is unchanged.
#[derive(Debug)]
pub(crate) struct AllocFailed;

impl From<TryReserveError> for AllocFailed {
    fn from(_: TryReserveError) -> Self {
        AllocFailed
    }
}

fn chunk_count(len: u64) -> usize {
    // `len <= MAX_FILE_SIZE`, so the count fits `usize` on 64-bit targets; on 32-bit ones the
    // quota (at most the address space in practice) prevents such files.
    usize::try_from(len.div_ceil(CHUNK_U64)).unwrap_or(usize::MAX)
}

/// Splits a file offset into (chunk index, offset within the chunk).
fn locate(offset: u64) -> (usize, usize) {
    let index = usize::try_from(offset / CHUNK_U64).unwrap_or(usize::MAX);
    (index, (offset % CHUNK_U64) as usize)
}

impl Storage {
    /// A storage holding a copy of `data`.
    pub(crate) fn from_slice(data: &[u8]) -> Result<Storage, AllocFailed> {
        let mut chunks = Chunks::default();
        chunks.try_reserve(data.len().div_ceil(CHUNK), true)?;
        for piece in data.chunks(CHUNK) {
            chunks.try_push(chunk_from(piece, piece.len())?)?;
        }
        Ok(Storage {
            bits: data.len() as u64,
            chunks,
        })
    }

    /// A storage taking over `data`; a file that fits one chunk keeps the buffer as it is.
    pub(crate) fn from_vec(mut data: Vec<u8>, secret: bool) -> Result<Storage, AllocFailed> {
        if data.len() > CHUNK {
            let storage = Storage::from_slice(&data).map(|s| s.secret(secret));
            if secret {
                data.zeroize();
            }
            return storage;
        }
        if worth_shrinking(&data) {
            if secret {
                let len = data.len();
                regrow(&mut data, len)?;
            } else {
                data.shrink_to_fit();
            }
        }
        let len = data.len() as u64;
        let mut chunks = Chunks::default();
        if !data.is_empty() {
            chunks.try_push(data)?;
        }
        Ok(Storage { bits: len, chunks }.secret(secret))
    }

    /// Marks the contents as secret: zeroed before their memory is freed or moved.
    pub(crate) fn secret(mut self, secret: bool) -> Storage {
        self.bits = if secret {
            self.bits | SECRET
        } else {
            self.bits & !SECRET
        };
        self
    }

    fn is_secret(&self) -> bool {
        self.bits & SECRET != 0
    }

    /// Sets the length, keeping the secret bit.
    fn set_length(&mut self, len: u64) {
        debug_assert!(len <= MAX_FILE_SIZE);
        self.bits = len | (self.bits & SECRET);
    }

    /// A storage of `len` zero bytes that takes no memory for them.
    pub(crate) fn zeroed(len: u64) -> Result<Storage, AllocFailed> {
        let mut storage = Storage::default();
        storage.set_len(len)?;
        Ok(storage)
    }

    pub(crate) fn len(&self) -> u64 {
        self.bits & !SECRET
    }

    /// Bytes of heap the contents occupy (capacities, chunk table included).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn heap_bytes(&self) -> usize {
        self.chunks.table_bytes() + self.chunks.iter().map(Vec::capacity).sum::<usize>()
    }

    /// Copies bytes starting at `offset` into `buf`; returns how many (0 at or past the end).
    pub(crate) fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        if offset >= self.len() || buf.is_empty() {
            return 0;
        }
        let n = usize::try_from(self.len() - offset).map_or(buf.len(), |rest| rest.min(buf.len()));
        let (mut index, mut within) = locate(offset);
        let mut done = 0;
        while done < n {
            let chunk = &self.chunks[index];
            let take = (CHUNK - within).min(n - done);
            let dst = &mut buf[done..done + take];
            // Bytes the chunk holds from `within`; the rest of the range reads as zeros (a hole,
            // or a chunk shorter than its range). An empty range must not slice past the end.
            let stored = chunk.len().saturating_sub(within).min(take);
            if stored > 0 {
                dst[..stored].copy_from_slice(&chunk[within..within + stored]);
            }
            dst[stored..].fill(0);
            done += take;
            index += 1;
            within = 0;
        }
        n
    }

    /// Appends everything from `offset` to the end onto `out`, reserving exactly once.
    ///
    /// Bytes are appended chunk by chunk rather than zero-filled and then overwritten: for
    /// large files that halves the memory traffic.
    pub(crate) fn read_to_end(&self, offset: u64, out: &mut Vec<u8>) -> Result<usize, AllocFailed> {
        if offset >= self.len() {
            return Ok(0);
        }
        let n = usize::try_from(self.len() - offset).map_err(|_| AllocFailed)?;
        out.try_reserve_exact(n)?;
        if let [whole] = &self.chunks[..]
            && offset == 0
            && whole.len() == n
        {
            // The common small file, read from the start and written without holes: one copy.
            out.extend_from_slice(whole);
            return Ok(n);
        }
        let end = out.len() + n;
        let (mut index, mut within) = locate(offset);
        while out.len() < end {
            let take = (CHUNK - within).min(end - out.len());
            let chunk = &self.chunks[index];
            let stored = chunk.len().saturating_sub(within).min(take);
            if stored > 0 {
                out.extend_from_slice(&chunk[within..within + stored]);
            }
            // The rest of the chunk's range is a hole, or past a chunk shorter than its range.
            out.resize(out.len() + take - stored, 0);
            index += 1;
            within = 0;
        }
        Ok(n)
    }

    /// Writes `data` at `offset`, zero-filling any gap past the end and extending the length.
    ///
    /// The caller has checked that `offset + data.len()` fits [`MAX_FILE_SIZE`] and has charged
    /// the growth to the quota.
    pub(crate) fn write_at(
        &mut self,
        offset: u64,
        data: &[u8],
        growth: Growth,
    ) -> Result<(), AllocFailed> {
        if data.is_empty() {
            return Ok(());
        }
        if self.len() == 0 && offset == 0 && data.len() <= CHUNK {
            // The first write into an empty file that fits one chunk (most small files): the
            // chunk the general path would size and fill (`reserve_for_write` on an empty
            // chunk: `Double` doubles a capacity of 0, so the data's length), made in one step.
            let capacity = match growth {
                Growth::Double => data.len(),
                Growth::Tight => (data.len() + data.len() / 16).min(CHUNK),
            };
            let chunk = chunk_from(data, capacity)?;
            // An empty file has no chunks (`len.div_ceil(CHUNK)`), so nothing is dropped here.
            debug_assert!(self.chunks.is_empty());
            self.chunks.try_push(chunk)?;
            self.set_length(data.len() as u64);
            return Ok(());
        }
        let end = offset + data.len() as u64;
        let new_len = end.max(self.len());
        let old_count = self.chunks.len();
        let new_count = chunk_count(new_len);
        // Phase 1: every allocation. On failure, drop the chunk slots added here; capacity grown
        // in existing chunks is invisible to readers.
        if let Err(e) = self.reserve_for_write(offset, end, new_len, new_count, growth) {
            self.chunks.drain_from(old_count).for_each(drop);
            self.chunks.shrink();
            return Err(e);
        }
        // Phase 2: copy; nothing below allocates.
        let (mut index, mut within) = locate(offset);
        let mut rest = data;
        while !rest.is_empty() {
            let take = (CHUNK - within).min(rest.len());
            let chunk = &mut self.chunks[index];
            if chunk.len() < within {
                chunk.resize(within, 0);
            }
            let overlap = chunk.len().saturating_sub(within).min(take);
            chunk[within..within + overlap].copy_from_slice(&rest[..overlap]);
            chunk.extend_from_slice(&rest[overlap..take]);
            rest = &rest[take..];
            index += 1;
            within = 0;
        }
        self.set_length(new_len);
        Ok(())
    }

    fn reserve_for_write(
        &mut self,
        offset: u64,
        end: u64,
        new_len: u64,
        new_count: usize,
        growth: Growth,
    ) -> Result<(), AllocFailed> {
        self.chunks.try_extend_to(new_count, false)?;
        let secret = self.is_secret();
        let (first, _) = locate(offset);
        let (last, _) = locate(end - 1);
        for index in first..=last {
            let chunk_start = index as u64 * CHUNK_U64;
            let covered = (new_len - chunk_start).min(CHUNK_U64) as usize;
            let needed = (end - chunk_start).min(CHUNK_U64) as usize;
            let chunk = &mut self.chunks[index];
            if chunk.capacity() >= needed {
                continue;
            }
            // A chunk the write fills gets its exact final size; a growing tail chunk follows
            // the caller's policy, bounded by the chunk size.
            let target = if needed == covered && covered == CHUNK {
                CHUNK
            } else {
                let roomy = match growth {
                    Growth::Double => chunk.capacity().saturating_mul(2),
                    Growth::Tight => needed + needed / 16,
                };
                needed.max(roomy).min(CHUNK)
            };
            if target == CHUNK {
                let full = chunk_from(chunk, CHUNK)?;
                let old = std::mem::replace(chunk, full);
                recycle(std::iter::once(old), secret);
            } else if secret && !chunk.is_empty() {
                regrow(chunk, target)?;
            } else {
                chunk.try_reserve_exact(target - chunk.len())?;
            }
        }
        Ok(())
    }

    /// Sets the length, truncating or extending with zeros (extension takes no memory).
    pub(crate) fn set_len(&mut self, new_len: u64) -> Result<(), AllocFailed> {
        let new_count = chunk_count(new_len);
        if new_len >= self.len() {
            self.chunks.try_extend_to(new_count, true)?;
        } else {
            let secret = self.is_secret();
            recycle(self.chunks.drain_from(new_count), secret);
            if let Some(tail) = self.chunks.last_mut() {
                let keep = (new_len - (new_count as u64 - 1) * CHUNK_U64) as usize;
                if secret && keep < tail.len() {
                    tail[keep..].zeroize();
                }
                tail.truncate(keep);
            }
            self.compact();
            self.chunks.shrink();
        }
        self.set_length(new_len);
        Ok(())
    }

    /// Whether [`compact`](Self::compact) would give memory back.
    pub(crate) fn has_slack(&self) -> bool {
        self.chunks.last().is_some_and(worth_shrinking)
    }

    /// Gives back spare capacity in the tail chunk so the heap stays close to the length.
    /// Called when a writer lets go of the file.
    pub(crate) fn compact(&mut self) {
        let secret = self.is_secret();
        let Some(tail) = self.chunks.last_mut().filter(|tail| worth_shrinking(tail)) else {
            return;
        };
        if secret {
            // Best effort: if memory is short, keep the slack rather than the risk.
            let len = tail.len();
            let _ = regrow(tail, len);
        } else {
            tail.shrink_to_fit();
        }
    }

    /// An independent copy of the contents, holes preserved.
    pub(crate) fn try_clone(&self) -> Result<Storage, AllocFailed> {
        let mut chunks = Chunks::default();
        chunks.try_reserve(self.chunks.len(), true)?;
        for chunk in self.chunks.iter() {
            chunks.try_push(chunk_from(chunk, chunk.len())?)?;
        }
        Ok(Storage {
            bits: self.bits,
            chunks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(s: &Storage) -> Vec<u8> {
        let mut out = Vec::new();
        s.read_to_end(0, &mut out).unwrap();
        out
    }

    #[test]
    fn writes_across_chunks_and_gaps() {
        let mut s = Storage::default();
        let mut model = Vec::new();
        let ops: [(u64, usize, u8); 6] = [
            (0, 10, 1),
            (CHUNK_U64 - 3, 10, 2),
            (3 * CHUNK_U64 + 7, 5, 3),
            (5, CHUNK * 2 + 11, 4),
            (0, 0, 5),
            (CHUNK_U64 * 2, 1, 6),
        ];
        for (off, n, byte) in ops {
            let data = vec![byte; n];
            s.write_at(off, &data, Growth::Double).unwrap();
            let end = off as usize + n;
            if n > 0 && model.len() < end {
                model.resize(end, 0);
            }
            model[off as usize..off as usize + n].copy_from_slice(&data);
            assert_eq!(s.len(), model.len() as u64);
            assert_eq!(contents(&s), model);
        }
    }

    #[test]
    fn set_len_truncates_and_extends_with_zeros() {
        let mut s = Storage::from_slice(&[7; CHUNK + 100]).unwrap();
        s.set_len(50).unwrap();
        assert_eq!(contents(&s), vec![7; 50]);
        s.set_len(3 * CHUNK_U64).unwrap();
        let mut want = vec![7; 50];
        want.resize(3 * CHUNK, 0);
        assert_eq!(contents(&s), want);
        // Holes take no memory.
        assert!(s.heap_bytes() < 1024, "{}", s.heap_bytes());
        s.write_at(CHUNK_U64 + 1, b"x", Growth::Double).unwrap();
        want[CHUNK + 1] = b'x';
        assert_eq!(contents(&s), want);
        s.set_len(0).unwrap();
        assert_eq!(s.len(), 0);
        assert!(contents(&s).is_empty());
    }

    #[test]
    fn reads_inside_holes_at_any_offset() {
        let mut s = Storage::default();
        s.set_len(3 * CHUNK_U64).unwrap();
        s.write_at(10, b"x", Growth::Double).unwrap();
        let mut buf = [7u8; 100];
        // Inside an empty chunk, and inside a chunk shorter than the offset.
        assert_eq!(s.read_at(CHUNK_U64 + 56_669, &mut buf), 100);
        assert_eq!(buf, [0; 100]);
        assert_eq!(s.read_at(5_000, &mut buf), 100);
        assert_eq!(buf, [0; 100]);
    }

    #[test]
    fn reads_to_the_end_from_any_offset() {
        let mut s = Storage::from_slice(b"hello").unwrap();
        let mut out = b">".to_vec();
        assert_eq!(s.read_to_end(0, &mut out).unwrap(), 5);
        assert_eq!(out, b">hello");
        // One chunk, stored only in part: the rest reads as zeros, from any offset.
        s.set_len(10).unwrap();
        out.clear();
        assert_eq!(s.read_to_end(5, &mut out).unwrap(), 5);
        assert_eq!(out, [0; 5]);
        out.clear();
        s.read_to_end(3, &mut out).unwrap();
        assert_eq!(out, b"lo\0\0\0\0\0");
    }

    #[test]
    fn read_at_bounds() {
        let s = Storage::from_slice(b"hello").unwrap();
        let mut buf = [0; 8];
        assert_eq!(s.read_at(0, &mut buf), 5);
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(s.read_at(3, &mut buf), 2);
        assert_eq!(s.read_at(5, &mut buf), 0);
        assert_eq!(s.read_at(u64::MAX, &mut buf), 0);
        assert_eq!(s.read_at(0, &mut []), 0);
    }

    #[test]
    fn heap_stays_close_to_length() {
        let mut s = Storage::default();
        for i in 0..1000u32 {
            s.write_at(s.len(), &i.to_le_bytes(), Growth::Double)
                .unwrap();
        }
        s.compact();
        assert!(
            s.heap_bytes() <= 4000 + 4000 / 16 + 64,
            "{}",
            s.heap_bytes()
        );
        let big = Storage::from_slice(&vec![1; 10 * CHUNK + 1]).unwrap();
        assert!(big.heap_bytes() <= 10 * CHUNK + 1 + 11 * 24 + 64);
    }

    #[test]
    fn first_write_sizes_its_chunk_as_a_growing_write_would() {
        // The capacities `reserve_for_write` gives an empty chunk: `Double` doubles 0, so the
        // length; `Tight` adds 1/16, bounded by the chunk size. The contents match the
        // general path's (the same bytes written from offset 1, then at 0).
        for (n, growth, capacity) in [
            (100, Growth::Double, 100),
            (CHUNK, Growth::Double, CHUNK),
            (1600, Growth::Tight, 1700),
            (CHUNK - 10, Growth::Tight, CHUNK),
        ] {
            let mut s = Storage::default();
            s.write_at(0, &vec![3; n], growth).unwrap();
            assert_eq!((s.len(), s.chunks.len()), (n as u64, 1));
            assert_eq!(s.chunks[0].capacity(), capacity, "{n} {growth:?}");
            let mut general = Storage::default();
            general.write_at(1, &vec![3; n - 1], growth).unwrap();
            general.write_at(0, &[3], growth).unwrap();
            assert_eq!(contents(&s), contents(&general));
        }
    }

    #[test]
    fn clone_is_independent() {
        let mut a = Storage::from_slice(b"abc").unwrap();
        a.set_len(CHUNK_U64 * 2).unwrap();
        let b = a.try_clone().unwrap();
        a.write_at(0, b"zzz", Growth::Double).unwrap();
        assert_eq!(&contents(&b)[..3], b"abc");
        assert_eq!(b.len(), CHUNK_U64 * 2);
    }
}
