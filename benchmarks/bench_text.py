"""Throughput of the text layer and PatternSet, with SHA-256 as the yardstick.

    .venv/bin/python benchmarks/bench_text.py   -> prints one JSON object

"10KB"/"1MB": an HTML-ish body through fold, decode_layers, views, PatternSet.
"prose": random English prose (ascii), the same with ~1% accented words (accented),
Russian mixed with English (russian), Chinese (chinese): views("injection") MB/s, and
the engine-level inbound figure `Engine().scan_response(body, "text/html")` (p50 ms on
10 KB, MB/s on 1 MB), each next to SHA-256 over the same bytes.
"startup": Engine() construction, first (cold cache) and second in-process build.
"""
from __future__ import annotations

import hashlib
import json
import random
import statistics
import time

from ringfence.match import I, PatternSet
from ringfence.text.decode import decode_layers
from ringfence.text.normalize import fold
from ringfence.text.views import views

PATTERNS = [
    ("aws", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", 0), ("ghp", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", 0),
    ("sk", r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,200}", 0), ("slack", r"xox[abprs]-[0-9A-Za-z-]{10,200}", 0),
    ("pem", r"-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----", 0),
    ("ignore", r"ignore\s+(?:all\s+)?(?:previous|prior|above)\s+instructions", I),
    ("sysprompt", r"(?:reveal|print|show)\s+(?:your\s+)?system\s+prompt", I),
    ("you_are", r"\byou\s+are\s+now\b", I), ("pw", r"(?i:password|passwd)\s*[=:]\s*\S{6,64}", 0),
]


def body(n: int) -> str:
    base = ('<div class="post"><h2>Release notes</h2><p>We fixed a bug in the parser &amp; improved '
            '<a href="https://example.com/docs/intro?lang=en">the docs</a>. Thanks to everyone who '
            'reported issues, café owners included.</p></div>\n'
            'The quick brown fox jumps over the lazy dog while the server returns JSON data.\n')
    return (base * (1 + n // len(base)))[:n]


_WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at which "
          "but have an they you were her she there been one all we their has would when if so no will "
          "more about can out up what them into than only some could time these two may first then do "
          "any like my now over such our man me even most made after also did many before must through "
          "back years where much your way well down should because each just those people how").split()
_ACC = ["café", "naïve", "résumé", "façade", "über", "jalapeño", "crème", "señor", "élan", "coöperate"]
_RU = "привет мир это обычный текст о погоде и работе сегодня хорошая погода мы идём домой ещё".split()
_ZH = "这是一个普通的中文文本关于天气和工作今天天气很好我们回家吧，。"


def prose(n: int, kind: str, seed: int = 1) -> str:
    """About n UTF-8 bytes of random prose of one kind (see module docstring)."""
    r = random.Random(seed)
    out, size = [], 0
    while size < n:
        if kind == "accented" and r.random() < 0.01:
            w = r.choice(_ACC)
        elif kind == "russian" and r.random() < 0.7:
            w = r.choice(_RU)
        elif kind == "chinese" and r.random() < 0.8:
            k = r.randint(2, 12)
            i = r.randint(0, len(_ZH) - k)
            w = _ZH[i:i + k]
        else:
            w = r.choice(_WORDS)
        if r.random() < 0.07:
            w += "."
        out.append(w)
        size += len(w.encode()) + 1
    return " ".join(out).encode()[:n].decode("utf-8", "ignore")


def p50_ms(fn, reps: int = 200) -> float:
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return round(statistics.median(ts) * 1000, 4)


def rate(fn, data: str, nbytes: int, min_time: float = 0.3) -> dict:
    fn(data)
    reps, t0 = 0, time.perf_counter()
    while True:
        fn(data)
        reps += 1
        el = time.perf_counter() - t0
        if el >= min_time:
            break
    per = el / reps
    return {"ms": round(per * 1000, 4), "MBps": round(nbytes / per / 1e6, 1)}


def main() -> None:
    out: dict = {}
    sets = {"hyperscan": PatternSet(PATTERNS, engine="hyperscan"), "re2": PatternSet(PATTERNS, engine="re2")}
    for label, n in (("10KB", 10 * 1024), ("1MB", 1 << 20)):
        text = body(n)
        raw = text.encode()
        r: dict = {"sha256": rate(lambda s: hashlib.sha256(raw).digest(), text, len(raw))}
        r["fold"] = rate(fold, text, len(raw))
        r["decode_layers"] = rate(decode_layers, text, len(raw))
        r["views_injection"] = rate(lambda s: views(s, "injection"), text, len(raw))
        for e, ps in sets.items():
            r["scan_" + e] = rate(ps.scan, text, len(raw))
        r["inbound_views+scan_hyperscan"] = rate(
            lambda s: [sets["hyperscan"].scan(v.text) for v in views(s, "injection")], text, len(raw))
        sha = r["sha256"]["MBps"]
        r["ratio_to_sha256"] = {k: round(v["MBps"] / sha, 3) for k, v in r.items() if k != "sha256" and isinstance(v, dict) and "MBps" in v}
        out[label] = r
    out["prose"] = prose_figures()
    out["startup"] = startup()
    print(json.dumps(out, indent=1))


def prose_figures() -> dict:
    try:
        from ringfence.engine import Engine
        eng = Engine()
    except Exception as e:  # the engine is other people's work in progress
        eng = None
        err = f"{type(e).__name__}: {e}"
    res: dict = {}
    for kind in ("ascii", "accented", "russian", "chinese"):
        small, big = prose(10 * 1024, kind), prose(1 << 20, kind)
        sb, bb = small.encode(), big.encode()
        r: dict = {"sha256_1MB_MBps": rate(lambda s: hashlib.sha256(bb).digest(), big, len(bb))["MBps"],
                   "views_injection_1MB_MBps": rate(lambda s: views(s, "injection"), big, len(bb))["MBps"],
                   "views_injection_10KB_p50_ms": p50_ms(lambda: views(small, "injection"))}
        if eng is not None:
            # the same 10 KB each call: the verdict cache is emptied first, so this is a scan, not a hit
            r["engine_scan_response_10KB_p50_ms"] = p50_ms(
                lambda: (eng.verdicts.invalidate(), eng.scan_response(sb, "text/html")))
            r["verdict_cache"] = "miss (emptied before each 10 KB call; 1 MB bodies are never cached)"
            r["engine_scan_response_1MB_MBps"] = rate(lambda s: eng.scan_response(bb, "text/html"), big, len(bb))["MBps"]
        else:
            r["engine_error"] = err
        res[kind] = r
    return res


def startup() -> dict:
    import subprocess
    import sys
    code = ("import time;t=time.perf_counter();from ringfence.engine import Engine;Engine();"
            "print(time.perf_counter()-t)")
    out = {}
    for label in ("engine_first_s", "engine_second_s"):
        try:
            p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
            out[label] = round(float(p.stdout.strip().splitlines()[-1]), 3)
        except Exception as e:
            out[label] = f"error: {type(e).__name__}"
    return out


if __name__ == "__main__":
    main()
