"""What `ringfence envoy serve` decides, without gRPC: one Exchange per HTTP stream.

Outbound (request headers and body): kill switch, shared rate limit and data budget,
the URL pipeline, header and body DLP, one receipt. Inbound (response): prompt
injection over the body (strip rewrites it, block replaces it), SSE event by event,
and MCP tools/list drift against the shared baselines. Every error blocks."""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..core import Action, Content, Decision, Finding, decide, fail_closed

log = logging.getLogger("ringfence.envoy")

# Set by Envoy or by the generated bootstrap, not by the agent: not scanned.
_SKIP = frozenset({"host", "content-length", "x-request-id", "x-envoy-expected-rq-timeout-ms",
                   "x-forwarded-proto", "x-envoy-internal", "x-forwarded-for", "x-envoy-original-path"})
MAX_TOOLS_BODY = 4 << 20  # tools/list bodies parsed for baseline drift up to this size


@dataclass
class Verdict:
    """What the gRPC layer sends back: pass (maybe with a new body), or an immediate reply."""
    decision: Decision
    status: int = 0                 # != 0: reply now with this status and body
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    replace: bytes | None = None    # pass, with this body instead (strip)

    @property
    def immediate(self) -> bool:
        return self.status != 0


@dataclass
class Exchange:
    method: str = ""
    url: str = ""
    host: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    started: float = 0.0
    req_ct: str = ""
    req_ce: str = ""
    resp_ct: str = ""
    resp_ce: str = ""
    resp_status: str = ""
    sse: Any = None
    sse_done: bool = False
    out_bytes: int = 0
    in_bytes: int = 0


def block_doc(d: Decision, direction: str = "outbound") -> dict:
    """The proxy's block body. Inbound, without the findings: their excerpts are the
    blocked content, which never goes back to the agent (scanner, rule, receipt only)."""
    from ..proxy.state import block_body  # the proxy's exact body: one contract for both
    doc = block_body(d)
    if direction == "inbound":
        doc.pop("findings", None)
    return doc


def block_json(d: Decision, direction: str = "outbound") -> bytes:
    return orjson.dumps(block_doc(d, direction))


def _hdr(headers: list[tuple[str, str]], name: str) -> str:
    for k, v in headers:
        if k == name:
            return v
    return ""


class Gate:
    def __init__(self, config: Any, engine: Any, writer: Any, hooks: Any, state: Any = None,
                 limits: Any = None, mirror: Any = None, baselines: Any = None):
        self.config, self.engine, self.writer, self.hooks = config, engine, writer, hooks
        self.state, self.limits, self.mirror, self.baselines = state, limits, mirror, baselines
        self.shared = state is not None and getattr(state, "shared", False)

    # -- receipts -------------------------------------------------------------
    def record(self, action: Action, d: Decision, nbytes: int = 0) -> Decision:
        try:
            rid = self.writer.record(action, d, wait=True)  # written on return (a signer thread too)
        except Exception as e:  # no receipt, no pass
            log.error("receipt write failed: %s", e)
            rid = ""
            if not d.blocked:
                d = fail_closed(e)
        try:
            self.hooks.observe("envoy", d, nbytes)
        except Exception:
            pass
        return d.with_receipt(rid or "")

    def _block(self, ex: Exchange, d: Decision, direction: str, kind: str, status: int = 403) -> Verdict:
        d = self.record(Action("envoy", direction, ex.url or ex.host, ex.method, kind=kind), d)
        return Verdict(d, status, block_json(d, direction), [("content-type", "application/json"),
                                                   ("x-ringfence-decision", "block"),
                                                   ("x-ringfence-receipt", d.receipt_id),
                                                   ("cache-control", "no-store")])

    async def _url_findings(self, ex: Any, resolve: bool) -> list:
        """The URL pipeline on ex.url, then the shared rate limit / budget for its host."""
        d_url, _ = await self.engine.acheck_url(ex.url, ex.method, resolve=resolve)
        ex.host = _host_of(ex.url)
        findings = list(d_url.findings)
        if not d_url.blocked and self.limits is not None:
            f = await self.limits.admit(ex.host)
            if f is not None:
                findings.append(f)
        return findings

    def kill_verdict(self, ex: Exchange) -> Verdict | None:
        reason = self.hooks.kill_reason()
        if reason is None:
            unknown = self.mirror.unavailable if self.mirror is not None else None
            if unknown is None:
                return None
            from ..state import unavailable_finding
            return self._block(ex, decide([unavailable_finding(unknown)]), "outbound", "request")
        d = decide([Finding("policy", "kill_switch", "critical", reason[:80], "", "block")])
        d = self.record(Action("envoy", "outbound", ex.url or ex.host, ex.method, kind="request",
                               meta={"kill_switch": True}), d)
        body = orjson.dumps({"error": "kill_switch_active", "blocked": True, "reason": reason,
                             "receipt_id": d.receipt_id})
        return Verdict(d, 503, body, [("content-type", "application/json"), ("x-ringfence-decision", "block"),
                                      ("x-ringfence-receipt", d.receipt_id)])

    # -- outbound -----------------------------------------------------------------
    async def request_headers(self, ex: Exchange, headers: list[tuple[str, str]], end_of_stream: bool,
                              upstream: str = "", resolve: bool = False) -> Verdict | None:
        """None: go on (the body follows). A Verdict: reply now, or the final pass."""
        ex.started = time.perf_counter()
        try:
            ex.method = _hdr(headers, ":method") or "GET"
            path = _hdr(headers, ":path") or "/"
            authority = _hdr(headers, ":authority")
            if upstream:  # reverse listener: the API the agent really talks to
                ex.url = upstream.rstrip("/") + path
            else:
                ex.url = f"{_hdr(headers, ':scheme') or 'http'}://{authority}{path}"
            ex.headers = [(k, v) for k, v in headers if not k.startswith(":") and k not in _SKIP]
            ex.req_ct, ex.req_ce = _hdr(headers, "content-type"), _hdr(headers, "content-encoding")
            kv = self.kill_verdict(ex)
            if kv is not None:
                return kv
            findings = await self._url_findings(ex, resolve)
            if not any(f.action == "block" for f in findings) and ex.headers:
                findings += self.engine.inspect(Action("envoy", "outbound", ex.url, ex.method, kind="request"),
                                                Content("headers", ex.headers, host=ex.host, url=ex.url)).findings
            ex.findings = findings
            d = decide(findings, enforce=self.config.enforce, started=ex.started)
            if d.blocked or d.error:
                return self._block(ex, d, "outbound", "request")
            if end_of_stream:
                return self._pass_request(ex, d)
            return None
        except Exception as e:
            return self._block(ex, fail_closed(e, ex.started), "outbound", "request")

    async def request_body(self, ex: Exchange, body: bytes) -> Verdict:
        try:
            ex.out_bytes += len(body)
            if body:
                d_body = self.engine.scan_body(body, ex.req_ct, ex.req_ce, "outbound", ex.host)
                ex.findings += list(d_body.findings)
            d = decide(ex.findings, enforce=self.config.enforce, started=ex.started)
            if d.blocked:
                return self._block(ex, d, "outbound", "request")
            return self._pass_request(ex, d)
        except Exception as e:
            return self._block(ex, fail_closed(e, ex.started), "outbound", "request")

    def _pass_request(self, ex: Exchange, d: Decision) -> Verdict:
        return Verdict(self.record(Action("envoy", "outbound", ex.url, ex.method, kind="request"), d, ex.out_bytes))

    # -- inbound -------------------------------------------------------------------
    def response_headers(self, ex: Exchange, headers: list[tuple[str, str]]) -> bool:
        """Returns True when the body is an event stream (scan it STREAMED, event by event)."""
        ex.resp_ct = _hdr(headers, "content-type")
        ex.resp_ce = _hdr(headers, "content-encoding")
        ex.resp_status = _hdr(headers, ":status")
        if ex.resp_ct.split(";")[0].strip().lower() == "text/event-stream":
            from ..proxy.sse import SseScanner, StreamDecoder
            ex.sse = (SseScanner(self.engine, ex.host), StreamDecoder(ex.resp_ce, self.config.proxy.max_body_bytes))
            return True
        return False

    async def response_body(self, ex: Exchange, body: bytes) -> Verdict:
        """A whole (buffered) response body."""
        started = time.perf_counter()
        try:
            ex.in_bytes += len(body)
            await self._account(ex)
            d = self.engine.scan_response(body, ex.resp_ct, ex.resp_ce, ex.host) if body else Decision("allow")
            findings = list(d.findings)
            if not d.blocked and body and len(body) <= MAX_TOOLS_BODY and "json" in ex.resp_ct.lower():
                findings += await self._tools_drift(ex, body)
                if len(findings) != len(d.findings):
                    d = decide(findings, enforce=self.config.enforce, started=started,
                               content=d.content if d.verdict == "strip" else None)
            if d.blocked:
                return self._block(ex, d, "inbound", "response")
            d = self.record(Action("envoy", "inbound", ex.url, ex.method, kind="response"), d, len(body))
            if d.verdict == "strip" and d.content is not None:
                new = d.content if isinstance(d.content, bytes) else d.content.encode("utf-8")
                return Verdict(d, replace=new)
            return Verdict(d)
        except Exception as e:
            return self._block(ex, fail_closed(e, started), "inbound", "response")

    async def response_chunk(self, ex: Exchange, chunk: bytes, end: bool) -> bytes:
        """STREAMED event stream: the bytes to release for this chunk. A detection ends
        the stream with one `ringfence_blocked` event (as the proxy does); later chunks
        release nothing."""
        if ex.sse_done:
            return b""
        ex.in_bytes += len(chunk)
        try:
            scanner, decoder = ex.sse
            data = decoder.feed(chunk)  # the agent gets decoded events (content-encoding is removed)
            out, bad = scanner.feed(data)
            if bad is None and end:
                rest, bad = scanner.finish()
                out += rest
            if bad is None and out and self.baselines is not None:
                drift = await self._tools_drift_sse(ex, out)
                if drift:
                    bad = decide(drift, enforce=self.config.enforce)
                    if not bad.blocked:
                        bad = None
        except Exception as e:
            out, bad = b"", fail_closed(e)
        if bad is not None and bad.verdict in ("block", "strip") and self.config.enforce:
            ex.sse_done = True
            d = self.record(Action("envoy", "inbound", ex.url, ex.method, kind="sse_event"), bad)
            await self._account(ex)
            return out + b"event: ringfence_blocked\ndata: " + block_json(d, "inbound") + b"\n\n"
        if bad is not None:  # warn / audit: a receipt, the event passes
            self.record(Action("envoy", "inbound", ex.url, ex.method, kind="sse_event"), bad)
        if end:
            self.record(Action("envoy", "inbound", ex.url, ex.method, kind="response"), Decision("allow"),
                        ex.in_bytes)
            await self._account(ex)
        return out

    async def _account(self, ex: Exchange) -> None:
        n = ex.out_bytes + ex.in_bytes
        ex.out_bytes = ex.in_bytes = 0
        if n <= 0 or not ex.host:
            return
        if self.limits is not None:
            await self.limits.account(ex.host, n)
            return
        rl = getattr(getattr(self.engine, "url", None), "ratelimit", None)
        if rl is not None and getattr(rl, "bpm", None) is not None:
            rl.add_bytes(ex.host, n)

    async def finish(self, ex: Exchange) -> None:
        """A response without a body: count what the request sent."""
        await self._account(ex)

    async def authorize(self, ex: Exchange, method: str, host: str, path: str, scheme: str) -> Verdict:
        """ext_authz: CONNECT to `host` (host:port), or any request's cheap checks.
        A tunnel's bytes are not inspected: only where it goes."""
        ex.started = time.perf_counter()
        try:
            ex.method = method or "GET"
            connect = ex.method == "CONNECT"
            ex.url = f"https://{host}/" if connect else f"{scheme or 'http'}://{host}{path}"
            kv = self.kill_verdict(ex)
            if kv is not None:
                return kv
            findings = await self._url_findings(ex, connect)
            d = decide(findings, enforce=self.config.enforce, started=ex.started)
            if d.blocked:
                return self._block(ex, d, "outbound", "connect" if connect else "request")
            d = self.record(Action("envoy_authz", "outbound", ex.url if not connect else host, ex.method,
                                   kind="connect" if connect else "request",
                                   meta={"tunnel_bodies_inspected": False} if connect else {}), d)
            return Verdict(d)
        except Exception as e:
            return self._block(ex, fail_closed(e, ex.started), "outbound", "request")

    # -- MCP tools/list over HTTP: poisoning and shared rug-pull baselines ------------
    async def _tools_drift(self, ex: Exchange, body: bytes) -> list[Finding]:
        try:
            msg = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return []
        return await self._tools_findings(ex, msg)

    async def _tools_drift_sse(self, ex: Exchange, released: bytes) -> list[Finding]:
        out: list[Finding] = []
        for raw in released.split(b"\n\n"):
            data = b"\n".join(line[5:].strip() for line in raw.splitlines() if line.startswith(b"data:"))
            if b'"tools"' in data and len(data) <= MAX_TOOLS_BODY:
                try:
                    out += await self._tools_findings(ex, json.loads(data))
                except (ValueError, UnicodeDecodeError):
                    continue
        return out

    async def _tools_findings(self, ex: Exchange, msg: Any) -> list[Finding]:
        res = msg.get("result") if isinstance(msg, dict) else None
        tools = res.get("tools") if isinstance(res, dict) else None
        if not isinstance(tools, list):
            return []
        findings = list(self.engine.inspect(Action("envoy", "inbound", ex.url, "tools/list", kind="tools_list"),
                                            Content("tools_list", (tools, False), path="tools/list")).findings)
        if self.baselines is not None:
            findings += await self.baselines.check(ex.url.split("?")[0], tools)
        return findings


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
