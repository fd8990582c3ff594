"""The block answer for a browser: a short HTML page (what was blocked, the rule, the
receipt id, how to allow) instead of JSON, when the client's Accept asks for text/html.
It shows ringfence's own words only, never the blocked content."""
from __future__ import annotations

import html

from .http1 import REASONS, render_head

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def wants_html(headers) -> bool:
    """True when an Accept header lists text/html (a browser navigating), not for API clients."""
    for k, v in headers or ():
        if k.lower() == "accept" and "text/html" in v.lower():
            return True
    return False


def page(d) -> str:
    top = d.top
    scanner = top.scanner if top else "ringfence"
    rule = top.rule if top else "blocked"
    rid = d.receipt_id
    e = html.escape
    how = (f"<p>To see why: <code>ringfence explain {e(rid)}</code><br>"
           f"To allow this for an hour: <code>ringfence allow {e(rid)} --for 1h</code></p>"
           if rid else "<p>No receipt was written for this decision (receipts are off). "
                       "Turn them on with <code>ringfence init</code> to be able to allow it from a receipt.</p>")
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<title>Blocked by ringfence</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}"
        "h1{font-size:1.4em;color:#a40000}code{background:#f2f2f2;padding:.1em .3em;border-radius:3px}"
        "dt{font-weight:600;float:left;width:7em}dd{margin:0 0 .3em 7em}"
        "</style></head><body>"
        "<h1>Blocked by ringfence</h1>"
        "<p>ringfence, the egress firewall in front of this agent or browser, stopped this request.</p>"
        f"<dl><dt>Scanner</dt><dd id=\"scanner\">{e(scanner)}</dd>"
        f"<dt>Rule</dt><dd id=\"rule\">{e(rule)}</dd>"
        f"<dt>Receipt</dt><dd id=\"receipt\">{e(rid) if rid else 'none'}</dd></dl>"
        f"{how}</body></html>")


def html_block_response(d, status: int = 403, close: bool = False) -> bytes:
    body = page(d).encode("utf-8")
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
               ("X-Ringfence-Decision", "block"), ("X-Ringfence-Receipt", d.receipt_id),
               ("Cache-Control", "no-store"), ("Content-Security-Policy", CSP),
               ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
    if close:
        headers.append(("Connection", "close"))
    return render_head(status, REASONS.get(status, "Forbidden"), headers) + body
