"""`ringfence allow RECEIPT_ID`: turn one block into a narrow, expiring exemption."""
from __future__ import annotations

import argparse

HELP = """\
Adds one exemption to the config for the rule that blocked, narrowed to the host
(default for HTTP), the MCP tool (default for MCP) or, with --scope rule, everywhere,
and expiring after --for (default 1h, at most 30d). The new config is validated before
it is written; a running `ringfence run` with that config reloads it on change. The
change itself gets a signed receipt when a signing key is set up.

examples:
  ringfence explain 01a250ca-8afe-7f06-9151-0aa563805aa1
  ringfence allow 01a250ca-8afe-7f06-9151-0aa563805aa1 --for 30m
  ringfence allow 01a250ca-8afe-7f06-9151-0aa563805aa1 --scope rule --config ./ringfence.yaml
"""


def register(sub) -> None:
    p = sub.add_parser("allow", help="exempt what a receipt blocked: narrow and expiring",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("receipt_id", metavar="RECEIPT_ID")
    p.add_argument("--for", dest="duration", metavar="DURATION", default="1h",
                   help="how long the exemption lasts: 30m, 1h, 2d (default 1h, at most 30d)")
    p.add_argument("--scope", choices=["host", "rule", "tool"],
                   help="host: this rule on this host; tool: this rule for this MCP tool; rule: this rule "
                        "everywhere (default: tool for MCP receipts, host otherwise)")
    p.add_argument("-c", "--config", metavar="FILE", help="config to change (default: ~/.ringfence/config.yaml)")
    p.add_argument("--receipts", metavar="DIR", help="evidence directory to look in (default: config "
                                                     "receipts.dir, then ~/.ringfence/evidence)")
    p.add_argument("--dry-run", action="store_true", help="show the exemption, change nothing")
    p.add_argument("--json", action="store_true", help="print the exemption added as JSON")
    p.set_defaults(func=handler)


def handler(args) -> int:
    import json
    import sys

    from ..cli import UsageError
    from ..clients.backup import write_atomic
    from ..config import ConfigError
    from ..config.load import load_config_text
    from ..explain import add_exemption_text, parse_duration, proposal
    from .explain import lookup
    try:
        seconds = parse_duration(args.duration)
    except ValueError as e:
        raise UsageError(str(e)) from None
    config, path, ar, dirs = lookup(args)
    if ar is None:
        print(f"ringfence: no receipt {args.receipt_id} in {', '.join(dirs)}", file=sys.stderr)
        return 1
    if not path:
        raise UsageError("no config file to change: run `ringfence init` or give --config FILE")
    try:
        ex = proposal(ar, args.scope, seconds)
    except ValueError as e:
        raise UsageError(str(e)) from None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        new_text = add_exemption_text(text, ex)
        load_config_text(new_text, path)  # never write a config the proxy would reject
    except (ValueError, ConfigError) as e:
        raise UsageError(f"cannot add the exemption: {e}") from None
    if args.dry_run:
        print(json.dumps(ex) if args.json else f"would add to {path}: {json.dumps(ex)}")
        return 0
    write_atomic(path, new_text.encode("utf-8"))
    rid = _receipt(args, config, path, ex)
    if args.json:
        print(json.dumps({"config": path, "exemption": ex, "receipt_id": rid or None}))
    else:
        print(f"added to {path}: {json.dumps(ex)}")
        print(f"expires {ex['expires']}; a running ringfence with this config reloads it on change.")
        print(f"receipt: {rid}" if rid else "not receipted (no signing key; `ringfence init` makes one)")
    return 0


def _receipt(args, config, path: str, ex: dict) -> str:
    """A signed receipt for the config change itself (when a key is set up)."""
    import os
    import types

    from ..core import Action, Decision
    from .runtime import open_runtime_receipts
    ns = types.SimpleNamespace(receipts=args.receipts, signing_key=None, no_receipts=False)
    try:
        writer, _ = open_runtime_receipts(ns, config, session_id="allow")
    except Exception:
        return ""
    try:
        scope = ",".join(ex.get("domains") or ex.get("tools") or ["everywhere"])
        intent = f"exemption added: {ex['rule']} on {scope} until {ex['expires']} ({ex['note']})"
        action = Action("cli", "outbound", f"config:{os.path.basename(path)}", "ALLOW", kind="exemption",
                        meta={"intent": intent[:500]})
        return writer.record(action, Decision("allow")) or ""
    finally:
        writer.close()
