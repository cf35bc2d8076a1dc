//! `dechaff dedup` end to end.

use crate::util::*;

/// Three copies of one story (one with an edit), one other story, one text file.
fn corpus(t: &TestDir) {
    let story: Vec<String> = (0..120).map(|i| format!("word{i}")).collect();
    let mut edited = story.clone();
    edited[60] = "rewritten".into();
    let other: Vec<String> = (0..120).map(|i| format!("other{i}")).collect();
    let lines = [
        serde_json::json!({"id": "b", "text": story.join(" "), "source": "x", "extra": [1, 2]}),
        serde_json::json!({"id": "a", "text": edited.join(" "), "url": "https://www.example.org/p"}),
        serde_json::json!({"id": "c", "text": other.join(" ")}),
        serde_json::json!({"text": story.join(" ")}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    t.write("in/docs.jsonl", body);
    t.write(
        "in/outlet/page.txt",
        "A plain text page.\nWith two lines.\n",
    );
}

#[test]
fn keeps_one_per_cluster_and_writes_every_output() {
    let t = TestDir::new();
    corpus(&t);
    let err = ok(&dechaff(
        t.path(),
        &[
            "dedup",
            "in",
            "-o",
            "out.jsonl",
            "--clusters",
            "clusters.jsonl",
            "--pairs",
            "pairs.jsonl",
            "--removed",
            "removed.jsonl",
            "--report",
            "report.json",
        ],
    ));
    assert!(err.contains("read 5 documents"), "{err}");
    let out = jsonl(&t.read("out.jsonl"));
    let ids: Vec<&str> = out.iter().map(|v| v["id"].as_str().unwrap()).collect();
    // "a" has the longest text of the cluster {a, b, docs.jsonl:4}; output in id order.
    assert_eq!(ids, ["a", "c", "outlet/page.txt"]);
    // Other fields pass through unchanged.
    assert_eq!(out[0]["url"], "https://www.example.org/p");
    assert_eq!(out[2]["source"], "outlet");

    let clusters = jsonl(&t.read("clusters.jsonl"));
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0]["cluster"], 0);
    assert_eq!(clusters[0]["representative"], "a");
    let members: Vec<&str> = clusters[0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["a", "b", "in/docs.jsonl:4"]);

    let pairs = jsonl(&t.read("pairs.jsonl"));
    assert_eq!(pairs.len(), 3);
    assert_eq!(pairs[0]["a"], "a");
    assert!(pairs.iter().all(|p| p["jaccard"].as_f64().unwrap() >= 0.8));

    let removed = jsonl(&t.read("removed.jsonl"));
    assert_eq!(removed.len(), 2);
    assert!(removed
        .iter()
        .all(|r| r["reason"] == "near_duplicate" && r["duplicate_of"] == "a"));

    let report: serde_json::Value = serde_json::from_str(&t.read("report.json")).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["documents"]["read"], 5);
    assert_eq!(report["documents"]["written"], 3);
    assert_eq!(report["documents"]["removed"], 2);
    assert_eq!(report["documents"]["rejected"], 0);
}

#[test]
fn without_output_the_same_pairs_clusters_and_counts() {
    let t = TestDir::new();
    corpus(&t);
    let outs = [
        "clusters.jsonl",
        "pairs.jsonl",
        "removed.jsonl",
        "report.json",
    ];
    let run = |dir: &str, with_output: bool| {
        let mut args = vec!["dedup".to_owned(), "in".to_owned()];
        if with_output {
            args.extend(["-o".to_owned(), format!("{dir}/out.jsonl")]);
        }
        for (flag, f) in ["--clusters", "--pairs", "--removed", "--report"]
            .iter()
            .zip(outs)
        {
            args.extend([flag.to_string(), format!("{dir}/{f}")]);
        }
        std::fs::create_dir_all(t.join(dir)).unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&dechaff(t.path(), &args))
    };
    run("full", true);
    let err = run("only", false);
    assert!(err.contains("kept 3, removed 2"), "{err}");
    assert!(err.contains("not written"), "{err}");
    assert!(!t.join("only/out.jsonl").exists());
    for f in &outs[..3] {
        assert_eq!(
            t.read(&format!("only/{f}")),
            t.read(&format!("full/{f}")),
            "{f}"
        );
    }
    let report: serde_json::Value = serde_json::from_str(&t.read("only/report.json")).unwrap();
    assert_eq!(report["documents"]["read"], 5);
    assert_eq!(report["documents"]["written"], 3);
    assert_eq!(report["documents"]["removed"], 2);

    // --check alone needs no output; with nothing to write at all the run is refused.
    let out = dechaff(t.path(), &["dedup", "in", "--check", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let out = dechaff(t.path(), &["dedup", "in"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to do"));
}

#[test]
fn bad_records_are_reported_and_counted() {
    let t = TestDir::new();
    t.write(
        "in.jsonl",
        "{\"id\":\"1\",\"text\":\"fine text here\"}\n{broken\n[1,2]\n{\"id\":\"4\"}\n",
    );
    let err = ok(&dechaff(
        t.path(),
        &["dedup", "in.jsonl", "-o", "out.jsonl", "--report", "r.json"],
    ));
    assert!(err.contains("in.jsonl:2"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&t.read("r.json")).unwrap();
    assert_eq!(report["documents"]["read"], 4);
    assert_eq!(report["documents"]["written"], 1);
    assert_eq!(report["documents"]["rejected"], 3);
    let kinds: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["malformed_json", "not_an_object", "missing_text"]);

    // --on-error fail: exit 2 naming the first fault, and no output file.
    let out = dechaff(
        t.path(),
        &[
            "dedup",
            "in.jsonl",
            "-o",
            "fail.jsonl",
            "--on-error",
            "fail",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in.jsonl:2"));
    assert!(!t.join("fail.jsonl").exists());
}

#[test]
fn exit_codes_and_explain() {
    let t = TestDir::new();
    corpus(&t);
    let out = dechaff(t.path(), &["dedup", "in", "-o", "out.jsonl", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let out = dechaff(
        t.path(),
        &["dedup", "in/outlet", "-o", "out.jsonl", "--check"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = dechaff(t.path(), &["dedup", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = dechaff(t.path(), &["dedup", "--explain", "--threshold", "0.8"]);
    let err = ok(&out);
    assert!(err.contains("18 bands x 7 rows"), "{err}");
    assert!(err.contains("<- threshold"), "{err}");
    let out = dechaff(t.path(), &["dedup", "--explain", "--threshold", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn stdout_output_and_stdin_input() {
    let t = TestDir::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dechaff"))
        .args(["dedup", "-", "-o", "-", "-q"])
        .current_dir(t.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":\"x\",\"text\":\"hello there\"}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"id\":\"x\",\"text\":\"hello there\"}\n"
    );
}

#[test]
fn example_corpus_runs() {
    let t = TestDir::new();
    let ex = examples().join("news");
    let ex = ex.to_str().unwrap();
    ok(&dechaff(
        t.path(),
        &["dedup", ex, "-o", "out.jsonl", "--clusters", "c.jsonl"],
    ));
    let out = jsonl(&t.read("out.jsonl"));
    assert!(out.len() >= 10, "{}", out.len());
}
