//! Reuters-21578 (from `../shared/`): every group of documents with identical text, and every
//! group identical after lowercasing and dropping punctuation, ends in one cluster.
//! Skipped, with a message, when `../shared/` or python3 is not available.

use std::collections::BTreeMap;

use crate::util::*;

#[test]
fn exact_duplicate_groups_end_in_one_cluster() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/ (evaluation data) is not beside the repository");
        return;
    };
    let t = TestDir::new();
    let status = std::process::Command::new("python3")
        .arg(shared.join("eval/prepare.py"))
        .args(["reuters", "--out"])
        .arg(t.join("reuters"))
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("skipped: could not run prepare.py reuters ({other:?})");
            return;
        }
    }
    ok(&dechaff(
        t.path(),
        &[
            "dedup",
            "reuters/corpus.jsonl",
            "-o",
            "out.jsonl",
            "--clusters",
            "c.jsonl",
            "-q",
        ],
    ));
    let mut cluster_of: BTreeMap<String, u64> = BTreeMap::new();
    for c in jsonl(&t.read("c.jsonl")) {
        for m in c["members"].as_array().unwrap() {
            cluster_of.insert(
                m["id"].as_str().unwrap().to_owned(),
                c["cluster"].as_u64().unwrap(),
            );
        }
    }
    let corpus = jsonl(&t.read("reuters/corpus.jsonl"));
    let check = |key: &dyn Fn(&str) -> String, want_groups: usize, want_docs: usize| {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in &corpus {
            groups
                .entry(key(d["text"].as_str().unwrap()))
                .or_default()
                .push(d["id"].as_str().unwrap().to_owned());
        }
        let groups: Vec<_> = groups.into_values().filter(|g| g.len() > 1).collect();
        let docs: usize = groups.iter().map(Vec::len).sum();
        assert_eq!((groups.len(), docs), (want_groups, want_docs));
        for g in &groups {
            let c: Vec<Option<&u64>> = g.iter().map(|id| cluster_of.get(id)).collect();
            assert!(
                c[0].is_some() && c.iter().all(|x| *x == c[0]),
                "group {g:?} split: {c:?}"
            );
        }
    };
    check(&|s: &str| s.to_owned(), 214, 430);
    check(
        &|s: &str| {
            s.to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        },
        291,
        586,
    );
}
