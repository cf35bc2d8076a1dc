//! The chrome lexicon: phrases that mark a paragraph as page chrome (share buttons, account
//! links, legal notices, navigation, media credits).
//!
//! Phrases are matched on the lowercased paragraph as whole words: a phrase starting with a
//! letter or digit needs a non-word character (or the start of the paragraph) before it; a
//! phrase ending with a letter or digit needs a non-word character (or the end) after it,
//! unless the phrase holds a space (so "you might also like" matches "You might also
//! likeRELATED", as scrapers fuse buttons). The leftmost match wins, the longest at a place.

use crate::error::Result;

/// The default lexicon: general web chrome in English, no site names.
pub const DEFAULT_LEXICON: &[&str] = &[
    // sharing / social
    "share this",
    "share on",
    "share via",
    "shares",
    "tweet",
    "pin it",
    "print friendly",
    "send to kindle",
    "email this",
    "e-mail this",
    "print this",
    "facebook",
    "twitter",
    "linkedin",
    "instagram",
    "whatsapp",
    "pinterest",
    "reddit",
    "google+",
    "google plus",
    "follow us",
    "follow me",
    "like us on",
    "connect with us",
    // subscription / account
    "subscribe",
    "subscription",
    "newsletter",
    "sign up",
    "sign in",
    "signup",
    "log in",
    "login",
    "log out",
    "register",
    "my account",
    "create an account",
    "your inbox",
    "emails & alerts",
    "email alerts",
    "free trial",
    // legal / site
    "cookie",
    "cookies",
    "privacy policy",
    "privacy notice",
    "terms of use",
    "terms of service",
    "terms and conditions",
    "all rights reserved",
    "copyright",
    "\u{a9}",
    "user agreement",
    "contact us",
    "about us",
    "site map",
    "sitemap",
    "advertise",
    "advertisement",
    "sponsored",
    "skip to",
    "javascript",
    "browser",
    "rss",
    // navigation / related
    "related",
    "recommended",
    "you might also like",
    "you may also like",
    "more from",
    "more stories",
    "most popular",
    "most read",
    "trending",
    "latest news",
    "must read",
    "read more",
    "continue reading",
    "click here",
    "see more",
    "view all",
    "viewing all",
    "browse",
    "next article",
    "previous article",
    "back to top",
    "main menu",
    "home page",
    "comments",
    "comment",
    "leave a reply",
    "responses to",
    "post a comment",
    "permalink",
    "tags:",
    // media credits
    "photo:",
    "photo by",
    "photos:",
    "image:",
    "video:",
    "credit:",
    "getty images",
    "ap photo",
    "file photo",
    "now watch",
    "watch:",
    "listen",
    "podcast",
    "gallery",
    "slideshow",
];

/// Phrases that mark a paragraph as chrome whatever its length (legal, cookie and sign-up
/// notices).
pub const STRONG_PHRASES: &[&str] = &[
    "cookie",
    "cookies",
    "privacy policy",
    "privacy notice",
    "terms of use",
    "terms of service",
    "terms and conditions",
    "all rights reserved",
    "copyright",
    "\u{a9}",
    "user agreement",
    "newsletter",
    "subscribe",
    "sign up",
    "javascript",
    "browser",
];

/// A compiled lexicon.
#[derive(Clone, Debug)]
pub struct Lexicon {
    phrases: Vec<String>,
    strong: Vec<bool>,
    need_before: Vec<bool>,
    need_after: Vec<bool>,
    dfa: Dfa,
}

/// Marks a state of [`Dfa::next`] at which phrases end.
const MATCH: u32 = 1 << 31;

/// Parts of its texts [`Lexicon::find_each`] searches at once.
const STREAMS: usize = 4;

/// The byte after each text in [`Lexicon::find_each`]: never in UTF-8, so in no phrase; its
/// class (that of the bytes no phrase holds) leads every state to the start state, where no
/// phrase ends.
const SEPARATOR: u8 = 0xff;

/// Every occurrence of every phrase in one pass over the bytes: an Aho–Corasick automaton
/// with all its transitions computed in advance (a DFA), over byte classes.
#[derive(Clone, Debug)]
struct Dfa {
    /// The class of each byte: one per byte that occurs in a phrase (an ASCII capital shares
    /// its lowercase letter's), one for all other bytes.
    class: [u8; 256],
    /// Number of classes: the row length of [`Dfa::next`].
    stride: usize,
    /// `next[s + c]` is the state reached from state `s` on a byte of class `c`, or-ed with
    /// [`MATCH`] when phrases end there. A state is its row's offset (a multiple of
    /// `stride`); the start state is 0.
    next: Vec<u32>,
    /// The phrases ending at each state (indexed by row).
    ends: Vec<Vec<u32>>,
    /// Bytes of the longest phrase: the state reached at an offset depends on this many
    /// bytes before it only (see [`Dfa::state_at`]).
    depth: usize,
}

impl Dfa {
    fn new(phrases: &[String]) -> Dfa {
        // Byte classes. Phrases are lowercase: folding ASCII capitals onto their lowercase
        // letter lets ASCII text be searched as it is.
        let mut used = [false; 256];
        for p in phrases {
            for &b in p.as_bytes() {
                used[b.to_ascii_lowercase() as usize] = true;
            }
        }
        let mut class = [0u8; 256];
        let mut stride = 0usize;
        for b in 0..256 {
            if used[b] {
                class[b] = stride as u8;
                stride += 1;
            }
        }
        if stride < 256 {
            for b in 0..256 {
                if !used[b] {
                    class[b] = stride as u8;
                }
            }
            stride += 1;
        }
        for b in b'A'..=b'Z' {
            class[b as usize] = class[b.to_ascii_lowercase() as usize];
        }
        // The trie of the phrases: `delta[u * stride + c]`, `NONE` where no phrase goes on.
        const NONE: u32 = u32::MAX;
        let mut delta: Vec<u32> = vec![NONE; stride];
        let mut ends: Vec<Vec<u32>> = vec![Vec::new()];
        for (i, p) in phrases.iter().enumerate() {
            let mut u = 0usize;
            for &b in p.as_bytes() {
                let c = class[b as usize] as usize;
                if delta[u * stride + c] == NONE {
                    delta[u * stride + c] = ends.len() as u32;
                    delta.resize(delta.len() + stride, NONE);
                    ends.push(Vec::new());
                }
                u = delta[u * stride + c] as usize;
            }
            ends[u].push(i as u32);
        }
        // Failure links in breadth-first order; a missing transition becomes its failure
        // state's, and a state's phrases include its failure state's.
        let mut fail = vec![0usize; ends.len()];
        let mut queue = std::collections::VecDeque::from([0usize]);
        while let Some(u) = queue.pop_front() {
            for c in 0..stride {
                let v = delta[u * stride + c];
                if v == NONE {
                    delta[u * stride + c] = if u == 0 {
                        0
                    } else {
                        delta[fail[u] * stride + c]
                    };
                } else {
                    let v = v as usize;
                    let f = if u == 0 {
                        0
                    } else {
                        delta[fail[u] * stride + c] as usize
                    };
                    fail[v] = f;
                    let inherited = ends[f].clone();
                    ends[v].extend(inherited);
                    queue.push_back(v);
                }
            }
        }
        // The transitions become the table in place (no second table of the same size).
        let mut next = delta;
        for v in &mut next {
            let m = if ends[*v as usize].is_empty() {
                0
            } else {
                MATCH
            };
            *v = (*v as usize * stride) as u32 | m;
        }
        // Padded to a power of two (the padding is never reached), for [`Dfa::next_match`].
        next.resize(next.len().next_power_of_two(), 0);
        Dfa {
            class,
            stride,
            next,
            ends,
            depth: phrases.iter().map(String::len).max().unwrap_or(0),
        }
    }

    /// The state (without [`MATCH`]) reached at offset `p` of `hay` from the start state at
    /// offset 0, read from the [`Dfa::depth`] bytes before `p` only. A state is the longest
    /// suffix of the bytes read that begins a phrase (at most `depth` bytes long, so a suffix
    /// of those bytes too), and reading them from the start state reaches just that.
    fn state_at(&self, hay: &[u8], p: usize) -> u32 {
        let mask = self.next.len().wrapping_sub(1);
        hay[p.saturating_sub(self.depth)..p]
            .iter()
            .fold(0u32, |s, &b| {
                self.next[(s as usize + self.class[b as usize] as usize) & mask] & !MATCH
            })
    }

    /// From state `s` at offset `from` to the end of `hay`, calls `f` with every offset where
    /// phrases end and the state there (without [`MATCH`]).
    #[inline]
    fn each_match(&self, hay: &[u8], from: usize, s: u32, mut f: impl FnMut(usize, u32)) {
        let (mut s, mut from) = (s, from);
        while let Some((end, m)) = self.next_match(hay, from, s) {
            s = m & !MATCH;
            from = end;
            f(end, s);
        }
    }

    /// From state `s` at offset `from`, runs to the next offset where phrases end: that
    /// offset and the state reached (with [`MATCH`]); `None` at the end of `hay`. Kept apart
    /// from the match handling so that the loop holds its state in registers.
    #[inline(never)]
    fn next_match(&self, hay: &[u8], from: usize, mut s: u32) -> Option<(usize, u32)> {
        let (next, class) = (self.next.as_slice(), &self.class);
        // Every state and transition is in the table, whose length is a power of two:
        // masking an index with the length - 1 changes no index, and proves it in bounds
        // (no check per byte).
        if next.is_empty() {
            return None;
        }
        let mask = next.len() - 1;
        let step = |s: u32, b: u8| next[(s as usize + class[b as usize] as usize) & mask];
        // Four bytes a turn and one test for a match among them. A state flagged with
        // `MATCH` still leads on to the right row: the mask drops the flag (above every
        // offset); the states past the first match are dropped.
        let mut quads = hay[from..].chunks_exact(4);
        let mut at = from;
        for q in &mut quads {
            let s1 = step(s, q[0]);
            let s2 = step(s1, q[1]);
            let s3 = step(s2, q[2]);
            let s4 = step(s3, q[3]);
            if (s1 | s2 | s3 | s4) & MATCH != 0 {
                let states = [s1, s2, s3, s4];
                let k = states.iter().position(|&x| x & MATCH != 0).unwrap_or(3);
                return Some((at + k + 1, states[k]));
            }
            s = s4;
            at += 4;
        }
        for &b in quads.remainder() {
            s = step(s, b);
            at += 1;
            if s & MATCH != 0 {
                return Some((at, s));
            }
        }
        None
    }
}

impl Dfa {
    /// Runs the automaton over [`STREAMS`] byte strings at once, one byte of each a turn, from
    /// the states `s`, until the shortest one ends or phrases end in one of them (after that
    /// turn): the turns taken and the states reached (with [`MATCH`] where phrases end). Kept
    /// apart from the bookkeeping of [`Lexicon::find_each`] so that the texts, states and
    /// tables stay in registers (7.5 instructions a byte inline, with spills; 5 here).
    #[inline(never)]
    fn run_streams(&self, run: [&[u8]; STREAMS], s: [u32; STREAMS]) -> (usize, [u32; STREAMS]) {
        let (next, class) = (self.next.as_slice(), &self.class);
        // Every state and transition is in the table, whose length is a power of two (see
        // `next_match`); `find_each` does not search with an empty table.
        let mask = next.len().wrapping_sub(1);
        let turns = run.iter().map(|r| r.len()).min().unwrap_or(0);
        let run: [&[u8]; STREAMS] = run.map(|r| &r[..turns]);
        // The states as full-width locals: in registers, no widening per step.
        let mut t: [usize; STREAMS] = s.map(|x| x as usize);
        let mut k = 0;
        while k < turns {
            let mut any = 0;
            for j in 0..STREAMS {
                t[j] = next[(t[j] + class[run[j][k] as usize] as usize) & mask] as usize;
                any |= t[j];
            }
            k += 1;
            if any & MATCH as usize != 0 {
                break;
            }
        }
        (k, t.map(|x| x as u32))
    }
}

/// A lexicon match in a lowercased paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexMatch {
    /// Index of the phrase in [`Lexicon::phrases`].
    pub phrase: u32,
    /// Byte offset of the match in the lowercased paragraph.
    pub start: usize,
    /// Byte offset one past the match.
    pub end: usize,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Lexicon {
    /// Builds a lexicon from [`DEFAULT_LEXICON`] plus `extra` phrases (lowercased, trimmed;
    /// empty ones are ignored).
    pub fn new(extra: &[String]) -> Result<Lexicon> {
        let mut phrases: Vec<String> = DEFAULT_LEXICON.iter().map(|s| s.to_string()).collect();
        for p in extra {
            let p = p.trim().to_lowercase();
            if !p.is_empty() && !phrases.contains(&p) {
                phrases.push(p);
            }
        }
        let strong = phrases
            .iter()
            .map(|p| STRONG_PHRASES.contains(&p.as_str()))
            .collect();
        let need_before = phrases
            .iter()
            .map(|p| p.chars().next().is_some_and(char::is_alphanumeric))
            .collect();
        let need_after = phrases
            .iter()
            .map(|p| p.chars().last().is_some_and(char::is_alphanumeric) && !p.contains(' '))
            .collect();
        let dfa = Dfa::new(&phrases);
        Ok(Lexicon {
            phrases,
            strong,
            need_before,
            need_after,
            dfa,
        })
    }

    /// Reads extra phrases from a text: one phrase a line; blank lines and lines starting with
    /// `#` are ignored.
    pub fn parse_phrases(text: &str) -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    }

    /// Every phrase, defaults first.
    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }

    /// The phrase of a match.
    pub fn phrase(&self, m: LexMatch) -> &str {
        &self.phrases[m.phrase as usize]
    }

    /// Whether the phrase is one of [`STRONG_PHRASES`].
    pub fn is_strong(&self, m: LexMatch) -> bool {
        self.strong[m.phrase as usize]
    }

    /// The leftmost (then longest) whole-word match in `lower`, a lowercased paragraph (or an
    /// ASCII paragraph in any case: ASCII capitals match as their lowercase letter).
    pub fn find(&self, lower: &str) -> Option<LexMatch> {
        let mut best = None;
        self.dfa.each_match(lower.as_bytes(), 0, 0, |end, s| {
            self.offer_ends(lower, s, end, &mut best)
        });
        best
    }

    /// [`Lexicon::find`] of each text of `lowers`, into `found` (cleared first), the same
    /// matches. The automaton waits for each transition before it can take the next, so one
    /// search uses a fraction of a core: here the texts are joined, each followed by
    /// [`SEPARATOR`] (which takes the automaton back to its start, no phrase holding it), and
    /// the joined bytes are cut in [`STREAMS`] parts of the same length (±1), searched at once,
    /// one byte of each a turn; the last bytes of the longer parts one part at a time. (Texts
    /// taken one by one, four at a time, cost a queue sorted by length and a return from the
    /// loop at every text's end: 11M of the 37M instructions of the search, on the development
    /// text.)
    pub fn find_each(&self, lowers: &[&str], found: &mut Vec<Option<LexMatch>>) {
        found.clear();
        found.resize(lowers.len(), None);
        let dfa = &self.dfa;
        if dfa.next.is_empty() {
            return;
        }
        let total: usize = lowers.iter().map(|t| t.len() + 1).sum();
        let mut hay: Vec<u8> = Vec::with_capacity(total);
        let mut starts: Vec<usize> = Vec::with_capacity(lowers.len());
        for t in lowers {
            starts.push(hay.len());
            hay.extend_from_slice(t.as_bytes());
            hay.push(SEPARATOR);
        }
        // Part `j` is `hay[cut[j]..cut[j + 1]]`, a quarter of the bytes; its search starts in
        // the state the search from the start reaches there (phrases ending at `cut[j]` are
        // the previous part's).
        let cut: [usize; STREAMS + 1] = std::array::from_fn(|j| j * total / STREAMS);
        // A match ends in the text that holds its last byte (not a separator).
        let mut offer = |end: usize, s: u32| {
            let i = starts.partition_point(|&x| x < end) - 1;
            self.offer_ends(lowers[i], s, end - starts[i], &mut found[i]);
        };
        let mut at: [usize; STREAMS] = std::array::from_fn(|j| cut[j]);
        let mut state: [u32; STREAMS] = std::array::from_fn(|j| dfa.state_at(&hay, cut[j]));
        loop {
            let run: [&[u8]; STREAMS] = std::array::from_fn(|j| &hay[at[j]..cut[j + 1]]);
            // Turns until a part ends or phrases end in one of them.
            let (turns, s) = dfa.run_streams(run, state);
            let mut ended = false;
            for j in 0..STREAMS {
                at[j] += turns;
                state[j] = s[j] & !MATCH;
                if s[j] & MATCH != 0 {
                    offer(at[j], state[j]);
                }
                ended |= at[j] == cut[j + 1];
            }
            if ended {
                break;
            }
        }
        // The rest of each part on its own.
        for j in 0..STREAMS {
            dfa.each_match(&hay[..cut[j + 1]], at[j], state[j], &mut offer);
        }
    }

    /// Offers `best` every phrase that ends at `e` in `lower`, where the automaton reached
    /// state `s` (without [`MATCH`]).
    #[inline]
    fn offer_ends(&self, lower: &str, s: u32, e: usize, best: &mut Option<LexMatch>) {
        for &p in &self.dfa.ends[s as usize / self.dfa.stride] {
            self.offer(lower, p as usize, e, best);
        }
    }

    /// Phrase `p` ends at `e` in `lower`: it becomes `best` if it is a whole-word match left
    /// of it, or at the same place and longer.
    #[inline]
    fn offer(&self, lower: &str, p: usize, e: usize, best: &mut Option<LexMatch>) {
        let s = e - self.phrases[p].len();
        if let Some(b) = best {
            if s > b.start || (s == b.start && e - s <= b.end - b.start) {
                return;
            }
        }
        if self.need_before[p] && lower[..s].chars().next_back().is_some_and(is_word) {
            return;
        }
        if self.need_after[p] && lower[e..].chars().next().is_some_and(is_word) {
            return;
        }
        *best = Some(LexMatch {
            phrase: p as u32,
            start: s,
            end: e,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(l: &Lexicon, s: &str) -> Option<String> {
        l.find(&s.to_lowercase()).map(|m| l.phrase(m).to_owned())
    }

    #[test]
    fn whole_words_leftmost_longest() {
        let l = Lexicon::new(&[]).unwrap();
        assert_eq!(find(&l, "• Send to Kindle"), Some("send to kindle".into()));
        assert_eq!(
            find(&l, "You might also likeRELATED"),
            Some("you might also like".into())
        );
        assert_eq!(find(&l, "Registered voters went"), None);
        assert_eq!(find(&l, "Leave comments below"), Some("comments".into()));
        assert_eq!(
            find(&l, "Share this on Facebook"),
            Some("share this".into())
        );
        assert_eq!(find(&l, "© 2026 Gazette"), Some("\u{a9}".into()));
    }

    /// The leftmost-longest whole-word match, found by trying every phrase at every place.
    fn find_slowly(l: &Lexicon, lower: &str) -> Option<LexMatch> {
        for s in (0..=lower.len()).filter(|&s| lower.is_char_boundary(s)) {
            let mut best: Option<LexMatch> = None;
            for (p, ph) in l.phrases().iter().enumerate() {
                let e = s + ph.len();
                if !lower[s..].starts_with(ph.as_str()) {
                    continue;
                }
                if l.need_before[p] && lower[..s].chars().next_back().is_some_and(is_word) {
                    continue;
                }
                if l.need_after[p] && lower[e..].chars().next().is_some_and(is_word) {
                    continue;
                }
                if best.map_or(true, |b| e > b.end) {
                    best = Some(LexMatch {
                        phrase: p as u32,
                        start: s,
                        end: e,
                    });
                }
            }
            if best.is_some() {
                return best;
            }
        }
        None
    }

    #[test]
    fn automaton_matches_the_slow_search() {
        let extra = Lexicon::parse_phrases("share\nthis\nsis\nété\nsign\nin the\n");
        let l = Lexicon::new(&extra).unwrap();
        let texts = [
            "share this sign in the newsletter",
            "sharesharethis shares, follow us. sign upsign in",
            "a© b ©2026 re-register registered (register) tweets tweet",
            "l'été dernier: photo: getty images / ap photo",
            "you might also likerelated - read moreviewing all 5 comments",
            "sisisis thisis this is in thein the",
            "",
        ];
        for t in texts {
            assert_eq!(l.find(t), find_slowly(&l, t), "{t}");
            let upper = t.to_ascii_uppercase();
            assert_eq!(l.find(&upper), find_slowly(&l, t), "{upper}");
        }
    }

    proptest::proptest! {
        /// Texts searched four at a time get the matches each gets alone, however many texts
        /// and whatever their lengths (empty ones included).
        #[test]
        fn find_each_matches_find(
            mut texts in proptest::collection::vec(
                "(share|this|sign|in the|photo:|©|é|x|follow us| |-|\\.){0,40}",
                0..23,
            ),
            long in proptest::collection::vec(0usize..3000, 0..4),
        ) {
            // A few long texts (parts cut unevenly).
            for (k, &n) in long.iter().enumerate() {
                if let Some(t) = texts.get_mut(k) {
                    t.push_str(&" follow us x".repeat(n / 12));
                }
            }
            let extra = Lexicon::parse_phrases("sis\nété\nin the\n");
            let l = Lexicon::new(&extra).unwrap();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let mut found = vec![None; 3];
            l.find_each(&refs, &mut found);
            let alone: Vec<Option<LexMatch>> = refs.iter().map(|t| l.find(t)).collect();
            proptest::prop_assert_eq!(found, alone);
        }
    }

    proptest::proptest! {
        /// The state read from the last `depth` bytes is the state read from the start.
        #[test]
        fn state_at_is_the_state_from_the_start(
            text in "(share|this|sign|in the|photo:|©|é|x|follow us|you might also| |-|\\.){0,30}",
        ) {
            let extra = Lexicon::parse_phrases("sis\nété\nin the\n");
            let l = Lexicon::new(&extra).unwrap();
            let (d, hay) = (&l.dfa, text.as_bytes());
            let mut s = 0u32;
            for p in 0..=hay.len() {
                proptest::prop_assert_eq!(d.state_at(hay, p), s);
                if p < hay.len() {
                    s = d.next[s as usize + d.class[hay[p] as usize] as usize] & !MATCH;
                }
            }
        }
    }

    /// The separator of `find_each` takes every state back to the start, without a match.
    #[test]
    fn separator_restarts() {
        let extra = Lexicon::parse_phrases("sis\nété\nin the\n");
        for l in [Lexicon::new(&[]).unwrap(), Lexicon::new(&extra).unwrap()] {
            let d = &l.dfa;
            let c = d.class[SEPARATOR as usize] as usize;
            for row in (0..d.ends.len()).map(|u| u * d.stride) {
                assert_eq!(d.next[row + c], 0);
            }
        }
    }

    #[test]
    fn extra_phrases() {
        let extra = Lexicon::parse_phrases("# mine\n\nRead the full story\n");
        let l = Lexicon::new(&extra).unwrap();
        assert_eq!(
            find(&l, "Read the full story here"),
            Some("read the full story".into())
        );
        assert!(!l.is_strong(l.find("read the full story").unwrap()));
    }
}
