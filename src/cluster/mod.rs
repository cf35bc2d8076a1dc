//! Which items are the same item?
//!
//! Union-find over verified pairs, then one [`Cluster`] per connected group of two or more
//! items. Items are numbered by the caller in a content-defined order (dechaff numbers
//! documents in id order), and every choice here depends only on those numbers and on the
//! caller's ranking of members, never on the order in which pairs arrive.

/// Disjoint sets over `0..n` with path halving and union by size.
#[derive(Clone, Debug)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The root of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    /// Merges the sets of `a` and `b`; returns whether they were apart.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        true
    }
}

/// A group of two or more items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// The member kept to stand for the cluster.
    pub representative: u32,
    /// All members, the representative included, ascending.
    pub members: Vec<u32>,
}

/// Groups `0..n` by the pairs and returns the clusters of two or more items, ordered by their
/// representative. `better(a, b)` says whether `a` should represent a cluster rather than `b`;
/// it must be a strict total order for the result to be deterministic (e.g. longer text first,
/// then smaller number).
pub fn clusters(n: usize, pairs: &[(u32, u32)], better: impl Fn(u32, u32) -> bool) -> Vec<Cluster> {
    let mut uf = UnionFind::new(n);
    for &(a, b) in pairs {
        uf.union(a, b);
    }
    // Members of each set of two or more, in item order (singletons cost no allocation).
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut group_of = vec![u32::MAX; n];
    for i in 0..n as u32 {
        let r = uf.find(i) as usize;
        if uf.size[r] < 2 {
            continue;
        }
        if group_of[r] == u32::MAX {
            group_of[r] = groups.len() as u32;
            groups.push(Vec::with_capacity(uf.size[r] as usize));
        }
        groups[group_of[r] as usize].push(i);
    }
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .map(|members| {
            let mut rep = members[0];
            for &m in &members[1..] {
                if better(m, rep) {
                    rep = m;
                }
            }
            Cluster {
                representative: rep,
                members,
            }
        })
        .collect();
    out.sort_by_key(|c| c.representative);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_representatives() {
        let len = [5u32, 9, 3, 9, 1, 2];
        let better = |a: u32, b: u32| {
            (len[a as usize], std::cmp::Reverse(a)) > (len[b as usize], std::cmp::Reverse(b))
        };
        let mut pairs = vec![(0, 2), (2, 3), (4, 5)];
        let c = clusters(6, &pairs, better);
        assert_eq!(
            c,
            vec![
                Cluster {
                    representative: 3,
                    members: vec![0, 2, 3]
                },
                Cluster {
                    representative: 5,
                    members: vec![4, 5]
                },
            ]
        );
        // Pair order does not matter.
        pairs.reverse();
        assert_eq!(clusters(6, &pairs, better), c);
        // Ties on length go to the smaller number.
        let c = clusters(6, &[(1, 3)], better);
        assert_eq!(c[0].representative, 1);
    }
}
