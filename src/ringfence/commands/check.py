"""`ringfence check`: scan one URL or one text, print the verdict, optionally sign a receipt."""
from __future__ import annotations

import argparse
import json

from .common import add_config_option, add_receipt_options, load_config_or_exit, open_receipts_or_exit

HELP = """\
Scan a URL or a piece of text exactly as the proxy would, without starting a server.

  outbound (default): DLP (secrets, keys, card numbers, seed phrases, this process's env
                      secrets), and for URLs the whole URL pipeline (scheme, CRLF, traversal,
                      blocklist, DLP before DNS, entropy, SSRF on the resolved addresses)
  inbound:            prompt injection (responses, tool results, tool descriptions)

exit codes: 0 allow (or warn), 1 block, 2 usage or config error

examples:
  ringfence check --url 'https://example.com/?key=AKIAIOSFODNN7EXAMPLE'
  ringfence check --url http://169.254.169.254/latest/meta-data/ --json
  curl -s https://example.com | ringfence check --text - --direction inbound
  ringfence check --url https://example.com --receipts ./receipts --signing-key ~/.ringfence/receipt.key

If the host cannot be resolved (no DNS), check says so as a warning: the SSRF check on
resolved addresses could not run, and the proxy itself would refuse to connect.
Use --no-dns to skip resolution entirely.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="scan one URL or text and print the verdict",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--url", help="URL to run through the URL pipeline")
    what.add_argument("--text", metavar="FILE|-", help="file to scan, or - for standard input")
    p.add_argument("--direction", choices=["outbound", "inbound"], default=None,
                   help="outbound = DLP (default for --url and --text); inbound = prompt injection")
    p.add_argument("--json", action="store_true", help="print the decision as JSON")
    p.add_argument("--no-dns", action="store_true", help="skip DNS resolution (static URL checks only)")
    add_config_option(p)
    add_receipt_options(p)
    p.set_defaults(func=run)


def _read_text(src: str) -> str:
    from ..cli import UsageError
    from ..receipts.capped import CappedReadError, read_capped
    try:
        data = read_capped(src, 64 * 1024 * 1024)
    except CappedReadError as e:
        raise UsageError(f"{src}: {e}" + ("; scan it in parts" if e.too_large else "")) from None
    return data.decode("utf-8", errors="replace")


def check_url_decision(engine, url: str, no_dns: bool):
    """URL pipeline for `check`: a DNS failure is reported as a warning, not a finding."""
    import dataclasses

    from ..core import decide
    decision, _ = engine.check_url(url, resolve=not no_dns)
    dns = [f for f in decision.findings if f.rule == "dns_failure"]
    if dns and all(f.rule == "dns_failure" or f.action != "block" for f in decision.findings):
        findings = [dataclasses.replace(f, action="warn") if f.rule == "dns_failure" else f
                    for f in decision.findings]
        d = decide(findings, enforce=engine.config.enforce)
        decision = dataclasses.replace(d, duration_ms=decision.duration_ms,
                                       reason="could not resolve host: SSRF check on resolved addresses not done")
    b = engine.boundary  # secrets and egress rules (as a GET), when configured
    extra = b.outbound("GET", url, []).findings if b is not None else []
    if extra:
        d = decide(list(decision.findings) + extra, enforce=engine.config.enforce)
        decision = dataclasses.replace(d, duration_ms=decision.duration_ms)
    return decision


def run(args) -> int:
    from ..core import Action, record
    from ..engine import Engine

    config = load_config_or_exit(args.config)
    writer = open_receipts_or_exit(args, config, session_id="check")
    engine = Engine(config, lazy=True)  # build only the scanners this check needs
    direction = args.direction or "outbound"
    # build the one scanner this check needs before its clock starts
    if args.url is not None:
        engine.url
    elif direction == "inbound":
        engine.injection
    else:
        engine.dlp
    try:
        if args.url is not None:
            decision = check_url_decision(engine, args.url, args.no_dns)
            action = Action("check", "outbound", args.url[:2048], "GET", kind="url")
        else:
            text = _read_text(args.text)
            decision = engine.scan_text(text, direction, "text")
            action = Action("check", direction, "stdin" if args.text == "-" else args.text, "SCAN", kind="text")
        decision = record(writer, action, decision)  # no receipt, no pass
        if not getattr(writer, "enabled", False):
            decision = decision.with_receipt("")  # nothing written: no id to hand out
    finally:
        writer.close()
    if args.json:
        print(json.dumps(decision.to_json(), ensure_ascii=False))
    else:
        _print_human(decision)
    return 1 if decision.verdict == "block" else 0


def _print_human(d) -> None:
    mark = {"allow": "ALLOW", "warn": "WARN", "strip": "STRIP", "block": "BLOCK"}[d.verdict]
    line = f"{mark}  ({d.duration_ms:.2f} ms)"
    if d.reason:
        line += f"  {d.reason}"
    print(line)
    if d.findings:
        rows = [("SCANNER", "RULE", "SEVERITY", "ACTION", "WHERE", "EXCERPT")]
        rows += [(f.scanner, f.rule, f.severity, f.action, f.where, f.excerpt) for f in d.findings]
        widths = [min(max(len(str(r[i])) for r in rows), 40) for i in range(6)]
        for r in rows:
            print("  " + "  ".join(str(c)[:40].ljust(w) for c, w in zip(r, widths)).rstrip())
    if d.receipt_id:
        print(f"receipt: {d.receipt_id}")
