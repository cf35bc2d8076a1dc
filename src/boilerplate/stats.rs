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
use crate::sort::{radix_sort, sort_chunks};

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

/// Counts of `u64` values: the values counted so far, sorted with their repeats (a value's
/// count is the length of its run), and values added since (unsorted, one per page). Adding
/// is appending; [`Counts::consolidate`] sorts (radix) and merges the added values in, in
/// sequential passes over memory instead of one random access into a large hash table per
/// value. Runs are not folded into `(value, count)` pairs: that would be one more pass and
/// one more allocation of fresh memory per source, for lists that are only read in order
/// ([`Counts::runs`], [`Counts::repeated`]) or, rarely, searched ([`Counts::get`]).
#[derive(Clone, Debug, Default)]
struct Counts {
    sorted: Vec<u64>,
    pending: Vec<u64>,
}

impl Counts {
    fn consolidate(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        radix_sort(&mut pending);
        self.sorted = if self.sorted.is_empty() {
            pending
        } else {
            merge_sorted(&std::mem::take(&mut self.sorted), &pending)
        };
    }

    fn merge(&mut self, mut other: Counts) {
        self.consolidate();
        other.consolidate();
        self.sorted = if self.sorted.is_empty() {
            other.sorted
        } else {
            merge_sorted(&self.sorted, &other.sorted)
        };
    }

    fn get(&self, v: u64) -> u32 {
        let lo = self.sorted.partition_point(|&x| x < v);
        let hi = lo + self.sorted[lo..].partition_point(|&x| x == v);
        (hi - lo + self.pending.iter().filter(|&&x| x == v).count()) as u32
    }

    /// Values counted, with repeats: at least the number of distinct values.
    fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The distinct values with their counts, ascending (after [`Counts::consolidate`]).
    fn runs(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.sorted
            .chunk_by(|a, b| a == b)
            .map(|g| (g[0], g.len() as u32))
    }

    /// The values counted 2 or more times (after [`Counts::consolidate`]), in a hash table
    /// just large enough.
    fn repeated(&self) -> KeyMap<u32> {
        let runs = repeated_runs(&self.sorted);
        let mut out = KeyMap::with_capacity_and_hasher(runs.len(), Default::default());
        out.extend(runs);
        out
    }
}

/// The runs of 2 or more equal values of a sorted list, as (value, length), in order. Equal
/// neighbours are found 64 at a time as a bit mask (bit `j`: value `j` equals the next), so
/// the values counted once (most of them) cost no branch each; a run is a row of set bits.
fn repeated_runs(s: &[u64]) -> Vec<(u64, u32)> {
    let mut runs: Vec<(u64, u32)> = Vec::new();
    if s.len() < 2 {
        return runs;
    }
    // The run being counted: its value, its length, and the position of its last pair.
    let mut open: Option<(u64, u32, usize)> = None;
    let pairs = s.len() - 1;
    let mut base = 0;
    while base < pairs {
        let len = (pairs - base).min(64);
        let mut eq = 0u64;
        for (j, (a, b)) in s[base..base + len]
            .iter()
            .zip(&s[base + 1..base + len + 1])
            .enumerate()
        {
            eq |= u64::from(a == b) << j;
        }
        while eq != 0 {
            let at = base + eq.trailing_zeros() as usize;
            eq &= eq - 1;
            match &mut open {
                Some((_, n, last)) if *last + 1 == at => {
                    *n += 1;
                    *last = at;
                }
                _ => {
                    if let Some((v, n, _)) = open {
                        runs.push((v, n));
                    }
                    open = Some((s[at], 2, at));
                }
            }
        }
        base += len;
    }
    if let Some((v, n, _)) = open {
        runs.push((v, n));
    }
    runs
}

/// Two sorted lists merged, repeats kept.
fn merge_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
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
        self.pages += 1;
        self.key_df.pending.extend_from_slice(&page.keys);
        self.shingle_df.pending.extend_from_slice(&page.shingles);
    }

    /// Makes room for pages holding `keys` keys and `shingles` shingles in all, to be added
    /// with [`SourceStats::add_page`].
    pub fn reserve(&mut self, keys: usize, shingles: usize) {
        self.key_df.pending.reserve(keys);
        self.shingle_df.pending.reserve(shingles);
    }

    /// Adds the counts of `other` (pages of the same source).
    pub fn merge(&mut self, other: SourceStats) {
        self.pages += other.pages;
        self.key_df.merge(other.key_df);
        self.shingle_df.merge(other.shingle_df);
    }

    /// Sorts the pages added into the counts (look-ups are fast after it; they are exact
    /// either way). [`RepetitionStats::finish`] does it for sources too long to count in a
    /// table.
    fn consolidate(&mut self) {
        self.key_df.consolidate();
        self.shingle_df.consolidate();
    }

    /// Pages of the source holding a paragraph with key `key`.
    pub fn key_pages(&self, key: u64) -> u32 {
        self.key_df.get(key)
    }

    /// Pages of the source holding the 3-shingle `shingle` (in a key of ≥ 6 tokens).
    pub fn shingle_pages(&self, shingle: u64) -> u32 {
        self.shingle_df.get(shingle)
    }
}

/// The values of one list of a source as its pages arrive, in chunks of at most
/// [`TABLE_MAX`] values, each growing as a `Vec` does: a list counted in a table is its one
/// chunk, kept as it is; a long list is never reallocated whole (a chunk at most: 512 KiB),
/// and is sorted from its chunks ([`sort_chunks`]). A chunk allocated at full size could
/// leave up to 512 KiB unused at the end of every long list.
#[derive(Debug, Default)]
struct Chunks {
    chunks: Vec<Vec<u64>>,
    len: usize,
}

impl Chunks {
    fn extend(&mut self, mut values: &[u64]) {
        self.len += values.len();
        while !values.is_empty() {
            if self.chunks.last().map_or(true, |c| c.len() == TABLE_MAX) {
                self.chunks.push(Vec::new());
            }
            let Some(last) = self.chunks.last_mut() else {
                break;
            };
            let take = (TABLE_MAX - last.len()).min(values.len());
            last.extend_from_slice(&values[..take]);
            values = &values[take..];
        }
    }

    /// Makes room in the first chunk for `n` more values (up to its size), if none came yet.
    fn reserve(&mut self, n: usize) {
        if self.chunks.is_empty() {
            self.chunks.push(Vec::with_capacity(n.min(TABLE_MAX)));
        }
    }

    /// The counts of the values: `sorted` ([`sort_chunks`]), or left as they came (`pending`).
    fn into_counts(mut self, sort: bool) -> Counts {
        if sort {
            Counts {
                sorted: sort_chunks(self.chunks, self.len),
                pending: Vec::new(),
            }
        } else {
            let pending = if self.chunks.len() <= 1 {
                self.chunks.pop().unwrap_or_default()
            } else {
                self.chunks.concat()
            };
            Counts {
                sorted: Vec::new(),
                pending,
            }
        }
    }
}

/// A source's repetition keys collected page by page as a first pass delivers them (each
/// page's own lists can be freed at once), then made into its [`SourceStats`]: lists short
/// enough to count in a table are kept as they came, longer ones are sorted, as
/// [`RepetitionStats::finish`] would sort them.
#[derive(Debug, Default)]
pub(crate) struct SourceKeys {
    pages: u32,
    keys: Chunks,
    shingles: Chunks,
}

impl SourceKeys {
    /// Adds one page.
    pub(crate) fn add_page(&mut self, page: &PageKeys) {
        self.pages += 1;
        self.keys.extend(&page.keys);
        self.shingles.extend(&page.shingles);
    }

    /// Makes room for pages holding `keys` keys and `shingles` shingles in all, if no page
    /// came yet.
    pub(crate) fn reserve(&mut self, keys: usize, shingles: usize) {
        self.keys.reserve(keys);
        self.shingles.reserve(shingles);
    }

    /// The statistics of the source: the same counts as [`SourceStats::add_page`] of every
    /// page gives.
    pub(crate) fn into_stats(self) -> SourceStats {
        let sort = self.keys.len > TABLE_MAX || self.shingles.len > TABLE_MAX;
        SourceStats {
            pages: self.pages,
            key_df: self.keys.into_counts(sort),
            shingle_df: self.shingles.into_counts(sort),
        }
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
    ///
    /// A source's list of values, if short enough, is counted in a table ([`CountTable`]);
    /// a longer one is sorted (in order: the sorting of every source, the sources of every
    /// key, then the repeats of the sorted sources, each step's memory freed before the
    /// next).
    pub fn finish(mut self) -> CorpusStats {
        // Per source: its repeats and its distinct keys if counted in a table, else `None`
        // (its lists are sorted).
        let tabled: Vec<Option<(Repeats, Vec<u64>)>> = self
            .sources
            .par_iter_mut()
            .map(|(_, s)| {
                if s.countable() {
                    Some(s.count_in_table())
                } else {
                    s.consolidate();
                    None
                }
            })
            .collect();
        let distinct_keys = |s: &SourceStats, t: &Option<(Repeats, Vec<u64>)>| match t {
            Some((_, keys)) => keys.len(),
            None => s.key_df.len(),
        };
        let mut all: Vec<u64> = Vec::with_capacity(
            self.sources
                .values()
                .zip(&tabled)
                .map(|(s, t)| distinct_keys(s, t))
                .sum(),
        );
        for (s, t) in self.sources.values().zip(&tabled) {
            match t {
                Some((_, keys)) => all.extend_from_slice(keys),
                None => all.extend(s.key_df.runs().map(|e| e.0)),
            }
        }
        let mut key_sources = Counts {
            sorted: Vec::new(),
            pending: all,
        };
        key_sources.consolidate();
        let sources: Vec<(&String, &SourceStats)> = self.sources.iter().collect();
        let repeats = sources
            .into_par_iter()
            .zip(tabled)
            .map(|((name, s), t)| {
                let r = match t {
                    Some((r, _)) => r,
                    None => Repeats::of(s),
                };
                (name.clone(), r)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        CorpusStats {
            sources: self.sources,
            repeated_key_sources: key_sources.repeated(),
            key_sources,
            repeats,
        }
    }
}

/// Longest list of values [`SourceStats::count_in_table`] counts (longer ones are sorted):
/// its table, 2^17 slots of 16 bytes, is kept by the thread from source to source.
const TABLE_MAX: usize = 1 << 16;

/// One slot of a [`CountTable`]: a value, the stamp of the list it belongs to (its count
/// holds only if that is the table's current stamp) and its count. A tuple, so that a table
/// of zeros is allocated zeroed (no filling).
type Slot = (u64, u32, u32);

/// An open-addressing table counting `u64` values (hashes: their top bits index it), reused
/// from list to list without being emptied: a slot holds a value of the current list only
/// if it bears the list's stamp, so a new list takes a new stamp instead of zeroing the
/// slots (as `StampedSet` does in page analysis).
#[derive(Default)]
struct CountTable {
    slots: Vec<Slot>,
    stamp: u32,
}

impl CountTable {
    /// Counts `values` (at most [`TABLE_MAX`]): the values counted 2 or more times, with
    /// their counts; every distinct value is pushed to `distinct`, if given, in order of
    /// first occurrence.
    fn count(&mut self, values: &[u64], mut distinct: Option<&mut Vec<u64>>) -> KeyMap<u32> {
        if values.is_empty() {
            return KeyMap::default();
        }
        // At most half full: a few probes a value.
        let n = (2 * values.len()).next_power_of_two();
        if self.slots.len() < n {
            // Fresh slots bear stamp 0, which no list uses. Allocated at the size needed (not
            // grown by doubling): a larger list gets a new table.
            self.slots = vec![(0, 0, 0); n];
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // The stamps went round: every slot is emptied once.
            self.slots.fill((0, 0, 0));
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let set = &mut self.slots[..n];
        let shift = 64 - n.trailing_zeros();
        // The slots of the values counted twice so far (once each).
        let mut repeated: Vec<u32> = Vec::new();
        for &x in values {
            let mut h = (x >> shift) as usize;
            loop {
                let e = &mut set[h];
                if e.1 != stamp {
                    *e = (x, stamp, 1);
                    if let Some(d) = distinct.as_deref_mut() {
                        d.push(x);
                    }
                    break;
                }
                if e.0 == x {
                    e.2 += 1;
                    if e.2 == 2 {
                        repeated.push(h as u32);
                    }
                    break;
                }
                h = (h + 1) & (n - 1);
            }
        }
        let mut out = KeyMap::with_capacity_and_hasher(repeated.len(), Default::default());
        out.extend(repeated.iter().map(|&h| {
            let (value, _, count) = set[h as usize];
            (value, count)
        }));
        out
    }
}

thread_local! {
    /// The [`CountTable`] of a thread counting sources in [`RepetitionStats::finish`].
    static TABLE: std::cell::RefCell<CountTable> = std::cell::RefCell::default();
}

impl SourceStats {
    /// Whether [`SourceStats::count_in_table`] may count the source: both lists short, and
    /// nothing sorted yet (the merge of statistics sorts).
    fn countable(&self) -> bool {
        let short = |c: &Counts| c.sorted.is_empty() && c.pending.len() <= TABLE_MAX;
        short(&self.key_df) && short(&self.shingle_df)
    }

    /// The repeats of a [`SourceStats::countable`] source and its distinct keys, counted in
    /// the thread's table; its lists stay as they are (unsorted). A page's values are
    /// distinct, so those of a source of one page are all counted once: nothing to count.
    fn count_in_table(&self) -> (Repeats, Vec<u64>) {
        if self.pages <= 1 {
            let repeats = Repeats {
                pages: self.pages,
                ..Repeats::default()
            };
            return (repeats, self.key_df.pending.clone());
        }
        TABLE.with_borrow_mut(|table| {
            let mut keys = Vec::with_capacity(self.key_df.pending.len());
            let key_df = table.count(&self.key_df.pending, Some(&mut keys));
            let shingle_df = table.count(&self.shingle_df.pending, None);
            let repeats = Repeats {
                pages: self.pages,
                key_df,
                shingle_df,
            };
            (repeats, keys)
        })
    }
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
    sources: BTreeMap<String, SourceStats>,
    key_sources: Counts,
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
        self.key_sources.get(key)
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
    fn counts_add_up() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut v: Vec<u64> = (0..5000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 3 == 0 {
                    x & 0xffff
                } else {
                    x
                }
            })
            .collect();
        v.sort_unstable();
        let mut c = Counts::default();
        c.pending.extend_from_slice(&v[..3000]);
        c.consolidate();
        c.pending.extend_from_slice(&v[2000..]);
        let mut d = Counts::default();
        d.pending.extend_from_slice(&v[..100]);
        for &k in &v[..200] {
            let n = v.iter().filter(|&&y| y == k).count() as u32;
            let extra = v[2000..3000].iter().filter(|&&y| y == k).count() as u32;
            assert_eq!(c.get(k), n + extra);
        }
        c.merge(d);
        assert!(c.pending.is_empty() && c.sorted.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(c.len(), 5000 + 1000 + 100);
        let total: u64 = c.runs().map(|e| e.1 as u64).sum();
        assert_eq!(total, 5000 + 1000 + 100);
        let mut all = v.clone();
        all.extend_from_slice(&v[2000..3000]);
        all.extend_from_slice(&v[..100]);
        all.sort_unstable();
        let want = runs_by_chunks(&all);
        let rep = c.repeated();
        assert_eq!(rep.len(), want.len());
        assert!(want.iter().all(|&(k, n)| rep.get(&k) == Some(&n)));
    }

    /// The runs of 2 or more equal values of a sorted list, by `chunk_by`: the reference of
    /// [`repeated_runs`] and [`Counts::repeated`].
    fn runs_by_chunks(sorted: &[u64]) -> Vec<(u64, u32)> {
        sorted
            .chunk_by(|a, b| a == b)
            .filter(|g| g.len() >= 2)
            .map(|g| (g[0], g.len() as u32))
            .collect()
    }

    proptest::proptest! {
        /// The runs of a sorted list, found from masks, are those of `chunk_by`.
        #[test]
        fn repeated_runs_match_chunks(mut v in proptest::collection::vec(0u64..60, 0..400)) {
            v.sort_unstable();
            proptest::prop_assert_eq!(repeated_runs(&v), runs_by_chunks(&v));
        }

        /// Counts built in any number of consolidations and merges agree with a plain count.
        #[test]
        fn counts_agree_with_a_map(
            a in proptest::collection::vec(0u64..40, 0..300),
            b in proptest::collection::vec(0u64..40, 0..300),
            split in 0usize..300,
        ) {
            let mut want: BTreeMap<u64, u32> = BTreeMap::new();
            for &x in a.iter().chain(&b) {
                *want.entry(x).or_default() += 1;
            }
            let split = split.min(a.len());
            let mut c = Counts::default();
            c.pending.extend_from_slice(&a[..split]);
            c.consolidate();
            c.pending.extend_from_slice(&a[split..]);
            let mut d = Counts::default();
            d.pending.extend_from_slice(&b);
            for x in 0..41 {
                let n = c.get(x) + d.get(x);
                proptest::prop_assert_eq!(n, want.get(&x).copied().unwrap_or(0));
            }
            c.merge(d);
            let runs: Vec<(u64, u32)> = c.runs().collect();
            let all: Vec<(u64, u32)> = want.iter().map(|(&k, &n)| (k, n)).collect();
            proptest::prop_assert_eq!(runs, all);
            let rep = c.repeated();
            let want_rep: BTreeMap<u64, u32> = want.into_iter().filter(|e| e.1 >= 2).collect();
            proptest::prop_assert_eq!(rep.into_iter().collect::<BTreeMap<_, _>>(), want_rep);
        }
    }

    proptest::proptest! {
        /// A source counted in a table has the repeats and distinct keys sorting finds.
        #[test]
        fn table_agrees_with_sorting(
            pages in proptest::collection::vec(proptest::collection::vec(0u64..40, 0..30), 0..12),
            spread in proptest::bool::ANY,
        ) {
            let mut s = SourceStats::default();
            for p in &pages {
                // Hashes, or small values (all in the first slots: long probe runs).
                let mut v: Vec<u64> = p
                    .iter()
                    .map(|&x| if spread { x.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { x })
                    .collect();
                v.sort_unstable();
                v.dedup();
                let shingles = v.iter().map(|x| x.rotate_left(7) ^ 5).collect();
                s.add_page(&PageKeys { keys: v, shingles });
            }
            proptest::prop_assert!(s.countable());
            let (r, mut keys) = s.count_in_table();
            let mut sorted = s.clone();
            sorted.consolidate();
            let want = Repeats::of(&sorted);
            proptest::prop_assert_eq!(r.pages, want.pages);
            proptest::prop_assert_eq!(&r.key_df, &want.key_df);
            proptest::prop_assert_eq!(&r.shingle_df, &want.shingle_df);
            keys.sort_unstable();
            let want_keys: Vec<u64> = sorted.key_df.runs().map(|e| e.0).collect();
            proptest::prop_assert_eq!(keys, want_keys);
        }
    }

    /// Lists gathered page by page in chunks give the statistics adding every page gives:
    /// longer than a table counts (sorted from their chunks, several of them) and short.
    #[test]
    fn source_keys_agree_with_add_page() {
        for (n, pages) in [
            (3 * TABLE_MAX + 1234, 97),
            (TABLE_MAX, 31),
            (5000, 7),
            (0, 0),
        ] {
            let values = crate::sort::tests::values(n);
            let mut gathered = SourceKeys::default();
            let mut added = SourceStats::default();
            let per_page = n.div_ceil(pages.max(1));
            for page in values.chunks(per_page.max(1)).take(pages) {
                let p = PageKeys {
                    keys: page.to_vec(),
                    shingles: page.iter().map(|x| x.rotate_left(17)).collect(),
                };
                gathered.add_page(&p);
                added.add_page(&p);
            }
            let got = gathered.into_stats();
            assert_eq!(got.pages, added.pages);
            assert_eq!(got.countable(), added.countable(), "n = {n}");
            if got.countable() {
                assert_eq!(got.key_df.pending, added.key_df.pending);
                assert_eq!(got.shingle_df.pending, added.shingle_df.pending);
            } else {
                assert!(got.key_df.pending.is_empty() && got.shingle_df.pending.is_empty());
                added.consolidate();
                assert_eq!(got.key_df.sorted, added.key_df.sorted);
                assert_eq!(got.shingle_df.sorted, added.shingle_df.sorted);
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
}
