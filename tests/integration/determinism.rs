//! Outputs are byte-identical whatever the order of input files, the order of lines in a JSON
//! Lines file, or the number of threads.

use crate::util::*;

/// A corpus with several clusters, ties in length, and near-duplicate chains, spread over
/// three files.
fn docs() -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for story in 0..12 {
        let words: Vec<String> = (0..150).map(|i| format!("s{story}w{i}")).collect();
        for copy in 0..4 {
            let mut w = words.clone();
            for k in 0..copy {
                w[20 + k * 30] = format!("edit{copy}x{k}");
            }
            out.push(serde_json::json!({
                "id": format!("doc-{story:02}-{copy}"),
                "text": w.join(" "),
                "source": format!("outlet{}", copy % 3),
            }));
        }
    }
    out
}

fn write_corpus(t: &TestDir, order: &[usize], reverse_files: bool) -> Vec<String> {
    let docs = docs();
    let mut files = [String::new(), String::new(), String::new()];
    for &i in order {
        files[i % 3].push_str(&format!("{}\n", docs[i]));
    }
    let mut names = Vec::new();
    for (n, body) in files.iter().enumerate() {
        let name = format!("part{n}.jsonl");
        t.write(&name, body);
        names.push(name);
    }
    if reverse_files {
        names.reverse();
    }
    names
}

fn run(order: &[usize], reverse_files: bool, threads: &str) -> [String; 3] {
    let t = TestDir::new();
    let names = write_corpus(&t, order, reverse_files);
    let mut args = vec!["dedup"];
    args.extend(names.iter().map(String::as_str));
    args.extend([
        "-o",
        "out.jsonl",
        "--clusters",
        "c.jsonl",
        "--pairs",
        "p.jsonl",
    ]);
    ok(&dechaff_env(
        t.path(),
        &args,
        &[("RAYON_NUM_THREADS", threads)],
    ));
    [t.read("out.jsonl"), t.read("c.jsonl"), t.read("p.jsonl")]
}

#[test]
fn same_output_for_any_order_and_thread_count() {
    let n = docs().len();
    let forward: Vec<usize> = (0..n).collect();
    // A fixed shuffle (multiplicative permutation modulo a prime larger than n).
    let mut shuffled: Vec<usize> = (0..n)
        .map(|i| (i * 37 + 11) % 53)
        .filter(|&i| i < n)
        .collect();
    let missing: Vec<usize> = (0..n).filter(|i| !shuffled.contains(i)).collect();
    shuffled.extend(missing);
    assert_eq!(shuffled.len(), n);

    let base = run(&forward, false, "2");
    assert!(!base[1].is_empty(), "expected clusters");
    assert_eq!(run(&shuffled, false, "2"), base, "shuffled lines");
    assert_eq!(run(&forward, true, "2"), base, "files in another order");
    assert_eq!(run(&shuffled, true, "1"), base, "one thread");
}

#[test]
fn one_record_in_two_files_gives_the_same_outputs_in_either_order() {
    // The same record (same id, same text) in two files: which copy is kept and which is
    // logged as removed must not depend on the order the files are given in.
    let t = TestDir::new();
    let words: Vec<String> = (0..80).map(|i| format!("w{i}")).collect();
    let rec = serde_json::json!({"id": "same", "text": words.join(" ")});
    let other = serde_json::json!({"id": "other", "text": "something else entirely here"});
    t.write("a.jsonl", format!("{other}\n{rec}\n"));
    t.write("b.jsonl", format!("{rec}\n"));
    let run = |files: [&str; 2]| {
        let mut args = vec!["dedup"];
        args.extend(files);
        args.extend([
            "-o",
            "out.jsonl",
            "--removed",
            "rem.jsonl",
            "--clusters",
            "c.jsonl",
        ]);
        ok(&dechaff(t.path(), &args));
        [t.read("out.jsonl"), t.read("rem.jsonl"), t.read("c.jsonl")]
    };
    let ab = run(["a.jsonl", "b.jsonl"]);
    assert!(ab[1].contains("near_duplicate"), "{}", ab[1]);
    assert_eq!(run(["b.jsonl", "a.jsonl"]), ab);
}
