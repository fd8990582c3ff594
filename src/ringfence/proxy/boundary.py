"""The proxy's hooks into secrets at the boundary and egress rules (ringfence.secrets).

Each transport makes one call before its usual outbound scan: `gate` decides on the
request as the agent wrote it (placeholders, real values, egress rules). A block
gets its own receipt and the usual 403 JSON; otherwise the transport scans the
request as written (DLP never sees the real values) and sends the rewritten one.
Responses pass `scrub` before the agent sees them."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core import Action, Decision, Finding, decide, fail_closed
from .state import block_response, now
from .target import Target, TargetError, parse_url

if TYPE_CHECKING:
    from .server import ProxyServer

log = logging.getLogger("ringfence.proxy")

HOST_ONLY = "egress decided by host only: the method could not be checked (CONNECT without TLS interception)"


@dataclass
class Gate:
    t: Target                         # where to send (the query may carry an injected value)
    headers: list[tuple[str, str]]    # what to send (placeholders replaced, X-Agent removed)
    body: bytes
    meta: dict | None                 # for the outbound receipt: names and placeholders only
    agent: str
    scanned: list[tuple[str, str]]    # what DLP scans: the request as written, placeholders taken out
    scan_body: bytes


def boundary(srv_or_engine: Any) -> Any:
    eng = getattr(getattr(srv_or_engine, "state", None), "engine", None) or srv_or_engine
    return getattr(eng, "boundary", None)


def _header(headers: list[tuple[str, str]], name: str) -> str:
    for k, v in headers:
        if k.lower() == name:
            return v
    return ""


def agent_of(headers: list[tuple[str, str]]) -> str:
    """Who is asking: an X-Agent header, else the user name of a Basic Proxy-Authorization
    (HTTPS_PROXY=http://PROFILE@127.0.0.1:8888 sends it on every request and CONNECT).
    Self-declared: rules keyed on it narrow what an agent may do; they cannot be trusted to grant."""
    user = ""
    for k, v in headers:
        lk = k.lower()
        if lk == "x-agent" and v.strip():
            return v.strip()[:128]
        if lk == "proxy-authorization" and v[:6].lower() == "basic ":
            try:
                import base64
                user = base64.b64decode(v[6:].strip(), validate=True).decode("utf-8").partition(":")[0]
            except (ValueError, UnicodeDecodeError):
                user = ""
    return user.strip()[:128]


def gate(srv: "ProxyServer", transport: str, t: Target, method: str, headers: list[tuple[str, str]],
         body: bytes, scanned: list[tuple[str, str]] | None = None,
         meta: dict | None = None, agent: str = "") -> tuple[Gate | None, bytes | None]:
    """(None, None): no secrets or egress rules configured, carry on as before.
    (None, response): blocked, receipt written. (Gate, None): send gate's request.
    `agent` is the tunnel's (an X-Agent on the request itself wins)."""
    b = boundary(srv)
    if b is None:
        return None, None
    st = srv.state
    started = now()
    try:
        decoded = None
        ce = _header(headers, "content-encoding").strip().lower()
        if body and ce and ce != "identity":
            from ..engine import decompress
            decoded = decompress(bytes(body), ce, st.config.proxy.max_body_bytes).decode("utf-8", "replace")
        extra = [(k, v) for k, v in (scanned or []) if (k, v) not in headers]
        who = agent_of(scanned if scanned is not None else headers) or agent
        o = b.outbound(method, t.url, list(headers), bytes(body), who, decoded_body=decoded, also_scan=extra)
        d = decide(o.findings, enforce=st.config.enforce, started=started) if o.findings else None
    except Exception as e:  # fail closed
        log.error("boundary check failed: %s", type(e).__name__)
        d, o = fail_closed(e, started), None
    m = dict(meta or {})
    if d is not None and (d.blocked or o is None):
        if o is not None and o.agent:
            m["agent"] = o.agent
        d = srv.rec.record(Action(transport, "outbound", t.url, method, kind="request", meta=m), d, len(body))
        return None, block_response(d)
    if d is not None:  # audit mode: the findings are receipted, the request goes as written
        srv.rec.record(Action(transport, "outbound", t.url, method, kind="request", meta=m), d, len(body))
    t2 = t
    if o.url != t.url:
        try:
            t2 = parse_url(o.url, (t.scheme,))
        except TargetError:
            t2 = t
    intent = o.intent()
    if intent:
        m["intent"] = (m["intent"] + "; " + intent) if isinstance(m.get("intent"), str) else intent
    scanned = [(k, b.mask(v)) for k, v in (scanned if scanned is not None else headers)]
    return Gate(t2, o.headers, o.body, m or None, o.agent, scanned, b.mask_bytes(bytes(body))), None


def connect_egress(srv: "ProxyServer", d: Decision, host: str, headers: list[tuple[str, str]],
                   intercept: bool, meta: dict) -> Decision:
    """CONNECT: egress rules on the host alone. Without interception that is all
    there is, and the receipt says the method could not be checked."""
    b = boundary(srv)
    if b is None or not b.egress.active or d.blocked:
        return d
    try:
        found, v = b.check_host(host, agent_of(headers))
    except Exception as e:
        return fail_closed(e)
    if v is not None:
        note = v.describe() + ("" if intercept else f"; {HOST_ONLY}")
        meta["intent"] = f"{meta.get('intent', '')}; {note}".lstrip("; ")
        meta["method_checked"] = intercept
    if not found:
        return d
    why = HOST_ONLY if not intercept else "no request to this host is allowed"
    found = [Finding(f.scanner, f.rule, f.severity, f.excerpt, f"{f.where}; {why}", f.action) for f in found]
    return decide(list(d.findings) + found, enforce=srv.state.config.enforce)


def scrub(srv_or_engine: Any, data: bytes) -> bytes | None:
    """A response body with echoed real values replaced by placeholders (None: unchanged)."""
    b = boundary(srv_or_engine)
    if b is None or not b.secrets:
        return None
    return b.scrub(data)


def frame_findings(srv: "ProxyServer", host: str, text: str) -> list[Finding]:
    """An outbound WebSocket message: real values and misrouted placeholders (frames are
    not rewritten, so a placeholder in a frame is only allowed to its own hosts)."""
    b = boundary(srv)
    if b is None or not b.secrets:
        return []
    return b.message_findings(text, host)
