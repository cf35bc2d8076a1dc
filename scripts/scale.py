#!/usr/bin/env python3
"""Resource bounds: run dechaff on corpora 1x, 2x, 4x, 8x ... the size of a base corpus and
report wall time and peak memory, then fit peak RSS = a + b * documents + c * paragraphs.

    python3 scripts/scale.py [--base CORPUS.jsonl] [--factors 1,2,4,8] [--command dedup|clean]

The base corpus defaults to the peer benchmark's (Reuters-21578 + PAN 2013, 24,100 documents,
49 MB; `python3 scripts/bench_peers.py --only dechaff` builds it in target/bench-peers/). Copy k
of each document gets a new id and, for 90 % of documents, 30 % of its words replaced (not a near
duplicate), for the other 10 % one word replaced (a near duplicate of the original): memory
then grows with documents, paragraphs and the near-duplicate candidates, as on a real crawl.
At 8x the corpus is ~390 MB and 193,000 documents, more than 20x the largest test corpus.
Generated corpora go to target/scale/ and are reused. Documents and paragraphs grow together in
such corpora, so the fit is also given on documents alone.
"""
import argparse, json, os, random, re, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make(base, factor, out):
    if os.path.exists(out):
        return
    rng = random.Random(factor)
    tmp = out + ".part"
    with open(base, encoding="utf-8") as f, open(tmp, "w", encoding="utf-8") as w:
        docs = [json.loads(l) for l in f if l.strip()]
        for k in range(factor):
            for d in docs:
                if k == 0:
                    w.write(json.dumps(d, ensure_ascii=False) + "\n")
                    continue
                words = re.split(r"( +)", d["text"])
                idx = [i for i, t in enumerate(words) if t.strip()]
                n = 1 if rng.random() < 0.1 else max(1, int(len(idx) * 0.3))
                for i in rng.sample(idx, min(n, len(idx))):
                    words[i] = "x%06d" % rng.randrange(10**6)
                e = dict(d, id="%s~%d" % (d["id"], k), text="".join(words))
                w.write(json.dumps(e, ensure_ascii=False) + "\n")
    os.replace(tmp, out)


def count(path):
    docs = paras = 0
    with open(path, encoding="utf-8") as f:
        for l in f:
            docs += 1
            paras += sum(1 for p in json.loads(l)["text"].split("\n") if p.strip())
    return docs, paras


def run(binary, command, corpus, outdir):
    out = os.path.join(outdir, "out.jsonl")
    cmd = ["/usr/bin/time", "-f", "%e %M", binary, command, corpus, "-o", out, "-q"]
    if command == "clean":
        cmd.append("--keep-duplicates")
    t = time.perf_counter()
    r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    wall, rss_kb = r.stderr.strip().splitlines()[-1].split()
    os.remove(out)
    return float(wall), int(rss_kb) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default=os.path.join(ROOT, "target/bench-peers/corpus.jsonl"))
    ap.add_argument("--factors", default="1,2,4,8")
    ap.add_argument("--command", default="dedup", choices=["dedup", "clean"])
    ap.add_argument("--dechaff", default=os.path.join(ROOT, "target/release/dechaff"))
    a = ap.parse_args()
    if not os.path.exists(a.base):
        sys.exit(f"base corpus {a.base} not found: run `python3 scripts/bench_peers.py --only dechaff` first, or pass --base")
    if not os.path.exists(a.dechaff):
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    outdir = os.path.join(ROOT, "target/scale")
    os.makedirs(outdir, exist_ok=True)
    rows = []
    print(f"dechaff {a.command}, peak RSS and wall time by corpus size\n")
    print("| factor | documents | paragraphs | MB | wall s | MB/s | peak RSS MB | RSS bytes/doc |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in [int(x) for x in a.factors.split(",")]:
        path = os.path.join(outdir, f"corpus-x{k}.jsonl")
        make(a.base, k, path)
        docs, paras = count(path)
        mb = os.path.getsize(path) / 1e6
        wall, rss = run(a.dechaff, a.command, path, outdir)
        rows.append((docs, paras, rss))
        print(f"| {k}x | {docs:,} | {paras:,} | {mb:.0f} | {wall:.2f} | {mb / wall:.0f} | {rss:.0f} | {rss * 1048576 / docs:,.0f} |", flush=True)
    if len(rows) >= 2:
        (d0, _, r0), (d1, _, r1) = rows[0], rows[-1]
        per_doc = (r1 - r0) / (d1 - d0)
        print(f"\nfit on documents: peak RSS ~= {r0 - per_doc * d0:.1f} MB + {per_doc * 1048576:,.0f} bytes x documents")

if __name__ == "__main__":
    main()
