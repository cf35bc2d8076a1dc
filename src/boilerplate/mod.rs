//! What is page chrome?
//!
//! A scraped page holds the article (the *content*) and, around it, the page's *chrome*:
//! navigation and breadcrumbs, share buttons, bylines and credits, teaser lists of other
//! articles cut at `...`, newsletter and cookie notices, copyright lines, feed-reader
//! counters. This module labels every paragraph (non-blank line) content or chrome, with the
//! evidence for it, from signals that need no site-specific rules:
//!
//! * **repetition within a source** — a paragraph found on several pages of one outlet is its
//!   template (exactly, after folding case, punctuation and digits, or for most of its word
//!   3-shingles); a paragraph that recurs across *different* outlets is syndicated content,
//!   not chrome, unless it is generic (short, or matching the lexicon);
//! * **shape within the page** — length, sentence punctuation, stopword density, title-case
//!   teaser headlines, `...`/`…` snippets, menu separators, bylines, and a lexicon of chrome
//!   phrases ([`lexicon::DEFAULT_LEXICON`], extensible);
//! * **context** — weak paragraphs lean on their neighbours, and the article is the main
//!   contiguous body, which starts after the headline echoing the page title;
//! * **in-page repeats** — of several copies of a paragraph only the best-placed is kept.
//!
//! It works on a single page from a source seen once (shape and context) and improves with
//! more pages of a source (repetition).
//!
//! The stages can run on batches in any engine:
//!
//! 1. [`Classifier::analyze`] — per-page analysis, a pure function of the text;
//! 2. [`RepetitionStats`] — per-source counts of the pages' keys ([`PageAnalysis::keys`]),
//!    mergeable in any order, then [`RepetitionStats::finish`];
//! 3. [`Classifier::label`] — the labels of one page given the statistics.
//!
//! ```
//! use dechaff::boilerplate::{BoilerplateConfig, Classifier, RepetitionStats};
//!
//! let classifier = Classifier::new(BoilerplateConfig::default())?;
//! let text = "Home › News › Ports\nHarbour board approves dredging\n\
//!             The harbour board voted on Tuesday to deepen the main channel, which has been silting up for years.\n\
//!             Dredging will start in the spring and is expected to take about four months to complete.\n\
//!             • Send to Kindle";
//! let page = classifier.analyze(text);                        // stage 1, any thread
//! let mut stats = RepetitionStats::new();                     // stage 2
//! stats.add_page("harbor-gazette", &page.keys());
//! let stats = stats.finish();
//! let labels = classifier.label(&page, "harbor-gazette", &stats); // stage 3, any thread
//! let clean = labels.content_text(&page, text);
//! assert!(clean.starts_with("The harbour board voted"));
//! assert!(!clean.contains("Kindle"));
//! # Ok::<(), dechaff::Error>(())
//! ```

pub mod features;
pub mod label;
pub mod lexicon;
pub mod stats;

use serde::{Deserialize, Serialize};

/// Longest paragraph [`Classifier::chrome_ranges`] masks: page chrome is short lines; a long
/// paragraph is more likely a passage another document shares.
const CHROME_LINE_BYTES: usize = 160;

/// Evidence that marks a paragraph as chrome on its own (see [`Classifier::chrome_ranges`]).
const DIRECT_CHROME: u16 = label::evidence::LEXICON
    | label::evidence::MENU
    | label::evidence::BYLINE
    | label::evidence::ELLIPSIS
    | label::evidence::PAGE_REPEAT;

pub use features::{PageAnalysis, PageKeys, Paragraph};
pub use label::{PageLabels, ParagraphLabel, Why};
pub use lexicon::Lexicon;
pub use stats::{CorpusStats, RepetitionStats, SourceStats};

use crate::error::Result;

/// How readily paragraphs are removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Keeps more: a lower score threshold (-1), a cheaper gap in the main body (7.5 words),
    /// content outside the main body kept, and a sentence-like paragraph (sentence end, ≥ 6
    /// words) is never removed without repetition evidence (in the source or the page).
    Conservative,
    /// The default: threshold 0, gap cost 15 words, content outside the main body removed.
    #[default]
    Balanced,
    /// Removes more: threshold 0.5, gap cost 22.5 words, and paragraphs mostly repeated in a
    /// longer paragraph of the page (teasers of it) are removed.
    Aggressive,
}

impl Mode {
    /// Smoothed score a paragraph must exceed to count as content.
    pub fn threshold(self) -> f64 {
        match self {
            Mode::Conservative => -1.0,
            Mode::Balanced => 0.0,
            Mode::Aggressive => 0.5,
        }
    }

    /// Cost, in words, of a weak paragraph inside the main body.
    pub fn gap_cost(self) -> f64 {
        match self {
            Mode::Conservative => 7.5,
            Mode::Balanced => 15.0,
            Mode::Aggressive => 22.5,
        }
    }
}

/// Which signals are used (all by default). Turning one off measures what it adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// Exact repetition of a paragraph on other pages of its source.
    pub source_repetition: bool,
    /// Most of a long paragraph's 3-shingles on other pages of its source.
    pub near_repetition: bool,
    /// A sentence-like paragraph (≥ 12 words, sentence end, no lexicon phrase) repeated on a
    /// few pages of its source (at most a tenth of them) but also found in other sources is
    /// syndicated content, not chrome.
    pub syndication: bool,
    /// Repeats inside the page.
    pub page_repetition: bool,
    /// Chrome lexicon and bylines.
    pub lexicon: bool,
    /// Sentence-end punctuation.
    pub punctuation: bool,
    /// Stopword density (English pages).
    pub stopwords: bool,
    /// `...`/`…` snippets.
    pub ellipsis: bool,
    /// Title-case lines without sentence end.
    pub title_case: bool,
    /// Menu separators and bullets.
    pub menu: bool,
    /// Runs of short paragraphs without sentence end (lists of links).
    #[serde(default = "yes")]
    pub short_runs: bool,
    /// Context smoothing.
    pub context: bool,
    /// The main contiguous body.
    pub main_body: bool,
    /// Headline anchor and page-title removal.
    pub headline: bool,
}

fn yes() -> bool {
    true
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            source_repetition: true,
            near_repetition: true,
            syndication: true,
            page_repetition: true,
            lexicon: true,
            punctuation: true,
            stopwords: true,
            ellipsis: true,
            title_case: true,
            menu: true,
            short_runs: true,
            context: true,
            main_body: true,
            headline: true,
        }
    }
}

impl Signals {
    /// Names accepted by [`Signals::disable`].
    pub const NAMES: &'static [&'static str] = &[
        "srcrep",
        "nearrep",
        "syndication",
        "pagerep",
        "lexicon",
        "punct",
        "stopwords",
        "ellipsis",
        "titlecase",
        "menu",
        "shortruns",
        "context",
        "mainbody",
        "headline",
    ];

    /// Turns off the signal called `name` (one of [`Signals::NAMES`]); false if unknown.
    pub fn disable(&mut self, name: &str) -> bool {
        let f = match name {
            "srcrep" => &mut self.source_repetition,
            "nearrep" => &mut self.near_repetition,
            "syndication" => &mut self.syndication,
            "pagerep" => &mut self.page_repetition,
            "lexicon" => &mut self.lexicon,
            "punct" => &mut self.punctuation,
            "stopwords" => &mut self.stopwords,
            "ellipsis" => &mut self.ellipsis,
            "titlecase" => &mut self.title_case,
            "menu" => &mut self.menu,
            "shortruns" => &mut self.short_runs,
            "context" => &mut self.context,
            "mainbody" => &mut self.main_body,
            "headline" => &mut self.headline,
            _ => return false,
        };
        *f = false;
        true
    }
}

/// Configuration of the page-chrome classifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoilerplateConfig {
    /// How readily paragraphs are removed. Balanced by default.
    pub mode: Mode,
    /// Keep the in-body headline when it sits just before the main body (the page title is
    /// still removed). False by default: the article-extraction convention drops headlines.
    pub keep_title: bool,
    /// Phrases added to [`lexicon::DEFAULT_LEXICON`] (matched lowercased, as whole words).
    /// Empty by default.
    pub extra_phrases: Vec<String>,
    /// Paragraphs after the headline anchor that get a bonus in the main-body search. 30 by
    /// default.
    pub anchor_window: usize,
    /// Weight of content words within `anchor_window` after the headline. 2 by default.
    pub anchor_weight: f64,
    /// The signals used. All by default.
    pub signals: Signals,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            mode: Mode::Balanced,
            keep_title: false,
            extra_phrases: Vec::new(),
            anchor_window: 30,
            anchor_weight: 2.0,
            signals: Signals::default(),
        }
    }
}

/// A configured classifier: the configuration and the compiled lexicon. `Send + Sync`, no
/// state between calls.
#[derive(Clone, Debug)]
pub struct Classifier {
    config: BoilerplateConfig,
    lexicon: Lexicon,
}

impl Classifier {
    /// Checks the configuration and compiles the lexicon.
    pub fn new(config: BoilerplateConfig) -> Result<Classifier> {
        if !(config.anchor_weight.is_finite() && config.anchor_weight > 0.0) {
            return Err(crate::Error::Config(
                "anchor_weight must be a positive number".into(),
            ));
        }
        let lexicon = Lexicon::new(&config.extra_phrases)?;
        Ok(Classifier { config, lexicon })
    }

    /// The configuration.
    pub fn config(&self) -> &BoilerplateConfig {
        &self.config
    }

    /// The compiled lexicon.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Stage 1: the analysis of one page.
    pub fn analyze(&self, text: &str) -> PageAnalysis {
        features::analyze(text, &self.lexicon)
    }

    /// Stage 1, only what the source statistics need (equal to `analyze(text).keys()`,
    /// cheaper).
    pub fn page_keys(&self, text: &str, scratch: &mut features::Scratch) -> PageKeys {
        features::page_keys(text, scratch)
    }

    /// Stage 1 with reused buffers.
    pub fn analyze_into(
        &self,
        text: &str,
        scratch: &mut features::Scratch,
        out: &mut PageAnalysis,
    ) {
        features::analyze_into(text, &self.lexicon, scratch, out)
    }

    /// The byte ranges of the paragraphs of one page, judged on its own, that are chrome on
    /// direct evidence: a chrome-lexicon phrase, menu separators, a byline, a `...` teaser or a
    /// repeat within the page, and at most 160 bytes long. (Position outside the main body is not enough: another
    /// document's passage may sit there.) `overlap` uses it so that shared chrome ("Share this
    /// article") is not counted as syndication.
    pub fn chrome_ranges(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let page = self.analyze(text);
        let mut stats = RepetitionStats::new();
        stats.add_page("", &page.keys());
        let stats = stats.finish();
        let labels = self.label(&page, "", &stats);
        page.paragraphs
            .iter()
            .zip(&labels.paragraphs)
            .filter(|(p, l)| {
                !l.content && l.evidence & DIRECT_CHROME != 0 && p.span.len() <= CHROME_LINE_BYTES
            })
            .map(|(p, _)| p.span.byte_start..p.span.byte_end)
            .collect()
    }

    /// Stage 3: the labels of one page of `source` (`""` when unknown).
    pub fn label(&self, page: &PageAnalysis, source: &str, stats: &CorpusStats) -> PageLabels {
        label::label(page, source, stats, &self.config, &self.lexicon)
    }

    /// The reason for paragraph `i`'s label (see [`PageLabels::reason`]).
    pub fn reason(
        &self,
        labels: &PageLabels,
        page: &PageAnalysis,
        i: usize,
        source: &str,
    ) -> String {
        labels.reason(i, page, &self.lexicon, source)
    }
}

#[cfg(test)]
mod tests;
