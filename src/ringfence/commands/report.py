"""`ringfence report`: one self-contained HTML report from evidence logs, verified while read."""
from __future__ import annotations

import argparse

HELP = """\
Read one or many evidence logs (directories or evidence-*.jsonl files), verify them while
reading (signatures, chain links, rotation links, seals; --key or --roster pins the
signers) and write one self-contained HTML file: verification status up front, evidence
gaps, decisions over time, blocks by scanner and rule, top destinations / tools / MCP
servers, per-session timelines, a searchable table of blocks (target, rule, redacted
excerpt, receipt id) and rug-pull diffs side by side. No network: charts are inline SVG.

Memory stays bounded: counters are exact; the block table keeps the first 5000 rows and
rug-pulls the first 200. Files are verified in parallel (--jobs).

Every receipt is authenticated: a receipt covered by a signed checkpoint through that
checkpoint (its Ed25519 signature covers the hash chain, which covers each receipt's exact
bytes), the rest by their own signatures. --every-signature checks each receipt's own
signature too, as `ringfence verify` does (slower: about 40 us per receipt).

exit codes: 0 report written and every log valid and sealed, 1 written but some log is
invalid or its end is not proven, 2 usage error (nothing written)

examples:
  ringfence report receipts/ -o report.html --key ~/.ringfence/receipt.pub
  ringfence report receipts/ other/evidence-proxy-...-0.jsonl -o r.html --json r.json --roster roster.yaml
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write an HTML report of evidence logs (verified while read)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="DIR|FILE", help="receipts directories or evidence .jsonl files")
    p.add_argument("-o", "--out", required=True, metavar="report.html", help="HTML file to write")
    p.add_argument("--json", metavar="FILE", help="also write the same data as JSON")
    p.add_argument("--key", metavar="HEX|FILE", help="pin the signer's public key")
    p.add_argument("--roster", metavar="FILE", help="trust the keys in this roster, each within its window")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: up to 4, one per CPU)")
    p.add_argument("--every-signature", action="store_true", help="also check every receipt's own signature")
    p.set_defaults(func=run)


def run(args) -> int:
    import json
    import os
    import time

    from ..cli import UsageError
    from ..receipts.canonical import format_time_ns
    from ..receipts.errors import ReceiptError
    from ..receipts.report_html import render
    from ..receipts.scan import scan
    if args.key and args.roster:
        raise UsageError("give --key or --roster, not both")
    try:
        data = scan(args.paths, key=args.key, roster=args.roster, jobs=max(0, args.jobs),
                    every_signature=args.every_signature)
    except FileNotFoundError as e:
        raise UsageError(f"no such file or directory: {e}") from None
    except ReceiptError as e:
        raise UsageError(str(e)) from None
    if not data["logs"]:
        raise UsageError(f"no evidence-<session>-<seq>.jsonl logs in {', '.join(args.paths)}")
    now = format_time_ns(time.time_ns())
    text = render(data, args.paths, now)
    tmp = f"{args.out}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.out)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump({"generated_at": now, "inputs": args.paths, **data}, f, ensure_ascii=False)
                f.write("\n")
    except OSError as e:
        raise UsageError(f"cannot write report: {e.strerror or e}") from None
    d = data["digest"]
    status = "VALID AND SEALED" if data["valid"] and data["sealed"] else ("VALID, END NOT PROVEN" if data["valid"]
                                                                         else "INVALID")
    print(f"{args.out}: {status}; {len(data['logs'])} log(s), {d['decisions']} decisions, {d['blocks']} blocks, "
          f"{len(data['gaps'])} gap kind(s)")
    return 0 if data["valid"] and data["sealed"] else 1
