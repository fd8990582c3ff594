"""`ringfence learn`: turn what an agent actually used (its receipts) into a minimal
egress allowlist, for review."""
from __future__ import annotations

import argparse

HELP = """\
Read receipts (a directory of evidence logs or one log file), verify them, and write
a minimal `egress:` policy that allows exactly the hosts and methods that were
allowed during the session (deny by default). Review it, then merge it into your
config.

  - one rule per host (and per agent, when the receipts name one), with the methods seen;
  - path prefixes (the first path segment, e.g. /simple/*) when a host used at most
    --max-paths of them (--no-paths to leave paths out);
  - a CONNECT tunnel that was not intercepted shows only its host: its rule allows any
    method, marked with a comment (intercept TLS to learn the methods).

Receipts that do not verify are refused (exit 1): a policy learned from a log that
was tampered with would allow what the tamperer wanted.

examples:
  ringfence run --receipts ./receipts ...        (let the agent work)
  ringfence learn ./receipts -o policy.yaml --key ~/.ringfence/receipt.pub
  ringfence check --config policy.yaml --url https://pypi.org/simple/ --no-dns

exit codes: 0 policy written, 1 receipts invalid or nothing learned, 2 usage error
"""

URL_TRANSPORTS = ("forward", "intercept", "fetch", "websocket", "mcp_http", "connect", "check", "api")


def register(sub) -> None:
    p = sub.add_parser("learn", help="write a minimal egress allowlist from receipts", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", metavar="RECEIPTS_DIR_OR_FILE", help="evidence log directory or .jsonl file")
    p.add_argument("-o", "--output", metavar="FILE", help="write the policy here (default: standard output)")
    p.add_argument("--key", metavar="HEX|FILE", help="pin the signer's public key while verifying")
    p.add_argument("--max-paths", type=int, default=8, metavar="N",
                   help="list path prefixes for a host that used at most N of them (default 8)")
    p.add_argument("--no-paths", action="store_true", help="hosts and methods only")
    p.set_defaults(func=run)


def run(args) -> int:
    import os
    import sys

    from ..cli import UsageError
    from ..receipts.errors import ReceiptError
    from ..receipts.verify import verify_path
    if not os.path.exists(args.path):
        raise UsageError(f"no such file or directory: {args.path}")
    if args.max_paths < 0:
        raise UsageError("--max-paths must be >= 0")
    try:
        res = verify_path(args.path, args.key)
    except ReceiptError as e:
        raise UsageError(str(e)) from None
    if not res.valid:
        print(f"ringfence learn: the receipts do not verify ({res.error}); refusing to learn from them",
              file=sys.stderr)
        return 1
    if not res.sealed and res.tail:
        print(f"ringfence learn: note: {res.tail}", file=sys.stderr)
    records = list(_records(args.path))
    text, n = policy_yaml(records, None if args.no_paths else args.max_paths, args.path)
    if n == 0:
        print("ringfence learn: no allowed outbound requests in these receipts; nothing to learn",
              file=sys.stderr)
        return 1
    from ..config import ConfigError, load_config_text
    try:
        load_config_text(text)  # what we write must load
    except ConfigError as e:
        raise RuntimeError(f"learned policy does not load: {e}") from None
    if args.output:
        try:
            with open(args.output, "x", encoding="utf-8") as f:
                f.write(text)
        except FileExistsError:
            raise UsageError(f"{args.output} exists; remove it or choose another name") from None
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from None
        print(f"ringfence learn: {n} rules from {res.count} receipts written to {args.output}", file=sys.stderr)
    else:
        print(text, end="")
    return 0


def _records(path: str):
    """action_record dicts, in log order (the logs were verified just before)."""
    import json
    import os

    from ..receipts.verify import list_logs
    if os.path.isdir(path):
        files = [f for chain in list_logs(path).values() for f in chain]
    else:
        files = [path]
    for fp in files:
        with open(fp, encoding="utf-8") as f:
            for line in f:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(obj, dict):
                    continue
                det = obj.get("detail") if obj.get("type") == "action_receipt" else obj
                rec = det.get("action_record") if isinstance(det, dict) else None
                if isinstance(rec, dict):
                    yield rec


def _host_path(transport: str, target: str) -> tuple[str, str] | None:
    from urllib.parse import urlsplit
    if "://" in target:
        u = urlsplit(target)
        if u.scheme not in ("http", "https", "ws", "wss") or not u.hostname:
            return None
        return u.hostname.lower(), u.path or "/"
    if transport == "connect":
        host, sep, port = target.rpartition(":")
        if sep and port.isdigit() and host:
            return host.strip("[]").lower(), ""
    return None


def _agent(rec: dict) -> str:
    import re
    m = re.search(r"(?:^|; )agent ([^;]{1,128})", rec.get("intent") or "")
    return m.group(1).strip() if m else ""


def policy_yaml(records, max_paths: int | None, source: str = "") -> tuple[str, int]:
    """The egress policy (YAML text) and its number of rules."""
    import yaml
    seen: dict[tuple[str, str], dict] = {}
    for rec in records:
        if rec.get("verdict") not in ("allow", "warn"):
            continue
        transport = rec.get("transport") or ""
        if transport not in URL_TRANSPORTS:
            continue
        hp = _host_path(transport, rec.get("target") or "")
        if hp is None:
            continue
        host, path = hp
        method = (rec.get("method") or "").upper()
        if (transport == "connect" or method == "CONNECT") and "intercepted" in (rec.get("intent") or ""):
            continue  # the requests inside the tunnel have their own receipts, with methods
        e = seen.setdefault((_agent(rec), host), {"methods": set(), "paths": set(), "tunnel": False})
        if transport == "connect" or method == "CONNECT":
            e["tunnel"] = True
            continue
        if method in ("", "WS"):
            method = "GET"  # a WebSocket frame: its handshake was a GET
        e["methods"].add(method)
        seg = path.split("?", 1)[0].split("/")
        e["paths"].add("/" if len(seg) < 2 or not seg[1] else f"/{seg[1]}/*" if len(seg) > 2 else f"/{seg[1]}")
    rules, notes = [], []
    for (agent, host), e in sorted(seen.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        rule: dict = {"action": "allow"}
        if e["methods"]:
            rule["methods"] = sorted(e["methods"])
        else:
            rule["methods"] = ["*"]
            notes.append(f"{host}: seen only as a CONNECT tunnel without interception (methods unknown)")
        rule["hosts"] = [host]
        paths = sorted(e["paths"])
        if e["methods"] and max_paths is not None and 0 < len(paths) <= max_paths:
            rule["paths"] = paths
        if agent:
            rule["agents"] = [agent]
        rules.append(rule)
    head = ["# ringfence learn: a minimal egress allowlist" + (f" from {source}" if source else "")
            + ". Review before use.",
            "# Anything not listed is denied (default: deny). First match wins."]
    head += [f"# note: {n}" for n in notes]
    body = yaml.safe_dump({"egress": {"default": "deny", "rules": rules}}, sort_keys=False,
                          default_flow_style=None, width=120)
    return "\n".join(head) + "\n" + body, len(rules)
