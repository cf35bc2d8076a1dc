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

use rayon::prelude::*;

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

/// Counts of `u64` values (hashes) in an open-addressing table with linear probing, one
/// look-up per value counted: no sorting, no pass to deduplicate a page first.
///
/// A slot is `(value, count, stamp)`. Every page counted takes a new stamp, greater than all
/// before; a slot's stamp is that of the last page that counted its value, so a value
/// repeated within a page counts once. Slots whose stamp is not above `old` are empty, which
/// makes emptying the table ([`Counts::clear`]) a matter of raising `old`: the memory is
/// reused from source to source without being zeroed again, and only the first `size` slots
/// (as many as the source needs) are used. The values counted twice are listed as they reach
/// 2 (rarely), so that finding them reads no table.
#[derive(Clone, Debug, Default)]
struct Counts {
    /// The slots; the table is the first `size` (a power of two, or 0 before any use).
    slots: Vec<(u64, u32, u32)>,
    size: usize,
    /// Values in the table.
    len: usize,
    /// Slots stamped `old` or lower are empty (zeroed slots bear stamp 0).
    old: u32,
    /// The last stamp taken.
    now: u32,
    /// The values counted 2 or more times, in the order they reached 2.
    repeated: Vec<u64>,
}

/// Fewest slots of a table that holds anything.
const MIN_SLOTS: usize = 16;

/// The Fibonacci-hashing multiplier: values that are not hashes (small numbers) spread over
/// the table too.
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

impl Counts {
    /// The first slot to probe for `v` in a table of `size` slots.
    #[inline]
    fn home(v: u64, size: usize) -> usize {
        (v.wrapping_mul(SPREAD) >> (64 - size.trailing_zeros())) as usize
    }

    /// The size of a table for `n` values: at most three quarters full.
    fn size_for(n: usize) -> usize {
        (n + n.div_ceil(3)).next_power_of_two().max(MIN_SLOTS)
    }

    /// Makes room for `additional` more values (at most: a page's values are often repeats),
    /// keeping the table at most three quarters full.
    fn reserve(&mut self, additional: usize) {
        let need = self.len + additional;
        if need <= self.size / 4 * 3 {
            return;
        }
        let size = Counts::size_for(need);
        if self.len == 0 {
            // Empty: the slots are reused as they are (their stamps are old).
            if self.slots.len() < size {
                self.slots = Vec::new();
                self.slots = vec![(0, 0, 0); size];
            }
            self.size = size;
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![(0, 0, 0); size]);
        let (old_size, stale) = (std::mem::replace(&mut self.size, size), self.old);
        for e in &old[..old_size] {
            if e.2 > stale {
                let i = self.probe(e.0);
                self.slots[i] = *e;
            }
        }
    }

    /// A new stamp, for a page (or a source) about to be counted.
    fn next_stamp(&mut self) -> u32 {
        self.now += 1;
        self.now
    }

    /// Empties the table, keeping its memory. Its size is chosen again by the next
    /// [`Counts::reserve`] (smaller than the last, perhaps: a table is read whole when
    /// finished).
    fn clear(&mut self) {
        self.len = 0;
        self.size = 0;
        self.repeated.clear();
        self.old = self.now;
        if self.old > u32::MAX / 2 {
            // Stamps run out some day: zero the slots once.
            self.slots.fill((0, 0, 0));
            (self.old, self.now) = (0, 0);
        }
    }

    /// The slot of `v` in the table: where it is, or the empty one where it goes (the table
    /// has one).
    #[inline]
    fn probe(&self, v: u64) -> usize {
        let mask = self.size - 1;
        let mut i = Counts::home(v, self.size);
        loop {
            let e = &self.slots[i];
            if e.2 <= self.old || e.0 == v {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Counts a page: each of `values` once (a value repeated in the page counts once).
    fn add_page(&mut self, values: &[u64]) {
        self.reserve(values.len());
        let stamp = self.next_stamp();
        if values.is_empty() {
            return;
        }
        // `probe`, with the table's fields read once for the page.
        let (old, size) = (self.old, self.size);
        let shift = 64 - size.trailing_zeros();
        let table = &mut self.slots[..size];
        // An index masked by the table's own length minus one is known in bounds.
        let mask = table.len() - 1;
        let mut added = 0;
        for &v in values {
            let mut i = (v.wrapping_mul(SPREAD) >> shift) as usize & mask;
            loop {
                let e = &mut table[i];
                if e.2 <= old {
                    *e = (v, 1, stamp);
                    added += 1;
                    break;
                }
                if e.0 == v {
                    if e.2 != stamp {
                        e.1 += 1;
                        e.2 = stamp;
                        if e.1 == 2 {
                            self.repeated.push(v);
                        }
                    }
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        self.len += added;
    }

    /// Adds `other`'s counts.
    fn merge(&mut self, other: &Counts) {
        self.reserve(other.len);
        // Below the stamp of any page counted later.
        let stamp = self.next_stamp();
        for (v, c) in other.iter() {
            let i = self.probe(v);
            let e = &mut self.slots[i];
            let before = if e.2 <= self.old {
                *e = (v, c, stamp);
                self.len += 1;
                0
            } else {
                e.1 += c;
                e.1 - c
            };
            if before < 2 && e.1 >= 2 {
                self.repeated.push(v);
            }
        }
    }

    fn get(&self, v: u64) -> u32 {
        if self.len == 0 {
            return 0;
        }
        let e = self.slots[self.probe(v)];
        if e.2 <= self.old {
            0
        } else {
            e.1
        }
    }

    /// The values with their counts, in table order (which no output depends on).
    fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let old = self.old;
        self.slots[..self.size]
            .iter()
            .filter(move |e| e.2 > old)
            .map(|&(v, c, _)| (v, c))
    }

    /// The values counted 2 or more times, in a hash table just large enough.
    fn repeated(&self) -> KeyMap<u32> {
        let mut out = KeyMap::with_capacity_and_hasher(self.repeated.len(), Default::default());
        out.extend(self.repeated.iter().map(|&v| (v, self.get(v))));
        out
    }
}

/// Repetition counts for one source.
#[derive(Clone, Debug, Default)]
pub struct SourceStats {
    /// Pages of the source.
    pub pages: u32,
    key_df: Counts,
    shingle_df: Counts,
}

impl SourceStats {
    /// Adds one page.
    pub fn add_page(&mut self, page: &PageKeys) {
        self.add_page_values(&page.keys, &page.shingles);
    }

    /// Adds one page from its key and shingle hashes, repeats and all
    /// ([`PageAnalysis::raw_keys`](super::PageAnalysis::raw_keys)): the same counts as
    /// [`SourceStats::add_page`] with the distinct values.
    pub(crate) fn add_page_values(&mut self, keys: &[u64], shingles: &[u64]) {
        self.pages += 1;
        self.key_df.add_page(keys);
        self.shingle_df.add_page(shingles);
    }

    /// Makes room for pages holding `keys` keys and `shingles` shingles in all, to be added
    /// with [`SourceStats::add_page`].
    pub fn reserve(&mut self, keys: usize, shingles: usize) {
        self.key_df.reserve(keys);
        self.shingle_df.reserve(shingles);
    }

    /// Adds the counts of `other` (pages of the same source).
    pub fn merge(&mut self, other: SourceStats) {
        self.pages += other.pages;
        self.key_df.merge(&other.key_df);
        self.shingle_df.merge(&other.shingle_df);
    }

    /// Pages of the source holding a paragraph with key `key`.
    pub fn key_pages(&self, key: u64) -> u32 {
        self.key_df.get(key)
    }

    /// Pages of the source holding the 3-shingle `shingle` (in a key of ≥ 6 tokens).
    pub fn shingle_pages(&self, shingle: u64) -> u32 {
        self.shingle_df.get(shingle)
    }

    /// What labelling needs of the source (its repeats) and what counting sources per key
    /// needs (its distinct keys) ([`CorpusStats::from_finished`]). The counts are emptied:
    /// the statistics of another source can be gathered here, in the same memory.
    pub(crate) fn take_finished(&mut self) -> FinishedSource {
        let finished = FinishedSource {
            repeats: Repeats::of(self),
            keys: self.key_df.iter().map(|e| e.0).collect(),
        };
        self.pages = 0;
        self.key_df.clear();
        self.shingle_df.clear();
        finished
    }
}

/// A source's part of [`CorpusStats`] without its counts ([`SourceStats::take_finished`]).
#[derive(Debug)]
pub(crate) struct FinishedSource {
    repeats: Repeats,
    /// The distinct paragraph keys of the source.
    keys: Vec<u64>,
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
        let repeats = self
            .sources
            .par_iter()
            .map(|(name, s)| (name.clone(), Repeats::of(s)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let keys: Vec<Vec<u64>> = self
            .sources
            .values()
            .map(|s| s.key_df.iter().map(|e| e.0).collect())
            .collect();
        let key_sources = count_sources(keys.iter().map(Vec::as_slice));
        CorpusStats {
            sources: self.sources,
            key_sources,
            repeats,
        }
    }
}

/// The number of lists holding each value (each list counted as a page).
fn count_sources<'a>(lists: impl Iterator<Item = &'a [u64]> + Clone) -> Counts {
    let mut c = Counts::default();
    c.reserve(lists.clone().map(<[u64]>::len).sum());
    for list in lists {
        c.add_page(list);
    }
    c
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
            key_df: s.key_df.repeated(),
            shingle_df: s.shingle_df.repeated(),
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
    /// Per source, its counts; none when built by [`CorpusStats::from_finished`], which keeps
    /// only what labelling reads.
    sources: BTreeMap<String, SourceStats>,
    /// Sources per paragraph key.
    key_sources: Counts,
    /// Per source, what labelling looks up.
    repeats: BTreeMap<String, Repeats>,
}

impl CorpusStats {
    /// Statistics for labelling from finished sources (each source's counts dropped as soon
    /// as it was finished, so that only a source or two are counted in memory at a time):
    /// like [`RepetitionStats::finish`], except that [`CorpusStats::source`] knows no source.
    /// Each source must come once.
    pub(crate) fn from_finished(sources: Vec<(String, FinishedSource)>) -> CorpusStats {
        let key_sources = count_sources(sources.iter().map(|s| s.1.keys.as_slice()));
        CorpusStats {
            sources: BTreeMap::new(),
            key_sources,
            repeats: sources
                .into_iter()
                .map(|(name, f)| (name, f.repeats))
                .collect(),
        }
    }

    /// The statistics of one source.
    pub fn source(&self, source: &str) -> Option<&SourceStats> {
        self.sources.get(source)
    }

    /// Number of distinct sources holding a paragraph with key `key`.
    pub fn key_sources(&self, key: u64) -> u32 {
        self.key_sources.get(key)
    }

    /// The repeated keys and shingles of one source.
    pub(crate) fn repeats(&self, source: &str) -> Option<&Repeats> {
        self.repeats.get(source)
    }

    /// [`CorpusStats::key_sources`] when 2 or more, else 0.
    #[inline]
    pub(crate) fn repeated_key_sources(&self, key: u64) -> u32 {
        let n = self.key_sources.get(key);
        if n >= 2 {
            n
        } else {
            0
        }
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

    /// Pages of values, with repeats within a page: hashes, small values (which share their
    /// high bits) and a few values on many pages.
    fn pages(n: usize) -> Vec<Vec<u64>> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|p| {
                (0..(p * 37) % 300)
                    .map(|i| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        match i % 5 {
                            0 => x & 0xff,
                            1 => (i as u64 % 7) << 60,
                            _ => x,
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Pages holding each value: the reference of [`Counts`].
    fn page_counts(pages: &[Vec<u64>]) -> BTreeMap<u64, u32> {
        let mut want = BTreeMap::new();
        for p in pages {
            let distinct: std::collections::BTreeSet<u64> = p.iter().copied().collect();
            for v in distinct {
                *want.entry(v).or_default() += 1;
            }
        }
        want
    }

    fn counts_of(c: &Counts) -> BTreeMap<u64, u32> {
        c.iter().collect()
    }

    #[test]
    fn counts_add_up() {
        let pages = pages(400);
        let want = page_counts(&pages);
        // Counted with and without room made first, and in two halves merged.
        let mut a = Counts::default();
        a.reserve(pages.iter().map(Vec::len).sum());
        let mut b = Counts::default();
        let (mut h1, mut h2) = (Counts::default(), Counts::default());
        for (i, p) in pages.iter().enumerate() {
            a.add_page(p);
            b.add_page(p);
            if i % 3 == 0 { &mut h1 } else { &mut h2 }.add_page(p);
        }
        h1.merge(&h2);
        for c in [&a, &b, &h1] {
            assert_eq!(counts_of(c), want);
            assert_eq!(c.len, want.len());
            for (&v, &n) in want.iter().take(500) {
                assert_eq!(c.get(v), n);
            }
            assert_eq!(c.get(0x1234_5678_9abc_def1), 0);
            let rep: BTreeMap<u64, u32> = c.repeated().into_iter().collect();
            let want_rep: BTreeMap<u64, u32> = want
                .iter()
                .filter(|e| *e.1 >= 2)
                .map(|(&v, &n)| (v, n))
                .collect();
            assert_eq!(rep, want_rep);
        }
        assert_eq!(Counts::default().get(3), 0);
    }

    proptest::proptest! {
        /// Pages with repeats, counted into sources in any split, merged in any order: the
        /// counts are a plain count of the pages holding each value, whether pages come with
        /// their repeats or as distinct values, and [`CorpusStats`] from finished sources
        /// answers as [`RepetitionStats::finish`] does.
        #[test]
        fn stats_agree_with_a_plain_count(
            pages in proptest::collection::vec(
                (0usize..3, proptest::collection::vec(0u64..40, 0..30),
                 proptest::collection::vec(0u64..60, 0..40)),
                0..40),
            split in 0usize..40,
        ) {
            let split = split.min(pages.len());
            let names = ["a", "b", "c"];
            let mut one = RepetitionStats::new();
            let (mut x, mut y) = (RepetitionStats::new(), RepetitionStats::new());
            for (i, (s, k, sh)) in pages.iter().enumerate() {
                let mut dk = k.clone();
                dk.sort_unstable();
                dk.dedup();
                let mut ds = sh.clone();
                ds.sort_unstable();
                ds.dedup();
                let page = PageKeys { keys: dk, shingles: ds };
                one.add_page(names[*s], &page);
                if i < split { &mut x } else { &mut y }.add_page(names[*s], &page);
            }
            y.merge(x);
            // The pages with their repeats, each source counted in turn in the same
            // statistics (emptied by `take_finished`), with or without room made first.
            let mut counter = SourceStats::default();
            let mut finished = Vec::new();
            for (s, name) in names.iter().enumerate() {
                let of: Vec<_> = pages.iter().filter(|p| p.0 == s).collect();
                if of.is_empty() {
                    continue;
                }
                if s != 1 {
                    counter.reserve(
                        of.iter().map(|p| p.1.len()).sum(),
                        of.iter().map(|p| p.2.len()).sum(),
                    );
                }
                for p in &of {
                    counter.add_page_values(&p.1, &p.2);
                }
                let want = page_counts(&of.iter().map(|p| p.2.clone()).collect::<Vec<_>>());
                proptest::prop_assert_eq!(counts_of(&counter.shingle_df), want);
                finished.push((name.to_string(), counter.take_finished()));
            }
            let lean = CorpusStats::from_finished(finished);
            let mut key_sources: BTreeMap<u64, u32> = BTreeMap::new();
            let (one, y) = (one.finish(), y.finish());
            for (s, name) in names.iter().enumerate() {
                let of: Vec<&(usize, Vec<u64>, Vec<u64>)> =
                    pages.iter().filter(|p| p.0 == s).collect();
                let kd = page_counts(&of.iter().map(|p| p.1.clone()).collect::<Vec<_>>());
                let sd = page_counts(&of.iter().map(|p| p.2.clone()).collect::<Vec<_>>());
                for &k in kd.keys() {
                    *key_sources.entry(k).or_default() += 1;
                }
                for c in [&one, &y, &lean] {
                    let r = c.repeats(name);
                    proptest::prop_assert_eq!(r.map_or(0, |r| r.pages), of.len() as u32);
                    for v in 0..61 {
                        let (k, sh) = (kd.get(&v).copied().unwrap_or(0),
                                       sd.get(&v).copied().unwrap_or(0));
                        let rep = |n: u32| if n >= 2 { n } else { 0 };
                        proptest::prop_assert_eq!(r.map_or(0, |r| r.key_pages(v)), rep(k));
                        proptest::prop_assert_eq!(r.map_or(0, |r| r.shingle_pages(v)), rep(sh));
                    }
                }
                for c in [&one, &y] {
                    let st = c.source(name);
                    proptest::prop_assert_eq!(st.map_or(0, |s| s.pages), of.len() as u32);
                    for v in 0..61 {
                        proptest::prop_assert_eq!(st.map_or(0, |s| s.key_pages(v)),
                                                  kd.get(&v).copied().unwrap_or(0));
                        proptest::prop_assert_eq!(st.map_or(0, |s| s.shingle_pages(v)),
                                                  sd.get(&v).copied().unwrap_or(0));
                    }
                }
            }
            for c in [&one, &y, &lean] {
                for v in 0..61 {
                    let n = key_sources.get(&v).copied().unwrap_or(0);
                    proptest::prop_assert_eq!(c.key_sources(v), n);
                    proptest::prop_assert_eq!(c.repeated_key_sources(v), if n >= 2 { n } else { 0 });
                }
            }
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

    #[test]
    fn pages_added_after_a_merge_count_once() {
        // Stamps of merged values must not be taken for a later page's.
        let mut a = SourceStats::default();
        a.add_page_values(&[1, 1, 2], &[]);
        let mut b = SourceStats::default();
        b.add_page_values(&[1, 3], &[]);
        b.add_page_values(&[3, 4], &[]);
        a.merge(b);
        a.add_page_values(&[3, 3, 4, 5], &[]);
        a.add_page_values(&[1, 2, 3], &[]);
        let got: Vec<u32> = (1..=5).map(|k| a.key_pages(k)).collect();
        assert_eq!((a.pages, got), (5, vec![3, 2, 4, 2, 1]));
    }
}
