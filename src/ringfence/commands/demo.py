"""`ringfence demo`: check one dirty and one clean URL, no server, no network."""
from __future__ import annotations

import argparse

DIRTY = "https://example.com/upload?note=hi&key=AKIAIOSFODNN7EXAMPLE"
CLEAN = "https://docs.python.org/3/library/json.html?highlight=dumps"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="check a dirty and a clean URL (no server, no DNS)",
                       description="Run the URL pipeline on one URL carrying an AWS key and one clean URL.")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..engine import Engine
    from .check import _print_human
    engine = Engine()
    ok = True
    for label, url, want in (("dirty", DIRTY, "block"), ("clean", CLEAN, "allow")):
        d, _ = engine.check_url(url, resolve=False)
        print(f"{label}: {url}")
        _print_human(d)
        print()
        ok &= d.verdict == want
    print("demo: as expected" if ok else "demo: UNEXPECTED verdicts")
    return 0 if ok else 1
