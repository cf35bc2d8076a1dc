#!/usr/bin/env python3
"""Side-by-side benchmark of near-duplicate document detection: dechaff vs datasketch, rensa, gaoya.

Every tool does the same job on the same corpus in one run, and each is scored against the exact
answer:

* corpus: Reuters-21578 (19,043 stories) + PAN 2013 text-alignment training documents (5,057),
  24,100 documents, ~47 MiB of JSON Lines {"id", "text", "source"}, built from ../shared/eval/prepare.py;
* job: lowercase the text, tokens = maximal runs of alphanumeric characters
  (``re.findall(r"[^\\W_]+", text.lower())``), word 5-gram shingles (a document with fewer than
  5 tokens is one shingle of all its tokens), 128 permutations, report every pair of documents
  whose Jaccard similarity is >= 0.8;
* ground truth: the exact set of pairs with Jaccard >= 0.8 over those shingle sets, found with
  AllPairs prefix filtering (shingles ordered rarest first, each set indexed on its prefix of length
  |A| - ceil(0.8 |A|) + 1, every candidate verified exactly).  Cached in the work dir.

Usage (from the repository root)::

    scripts/bench_peers.py                                   # everything, full corpus
    scripts/bench_peers.py --only datasketch,rensa,gaoya     # peers only
    scripts/bench_peers.py --quick                           # 3,000-document smoke run
    scripts/bench_peers.py --repeat 3                        # median wall time over 3 rounds
    scripts/bench_peers.py --python /path/to/venv/bin/python # use a ready interpreter, no venv setup

Options worth knowing: ``--shared DIR`` (default ../shared beside the repo), ``--work DIR``
(default target/bench-peers), ``--venv DIR`` (default ~/.cache/dechaff/bench-venv, or
$DECHAFF_BENCH_VENV), ``--dechaff PATH`` (default target/release/dechaff, built with
``cargo build --release`` when missing), ``--no-build``, ``--corpus FILE`` (bench any JSON Lines
corpus instead), ``--threads N`` (RAYON_NUM_THREADS for the tools that use rayon, default 2).

What each tool runs (each in its own subprocess, timed end to end from reading the JSON Lines
file to holding the set of pairs, shingling included; peak memory is that process's max RSS):

* dechaff: ``dechaff dedup CORPUS --pairs PAIRS.jsonl --threshold 0.8`` - the peers' job: the pairs,
  no deduplicated corpus; its pairs are the lines of PAIRS.jsonl ({"a": ID, "b": ID, "jaccard": X}).
* dechaff+output: the same with ``-o OUT.jsonl``, which also writes the deduplicated corpus (the
  kept records, ~43 MB here, read back from the input and checked against their hashes) - more
  work than the peers do; shown for reference, the speed ratios are against ``dechaff``.
* datasketch: ``MinHash(num_perm=128, seed=1)`` fed with ``update_batch`` of the UTF-8 shingles,
  ``MinHashLSH(threshold=0.8, num_perm=128)`` (which picks its own bands, 9 x 13 rows); every
  document is queried and then inserted, so each candidate pair is seen once.  Pairs = LSH
  candidates, unverified (datasketch does not verify).
* rensa: ``RMinHash.from_token_sets`` on chunks of 1,024 shingle lists (num_perm=128, seed=42),
  ``RMinHashLSH(threshold=0.8, num_perm=128, num_bands=16)``; query then insert.  rensa needs
  num_bands to divide num_perm; 16 bands x 8 rows gives the highest recall at the threshold
  among those divisors without flooding candidates (8 x 16, what datasketch's own
  false-positive/false-negative optimiser prefers at 0.8, and the setting of rensa's published
  benchmark, misses a third of the pairs at the threshold).  Pairs = LSH candidates,
  unverified (RMinHashLSH.query does not verify).
* gaoya: ``MinHashStringIndex(hash_size=32, jaccard_threshold=0.8, num_bands=None, band_size=None,
  num_hashes=128, analyzer="word", lowercase=True, ngram_range=(5, 5), id_container="vec")`` -
  gaoya's own Rust tokenizer and shingler (it splits on whitespace and ASCII punctuation, so its
  shingle sets differ slightly from the job's), gaoya's own choice of bands for 128 hashes
  (21 x 6 = 126 hashes).  Documents go in with ``par_bulk_insert_docs`` and out with
  ``par_bulk_query`` in chunks of 4,096 (each chunk inserted, then queried, so no pair is missed).
  Pairs = what ``query`` returns, which by gaoya's default are LSH candidates whose
  *estimated* (signature) Jaccard is >= the threshold.  Documents under 5 words get an empty
  shingle set in gaoya.

Wall time is the subprocess's wall clock (for the peers, Python start-up and imports included).
With --repeat N the tools run in N rounds, one after the other within a round, so that a drift of
the machine's speed during the run touches them alike; a tool whose first run took under a second
runs 3 times a round (short runs are the noisiest).  The table shows the median and the best of
each tool's runs, MB/s is from the median, and peak RSS is the largest seen.  The machine this
was written for has 2 cores: close other work first.

Output: a Markdown table on stdout (tool, wall s, best s, MB/s, peak RSS MB, pairs found, recall,
precision, speed ratio vs dechaff - or vs the fastest tool when dechaff is not in the run), plus WORK/bench-peers.json and WORK/bench-peers.md; each
tool's pairs are kept in WORK/pairs/TOOL.jsonl.

The script itself uses only the standard library; the peers and prepare.py's dependencies
(datasketch rensa gaoya html-text lxml justext) are pip-installed into the bench venv on first use.
"""
import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from array import array
from collections import defaultdict

from benchlib import REPO, check_common, ensure_dechaff, reporters, run_measured

PEERS = ("datasketch", "rensa", "gaoya")
DECHAFF = ("dechaff", "dechaff+output")
TOOLS = DECHAFF + PEERS
PIP_PACKAGES = ("datasketch", "rensa", "gaoya", "html-text", "lxml", "justext")
# import name -> pip name
IMPORTS = {"datasketch": "datasketch", "rensa": "rensa", "gaoya": "gaoya",
           "html_text": "html-text", "lxml": "lxml", "justext": "justext"}

# The job, identical for everyone.
THRESHOLD = 0.8
NUM_PERM = 128
NGRAM = 5
TOKEN_RE = re.compile(r"[^\W_]+")
QUICK_DOCS = 3000


log, die = reporters("bench-peers")


def shingles(text):
    """The job's shingle list: word 5-grams over lowercased alphanumeric runs (may repeat)."""
    toks = TOKEN_RE.findall(text.lower())
    if len(toks) < NGRAM:
        return [" ".join(toks)]
    return [" ".join(toks[i:i + NGRAM]) for i in range(len(toks) - NGRAM + 1)]


def read_corpus(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                yield d["id"], d["text"]


# --------------------------------------------------------------------------------------------
# Workers: run inside the bench venv, one tool per process.  Each writes its pairs as JSON Lines
# {"a": ID, "b": ID} to OUT, then a final {"_meta": {...}} line with its own timings and params.
# --------------------------------------------------------------------------------------------

def _write_pairs(out, pairs, meta):
    with open(out, "w", encoding="utf-8") as f:
        for a, b in pairs:
            f.write(json.dumps({"a": a, "b": b}, ensure_ascii=False) + "\n")
        f.write(json.dumps({"_meta": meta}) + "\n")


def worker_datasketch(corpus, out):
    from datasketch import MinHash, MinHashLSH
    import datasketch
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    ids, pairs = [], set()
    for doc_id, text in read_corpus(corpus):
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([s.encode("utf-8") for s in set(shingles(text))])
        k = len(ids)
        ids.append(doc_id)
        for j in lsh.query(m):
            pairs.add((j, k))
        lsh.insert(k, m)
    named = sorted(tuple(sorted((ids[a], ids[b]))) for a, b in pairs)
    meta = {"version": datasketch.__version__, "bands": lsh.b, "rows": lsh.r,
            "seconds_inside": time.perf_counter() - t0, "docs": len(ids)}
    _write_pairs(out, named, meta)


def worker_rensa(corpus, out, chunk=1024, num_bands=16, seed=42):
    from rensa import RMinHash, RMinHashLSH
    from importlib.metadata import version
    t0 = time.perf_counter()
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=num_bands)
    ids, pairs = [], set()

    def flush(batch_ids, batch_sets):
        sigs = RMinHash.from_token_sets(batch_sets, num_perm=NUM_PERM, seed=seed)
        for doc_id, sig in zip(batch_ids, sigs):
            k = len(ids)
            ids.append(doc_id)
            for j in lsh.query(sig):
                pairs.add((j, k))
            lsh.insert(k, sig)

    batch_ids, batch_sets = [], []
    for doc_id, text in read_corpus(corpus):
        batch_ids.append(doc_id)
        batch_sets.append(shingles(text))
        if len(batch_sets) == chunk:
            flush(batch_ids, batch_sets)
            batch_ids, batch_sets = [], []
    if batch_sets:
        flush(batch_ids, batch_sets)
    named = sorted(tuple(sorted((ids[a], ids[b]))) for a, b in pairs)
    meta = {"version": version("rensa"), "bands": lsh.get_num_bands(),
            "rows": NUM_PERM // lsh.get_num_bands(), "seed": seed,
            "seconds_inside": time.perf_counter() - t0, "docs": len(ids)}
    _write_pairs(out, named, meta)


def worker_gaoya(corpus, out, chunk=4096):
    import gaoya.minhash
    from importlib.metadata import version
    t0 = time.perf_counter()
    index = gaoya.minhash.MinHashStringIndex(
        hash_size=32, jaccard_threshold=THRESHOLD, num_bands=None, band_size=None,
        num_hashes=NUM_PERM, analyzer="word", lowercase=True, ngram_range=(NGRAM, NGRAM),
        id_container="vec")
    ids, pairs = [], set()

    def flush(batch_ids, batch_texts):
        start = len(ids)
        ids.extend(batch_ids)
        keys = list(range(start, len(ids)))
        index.par_bulk_insert_docs(keys, batch_texts)
        for k, hits in zip(keys, index.par_bulk_query(batch_texts)):
            for j in hits:
                if j != k:
                    pairs.add((min(j, k), max(j, k)))

    batch_ids, batch_texts = [], []
    for doc_id, text in read_corpus(corpus):
        batch_ids.append(doc_id)
        batch_texts.append(text)
        if len(batch_texts) == chunk:
            flush(batch_ids, batch_texts)
            batch_ids, batch_texts = [], []
    if batch_texts:
        flush(batch_ids, batch_texts)
    named = sorted(tuple(sorted((ids[a], ids[b]))) for a, b in pairs)
    meta = {"version": version("gaoya"), "index": str(index).split(", size")[0] + " }",
            "seconds_inside": time.perf_counter() - t0, "docs": len(ids)}
    _write_pairs(out, named, meta)


WORKERS = {"datasketch": worker_datasketch, "rensa": worker_rensa, "gaoya": worker_gaoya}


# --------------------------------------------------------------------------------------------
# Ground truth: exact all-pairs Jaccard >= 0.8 with prefix filtering.
# --------------------------------------------------------------------------------------------

def min_overlap_size(n):
    """ceil(0.8 * n) in integers: the smallest partner size / overlap for Jaccard >= 0.8."""
    return (4 * n + 4) // 5


def exact_pairs(corpus):
    """Every pair of documents whose shingle-set Jaccard is >= 0.8 (AllPairs, exact)."""
    intern, ids, docs = {}, [], []
    for doc_id, text in read_corpus(corpus):
        ids.append(doc_id)
        docs.append({intern.setdefault(s, len(intern)) for s in shingles(text)})
    df = array("I", bytes(4 * len(intern)))
    for d in docs:
        for t in d:
            df[t] += 1
    # Rank shingles rarest first, so prefixes hold the rarest shingles and candidates stay few.
    order = sorted(range(len(intern)), key=lambda t: (df[t], t))
    rank = array("I", bytes(4 * len(intern)))
    for r, t in enumerate(order):
        rank[t] = r
    del intern, df, order
    sets = [array("I", sorted(rank[t] for t in d)) for d in docs]
    del docs, rank
    index = defaultdict(list)
    found = []
    for x in sorted(range(len(sets)), key=lambda i: len(sets[i])):
        sx = sets[x]
        n = len(sx)
        need = min_overlap_size(n)
        prefix = sx[:n - need + 1]
        cands = set()
        for t in prefix:
            for y in index[t]:
                if len(sets[y]) >= need:       # size filter (y is never longer than x)
                    cands.add(y)
        if cands:
            setx = set(sx)
            for y in cands:
                sy = sets[y]
                o = len(setx.intersection(sy))
                if 5 * o >= 4 * (n + len(sy) - o):     # Jaccard >= 0.8, exactly
                    found.append(tuple(sorted((ids[x], ids[y]))))
        for t in prefix:
            index[t].append(x)
    return sorted(found)


def ground_truth(corpus, work):
    digest = hashlib.sha256()
    with open(corpus, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    key = f"{digest.hexdigest()[:16]}-j{THRESHOLD}-w{NGRAM}"
    cache = os.path.join(work, f"ground-truth-{key}.json")
    if os.path.exists(cache):
        with open(cache) as f:
            data = json.load(f)
        log(f"ground truth: {len(data['pairs'])} exact pairs (cached in {cache})")
        return {tuple(p) for p in data["pairs"]}, data["seconds"]
    log("ground truth: computing exact pairs with AllPairs prefix filtering ...")
    # In a child process, so this process stays small: a forked child's max RSS counts the
    # parent's memory at fork time, which would inflate the tools' peak RSS figures.
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "_truth", corpus, cache, key])
    if r.returncode != 0:
        die(f"ground truth computation failed (exit {r.returncode})")
    with open(cache) as f:
        data = json.load(f)
    log(f"ground truth: {len(data['pairs'])} exact pairs in {data['seconds']:.1f} s "
        f"(cached in {cache})")
    return {tuple(p) for p in data["pairs"]}, data["seconds"]


def write_truth(corpus, cache, key):
    t0 = time.perf_counter()
    pairs = exact_pairs(corpus)
    secs = time.perf_counter() - t0
    tmp = cache + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"key": key, "threshold": THRESHOLD, "ngram": NGRAM,
                   "seconds": secs, "pairs": pairs}, f)
    os.replace(tmp, cache)


# --------------------------------------------------------------------------------------------
# Environment: venv, corpus, dechaff binary.
# --------------------------------------------------------------------------------------------

def missing_imports(python):
    code = ("import importlib.util, json, sys\n"
            f"names = {list(IMPORTS)!r}\n"
            "print(json.dumps([n for n in names if importlib.util.find_spec(n) is None]))")
    r = subprocess.run([python, "-c", code], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"cannot run {python}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def ensure_python(args):
    """The interpreter that runs prepare.py and the peers, with the packages installed."""
    if args.python:
        python = args.python
    else:
        venv = os.path.expanduser(args.venv)
        python = os.path.join(venv, "bin", "python")
        if not os.path.exists(python):
            log(f"creating venv {venv}")
            r = subprocess.run([sys.executable, "-m", "venv", venv])
            if r.returncode != 0 or not os.path.exists(python):
                die(f"could not create a venv at {venv} (on Debian: apt-get install python3-venv), "
                    "or pass --python PATH to an interpreter that has " + " ".join(PIP_PACKAGES))
    missing = missing_imports(python)
    if missing:
        pkgs = [IMPORTS[m] for m in missing]
        log(f"pip installing {' '.join(pkgs)} into {python}")
        r = subprocess.run([python, "-m", "pip", "install", "--quiet", *pkgs])
        if r.returncode != 0:           # one bad wheel should not sink the others
            for p in pkgs:
                subprocess.run([python, "-m", "pip", "install", "--quiet", p])
        missing = missing_imports(python)
        if missing:
            log(f"warning: still missing after pip install: {', '.join(missing)}")
    return python, set(missing)


def build_corpus(args, python):
    """WORK/corpus.jsonl = prepare.py reuters + prepare.py pan13, concatenated."""
    shared = os.path.abspath(args.shared)
    prepare = os.path.join(shared, "eval", "prepare.py")
    full = os.path.join(args.work, "corpus.jsonl")
    if not os.path.exists(full) or args.rebuild:
        if not os.path.isfile(prepare):
            die(f"{prepare} not found: the benchmark corpus is built from the shared/ folder that "
                "sits beside the repository (../shared). Pass --shared DIR if it is elsewhere, "
                "or --corpus FILE to bench a JSON Lines corpus of your own.")
        parts = []
        for name in ("reuters", "pan13"):
            out = os.path.join(args.work, name)
            log(f"building {name} corpus with {prepare}")
            r = subprocess.run([python, prepare, name, "--out", out])
            if r.returncode != 0:
                die(f"prepare.py {name} failed (exit {r.returncode})")
            parts.append(os.path.join(out, "corpus.jsonl"))
        tmp = full + ".tmp"
        with open(tmp, "wb") as f:
            for p in parts:
                with open(p, "rb") as src:
                    shutil.copyfileobj(src, f)
        os.replace(tmp, full)
    if not args.quick:
        return full
    # Smoke run: the first half of each source, so near-duplicate runs of adjacent stories survive.
    quick = os.path.join(args.work, f"corpus-quick-{QUICK_DOCS}.jsonl")
    if not os.path.exists(quick) or args.rebuild:
        halves = defaultdict(list)
        for line in open(full, encoding="utf-8"):
            src = json.loads(line)["source"] == "reuters"
            if len(halves[src]) < QUICK_DOCS // 2:
                halves[src].append(line)
        with open(quick, "w", encoding="utf-8") as f:
            for k in (True, False):
                f.writelines(halves[k])
    return quick


# --------------------------------------------------------------------------------------------
# Running and scoring.
# --------------------------------------------------------------------------------------------

def read_pairs(path):
    """Pairs file -> (set of sorted id pairs, meta).  Accepts bare records or {"type","data"}."""
    pairs, meta = set(), {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if "_meta" in rec:
                meta = rec["_meta"]
                continue
            if "data" in rec and isinstance(rec["data"], dict):
                rec = rec["data"]
            if "a" in rec and "b" in rec and rec["a"] != rec["b"]:
                a, b = str(rec["a"]), str(rec["b"])
                pairs.add((a, b) if a < b else (b, a))
    return pairs, meta


def tool_command(tool, args, python, dechaff, corpus):
    """(command, outputs, pairs file, stderr log) of one tool."""
    pairs_dir = os.path.join(args.work, "pairs")
    os.makedirs(pairs_dir, exist_ok=True)
    out = os.path.join(pairs_dir, f"{tool}.jsonl")
    err_log = os.path.join(pairs_dir, f"{tool}.stderr.log")
    outputs = [out]
    if tool in DECHAFF:
        cmd = [dechaff, "dedup", corpus, "--pairs", out, "--threshold", str(THRESHOLD)]
        if tool == "dechaff+output":
            deduped = os.path.join(args.work, "dechaff-dedup.jsonl")
            outputs.append(deduped)
            cmd += ["-o", deduped]
    else:
        cmd = [python, os.path.abspath(__file__), "_worker", tool, corpus, out]
    return cmd, outputs, out, err_log


# A tool whose first run takes less than this many seconds runs FAST_RUNS times a round: its
# median then rests on more samples, as short runs are the noisiest.
FAST_SECONDS = 1.0
FAST_RUNS = 3


def run_tools(tools, args, python, dechaff, corpus, env):
    """Runs every tool --repeat rounds, one tool after the other within a round, so that a
    drift of the machine's speed touches every tool alike.  Returns {tool: result}."""
    state = {}
    for tool in tools:
        cmd, outputs, out, err_log = tool_command(tool, args, python, dechaff, corpus)
        state[tool] = {"tool": tool, "command": cmd, "walls": [], "peak_rss_mb": 0.0,
                       "_outputs": outputs, "_out": out, "_log": err_log}
    for rnd in range(args.repeat):
        for tool in tools:
            res = state[tool]
            if "error" in res:
                continue
            fast = bool(res["walls"]) and min(res["walls"]) < FAST_SECONDS
            for _ in range(FAST_RUNS if fast else 1):
                # Every tool starts from the same state: no output of an earlier run to
                # replace (replacing a 40 MB file makes the kernel free its blocks inside
                # the timed run).
                for path in res["_outputs"]:
                    if os.path.exists(path):
                        os.remove(path)
                log(f"{tool}: round {rnd + 1}/{args.repeat} ...")
                code, wall, _, peak = run_measured(res["command"], env, res["_log"])
                if code != 0 or not os.path.exists(res["_out"]):
                    tail = open(res["_log"], errors="replace").read()[-2000:]
                    log(f"{tool}: FAILED (exit {code}); stderr tail:\n{tail}")
                    res["error"] = f"exit {code}"
                    break
                res["walls"].append(wall)
                res["peak_rss_mb"] = max(res["peak_rss_mb"], peak)
                log(f"{tool}: {wall:.2f} s, peak RSS {peak:.0f} MB")
    results = {}
    for tool, res in state.items():
        out = res.pop("_out")
        del res["_outputs"], res["_log"]
        if "error" in res:
            results[tool] = {k: res[k] for k in ("tool", "command", "error")}
            continue
        res["wall"] = statistics.median(res["walls"])
        res["best"] = min(res["walls"])
        res["pairs"], res["meta"] = read_pairs(out)
        results[tool] = res
    return results


def score(res, truth, corpus_mb):
    if "error" in res:
        return
    found = res.pop("pairs")
    hit = len(found & truth)
    res["pairs_found"] = len(found)
    res["true_positives"] = hit
    res["recall"] = hit / len(truth) if truth else 1.0
    res["precision"] = hit / len(found) if found else 1.0
    res["mb_per_s"] = corpus_mb / res["wall"]


def ratio_text(x):
    return f"{x:.1f}x" if x >= 1.5 else f"{x:.2f}x"


def render(results, truth_n, info):
    ok = [r for r in results if "error" not in r]
    ref = next((r for r in ok if r["tool"] == "dechaff"), None)
    ref_name = "dechaff" if ref else "fastest"
    if ref is None and ok:
        ref = min(ok, key=lambda r: r["wall"])
    lines = [
        f"Near-duplicate documents, Jaccard >= {THRESHOLD} over word {NGRAM}-gram shingles, "
        f"{NUM_PERM} permutations",
        f"corpus: {info['docs']} documents, {info['mb']:.1f} MB ({info['corpus']}); "
        f"exact pairs: {truth_n}; rounds: {info['repeat']} (median wall of each tool's runs); "
        f"{info['cpus']} CPUs, RAYON_NUM_THREADS={info['threads']}",
        "",
        f"| tool | wall s | best s | MB/s | peak RSS MB | pairs found | recall | precision | "
        f"{ref_name} speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['tool']} | failed ({r['error']}) | | | | | | | |")
            continue
        speed = "-" if r is ref else ratio_text(r["wall"] / ref["wall"])
        lines.append(
            f"| {r['tool']} | {r['wall']:.2f} | {r['best']:.2f} | {r['mb_per_s']:.2f} | {r['peak_rss_mb']:.0f} | "
            f"{r['pairs_found']} | {r['recall']:.4f} | {r['precision']:.4f} | {speed} |")
    lines.append("")
    full = next((r for r in ok if r["tool"] == "dechaff+output"), None)
    for r in ok:
        if r is ref:
            continue
        x = r["wall"] / ref["wall"]
        if ref_name == "dechaff" and r is full:
            lines.append(f"- dechaff+output (the deduplicated corpus written too) takes "
                         f"{ratio_text(x)} dechaff's time")
        elif ref_name == "dechaff":
            word = "faster" if x >= 1 else "slower"
            also = (f" ({ratio_text(r['wall'] / full['wall'])} with the deduplicated corpus "
                    f"written too)" if full else "")
            lines.append(f"- dechaff is {ratio_text(x if x >= 1 else 1 / x)} {word} than "
                         f"{r['tool']}{also}")
        else:
            lines.append(f"- {ref['tool']} (fastest) is {ratio_text(x)} faster than {r['tool']}")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "_worker":
        _, _, tool, corpus, out = sys.argv
        WORKERS[tool](corpus, out)
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "_truth":
        write_truth(*sys.argv[2:5])
        return

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="See the module docstring for what each tool runs.")
    p.add_argument("--only", help=f"comma-separated subset of {','.join(TOOLS)}")
    p.add_argument("--repeat", type=int, default=1,
                   help="rounds; each runs every tool in turn (sub-second tools "
                        f"{FAST_RUNS} times); the median wall is reported")
    p.add_argument("--quick", action="store_true", help=f"smoke run on {QUICK_DOCS} documents")
    p.add_argument("--shared", default=os.path.join(REPO, "..", "shared"),
                   help="the shared/ folder holding eval/prepare.py (default: ../shared)")
    p.add_argument("--work", default=os.path.join(REPO, "target", "bench-peers"),
                   help="work dir for corpus, ground truth, pairs and reports")
    p.add_argument("--corpus", help="bench this JSON Lines corpus instead of Reuters + PAN 2013")
    p.add_argument("--rebuild", action="store_true", help="rebuild the corpus even if present")
    p.add_argument("--venv", default=os.environ.get("DECHAFF_BENCH_VENV",
                                                    "~/.cache/dechaff/bench-venv"),
                   help="venv for the peers (created and filled with pip on first use)")
    p.add_argument("--python", help="use this interpreter (with the packages) instead of the venv")
    p.add_argument("--dechaff", default=os.path.join(REPO, "target", "release", "dechaff"),
                   help="dechaff binary (default target/release/dechaff, built if missing)")
    p.add_argument("--no-build", action="store_true", help="never run cargo build")
    p.add_argument("--threads", type=int, default=2, help="RAYON_NUM_THREADS for the tools")
    args = p.parse_args()

    tools = check_common(args, TOOLS, die)
    dechaff = (ensure_dechaff(args, log, die, "leave dechaff out with --only datasketch,rensa,gaoya")
               if any(t in DECHAFF for t in tools) else None)
    python, missing = ensure_python(args)
    if args.corpus:
        corpus = os.path.abspath(args.corpus)
        if not os.path.isfile(corpus):
            die(f"corpus {corpus} not found")
    else:
        corpus = build_corpus(args, python)
    size = os.path.getsize(corpus)
    docs = sum(1 for line in open(corpus, encoding="utf-8") if line.strip())
    log(f"corpus {corpus}: {docs} documents, {size / 1e6:.1f} MB")

    truth, truth_secs = ground_truth(corpus, args.work)
    print(f"exact pairs (Jaccard >= {THRESHOLD}): {len(truth)}", flush=True)

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    runnable = []
    for tool in tools:
        if tool in PEERS and tool in missing:
            log(f"{tool}: not installed in {python}, skipped")
        else:
            runnable.append(tool)
    ran = run_tools(runnable, args, python, dechaff, corpus, env)
    results = []
    for tool in tools:
        res = ran.get(tool, {"tool": tool, "error": "not installed"})
        score(res, truth, size / 1e6)
        results.append(res)

    info = {"corpus": os.path.relpath(corpus, REPO) if corpus.startswith(REPO) else corpus,
            "docs": docs, "mb": size / 1e6, "repeat": args.repeat, "threads": args.threads,
            "cpus": os.cpu_count()}
    table = render(results, len(truth), info)
    print(table)
    report = {"job": {"threshold": THRESHOLD, "num_perm": NUM_PERM, "shingle": f"word {NGRAM}-gram",
                      "tokens": TOKEN_RE.pattern, "lowercase": True},
              "corpus": {"path": corpus, "documents": docs, "bytes": size},
              "ground_truth": {"pairs": len(truth), "seconds": truth_secs,
                               "method": "AllPairs prefix filtering, exact verification"},
              "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                          "python": python, "threads": args.threads},
              "results": results}
    with open(os.path.join(args.work, "bench-peers.json"), "w") as f:
        json.dump(report, f, indent=2)
    with open(os.path.join(args.work, "bench-peers.md"), "w") as f:
        f.write(table)
    log(f"wrote {os.path.join(args.work, 'bench-peers.json')} and bench-peers.md")
    if any("error" in r for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
