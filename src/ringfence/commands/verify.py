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
  0  valid (and, for logs, sealed: the end of the run is proven)
  1  invalid: the first failing seq and the reason are printed
  2  usage error (bad flags, unreadable key, no such path)
  3  valid, but the end is NOT proven: the log has no final seal or ends in an unsealed
     tail (a crash, or a cut-off file). What is there verifies; more may have existed.

Pin the signer with --key (64 hex, or a .pub / hex key file); without it the first
receipt's key is trusted for the whole chain.

examples:
  ringfence verify receipts/ --key ~/.ringfence/receipt.pub
  ringfence verify receipts/evidence-proxy-...-0.jsonl --json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="verify receipts and evidence logs offline", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", metavar="PATH", help="receipt .json, evidence .jsonl, or a directory of logs")
    p.add_argument("--key", metavar="HEX|FILE", help="pin the signer's public key")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    import json
    import os

    from ..cli import UsageError
    from ..receipts.errors import ReceiptError
    from ..receipts.verify import format_human, verify_path
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
