#!/usr/bin/env python3
"""Build examples/news.jsonl from the example corpus folder examples/news/.

Every examples/news/<outlet>/<slug>.txt becomes one JSON line, sorted by path:

    {"id": "<outlet>/<slug>.txt", "text": <file contents>, "source": "<outlet>", "date": "2026-MM-DD"}

The date is the first date written on the page (the article's dateline), in any of the forms
the example outlets use: "2026-03-11", "11 March 2026", "March 10, 2026".

Usage (from the repository root):

    scripts/make_example_jsonl.py            # (re)write examples/news.jsonl
    scripts/make_example_jsonl.py --check    # exit 1 if examples/news.jsonl is out of date
"""
import argparse
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
MONTH = "(" + "|".join(MONTHS) + ")"
DATE_RES = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: (m[1], m[2], m[3])),
    (re.compile(r"\b(\d{1,2}) " + MONTH + r" (\d{4})\b", re.I),
     lambda m: (m[3], MONTHS.index(m[2].lower()) + 1, m[1])),
    (re.compile(r"\b" + MONTH + r" (\d{1,2}), (\d{4})\b", re.I),
     lambda m: (m[3], MONTHS.index(m[1].lower()) + 1, m[2])),
]


def page_date(text):
    """The earliest date written in text, as YYYY-MM-DD, or None."""
    best = None
    for rx, parts in DATE_RES:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            y, mo, d = parts(m)
            best = (m.start(), f"{int(y):04d}-{int(mo):02d}-{int(d):02d}")
    return best[1] if best else None


def build(root):
    lines = []
    for outlet in sorted(os.listdir(root)):
        folder = os.path.join(root, outlet)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text = f.read()
            date = page_date(text)
            if date is None:
                sys.exit(f"make_example_jsonl: no date found in {outlet}/{name}")
            rec = {"id": f"{outlet}/{name}", "text": text, "source": outlet, "date": date}
            lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
    return "".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=os.path.join(REPO, "examples", "news"),
                   help="the example corpus folder (default examples/news)")
    p.add_argument("--out", default=os.path.join(REPO, "examples", "news.jsonl"),
                   help="where to write the JSON Lines (default examples/news.jsonl)")
    p.add_argument("--check", action="store_true",
                   help="do not write; exit 1 if --out differs from what would be written")
    args = p.parse_args()
    data = build(args.root)
    if args.check:
        try:
            current = open(args.out, encoding="utf-8").read()
        except OSError:
            current = None
        if current != data:
            print(f"{args.out} is out of date: run scripts/make_example_jsonl.py", file=sys.stderr)
            sys.exit(1)
        return
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(data)
    print(f"{args.out}: {data.count(chr(10))} documents", file=sys.stderr)


if __name__ == "__main__":
    main()
