//! Stage 2: per-source repetition statistics.
//!
//! For every source: the number of pages, and for every paragraph key and every word
//! 3-shingle of long keys, the number of pages holding it. Across sources: the number of
//! sources holding each key, so that a paragraph reprinted by *different* outlets (a
//! syndicated wire story) is not mistaken for one outlet's template.
//!
//! Statistics are counts, so they can be built from pages in any order, on any number of
//! threads, and merged ([`RepetitionStats::merge`]); the result is the same.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::features::PageKeys;

/// A hasher for keys that are already hashes (xxh3 of paragraph keys and shingles, uniformly
/// spread): the key is its own hash, with the high bits (hashbrown's control bytes) mixed in
/// the low ones. No hashing per insert, lookup or rehash.
#[derive(Clone, Copy, Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; other input still hashes deterministically.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    #[inline]
    fn write_u64(&mut self, k: u64) {
        self.0 = k;
    }
}

/// A map keyed by an already-hashed `u64`.
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// Repetition counts for one source.
#[derive(Clone, Debug, Default)]
pub struct SourceStats {
    /// Pages of the source.
    pub pages: u32,
    key_df: KeyMap<u32>,
    shingle_df: KeyMap<u32>,
}

impl SourceStats {
    /// Adds one page.
    pub fn add_page(&mut self, page: &PageKeys) {
        self.pages += 1;
        for &k in &page.keys {
            *self.key_df.entry(k).or_default() += 1;
        }
        for &s in &page.shingles {
            *self.shingle_df.entry(s).or_default() += 1;
        }
    }

    /// Adds the counts of `other` (pages of the same source).
    pub fn merge(&mut self, other: SourceStats) {
        self.pages += other.pages;
        for (k, n) in other.key_df {
            *self.key_df.entry(k).or_default() += n;
        }
        for (k, n) in other.shingle_df {
            *self.shingle_df.entry(k).or_default() += n;
        }
    }

    /// Pages of the source holding a paragraph with key `key`.
    pub fn key_pages(&self, key: u64) -> u32 {
        self.key_df.get(&key).copied().unwrap_or(0)
    }

    /// Pages of the source holding the 3-shingle `shingle` (in a key of ≥ 6 tokens).
    pub fn shingle_pages(&self, shingle: u64) -> u32 {
        self.shingle_df.get(&shingle).copied().unwrap_or(0)
    }
}

/// Repetition statistics of a corpus: per source, and sources per key.
#[derive(Clone, Debug, Default)]
pub struct RepetitionStats {
    sources: BTreeMap<String, SourceStats>,
}

impl RepetitionStats {
    /// Empty statistics.
    pub fn new() -> RepetitionStats {
        RepetitionStats::default()
    }

    /// Adds one page of `source` (`""` for documents without a source).
    pub fn add_page(&mut self, source: &str, page: &PageKeys) {
        if let Some(s) = self.sources.get_mut(source) {
            s.add_page(page);
        } else {
            let mut s = SourceStats::default();
            s.add_page(page);
            self.sources.insert(source.to_owned(), s);
        }
    }

    /// Adds the counts of pages of `source` gathered in `stats`.
    pub fn add_source(&mut self, source: &str, stats: SourceStats) {
        match self.sources.get_mut(source) {
            Some(mine) => mine.merge(stats),
            None => {
                self.sources.insert(source.to_owned(), stats);
            }
        }
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: RepetitionStats) {
        for (name, s) in other.sources {
            match self.sources.get_mut(&name) {
                Some(mine) => mine.merge(s),
                None => {
                    self.sources.insert(name, s);
                }
            }
        }
    }

    /// The statistics of one source.
    pub fn source(&self, source: &str) -> Option<&SourceStats> {
        self.sources.get(source)
    }

    /// Number of sources.
    pub fn num_sources(&self) -> usize {
        self.sources.len()
    }

    /// Finishes the statistics: counts, for every key, the sources holding it.
    pub fn finish(self) -> CorpusStats {
        let mut key_sources: KeyMap<u32> = KeyMap::default();
        key_sources.reserve(
            self.sources
                .values()
                .map(|s| s.key_df.len())
                .max()
                .unwrap_or(0),
        );
        for s in self.sources.values() {
            for &k in s.key_df.keys() {
                *key_sources.entry(k).or_default() += 1;
            }
        }
        let repeats = self
            .sources
            .iter()
            .map(|(name, s)| (name.clone(), Repeats::of(s)))
            .collect();
        CorpusStats {
            sources: self.sources,
            repeated_key_sources: repeated(&key_sources),
            key_sources,
            repeats,
        }
    }
}

/// The entries of `m` with a count of 2 or more, in a table just large enough.
fn repeated(m: &KeyMap<u32>) -> KeyMap<u32> {
    let n = m.values().filter(|&&c| c >= 2).count();
    let mut out = KeyMap::with_capacity_and_hasher(n, Default::default());
    out.extend(m.iter().filter(|(_, &c)| c >= 2).map(|(&k, &c)| (k, c)));
    out
}

/// What labelling looks up in one source: its keys and shingles on 2 or more pages. Most
/// paragraphs are on one page only; leaving them out makes the tables small (a look-up that
/// misses reads one control group, mostly in cache).
#[derive(Clone, Debug, Default)]
pub(crate) struct Repeats {
    /// Pages of the source.
    pub(crate) pages: u32,
    key_df: KeyMap<u32>,
    shingle_df: KeyMap<u32>,
}

impl Repeats {
    fn of(s: &SourceStats) -> Repeats {
        Repeats {
            pages: s.pages,
            key_df: repeated(&s.key_df),
            shingle_df: repeated(&s.shingle_df),
        }
    }

    /// [`SourceStats::key_pages`] when 2 or more, else 0.
    #[inline]
    pub(crate) fn key_pages(&self, key: u64) -> u32 {
        self.key_df.get(&key).copied().unwrap_or(0)
    }

    /// [`SourceStats::shingle_pages`] when 2 or more, else 0.
    #[inline]
    pub(crate) fn shingle_pages(&self, shingle: u64) -> u32 {
        self.shingle_df.get(&shingle).copied().unwrap_or(0)
    }
}

/// Finished statistics, ready for labelling ([`RepetitionStats::finish`]).
#[derive(Clone, Debug, Default)]
pub struct CorpusStats {
    sources: BTreeMap<String, SourceStats>,
    key_sources: KeyMap<u32>,
    /// Per source, what labelling looks up.
    repeats: BTreeMap<String, Repeats>,
    /// `key_sources` of 2 or more.
    repeated_key_sources: KeyMap<u32>,
}

impl CorpusStats {
    /// The statistics of one source.
    pub fn source(&self, source: &str) -> Option<&SourceStats> {
        self.sources.get(source)
    }

    /// Number of distinct sources holding a paragraph with key `key`.
    pub fn key_sources(&self, key: u64) -> u32 {
        self.key_sources.get(&key).copied().unwrap_or(0)
    }

    /// The repeated keys and shingles of one source.
    pub(crate) fn repeats(&self, source: &str) -> Option<&Repeats> {
        self.repeats.get(source)
    }

    /// [`CorpusStats::key_sources`] when 2 or more, else 0.
    #[inline]
    pub(crate) fn repeated_key_sources(&self, key: u64) -> u32 {
        self.repeated_key_sources.get(&key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &[u64]) -> PageKeys {
        PageKeys {
            keys: k.to_vec(),
            shingles: vec![],
        }
    }

    #[test]
    fn merge_is_order_independent() {
        let pages = [
            ("a", keys(&[1, 2])),
            ("a", keys(&[2, 3])),
            ("b", keys(&[2])),
        ];
        let mut one = RepetitionStats::new();
        for (s, p) in &pages {
            one.add_page(s, p);
        }
        let mut x = RepetitionStats::new();
        x.add_page("b", &pages[2].1);
        x.add_page("a", &pages[1].1);
        let mut y = RepetitionStats::new();
        y.add_page("a", &pages[0].1);
        y.merge(x);
        for st in [one, y] {
            let c = st.finish();
            let a = c.source("a").unwrap();
            assert_eq!((a.pages, a.key_pages(2), a.key_pages(1)), (2, 2, 1));
            assert_eq!(c.key_sources(2), 2);
            assert_eq!(c.key_sources(3), 1);
            let r = c.repeats("a").unwrap();
            assert_eq!((r.pages, r.key_pages(2), r.key_pages(1)), (2, 2, 0));
            assert_eq!(c.repeated_key_sources(2), 2);
            assert_eq!(c.repeated_key_sources(3), 0);
        }
    }
}
