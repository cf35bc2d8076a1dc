//! `overlap` on the bundled example corpus (library with a stand-in chrome mask, and CLI), and
//! byte-identical outputs whatever the input order or thread count.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use dechaff::corpus::{Document, Input, ReadOptions};
use dechaff::jobs::overlap::{run, OverlapOptions, OverlapOutputs};
use dechaff::jobs::OnError;
use dechaff::output::Destination;
use dechaff::overlap::OverlapConfig;
use dechaff::progress::NoProgress;

use crate::util::*;

fn example_docs() -> Vec<serde_json::Value> {
    jsonl(&std::fs::read_to_string(examples().join("news.jsonl")).unwrap())
}

/// A stand-in for the `clean` chrome detector: a line is chrome when it occurs in two
/// documents of the same source (the outlet's page template repeats, its articles do not), or
/// when it is a breadcrumb, byline or photo credit (see `examples/news/README.md`).
fn chrome_lines() -> BTreeSet<(String, String)> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for d in example_docs() {
        let src = d["source"].as_str().unwrap().to_owned();
        let lines: BTreeSet<&str> = d["text"]
            .as_str()
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        for l in lines {
            *seen.entry((src.clone(), l.to_owned())).or_default() += 1;
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(k, _)| k)
        .collect()
}

fn mask_of(chrome: &BTreeSet<(String, String)>, doc: &Document) -> Vec<Range<usize>> {
    let src = doc.source.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut at = 0;
    for line in doc.text.split_inclusive('\n') {
        let l = line.trim();
        let template = ["Home ›", "Photo:", "[Photo:", "By ", "Published ", "2026-"]
            .iter()
            .any(|p| l.starts_with(p));
        if template || chrome.contains(&(src.clone(), l.to_owned())) {
            out.push(at..at + line.len());
        }
        at += line.len();
    }
    out
}

const WIRE: &str = "metro-wire/brightwater-sensor-plant.txt";
const HARBOR: &str = "harbor-gazette/brightwater-sensor-plant.txt";
const VALLEY: &str = "valley-courier/brightwater-plant-jobs.txt";
const RIVER: &str = "river-times/riverside-brightwater-jobs.txt";

#[test]
fn example_corpus_syndication_with_chrome_masked() {
    let t = TestDir::new();
    let chrome = chrome_lines();
    let mask = |d: &Document| mask_of(&chrome, d);
    let outputs = OverlapOutputs {
        output: Destination::parse(t.join("pairs.jsonl").to_str().unwrap()),
        summary: Some(Destination::parse(t.join("s.json").to_str().unwrap())),
        summary_md: None,
        html: None,
        report: None,
    };
    run(
        vec![Input::Path(examples().join("news.jsonl"))],
        &ReadOptions::default(),
        OnError::Fail,
        &OverlapConfig::default(),
        &OverlapOptions::default(),
        Some(&mask),
        &outputs,
        &NoProgress,
    )
    .unwrap();
    let texts: BTreeMap<String, String> = example_docs()
        .into_iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let pairs = jsonl(&t.read("pairs.jsonl"));
    let found: BTreeSet<(String, String)> = pairs
        .iter()
        .map(|p| {
            (
                p["a"].as_str().unwrap().to_owned(),
                p["b"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Exactly the four copies of the wire story pair up; unrelated articles do not.
    let mut want = BTreeSet::new();
    for (x, y) in [
        (HARBOR, WIRE),
        (HARBOR, RIVER),
        (HARBOR, VALLEY),
        (WIRE, RIVER),
        (WIRE, VALLEY),
        (RIVER, VALLEY),
    ] {
        want.insert((x.to_owned(), y.to_owned()));
    }
    assert_eq!(found, want, "{pairs:#?}");
    let slice = |id: &str, s: &serde_json::Value, e: &serde_json::Value| -> String {
        texts[id][s.as_u64().unwrap() as usize..e.as_u64().unwrap() as usize].to_owned()
    };
    for p in &pairs {
        let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
        for m in p["matches"].as_array().unwrap() {
            let sa = slice(a, &m["a_byte_start"], &m["a_byte_end"]);
            let sb = slice(b, &m["b_byte_start"], &m["b_byte_end"]);
            assert!(sa.len() >= 150 && sb.len() >= 150);
            if a != VALLEY && b != VALLEY {
                // Verbatim copies: both sides are the same text.
                assert_eq!(sa, sb, "{a} {b}");
            }
            assert!(!sa.contains("Share this article") && !sb.contains("cookie"));
        }
    }
    let get = |a: &str, b: &str| {
        pairs
            .iter()
            .find(|p| p["a"] == a && p["b"] == b)
            .unwrap()
            .clone()
    };
    // The reprint holds the whole wire article, and nothing else of its own.
    let hw = get(HARBOR, WIRE);
    assert!(hw["b_containment"].as_f64().unwrap() > 0.9, "{hw}");
    // River Times embeds four wire paragraphs in a longer article.
    let wr = get(WIRE, RIVER);
    let shared: String = wr["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| slice(RIVER, &m["b_byte_start"], &m["b_byte_end"]))
        .collect();
    assert!(shared.contains("Okafor"), "{shared}");
    let c = wr["b_containment"].as_f64().unwrap();
    assert!(c > 0.2 && c < 0.6, "{c}");
    // The summary: who published first.
    let s: serde_json::Value = serde_json::from_str(&t.read("s.json")).unwrap();
    let row = s["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["a_source"] == "metro-wire" && r["b_source"] == "river-times")
        .unwrap();
    assert_eq!(row["document_pairs"], 1);
    assert_eq!(row["a_first"], 1);
}

#[test]
fn cli_outputs_summary_and_html() {
    let t = TestDir::new();
    let input = examples().join("news.jsonl");
    let err = ok(&dechaff(
        t.path(),
        &[
            "overlap",
            input.to_str().unwrap(),
            "-o",
            "pairs.jsonl",
            "--summary",
            "s.json",
            "--html",
            "r.html",
            "--report",
            "run.json",
        ],
    ));
    assert!(err.contains("dechaff overlap: read 13 documents"), "{err}");
    assert!(err.contains("| a source | b source |"), "{err}");
    let pairs = jsonl(&t.read("pairs.jsonl"));
    let ids: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p["a"].to_string(), p["b"].to_string()))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(pairs.iter().all(|p| p["a"].as_str() < p["b"].as_str()));
    let html = t.read("r.html");
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && !html.contains("http://")
            && !html.contains("https://")
    );
    let report: serde_json::Value = serde_json::from_str(&t.read("run.json")).unwrap();
    assert_eq!(report["command"], "overlap");
    assert_eq!(report["documents"]["read"], 13);
    let help = ok(&dechaff(t.path(), &["overlap", "--help"]));
    assert!(help.is_empty());
}

fn run_cli(lines: &[String], split: usize, threads: &str) -> [String; 3] {
    let t = TestDir::new();
    t.write("p1.jsonl", lines[..split].concat());
    t.write("p2.jsonl", lines[split..].concat());
    ok(&dechaff_env(
        t.path(),
        &[
            "overlap",
            "p2.jsonl",
            "p1.jsonl",
            "-o",
            "o.jsonl",
            "--summary",
            "s.json",
            "--html",
            "r.html",
            "-q",
        ],
        &[("RAYON_NUM_THREADS", threads)],
    ));
    [t.read("o.jsonl"), t.read("s.json"), t.read("r.html")]
}

#[test]
fn overlap_outputs_do_not_depend_on_order_or_threads() {
    let lines: Vec<String> = example_docs().iter().map(|d| format!("{d}\n")).collect();
    let n = lines.len();
    let shuffled: Vec<String> = (0..n).map(|i| lines[(i * 5 + 3) % n].clone()).collect();
    let base = run_cli(&lines, 6, "2");
    assert!(base[0].lines().count() > 5);
    assert_eq!(run_cli(&shuffled, 4, "2"), base, "shuffled");
    assert_eq!(run_cli(&shuffled, 9, "1"), base, "one thread");
}
