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
receipt's key is trusted for the whole chain. Or trust a --roster: a YAML/JSON file of
public keys with validity windows (see `ringfence keygen --help`); each chain's signer
must be listed and every receipt it signed must fall inside that key's window. A key
rotation segment (`ringfence keygen --rotate`) is checked: endorsed by the old key,
signed by the new one, and linked to the old chain's head when that chain is present.

Evidence gaps are reported (JSON `gaps`, lines starting "Gap:") without changing the
exit code: an intent receipt without an outcome, a session_open without session_close,
a heartbeat window with no heartbeat.

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
    p.add_argument("--roster", metavar="FILE", help="trust the keys in this roster (YAML or JSON), each "
                   "within its validity window")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    import json
    import os

    from ..cli import UsageError
    from ..receipts.errors import ReceiptError
    from ..receipts.verify import format_human, verify_path

    def usage(msg: str) -> int:
        if args.json:  # every outcome is JSON with --json, errors included
            print(json.dumps({"valid": False, "error": "usage", "message": msg, "exit_code": 2}))
            return 2
        raise UsageError(msg)
    if isinstance(args.path, list):
        if len(args.path) > 1:
            return _run_many(args)
        args.path = args.path[0]
    if not os.path.exists(args.path):
        return usage(f"no such file or directory: {args.path}")
    try:
        result = verify_path(args.path, args.key, roster=args.roster)
    except ReceiptError as e:
        return usage(str(e))
    except Exception as e:  # fail closed: never "valid" on an internal error
        if not args.json:
            raise
        print(json.dumps({"valid": False, "error": "internal", "message": f"{type(e).__name__}: {str(e)[:300]}",
                          "exit_code": 1}))
        return 1
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
    s = summarize_chains(args.path, default_key=args.key, roster=getattr(args, "roster", None))
    print(json.dumps(s, ensure_ascii=False) if args.json else format_summary(s))
    return s["exit_code"]
