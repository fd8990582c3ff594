"""`ringfence export audit-packet LOG DIR`: bundle a run's evidence for auditors."""
from __future__ import annotations

import argparse

HELP = """\
Export evidence. `audit-packet` writes an Audit Packet v0 directory:
  packet.json     run, policy hashes, verdict totals, verifier verdict, posture, artifacts
  evidence.jsonl  the flight-recorder receipt chain, byte for byte
  verifier.txt    output of `ringfence verify` on evidence.jsonl
  summary.md      a human-readable summary

LOG... are evidence .jsonl files and/or receipts directories; every run (recorder
session) in them is included, or only those overlapping --since/--until, or one --session.
One run: evidence.jsonl is its log byte for byte. Several: evidence/ holds every run's
files byte for byte. summary.md lists each run with its verification result (a failing
run gets a "Verification FAILED" section naming the run, the reason and the seq), the
blocks by rule with their (redacted) targets, and the enforcement mode taken from the
receipts' session_open (or --mode). With --key or --roster the verifier verdict is
`valid` (trusted); without, a consistent log is only `self_consistent_only`.

exit codes: 0 written and the evidence is valid, 1 written but the evidence is invalid,
2 usage error (nothing written)
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export evidence (audit packet)", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_subparsers(dest="what", metavar="WHAT")
    a = what.add_parser("audit-packet", help="write an Audit Packet v0 directory", description=HELP,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("log", metavar="LOG", nargs="+", help="evidence .jsonl files or receipts directories")
    a.add_argument("out", metavar="DIR", help="output directory (created; must be empty)")
    a.add_argument("--since", metavar="TIME", help="only runs with receipts at or after TIME (2026-01-01T00:00:00Z)")
    a.add_argument("--until", metavar="TIME", help="only runs with receipts at or before TIME")
    a.add_argument("--roster", metavar="FILE", help="trust the keys in this roster (instead of --key)")
    a.add_argument("--key", metavar="HEX|FILE", help="pin the signer's public key")
    a.add_argument("--session", help="which run, when LOG is a directory with several")
    a.add_argument("--mode", default=None, help="enforcement mode to record when the receipts do not say "
                   "(default: from session_open receipts, else unknown)")
    a.set_defaults(func=run)
    p.set_defaults(func=_need_what)


def _need_what(args) -> int:
    from ..cli import UsageError
    raise UsageError("export: say what to export, e.g. `ringfence export audit-packet LOG DIR`")


def run(args) -> int:
    from ..cli import UsageError
    from ..receipts.audit import export_audit_packet
    from ..receipts.errors import ReceiptError
    try:
        packet = export_audit_packet(args.log, args.out, key=args.key, session=args.session,
                                     enforcement_mode=args.mode, since=args.since, until=args.until,
                                     roster=args.roster)
    except ReceiptError as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"export failed: {e.strerror or e}") from None
    v = packet["verifier"]
    print(f"audit packet written to {args.out}: {packet['summary']['receipt_count']} receipts, "
          f"verifier verdict {v['verdict']}")
    if v["verdict"] == "invalid":
        print(f"verification FAILED: {v.get('error', '')} (see {args.out}/summary.md)")
    return 0 if v["verdict"] in ("valid", "self_consistent_only") else 1
