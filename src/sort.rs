//! Sorting hashes: most significant byte first, since hash values are spread uniformly.

/// Sorts `v` ascending. `key` must agree with `T`'s order on its most significant part: `a <
/// b` whenever `key(a) < key(b)` (for example the first field of a tuple). One pass scatters
/// the items by the top byte where their keys differ into 256 buckets (in order); each bucket
/// is sorted the same way on the next byte, down to buckets small enough to be sorted by
/// comparison. Keys are hashes, uniformly spread, so two levels mostly suffice; items with
/// equal keys end up sorted by comparison.
pub(crate) fn radix_sort_by_key<T: Copy + Ord + Default>(
    v: &mut [T],
    key: impl Fn(T) -> u64 + Copy,
) {
    if v.len() <= RADIX_SMALL {
        v.sort_unstable();
        return;
    }
    let mut buf = vec![T::default(); v.len()];
    radix_sort_at(v, &mut buf, key);
}

/// Sorts hashes ascending ([`radix_sort_by_key`]).
pub(crate) fn radix_sort(v: &mut [u64]) {
    radix_sort_by_key(v, |x| x);
}

/// Buckets at most this long are sorted by comparison.
const RADIX_SMALL: usize = 96;

/// Sorts `v` on the highest byte where its keys differ, then each bucket the same way, using
/// `buf` (as long as `v`) as scratch. Runs of one key (a shingle on many pages) are sorted by
/// comparison at once.
fn radix_sort_at<T: Copy + Ord>(v: &mut [T], buf: &mut [T], key: impl Fn(T) -> u64 + Copy) {
    let (min, max) = v.iter().fold((u64::MAX, 0u64), |(lo, hi), &x| {
        let k = key(x);
        (lo.min(k), hi.max(k))
    });
    if min >= max {
        v.sort_unstable();
        return;
    }
    let shift = (63 - (min ^ max).leading_zeros()) / 8 * 8;
    let mut count = [0usize; 256];
    for &x in v.iter() {
        count[((key(x) >> shift) & 0xff) as usize] += 1;
    }
    let mut start = [0usize; 257];
    for b in 0..256 {
        start[b + 1] = start[b] + count[b];
    }
    let mut pos = start;
    for &x in v.iter() {
        let b = ((key(x) >> shift) & 0xff) as usize;
        buf[pos[b]] = x;
        pos[b] += 1;
    }
    v.copy_from_slice(buf);
    for b in 0..256 {
        let (lo, hi) = (start[b], start[b + 1]);
        if hi - lo <= RADIX_SMALL || shift == 0 {
            v[lo..hi].sort_unstable();
        } else {
            radix_sort_at(&mut v[lo..hi], &mut buf[lo..hi], key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize) -> Vec<u64> {
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
        for n in [0, 1, 95, 97, 5000, 40_000] {
            let mut v = values(n);
            let mut want = v.clone();
            want.sort_unstable();
            radix_sort(&mut v);
            assert_eq!(v, want, "n={n}");
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
}
