"""`ringfence report` and `ringfence verify` on large signed logs. Prints JSON.

    .venv/bin/python benchmarks/bench_report.py [--sizes 10000,100000,1000000] [--workdir /tmp/rf-bench]

For each size: write a signed evidence log with the real ReceiptWriter (libsodium signer when
present; 1 block in 10, session receipts, intents and outcomes), then time `ringfence report`
(wall seconds, peak RSS of the parent and of the largest worker), and time `ringfence verify`
with --key and with --roster (receipts/s). Logs are cached in --workdir between runs.
Yardstick: 1 million receipts reported in under 60 s.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

PY = sys.executable


def generate(d: str, n: int) -> str:
    from ringfence.core import Action, Decision, Finding
    from ringfence.receipts.keys import load_private_key, write_keypair
    from ringfence.receipts.writer import ReceiptWriter
    done = os.path.join(d, "DONE")
    if os.path.exists(done):
        return d
    os.makedirs(d, exist_ok=True)
    key = os.path.join(d, "k.key")
    if not os.path.exists(key):
        write_keypair(key)
    w = ReceiptWriter(os.path.join(d, "r"), load_private_key(key), policy_hash="sha256:bench", session_id="bench",
                      checkpoint_every_ms=0, intent_durability="batch")
    w.open_session("run", ruleset_hash="sha256:bench", version="bench", heartbeat_s=3600)
    f = Finding("dlp", "aws_access_key_id", "critical", "AKIA***LE", "url.query", "block")
    acts = [Action("forward", "outbound", f"https://host{i}.example.com/p/{i}", "GET") for i in range(50)]
    blk, allow = Decision("block", (f,), "dlp"), Decision("allow")
    i = 0
    while w.count < n - 1:
        a = acts[i % 50]
        if i % 10 == 0:
            w.record(a, blk)
        elif i % 10 == 5:
            w.record_outcome(w.record_intent(a, allow), "status=200")
        else:
            w.record(a, allow)
        i += 1
    w.close()
    with open(os.path.join(d, "k.pub")) as fh:
        pub = fh.read()
    import base64
    raw = base64.b64decode(pub.split()[1]).hex()
    with open(os.path.join(d, "roster.json"), "w") as fh:
        json.dump({"version": 1, "keys": [{"name": "bench", "public_key": raw, "valid_from": "2000-01-01T00:00:00Z"}]},
                  fh)
    open(done, "w").close()
    return d


def timed(cmd: list[str]) -> dict:
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t
    return {"seconds": round(secs, 2), "exit": p.returncode, "out": p.stdout.strip()[-200:]}


def rss_of(cmd: list[str]) -> dict:
    """Run cmd under a fresh Python that reports its children's peak RSS."""
    code = ("import resource,subprocess,sys,time,json;t=time.perf_counter();"
            "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
            "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(json.dumps({'seconds':round(time.perf_counter()-t,2),'exit':p.returncode,"
            "'cpu_seconds':round(u.ru_utime+u.ru_stime,2),"
            "'peak_rss_mb_largest_process':round(u.ru_maxrss/1024,1),"
            "'out':p.stdout.strip()[-200:]}))")
    p = subprocess.run([PY, "-c", code, *cmd], capture_output=True, text=True)
    return json.loads(p.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--workdir", default="/tmp/rf-bench-report")
    ap.add_argument("--verify-max", type=int, default=100000, help="run the strict verifier up to this size")
    a = ap.parse_args()
    out = {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0], "yardstick_seconds_for_1m": 60,
           "runs": []}
    for n in [int(x) for x in a.sizes.split(",")]:
        d = os.path.join(a.workdir, str(n))
        t = time.perf_counter()
        generate(d, n)
        gen = round(time.perf_counter() - t, 1)
        r = os.path.join(d, "r")
        run = {"receipts": n, "generate_seconds": gen}
        rep = rss_of([PY, "-m", "ringfence", "report", r, "-o", os.path.join(d, "report.html"), "--key",
                      os.path.join(d, "k.pub")])
        run["report"] = rep
        run["report"]["receipts_per_s"] = round(n / rep["seconds"])
        run["report"]["receipts_per_cpu_s"] = round(n / max(rep["cpu_seconds"], 1e-9))
        if n <= a.verify_max:
            ev = rss_of([PY, "-m", "ringfence", "report", r, "-o", os.path.join(d, "report3.html"), "--key",
                         os.path.join(d, "k.pub"), "--every-signature"])
            ev["receipts_per_s"] = round(n / ev["seconds"])
            run["report_every_signature"] = ev
        rr = rss_of([PY, "-m", "ringfence", "report", r, "-o", os.path.join(d, "report2.html"), "--roster",
                     os.path.join(d, "roster.json")])
        rr["receipts_per_s"] = round(n / rr["seconds"])
        run["report_with_roster"] = rr
        if n <= a.verify_max:
            for label, extra in (("verify_key", ["--key", os.path.join(d, "k.pub")]),
                                 ("verify_roster", ["--roster", os.path.join(d, "roster.json")])):
                v = timed([PY, "-m", "ringfence", "verify", r, *extra])
                v["receipts_per_s"] = round(n / v["seconds"])
                run[label] = v
        out["runs"].append(run)
        print(json.dumps(run), file=sys.stderr, flush=True)
    out["meets_yardstick"] = all(r["report"]["seconds"] < 60 for r in out["runs"] if r["receipts"] >= 1_000_000)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
