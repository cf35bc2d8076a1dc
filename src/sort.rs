//! Sorting hashes (most significant bits first, since hash values are spread uniformly), and
//! grouping equal ones without sorting.

/// Sorts `v` ascending. `key` must agree with `T`'s order on its most significant part: `a <
/// b` whenever `key(a) < key(b)` (for example the first field of a tuple). One pass scatters
/// the items by the top bits where their keys differ into buckets (in order; a digit is as
/// wide as makes buckets of a few items, at most 11 bits); each bucket is sorted the same way
/// on the next bits, down to buckets small enough to be sorted by comparison. Keys are
/// hashes, uniformly spread, so two levels mostly suffice; items with equal keys end up sorted
/// by comparison.
pub(crate) fn radix_sort_by_key<T: Copy + Ord>(v: &mut [T], key: impl Fn(T) -> u64 + Copy) {
    if v.len() <= RADIX_SMALL {
        v.sort_unstable();
        return;
    }
    // The first digit is the top bits: hashes differ there. Keys that do not (small values)
    // fall in one bucket, and the first digit finds where they differ.
    // Scratch as long as `v`: a copy of it (overwritten anyway) rather than zeroed memory,
    // which measured more instructions (glibc's memset on large zeroed allocations).
    let mut buf = v.to_vec();
    radix_sort_at(v, &mut buf, key, 64);
}

/// Sorts hashes ascending. Up to [`ONE_PASS_MAX`] values (the common case: a source's keys,
/// a document's shingles) take one scatter by a digit wide enough for two or three values a
/// bucket, then one insertion pass over the whole list, which moves a value only within its
/// bucket; buckets holding more than [`INSERTION_MAX`] values (a value repeated on many pages)
/// are sorted by comparison first. Longer lists take [`radix_sort_by_key`].
pub(crate) fn radix_sort(v: &mut [u64]) {
    let n = v.len();
    if n <= RADIX_SMALL {
        v.sort_unstable();
        return;
    }
    if n > ONE_PASS_MAX {
        radix_sort_by_key(v, |x| x);
        return;
    }
    // The bits above the highest bit in which the values differ are the same in all: the
    // digit is taken just below it (hashes differ in the top bits; small values lower down).
    let (or, and) = v.iter().fold((0u64, u64::MAX), |(o, a), &x| (o | x, a & x));
    let high = 64 - (or ^ and).leading_zeros();
    if high == 0 {
        return; // All equal.
    }
    // Two or three values a bucket: measured fewer instructions than about one (a table
    // twice as long to sum) or about five (longer insertions). `n > RADIX_SMALL`, so the
    // subtraction cannot overflow.
    let bits = (n.ilog2() - 1).min(high);
    let shift = high - bits;
    let mask = (1u64 << bits) - 1;
    let digit = |x: u64| ((x >> shift) & mask) as usize;
    // The count of each bucket, then its start, then (after the scatter) its end.
    let mut ends = vec![0u32; 1 << bits];
    for &x in v.iter() {
        ends[digit(x)] += 1;
    }
    let (mut sum, mut largest) = (0u32, 0u32);
    for e in ends.iter_mut() {
        let c = *e;
        *e = sum;
        sum += c;
        largest = largest.max(c);
    }
    let buf = v.to_vec();
    for &x in &buf {
        let e = &mut ends[digit(x)];
        v[*e as usize] = x;
        *e += 1;
    }
    drop(buf);
    if largest as usize > INSERTION_MAX {
        let mut lo = 0;
        for &hi in &ends {
            let hi = hi as usize;
            if hi - lo > INSERTION_MAX {
                v[lo..hi].sort_unstable();
            }
            lo = hi;
        }
    }
    // Buckets are in order, so the insertion pass moves each value back by less than its
    // bucket's length.
    insertion_sort(v);
}

/// The `n` values of `chunks`, sorted, in a list allocated once: one pass counts the values
/// in each bucket of their top bits, a second moves each value to its bucket and frees each
/// chunk once read (so the chunks and the list are never both whole in memory, and no
/// scratch copy of the list is made), then each bucket (a few thousand values) is sorted on
/// its own. The same list as sorting the values joined.
pub(crate) fn sort_chunks(chunks: Vec<Vec<u64>>, n: usize) -> Vec<u64> {
    if chunks.len() <= 1 {
        let mut v = chunks.into_iter().next().unwrap_or_default();
        radix_sort(&mut v);
        return v;
    }
    // Buckets of about 4,096 values for uniformly spread hashes, at most 2^12 of them (a
    // scatter into more streams misses the cache). Values that share their top bits all land
    // in one bucket, which is then sorted like any list.
    let bits = (n / 4096).max(2).ilog2().min(12);
    let shift = 64 - bits;
    let mut ends = vec![0usize; 1 << bits];
    for c in &chunks {
        for &x in c {
            ends[(x >> shift) as usize] += 1;
        }
    }
    let mut sum = 0;
    for e in ends.iter_mut() {
        let c = *e;
        *e = sum;
        sum += c;
    }
    let mut out = vec![0u64; n];
    for c in chunks {
        for x in c {
            let e = &mut ends[(x >> shift) as usize];
            out[*e] = x;
            *e += 1;
        }
    }
    let mut lo = 0;
    for &hi in &ends {
        radix_sort(&mut out[lo..hi]);
        lo = hi;
    }
    out
}

/// Lists longer than this take [`radix_sort_by_key`] (its buckets are then longer than a
/// few values).
const ONE_PASS_MAX: usize = 1 << 18;

/// Buckets at most this long are sorted by comparison.
const RADIX_SMALL: usize = 96;

/// Buckets at most this long are sorted by insertion, inline (most buckets: a digit aims at
/// [`RADIX_LEAF`] items); longer ones by `sort_unstable`.
const INSERTION_MAX: usize = 16;

/// Items per bucket a digit's width aims at.
const RADIX_LEAF: usize = 4;

/// The number of low bits in which the keys of `v` differ (bits above are the same in every
/// key); `None` when all keys are equal.
fn differing_bits<T: Copy>(v: &[T], key: impl Fn(T) -> u64) -> Option<u32> {
    let (min, max) = v.iter().fold((u64::MAX, 0u64), |(lo, hi), &x| {
        let k = key(x);
        (lo.min(k), hi.max(k))
    });
    (min < max).then(|| 64 - (min ^ max).leading_zeros())
}

/// Sorts `v`, whose keys agree on every bit from `high` up, on its next bits, then each
/// bucket the same way, using `buf` (as long as `v`) as scratch. A bucket's keys agree on the
/// bits its digit took, so the bucket starts where the digit ended: no pass to find where its
/// keys differ, unless a digit fails to split them (runs of one key, a shingle on many pages,
/// are then found and sorted by comparison at once).
fn radix_sort_at<T: Copy + Ord>(
    v: &mut [T],
    buf: &mut [T],
    key: impl Fn(T) -> u64 + Copy,
    high: u32,
) {
    // A digit is as wide as makes buckets of about `RADIX_LEAF` items (at most 11 bits).
    let bits = (v.len() / RADIX_LEAF).max(2).ilog2().min(11).min(high);
    let shift = high - bits;
    let mask = (1u64 << bits) - 1;
    let digit = |x: T| ((key(x) >> shift) & mask) as usize;
    // One table: the count of each bucket, then its start, then (after the scatter) its
    // end, which is where the next bucket starts.
    let mut ends = vec![0usize; 1 << bits];
    for &x in v.iter() {
        ends[digit(x)] += 1;
    }
    if ends[digit(v[0])] == v.len() {
        // One bucket holds everything: skip to where the keys differ, if they do.
        match differing_bits(v, key) {
            Some(high) => radix_sort_at(v, buf, key, high),
            None => v.sort_unstable(),
        }
        return;
    }
    let mut sum = 0;
    for e in ends.iter_mut() {
        let n = *e;
        *e = sum;
        sum += n;
    }
    for &x in v.iter() {
        let b = digit(x);
        buf[ends[b]] = x;
        ends[b] += 1;
    }
    v.copy_from_slice(buf);
    let mut lo = 0;
    for &hi in &ends {
        if hi - lo <= INSERTION_MAX {
            insertion_sort(&mut v[lo..hi]);
        } else if hi - lo <= RADIX_SMALL || shift == 0 {
            v[lo..hi].sort_unstable();
        } else {
            radix_sort_at(&mut v[lo..hi], &mut buf[lo..hi], key, shift);
        }
        lo = hi;
    }
}

/// Sorts a few items by insertion (or items each a few places from where they belong).
#[inline]
fn insertion_sort<T: Copy + Ord>(v: &mut [T]) {
    for i in 1..v.len() {
        let x = v[i];
        if x < v[i - 1] {
            let mut j = i;
            while j > 0 && x < v[j - 1] {
                v[j] = v[j - 1];
                j -= 1;
            }
            v[j] = x;
        }
    }
}

/// The positions in `keys` of every key that occurs more than once, grouped by key: each group
/// in ascending position order, groups in the order of their first position. One pass over an
/// open-addressing table (band keys are hashes: their high bits index it directly), then one
/// over the positions whose key repeats; no order depends on the table.
pub(crate) fn groups_of_equal_keys(keys: &[u64]) -> Vec<Vec<u32>> {
    const EMPTY: u32 = u32::MAX;
    let cap = (2 * keys.len()).next_power_of_two().max(16);
    let shift = 64 - cap.trailing_zeros();
    // Slot -> position of the first key stored there; position -> first position of its key.
    let mut table = vec![EMPTY; cap];
    let mut first = vec![0u32; keys.len()];
    let mut count = vec![0u32; keys.len()];
    for (pos, &key) in keys.iter().enumerate() {
        let mut slot = (key >> shift) as usize;
        let head = loop {
            match table[slot] {
                EMPTY => {
                    table[slot] = pos as u32;
                    break pos as u32;
                }
                h if keys[h as usize] == key => break h,
                _ => slot = (slot + 1) & (cap - 1),
            }
        };
        first[pos] = head;
        count[head as usize] += 1;
    }
    let mut groups: Vec<Vec<u32>> = Vec::new();
    // Group number of each head with a repeated key, in the order heads are met.
    let mut group_of = vec![EMPTY; keys.len()];
    for (pos, &head) in first.iter().enumerate() {
        let head = head as usize;
        if count[head] < 2 {
            continue;
        }
        if group_of[head] == EMPTY {
            group_of[head] = groups.len() as u32;
            groups.push(Vec::with_capacity(count[head] as usize));
        }
        groups[group_of[head] as usize].push(pos as u32);
    }
    groups
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `n` values from a xorshift: spread hashes, small values (sharing their top bits) and
    /// many repeats.
    pub(crate) fn values(n: usize) -> Vec<u64> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Some small values and many repeats, as well as spread hashes.
                match i % 5 {
                    0 => x & 0xffff,
                    1 => 42,
                    _ => x,
                }
            })
            .collect()
    }

    #[test]
    fn sorts_like_sort_unstable() {
        for n in [0, 1, 95, 97, 5000, 40_000, 300_000] {
            let mut v = values(n);
            let mut want = v.clone();
            want.sort_unstable();
            radix_sort(&mut v);
            assert_eq!(v, want, "n={n}");
        }
        // All equal; small values only; spread hashes with a value on many "pages".
        for mut v in [
            vec![7u64; 500],
            (0..3000u64).map(|i| (i * 7919) % 1000).collect(),
            values(20_000)
                .into_iter()
                .map(|x| if x % 3 == 0 { 0xdead_beef_0000 } else { x })
                .collect::<Vec<_>>(),
        ] {
            let mut want = v.clone();
            want.sort_unstable();
            radix_sort(&mut v);
            assert_eq!(v, want);
        }
    }

    proptest::proptest! {
        /// Any values, any length around the thresholds.
        #[test]
        fn radix_sort_sorts(
            mut v in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..600),
            small in proptest::collection::vec(0u64..50, 0..300),
            shift in 0u32..64,
        ) {
            v.extend(small.iter().map(|x| x << shift));
            let mut want = v.clone();
            want.sort_unstable();
            radix_sort(&mut v);
            proptest::prop_assert_eq!(v, want);
        }
    }

    proptest::proptest! {
        /// Values sorted from chunks of any sizes are the values sorted.
        #[test]
        fn sort_chunks_sorts(
            chunks in proptest::collection::vec(
                proptest::collection::vec(proptest::num::u64::ANY, 0..200), 0..8),
            small in proptest::bool::ANY,
        ) {
            let chunks: Vec<Vec<u64>> = chunks
                .into_iter()
                .map(|c| c.into_iter().map(|x| if small { x & 0x3f } else { x }).collect())
                .collect();
            let mut want: Vec<u64> = chunks.concat();
            want.sort_unstable();
            proptest::prop_assert_eq!(sort_chunks(chunks, want.len()), want);
        }
    }

    #[test]
    fn ties_in_the_key_are_sorted_by_the_rest() {
        let mut v: Vec<(u64, u32)> = values(20_000)
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, (i as u32).wrapping_mul(2_654_435_761)))
            .collect();
        let mut want = v.clone();
        want.sort_unstable();
        radix_sort_by_key(&mut v, |e| e.0);
        assert_eq!(v, want);
    }

    #[test]
    fn groups_of_equal_keys_are_complete_and_ordered() {
        // Many repeats, keys that share their high bits (so they collide in the table), and
        // keys seen once.
        let keys: Vec<u64> = (0..5000u64)
            .map(|i| match i % 7 {
                0 => 42,
                1 | 2 => (i % 50) << 40 | 1,
                3 => u64::MAX - (i % 3),
                _ => i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            })
            .collect();
        let got = groups_of_equal_keys(&keys);
        let mut want: std::collections::BTreeMap<u64, Vec<u32>> = Default::default();
        for (p, &k) in keys.iter().enumerate() {
            want.entry(k).or_default().push(p as u32);
        }
        let mut want: Vec<Vec<u32>> = want.into_values().filter(|g| g.len() > 1).collect();
        want.sort();
        assert_eq!(got, want);
    }
}
