"""`ringfence explain RECEIPT_ID`: what was seen, which rule fired, why, and what
`ringfence allow` would change."""
from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser("explain", help="explain a decision from its receipt id",
                       description="Look up a receipt in the evidence logs and say what ringfence saw, "
                                   "which rule fired and why, and what `ringfence allow` would change.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  ringfence explain 01a250ca-8afe-7f06-9151-0aa563805aa1 --json")
    p.add_argument("receipt_id", metavar="RECEIPT_ID")
    p.add_argument("--receipts", metavar="DIR", help="evidence directory (default: config receipts.dir, "
                                                     "then ~/.ringfence/evidence)")
    p.add_argument("-c", "--config", metavar="FILE", help="config (default: ~/.ringfence/config.yaml)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=handler)


def lookup(args):
    """(config, config path, action record) or UsageError / exit 1 when not found."""
    from ..cli import UsageError
    from ..explain import evidence_dirs, find_receipt
    from .runtime import runtime_config
    config, path = runtime_config(args.config, quiet=True)
    dirs = evidence_dirs(args.receipts, config)
    try:
        ar = find_receipt(args.receipt_id, dirs)
    except ValueError as e:
        raise UsageError(str(e)) from None
    return config, path, ar, dirs


def handler(args) -> int:
    import json

    from ..explain import WHY, proposal
    config, path, ar, dirs = lookup(args)
    if ar is None:
        msg = f"no receipt {args.receipt_id} in {', '.join(dirs)}"
        if args.json:
            print(json.dumps({"found": False, "receipt_id": args.receipt_id, "error": msg}))
        else:
            print(f"ringfence: {msg}")
        return 1
    layer = ar.get("layer") or ""
    out = {
        "found": True, "receipt_id": ar["action_id"], "time": ar.get("timestamp"),
        "verdict": ar.get("verdict"), "transport": ar.get("transport"), "method": ar.get("method", ""),
        "target": ar.get("target"), "rule": f"{layer}:{ar.get('pattern')}" if layer else "",
        "severity": ar.get("severity", ""), "detail": ar.get("intent", ""),
        "why": WHY.get(layer, "") if ar.get("verdict") != "allow" else "no rule fired",
        "evidence_file": ar.get("_file"),
    }
    try:
        out["allow_would_add"] = proposal(ar, None, 3600)
        out["allow_config"] = path
    except ValueError as e:
        out["allow_would_add"] = None
        out["allow_note"] = str(e)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"receipt   {out['receipt_id']}  ({out['time']})")
    print(f"verdict   {out['verdict']}")
    print(f"seen      {out['transport']} {out['method']} {out['target']}".rstrip())
    if out["rule"]:
        print(f"rule      {out['rule']} (severity {out['severity'] or '?'})")
    if out["detail"]:
        print(f"detail    {out['detail']}")
    if out["why"]:
        print(f"why       {out['why']}")
    if out["allow_would_add"]:
        ex = out["allow_would_add"]
        where = f"domains {ex['domains']}" if "domains" in ex else f"tools {ex['tools']}" if "tools" in ex \
            else "everywhere"
        print(f"allow     `ringfence allow {out['receipt_id']}` would exempt {ex['rule']} on {where} "
              f"for 1h (until {ex['expires']}) in {path or '(no config file: give --config)'}")
    else:
        print(f"allow     not possible: {out.get('allow_note')}")
    return 0
