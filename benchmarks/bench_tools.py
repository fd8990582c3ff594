"""Benchmark the MCP tool scanners; prints one JSON object.

  tools/list: scan 500 realistic tools (fresh session: poisoning + baseline),
              and a re-list of the same 500 (drift check path);
  tools/call: p50/p99 of scan_tool_call over a mix of realistic calls (DLP,
              injection, policy with shell de-obfuscation, chains);
  yardstick:  SHA-256 over the same bytes, to compare across machines.

Usage: python benchmarks/bench_tools.py [--tools 500] [--rounds 7] [--calls 2000]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import time

VERBS = ["get", "list", "create", "update", "delete", "search", "read", "write", "run", "fetch", "send", "sync"]
NOUNS = ["file", "issue", "pull_request", "message", "channel", "page", "record", "user", "repo", "branch",
         "event", "ticket", "document", "table", "query", "invoice", "task", "comment", "label", "release"]
SENTENCES = [
    "Returns the matching items as JSON with pagination metadata.",
    "Requires the caller to have write access to the target resource.",
    "Important: results are cached for up to five minutes.",
    "Use the cursor from a previous response to fetch the next page.",
    "The system timezone is used when no timezone is given.",
    "Fails with a clear error when the resource does not exist.",
    "Supports filtering by status, owner and creation date.",
    "Large payloads are truncated to 1 MB; use the download tool for full content.",
]


def make_tools(n: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    tools = []
    for i in range(n):
        verb, noun = rnd.choice(VERBS), rnd.choice(NOUNS)
        props: dict = {}
        for j in range(rnd.randint(2, 8)):
            pname = rnd.choice(["id", "name", "path", "owner", "repo", "query", "limit", "cursor", "body",
                                "title", "labels", "status", "since", "until", "format", "recursive"]) + (f"_{j}" if j else "")
            kind = rnd.choice(["string", "integer", "boolean", "array", "object"])
            p: dict = {"type": kind, "description": rnd.choice(SENTENCES)}
            if kind == "array":
                p["items"] = {"type": "string", "description": "One value."}
            if kind == "object":
                p["properties"] = {"key": {"type": "string"}, "value": {"type": "string", "default": "x"}}
            if kind == "string" and rnd.random() < 0.3:
                p["enum"] = ["asc", "desc", "relevance"]
            props[pname] = p
        tools.append({
            "name": f"{verb}_{noun}_{i}",
            "title": f"{verb.title()} {noun.replace('_', ' ')}",
            "description": " ".join(rnd.sample(SENTENCES, rnd.randint(2, 5))),
            "inputSchema": {"type": "object", "properties": props, "required": list(props)[:1]},
            "annotations": {"readOnlyHint": verb in ("get", "list", "search", "read")},
        })
    return tools


CALLS = [
    ("read_file", {"path": "/home/user/project/README.md"}),
    ("write_file", {"path": "/home/user/project/notes.md", "content": "# Notes\n" + "Some text about the project. " * 40}),
    ("run_command", {"command": "git status && python -m pytest -q tests/ | tail -n 20"}),
    ("bash", {"command": "a=rm; ${a} -rf $HOME/tmp/{x,y} ; echo $'\\x6c\\x73'"}),
    ("search_issues", {"query": "label:bug state:open", "limit": 20}),
    ("send_message", {"channel": "#dev", "text": "Build finished in 3m 12s; 2 flaky tests retried."}),
    ("fetch", {"url": "https://docs.python.org/3/library/json.html"}),
]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tools", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=2000)
    a = ap.parse_args()

    from ringfence.engine import Engine
    eng = Engine()
    ts = eng.tools
    tools = make_tools(a.tools)
    raw = json.dumps(tools).encode()

    ts.scan_tools_list(tools, ts.new_session())  # warm-up (lazy compiles)
    first, again = [], []
    for _ in range(a.rounds):
        s = ts.new_session()
        t = time.perf_counter()
        f1 = ts.scan_tools_list(tools, s)
        first.append(time.perf_counter() - t)
        t = time.perf_counter()
        ts.scan_tools_list(tools, s)
        again.append(time.perf_counter() - t)

    t = time.perf_counter()
    for _ in range(a.rounds):
        hashlib.sha256(raw).digest()
    sha = (time.perf_counter() - t) / a.rounds

    s = ts.new_session()
    lat = []
    for i in range(a.calls):
        name, args = CALLS[i % len(CALLS)]
        t = time.perf_counter()
        ts.scan_tool_call(name, args, s)
        lat.append((time.perf_counter() - t) * 1e6)

    med = statistics.median(first)
    print(json.dumps({
        "bench": "tools",
        "tools": a.tools,
        "tools_list_bytes": len(raw),
        "tools_list_first_ms_p50": round(med * 1000, 2),
        "tools_list_relist_ms_p50": round(statistics.median(again) * 1000, 2),
        "per_tool_us": round(med / a.tools * 1e6, 1),
        "tools_list_findings": len(f1),
        "tools_list_mb_per_s": round(len(raw) / med / 1e6, 2),
        "tool_call_us_p50": round(pct(lat, 50), 1),
        "tool_call_us_p99": round(pct(lat, 99), 1),
        "sha256_same_bytes_ms": round(sha * 1000, 3),
        "slowdown_vs_sha256": round(med / sha, 1) if sha else None,
    }))


if __name__ == "__main__":
    main()
