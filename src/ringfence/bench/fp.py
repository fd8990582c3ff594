"""`ringfence bench fp`: false positives on real benign corpora (issue 10, deliverable 2).

Text nobody wrote to pass ringfence, from packages installed on this machine by Debian,
PyPI and npm (the benchmark can install more with --install):

  debian_html   HTML documentation under /usr/share/doc
  man_pages     man pages under /usr/share/man (roff, gzipped), rendered to plain text
  pypi_docs     README/long descriptions (METADATA) and .md/.rst docs of installed Python packages
  npm_readmes   README.md of npm packages (tests/node/node_modules)
  urls          every http(s) URL found in those pages (outbound through the URL pipeline)
  bodies        JSON/YAML files shipped by the packages (package.json, fixtures, schemas), sent as
                request bodies (outbound DLP)

Inbound: every page through the injection scanner as a fetched response. Outbound: every
URL through check_url (no DNS: a public test address), every body through scan_body.
Reports blocks per 10,000 items per corpus, the rules that fired, and samples for review.
"""
from __future__ import annotations

import gzip
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

from .tally import Tally, table as tally_table, totals

MAX_PAGE = 512 * 1024
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s<>\"'`)\]}\\]*)?")
_ROFF = re.compile(r"^\.\s*[A-Za-z]{1,3}\b ?|\\f[BIRP]|\\\(..|\\[-&e]|\\\*\(..|\\\*.")
ROOT = Path(__file__).resolve().parents[3]


def _site_packages() -> list[Path]:
    return [Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]


def _node_modules() -> list[Path]:
    out = []
    for base in (ROOT / "tests" / "node" / "node_modules", Path.cwd() / "node_modules"):
        if base.is_dir():
            out.append(base.resolve())
    return out


def _read(p: Path, limit: int = MAX_PAGE) -> str | None:
    try:
        data = p.read_bytes()[: limit * 4]
        if p.suffix == ".gz":
            data = gzip.decompress(data)[:limit]
        return data[:limit].decode("utf-8", "replace")
    except (OSError, EOFError, gzip.BadGzipFile, ValueError):
        return None


def _roff_text(src: str) -> str:
    lines = []
    for line in src.splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        lines.append(_ROFF.sub("", line))
    return "\n".join(lines)


def pages(rnd: random.Random, limit: int) -> dict[str, list[tuple[str, str]]]:
    """corpus -> [(name, text)], at most `limit` pages each (a fixed-seed sample)."""
    found: dict[str, list[Path]] = {"debian_html": [], "man_pages": [], "pypi_docs": [], "npm_readmes": []}
    doc = Path("/usr/share/doc")
    if doc.is_dir():
        found["debian_html"] = sorted(p for p in doc.rglob("*.htm*") if p.is_file())
    man = Path("/usr/share/man")
    if man.is_dir():
        # English pages (the translated ones are sampled too, but the bulk is English)
        found["man_pages"] = sorted(p for p in man.glob("man[1-8]/*.gz"))
    for sp in _site_packages():
        # ringfence's own README quotes attacks on purpose: it is not text nobody tuned for
        found["pypi_docs"] += sorted(p for p in sp.glob("*.dist-info/METADATA") if not p.parent.name.startswith(
            "ringfence"))
        found["pypi_docs"] += sorted(p for p in sp.rglob("*.md") if p.is_file())
        found["pypi_docs"] += sorted(p for p in sp.rglob("*.rst") if p.is_file())
    for nm in _node_modules():
        found["npm_readmes"] += sorted(p for p in nm.rglob("*") if p.name.lower() in ("readme.md", "readme")
                                       and p.is_file())
    out: dict[str, list[tuple[str, str]]] = {}
    for corpus, paths in found.items():
        if len(paths) > limit:
            paths = sorted(rnd.sample(paths, limit))
        items = []
        for p in paths:
            t = _read(p)
            if t is None or not t.strip():
                continue
            if corpus == "man_pages":
                t = _roff_text(t)
            items.append((str(p), t))
        out[corpus] = items
    return out


def bodies(rnd: random.Random, limit: int) -> list[tuple[str, str, str]]:
    """(name, content type, body) from JSON/YAML files the installed packages ship."""
    paths: list[Path] = []
    for base in _site_packages() + _node_modules():
        for ext in ("*.json", "*.yaml", "*.yml"):
            paths += [p for p in base.rglob(ext) if p.is_file()]
    paths = sorted(set(paths))
    if len(paths) > limit:
        paths = sorted(rnd.sample(paths, limit))
    out = []
    for p in paths:
        t = _read(p, 256 * 1024)
        if not t or not t.strip():
            continue
        ct = "application/json" if p.suffix == ".json" else "application/yaml"
        out.append((str(p), ct, t))
    return out


def urls_of(page_sets: dict[str, list[tuple[str, str]]], limit: int, rnd: random.Random) -> list[str]:
    seen: set[str] = set()
    for items in page_sets.values():
        for _, t in items:
            for m in _URL.finditer(t):
                u = m.group(0).rstrip(".,;:!?")
                if len(u) < 2048:
                    seen.add(u)
    urls = sorted(seen)
    return sorted(rnd.sample(urls, limit)) if len(urls) > limit else urls


def _ctype(name: str, text: str) -> str:
    if name.endswith((".html", ".htm")) or text.lstrip()[:1] == "<":
        return "text/html"
    return "text/markdown"


def run(engine: Any = None, *, limit: int = 2000, seed: int = 0, samples: int = 10) -> dict:
    from .static import make_engine
    engine = engine or make_engine()
    rnd = random.Random(seed)
    t0 = time.time()
    page_sets = pages(rnd, limit)
    report: dict[str, Any] = {"seed": seed, "limit_per_corpus": limit, "corpora": {}}

    def record(corpus: str, name: str, d: Any, t: Tally) -> None:
        t.item()
        if d.verdict in ("block", "strip"):
            rule = f"{d.top.scanner}:{d.top.rule}" if d.top is not None else "?"
            if corpus == "urls" and d.top is not None and d.top.scanner == "ssrf":
                t.policy([rule])   # a docs URL to localhost or a private address: SSRF by design
                return
            t.block([rule], {"item": name[-160:], "rule": rule,
                             "excerpt": (d.top.excerpt if d.top is not None else "")[:120]})

    tallies: dict[str, Tally] = {}
    for corpus, items in page_sets.items():
        t = tallies.setdefault(corpus, Tally(samples))
        for name, text in items:
            record(corpus, name, engine.scan_response(text.encode("utf-8"), _ctype(name, text), "", "docs.example"), t)
    t = tallies.setdefault("urls", Tally(samples))
    for u in urls_of(page_sets, limit * 2, rnd):
        d, _ = engine.check_url(u, "GET")
        record("urls", u, d, t)
    t = tallies.setdefault("bodies", Tally(samples))
    for name, ct, body in bodies(rnd, limit):
        record("bodies", name, engine.scan_body(body.encode("utf-8"), ct, "", "outbound", "api.example.com"), t)
    for corpus, t in tallies.items():
        report["corpora"][corpus] = t.report("worst_rules", "blocked_by_policy_not_counted", 8)
    report["total"] = totals(report["corpora"], target_per_10k=10.0)
    report["seconds"] = round(time.time() - t0, 1)
    return report


def table(rep: dict) -> str:
    return tally_table(rep, "worst_rules", 3, 14, f"(target <= {rep['total']['target_per_10k']} per 10k)")


DEBIAN_DOCS = ("python3-doc", "debian-reference-en", "developers-reference")


def install(packages: Iterator[str] | tuple[str, ...] = DEBIAN_DOCS) -> str:
    """apt-get install documentation packages (root only); returns what happened."""
    try:
        r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
                           capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"apt-get failed: {e}"
    return "installed" if r.returncode == 0 else f"apt-get exit {r.returncode}: {r.stderr.strip()[-200:]}"
