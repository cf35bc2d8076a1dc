//! Exact set measures on sorted, deduplicated shingle sets.

/// Size of the intersection of two sorted, deduplicated slices.
///
/// A merge without a branch per step (both cursors advance by comparison results): the
/// branchy merge mispredicts on about every other step, shingle hashes being random.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// Exact Jaccard similarity `|A ∩ B| / |A ∪ B|` of two sorted, deduplicated sets. Two empty
/// sets have similarity 0.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = intersection_size(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Containment of `a` in `b`: `|A ∩ B| / |A|` (0 for an empty `a`).
pub fn containment(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() {
        0.0
    } else {
        intersection_size(a, b) as f64 / a.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(containment(&[2, 3], &[1, 2, 3, 4]), 1.0);
        assert_eq!(intersection_size(&[1, 5, 9], &[5, 9, 10]), 2);
        assert_eq!(intersection_size(&[], &[5, 9, 10]), 0);
        assert_eq!(intersection_size(&[u64::MAX], &[0, u64::MAX]), 1);
    }

    #[test]
    fn intersection_matches_a_set_intersection() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % 512
        };
        for _ in 0..200 {
            let mut a: Vec<u64> = (0..next() % 64).map(|_| next()).collect();
            let mut b: Vec<u64> = (0..next() % 64).map(|_| next()).collect();
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            b.dedup();
            let expected = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
            assert_eq!(intersection_size(&a, &b), expected);
            assert_eq!(intersection_size(&b, &a), expected);
        }
    }
}
