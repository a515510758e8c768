//! A file's list of chunks in 24 bytes: none, one in place, or a table behind a box.
//!
//! Most files fit one chunk. `SmallVec<[Vec<u8>; 1]>` kept that chunk in place too, but took
//! 32 bytes (a length or capacity beside the chunk); here the enum's tag hides in a value the
//! chunk's capacity can never take, and a file of several chunks pays one pointer hop to its
//! table, next to 64 KiB of data a chunk.

use std::collections::TryReserveError;
use std::ops::{Deref, DerefMut};

#[derive(Debug, Default)]
pub(super) enum Chunks {
    #[default]
    Empty,
    One(Vec<u8>),
    /// Boxed as an array of one, the only box a failed allocation can be reported from.
    Many(Box<[Vec<Vec<u8>>; 1]>),
}

impl Chunks {
    /// Makes room for `additional` more chunks (exactly that many with `exact`, as a file of
    /// known length wants, else amortised for a file that keeps growing).
    pub(super) fn try_reserve(
        &mut self,
        additional: usize,
        exact: bool,
    ) -> Result<(), TryReserveError> {
        let needed = self.len() + additional;
        if let Chunks::Many(boxed) = self {
            return reserve(&mut boxed[0], additional, exact);
        }
        if needed <= 1 {
            return Ok(());
        }
        let mut table = Vec::new();
        reserve(&mut table, needed, exact)?;
        // Boxed fallibly too (`Box::new` would abort where the rest reports the failure).
        let mut holder = Vec::new();
        holder.try_reserve_exact(1)?;
        if let Chunks::One(chunk) = std::mem::take(self) {
            table.push(chunk);
        }
        holder.push(table);
        let boxed = <Box<[_; 1]>>::try_from(holder.into_boxed_slice())
            .unwrap_or_else(|_| unreachable!("one table was pushed"));
        *self = Chunks::Many(boxed);
        Ok(())
    }

    /// Appends a chunk, making room for it first.
    #[inline]
    pub(super) fn try_push(&mut self, chunk: Vec<u8>) -> Result<(), TryReserveError> {
        if let Chunks::Empty = self {
            // Not dropped: an empty list holds nothing, and the call to its drop glue cost
            // a fifth of the push (this runs on every new file's first write).
            std::mem::forget(std::mem::replace(self, Chunks::One(chunk)));
            Ok(())
        } else {
            self.push_to_table(chunk)
        }
    }

    #[cold]
    #[inline(never)]
    fn push_to_table(&mut self, chunk: Vec<u8>) -> Result<(), TryReserveError> {
        self.try_reserve(1, false)?;
        if let Chunks::Many(boxed) = self {
            boxed[0].push(chunk);
        }
        Ok(())
    }

    /// Grows the list to `count` empty chunks (holes), making room first.
    pub(super) fn try_extend_to(
        &mut self,
        count: usize,
        exact: bool,
    ) -> Result<(), TryReserveError> {
        let len = self.len();
        if count <= len {
            return Ok(());
        }
        self.try_reserve(count - len, exact)?;
        match self {
            Chunks::Many(boxed) => boxed[0].resize_with(count, Vec::new),
            _ => *self = Chunks::One(Vec::new()),
        }
        Ok(())
    }

    /// Removes the chunks from `count` on, handing them out.
    #[inline]
    pub(super) fn drain_from(&mut self, count: usize) -> Drain<'_> {
        match self {
            Chunks::Many(boxed) => {
                let [table] = &mut **boxed;
                Drain::Table(table.drain(count.min(table.len())..))
            }
            Chunks::One(_) if count == 0 => match std::mem::take(self) {
                Chunks::One(chunk) => Drain::One(Some(chunk)),
                _ => unreachable!("matched as one chunk"),
            },
            _ => Drain::One(None),
        }
    }

    /// Bytes the table takes beside the chunks (0 while none is needed).
    pub(super) fn table_bytes(&self) -> usize {
        match self {
            Chunks::Many(boxed) => {
                size_of::<Vec<Vec<u8>>>() + boxed[0].capacity() * size_of::<Vec<u8>>()
            }
            _ => 0,
        }
    }

    /// Gives back a table much larger than the list (a file cut short), or the table itself
    /// once a single chunk is left.
    pub(super) fn shrink(&mut self) {
        let Chunks::Many(boxed) = self else {
            return;
        };
        let [table] = &mut **boxed;
        if table.len() <= 1 {
            *self = match table.pop() {
                Some(chunk) => Chunks::One(chunk),
                None => Chunks::Empty,
            };
        } else if table.capacity() > 2 * table.len() + 4 {
            table.shrink_to_fit();
        }
    }
}

fn reserve(
    table: &mut Vec<Vec<u8>>,
    additional: usize,
    exact: bool,
) -> Result<(), TryReserveError> {
    if exact {
        table.try_reserve_exact(additional)
    } else {
        table.try_reserve(additional)
    }
}

impl Deref for Chunks {
    type Target = [Vec<u8>];

    #[inline]
    fn deref(&self) -> &[Vec<u8>] {
        match self {
            Chunks::Empty => &[],
            Chunks::One(chunk) => std::slice::from_ref(chunk),
            Chunks::Many(boxed) => &boxed[0],
        }
    }
}

impl DerefMut for Chunks {
    #[inline]
    fn deref_mut(&mut self) -> &mut [Vec<u8>] {
        match self {
            Chunks::Empty => &mut [],
            Chunks::One(chunk) => std::slice::from_mut(chunk),
            Chunks::Many(boxed) => &mut boxed[0],
        }
    }
}

/// The chunks [`Chunks::drain_from`] removed.
pub(super) enum Drain<'a> {
    One(Option<Vec<u8>>),
    Table(std::vec::Drain<'a, Vec<u8>>),
}

impl Iterator for Drain<'_> {
    type Item = Vec<u8>;

    #[inline]
    fn next(&mut self) -> Option<Vec<u8>> {
        match self {
            Drain::One(chunk) => chunk.take(),
            Drain::Table(drain) => drain.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chunk_in_place_more_in_a_table() {
        assert_eq!(size_of::<Chunks>(), 24);
        let mut chunks = Chunks::default();
        chunks.try_push(vec![1]).unwrap();
        assert!(matches!(chunks, Chunks::One(_)));
        chunks.try_extend_to(3, true).unwrap();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0], [1]);
        assert_eq!(chunks.table_bytes(), 24 + 3 * 24);
        assert_eq!(chunks.drain_from(1).count(), 2);
        chunks.shrink();
        assert!(matches!(&chunks, Chunks::One(chunk) if chunk == &[1]));
        assert_eq!(chunks.drain_from(0).collect::<Vec<_>>(), [vec![1]]);
        assert!(chunks.is_empty());
    }
}
