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
                let seed = self.config.seed;
                crate::normalize::for_each_word(text, scratch, |w| {
                    out.push(xxh3_64_with_seed(w, seed));
                });
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
        mut emit: impl FnMut(u64),
    ) -> usize {
        debug_assert_eq!(N, self.config.n);
        let seed = self.config.seed;
        let mut window = [0u64; N];
        let mut count = 0usize;
        crate::normalize::for_each_word(text, scratch, |w| {
            window.copy_within(1.., 0);
            window[N - 1] = xxh3_64_with_seed(w, seed);
            count += 1;
            if count >= N {
                emit(self.window_hash.hash(&window));
            }
        });
        if count > 0 && count < N {
            emit(self.window_hash.hash(&window[N - count..]));
        }
        count
    }

    /// [`Shingler::for_each_text_shingle`] for words with any `n`. The last `n` token hashes
    /// live in a ring written twice over (slot `i` and `i + n`), so every window is one
    /// contiguous slice.
    fn word_shingles_ring(
        &self,
        text: &str,
        scratch: &mut String,
        mut emit: impl FnMut(u64),
    ) -> usize {
        let n = self.config.n;
        let seed = self.config.seed;
        let mut ring = [0u64; 2 * 64];
        let mut count = 0usize;
        let mut next = 0usize;
        crate::normalize::for_each_word(text, scratch, |w| {
            let h = xxh3_64_with_seed(w, seed);
            ring[next] = h;
            ring[next + n] = h;
            count += 1;
            next += 1;
            if next == n {
                next = 0;
            }
            if count >= n {
                // `next` is now the slot of the oldest of the last n tokens.
                emit(self.window_hash.hash(&ring[next..next + n]));
            }
        });
        if count > 0 && count < n {
            emit(self.window_hash.hash(&ring[..count]));
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

/// Hashes windows of token hashes: the seeded xxh3 of the tokens' hashes as little-endian
/// bytes. For windows of 3 to 16 tokens (24 to 128 bytes, xxh3's "17 to 128 bytes" case) it
/// computes that xxh3 straight from the words, with the seed already folded into the secret:
/// the same value as `xxh3_64_with_seed` on the bytes (tested), without writing the bytes out.
#[derive(Clone, Copy, Debug)]
struct WindowHasher {
    seed: u64,
    /// The first 128 bytes of xxh3's secret derived from `seed`, as little-endian words:
    /// `secret[2i] = default[2i] + seed`, `secret[2i + 1] = default[2i + 1] - seed`.
    secret: [u64; 16],
}

impl WindowHasher {
    fn new(seed: u64) -> WindowHasher {
        let bytes = xxhash_rust::const_xxh3::const_custom_default_secret(seed);
        let mut secret = [0u64; 16];
        for (w, b) in secret.iter_mut().zip(bytes.chunks_exact(8)) {
            *w = u64::from_le_bytes(b.try_into().expect("8 bytes"));
        }
        WindowHasher { seed, secret }
    }

    /// The hash of a window of token hashes. With the length known at compile time this is
    /// straight-line code.
    #[inline(always)]
    fn hash(&self, w: &[u64]) -> u64 {
        let n = w.len();
        if !(3..=16).contains(&n) {
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

    #[test]
    fn rejects_bad_n() {
        assert!(Shingler::new(ShingleConfig {
            n: 0,
            ..ShingleConfig::default()
        })
        .is_err());
    }
}
