//! CPython's `random.Random`, as far as the benchmark draws from it: MT19937 seeded like
//! `Random(int)`, `getrandbits` and `randint` through `_randbelow_with_getrandbits`.
//!
//! D-MemFS's benchmark picks its offsets and file indices with `random.Random(42)`; drawing the
//! same numbers here makes `random_access_rw` and `many_files_random_read` touch exactly the
//! bytes and files the Python script touches.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// A Mersenne Twister that draws the same numbers as CPython's `random.Random(seed)`.
///
/// ```
/// let mut rng = dmemfs_bench::pyrandom::PyRandom::new(42);
/// // python3 -c 'import random; r=random.Random(42); print([r.randint(0,9999) for _ in range(5)])'
/// let drawn: Vec<u64> = (0..5).map(|_| rng.randint(0, 9999)).collect();
/// assert_eq!(drawn, [1824, 409, 4506, 4012, 3657]);
/// ```
#[derive(Clone)]
pub struct PyRandom {
    state: [u32; N],
    index: usize,
}

impl std::fmt::Debug for PyRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyRandom")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl PyRandom {
    /// Seeded like `random.Random(seed)` for a non-negative integer: `init_by_array` over the
    /// seed's 32-bit words, least significant first (`Random(0)` uses the key `[0]`).
    pub fn new(seed: u64) -> PyRandom {
        let low = seed as u32;
        let high = (seed >> 32) as u32;
        let key: &[u32] = if high == 0 { &[low] } else { &[low, high] };
        let mut rng = PyRandom {
            state: [0; N],
            index: N,
        };
        rng.init_by_array(key);
        rng
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let prev = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let mt = &mut self.state;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
    }

    fn twist(&mut self) {
        let mt = &mut self.state;
        for k in 0..N {
            let y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// The next 32-bit output (`genrand_uint32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `getrandbits(bits)` for `bits <= 64`: whole 32-bit words, least significant first, the
    /// last one shifted down to the bits still wanted.
    ///
    /// ```
    /// let mut rng = dmemfs_bench::pyrandom::PyRandom::new(42);
    /// assert_eq!(rng.getrandbits(32), 2_746_317_213);
    /// ```
    pub fn getrandbits(&mut self, bits: u32) -> u64 {
        assert!(bits <= 64, "getrandbits: at most 64 bits here, not {bits}");
        let mut value = 0u64;
        let mut left = bits;
        let mut shift = 0;
        while left > 0 {
            let mut word = self.next_u32();
            if left < 32 {
                word >>= 32 - left;
            }
            value |= u64::from(word) << shift;
            shift += 32;
            left = left.saturating_sub(32);
        }
        value
    }

    /// `_randbelow_with_getrandbits(n)`: a uniform value in `0..n`, by rejection on
    /// `n.bit_length()` bits. Returns 0 for `n == 0` (CPython never asks for it).
    pub fn randbelow(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let bits = u64::BITS - n.leading_zeros();
        loop {
            let value = self.getrandbits(bits);
            if value < n {
                return value;
            }
        }
    }

    /// `randint(low, high)`: a uniform value in `low..=high`.
    ///
    /// ```
    /// let mut rng = dmemfs_bench::pyrandom::PyRandom::new(42);
    /// assert_eq!(rng.randint(0, (16 << 20) - (64 << 10)), 10_727_801);
    /// ```
    pub fn randint(&mut self, low: u64, high: u64) -> u64 {
        low + self.randbelow(high - low + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::PyRandom;

    // Expected values from CPython 3.11:
    // python3 -c 'import random; r=random.Random(42); print([r.randint(0, 16*1024*1024-65536) for _ in range(5)])'
    #[test]
    fn offsets_match_cpython() {
        let mut rng = PyRandom::new(42);
        let drawn: Vec<u64> = (0..5)
            .map(|_| rng.randint(0, (16 << 20) - (64 << 10)))
            .collect();
        assert_eq!(drawn, [10727801, 1867825, 419610, 12441152, 4614226]);
    }

    // python3 -c 'import random; r=random.Random(42); print([r.getrandbits(32) for _ in range(3)])'
    #[test]
    fn raw_words_match_cpython() {
        let mut rng = PyRandom::new(42);
        let drawn: Vec<u64> = (0..3).map(|_| rng.getrandbits(32)).collect();
        assert_eq!(drawn, [2746317213, 478163327, 107420369]);
    }

    // python3 -c 'import random; r=random.Random(42); [r.randint(0,9999) for _ in range(4999)]; print(r.randint(0,9999), r.getrandbits(40), r.getrandbits(64))'
    #[test]
    fn later_draws_and_wide_bits_match_cpython() {
        let mut rng = PyRandom::new(42);
        for _ in 0..4999 {
            rng.randint(0, 9999);
        }
        let last = rng.randint(0, 9999);
        let wide = (rng.getrandbits(40), rng.getrandbits(64));
        assert_eq!((last, wide), (EXPECTED_LAST, EXPECTED_WIDE));
    }

    const EXPECTED_LAST: u64 = 6670;
    const EXPECTED_WIDE: (u64, u64) = (118138393077, 1335285487681825836);

    // A seed wider than 32 bits is keyed as two words.
    // python3 -c 'import random; r=random.Random(2**40+7); print([r.randint(0,9999) for _ in range(3)])'
    #[test]
    fn wide_seed_matches_cpython() {
        let mut rng = PyRandom::new((1 << 40) + 7);
        let drawn: Vec<u64> = (0..3).map(|_| rng.randint(0, 9999)).collect();
        assert_eq!(drawn, [9345, 7797, 4109]);
    }
}
