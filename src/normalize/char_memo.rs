//! A memo of per-character facts, for the paths that look non-ASCII characters up.

/// A direct-mapped memo of a function of non-ASCII characters: a page, or a run of words,
/// uses few distinct ones, and the standard library's Unicode look-ups are slow. The table
/// (1,024 slots) is allocated on the first miss.
pub(crate) struct CharMemo<V> {
    /// (code point, value); `u32::MAX` (no character) marks an empty slot.
    slots: Vec<(u32, V)>,
}

impl<V> Default for CharMemo<V> {
    fn default() -> Self {
        CharMemo { slots: Vec::new() }
    }
}

const SLOTS: usize = 1024;

/// The slot of code point `k` (the block bits folded in, so that two scripts' letters seldom
/// share slots).
#[inline(always)]
fn slot_of(k: u32) -> usize {
    ((k ^ (k >> 10)) as usize) & (SLOTS - 1)
}

impl<V: Copy> CharMemo<V> {
    /// `compute(c)`, from the memo when `c` is there.
    #[inline(always)]
    pub(crate) fn get(&mut self, c: char, compute: fn(char) -> V) -> V {
        let k = c as u32;
        match self.slots.get(slot_of(k)) {
            Some(&(key, v)) if key == k => v,
            _ => self.fill(c, compute),
        }
    }

    /// [`CharMemo::get`] on a miss: computes the value and stores it.
    #[cold]
    #[inline(never)]
    fn fill(&mut self, c: char, compute: fn(char) -> V) -> V {
        let v = compute(c);
        if self.slots.is_empty() {
            self.slots = vec![(u32::MAX, v); SLOTS];
        }
        self.slots[slot_of(c as u32)] = (c as u32, v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_return_what_was_computed() {
        // Characters sharing slots (evicting each other), each looked up again after others.
        let chars: Vec<char> = (0x80u32..0x3100)
            .step_by(7)
            .chain([
                0x3a3, 0x130, 0x212a, 0x1e9e, 0xfb01, 0x4e00, 0xac00, 0x10ffff,
            ])
            .filter_map(char::from_u32)
            .collect();
        let f = |c: char| (c as u32).wrapping_mul(2_654_435_761);
        let mut memo = CharMemo::default();
        for round in 0..3 {
            for &c in chars.iter().skip(round) {
                assert_eq!(memo.get(c, f), f(c), "{c:?}");
                assert_eq!(memo.get(c, f), f(c), "{c:?} again");
            }
        }
    }
}
