//! `dechaff clean` end to end: the example corpus, the seed pages, outputs and determinism.

use std::collections::BTreeMap;

use crate::util::*;

fn corpus() -> String {
    examples().join("news.jsonl").display().to_string()
}

fn texts(out: &str) -> BTreeMap<String, String> {
    jsonl(out)
        .into_iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn example_corpus_chrome_removed_article_kept() {
    let t = TestDir::new();
    let c = corpus();
    let stderr = ok(&dechaff(
        t.path(),
        &[
            "clean",
            &c,
            "-o",
            "out.jsonl",
            "--keep-duplicates",
            "--annotations",
            "a.jsonl",
            "--report",
            "r.json",
        ],
    ));
    assert!(stderr.contains("paragraphs as chrome"), "{stderr}");
    let out = texts(&t.read("out.jsonl"));
    assert_eq!(out.len(), 13);
    let all: Vec<&str> = out.values().flat_map(|t| t.lines()).collect();
    for chrome in [
        "• Print Friendly, PDF & Email",
        "• Send to Kindle",
        "Share this article",
        "Viewing all articles",
        "Latest news",
        "Must read",
        "Recommended to you",
        "You might also like",
        "Follow us on Facebook, Twitter, LinkedIn and Instagram.",
        "$",
        "0",
    ] {
        assert!(!all.contains(&chrome), "chrome kept: {chrome}");
    }
    assert!(!all.iter().any(|l| l.starts_with("© 2026")));
    assert!(!all
        .iter()
        .any(|l| l.starts_with("Browse latest Browse all")));
    assert!(!all.iter().any(|l| l.starts_with("NOW WATCH")));
    let budget = &out["harbor-gazette/council-budget-2026.txt"];
    assert!(budget.starts_with("Calder Bay Town Council has agreed a $62.4 million budget"));
    assert!(budget.contains("The council also approved $3.2 million for flood repairs"));
    let wire = &out["harbor-gazette/brightwater-sensor-plant.txt"];
    assert!(wire.contains("Brightwater Systems, the Norrport-based maker of industrial"));
    let frost = &out["valley-courier/orchard-frost.txt"];
    assert!(frost.starts_with("Fruit growers across Calder Valley spent Thursday night"));

    // Other fields pass through unchanged; annotations cover every paragraph.
    let rec = jsonl(&t.read("out.jsonl"));
    assert!(rec
        .iter()
        .all(|r| r["date"].is_string() && r["source"].is_string()));
    let ann = jsonl(&t.read("a.jsonl"));
    assert_eq!(ann.len(), 13);
    let raw = jsonl(&std::fs::read_to_string(&c).unwrap());
    for (a, r) in ann.iter().zip(&raw) {
        assert_eq!(a["id"], r["id"]);
        let text = r["text"].as_str().unwrap();
        for p in a["paragraphs"].as_array().unwrap() {
            let (s, e) = (
                p["byte_start"].as_u64().unwrap(),
                p["byte_end"].as_u64().unwrap(),
            );
            assert!(!text[s as usize..e as usize].trim().is_empty());
            assert!(p["reason"].as_str().is_some_and(|r| !r.is_empty()));
        }
    }
    let ann_text = t.read("a.jsonl");
    assert!(ann_text.contains("pages of source harbor-gazette"));
    assert!(
        ann_text.contains("chrome lexicon: send to kindle") || ann_text.contains("pages of source")
    );
    let report: serde_json::Value = serde_json::from_str(&t.read("r.json")).unwrap();
    assert_eq!(report["command"], "clean");
    assert!(report["stats"]["chrome_paragraphs"].as_u64().unwrap() > 100);
}

#[test]
fn print_view_is_a_near_duplicate_after_cleaning() {
    let t = TestDir::new();
    let c = corpus();
    ok(&dechaff(
        t.path(),
        &[
            "clean",
            &c,
            "-o",
            "out.jsonl",
            "--removed",
            "rm.jsonl",
            "--report",
            "r.json",
            "-q",
        ],
    ));
    let removed = jsonl(&t.read("rm.jsonl"));
    let budget: Vec<_> = removed
        .iter()
        .filter(|r| {
            r["id"]
                .as_str()
                .unwrap()
                .starts_with("harbor-gazette/council-budget-2026")
        })
        .collect();
    assert_eq!(budget.len(), 1, "{removed:?}");
    assert_eq!(budget[0]["reason"], "near_duplicate");
    assert!(budget[0]["duplicate_of"]
        .as_str()
        .unwrap()
        .starts_with("harbor-gazette/council-budget-2026"));
    let report: serde_json::Value = serde_json::from_str(&t.read("r.json")).unwrap();
    let d = &report["documents"];
    assert_eq!(
        d["read"].as_u64().unwrap(),
        d["written"].as_u64().unwrap()
            + d["removed"].as_u64().unwrap()
            + d["rejected"].as_u64().unwrap()
    );
    assert_eq!(texts(&t.read("out.jsonl")).len() + removed.len(), 13);
}

#[test]
fn no_content_documents_are_logged() {
    let t = TestDir::new();
    t.write(
        "in.jsonl",
        "{\"id\":\"a\",\"text\":\"Home | News | Sport\\nSign in\"}\n{\"id\":\"b\",\"text\":\"\"}\n",
    );
    ok(&dechaff(
        t.path(),
        &[
            "clean",
            "in.jsonl",
            "-o",
            "out.jsonl",
            "--removed",
            "rm.jsonl",
            "-q",
        ],
    ));
    assert_eq!(t.read("out.jsonl"), "");
    let rm = jsonl(&t.read("rm.jsonl"));
    assert_eq!(rm.len(), 2);
    assert!(rm.iter().all(|r| r["reason"] == "no_content"));
}

#[test]
fn text_is_spliced_and_other_bytes_pass_through() {
    let t = TestDir::new();
    let body = "The harbour board voted on Tuesday to deepen the main channel, which has been silting up for years.\\nDredging will start in the spring and is expected to take about four months to complete.";
    let line = format!(
        "{{\"z\": [1, 2.50], \"text\": \"• Send to Kindle\\n{body}\",  \"id\":\"x\", \"u\": \"\\u00e9\"}}"
    );
    t.write("in.jsonl", format!("{line}\n"));
    ok(&dechaff(
        t.path(),
        &["clean", "in.jsonl", "-o", "out.jsonl", "-q"],
    ));
    let out = t.read("out.jsonl");
    let expected =
        format!("{{\"z\": [1, 2.50], \"text\": \"{body}\",  \"id\":\"x\", \"u\": \"\\u00e9\"}}\n");
    assert_eq!(out, expected);
}

#[test]
fn lexicon_file_extends_the_default() {
    let t = TestDir::new();
    let tail = "Read the whole archive of the gazette from the start.";
    let text = format!(
        "The harbour board voted on Tuesday to deepen the main channel, which has been silting up for years.\n\
         Dredging will start in the spring and is expected to take about four months to complete.\n{tail}\n\
         Sign up for our newsletter\nFollow us on Facebook"
    );
    t.write(
        "in.jsonl",
        format!("{}\n", serde_json::json!({"id": "x", "text": text})),
    );
    t.write("lex.txt", "# site phrases\nwhole archive\n");
    ok(&dechaff(
        t.path(),
        &["clean", "in.jsonl", "-o", "a.jsonl", "-q"],
    ));
    ok(&dechaff(
        t.path(),
        &[
            "clean",
            "in.jsonl",
            "-o",
            "b.jsonl",
            "-q",
            "--lexicon",
            "lex.txt",
        ],
    ));
    assert!(t.read("a.jsonl").contains("whole archive"));
    assert!(!t.read("b.jsonl").contains("whole archive"));
}

#[test]
fn modes_are_ordered() {
    let t = TestDir::new();
    let c = corpus();
    let mut kept = Vec::new();
    for m in ["conservative", "balanced", "aggressive"] {
        ok(&dechaff(
            t.path(),
            &[
                "clean",
                &c,
                "-o",
                "o.jsonl",
                "--keep-duplicates",
                "-q",
                "--mode",
                m,
            ],
        ));
        kept.push(t.read("o.jsonl").len());
    }
    assert!(kept[0] >= kept[1] && kept[1] >= kept[2], "{kept:?}");
    let help = dechaff(t.path(), &["clean", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("conservative") && help.contains("Examples:"));
}

/// The seed pages: every listed chrome line removed, every article sentence kept.
#[test]
fn seeds() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/ is not beside the repository");
        return;
    };
    let seeds = shared.join("seeds");
    if !seeds.is_dir() {
        eprintln!("skipped: ../shared/seeds/ does not exist");
        return;
    }
    let t = TestDir::new();
    let s = seeds.display().to_string();
    ok(&dechaff(
        t.path(),
        &["clean", &s, "-o", "out.jsonl", "--keep-duplicates", "-q"],
    ));
    let out = texts(&t.read("out.jsonl"));
    let kept: Vec<&str> = out.values().flat_map(|t| t.lines()).collect();
    let mut all = Vec::new();
    for e in std::fs::read_dir(&seeds).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            all.push(std::fs::read_to_string(p).unwrap());
        }
    }
    let lines: Vec<String> = all
        .iter()
        .flat_map(|t| t.lines())
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let removed: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| !kept.contains(l))
        .collect();
    let must_go = |pred: &dyn Fn(&str) -> bool, what: &str| {
        let hits: Vec<&str> = lines
            .iter()
            .map(String::as_str)
            .filter(|l| pred(l))
            .collect();
        assert!(!hits.is_empty(), "seed line not found: {what}");
        for h in hits {
            assert!(!kept.contains(&h), "chrome kept: {h}");
        }
    };
    must_go(&|l| l == "• Print Friendly, PDF & Email", "print friendly");
    must_go(&|l| l == "• Send to Kindle", "send to kindle");
    must_go(
        &|l| l.starts_with("News On Iran & Its Neighbours"),
        "breadcrumb + title",
    );
    must_go(&|l| l == "Latest news", "latest news");
    must_go(&|l| l == "Must read", "must read");
    must_go(&|l| l.ends_with("..."), "teaser snippets");
    must_go(
        &|l| l == "You might also likeRELATED",
        "you might also like",
    );
    must_go(&|l| l == "Recommended to you", "recommended");
    must_go(&|l| l == "Quantcast", "quantcast");
    must_go(&|l| l.starts_with("Channel: "), "channel");
    must_go(&|l| l == "Viewing all articles", "viewing all");
    must_go(&|l| l.starts_with("Browse latest Browse all"), "browse");
    must_go(&|l| l == "$" || l == "0", "$ and 0");
    must_go(&|l| l == "[Photo: Wochit News / YouTube]", "photo credit");
    must_go(&|l| l.starts_with("NOW WATCH:"), "now watch");
    must_go(
        &|l| l.contains("Emails & Alerts") || l.contains("to your inbox"),
        "newsletter",
    );
    must_go(
        &|l| l.starts_with("Follow ") && l.contains("Facebook, Twitter, LinkedIn"),
        "follow",
    );
    // Every article sentence is kept: a removed line is never a long sentence-like paragraph,
    // except the teasers (cut at "...") and headlines checked above.
    for r in &removed {
        let words = r.split_whitespace().count();
        let sentence = words >= 15
            && !r.ends_with("...")
            && (r.ends_with('.') || r.ends_with('”') || r.ends_with('"'));
        assert!(!sentence, "article sentence removed: {r}");
    }
}

/// Byte-identical outputs whatever the order of lines and files, or the number of threads.
#[test]
fn deterministic() {
    let lines: Vec<String> = std::fs::read_to_string(corpus())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let run = |order: &[usize], reverse: bool, threads: &str| {
        let t = TestDir::new();
        let mut files = [String::new(), String::new(), String::new()];
        for (k, &i) in order.iter().enumerate() {
            files[k % 3].push_str(&lines[i]);
            files[k % 3].push('\n');
        }
        let mut names: Vec<String> = (0..3).map(|n| format!("p{n}.jsonl")).collect();
        for (n, f) in names.iter().zip(&files) {
            t.write(n, f);
        }
        if reverse {
            names.reverse();
        }
        let mut args = vec!["clean"];
        args.extend(names.iter().map(String::as_str));
        args.extend([
            "-o",
            "o.jsonl",
            "--annotations",
            "a.jsonl",
            "--removed",
            "r.jsonl",
            "-q",
        ]);
        ok(&dechaff_env(
            t.path(),
            &args,
            &[("RAYON_NUM_THREADS", threads)],
        ));
        // Locations name the input file and line, which do change; drop them.
        let removed: Vec<String> = jsonl(&t.read("r.jsonl"))
            .into_iter()
            .map(|mut v| {
                v.as_object_mut().unwrap().remove("location");
                v.to_string()
            })
            .collect();
        [t.read("o.jsonl"), t.read("a.jsonl"), removed.join("\n")]
    };
    let n = lines.len();
    let forward: Vec<usize> = (0..n).collect();
    let shuffled: Vec<usize> = (0..n).map(|i| (i * 5 + 3) % n).collect();
    let base = run(&forward, false, "2");
    assert!(!base[2].is_empty());
    for (what, r) in [
        ("shuffled lines", run(&shuffled, false, "2")),
        ("files in another order", run(&forward, true, "2")),
        ("one thread", run(&shuffled, true, "1")),
    ] {
        for k in 0..3 {
            assert!(r[k] == base[k], "{what}: output {k} differs");
        }
    }
}
