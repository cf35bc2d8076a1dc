//! Shingles: the overlapping n-grams of a normalized text, each hashed to a `u64`.
//!
//! A text is first turned into *tokens* — its words, or its characters with
//! [`ShingleKind::Chars`] — each hashed with seeded xxh3. A shingle is a window of `n`
//! consecutive tokens, hashed as the xxh3 (same seed) of its tokens' hashes. A text with fewer
//! than `n` tokens is one shingle of all of them; a text with no token has none. The hashes are
//! stable across runs, threads and machines for a given seed.

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::normalize::{scan_words, WordSink};

/// What a token is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShingleKind {
    /// Words of the normalized text. This is the default.
    #[default]
    Words,
    /// Characters of the normalized text, spaces included.
    Chars,
}

/// How shingles are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShingleConfig {
    /// Words or characters. Words by default.
    pub kind: ShingleKind,
    /// Tokens per shingle. This is 5 by default.
    pub n: usize,
    /// Seed of every hash. This is [`DEFAULT_SEED`] by default.
    pub seed: u64,
}

/// The seed used unless another is given.
pub const DEFAULT_SEED: u64 = 0x6465_6368_6166_6621; // "dechaff!"

impl Default for ShingleConfig {
    fn default() -> Self {
        ShingleConfig {
            kind: ShingleKind::Words,
            n: 5,
            seed: DEFAULT_SEED,
        }
    }
}

/// Makes token hashes and shingle hashes. Cheap to copy, safe to share between threads.
#[derive(Clone, Copy, Debug)]
pub struct Shingler {
    config: ShingleConfig,
    word_hash: WordHasher,
    window_hash: WindowHasher,
}

/// Token hashes of a text.
#[derive(Clone, Debug, Default)]
pub struct TokenHashes {
    hashes: Vec<u64>,
}

impl TokenHashes {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when there is no token.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Removes every token.
    pub fn clear(&mut self) {
        self.hashes.clear();
    }

    #[inline]
    fn push(&mut self, h: u64) {
        self.hashes.push(h);
    }

    /// The hash of token `i`.
    pub fn get(&self, i: usize) -> u64 {
        self.hashes[i]
    }
}

impl Shingler {
    /// Checks the configuration and makes a shingler.
    pub fn new(config: ShingleConfig) -> Result<Shingler> {
        if config.n == 0 || config.n > 64 {
            return Err(Error::Config(format!(
                "shingle size must be between 1 and 64, got {}",
                config.n
            )));
        }
        Ok(Shingler {
            config,
            word_hash: WordHasher::new(config.seed),
            window_hash: WindowHasher::new(config.seed),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ShingleConfig {
        &self.config
    }

    /// Appends the token hashes of `normalized` (output of
    /// [`normalize`](crate::normalize::normalize)) to `out`.
    pub fn tokens_into(&self, normalized: &str, out: &mut TokenHashes) {
        let seed = self.config.seed;
        match self.config.kind {
            ShingleKind::Words => {
                for w in normalized.split(' ').filter(|w| !w.is_empty()) {
                    out.push(xxh3_64_with_seed(w.as_bytes(), seed));
                }
            }
            ShingleKind::Chars => {
                let mut buf = [0u8; 4];
                for c in normalized.chars() {
                    out.push(xxh3_64_with_seed(c.encode_utf8(&mut buf).as_bytes(), seed));
                }
            }
        }
    }

    /// Appends the token hashes of the normalized form of `text` (raw text, not yet
    /// normalized) to `out`: the same as normalizing and calling [`Shingler::tokens_into`], but
    /// faster, since the normalized text is never built for words.
    pub fn text_tokens_into(&self, text: &str, scratch: &mut String, out: &mut TokenHashes) {
        match self.config.kind {
            ShingleKind::Words => {
                /// Pushes each word's hash.
                struct Tokens<'a>(&'a WordHasher, &'a mut TokenHashes);
                impl WordSink for Tokens<'_> {
                    fn ascii(&mut self, word: &[u8]) {
                        self.1.push(self.0.ascii(word));
                    }
                    fn normalized(&mut self, word: &[u8]) {
                        self.1.push(self.0.normalized(word));
                    }
                }
                scan_words(text, scratch, &mut Tokens(&self.word_hash, out));
            }
            ShingleKind::Chars => {
                let norm = crate::normalize::normalize(text);
                self.tokens_into(&norm, out);
            }
        }
    }

    /// Calls `emit` with the shingle hashes of the normalized form of `text` (raw text), in
    /// text order with repeats, and returns the number of tokens: the same values as
    /// [`Shingler::text_tokens_into`] followed by [`Shingler::shingles_into`], computed in one
    /// pass without building the token or shingle lists.
    pub fn for_each_text_shingle(
        &self,
        text: &str,
        scratch: &mut String,
        emit: impl FnMut(u64),
    ) -> usize {
        if self.config.kind != ShingleKind::Words {
            let mut tokens = TokenHashes::default();
            self.text_tokens_into(text, scratch, &mut tokens);
            let mut out = Vec::new();
            self.shingles_into(&tokens, 0..tokens.len(), &mut out);
            out.into_iter().for_each(emit);
            return tokens.len();
        }
        // The common sizes get a copy of the loop with `n` a constant, so that the window is
        // a few registers and the shingle hash an xxh3 of a known length.
        match self.config.n {
            3 => self.word_shingles::<3>(text, scratch, emit),
            4 => self.word_shingles::<4>(text, scratch, emit),
            5 => self.word_shingles::<5>(text, scratch, emit),
            6 => self.word_shingles::<6>(text, scratch, emit),
            7 => self.word_shingles::<7>(text, scratch, emit),
            8 => self.word_shingles::<8>(text, scratch, emit),
            _ => self.word_shingles_ring(text, scratch, emit),
        }
    }

    /// [`Shingler::for_each_text_shingle`] for words with `n == N`: the last `N` token hashes
    /// are kept in an array shifted by one per token.
    #[inline(always)]
    fn word_shingles<const N: usize>(
        &self,
        text: &str,
        scratch: &mut String,
        emit: impl FnMut(u64),
    ) -> usize {
        debug_assert_eq!(N, self.config.n);
        let mut sink = WindowSink {
            sh: self,
            window: [0u64; N],
            count: 0,
            emit,
        };
        scan_words(text, scratch, &mut sink);
        let count = sink.count;
        if count > 0 && count < N {
            (sink.emit)(self.window_hash.hash(&sink.window[N - count..]));
        }
        count
    }

    /// [`Shingler::for_each_text_shingle`] for words with any `n`. The last `n` token hashes
    /// live in a ring written twice over (slot `i` and `i + n`), so every window is one
    /// contiguous slice.
    fn word_shingles_ring(&self, text: &str, scratch: &mut String, emit: impl FnMut(u64)) -> usize {
        let mut sink = RingSink {
            sh: self,
            ring: [0u64; 2 * 64],
            count: 0,
            next: 0,
            emit,
        };
        scan_words(text, scratch, &mut sink);
        let count = sink.count;
        if count > 0 && count < self.config.n {
            (sink.emit)(self.window_hash.hash(&sink.ring[..count]));
        }
        count
    }

    /// Appends the shingle hashes of tokens `range` of `tokens` to `out`, in text order (not
    /// sorted, duplicates kept).
    pub fn shingles_into(
        &self,
        tokens: &TokenHashes,
        range: std::ops::Range<usize>,
        out: &mut Vec<u64>,
    ) {
        let n = self.config.n;
        let hashes = &tokens.hashes[range];
        if hashes.is_empty() {
            return;
        }
        if hashes.len() <= n {
            out.push(self.window_hash.hash(hashes));
            return;
        }
        out.extend(hashes.windows(n).map(|w| self.window_hash.hash(w)));
    }

    /// The shingle hashes of a normalized text, sorted and deduplicated: the text's shingle set.
    pub fn shingle_set(&self, normalized: &str) -> Vec<u64> {
        let mut tokens = TokenHashes::default();
        self.tokens_into(normalized, &mut tokens);
        let mut out = Vec::new();
        self.shingles_into(&tokens, 0..tokens.len(), &mut out);
        crate::sort::radix_sort(&mut out);
        out.dedup();
        out
    }
}

/// The shingles of [`Shingler::word_shingles`]: the last `N` word hashes, shifted by one per
/// word, and the number of words so far.
struct WindowSink<'a, const N: usize, E> {
    sh: &'a Shingler,
    window: [u64; N],
    count: usize,
    emit: E,
}

impl<const N: usize, E: FnMut(u64)> WindowSink<'_, N, E> {
    #[inline(always)]
    fn push(&mut self, h: u64) {
        self.window.copy_within(1.., 0);
        self.window[N - 1] = h;
        self.count += 1;
        if self.count >= N {
            (self.emit)(self.sh.window_hash.hash(&self.window));
        }
    }
}

impl<const N: usize, E: FnMut(u64)> WordSink for WindowSink<'_, N, E> {
    #[inline(always)]
    fn ascii(&mut self, word: &[u8]) {
        let h = self.sh.word_hash.ascii(word);
        self.push(h);
    }

    #[inline(always)]
    fn normalized(&mut self, word: &[u8]) {
        let h = self.sh.word_hash.normalized(word);
        self.push(h);
    }
}

/// The shingles of [`Shingler::word_shingles_ring`]: the last `n` word hashes in a ring
/// written twice over, the slot of the next one, and the number of words so far.
struct RingSink<'a, E> {
    sh: &'a Shingler,
    ring: [u64; 2 * 64],
    next: usize,
    count: usize,
    emit: E,
}

impl<E: FnMut(u64)> RingSink<'_, E> {
    fn push(&mut self, h: u64) {
        let n = self.sh.config.n;
        self.ring[self.next] = h;
        self.ring[self.next + n] = h;
        self.count += 1;
        self.next += 1;
        if self.next == n {
            self.next = 0;
        }
        if self.count >= n {
            // `next` is now the slot of the oldest of the last n tokens.
            (self.emit)(
                self.sh
                    .window_hash
                    .hash(&self.ring[self.next..self.next + n]),
            );
        }
    }
}

impl<E: FnMut(u64)> WordSink for RingSink<'_, E> {
    fn ascii(&mut self, word: &[u8]) {
        let h = self.sh.word_hash.ascii(word);
        self.push(h);
    }

    fn normalized(&mut self, word: &[u8]) {
        let h = self.sh.word_hash.normalized(word);
        self.push(h);
    }
}

/// Hashes words: the seeded xxh3 of the normalized word. An ASCII word is hashed as it
/// stands in the text, its lowercase read on the fly (`| 0x20` on every byte, see
/// [`WordSink::ascii`]); for words of 1 to 16 bytes this is xxh3's short-input code with
/// the seed already folded into its constants: the same value as `xxh3_64_with_seed` on the
/// lowercase word (tested), without writing the lowercase out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WordHasher {
    seed: u64,
    /// The constant of xxh3's 1-to-3-byte case.
    flip_1to3: u64,
    /// The constant of xxh3's 4-to-8-byte case.
    flip_4to8: u64,
    /// The two constants of xxh3's 9-to-16-byte case.
    flip_9to16: (u64, u64),
}

/// Every byte's bit 5: OR-ed into ASCII letters and digits, it lowercases them.
const FOLD: u64 = 0x2020_2020_2020_2020;

impl WordHasher {
    /// The hasher of `seed` (a `const fn`: page analysis keeps one in a `static`).
    pub(crate) const fn new(seed: u64) -> WordHasher {
        // xxh3 hashes short inputs with the default secret (that of seed 0).
        let secret = xxhash_rust::const_xxh3::const_custom_default_secret(0);
        /// The little-endian `u64` at `at` of the secret.
        const fn r64(s: &[u8; 192], at: usize) -> u64 {
            let mut b = [0u8; 8];
            let mut j = 0;
            while j < 8 {
                b[j] = s[at + j];
                j += 1;
            }
            u64::from_le_bytes(b)
        }
        let seed_4to8 = seed ^ (((seed as u32).swap_bytes() as u64) << 32);
        WordHasher {
            seed,
            flip_1to3: ((r64(&secret, 0) as u32 ^ r64(&secret, 4) as u32) as u64)
                .wrapping_add(seed),
            flip_4to8: (r64(&secret, 8) ^ r64(&secret, 16)).wrapping_sub(seed_4to8),
            flip_9to16: (
                (r64(&secret, 24) ^ r64(&secret, 32)).wrapping_add(seed),
                (r64(&secret, 40) ^ r64(&secret, 48)).wrapping_sub(seed),
            ),
        }
    }

    /// The hash of a normalized word (any bytes): xxh3's short-input code for 1 to 16 bytes
    /// (the same value as `xxh3_64_with_seed`, tested), else `xxh3_64_with_seed`.
    #[inline(always)]
    fn normalized(&self, word: &[u8]) -> u64 {
        if word.is_empty() {
            return xxh3_64_with_seed(word, self.seed);
        }
        self.short_or(word, 0, |w| xxh3_64_with_seed(w, self.seed))
    }

    /// The hash of the lowercase of `word`, ASCII letters and digits (not empty).
    #[inline(always)]
    pub(crate) fn ascii(&self, w: &[u8]) -> u64 {
        self.short_or(w, 0x20, |w| self.ascii_long(w))
    }

    /// xxh3 of `w` (not empty) with `fold` OR-ed into every byte (0x20 lowercases ASCII
    /// letters and digits, 0 leaves the bytes as they are) when it has up to 16 bytes, else
    /// `long(w)`.
    #[inline(always)]
    fn short_or(&self, w: &[u8], fold: u8, long: impl FnOnce(&[u8]) -> u64) -> u64 {
        let n = w.len();
        debug_assert!(n >= 1);
        let fold32 = u32::from_le_bytes([fold; 4]);
        let fold64 = u64::from_le_bytes([fold; 8]);
        let r32 = |at: usize| u32::from_le_bytes(w[at..at + 4].try_into().expect("4 bytes"));
        let r64 = |at: usize| u64::from_le_bytes(w[at..at + 8].try_into().expect("8 bytes"));
        if n > 8 {
            if n > 16 {
                return long(w);
            }
            self.hash_9to16(r64(0) | fold64, r64(n - 8) | fold64, n)
        } else if n >= 4 {
            self.hash_4to8(r32(0) | fold32, r32(n - 4) | fold32, n)
        } else {
            self.hash_1to3(w[0] | fold, w[n >> 1] | fold, w[n - 1] | fold, n)
        }
    }

    /// [`WordHasher::ascii`] of a word of `n` (1 to 8) bytes given as the little-endian
    /// integer `w` of its first eight bytes (any bytes past the word): the word as a scanner
    /// already holds it, not read from memory again.
    #[inline(always)]
    pub(crate) fn ascii_word8(&self, w: u64, n: usize) -> u64 {
        debug_assert!((1..=8).contains(&n));
        let w = w | FOLD;
        if n >= 4 {
            self.hash_4to8(w as u32, (w >> (8 * (n - 4))) as u32, n)
        } else {
            let byte = |at: usize| (w >> (8 * at)) as u8;
            self.hash_1to3(byte(0), byte(n >> 1), byte(n - 1), n)
        }
    }

    /// The seeded xxh3 of the 8 bytes of `a` (little-endian), without writing them out.
    #[inline(always)]
    pub(crate) fn words8(&self, a: u64) -> u64 {
        self.hash_4to8(a as u32, (a >> 32) as u32, 8)
    }

    /// The seeded xxh3 of the 16 bytes of `a` then `b` (little-endian), without writing them
    /// out.
    #[inline(always)]
    pub(crate) fn words16(&self, a: u64, b: u64) -> u64 {
        self.hash_9to16(a, b, 16)
    }

    /// xxh3's case of 9 to 16 bytes for a word of `n` bytes whose first and last eight bytes
    /// (little-endian, as hashed) are `first` and `last`.
    #[inline(always)]
    fn hash_9to16(&self, first: u64, last: u64, n: usize) -> u64 {
        let lo = first ^ self.flip_9to16.0;
        let hi = last ^ self.flip_9to16.1;
        let acc = (n as u64)
            .wrapping_add(lo.swap_bytes())
            .wrapping_add(hi)
            .wrapping_add(mul128_fold64(lo, hi));
        xxh3_avalanche(acc)
    }

    /// xxh3's case of 4 to 8 bytes for a word of `n` bytes whose first and last four bytes
    /// (little-endian, as hashed) are `first` and `last`.
    #[inline(always)]
    fn hash_4to8(&self, first: u32, last: u32, n: usize) -> u64 {
        let lo = u64::from(first);
        let hi = u64::from(last);
        let x = hi.wrapping_add(lo << 32) ^ self.flip_4to8;
        strong_avalanche(x, n as u64)
    }

    /// xxh3's case of 1 to 3 bytes for a word of `n` bytes whose first, middle (at `n / 2`)
    /// and last bytes (as hashed) are given.
    #[inline(always)]
    fn hash_1to3(&self, first: u8, middle: u8, last: u8, n: usize) -> u64 {
        let c = u32::from;
        let combo = c(first) << 16 | c(middle) << 24 | c(last) | (n as u32) << 8;
        xxh64_avalanche(u64::from(combo) ^ self.flip_1to3)
    }

    /// [`WordHasher::ascii`] for words over 16 bytes (rare): lowercased, then hashed.
    #[cold]
    #[inline(never)]
    fn ascii_long(&self, w: &[u8]) -> u64 {
        let lower: Vec<u8> = w.iter().map(|b| b | 0x20).collect();
        xxh3_64_with_seed(&lower, self.seed)
    }
}

#[inline(always)]
fn strong_avalanche(mut h: u64, len: u64) -> u64 {
    h ^= h.rotate_left(49) ^ h.rotate_left(24);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^= (h >> 35).wrapping_add(len);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^ (h >> 28)
}

#[inline(always)]
fn xxh64_avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h ^= h >> 29;
    h = h.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^ (h >> 32)
}

/// Hashes windows of token hashes: the seeded xxh3 of the tokens' hashes as little-endian
/// bytes. For windows of 3 to 16 tokens (24 to 128 bytes, xxh3's "17 to 128 bytes" case) it
/// computes that xxh3 straight from the words, with the seed already folded into the secret:
/// the same value as `xxh3_64_with_seed` on the bytes (tested), without writing the bytes out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WindowHasher {
    seed: u64,
    /// The first 128 bytes of xxh3's secret derived from `seed`, as little-endian words:
    /// `secret[2i] = default[2i] + seed`, `secret[2i + 1] = default[2i + 1] - seed`.
    secret: [u64; 16],
}

impl WindowHasher {
    /// The hasher of `seed` (a `const fn`: page analysis keeps one in a `static`).
    pub(crate) const fn new(seed: u64) -> WindowHasher {
        let bytes = xxhash_rust::const_xxh3::const_custom_default_secret(seed);
        let mut secret = [0u64; 16];
        let mut i = 0;
        while i < 16 {
            let mut b = [0u8; 8];
            let mut j = 0;
            while j < 8 {
                b[j] = bytes[8 * i + j];
                j += 1;
            }
            secret[i] = u64::from_le_bytes(b);
            i += 1;
        }
        WindowHasher { seed, secret }
    }

    /// The hash of a window of token hashes. With the length known at compile time this is
    /// straight-line code.
    #[inline(always)]
    pub(crate) fn hash(&self, w: &[u64]) -> u64 {
        let n = w.len();
        if n <= 2 {
            // One or two tokens: a 16-byte buffer, not `hash_tokens`' 512 bytes, which would
            // cost more to zero than to hash (page analysis hashes short keys with
            // `WordHasher::words8` and `words16`).
            let mut buf = [0u8; 16];
            for (d, h) in buf.chunks_exact_mut(8).zip(w) {
                d.copy_from_slice(&h.to_le_bytes());
            }
            return xxh3_64_with_seed(&buf[..n * 8], self.seed);
        }
        if n > 16 {
            return hash_tokens(w, self.seed);
        }
        // xxh3 on 17..=128 bytes: mixes of 16-byte pieces taken from both ends, each with its
        // 16 bytes of secret. Byte offsets here are multiples of 8: word offsets.
        let s = &self.secret;
        let mix = |i: usize, k: usize| mul128_fold64(w[i] ^ s[2 * k], w[i + 1] ^ s[2 * k + 1]);
        let mut acc = (8 * n as u64).wrapping_mul(XXH_PRIME64_1);
        if n > 4 {
            if n > 8 {
                if n > 12 {
                    acc = acc.wrapping_add(mix(6, 6));
                    acc = acc.wrapping_add(mix(n - 8, 7));
                }
                acc = acc.wrapping_add(mix(4, 4));
                acc = acc.wrapping_add(mix(n - 6, 5));
            }
            acc = acc.wrapping_add(mix(2, 2));
            acc = acc.wrapping_add(mix(n - 4, 3));
        }
        acc = acc.wrapping_add(mix(0, 0));
        acc = acc.wrapping_add(mix(n - 2, 1));
        xxh3_avalanche(acc)
    }
}

const XXH_PRIME64_1: u64 = 0x9E37_79B1_85EB_CA87;

#[inline(always)]
fn mul128_fold64(a: u64, b: u64) -> u64 {
    let p = a as u128 * b as u128;
    p as u64 ^ (p >> 64) as u64
}

#[inline(always)]
fn xxh3_avalanche(mut h: u64) -> u64 {
    h ^= h >> 37;
    h = h.wrapping_mul(0x1656_6791_9E37_79F9);
    h ^ (h >> 32)
}

/// The seeded xxh3 of token hashes as little-endian bytes, through xxhash-rust: the reference
/// for [`WindowHasher::hash`], used for windows it does not specialise.
fn hash_tokens(tokens: &[u64], seed: u64) -> u64 {
    let mut buf = [0u8; 8 * 64];
    for (d, h) in buf.chunks_exact_mut(8).zip(tokens) {
        d.copy_from_slice(&h.to_le_bytes());
    }
    xxh3_64_with_seed(&buf[..tokens.len() * 8], seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(n: usize, kind: ShingleKind) -> Shingler {
        Shingler::new(ShingleConfig {
            kind,
            n,
            seed: DEFAULT_SEED,
        })
        .unwrap()
    }

    #[test]
    fn counts() {
        let s = sh(3, ShingleKind::Words);
        assert_eq!(s.shingle_set("a b c d e").len(), 3);
        assert_eq!(s.shingle_set("a b").len(), 1);
        assert_eq!(s.shingle_set("").len(), 0);
        // Repeated shingles count once.
        assert_eq!(s.shingle_set("a b c a b c a b c").len(), 3);
        let c = sh(3, ShingleKind::Chars);
        assert_eq!(c.shingle_set("abcd").len(), 2);
    }

    #[test]
    fn window_equals_whole_text_of_window() {
        let s = sh(3, ShingleKind::Words);
        let all = s.shingle_set("x y z w");
        assert!(all.contains(&s.shingle_set("y z w")[0]));
        assert!(all.contains(&s.shingle_set("x y z")[0]));
    }

    #[test]
    fn stable_values() {
        // Hashes are written out and compared across machines: pin them.
        let s = sh(2, ShingleKind::Words);
        assert_eq!(
            s.shingle_set("hello world"),
            vec![13_054_675_213_908_629_545]
        );
    }

    #[test]
    fn streaming_matches_lists() {
        let texts = [
            "",
            "one",
            "Two words",
            "a b c d",
            "a b c d e",
            "The Quick brown fox, jumps over the LAZY dog; ﬁne Straße été — again and again a b",
        ];
        for n in [1, 2, 3, 4, 5, 6, 7, 8, 9] {
            for kind in [ShingleKind::Words, ShingleKind::Chars] {
                let s = sh(n, kind);
                for t in texts {
                    let mut tokens = TokenHashes::default();
                    let mut scratch = String::new();
                    s.text_tokens_into(t, &mut scratch, &mut tokens);
                    let mut want = Vec::new();
                    s.shingles_into(&tokens, 0..tokens.len(), &mut want);
                    let mut got = Vec::new();
                    let count = s.for_each_text_shingle(t, &mut scratch, |h| got.push(h));
                    assert_eq!(got, want, "{t:?} n={n} {kind:?}");
                    assert_eq!(count, tokens.len());
                }
            }
        }
    }

    #[test]
    fn window_hash_is_xxh3_of_the_bytes() {
        // Every window length, several seeds, values spread over the whole u64 range.
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            x ^ (x >> 29)
        };
        for seed in [0, 1, DEFAULT_SEED, u64::MAX] {
            let h = WindowHasher::new(seed);
            for n in 1..=64 {
                for _ in 0..20 {
                    let w: Vec<u64> = (0..n).map(|_| next()).collect();
                    let bytes: Vec<u8> = w.iter().flat_map(|v| v.to_le_bytes()).collect();
                    assert_eq!(
                        h.hash(&w),
                        xxh3_64_with_seed(&bytes, seed),
                        "n={n} seed={seed}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        /// The ASCII word hash is xxh3 of the lowercase word, at every length and seed.
        #[test]
        fn word_hash_is_xxh3_of_the_lowercase(
            w in "[a-zA-Z0-9]{1,40}",
            seed in proptest::prelude::any::<u64>(),
        ) {
            let h = WordHasher::new(seed);
            let lower = w.to_ascii_lowercase();
            proptest::prop_assert_eq!(h.ascii(w.as_bytes()), xxh3_64_with_seed(lower.as_bytes(), seed));
            proptest::prop_assert_eq!(h.normalized(lower.as_bytes()), xxh3_64_with_seed(lower.as_bytes(), seed));
        }
    }

    proptest::proptest! {
        /// The normalized word hash is xxh3 of the bytes as they are (any bytes, UTF-8 of
        /// other scripts included), at every length and seed.
        #[test]
        fn normalized_hash_is_xxh3_of_the_bytes(
            w in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            seed in proptest::prelude::any::<u64>(),
        ) {
            let h = WordHasher::new(seed);
            proptest::prop_assert_eq!(h.normalized(&w), xxh3_64_with_seed(&w, seed));
        }
    }

    proptest::proptest! {
        /// The hash of a short word held in an integer is that of the word's bytes, whatever
        /// follows the word.
        #[test]
        fn word8_hash_is_the_word_hash(
            w in "[a-zA-Z0-9]{1,8}",
            junk in proptest::prelude::any::<u64>(),
            seed in proptest::prelude::any::<u64>(),
        ) {
            let h = WordHasher::new(seed);
            let n = w.len();
            let mut bytes = junk.to_le_bytes();
            bytes[..n].copy_from_slice(w.as_bytes());
            proptest::prop_assert_eq!(h.ascii_word8(u64::from_le_bytes(bytes), n), h.ascii(w.as_bytes()));
        }
    }

    #[test]
    fn word_hash_at_every_short_length() {
        for seed in [0, 1, DEFAULT_SEED, u64::MAX] {
            let h = WordHasher::new(seed);
            for n in 1..=20 {
                let w: String = "Zq09aBcDeFgHiJkLmNoPqRsT"[..n].to_string();
                let lower = w.to_ascii_lowercase();
                assert_eq!(
                    h.ascii(w.as_bytes()),
                    xxh3_64_with_seed(lower.as_bytes(), seed),
                    "n={n}"
                );
            }
        }
    }

    #[test]
    fn rejects_bad_n() {
        assert!(Shingler::new(ShingleConfig {
            n: 0,
            ..ShingleConfig::default()
        })
        .is_err());
    }
}
