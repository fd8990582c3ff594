"""`ringfence bench aeb` (agent-egress-bench) and `ringfence bench perf`."""
from __future__ import annotations

import argparse
import json
import sys

HELP_AEB = """\
Run agent-egress-bench cases and score them (Gauntlet scoring, full-corpus and applicable views).

tiers:
  live    (default) every case goes LIVE through the transport it names: /fetch, the forward
          proxy (CONNECT + TLS interception against a local TLS server), MCP stdio and HTTP,
          A2A, WebSocket (raw frames). Everything runs offline on 127.0.0.1; the proxy's
          --resolve mapping keeps each case's original hostname for policy.
  static  each case's content straight through the scanning engine (no sockets): fast, for CI

outputs:
  --out FILE      one result line per case (JSONL, 8 fields)           (default: stdout)
  --summary FILE  summary JSON with containment, false-positive rate, detection, evidence
  stderr          progress, a table by category, and the summary line:
                  results: N passed, N failed, N not_applicable, N errors (N total)

exit codes: 0 ran (whatever the score), 2 usage error; --fail-under / --baseline make it 1

example:
  ringfence bench aeb --cases ../shared/aeb/cases --out results.jsonl --summary summary.json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="agent-egress-bench runner and performance benchmarks")
    bsub = p.add_subparsers(dest="bench_command", metavar="WHAT")
    a = bsub.add_parser("aeb", help="run agent-egress-bench cases", description=HELP_AEB,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--cases", required=True, metavar="DIR", help="directory of case JSON files")
    a.add_argument("--ids", metavar="FILE", help="file of case ids (one per line) to run; default: all")
    a.add_argument("--out", metavar="FILE", help="result JSONL (default: standard output)")
    a.add_argument("--summary", metavar="FILE", help="write the summary JSON here")
    a.add_argument("--tier", choices=["live", "static"], default="live")
    a.add_argument("--timeout", type=float, default=10.0, help="per-case timeout in seconds (default 10)")
    a.add_argument("--baseline", metavar="FILE",
                   help="fail (exit 1) if containment drops or false positives rise against this summary JSON")
    a.add_argument("--no-progress", action="store_true", help="no progress bar")
    a.set_defaults(func=run_aeb)
    pf = bsub.add_parser("perf", help="run every benchmark and write one JSON with all figures",
                         description="Runs benchmarks/*.py (scanning, receipts, proxy, MCP) and the machine's "
                                     "yardsticks (SHA-256 MB/s, direct loopback requests/s) in the same run.")
    pf.add_argument("--out", metavar="FILE", default="perf.json", help="output JSON (default perf.json)")
    pf.add_argument("--quick", action="store_true", help="shorter runs (less precise)")
    pf.set_defaults(func=run_perf)
    from .bench_gen import register as register_generated
    register_generated(bsub)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


class Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.n = total, 0
        self.enabled = enabled and sys.stderr.isatty()

    def step(self, label: str) -> None:
        self.n += 1
        if self.enabled:
            w = 30
            done = int(w * self.n / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * done}{'.' * (w - done)}] {self.n}/{self.total} {label[:40]:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def run_aeb(args) -> int:
    from ..bench import cases as C
    from ..cli import UsageError

    ids = None
    if args.ids:
        try:
            ids = {ln.strip() for ln in open(args.ids, encoding="utf-8") if ln.strip() and not ln.startswith("#")}
        except OSError as e:
            raise UsageError(f"cannot read --ids file: {e.strerror or e}") from None
    try:
        cases, bad = C.load_cases(args.cases, ids)
    except C.CaseError as e:
        raise UsageError(str(e)) from None
    for path, err in bad:
        print(f"warning: skipping invalid case file {path}: {err}", file=sys.stderr)
    if not cases:
        raise UsageError(f"no cases found under {args.cases}")
    profile = C.tool_profile()
    progress = Progress(len(cases), not args.no_progress)
    if args.tier == "static":
        from ..bench.static import actual_verdict, evaluate, evidence_of, fresh, make_engine
        engine = make_engine()
        results = []
        for case in cases:
            reason = C.not_applicable_reason(case, profile)
            if reason:
                results.append(C.result_line(case, profile, "not_applicable", {}, f"not applicable: {reason}"))
            else:
                try:
                    d = evaluate(case, fresh(engine))
                    actual = actual_verdict(d)
                    results.append(C.result_line(case, profile, actual, {**evidence_of(d), "tier": "static"},
                                                 C.SCAN_ERROR_NOTE if actual == "error" else ""))
                except Exception as e:  # a runner failure is an error, never a verdict
                    results.append(C.result_line(case, profile, "error", {"error_message": str(e)[:200]},
                                                 "runner error"))
            progress.step(case.id)
    else:
        from ..bench.live import run_live
        results = run_live(cases, profile, timeout=args.timeout, progress=progress)
    progress.close()
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for r in results:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    summ = C.summary(results, cases, profile, args.cases, args.tier)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            json.dump(summ, f, indent=2)
    print(C.category_table(results, cases), file=sys.stderr)
    full = summ["scores"]["full"]
    print(f"containment {full['containment']}  false-positive rate {full['false_positive_rate']}  "
          f"detection {full['detection']}  evidence {full['evidence']}  (full-corpus view, {args.tier} tier)",
          file=sys.stderr)
    print(C.summary_line(results), file=sys.stderr)
    if args.baseline:
        return _gate(summ, args.baseline)
    return 0


def _gate(summ: dict, path: str) -> int:
    from ..cli import UsageError
    try:
        base = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read baseline {path}: {e}") from None
    now, then = summ["scores"]["full"], base["scores"]["full"]
    problems = []
    if (now["containment"] or 0) < (then["containment"] or 0):
        problems.append(f"containment dropped: {then['containment']} -> {now['containment']}")
    if (now["false_positive_rate"] or 0) > (then["false_positive_rate"] or 0):
        problems.append(f"false positives rose: {then['false_positive_rate']} -> {now['false_positive_rate']}")
    for p in problems:
        print(f"REGRESSION: {p}", file=sys.stderr)
    return 1 if problems else 0


def run_perf(args) -> int:
    from ..bench.perf import run_all
    return run_all(args.out, quick=args.quick)
