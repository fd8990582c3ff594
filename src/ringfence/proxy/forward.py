"""Forwarding one HTTP request: scan out, send, scan what comes back, relay.

Used for absolute-URI proxy requests, for requests inside an intercepted TLS
tunnel, and (through fetch.py) for /fetch."""
from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from ..core import Action, Content, Decision, Finding, decide, fail_closed
from ..core.verdicts import MISS, cacheable
from ..engine import AGENT_CARD_PATHS, ContentError, decompress
from ..engine import is_textual as _is_textual
from .http1 import HOP_BY_HOP, REASONS, render_head
from .sse import SseError, SseScanner, StreamDecoder
from .blockpage import wants_html
from .state import block_response, error_response, now
from .target import Target
from .upstream import BodyTooLarge, Response, UpstreamError

if TYPE_CHECKING:
    from .server import ProxyServer

log = logging.getLogger("ringfence.proxy")

def is_textual(content_type: str) -> bool:
    return _is_textual(content_type)


def request_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The client's end-to-end headers (what may be forwarded and is scanned)."""
    drop = set(HOP_BY_HOP)
    for k, v in headers:
        if k.lower() == "connection":
            drop.update(x.strip().lower() for x in v.split(","))
    drop.update(("host", "content-length"))
    return [(k, v) for k, v in headers if k.lower() not in drop]


# Not forwarded and carry no agent data worth scanning (the URL step covers the host).
_UNSCANNED = frozenset({"host", "content-length"})


def split_headers(headers: list[tuple[str, str]], skip: frozenset[str] | set[str] = frozenset(),
                  ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(forwarded, scanned). Hop-by-hop headers (Proxy-Authorization, any header named
    in Connection) are dropped before forwarding but still carry what the agent wrote,
    so the outbound scan reads them too; `skip` names more headers not forwarded (and
    scanned). The scanned list starts with the forwarded one (a memo key stays stable)."""
    drop = set(HOP_BY_HOP)
    for k, v in headers:
        if k.lower() == "connection":
            drop.update(x.strip().lower() for x in v.split(","))
    drop |= _UNSCANNED
    drop |= skip
    fwd: list[tuple[str, str]] = []
    extra: list[tuple[str, str]] = []
    for k, v in headers:
        lk = k.lower()
        if lk not in drop:
            fwd.append((k, v))
        elif lk not in _UNSCANNED:
            extra.append((k, v))
    return fwd, (fwd + extra if extra else fwd)


def upstream_head(method: str, t: Target, headers: list[tuple[str, str]], body_len: int) -> bytes:
    lines = [f"{method} {t.path} HTTP/1.1\r\nHost: {t.host_header}\r\n"]
    for k, v in headers:
        lines.append(f"{k}: {v}\r\n")
    if body_len or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {body_len}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("latin-1", "replace")


def _header(headers: list[tuple[str, str]], name: str) -> str:
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return ""


def url_step_now(srv: "ProxyServer", eng: Any, t: Target, method: str,
                 vetted: list[str] | None) -> tuple[Decision, list[str]] | None:
    """The URL step when it needs no DNS lookup (vetted tunnel, --resolve route,
    IP literal): (decision, addresses to dial). None when a lookup is needed."""
    if vetted is not None:
        d_url, _ = eng.check_url(t.url, method, resolve=False)
        return d_url, vetted
    mapped = srv.route(t.host, t.port)
    if mapped:
        srv.warn_route_once(t.host, t.port, mapped)
        d_url, _ = eng.check_url(t.url, method, resolve=False)
        return d_url, [mapped]
    if is_ip_literal(t.host):
        return eng.check_url(t.url, method)  # the SSRF check on a literal needs no lookup
    return None


@lru_cache(maxsize=1024)
def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


# Exact repeats of a whole request reuse its verdict (never its receipt), from the
# engine's one verdict cache (a reload or the kill switch empties it); responses are
# cached there by their text.
MEMO_OUT_MAX_CHARS = 16384    # url + headers + body; bigger requests are scanned every time


def _cacheable(d: Decision) -> bool:
    return cacheable(d.findings, d.error)


def _held(d: Decision) -> int:
    """What a cached decision holds beyond itself (a stripped body)."""
    return len(d.content) if isinstance(d.content, (str, bytes)) else 0


def outbound_memo_key(srv: "ProxyServer", st: Any, t: Target, method: str,
                      headers: list[tuple[str, str]], body: bytes, vetted: list[str] | None) -> Any:
    """The memo key of a request whose URL step needs no DNS (else None): every input
    the outbound scan reads, and the route it dials."""
    if vetted is not None or not st.engine.repeatable:
        return None
    mapped = srv.route(t.host, t.port)
    if not mapped and not is_ip_literal(t.host):
        return None
    size = len(t.url) + len(body)
    for k, v in headers:
        size += len(k) + len(v)
    if size > MEMO_OUT_MAX_CHARS or not isinstance(body, bytes) or b'"jsonrpc"' in body[:4096]:
        return None  # (A2A bodies: their scanner may keep state, so scan each)
    return st.engine.verdicts.key("outbound", "request", t.url, method, mapped, headers, body)


def outbound_now(srv: "ProxyServer", st: Any, transport: str, t: Target, method: str,
                 headers: list[tuple[str, str]], body: bytes, started: float, defer: str = "",
                 ) -> tuple[Decision, list[str]] | None:
    """outbound_check without waiting, when its URL step needs no DNS lookup
    (else None). Exact repeats reuse the memoized verdict; each still gets its
    own receipt and metrics."""
    key = outbound_memo_key(srv, st, t, method, headers, body, None)
    if key is not None:
        hit = st.engine.verdicts.get(key)
        if hit is not MISS:
            d, addrs = hit
            return _record_outbound(srv, transport, t, method, body, d, list(addrs), None, "", None,
                                    started, defer)
    try:
        got: Any = url_step_now(srv, st.engine, t, method, None)
    except Exception as e:
        got = e
    if got is None:
        return None
    return outbound_finish(srv, st, transport, t, method, headers, body, got, started, memo_key=key,
                           defer=defer)


async def outbound_check(srv: "ProxyServer", transport: str, t: Target, method: str,
                         headers: list[tuple[str, str]], body: bytes, *,
                         vetted: list[str] | None = None, request_id: str = "",
                         meta: dict | None = None) -> tuple[Decision, list[str]]:
    """URL pipeline (DLP before DNS, SSRF), headers, body; one receipt. Returns the
    decision (with receipt id) and the vetted addresses to dial."""
    st = srv.state
    started = now()
    if vetted is None and not request_id and not meta:
        done = outbound_now(srv, st, transport, t, method, headers, body, started)
        if done is not None:
            return done
    got: Any
    try:
        got = url_step_now(srv, st.engine, t, method, vetted)
        if got is None:
            got = await st.engine.acheck_url(t.url, method)
    except Exception as e:  # fail closed (outbound_finish turns it into a block)
        got = e
    return outbound_finish(srv, st, transport, t, method, headers, body, got, started,
                           vetted=vetted, request_id=request_id, meta=meta)


def outbound_finish(srv: "ProxyServer", st: Any, transport: str, t: Target, method: str,
                    headers: list[tuple[str, str]], body: bytes, got: Any, started: float, *,
                    vetted: list[str] | None = None, request_id: str = "",
                    meta: dict | None = None, memo_key: Any = None, defer: str = "",
                    ) -> tuple[Decision, list[str]]:
    """After the URL step (`got` is its (decision, addrs) or the exception it raised):
    headers, body, one decision, one receipt (deferred: see core.record)."""
    eng = st.engine
    addrs: list[str] = []
    try:
        if isinstance(got, BaseException):
            raise got
        d_url, addrs = got
        findings = list(d_url.findings)
        if not d_url.blocked:
            action = Action(transport, "outbound", t.url, method, kind="request")
            if headers:
                findings += eng.inspect(action, Content("headers", headers, host=t.host, url=t.url)).findings
            if body:
                findings += eng.inspect(action, Content(
                    "body", bytes(body), _header(headers, "content-type"), _header(headers, "content-encoding"),
                    t.host, t.url, t.path)).findings
        d = decide(findings, enforce=st.config.enforce, started=started)
        if memo_key is not None and _cacheable(d):
            eng.verdicts.put(memo_key, (d, tuple(addrs)), _held(d))
    except Exception as e:  # fail closed
        log.error("outbound scan failed", exc_info=e)
        d = fail_closed(e, started)
    return _record_outbound(srv, transport, t, method, body, d, addrs, vetted, request_id, meta, None, defer)


def _record_outbound(srv: "ProxyServer", transport: str, t: Target, method: str, body: bytes,
                     d: Decision, addrs: list[str], vetted: list[str] | None, request_id: str,
                     meta: dict | None, started: float | None = None,
                     defer: str = "") -> tuple[Decision, list[str]]:
    m = dict(meta) if meta else {}
    m["egress"] = True  # allowed, it is sent next: the receipt is the durable intent (core.record)
    if vetted is None and srv.route(t.host, t.port):
        m["resolve_override"] = True
    action = Action(transport, "outbound", t.url, method, request_id=request_id,
                    kind="request", meta=m)
    d = srv.rec.record(action, d, len(body), started, defer)
    return d, ([] if d.blocked else addrs)


async def inbound_check(srv: "ProxyServer", transport: str, t: Target, method: str,
                        status: int, content_type: str, body: bytes, *,
                        request_id: str = "") -> tuple[Decision, str]:
    """Scan a whole response body (already decoded). Returns the decision with its
    receipt and the decoded text."""
    return inbound_scan(srv, transport, t, method, status, content_type, body, request_id=request_id)


def inbound_scan(srv: "ProxyServer", transport: str, t: Target, method: str,
                 status: int, content_type: str, body: bytes, *,
                 request_id: str = "", want_text: bool = True, defer: str = "") -> tuple[Decision, str]:
    """inbound_check without the coroutine (it never waits). Repeats are served by
    the engine's verdict cache of response texts (one hash of the body, not two)."""
    st = srv.state
    started = now()
    d, text = _inbound_decision(srv, st, transport, t, method, content_type, body, started)
    return _record_inbound(srv, transport, t, method, status, content_type, body, d, request_id,
                           defer=defer), text


def _record_inbound(srv: "ProxyServer", transport: str, t: Target, method: str, status: int,
                    content_type: str, body: bytes, d: Decision, request_id: str,
                    started: float | None = None, defer: str = "") -> Decision:
    action = Action(transport, "inbound", t.url, method, request_id=request_id, kind="response",
                    meta={"status": status, "content_type": content_type[:100]})
    return srv.rec.record(action, d, len(body), started, defer)


def _inbound_decision(srv: "ProxyServer", st: Any, transport: str, t: Target, method: str, content_type: str,
                      body: bytes, started: float) -> tuple[Decision, str]:
    text = ""
    try:
        text = body.decode("utf-8", "replace")
        action = Action(transport, "inbound", t.url, method, kind="response")
        d = st.engine.inspect(action, Content("response", text, content_type, "", t.host, t.url, t.path))
    except Exception as e:
        log.exception("inbound scan failed")
        d = fail_closed(e, started)
    return d, text


def _content_block(srv: "ProxyServer", transport: str, t: Target, method: str, rule: str,
                   msg: str, direction: str = "inbound") -> Decision:
    f = Finding("content", rule, "high", msg[:80], "response", "block")
    d = decide([f], enforce=True)
    return srv.rec.record(Action(transport, direction, t.url, method, kind="response"), d)


def response_headers(resp: Response, drop_encoding: bool = False) -> list[tuple[str, str]]:
    return end_to_end(resp.headers, drop_encoding)


def end_to_end(headers: list[tuple[str, str]], drop_encoding: bool = False) -> list[tuple[str, str]]:
    """Response headers to relay: hop-by-hop ones (and Content-Length) dropped."""
    drop = set(HOP_BY_HOP) | {"content-length"}
    for k, v in headers:
        if k.lower() == "connection":
            drop.update(x.strip().lower() for x in v.split(","))
    if drop_encoding:
        drop.add("content-encoding")
    return [(k, v) for k, v in headers if k.lower() not in drop]


async def send_upstream(srv: "ProxyServer", t: Target, addrs: list[str], method: str,
                        headers: list[tuple[str, str]], body: bytes) -> Response:
    cfg = srv.state.config.proxy
    head = upstream_head(method, t, headers, len(body))
    return await srv.pool.request(t.scheme, t.host, t.port, addrs, head, bytes(body),
                                  timeout=cfg.upstream_timeout_s, no_body=method == "HEAD")


async def relay_response(srv: "ProxyServer", transport: str, t: Target, method: str,
                         resp: Response, writer: asyncio.StreamWriter, out_rid: str,
                         client_http10: bool = False, html: bool = False) -> bool:
    """Scan and relay an upstream response. Returns whether the client connection
    may be kept alive."""
    cfg = srv.state.config.proxy
    status = resp.status
    ct = resp.header("content-type")
    ce = resp.header("content-encoding").strip().lower()
    reason = resp.reason or REASONS.get(status, "")

    if method == "HEAD" or status in (204, 304) or status < 200:
        writer.write(empty_reply(method, status, reason, resp.headers, out_rid))
        resp.release()
        return True

    if "text/event-stream" in ct.lower():
        return await _relay_sse(srv, transport, t, method, resp, writer, ce, client_http10)

    if not srv.state.engine.reads_whole(ct, t.path):
        return await _relay_binary(srv, transport, t, method, resp, writer, client_http10)

    try:
        raw = await resp.read_body(cfg.max_body_bytes)
    except BodyTooLarge:
        resp.close()
        writer.write(too_large_reply(srv, transport, t, method, cfg.max_body_bytes))
        return False
    except UpstreamError as e:  # reset or stall after the head: nothing was sent yet, say so
        resp.close()
        writer.write(error_response(e.status, e.rule, str(e), out_rid))
        return False
    resp.release()
    head, body = buffered_reply(srv, transport, t, method, status, reason, resp.headers, ct, ce, raw, html)
    if len(body) < 262144:
        writer.write(head + body)
    else:
        writer.write(head)
        writer.write(body)
    return True


def empty_reply(method: str, status: int, reason: str, headers: list[tuple[str, str]],
                out_rid: str) -> bytes:
    """HEAD, 204, 304 and 1xx: a head only."""
    hdrs = end_to_end(headers)
    cl = _header(headers, "content-length")
    if cl and method == "HEAD":
        hdrs.append(("Content-Length", cl))
    elif status not in (204, 304):
        hdrs.append(("Content-Length", "0"))
    hdrs += [("X-Ringfence-Decision", "allow"), ("X-Ringfence-Receipt", out_rid)]
    return render_head(status, reason, hdrs)


def too_large_reply(srv: "ProxyServer", transport: str, t: Target, method: str, cap: int) -> bytes:
    d = _content_block(srv, transport, t, method, "response_too_large", f"response exceeds {cap} bytes")
    return block_response(d, close=True)


def buffered_reply(srv: "ProxyServer", transport: str, t: Target, method: str, status: int,
                   reason: str, headers: list[tuple[str, str]], ct: str, ce: str,
                   raw: bytes, html: bool = False, defer: str = "") -> tuple[bytes, bytes]:
    """A whole textual response: decode, scan, and the (head, body) to send
    (`defer`: its receipt is queued, see core.record)."""
    cfg = srv.state.config.proxy
    srv.state.engine.account(t.host, len(raw))
    try:
        decoded = decompress(raw, ce, cfg.max_body_bytes) if ce and ce != "identity" else raw
    except ContentError as e:
        d = _content_block(srv, transport, t, method, e.rule, str(e))
        return block_response(d), b""
    except Exception as e:
        d = _content_block(srv, transport, t, method, "decode_error", f"{type(e).__name__}: {e}")
        return block_response(d), b""

    from .boundary import scrub
    clean = scrub(srv, decoded)  # real secret values echoed back become placeholders
    if clean is not None:
        decoded = raw = clean
        headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
    d, _ = inbound_scan(srv, transport, t, method, status, ct, decoded, want_text=False, defer=defer)
    if d.blocked:
        return block_response(d, html=html), b""
    if d.verdict == "strip" and d.content is not None:
        body = d.content.encode("utf-8") if isinstance(d.content, str) else bytes(d.content)
        hdrs = end_to_end(headers, drop_encoding=True)
    else:
        body = raw
        hdrs = end_to_end(headers)
    hdrs += [("Content-Length", str(len(body))), ("X-Ringfence-Decision", d.verdict),
             ("X-Ringfence-Receipt", d.receipt_id)]
    return render_head(status, reason, hdrs), body


async def _relay_binary(srv, transport, t, method, resp, writer, client_http10) -> bool:
    """Non-text content is relayed as it streams; the receipt says it was not inspected."""
    d = decide([])
    action = Action(transport, "inbound", t.url, method, kind="response",
                    meta={"status": resp.status, "inspected": False,
                          "intent": "binary content type: body not inspected",
                          "content_type": resp.header("content-type")[:100]})
    d = srv.rec.record(action, d)
    hdrs = response_headers(resp)
    cl = resp.header("content-length")
    chunked = not cl and not client_http10
    if cl:
        hdrs.append(("Content-Length", cl))
    elif chunked:
        hdrs.append(("Transfer-Encoding", "chunked"))
    hdrs += [("X-Ringfence-Decision", "allow"), ("X-Ringfence-Receipt", d.receipt_id)]
    writer.write(render_head(resp.status, resp.reason or REASONS.get(resp.status, ""), hdrs))
    n = 0
    try:
        async for chunk in resp.iter_body():
            n += len(chunk)
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            await writer.drain()
    except UpstreamError:
        resp.close()
        return False
    finally:
        srv.state.engine.account(t.host, n)
    resp.release()
    if chunked:
        writer.write(b"0\r\n\r\n")
        return True
    return bool(cl)


async def _relay_sse(srv, transport, t, method, resp, writer, ce, client_http10) -> bool:
    st = srv.state
    cfg = st.config.proxy
    try:
        dec = StreamDecoder(ce, cfg.max_body_bytes * 10)
    except SseError as e:
        resp.close()
        d = _content_block(srv, transport, t, method, e.rule, str(e))
        writer.write(block_response(d))
        return False
    scanner = SseScanner(st.engine, t.host)
    opened = srv.rec.record(Action(transport, "inbound", t.url, method, kind="event_stream",
                                   meta={"status": resp.status, "intent": "events scanned as they flow"}),
                            decide([]))
    hdrs = response_headers(resp, drop_encoding=True)
    chunked = not client_http10
    if chunked:
        hdrs.append(("Transfer-Encoding", "chunked"))
    hdrs += [("X-Ringfence-Decision", "allow"), ("X-Ringfence-Receipt", opened.receipt_id)]
    writer.write(render_head(resp.status, resp.reason or "OK", hdrs))

    from .boundary import scrub

    def emit(b: bytes) -> None:
        if b:
            b = scrub(srv, b) or b
            writer.write(b"%x\r\n%s\r\n" % (len(b), b) if chunked else b)

    bad: Decision | None = None
    n = 0
    try:
        async for chunk in resp.iter_body():
            n += len(chunk)
            out, d = scanner.feed(dec.feed(chunk))
            emit(out)
            if d is not None and d.verdict in ("block", "strip"):
                bad = d
                break
            if d is not None:
                srv.rec.record(Action(transport, "inbound", t.url, method, kind="event"), d)
            await writer.drain()
        if bad is None:
            out, d = scanner.finish()
            emit(out)
            if d is not None and d.verdict in ("block", "strip"):
                bad = d
    except SseError as e:
        bad = decide([Finding("content", e.rule, "high", str(e)[:80], "sse", "block")])
    except UpstreamError:
        resp.close()
        return False
    except Exception as e:
        bad = fail_closed(e)
    finally:
        st.engine.account(t.host, n)
    if bad is not None:
        resp.close()
        if bad.verdict == "strip":
            bad = dataclasses.replace(bad, verdict="block", content=None)
        bad = srv.rec.record(Action(transport, "inbound", t.url, method, kind="event",
                                    meta={"event": scanner.events}), bad, scanner.scanned)
        from .state import block_body
        emit(b"event: ringfence_blocked\ndata: " + orjson.dumps(block_body(bad)) + b"\n\n")
        # No terminating chunk: the client sees an incomplete stream, not a clean end.
        return False
    resp.release()
    if chunked:
        writer.write(b"0\r\n\r\n")
    return chunked


async def forward(srv: "ProxyServer", transport: str, t: Target, method: str,
                  client_headers: list[tuple[str, str]], body: bytes,
                  writer: asyncio.StreamWriter, *, vetted: list[str] | None = None,
                  client_http10: bool = False, agent: str = "") -> bool:
    headers, scanned = split_headers(client_headers)
    from .boundary import gate
    g, blocked = gate(srv, transport, t, method, headers, body, scanned, agent=agent)  # secrets, egress rules
    if blocked is not None:
        writer.write(blocked)
        return True
    d, addrs = await outbound_check(srv, transport, t, method, g.scanned if g else scanned,
                                    g.scan_body if g else body, vetted=vetted, meta=g.meta if g else None)
    if d.blocked:
        writer.write(block_response(d, html=wants_html(client_headers)))
        return True
    try:
        resp = await send_upstream(srv, g.t if g else t, addrs, method, g.headers if g else headers,
                                   g.body if g else body)
    except UpstreamError as e:
        srv.rec.outcome(d.receipt_id, f"error={e.rule}", transport)
        writer.write(error_response(e.status, e.rule, str(e), d.receipt_id))
        return False
    except BaseException:  # cancelled (client gone, shutdown): the request may have left
        srv.rec.outcome(d.receipt_id, "aborted=cancelled", transport)
        raise
    srv.rec.outcome(d.receipt_id, f"status={resp.status}", transport)
    try:
        return await relay_response(srv, transport, t, method, resp, writer, d.receipt_id, client_http10,
                                    wants_html(client_headers))
    except BaseException:
        resp.close()
        raise
