"""GET/POST /fetch?url=...: fetch through every check, return readable, scanned text.

The client's method, headers and body are forwarded (after scanning), so
header and body cases can be sent through it. Redirects are followed only
with each hop rescanned, at most config.proxy.max_redirects."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urljoin

import orjson

from .forward import (_content_block, inbound_check, is_textual, outbound_check,
                      send_upstream, split_headers)
from .boundary import gate, scrub
from .html import extract_text, looks_like_html
from .http1 import HttpError, Request, render_head
from .state import block_response, error_response, refuse_target
from .target import TargetError, parse_url
from .upstream import BodyTooLarge, UpstreamError

if TYPE_CHECKING:
    from .server import ProxyServer

REDIRECTS = (301, 302, 303, 307, 308)
# Headers that describe the client's hop to ringfence, not the fetch. Cookies are
# forwarded (the agent asked for them to be sent), so they are scanned like any header.
# Not forwarded, but scanned like the hop-by-hop headers (split_headers).
_SKIP = frozenset({"accept-encoding"})


def _fetch_url(target: str) -> str:
    query = target.split("?", 1)[1] if "?" in target else ""
    # parse_qsl decodes exactly one level of percent-encoding: the case URL arrives verbatim.
    for k, v in parse_qsl(query, keep_blank_values=True, max_num_fields=50):
        if k == "url":
            return v
    raise HttpError(400, "missing url parameter: /fetch?url=<percent-encoded URL>", "missing_url")


async def handle_fetch(srv: "ProxyServer", req: Request, target: str, writer: asyncio.StreamWriter) -> bool:
    try:
        url = _fetch_url(target)
    except ValueError:
        raise HttpError(400, "invalid query string", "bad_query") from None
    cfg = srv.state.config.proxy
    method = req.method
    headers, scanned = split_headers(req.headers, _SKIP)
    body = bytes(req.body)
    hops = 0
    while True:
        try:
            t = parse_url(url)
        except TargetError as e:   # the server answers Refused (a recorded block) or the 400
            refuse_target(srv, "fetch", url, method, req.headers, e, "fetch url: ")
        g, blocked = gate(srv, "fetch", t, method, headers, body, scanned,  # secrets, egress rules
                          meta={"hop": hops} if hops else None)
        if blocked is not None:
            writer.write(blocked)
            return True
        meta = dict((g.meta if g else None) or ({"hop": hops} if hops else {}))
        meta["egress"] = True  # an intent receipt before any byte leaves
        d, addrs = await outbound_check(srv, "fetch", t, method, g.scanned if g else scanned,
                                        g.scan_body if g else body, meta=meta)
        if d.blocked:
            from .blockpage import wants_html
            writer.write(block_response(d, html=wants_html(req.headers)))
            return True
        try:
            resp = await send_upstream(srv, g.t if g else t, addrs, method, g.headers if g else headers,
                                       g.body if g else body)
        except UpstreamError as e:
            srv.rec.outcome(d.receipt_id, f"error={e.rule}")
            writer.write(error_response(e.status, e.rule, str(e), d.receipt_id, close=False))
            return True
        srv.rec.outcome(d.receipt_id, f"status={resp.status}")
        loc = resp.header("location")
        if resp.status in REDIRECTS and loc:
            resp.close()
            hops += 1
            if hops > cfg.max_redirects:
                writer.write(error_response(502, "too_many_redirects",
                                            f"more than {cfg.max_redirects} redirects", d.receipt_id,
                                            close=False))
                return True
            url = urljoin(url, loc)
            if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                method, body = "GET", b""
                gone = ("content-type", "content-encoding")
                headers = [(k, v) for k, v in headers if k.lower() not in gone]
                scanned = [(k, v) for k, v in scanned if k.lower() not in gone]
            continue
        break

    ct = resp.header("content-type")
    ce = resp.header("content-encoding").strip().lower()
    try:
        raw = await resp.read_body(cfg.max_body_bytes) if method != "HEAD" else b""
    except BodyTooLarge:
        resp.close()
        d = _content_block(srv, "fetch", t, method, "response_too_large",
                           f"response exceeds {cfg.max_body_bytes} bytes")
        writer.write(block_response(d))
        return True
    except UpstreamError as e:
        resp.close()
        writer.write(error_response(e.status, e.rule, str(e), d.receipt_id, close=False))
        return True
    resp.release()
    srv.state.engine.account(t.host, len(raw))
    try:
        from ..engine import ContentError, decompress
        decoded = decompress(raw, ce, cfg.max_body_bytes) if ce and ce != "identity" else raw
    except ContentError as e:
        d = _content_block(srv, "fetch", t, method, e.rule, str(e))
        writer.write(block_response(d))
        return True
    decoded = scrub(srv, decoded) or decoded  # real secret values echoed back become placeholders
    if not is_textual(ct) and not decoded[:1] in (b"<", b"{", b"["):
        payload = {"url": url, "status": resp.status, "content_type": ct, "blocked": False,
                   "content": "", "note": "non-text content is not returned by /fetch"}
        d2, _ = await inbound_check(srv, "fetch", t, method, resp.status, ct, b"")
    else:
        d2, text = await inbound_check(srv, "fetch", t, method, resp.status, ct, decoded)
        if d2.blocked:
            writer.write(block_response(d2))
            return True
        if d2.verdict == "strip" and d2.content is not None:
            text = d2.content if isinstance(d2.content, str) else d2.content.decode("utf-8", "replace")
        title = ""
        if looks_like_html(ct, text[:256]):
            title, text = extract_text(text)
        payload = {"url": url, "status": resp.status, "content_type": ct, "title": title,
                   "content": text, "blocked": False}
    payload["verdict"] = d2.verdict
    if d2.receipt_id:
        payload["receipt_id"] = d2.receipt_id
    if hops:
        payload["redirects"] = hops
    if d2.findings:
        payload["findings"] = [f.to_agent_json() for f in d2.findings][:20]
    out = orjson.dumps(payload)
    writer.write(render_head(200, "OK", [
        ("Content-Type", "application/json"), ("Content-Length", str(len(out))),
        ("X-Ringfence-Decision", d2.verdict), ("X-Ringfence-Receipt", d2.receipt_id),
        ("X-Ringfence-Upstream-Status", str(resp.status))]) + out)
    return True
