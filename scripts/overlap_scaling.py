#!/usr/bin/env python3
"""Times `dechaff overlap` on 1x, 2x and 4x copies of a JSON Lines corpus.

Every copy after the first gets new ids and small random word edits (about 2% of words
replaced, deleted or duplicated), so the copies overlap the originals as syndicated text would.

    scripts/overlap_scaling.py /work/evalsets/pan13/corpus.jsonl \
        --dechaff /work/target-overlap/release/dechaff [--factors 1 2 4] [--threads 2]
"""
import argparse, json, os, random, subprocess, tempfile, time


def edit(text, rng, rate):
    words = text.split(" ")
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 3:
            out.append(rng.choice(words))
        elif r < 2 * rate / 3:
            continue
        elif r < rate:
            out.extend([w, w])
        else:
            out.append(w)
    return " ".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus")
    p.add_argument("--dechaff", default="dechaff")
    p.add_argument("--factors", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--threads", default="2")
    p.add_argument("--rate", type=float, default=0.02)
    a = p.parse_args()
    docs = [json.loads(l) for l in open(a.corpus, encoding="utf-8") if l.strip()]
    rng = random.Random(42)
    print(f"| copies | documents | MB | seconds | pairs | s per MB |")
    print(f"|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for f in a.factors:
            path = os.path.join(tmp, f"x{f}.jsonl")
            with open(path, "w", encoding="utf-8") as out:
                for c in range(f):
                    for d in docs:
                        d2 = dict(d)
                        if c:
                            d2["id"] = f"copy{c}-{d['id']}"
                            d2["text"] = edit(d["text"], rng, a.rate)
                        out.write(json.dumps(d2, ensure_ascii=False) + "\n")
            mb = os.path.getsize(path) / 1e6
            pairs = os.path.join(tmp, "pairs.jsonl")
            t = time.perf_counter()
            subprocess.run([a.dechaff, "overlap", path, "-o", pairs, "-q", "-j", a.threads], check=True)
            took = time.perf_counter() - t
            n = sum(1 for _ in open(pairs))
            print(f"| {f} | {len(docs) * f} | {mb:.1f} | {took:.2f} | {n} | {took / mb:.3f} |", flush=True)
            os.remove(path)


if __name__ == "__main__":
    main()
