//! One test per signal: each builds a page where that signal decides.

use super::*;

const BODY: &[&str] = &[
    "The harbour board voted on Tuesday to deepen the main channel, which has been silting up for years.",
    "Dredging will start in the spring and is expected to take about four months to complete.",
    "Board members said that the work was needed because larger ships could no longer reach the quay.",
    "Fishermen have asked for the work to stop during the herring season, and the board agreed to talk.",
];

fn run(cfg: BoilerplateConfig, pages: &[(&str, String)]) -> Vec<(Vec<String>, Vec<String>)> {
    let c = Classifier::new(cfg).unwrap();
    let analyses: Vec<_> = pages.iter().map(|(_, t)| c.analyze(t)).collect();
    let mut st = RepetitionStats::new();
    for ((s, _), a) in pages.iter().zip(&analyses) {
        st.add_page(s, &a.keys());
    }
    let st = st.finish();
    pages
        .iter()
        .zip(&analyses)
        .map(|((s, t), a)| {
            let l = c.label(a, s, &st);
            let kept = l.content_text(a, t).lines().map(str::to_owned).collect();
            let reasons = (0..a.paragraphs.len())
                .map(|i| c.reason(&l, a, i, s))
                .collect();
            (kept, reasons)
        })
        .collect()
}

fn page(head: &[&str], body: &[&str], tail: &[&str]) -> String {
    head.iter()
        .chain(body)
        .chain(tail)
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

fn one(head: &[&str], tail: &[&str]) -> (Vec<String>, Vec<String>) {
    run(
        BoilerplateConfig::default(),
        &[("s", page(head, BODY, tail))],
    )
    .remove(0)
}

#[test]
fn single_page_keeps_body_and_drops_lexicon_chrome() {
    let (kept, reasons) = one(
        &[
            "Harbour board approves dredging - Harbor Gazette",
            "• Send to Kindle",
        ],
        &[
            "Sign up for our newsletter",
            "© 2026 Harbor Gazette. All rights reserved.",
        ],
    );
    assert_eq!(kept, BODY);
    assert!(
        reasons[1].contains("chrome lexicon: send to kindle"),
        "{reasons:?}"
    );
    assert!(reasons[0].contains("page title"));
}

const OTHER: &[&str] = &[
    "A late frost damaged apple blossom across the valley, and growers lit fires between the rows overnight.",
    "The weather office said that a ridge of high pressure had brought clear skies and very cold air.",
    "Students from the high school built a robot that picks tomatoes, and it won the regional final.",
    "Their teacher said the team had rebuilt the gripper three times before it stopped bruising the fruit.",
    "The library reopened a year after the flood, and more than four hundred people queued in the rain.",
    "Volunteers dried and catalogued thousands of donated books while the building was being repaired.",
    "Engineers found that floodwater had scoured away part of a pier under the old stone bridge.",
    "The bridge will close for eight weeks, and buses will take a long way round through the hills.",
];

#[test]
fn source_repetition_needs_several_pages() {
    let chrome = "Harbor Gazette, the paper of Calder Bay since 1881";
    let bodies = [BODY, &OTHER[..4], &OTHER[4..]];
    let pages: Vec<_> = bodies
        .iter()
        .map(|b| ("gazette", page(&[chrome], b, &[])))
        .collect();
    let out = run(BoilerplateConfig::default(), &pages);
    for (kept, reasons) in &out {
        assert!(!kept.iter().any(|k| k == chrome));
        assert!(
            reasons[0].contains("on 3 of 3 pages of source gazette"),
            "{reasons:?}"
        );
        assert_eq!(kept.len(), 4, "{kept:?}");
    }
    // One page of the source: no repetition evidence.
    let out = run(BoilerplateConfig::default(), &pages[..1]);
    assert!(!out[0].1[0].contains("pages of source"));
}

#[test]
fn sentence_on_both_pages_of_a_two_page_source() {
    // A sentence-like sidebar blurb on both pages of a two-page source is template.
    let blurb = "Click the picture above and read every column our editor has written about the harbour this year.";
    let pages: Vec<_> = [BODY, &OTHER[..4]]
        .iter()
        .map(|b| ("gazette", page(&[], b, &[blurb])))
        .collect();
    let out = run(BoilerplateConfig::default(), &pages);
    for (kept, reasons) in &out {
        assert!(!kept.iter().any(|k| k == blurb), "{kept:?}");
        assert!(reasons[4].contains("on 2 of 2 pages"), "{reasons:?}");
        assert_eq!(kept.len(), 4, "{kept:?}");
    }
    // Two near-duplicate pages (the same article twice): their sentences are kept.
    let article: Vec<&str> = BODY.iter().chain(OTHER).copied().collect();
    let pages = vec![
        ("gazette", page(&["Harbour news"], &article, &[])),
        (
            "gazette",
            page(&["Harbour news, page 2"], &article, &[blurb]),
        ),
    ];
    let out = run(BoilerplateConfig::default(), &pages);
    for (kept, _) in &out {
        assert!(
            article.iter().all(|a| kept.contains(&a.to_string())),
            "{kept:?}"
        );
    }
}

#[test]
fn syndicated_paragraph_is_not_chrome() {
    // The same wire sentences on two pages of one outlet and on a page of another outlet.
    let wire = BODY[0];
    let other: Vec<String> = (0..2)
        .map(|k| format!("Local reaction number {k} was mixed, with several residents saying that they would wait and see what happens next."))
        .collect();
    let mut pages = vec![
        ("a", page(&[], &[wire, &other[0], BODY[1]], &[])),
        ("a", page(&[], &[wire, &other[1], BODY[2]], &[])),
        ("a", page(&[], &[wire, BODY[3], BODY[2]], &[])),
        ("b", page(&[], &[wire, BODY[1]], &[])),
    ];
    // Rare in its source: 3 of 30 pages.
    let filler: Vec<String> = (0..27)
        .map(|k| page(&[], &[&format!("Page {k} tells another story, which is not about the harbour at all but about the weather.")], &[]))
        .collect();
    for f in &filler {
        pages.push(("a", f.clone()));
    }
    let out = run(BoilerplateConfig::default(), &pages);
    assert!(out[0].0.iter().any(|k| k == wire), "{:?}", out[0]);
    assert!(out[0].1[0].contains("syndicated"));
    let mut cfg = BoilerplateConfig::default();
    cfg.signals.syndication = false;
    let out = run(cfg, &pages);
    assert!(!out[0].0.iter().any(|k| k == wire));
}

#[test]
fn near_repetition_folds_counters() {
    let mut pages = Vec::new();
    for k in 0..3 {
        let counter = format!(
            "Browse latest articles from the archive, all {} of them shown here today",
            40 + k
        );
        pages.push(("feed", page(&[], BODY, &[&counter])));
    }
    // Digits fold into the key, so this is exact repetition.
    let out = run(BoilerplateConfig::default(), &pages);
    assert!(
        out[0].1[4].contains("pages of source feed"),
        "{:?}",
        out[0].1
    );
}

#[test]
fn page_repetition_keeps_best_placed_copy() {
    let (kept, reasons) = one(&["Viewing all articles"], &["Viewing all articles"]);
    assert_eq!(kept, BODY);
    assert!(
        reasons.iter().any(|r| r.contains("repeat of paragraph")),
        "{reasons:?}"
    );
}

#[test]
fn teaser_snippets_and_title_case_lists() {
    let (kept, reasons) = one(
        &[],
        &[
            "Latest news",
            "Storm Elin Floods Coastal Towns",
            "Heavy rain and high tides flooded the low streets of two towns on...",
            "Island Ferry Adds Fuel Surcharge",
            "Passengers will pay more from next month after the operator said...",
        ],
    );
    assert_eq!(kept, BODY);
    assert!(reasons[6].contains("teaser snippet"), "{reasons:?}");
    assert!(reasons[5].contains("title-case"), "{reasons:?}");
}

#[test]
fn runs_of_short_lines_are_lists() {
    let teasers = [
        "How the harbour got its lighthouse back",
        "Five walks along the old tram line",
        "Why the ferry timetable changes in winter",
        "What the new parking rules mean for you",
    ];
    let (kept, reasons) = one(&[], &teasers);
    assert!(kept.len() < 6, "{kept:?}");
    for r in &reasons[5..] {
        assert!(r.contains("in a list of short lines"), "{reasons:?}");
    }
    // A lone subheading between paragraphs is not a list.
    let text = page(&[], &[BODY[0], BODY[1], teasers[0], BODY[2], BODY[3]], &[]);
    let (kept, reasons) = run(BoilerplateConfig::default(), &[("s", text)]).remove(0);
    assert!(kept.iter().any(|k| k == teasers[0]), "{reasons:?}");
    let mut cfg = BoilerplateConfig::default();
    cfg.signals.short_runs = false;
    let (_, reasons) = run(cfg, &[("s", page(&[], BODY, &teasers))]).remove(0);
    assert!(!reasons.iter().any(|r| r.contains("list of short lines")));
}

#[test]
fn wordless_paragraphs_do_not_break_the_body() {
    // Zero-width spaces between the paragraphs of a short article, then a teaser block.
    let zw = "\u{200b}";
    let mut lines = Vec::new();
    for b in BODY {
        lines.extend([zw, zw, b]);
    }
    let text = page(&["Harbour news"], &lines, &[zw, zw, OTHER[0], OTHER[1]]);
    let (kept, _) = run(BoilerplateConfig::default(), &[("s", text)]).remove(0);
    for b in BODY {
        assert!(kept.iter().any(|k| k == b), "{kept:?}");
    }
}

#[test]
fn captions_end_with_a_photo_credit() {
    let caption =
        "Harbour Board chairman Ann Lee at the Calder Bay quay, Tuesday, March 3, 2026. (Photo: Harbor Gazette)";
    let text = page(&[], &[BODY[0], BODY[1], caption, BODY[2], BODY[3]], &[]);
    let (kept, reasons) = run(BoilerplateConfig::default(), &[("s", text)]).remove(0);
    assert!(!kept.iter().any(|k| k == caption), "{kept:?}");
    assert!(reasons[2].contains("chrome lexicon: photo:"), "{reasons:?}");
    assert_eq!(kept, BODY);
}

#[test]
fn signed_comments_end_a_short_article() {
    let comments = [
        "Comments",
        "Alex on September 17, 2018 at 6:34 am said:",
        "I read the whole report and wondered whether the new channel will also be deep enough for the ferries that call in winter.",
        "Ann says:",
        "The board answered this at the last meeting, and the minutes of that meeting are online for anyone who wants to read them.",
        "Sam on September 18, 2018 at 9:02 pm said:",
        "Thanks for the update, it is good to see the harbour board planning ahead for once instead of waiting for the silt to win.",
    ];
    let (kept, reasons) = one(&[], &comments);
    assert_eq!(kept, BODY, "{reasons:?}");
    // Without a signature, a short article keeps going past the heading.
    let unsigned: Vec<&str> = comments
        .iter()
        .copied()
        .filter(|c| !c.ends_with(':'))
        .collect();
    let (kept, _) = one(&[], &unsigned);
    assert!(kept.len() > BODY.len(), "{kept:?}");
}

#[test]
fn menu_separators() {
    let (kept, reasons) = one(&["Home › News › Ports"], &[]);
    assert_eq!(kept, BODY);
    assert!(reasons[0].contains("menu-like separators"), "{reasons:?}");
}

#[test]
fn extra_lexicon_phrases() {
    let line = "Read the whole archive of the gazette from the start.";
    let c = Classifier::new(BoilerplateConfig::default()).unwrap();
    assert!(c.analyze(line).paragraphs[0].lex.is_none());
    let c = Classifier::new(BoilerplateConfig {
        extra_phrases: vec!["Whole Archive".into()],
        ..BoilerplateConfig::default()
    })
    .unwrap();
    let p = c.analyze(line);
    assert_eq!(
        c.lexicon().phrase(p.paragraphs[0].lex.unwrap()),
        "whole archive"
    );
}

#[test]
fn conservative_keeps_sentences_without_repetition_evidence() {
    let tail = ["Ten more things happened in the town last week, and you can read them all here."];
    let text = page(&[], BODY, &["", "", "Menu", "Login", "Search"]);
    let text = format!("{text}\nNews\nSport\nWeather\nTV\n{}", tail[0]);
    let mut cfg = BoilerplateConfig {
        mode: Mode::Conservative,
        ..BoilerplateConfig::default()
    };
    let out = run(cfg.clone(), &[("s", text.clone())]);
    assert!(out[0].0.iter().any(|k| k == tail[0]), "{:?}", out[0]);
    cfg.mode = Mode::Balanced;
    let out = run(cfg, &[("s", text)]);
    assert!(!out[0].0.iter().any(|k| k == tail[0]), "{:?}", out[0]);
}

#[test]
fn empty_and_blank_pages() {
    let out = run(
        BoilerplateConfig::default(),
        &[("s", String::new()), ("s", "\n \n".into())],
    );
    assert!(out[0].0.is_empty() && out[1].0.is_empty());
}

#[test]
fn encoded_analysis_round_trips() {
    let c = Classifier::new(BoilerplateConfig::default()).unwrap();
    let text = format!(
        "Harbour board approves dredging - Harbor Gazette\nHome › News › Ports\nBy Jane Doe\n{}\nRead more: other stories…\n• Send to Kindle\n漢字のテキストです。",
        BODY.join("\n")
    );
    let a = c.analyze(&text);
    let mut b = Vec::new();
    a.encode(&mut b);
    assert_eq!(b.len(), a.encoded_len());
    let mut d = PageAnalysis::default();
    d.decode_from(&b).unwrap();
    assert_eq!(format!("{a:?}"), format!("{d:?}"));
    assert!(a.paragraphs.iter().any(|p| p.lex.is_some()));
    assert!(d.decode_from(&b[..b.len() - 1]).is_none());
    let mut longer = b.clone();
    longer.push(0);
    assert!(d.decode_from(&longer).is_none());
}

#[test]
fn article_goes_on_after_an_inserted_teaser_block() {
    let more = [
        "The port authority said that ships would be guided through a temporary channel meanwhile.",
        "Residents of the harbour district were told to expect noise from the dredgers at night.",
        "A report on the cost of the work will be presented to the council before the summer.",
        "The last time the channel was dredged, in the nineties, the work took twice as long.",
    ];
    let teasers = [
        "(Story continues below)",
        "Related Stories",
        "Storm Floods Coastal Towns",
        "Island Ferry Adds Surcharge",
        "Lighthouse Reopens to Visitors",
        "Tram Line Plans Approved",
        "Council Delays Parking Rules",
        "Winter Timetable Announced",
        "Harbour Festival Dates Set",
        "New Quay Lights Installed",
    ];
    let mut lines: Vec<&str> = BODY.to_vec();
    lines.extend(teasers);
    lines.extend(more);
    let text = page(&["Harbour board approves dredging"], &lines, &[]);
    let (kept, reasons) = run(BoilerplateConfig::default(), &[("s", text.clone())]).remove(0);
    for p in BODY.iter().chain(&more) {
        assert!(kept.iter().any(|k| k == p), "{p}: {reasons:?}");
    }
    for t in &teasers[1..] {
        assert!(!kept.iter().any(|k| k == t), "{t}: {reasons:?}");
    }
    // One paragraph after the block, however long, does not go on with the article (a
    // service blurb, a tag cloud).
    let blurb = "Our customer service centre can be reached by telephone on weekdays and by \
        letter at any time, and it will answer questions about subscriptions, deliveries, \
        billing, the archive, reprints of articles and photographs, advertising in print and \
        online, events that the paper organises, and anything else that readers may want to \
        ask about, usually within two working days of receiving the request from them.";
    let mut lines: Vec<&str> = BODY.to_vec();
    lines.extend(teasers);
    lines.push(blurb);
    let text = page(&["Harbour board approves dredging"], &lines, &[]);
    let (kept, reasons) = run(BoilerplateConfig::default(), &[("s", text)]).remove(0);
    assert!(!kept.iter().any(|k| k == blurb), "{reasons:?}");
}
