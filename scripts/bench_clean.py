#!/usr/bin/env python3
"""Speed of page-chrome stripping: `dechaff clean` against the usual baselines, on the same text.

Every tool reads the same JSON Lines corpus ({"id", "text", "source"}) and writes the cleaned
texts; each runs in its own process, timed from start to exit.  The corpus is the development
sets' text: ../shared/eval/prepare.py aeb and big9 (3.1 MB, 341 pages), concatenated; or any
JSON Lines files given with --corpus.

* dechaff: ``dechaff clean CORPUS -o OUT.jsonl -j 1`` (default settings: balanced mode, near
  duplicates of the cleaned texts removed), and the same on 2 threads (``-j 2``);
* c4: the C4 line rule (keep lines ending in terminal punctuation, >= 3 words, no
  "javascript" or policy words), as ../shared/eval/score.py implements it;
* c4-largest: the C4 rule, then the largest block of kept lines (score.py);
* justext-lines: jusText on the text lines wrapped as <p> paragraphs (score.py), English
  stoplist.

The baselines are score.py's own functions, so the speed measured is that of the code whose
quality score.py reports.  They are single-threaded Python; dechaff's per-core figure is
bytes / (user + system CPU seconds), which is what a single-threaded run spends.

Quality is not measured here: ``score.py boilerplate DIR --cmd ...`` / ``--baseline NAME``.

Usage (from the repository root)::

    scripts/bench_clean.py --python /path/to/venv/bin/python      # needs justext, lxml, html-text
    scripts/bench_clean.py --python ... --repeat 5                 # median of 5 rounds
    scripts/bench_clean.py --corpus a.jsonl --corpus b.jsonl       # other text
    scripts/bench_clean.py --only dechaff                          # dechaff alone

Output: a Markdown table (tool, wall s, CPU s, MB/s per CPU second, dechaff's speed-up in CPU
time) on stdout and in WORK/bench-clean.md (WORK defaults to target/bench-clean).  Tools take
turns in each round, so a drift of the machine's speed touches them alike.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from benchlib import REPO, check_common, ensure_dechaff, reporters, run_measured

BASELINES = ("c4", "c4-largest", "justext-lines")
TOOLS = ("dechaff", "dechaff -j 2") + BASELINES
SETS = ("aeb", "big9")


log, die = reporters("bench-clean")


def worker(name, score_dir, out, corpora):
    """Runs baseline `name` of score.py over every text of `corpora`, writing JSON Lines."""
    sys.path.insert(0, score_dir)
    import score  # noqa: E402  (the shared evaluation script, imported as a module)
    with open(out, "w", encoding="utf-8") as f:
        for path in corpora:
            with open(path, encoding="utf-8") as src:
                for line in src:
                    if not line.strip():
                        continue
                    d = json.loads(line)
                    d["text"] = score.baseline(name, d["text"])
                    f.write(json.dumps(d, ensure_ascii=False) + "\n")


def prepared(args):
    """The corpus files: --corpus, or WORK/<set>/corpus.jsonl built with prepare.py."""
    if args.corpus:
        for c in args.corpus:
            if not os.path.isfile(c):
                die(f"corpus {c} not found")
        return [os.path.abspath(c) for c in args.corpus]
    prepare = os.path.join(os.path.abspath(args.shared), "eval", "prepare.py")
    out = []
    for name in SETS:
        path = os.path.join(args.work, name, "corpus.jsonl")
        if not os.path.exists(path):
            if not os.path.isfile(prepare):
                die(f"{prepare} not found: the development sets are built from the shared/ "
                    "folder beside the repository (../shared); pass --shared DIR, or --corpus FILE")
            log(f"building {name} with {prepare}")
            r = subprocess.run([args.python, prepare, name, "--out", os.path.dirname(path)])
            if r.returncode != 0:
                die(f"prepare.py {name} failed (exit {r.returncode}); --python must have "
                    "html-text, lxml and justext")
        out.append(path)
    return out


def command(tool, args, corpora, out):
    if tool.startswith("dechaff"):
        threads = "2" if tool.endswith("-j 2") else "1"
        return [args.dechaff, "clean", *corpora, "-o", out, "-j", threads, "-q"]
    score_dir = os.path.join(os.path.abspath(args.shared), "eval")
    return [args.python, os.path.abspath(__file__), "_worker", tool, score_dir, out, *corpora]


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "_worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="See the module docstring for what each tool runs.")
    p.add_argument("--python", default=sys.executable,
                   help="interpreter with justext, lxml and html-text (default: this one)")
    p.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    p.add_argument("--work", default=os.path.join(REPO, "target", "bench-clean"))
    p.add_argument("--dechaff", default=os.path.join(REPO, "target", "release", "dechaff"))
    p.add_argument("--no-build", action="store_true", help="never run cargo build")
    p.add_argument("--corpus", action="append", help="JSON Lines corpus (repeatable)")
    p.add_argument("--repeat", type=int, default=3, help="rounds (median reported)")
    p.add_argument("--only", help=f"comma-separated subset of: {', '.join(TOOLS)}")
    args = p.parse_args()
    tools = check_common(args, TOOLS, die)
    if any(t.startswith("dechaff") for t in tools):
        args.dechaff = ensure_dechaff(args, log, die,
                                      f"leave dechaff out with --only {','.join(BASELINES)}")
    if any(t in BASELINES for t in tools):
        probe = subprocess.run([args.python, "-c", "import justext, lxml"], capture_output=True)
        if probe.returncode != 0:
            die(f"{args.python} cannot import justext and lxml: pass --python with them "
                "(pip install html-text lxml justext)")
    corpora = prepared(args)
    size = sum(os.path.getsize(c) for c in corpora)
    log(f"corpus: {len(corpora)} file(s), {size / 1e6:.2f} MB")

    runs = {t: [] for t in tools}
    for rnd in range(args.repeat):
        for t in tools:
            out = os.path.join(args.work, "out-" + t.replace(" ", "") + ".jsonl")
            if os.path.exists(out):
                os.remove(out)
            err_log = out + ".stderr.log"
            code, wall, cpu, rss = run_measured(command(t, args, corpora, out), None, err_log)
            if code != 0:
                tail = open(err_log, errors="replace").read()[-2000:]
                die(f"{t} failed (exit {code}); stderr tail:\n{tail}")
            runs[t].append((wall, cpu, rss))
            log(f"round {rnd + 1}/{args.repeat} {t}: {wall:.2f} s wall, {cpu:.2f} s CPU")

    rows = {}
    for t, rs in runs.items():
        rows[t] = {"wall": statistics.median(r[0] for r in rs),
                   "cpu": statistics.median(r[1] for r in rs),
                   "rss": max(r[2] for r in rs)}
    ref = rows.get("dechaff")
    lines = [f"Page-chrome stripping speed: {size / 1e6:.2f} MB of JSON Lines "
             f"({', '.join(os.path.relpath(c, REPO) if c.startswith(REPO) else c for c in corpora)}); "
             f"median of {args.repeat} rounds; {os.cpu_count()} CPUs",
             "",
             "| tool | wall s | CPU s | MB/s per CPU second | peak RSS MB | dechaff speed-up (CPU) |",
             "|---|---:|---:|---:|---:|---:|"]
    for t, r in rows.items():
        speed = "-" if ref is None or t.startswith("dechaff") else f"{r['cpu'] / ref['cpu']:.1f}x"
        lines.append(f"| {t} | {r['wall']:.2f} | {r['cpu']:.2f} | {size / 1e6 / r['cpu']:.1f} | "
                     f"{r['rss']:.0f} | {speed} |")
    table = "\n".join(lines) + "\n"
    print(table)
    with open(os.path.join(args.work, "bench-clean.md"), "w") as f:
        f.write(table)
    with open(os.path.join(args.work, "bench-clean.json"), "w") as f:
        json.dump({"corpus": corpora, "bytes": size, "repeat": args.repeat,
                   "runs": runs, "median": rows}, f, indent=2)


if __name__ == "__main__":
    main()
