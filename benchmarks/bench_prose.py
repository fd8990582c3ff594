"""Benign instructional prose: injection blocks per 10,000 paragraphs.

Paragraphs nobody wrote for ringfence, from what is installed on this machine: HTML docs
(/usr/share/doc), man pages, READMEs and docs of installed Python packages and of npm
packages (tests/node/node_modules), and the docstrings of Python's standard library. Only
instructional paragraphs are kept (second person, "please", or an imperative opening), since
they are what a rule about instructions to an agent could mistake: install steps that mention
tokens, "send the report to ...", "set GITHUB_TOKEN in your environment".

    python benchmarks/bench_prose.py [--limit N] [--json FILE] [--show K]

Prints paragraphs scanned, blocked, blocks per 10k, and the rules that fired.
"""
from __future__ import annotations

import argparse
import html
import importlib
import json
import pkgutil
import random
import re
import sys
from collections import Counter

_TAG = re.compile(r"<[^<>]{0,2000}>")
_INSTRUCTIONAL = re.compile(
    r"\b(?:you|your|please|kindly)\b|(?:^|[.!?]\s+)(?:Set|Send|Add|Include|Pass|Use|Run|Copy|Put|Open|Read|Email|"
    r"Export|Install|Configure|Create|Enter|Paste|Upload|Post|Share|Provide|Make|Check|Store|Save|Keep|Do|Don't|Never|"
    r"Always|Remember|Note|Make sure|Ensure|Forward|Submit|Attach)\b")


def _paragraphs(text: str) -> list[str]:
    if "<" in text and ">" in text:
        text = html.unescape(_TAG.sub(" ", text))
    out = []
    for p in re.split(r"\n\s*\n", text):
        p = " ".join(p.split())
        if 40 <= len(p) <= 4000 and _INSTRUCTIONAL.search(p):
            out.append(p)
    return out


def _stdlib_docstrings() -> list[tuple[str, str]]:
    out = []
    names = sorted(m.name for m in pkgutil.iter_modules() if m.module_finder.path.startswith(sys.base_prefix)
                   and not m.name.startswith(("_", "test", "idlelib", "tkinter", "turtle", "antigravity", "this")))
    for name in names:
        try:
            mod = importlib.import_module(name)
        except Exception:
            continue
        docs = [getattr(mod, "__doc__", None)]
        for attr in list(vars(mod).values())[:400]:
            if callable(attr) and getattr(attr, "__module__", None) == name:
                docs.append(getattr(attr, "__doc__", None))
        out += [(f"py:{name}", d) for d in docs if isinstance(d, str)]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=4000, help="pages per corpus (fixed-seed sample)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json")
    ap.add_argument("--show", type=int, default=10, help="blocked paragraphs to print")
    args = ap.parse_args(argv)
    from ringfence.bench.fp import pages
    from ringfence.config import Config
    from ringfence.scanners.injection import InjectionScanner

    rnd = random.Random(args.seed)
    sets = pages(rnd, args.limit)
    sets["python_docstrings"] = _stdlib_docstrings()
    scanner = InjectionScanner(Config())
    report: dict = {"corpora": {}}
    total = blocked = 0
    for corpus, items in sets.items():
        n = b = 0
        rules: Counter = Counter()
        samples = []
        for name, text in items:
            for para in _paragraphs(text):
                n += 1
                fired = [f for f in scanner.scan(para, name) if f.action in ("block", "strip")]
                if fired:
                    b += 1
                    rules.update(f"{f.scanner}:{f.rule}" for f in fired)
                    samples.append({"source": name, "rules": sorted({f.rule for f in fired}), "text": para[:400]})
        total += n
        blocked += b
        report["corpora"][corpus] = {"paragraphs": n, "blocked": b, "per_10k": round(1e4 * b / max(n, 1), 1),
                                     "rules": dict(rules.most_common()), "samples": samples[:50]}
        print(f"{corpus:18s} {n:7d} {b:6d} {1e4 * b / max(n, 1):8.1f}  {dict(rules.most_common(4))}")
        for s in samples[:args.show]:
            print("    ", s["rules"], s["text"][:200])
    report["total"] = {"paragraphs": total, "blocked": blocked, "per_10k": round(1e4 * blocked / max(total, 1), 1)}
    print(f"{'total':18s} {total:7d} {blocked:6d} {1e4 * blocked / max(total, 1):8.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
