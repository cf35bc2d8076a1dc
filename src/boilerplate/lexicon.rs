//! The chrome lexicon: phrases that mark a paragraph as page chrome (share buttons, account
//! links, legal notices, navigation, media credits).
//!
//! Phrases are matched on the lowercased paragraph as whole words: a phrase starting with a
//! letter or digit needs a non-word character (or the start of the paragraph) before it; a
//! phrase ending with a letter or digit needs a non-word character (or the end) after it,
//! unless the phrase holds a space (so "you might also like" matches "You might also
//! likeRELATED", as scrapers fuse buttons). The leftmost match wins, the longest at a place.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::error::{Error, Result};

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
    matcher: AhoCorasick,
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
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&phrases)
            .map_err(|e| Error::Config(format!("chrome lexicon: {e}")))?;
        Ok(Lexicon {
            phrases,
            strong,
            need_before,
            need_after,
            matcher,
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

    /// The leftmost (then longest) whole-word match in `lower`, a lowercased paragraph.
    pub fn find(&self, lower: &str) -> Option<LexMatch> {
        // Most paragraphs hold no phrase at all: the plain search (with its fast prefilter)
        // says so before the overlapping one.
        if !self.matcher.is_match(lower) {
            return None;
        }
        let mut best: Option<LexMatch> = None;
        for m in self.matcher.find_overlapping_iter(lower) {
            let (s, e) = (m.start(), m.end());
            if let Some(b) = best {
                if s > b.start || (s == b.start && e - s <= b.end - b.start) {
                    continue;
                }
            }
            let p = m.pattern().as_usize();
            if self.need_before[p] && lower[..s].chars().next_back().is_some_and(is_word) {
                continue;
            }
            if self.need_after[p] && lower[e..].chars().next().is_some_and(is_word) {
                continue;
            }
            best = Some(LexMatch {
                phrase: p as u32,
                start: s,
                end: e,
            });
        }
        best
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
