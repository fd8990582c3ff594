"""`ringfence serve-api`: the scan API on 127.0.0.1 with a bearer token."""
from __future__ import annotations

import argparse
import os
import secrets
import sys

from .common import add_config_option, add_receipt_options, load_config_or_exit, open_receipts_or_exit

HELP = """\
Serve the scan API: POST /v1/scan with `Authorization: Bearer TOKEN`.

request bodies (JSON):
  {"kind": "url", "url": "https://...", "resolve": false}
  {"kind": "text", "text": "...", "direction": "outbound|inbound"}
  {"kind": "tool_call", "tool_name": "bash", "arguments": {"command": "rm -rf /"}}
response: {"verdict": "allow|block|warn", "findings": [{scanner, rule, severity, excerpt}], "duration_ms"}
errors: 400 bad input, 401 no or wrong token, 413 body over 1 MiB

The token comes from --token-file, else the RINGFENCE_API_TOKEN environment variable, else a
random one is generated and printed once on standard error.

example:
  RINGFENCE_API_TOKEN=s3cret ringfence serve-api --listen 127.0.0.1:8890 &
  curl -s -H 'Authorization: Bearer s3cret' -d '{"kind":"text","text":"hi"}' http://127.0.0.1:8890/v1/scan
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve-api", help="serve the HTTP scan API (bearer token required)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", default="127.0.0.1:8890", metavar="HOST:PORT",
                   help="address to listen on (default 127.0.0.1:8890; loopback unless you mean otherwise)")
    p.add_argument("--token-file", metavar="FILE", help="file holding the bearer token")
    add_config_option(p)
    add_receipt_options(p)
    p.set_defaults(func=run)


def _token(args) -> str:
    from ..cli import UsageError
    if args.token_file:
        try:
            tok = open(args.token_file, encoding="utf-8").read().strip()
        except OSError as e:
            raise UsageError(f"cannot read token file: {e.strerror or e}") from None
        if len(tok) < 16:
            raise UsageError("the API token must be at least 16 characters")
        return tok
    tok = os.environ.get("RINGFENCE_API_TOKEN", "")
    if tok:
        if len(tok) < 8:
            raise UsageError("RINGFENCE_API_TOKEN must be at least 8 characters")
        return tok
    tok = secrets.token_urlsafe(24)
    print(f"ringfence: generated API token (shown once): {tok}", file=sys.stderr)
    return tok


def run(args) -> int:
    from aiohttp import web

    from ..cli import UsageError
    from ..engine import Engine
    from ..ops.scan_api import make_app

    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--listen expects HOST:PORT, got {args.listen!r}")
    config = load_config_or_exit(args.config)
    token = _token(args)
    writer = open_receipts_or_exit(args, config, session_id="api")
    app = make_app(Engine(config), token, writer)
    print(f"ringfence scan API on http://{host}:{port}/v1/scan", file=sys.stderr)
    try:
        web.run_app(app, host=host.strip("[]"), port=int(port), print=None, handle_signals=True,
                    shutdown_timeout=3.0)  # SIGTERM: in-flight scans get 3 s, not 60
    finally:
        writer.close()
    return 0
