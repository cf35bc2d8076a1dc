use super::*;

/// Deterministic pseudo-text: `n` sentences of made-up words drawn with `seed`.
fn text(seed: u64, n: usize) -> String {
    const SYL: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ber", "dan", "fel", "gor", "hin", "jus",
        "mar", "pol",
    ];
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };
    let mut out = String::new();
    for _ in 0..n {
        let words = 12 + next() % 9;
        for w in 0..words {
            let mut word = String::new();
            for _ in 0..2 + next() % 2 {
                word.push_str(SYL[next() % SYL.len()]);
            }
            if w == 0 {
                word[..1].make_ascii_uppercase();
            }
            out.push_str(&word);
            out.push(if w + 1 == words { '.' } else { ' ' });
        }
        out.push(' ');
    }
    out.trim_end().to_owned()
}

fn ov() -> Overlapper {
    Overlapper::new(OverlapConfig::default()).unwrap()
}

#[test]
fn verbatim_insert_is_found_with_exact_spans() {
    let passage = text(1, 5);
    let a = format!("{} {} {}", text(2, 8), passage, text(3, 6));
    let b = format!("{}\n{}\n{}", text(4, 4), passage, text(5, 9));
    let found = ov().align_texts(&a, &[], &b, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    assert_eq!(&a[p.a_byte_start..p.a_byte_end], passage);
    assert_eq!(&b[p.b_byte_start..p.b_byte_end], passage);
    assert!(p.similarity > 0.99);
}

#[test]
fn edited_insert_is_found() {
    let passage = text(11, 6);
    // Replace every seventh word and drop a few.
    let edited: Vec<String> = passage
        .split(' ')
        .enumerate()
        .filter(|(i, _)| i % 13 != 5)
        .map(|(i, w)| {
            if i % 7 == 3 {
                "zorblax".to_owned()
            } else {
                w.to_owned()
            }
        })
        .collect();
    let edited = edited.join(" ");
    let a = format!("{} {} {}", text(12, 7), passage, text(13, 7));
    let b = format!("{} {} {}", text(14, 3), edited, text(15, 10));
    let found = ov().align_texts(&a, &[], &b, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    let a_start = a.find(&passage).unwrap();
    let b_start = b.find(&edited).unwrap();
    assert_eq!(p.a_byte_start, a_start);
    assert_eq!(p.a_byte_end, a_start + passage.len());
    assert_eq!(p.b_byte_start, b_start);
    assert_eq!(p.b_byte_end, b_start + edited.len());
    assert!(p.similarity > 0.6 && p.similarity < 1.0, "{}", p.similarity);
}

#[test]
fn passage_spanning_paragraphs_is_one_match() {
    let (p1, p2) = (text(21, 3), text(22, 3));
    let a = format!("{}\n\n{}\n\n{}\n\n{}", text(23, 5), p1, p2, text(24, 5));
    let b = format!("{}\n\n{} {}\n\n{}", text(25, 6), p1, p2, text(26, 2));
    let found = ov().align_texts(&a, &[], &b, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    assert_eq!(&a[p.a_byte_start..p.a_byte_end], format!("{p1}\n\n{p2}"));
    assert_eq!(&b[p.b_byte_start..p.b_byte_end], format!("{p1} {p2}"));
}

#[test]
fn unrelated_texts_do_not_match() {
    let o = ov();
    for s in 0..20 {
        let found = o.align_texts(&text(100 + s, 15), &[], &text(200 + s, 15), &[]);
        assert!(found.is_empty(), "{s}: {found:?}");
    }
}

#[test]
fn non_ascii_offsets_fall_on_char_boundaries() {
    let passage = "Zürich’s “Straße” café reopened — naïve critics said ﬁne words. \
                   The Œuvre of Łódź and São Paulo was shown in Ørsted hall. \
                   Visitors from Κρήτη and Москва praised the exhibition’s façade."
        .to_owned();
    let a = format!(
        "Über alles wird heute berichtet, meinte Jürgen. {} — ünrelated tail with ümlauts.",
        passage
    );
    let b = format!(
        "日本語のテキスト。Première phrase en français, très différente du reste.\n{}\n終わり",
        passage
    );
    let found = ov().align_texts(&a, &[], &b, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    assert!(a.is_char_boundary(p.a_byte_start) && a.is_char_boundary(p.a_byte_end));
    assert!(b.is_char_boundary(p.b_byte_start) && b.is_char_boundary(p.b_byte_end));
    assert_eq!(&a[p.a_byte_start..p.a_byte_end], passage);
    assert_eq!(&b[p.b_byte_start..p.b_byte_end], passage);
}

#[test]
#[allow(clippy::single_range_in_vec_init)]
fn masked_text_does_not_count() {
    let shared = text(31, 4);
    let a = format!("{}\n{}\n{}", text(32, 6), shared, text(33, 6));
    let b = format!("{}\n{}\n{}", text(34, 6), shared, text(35, 6));
    let o = ov();
    assert_eq!(o.align_texts(&a, &[], &b, &[]).len(), 1);
    let sa = a.find(&shared).unwrap();
    let sb = b.find(&shared).unwrap();
    let ma = vec![sa..sa + shared.len()];
    assert!(o.align_texts(&a, &ma, &b, &[]).is_empty());
    // Masking part of it leaves the rest.
    let half = vec![sb..sb + shared.len() / 2];
    let found = o.align_texts(&a, &[], &b, &half);
    assert_eq!(found.len(), 1);
    assert!(found[0].b_byte_start >= sb + shared.len() / 2);
    let f = o.features(&a, &ma);
    assert_eq!(f.content_bytes, a.len() - shared.len());
}

#[test]
#[allow(clippy::single_range_in_vec_init)]
fn passages_bridge_short_masked_lines_but_not_long_runs() {
    // One copied passage; in a, a short line inside it is masked (a wrapped line of prose
    // wrongly judged chrome, say).
    let (p1, p2) = (text(51, 4), text(52, 4));
    let line = "Share this story";
    let a = format!("{}\n{}\n{}\n{}\n{}", text(53, 6), p1, line, p2, text(54, 6));
    let b = format!("{}\n{} {}\n{}", text(55, 6), p1, p2, text(56, 6));
    let at = a.find(line).unwrap();
    let o = ov();
    let found = o.align_texts(&a, &[at..at + line.len()], &b, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    assert!(p.a_byte_start <= a.find(&p1).unwrap());
    assert!(p.a_byte_end >= a.find(&p2).unwrap() + p2.len());
    // A long masked run is a boundary: two passages, neither spanning it.
    let nav = "Home\nNews\nSport\nWeather\n".repeat(12);
    let a = format!("{}\n{}\n{}{}\n{}", text(53, 6), p1, nav, p2, text(54, 6));
    let at = a.find(&nav).unwrap();
    let found = o.align_texts(&a, &[at..at + nav.len()], &b, &[]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found
        .iter()
        .all(|p| p.a_byte_end <= at || p.a_byte_start >= at + nav.len()));
}

#[test]
fn seeds_follow_the_best_match_in_repetitive_text() {
    // b repeats near-copies of one sentence; a copies one of them with its neighbours: the
    // passage in b must not stretch over the other near-copies.
    let s = text(61, 1);
    let variant = |k: u64| format!("{} {}", s.trim_end_matches('.'), text(70 + k, 1));
    let list: Vec<String> = (0..8).map(variant).collect();
    let copied = format!("{} {} {}", text(62, 2), list[4], text(63, 2));
    let b = format!("{} {} {}", list[..4].join(" "), copied, list[5..].join(" "));
    let a = format!("{} {} {}", text(64, 6), copied, text(65, 6));
    let found = ov().align_texts(&a, &[], &b, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let at = b.find(&copied).unwrap();
    assert_eq!(
        (found[0].b_byte_start, found[0].b_byte_end),
        (at, at + copied.len())
    );
}

#[test]
fn corpus_pairs_find_the_reuse_and_nothing_else() {
    let o = ov();
    let shared = text(41, 5);
    let mut texts: Vec<String> = (0..30).map(|k| text(500 + k, 12)).collect();
    texts[3] = format!("{} {} {}", text(42, 3), shared, text(43, 4));
    texts[17] = format!("{} {}", shared, text(44, 20));
    let feats: Vec<DocFeatures> = texts.iter().map(|t| o.features(t, &[])).collect();
    let pairs = o.pairs(&feats);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!((pairs[0].a, pairs[0].b), (3, 17));
    assert!(pairs[0].a_containment > pairs[0].b_containment);
    assert!(pairs[0].a_containment > 0.3 && pairs[0].a_containment <= 1.0);
}

#[test]
fn config_is_checked() {
    let bad = OverlapConfig {
        min_similarity: 1.5,
        ..OverlapConfig::default()
    };
    assert!(Overlapper::new(bad).is_err());
}

#[test]
fn merge_ranges_sorts_clips_and_joins() {
    assert_eq!(
        merge_ranges(&[5..9, 0..2, 8..12, 1..3, 20..30, 4..4], 25),
        vec![0..3, 5..12, 20..25]
    );
}

#[test]
fn monotone_chain_keeps_seeds_in_order_on_both_sides() {
    // Sentence 1 of a also resembles sentence 0 of b, sentence 3 resembles sentence 1: a
    // repetitive b. The copy is a 0..3 → b 5..8.
    let seeds = [(0, 5), (1, 0), (1, 6), (2, 7), (3, 1)];
    let (chain, rest) = monotone_chain(&seeds, 5).unwrap();
    assert_eq!(chain, vec![(0, 5), (1, 6), (2, 7)]);
    assert_eq!(rest, vec![(1, 0), (3, 1)]);
    assert_eq!(span(&chain), (0..3, 5..8));
    // Already in order: nothing to cut.
    assert_eq!(monotone_chain(&[(0, 0), (1, 1), (1, 2), (2, 2)], 5), None);
    // Too far apart to chain: the tightest of the equally long chains wins.
    assert_eq!(
        monotone_chain(&[(0, 0), (0, 9), (1, 10)], 2).unwrap().0,
        vec![(0, 9), (1, 10)]
    );
}

#[test]
fn repeated_sentences_do_not_stretch_a_passage() {
    let s = text(21, 4);
    let sents: Vec<&str> = s.split(". ").collect();
    let (s1, s2) = (sents[1], sents[2]);
    // b repeats two of the copied sentences well before the copy (more than one sentence
    // away: an echo next to the passage may stretch it by one sentence, as local reordering
    // in an edited copy does).
    let b = format!(
        "{}. {}. {}. {} {} {}",
        s1,
        text(22, 1).trim_end_matches('.'),
        s2,
        text(26, 2),
        s,
        text(23, 5)
    );
    let a = format!("{} {} {}", text(24, 6), s, text(25, 6));
    let found = ov().align_texts(&a, &[], &b, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    let b_start = b.find(&s).unwrap();
    assert_eq!(&a[p.a_byte_start..p.a_byte_end], s);
    assert_eq!(
        p.b_byte_start,
        b_start,
        "{}",
        &b[p.b_byte_start..p.b_byte_end]
    );
}
