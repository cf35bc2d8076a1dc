//! Stage 3: labelling one page, given its analysis and the repetition statistics.
//!
//! 1. a **shape score** per paragraph (positive = content-like): length, sentence end,
//!    stopwords, `...` snippets, title case, menu separators, byline, chrome lexicon, runs of
//!    short lines (lists of links);
//! 2. **hard evidence** that makes a paragraph chrome whatever its score: repetition on other
//!    pages of the same source (exact key, or ≥ 80 % of its 3-shingles), repetition inside the
//!    page (the best-placed occurrence is kept);
//! 3. the **headline anchor**: the paragraph that echoes the page title;
//! 4. **context smoothing**: short paragraphs lean on their neighbours;
//! 5. the **main body**: the contiguous span with the largest sum of content words minus a
//!    cost per weak paragraph, and the best span on either side of it when that one holds
//!    at least three content paragraphs and 40 % of its sum (an article interrupted by a
//!    teaser block);
//! 6. labels and reasons.

use super::features::{PageAnalysis, Paragraph};
use super::lexicon::Lexicon;
use super::stats::{CorpusStats, Repeats};
use super::{BoilerplateConfig, Mode};

/// Evidence flags of a paragraph (see [`ParagraphLabel::evidence`]).
pub mod evidence {
    /// Few stopwords (under 0.1 per word) on an English page.
    pub const FEW_STOPWORDS: u16 = 1;
    /// Ends with `...` or `…`.
    pub const ELLIPSIS: u16 = 1 << 1;
    /// Title case without sentence end.
    pub const TITLE_CASE: u16 = 1 << 2;
    /// Menu separators or bullets.
    pub const MENU: u16 = 1 << 3;
    /// A `By …` line.
    pub const BYLINE: u16 = 1 << 4;
    /// A chrome-lexicon phrase.
    pub const LEXICON: u16 = 1 << 5;
    /// On several pages of its source.
    pub const SOURCE_REPEAT: u16 = 1 << 6;
    /// Most of its 3-shingles are on other pages of its source.
    pub const SOURCE_NEAR_REPEAT: u16 = 1 << 7;
    /// Repeats another paragraph of the page.
    pub const PAGE_REPEAT: u16 = 1 << 8;
    /// Mostly contained in a longer paragraph of the page (aggressive mode).
    pub const PAGE_NEAR_REPEAT: u16 = 1 << 9;
    /// Repeated in its source but also found in other sources: syndicated, not chrome.
    pub const SYNDICATED: u16 = 1 << 10;
    /// Outside the main body.
    pub const OUTSIDE_BODY: u16 = 1 << 11;
    /// The page title or the headline echoing it.
    pub const TITLE: u16 = 1 << 12;
    /// In a run of short paragraphs without sentence end (a list of links).
    pub const SHORT_RUN: u16 = 1 << 13;
}
use evidence::*;

/// Why a paragraph got its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// Good score inside the main body.
    Content,
    /// Good score outside the main body, kept in conservative mode.
    ContentOutsideBody,
    /// Sentence-like and no repetition evidence, kept in conservative mode.
    ContentConservative,
    /// The headline, kept with `keep_title`.
    HeadlineKept,
    /// The page title or headline.
    Title,
    /// Good score, but outside the main body.
    OutsideBody,
    /// Hard evidence (repetition) or a weak score.
    Chrome,
}

/// The label of one paragraph.
#[derive(Clone, Copy, Debug)]
pub struct ParagraphLabel {
    /// Content (kept) or chrome (removed).
    pub content: bool,
    /// Why.
    pub why: Why,
    /// Score after context smoothing (positive = content-like).
    pub score: f64,
    /// Score before smoothing.
    pub raw_score: f64,
    /// Evidence flags ([`evidence`]).
    pub evidence: u16,
    /// Pages of the source holding the paragraph's key (with `SOURCE_REPEAT`), or sources
    /// holding it (with `SYNDICATED`).
    pub count: u32,
    /// The paragraph (0-based) this one repeats, with `PAGE_REPEAT`/`PAGE_NEAR_REPEAT`.
    pub repeat_of: u32,
}

/// The labels of one page.
#[derive(Clone, Debug, Default)]
pub struct PageLabels {
    /// One per paragraph of the [`PageAnalysis`], in order.
    pub paragraphs: Vec<ParagraphLabel>,
    /// Pages of the page's source.
    pub source_pages: u32,
}

impl PageLabels {
    /// Number of content paragraphs.
    pub fn content_count(&self) -> usize {
        self.paragraphs.iter().filter(|l| l.content).count()
    }

    /// The content paragraphs of `text` (the text analysed), in order, joined by `\n`.
    pub fn content_text(&self, page: &PageAnalysis, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for (p, l) in page.paragraphs.iter().zip(&self.paragraphs) {
            if l.content {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&text[p.span.byte_start..p.span.byte_end]);
            }
        }
        out
    }

    /// A readable reason for paragraph `i`'s label, naming the evidence.
    pub fn reason(&self, i: usize, page: &PageAnalysis, lexicon: &Lexicon, source: &str) -> String {
        let l = &self.paragraphs[i];
        let p = &page.paragraphs[i];
        let ev = l.evidence;
        let mut parts: Vec<String> = Vec::new();
        let shape = |parts: &mut Vec<String>| {
            if ev & FEW_STOPWORDS != 0 {
                parts.push("few stopwords".into());
            }
            if ev & ELLIPSIS != 0 {
                parts.push("teaser snippet ending in ...".into());
            }
            if ev & TITLE_CASE != 0 {
                parts.push("title-case line".into());
            }
            if ev & SHORT_RUN != 0 {
                parts.push("in a list of short lines".into());
            }
        };
        let menu_lex = |parts: &mut Vec<String>| {
            if ev & MENU != 0 {
                parts.push("menu-like separators".into());
            }
            if ev & BYLINE != 0 {
                parts.push("byline".into());
            }
            if let (true, Some(m)) = (ev & LEXICON != 0, p.lex) {
                parts.push(format!("chrome lexicon: {}", lexicon.phrase(m)));
            }
        };
        let repeats = |parts: &mut Vec<String>| {
            if ev & SOURCE_REPEAT != 0 {
                parts.push(format!(
                    "on {} of {} pages of source {}",
                    l.count, self.source_pages, source
                ));
            }
            if ev & SOURCE_NEAR_REPEAT != 0 {
                parts.push(format!("near-repeat on other pages of source {source}"));
            }
            if ev & PAGE_REPEAT != 0 {
                parts.push(format!("repeat of paragraph {}", l.repeat_of + 1));
            }
            if ev & PAGE_NEAR_REPEAT != 0 {
                parts.push(format!("near-repeat of paragraph {}", l.repeat_of + 1));
            }
        };
        let hard = ev & (SOURCE_REPEAT | SOURCE_NEAR_REPEAT | PAGE_REPEAT | PAGE_NEAR_REPEAT) != 0;
        let mut s = match l.why {
            Why::Content => "content".to_owned(),
            Why::ContentOutsideBody => "content (outside main body)".to_owned(),
            Why::ContentConservative => {
                "content (conservative: sentence-like, no repeat evidence)".to_owned()
            }
            Why::HeadlineKept => "headline (kept: keep-title)".to_owned(),
            Why::Title => {
                menu_lex(&mut parts);
                if ev & (SOURCE_REPEAT | PAGE_REPEAT) != 0 {
                    repeats(&mut parts);
                }
                if parts.is_empty() {
                    "page title / headline".to_owned()
                } else {
                    parts.join("; ")
                }
            }
            Why::OutsideBody => "outside main body".to_owned(),
            Why::Chrome => {
                if hard {
                    repeats(&mut parts);
                } else {
                    shape(&mut parts);
                    menu_lex(&mut parts);
                }
                let mut s = if parts.is_empty() {
                    format!("short/weak line (score {:.2})", l.raw_score)
                } else {
                    parts.join("; ")
                };
                if ev & OUTSIDE_BODY != 0 {
                    s.push_str("; outside main body");
                }
                s
            }
        };
        if ev & SYNDICATED != 0 {
            s.push_str(&format!(
                "; also in {} other sources (syndicated)",
                l.count.saturating_sub(1)
            ));
        }
        s
    }
}

/// A second span of the main body must weigh this share of the best span…
const SECOND_BODY_WEIGHT: f64 = 0.4;
/// …and hold this many content paragraphs.
const SECOND_BODY_PARAGRAPHS: usize = 3;

/// Words of content a page must show before a comment-section heading ends its main body.
/// Chosen on both dev sets (aeb flat from 100 to 200, big9 flat from 200 up; recall is lost
/// on big9 below 150, where a comment link sits just after a short lede).
const COMMENTS_AFTER_WORDS: u32 = 200;

/// Pages of its source a sentence-like paragraph (≥ 12 words, sentence end) must be on to be
/// template: more than a short line, so that an article quoted or continued on another page
/// keeps its sentences.
const SENTENCE_PAGES: u32 = 3;

/// Pages a sentence-like paragraph of this page must be on to count as template.
///
/// A source of two pages cannot show a sentence on three: there a sentence on *both* pages is
/// template (a sidebar blurb, a call to action, a footer notice) — unless the two pages are
/// near-duplicates (the same article twice), seen as at least 8 sentence-like paragraphs of
/// which 90 % are on the other page; then the three-page rule stands and sentences are kept.
fn sentence_pages(ps: &[Paragraph], st: &Repeats, n_pages: u32) -> u32 {
    if n_pages >= SENTENCE_PAGES {
        return SENTENCE_PAGES;
    }
    let (mut total, mut shared) = (0u32, 0u32);
    for p in ps.iter().filter(|p| p.words >= 12 && p.end && p.key != 0) {
        total += 1;
        if st.key_pages(p.key) >= 2 {
            shared += 1;
        }
    }
    if shared >= 8 && shared * 10 >= total * 9 {
        SENTENCE_PAGES
    } else {
        n_pages.max(2)
    }
}

/// Near repetition in the source: `Some(f3)` when at least 80 % of the 3-shingles `sh` are on
/// 2 or more pages of the source, with `f3` the fraction on 3 or more; `None` otherwise. One
/// lookup per shingle, and it stops as soon as 80 % is out of reach (most paragraphs are
/// unique to their page).
fn near_repeat(sh: impl ExactSizeIterator<Item = u64>, st: &Repeats) -> Option<f64> {
    let n = sh.len();
    let len = n as f64;
    let (mut seen, mut c2, mut c3) = (0usize, 0usize, 0usize);
    for x in sh {
        seen += 1;
        match st.shingle_pages(x) {
            0 | 1 => {
                // The most that can still be reached: every remaining shingle repeated. In
                // integers (see `below_four_fifths`): one test per shingle, no division.
                if below_four_fifths(c2 + n - seen, n) {
                    return None;
                }
            }
            2 => c2 += 1,
            _ => {
                c2 += 1;
                c3 += 1;
            }
        }
    }
    (c2 as f64 / len >= 0.8).then(|| c3 as f64 / len)
}

/// `c as f64 / n as f64 < 0.8`, exactly, for `0 < n < 2^50`: `5c < 4n`. When `5c >= 4n` the
/// quotient is at least 0.8 and rounds to at least the double nearest 0.8; when `5c < 4n` it
/// is at most `0.8 - 1/(5n)`, further below 0.8 than any rounding reaches.
fn below_four_fifths(c: usize, n: usize) -> bool {
    5 * c < 4 * n
}

/// Whether a comment's signature line ("Alex on May 3, 2018 at 6:34 am said:", "joe says:")
/// is among the 3 paragraphs from `from`: a short line, no sentence end, ending with said,
/// says, wrote or writes. It confirms a comment-section heading however short the article.
fn comment_signed(page: &PageAnalysis, from: usize) -> bool {
    use xxhash_rust::xxh3::xxh3_64;
    let verbs = [
        xxh3_64(b"said"),
        xxh3_64(b"says"),
        xxh3_64(b"wrote"),
        xxh3_64(b"writes"),
    ];
    let n = page.paragraphs.len();
    (from..(from + 3).min(n)).any(|j| {
        let q = &page.paragraphs[j];
        q.words <= 15 && !q.end && page.key_tokens(j).last().is_some_and(|t| verbs.contains(t))
    })
}

/// Consecutive short non-sentence paragraphs that make a list of links (see [`short_runs`]).
const SHORT_RUN_MIN: usize = 4;

/// Longest paragraph, in words, that counts in a run of short lines.
const SHORT_RUN_WORDS: u32 = 12;

/// Lists of links: a run of at least [`SHORT_RUN_MIN`] consecutive paragraphs of 2 to
/// [`SHORT_RUN_WORDS`] words without sentence end (teaser headlines, navigation, tag lists).
/// An article's subheadings stand alone between paragraphs; each paragraph of such a run
/// loses 1.
fn short_runs(ps: &[Paragraph], score: &mut [f64], ev: &mut [u16]) {
    let short = |p: &Paragraph| !p.end && (2..=SHORT_RUN_WORDS).contains(&p.words);
    // One pass: the length of the run of short paragraphs ending before `i`, marked when a
    // paragraph that is not short (or the end of the page) closes it.
    let mut run = 0;
    for i in 0..=ps.len() {
        if ps.get(i).is_some_and(short) {
            run += 1;
            continue;
        }
        if run >= SHORT_RUN_MIN {
            for k in i - run..i {
                score[k] -= 1.0;
                ev[k] |= SHORT_RUN;
            }
        }
        run = 0;
    }
}

fn clip(x: f64) -> f64 {
    x.clamp(-3.0, 3.0)
}

/// Shape score of a paragraph and the evidence flags behind its negative terms.
fn shape_score(
    p: &Paragraph,
    english: bool,
    cfg: &BoilerplateConfig,
    lexicon: &Lexicon,
) -> (f64, u16) {
    let sig = &cfg.signals;
    let nw = p.words as f64;
    let mut s = (nw.min(28.0) - 8.0) / 10.0;
    let mut ev = 0;
    if p.words <= 2 {
        s -= 1.0;
    }
    if sig.punctuation {
        s += if p.end { 1.0 } else { -1.0 };
    }
    if english && sig.stopwords && p.words >= 3 {
        s += (p.stopwords.min(0.45) - 0.2) * 6.0;
        if p.stopwords < 0.1 {
            ev |= FEW_STOPWORDS;
        }
    } else if !english && p.words >= 3 {
        s += 0.6;
    }
    if p.ellipsis && sig.ellipsis {
        s -= 2.0;
        ev |= ELLIPSIS;
    }
    if sig.title_case && p.words >= 3 && !p.end && p.caps >= 0.7 {
        s -= 1.0;
        ev |= TITLE_CASE;
    }
    if sig.menu && p.menu > 0 {
        s -= (8.0 * p.menu as f64 / nw.max(1.0)).min(3.0);
        ev |= MENU;
    }
    if p.byline && sig.lexicon {
        s -= 3.0;
        ev |= BYLINE;
    }
    if let (Some(m), true) = (p.lex, sig.lexicon) {
        // A phrase inside a longer sentence ("Brightwater shares rose 3.2 percent …") is
        // weak evidence: only labels and strong (legal, sign-up) phrases count there.
        let sentence = p.end && p.words > 12;
        s -= if p.words <= 12 || p.label || lexicon.is_strong(m) || credit_at_end(p, m, lexicon) {
            3.0
        } else if sentence {
            0.0
        } else if p.words <= 25 {
            1.5
        } else {
            0.5
        };
        ev |= LEXICON;
    }
    (s, ev)
}

/// Bytes from the end of a paragraph within which a photo credit makes it a caption.
const CREDIT_TAIL: usize = 40;

/// A photo credit ("Photo: …", "… Getty Images") closing a paragraph: a caption, however long
/// its sentence.
fn credit_at_end(p: &Paragraph, m: super::lexicon::LexMatch, lexicon: &Lexicon) -> bool {
    matches!(
        lexicon.phrase(m),
        "photo:"
            | "photo by"
            | "photos:"
            | "image:"
            | "credit:"
            | "getty images"
            | "ap photo"
            | "file photo"
    ) && p.span.byte_end - p.span.byte_start <= m.end + CREDIT_TAIL
}

/// Stage 3: labels the paragraphs of one page of `source`.
pub fn label(
    page: &PageAnalysis,
    source: &str,
    stats: &CorpusStats,
    cfg: &BoilerplateConfig,
    lexicon: &Lexicon,
) -> PageLabels {
    let ps = &page.paragraphs;
    let n = ps.len();
    let sig = &cfg.signals;
    let src = stats.repeats(source);
    let n_pages = src.map_or(0, |s| s.pages);
    let mut out = PageLabels {
        paragraphs: Vec::with_capacity(n),
        source_pages: n_pages,
    };
    if n == 0 {
        return out;
    }
    // Language gate: English stopword density over the long paragraphs.
    let (mut tot, mut swt) = (0.0, 0.0);
    for p in ps.iter().filter(|p| p.words >= 8) {
        tot += p.words as f64;
        swt += p.stopwords * p.words as f64;
    }
    let english = tot > 0.0 && swt / tot >= 0.15;

    let mut score = Vec::with_capacity(n);
    let mut ev = Vec::with_capacity(n);
    let mut bad = vec![false; n];
    let mut count = vec![0u32; n];
    let mut repeat_of = vec![0u32; n];
    let sentence_need = src.map_or(SENTENCE_PAGES, |st| sentence_pages(ps, st, n_pages));
    for (i, p) in ps.iter().enumerate() {
        let (mut s, mut e) = shape_score(p, english, cfg, lexicon);
        if let (Some(st), true) = (src, sig.source_repetition && n_pages >= 2 && p.key != 0) {
            let df = st.key_pages(p.key);
            let need = if p.words >= 12 && p.end {
                sentence_need
            } else {
                2
            };
            let sentence = p.words >= 12 && p.end && p.lex.is_none();
            if df >= need {
                // Syndicated: a sentence found in other sources too, and on few pages of its
                // own (a template line is on many pages of its source, whatever else holds it).
                // The sources are only looked up for a sentence.
                let ns = if sig.syndication && sentence {
                    stats.repeated_key_sources(p.key)
                } else {
                    0
                };
                if ns >= 2 && df * 10 <= n_pages {
                    e |= SYNDICATED;
                    count[i] = ns;
                } else {
                    s -= 4.0 + 2.0 * df as f64 / n_pages as f64;
                    bad[i] = true;
                    e |= SOURCE_REPEAT;
                    count[i] = df;
                }
            } else if sig.near_repetition && p.key_tokens >= 6 {
                if let Some(f3) = near_repeat(page.shingle_iter(i), st) {
                    if !(p.words >= 12 && p.end && f3 < 0.8) {
                        s -= 4.0;
                        bad[i] = true;
                        e |= SOURCE_NEAR_REPEAT;
                    }
                }
            }
        }
        score.push(s);
        ev.push(e);
    }

    if sig.short_runs {
        short_runs(ps, &mut score, &mut ev);
    }

    if sig.page_repetition {
        // Repeats inside the page: the occurrence with the best clipped score plus
        // neighbourhood is kept, the others are chrome.
        // Chains of paragraphs sharing a key, each in page order (key 0 is no key). Chains
        // are independent (merit reads `base`, which no chain changes), so their order does
        // not matter.
        let (heads, next) = repeated_keys(ps);
        let base: Vec<f64> = if heads.is_empty() {
            Vec::new()
        } else {
            score.iter().map(|&s| clip(s)).collect()
        };
        let merit = |i: usize| {
            let (mut sum, mut k) = (0.0, 0);
            for j in [
                i as isize - 2,
                i as isize - 1,
                i as isize + 1,
                i as isize + 2,
            ] {
                if j >= 0 && (j as usize) < n {
                    sum += base[j as usize];
                    k += 1;
                }
            }
            base[i] + if k > 0 { sum / k as f64 } else { 0.0 }
        };
        for &head in &heads {
            let mut keep = head as usize;
            let mut best = merit(keep);
            let mut i = next[keep];
            while i != NO_PARAGRAPH {
                let m = merit(i as usize);
                if m > best {
                    best = m;
                    keep = i as usize;
                }
                i = next[i as usize];
            }
            let mut i = head;
            while i != NO_PARAGRAPH {
                let j = i as usize;
                if j != keep {
                    score[j] -= 4.0;
                    bad[j] = true;
                    ev[j] |= PAGE_REPEAT;
                    repeat_of[j] = keep as u32;
                }
                i = next[j];
            }
        }
        if cfg.mode == Mode::Aggressive {
            near_repeats(page, &mut score, &mut bad, &mut ev, &mut repeat_of);
        }
    }

    // Headline anchor: the paragraph that best echoes the page title.
    let mut anchor: Option<usize> = None;
    if sig.headline && n > 1 && page.title_tokens.len() >= 3 {
        let tw = &page.title_tokens;
        let mut best = 0.6;
        let mut lw: Vec<u64> = Vec::new();
        let mut hit = vec![false; tw.len()];
        // One bit per title token (its hash's top 6 bits): most tokens of a paragraph are
        // not in the title, and most of those are told by their bit.
        let bit = |t: u64| 1u64 << (t >> 58);
        let title_bits = tw.iter().fold(0u64, |m, &t| m | bit(t));
        for i in 1..n {
            // The Jaccard index is at most (title tokens present) / (title tokens): skip the
            // paragraph without sorting its tokens when that cannot reach `best`; and at most
            // as many title tokens as it has tokens are present, so a short paragraph is
            // skipped before its tokens are read.
            let few = page.key_tokens(i).len().min(tw.len());
            if (few as f64 / tw.len() as f64) < best {
                continue;
            }
            hit.fill(false);
            let mut present = 0usize;
            for t in page.key_tokens(i) {
                if title_bits & bit(*t) == 0 {
                    continue;
                }
                if let Ok(k) = tw.binary_search(t) {
                    if !hit[k] {
                        hit[k] = true;
                        present += 1;
                    }
                }
            }
            if (present as f64 / tw.len() as f64) < best {
                continue;
            }
            lw.clear();
            lw.extend_from_slice(page.key_tokens(i));
            lw.sort_unstable();
            lw.dedup();
            if lw.is_empty() || lw.len() > 3 * tw.len() {
                continue;
            }
            let inter = lw.iter().filter(|t| tw.binary_search(t).is_ok()).count();
            let j = inter as f64 / (tw.len() + lw.len() - inter) as f64;
            if j >= best + 1e-9 || (j >= best && anchor.is_none()) {
                best = j;
                anchor = Some(i);
                if j == 1.0 {
                    break;
                }
            }
        }
    }

    // Context smoothing.
    let raw: Vec<f64> = score.iter().map(|&s| clip(s)).collect();
    let mut smooth = Vec::with_capacity(n);
    for i in 0..n {
        if !sig.context {
            smooth.push(score[i]);
            continue;
        }
        let alpha = if ps[i].words < 10 { 0.6 } else { 0.25 };
        if let Some(r) = raw.get(i.wrapping_sub(2)..i + 3) {
            // Two neighbours on either side (most paragraphs): the general case below with
            // its bounds known, the same sums in the same order.
            let mut ctx = 0.0;
            ctx += 0.5 * r[1];
            ctx += 0.5 * r[3];
            ctx += 0.25 * r[0];
            ctx += 0.25 * r[4];
            let ctx = ctx / (0.5 + 0.5 + 0.25 + 0.25);
            smooth.push((1.0 - alpha) * score[i] + alpha * ctx);
            continue;
        }
        let (mut ctx, mut wsum) = (0.0, 0.0);
        for (d, w) in [(1usize, 0.5), (2, 0.25)] {
            if i >= d {
                ctx += w * raw[i - d];
                wsum += w;
            }
            if i + d < n {
                ctx += w * raw[i + d];
                wsum += w;
            }
        }
        let ctx = if wsum > 0.0 { ctx / wsum } else { 0.0 };
        smooth.push((1.0 - alpha) * score[i] + alpha * ctx);
    }
    let th = cfg.mode.threshold();
    let good: Vec<bool> = smooth
        .iter()
        .zip(&bad)
        .map(|(&s, &b)| s > th && !b)
        .collect();

    // Main body: maximum-sum contiguous span.
    // The comment section: a short heading ("34 responses to …", "Leave a reply", "Comments")
    // after some content ends the article; the main body does not reach past it.
    let mut cut = n;
    if sig.main_body {
        let mut seen = 0u32;
        for (i, p) in ps.iter().enumerate() {
            // The phrase opens the line, after at most a count ("34 responses to …").
            let heading = p.words <= 12
                && p.lex.filter(|m| m.start <= 6).is_some_and(|m| {
                    matches!(
                        lexicon.phrase(m),
                        "comments" | "leave a reply" | "post a comment" | "responses to"
                    )
                });
            if heading && (seen >= COMMENTS_AFTER_WORDS || comment_signed(page, i + 1)) {
                cut = i;
                break;
            }
            if good[i] {
                seen += p.words;
            }
        }
    }
    // Spans of the main body besides the best one (at most one on each side).
    let mut second: Vec<(isize, isize)> = Vec::new();
    let (body_start, body_end) = if sig.main_body {
        let gap = cfg.mode.gap_cost();
        let value: Vec<f64> = (0..cut)
            .map(|i| {
                // A paragraph without a word (a zero-width space, a `* * *` break, an icon) is
                // no evidence either way: it costs nothing inside the body.
                let mut v = if good[i] {
                    ps[i].words as f64
                } else if ps[i].words == 0 {
                    0.0
                } else {
                    -gap
                };
                if let Some(a) = anchor {
                    if good[i] && a < i && i <= a + cfg.anchor_window {
                        v *= cfg.anchor_weight;
                    }
                }
                v
            })
            .collect();
        let (best, span) = max_span(&value, 0);
        // An article broken by an inserted block ("Story continues below", a teaser list)
        // goes on after it: a span on either side of the best one joins the body when it
        // holds several content paragraphs and a good part of the best span's weight. One
        // paragraph (a service blurb, a tag cloud) is not enough.
        if span.1 >= span.0 {
            for (lo, hi) in [(0usize, span.0 as usize), (span.1 as usize + 1, cut)] {
                if lo < hi {
                    let (sum, sp) = max_span(&value[lo..hi], lo);
                    let paragraphs = (sp.0..=sp.1).filter(|&j| good[j as usize]).count();
                    if sum >= SECOND_BODY_WEIGHT * best && paragraphs >= SECOND_BODY_PARAGRAPHS {
                        second.push(sp);
                    }
                }
            }
        }
        span
    } else {
        (0, n as isize - 1)
    };

    // Title policy.
    let mut title = vec![false; n];
    if sig.headline && (anchor.is_some() || (!ps[0].end && ps[0].words <= 30)) {
        title[0] = true;
    }
    if let Some(a) = anchor {
        let near_body =
            body_start - cfg.anchor_window as isize <= a as isize && a as isize <= body_end;
        if !cfg.keep_title || !near_body {
            title[a] = true;
        }
    }
    let conservative = cfg.mode == Mode::Conservative;
    // One label per paragraph, appended as a sized sequence (no capacity test per push). The
    // per-paragraph vectors are zipped (all of length `n`): no bounds test per index.
    let per_paragraph = ps
        .iter()
        .zip(&title)
        .zip(&good)
        .zip(&bad)
        .zip(ev.iter().zip(&count).zip(&repeat_of))
        .zip(smooth.iter().zip(&score));
    out.paragraphs.extend(per_paragraph.enumerate().map(
        |(i, (((((p, &title), &good), &bad), ((&e, &count), &repeat_of)), (&smooth, &raw)))| {
            let ii = i as isize;
            let inside = (body_start <= ii && ii <= body_end)
                || second.iter().any(|&(a, b)| a <= ii && ii <= b);
            let mut e = e;
            let (content, why) = if title {
                e |= TITLE;
                (false, Why::Title)
            } else if cfg.keep_title && anchor == Some(i) {
                (true, Why::HeadlineKept)
            } else if good && inside {
                (true, Why::Content)
            } else if good {
                if conservative {
                    (true, Why::ContentOutsideBody)
                } else {
                    e |= OUTSIDE_BODY;
                    (false, Why::OutsideBody)
                }
            } else {
                if !inside {
                    e |= OUTSIDE_BODY;
                }
                (false, Why::Chrome)
            };
            let (content, why) = if conservative && !content && !bad && p.end && p.words >= 6 {
                (true, Why::ContentConservative)
            } else {
                (content, why)
            };
            ParagraphLabel {
                content,
                why,
                score: smooth,
                raw_score: raw,
                evidence: e,
                count,
                repeat_of,
            }
        },
    ));
    out
}

/// End of a chain of [`repeated_keys`].
const NO_PARAGRAPH: u32 = u32::MAX;

/// The paragraphs of a page that share their key (not 0) with another, as chains: the first
/// paragraph of each such key (in the order their second one is met), and for each paragraph
/// the next one with its key ([`NO_PARAGRAPH`] at the end of a chain). One pass over an
/// open-addressing table indexed by the keys' high bits (keys are hashes); nothing depends on
/// the table's order. The same groups, in page order, as
/// [`crate::sort::groups_of_equal_keys`] of the keys, without the groups of key 0.
fn repeated_keys(ps: &[Paragraph]) -> (Vec<u32>, Vec<u32>) {
    let n = ps.len();
    let cap = (2 * n).next_power_of_two().max(16);
    let shift = 64 - cap.trailing_zeros();
    // Slot -> first paragraph of the key stored there; first paragraph -> last one so far.
    let mut table = vec![NO_PARAGRAPH; cap];
    let mut last = vec![NO_PARAGRAPH; n];
    let mut next = vec![NO_PARAGRAPH; n];
    let mut heads = Vec::new();
    for (i, p) in ps.iter().enumerate() {
        if p.key == 0 {
            continue;
        }
        let mut slot = (p.key >> shift) as usize;
        loop {
            let h = table[slot];
            if h == NO_PARAGRAPH {
                table[slot] = i as u32;
                last[i] = i as u32;
                break;
            }
            let h = h as usize;
            if ps[h].key == p.key {
                let t = last[h] as usize;
                if t == h {
                    heads.push(h as u32);
                }
                next[t] = i as u32;
                last[h] = i as u32;
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    (heads, next)
}

/// In-page near repeats (aggressive mode): a paragraph of ≥ 6 key tokens whose 3-shingles
/// are ≥ 60 % in one longer, better-scored paragraph is a teaser of it.
fn near_repeats(
    page: &PageAnalysis,
    score: &mut [f64],
    bad: &mut [bool],
    ev: &mut [u16],
    repeat_of: &mut [u32],
) {
    let ps = &page.paragraphs;
    let mut sets: Vec<(usize, Vec<u64>)> = Vec::new();
    let mut sh = Vec::new();
    for (i, p) in ps.iter().enumerate() {
        if p.key_tokens >= 6 {
            page.shingles(i, &mut sh);
            let mut s = sh.clone();
            s.sort_unstable();
            s.dedup();
            sets.push((i, s));
        }
    }
    let mut index: Vec<(u64, u32)> = sets
        .iter()
        .flat_map(|(i, s)| s.iter().map(move |&h| (h, *i as u32)))
        .collect();
    index.sort_unstable();
    let mut cnt: Vec<(u32, u32)> = Vec::new();
    for (i, shs) in &sets {
        let i = *i;
        if bad[i] || shs.is_empty() {
            continue;
        }
        let mut hits: Vec<u32> = Vec::new();
        for h in shs {
            let lo = index.partition_point(|&(x, _)| x < *h);
            for &(x, j) in &index[lo..] {
                if x != *h {
                    break;
                }
                if j as usize != i {
                    hits.push(j);
                }
            }
        }
        hits.sort_unstable();
        cnt.clear();
        for g in hits.chunk_by(|a, b| a == b) {
            cnt.push((g[0], g.len() as u32));
        }
        for &(j, c) in &cnt {
            let j = j as usize;
            if c as f64 / shs.len() as f64 >= 0.6
                && ps[j].key_chars > ps[i].key_chars
                && !bad[j]
                && score[j] >= score[i]
            {
                score[i] -= 4.0;
                bad[i] = true;
                ev[i] |= PAGE_NEAR_REPEAT;
                repeat_of[i] = j as u32;
                break;
            }
        }
    }
}

/// The contiguous span of `value` with the largest sum (Kadane), as (sum, (first, last)) with
/// offsets shifted by `base`; an empty span `(base + len, -1)` when no sum is positive.
fn max_span(value: &[f64], base: usize) -> (f64, (isize, isize)) {
    let (mut best, mut span) = (0.0, ((base + value.len()) as isize, -1isize));
    let (mut cur, mut start) = (0.0, 0usize);
    for (i, &v) in value.iter().enumerate() {
        if cur <= 0.0 {
            cur = 0.0;
            start = i;
        }
        cur += v;
        if cur > best {
            best = cur;
            span = ((base + start) as isize, (base + i) as isize);
        }
    }
    (best, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chains of [`repeated_keys`], as groups in page order, sorted by first paragraph.
    fn chains(ps: &[Paragraph]) -> Vec<Vec<u32>> {
        let (heads, next) = repeated_keys(ps);
        let mut groups: Vec<Vec<u32>> = heads
            .iter()
            .map(|&h| {
                let mut g = vec![h];
                while next[*g.last().unwrap() as usize] != NO_PARAGRAPH {
                    g.push(next[*g.last().unwrap() as usize]);
                }
                g
            })
            .collect();
        groups.sort();
        groups
    }

    /// The scan [`short_runs`] replaced: each run measured from its start.
    fn short_runs_reference(ps: &[Paragraph], score: &mut [f64], ev: &mut [u16]) {
        let short = |p: &Paragraph| !p.end && (2..=SHORT_RUN_WORDS).contains(&p.words);
        let mut i = 0;
        while i < ps.len() {
            let j = i + ps[i..].iter().take_while(|p| short(p)).count();
            if j - i >= SHORT_RUN_MIN {
                for k in i..j {
                    score[k] -= 1.0;
                    ev[k] |= SHORT_RUN;
                }
            }
            i = j.max(i + 1);
        }
    }

    #[test]
    fn below_four_fifths_is_the_float_test() {
        for n in (1usize..3000).chain([1 << 20, (1 << 40) + 7, (1 << 49) + 3]) {
            let around = (4 * n / 5).saturating_sub(3)..=(4 * n / 5 + 3).min(n);
            for c in (0..=n.min(3000)).chain(around) {
                assert_eq!(
                    below_four_fifths(c, n),
                    (c as f64 / n as f64) < 0.8,
                    "{c} of {n}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn short_runs_are_the_reference(
            shape in proptest::collection::vec((0u32..16, proptest::bool::ANY), 0..60),
        ) {
            let ps: Vec<Paragraph> = shape
                .iter()
                .map(|&(words, end)| Paragraph { words, end, ..Default::default() })
                .collect();
            let (mut score, mut ev) = (vec![0.5; ps.len()], vec![1u16; ps.len()]);
            let (mut want_score, mut want_ev) = (score.clone(), ev.clone());
            short_runs(&ps, &mut score, &mut ev);
            short_runs_reference(&ps, &mut want_score, &mut want_ev);
            proptest::prop_assert_eq!((score, ev), (want_score, want_ev));
        }

        #[test]
        fn repeated_keys_are_the_groups_of_equal_keys(
            picks in proptest::collection::vec(0usize..12, 0..200),
        ) {
            // Few distinct keys (many repeats), some sharing their high bits, and key 0.
            let pool = [0, 1, 2, 1 << 60, 3 << 60 | 1, 3 << 60 | 2, u64::MAX, 42, 43, 44, 45, 46];
            let ps: Vec<Paragraph> = picks
                .iter()
                .map(|&k| Paragraph { key: pool[k], ..Default::default() })
                .collect();
            let keys: Vec<u64> = ps.iter().map(|p| p.key).collect();
            let want: Vec<Vec<u32>> = crate::sort::groups_of_equal_keys(&keys)
                .into_iter()
                .filter(|g| keys[g[0] as usize] != 0)
                .collect();
            proptest::prop_assert_eq!(chains(&ps), want);
        }
    }
}
