"""CONNECT: decide on the hostname, then tunnel blind or intercept TLS.

Without interception only host and port are visible, so every URL-level
decision that can be taken on a hostname (DLP in labels, entropy, blocklist,
SSRF on the vetted address) is taken here, and the receipt says the body was
not inspected."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from ..core import Action, Decision, decide, fail_closed
from .http1 import Request, RequestReader
from .state import block_response, error_response, refuse_target
from .target import TargetError, parse_connect
from .tls import should_intercept
from .upstream import UpstreamError

if TYPE_CHECKING:
    from .server import ProxyServer

log = logging.getLogger("ringfence.proxy")

TUNNEL_IDLE_S = 300.0
PIPE_READ = 65536


async def check_hostport(srv: "ProxyServer", host: str, port: int,
                         sent: str = "") -> tuple[Decision, list[str]]:
    """`host` is lower case for routing; `sent` is the host as the client wrote it,
    which is what the scanners see."""
    st = srv.state
    eng = st.engine
    started = time.perf_counter()
    mapped = srv.route(host, port)
    try:
        url_scanner = eng.url
        if hasattr(url_scanner, "scan_hostport"):
            scan = url_scanner.scan_hostport(sent or host, port)
            findings = list(scan.findings)
            addrs: list[str] = []
            if not any(f.action == "block" for f in findings):
                if mapped:
                    log.warning("--resolve: dialing %s for %s:%s (test routing, SSRF check skipped)",
                                mapped, host, port)
                    addrs = [mapped]
                else:
                    addrs, ssrf = await asyncio.to_thread(url_scanner.resolve_and_check, scan, eng.resolver)
                    findings += ssrf
            findings = eng._apply_exemptions(findings, host) if hasattr(eng, "_apply_exemptions") else findings
            d = decide(findings, enforce=st.config.enforce, started=started)
        else:
            raw = sent or host
            h = f"[{raw}]" if ":" in raw else raw
            url = f"https://{h}:{port}/"
            if mapped:
                d, _ = await eng.acheck_url(url, "CONNECT", resolve=False)
                addrs = [mapped]
            else:
                d, addrs = await eng.acheck_url(url, "CONNECT")
    except Exception as e:
        log.exception("CONNECT scan failed")
        return fail_closed(e, started), []
    return d, ([] if d.blocked else addrs)


def scan_connect_headers(srv: "ProxyServer", d: Decision, host: str,
                         headers: list[tuple[str, str]]) -> Decision:
    """The CONNECT request's own headers (Proxy-Authorization, User-Agent, ...) are
    never forwarded but are what the agent wrote: outbound DLP, like any header."""
    hdrs = [(k, v) for k, v in headers if k.lower() not in ("host", "content-length")]
    if d.blocked or not hdrs:
        return d
    st = srv.state
    started = time.perf_counter()
    try:
        found = st.engine.scan_headers(hdrs, "outbound", host).findings
    except Exception as e:
        log.exception("CONNECT header scan failed")
        return fail_closed(e, started)
    if not found:
        return d
    return decide(list(d.findings) + list(found), enforce=st.config.enforce, started=started)


async def handle_connect(srv: "ProxyServer", req: Request, rr: RequestReader,
                         reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    target = req.target.decode("latin-1")
    try:
        sent, host, port = parse_connect(target)
    except TargetError as e:
        refuse_target(srv, "connect", "https://" + target, "CONNECT", req.headers, e)
    st = srv.state
    tls_cfg = st.config.tls
    intercept = bool(srv.ca is not None and tls_cfg.intercept
                     and should_intercept(host, tls_cfg.include, tls_cfg.exclude))
    d, addrs = await check_hostport(srv, host, port, sent)
    d = scan_connect_headers(srv, d, host, req.headers)
    if d.blocked:
        addrs = []
    meta = {"inspected": intercept,
            "intent": "tunnel: TLS intercepted, requests inspected" if intercept
            else "tunnel: body not inspected"}
    from .boundary import connect_egress
    d = connect_egress(srv, d, host, req.headers, intercept, meta)  # egress rules by host
    if d.blocked:
        addrs = []
    if addrs and not intercept:
        meta["egress"] = True  # a blind tunnel: its receipt is the intent; intercepted requests have their own
    d = srv.rec.record(Action("connect", "outbound", f"{host}:{port}", "CONNECT", kind="hostname",
                              meta=meta), d)
    if d.blocked:
        writer.write(block_response(d, close=True))
        return False
    if not addrs:
        writer.write(error_response(502, "no_address", "no vetted address to dial", d.receipt_id))
        return False

    if intercept:
        if rr.leftover:
            writer.write(error_response(400, "early_data", "data sent before the tunnel was established"))
            return False
        writer.write(b"HTTP/1.1 200 Connection Established\r\n"
                     + (b"X-Ringfence-Receipt: " + d.receipt_id.encode() + b"\r\n" if d.receipt_id else b"") + b"\r\n")
        await writer.drain()
        try:
            ctx = srv.ca.context(host)
            await asyncio.wait_for(writer.start_tls(ctx), st.config.proxy.header_timeout_s)
        except (asyncio.TimeoutError, ConnectionError, OSError) as e:
            log.info("TLS handshake with client for %s failed: %s", host, type(e).__name__)
            return False
        from .server import Tunnel
        srv.mark("connect", f"{host}:{port}", "CONNECT")  # the kill switch closes it with a receipt
        from .boundary import agent_of
        await srv.serve_http(reader, writer, Tunnel(host, port, addrs, agent_of(req.headers)))
        return False

    # Blind tunnel: dial exactly a vetted address.
    cfg = st.config.proxy
    up_r = up_w = None
    last = ""
    for addr in addrs[:4]:
        try:
            up_r, up_w = await asyncio.wait_for(asyncio.open_connection(addr, port), min(10.0, cfg.upstream_timeout_s))
            break
        except (OSError, asyncio.TimeoutError) as e:
            last = type(e).__name__
    if up_w is None:
        e = UpstreamError(502, f"connect to {host}:{port} failed ({last})", "upstream_unreachable")
        srv.rec.outcome(d.receipt_id, f"error={e.rule}", "connect")
        writer.write(error_response(e.status, e.rule, str(e), d.receipt_id))
        return False
    writer.write(b"HTTP/1.1 200 Connection Established\r\n"
                 + (b"X-Ringfence-Receipt: " + d.receipt_id.encode() + b"\r\n" if d.receipt_id else b"") + b"\r\n")
    if rr.leftover:
        up_w.write(rr.leftover)
    srv.mark("connect", f"{host}:{port}", "CONNECT")  # the kill switch closes it with a receipt
    sent = [len(rr.leftover), 0]
    try:
        await pipe_both(reader, writer, up_r, up_w, cfg.tunnel_idle_timeout_s, sent)
    finally:
        up_w.close()
        srv.rec.outcome(d.receipt_id, f"closed bytes_out={sent[0]} bytes_in={sent[1]}", "connect")
    return False


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, idle: float = TUNNEL_IDLE_S,
                counts: list[int] | None = None, i: int = 0) -> None:
    try:
        while True:
            data = await asyncio.wait_for(src.read(PIPE_READ), idle)
            if not data:
                break
            if counts is not None:
                counts[i] += len(data)
            dst.write(data)
            await dst.drain()
    except (ConnectionError, OSError, asyncio.TimeoutError):
        pass
    finally:
        try:
            if dst.can_write_eof():
                dst.write_eof()
        except (OSError, RuntimeError):
            pass


async def pipe_both(r1, w1, r2, w2, idle: float = TUNNEL_IDLE_S, counts: list[int] | None = None) -> None:
    """Relay both ways until one side ends; `counts` gets [bytes r1->w2, bytes r2->w1] added."""
    t1 = asyncio.ensure_future(_pipe(r1, w2, idle, counts, 0))
    t2 = asyncio.ensure_future(_pipe(r2, w1, idle, counts, 1))
    try:
        done, pending = await asyncio.wait({t1, t2}, return_when=asyncio.FIRST_COMPLETED)
        # Give the other direction a moment to flush its half-close, then stop.
        if pending:
            await asyncio.wait(pending, timeout=idle)
    finally:
        for t in (t1, t2):
            t.cancel()
        await asyncio.gather(t1, t2, return_exceptions=True)
