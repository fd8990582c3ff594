"""`ringfence verify`: check receipts, evidence logs and log directories offline."""
from __future__ import annotations

import argparse

HELP = """\
Verify signed receipts offline: a single receipt (.json, pretty-printed allowed), a JSONL
log (flight-recorder entries or bare receipts), or a directory of evidence logs
(evidence-<session>-<seq>.jsonl, chained across rotation, ordered by seq).

Checks: Ed25519 signatures, chain_seq without gaps, chain_prev_hash links, one signer,
recorder entry hashes and links, signed checkpoints and the final transcript_root seal,
unique action ids, canonical bytes and timestamps, no unknown fields, no duplicate keys,
no trailing data, nesting <= 128.

exit codes:
  0  valid (and, for ringfence logs, sealed: the end of the run is proven)
  1  invalid: the first failing seq and the reason are printed. This includes a ringfence
     log whose end is not sealed (a crash, or a cut-off file): what is there still
     verifies and is reported (count, final seq, root hash), but more may have existed.
  2  usage error (bad flags, unreadable key, no such path)

A plain v1 chain written by another tool (no seal entries at all) cannot prove its end:
it verifies with exit 0 and the report says so. `--json` gives valid, sealed,
seal_expected and tail (why the end is not proven) so scripts can tell these apart.

Pin the signer with --key (64 hex, or a .pub / hex key file); without it the first
receipt's key is trusted for the whole chain.

examples:
  ringfence verify receipts/ --key ~/.ringfence/receipt.pub
  ringfence verify receipts/evidence-proxy-...-0.jsonl --json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="verify receipts and evidence logs offline", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", metavar="PATH", nargs="+",
                   help="receipt .json, evidence .jsonl, or a directory of logs; several PATHs: one chain "
                        "per instance, each verified on its own, then the totals")
    p.add_argument("--key", metavar="HEX|FILE", help="pin the signer's public key")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    import json
    import os

    from ..cli import UsageError
    from ..receipts.errors import ReceiptError
    from ..receipts.verify import format_human, verify_path
    if isinstance(args.path, list):
        if len(args.path) > 1:
            return _run_many(args)
        args.path = args.path[0]
    if not os.path.exists(args.path):
        raise UsageError(f"no such file or directory: {args.path}")
    try:
        result = verify_path(args.path, args.key)
    except ReceiptError as e:
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(format_human(args.path, result))
    return result.exit_code


def _run_many(args) -> int:
    """Several chains (one per instance): each, then the totals (ringfence.state.shipping)."""
    import json
    import os

    from ..cli import UsageError
    from ..state.shipping import format_summary, summarize_chains
    for p in args.path:
        if not os.path.exists(p):
            raise UsageError(f"no such file or directory: {p}")
    s = summarize_chains(args.path, default_key=args.key)
    print(json.dumps(s, ensure_ascii=False) if args.json else format_summary(s))
    return s["exit_code"]
