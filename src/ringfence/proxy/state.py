"""What the proxy shares across connections: the swappable (config, engine)
holder, the receipt writer, the ops hooks, and how a decision becomes bytes."""
from __future__ import annotations

import logging
import time
from typing import Any, NoReturn

import orjson

from ..core import Action, Decision, after_written, agent_answer, open_receipts, record, record_outcome
from .http1 import REASONS, HttpError, render_head

log = logging.getLogger("ringfence.proxy")


class State:
    """Swapped as one object on reload, so a request sees one consistent pair
    (verdicts of repeats are cached by the engine, which a reload replaces)."""

    __slots__ = ("config", "engine")

    def __init__(self, config: Any, engine: Any):
        self.config = config
        self.engine = engine


class Hooks:
    """Operations hooks (kill switch, metrics); each optional."""

    def __init__(self, config: Any, metrics: bool = True):
        """metrics=False when nothing can read them (no admin port): no prometheus_client
        in memory, no counter updates per request."""
        self.killswitch = None
        self.metrics = None
        self._children: dict[tuple[str, str, str], Any] = {}
        try:
            from ..ops.killswitch import KillSwitch
            self.killswitch = KillSwitch(config)
        except ImportError:
            pass
        if metrics:
            try:
                from ..ops.metrics import Metrics
                self.metrics = Metrics()
                if self.killswitch is not None and hasattr(self.metrics, "bind_killswitch"):
                    self.metrics.bind_killswitch(self.killswitch)
            except ImportError:
                pass

    def kill_reason(self) -> str | None:
        ks = self.killswitch
        if ks is None:
            return None
        try:
            return ks.active()
        except Exception as e:  # fail closed: a broken kill switch denies
            return f"kill switch error: {type(e).__name__}"

    def count_kill(self) -> None:
        """One request or relay denied by the kill switch (metrics)."""
        m = self.metrics
        c = getattr(m, "kill_switch_denials", None) if m is not None else None
        if c is not None:
            try:
                c.inc()
            except Exception:
                log.debug("kill switch counter failed", exc_info=True)

    def observe(self, transport: str, d: Decision, nbytes: int) -> None:
        m = self.metrics
        if m is None:
            return
        top = d.top
        scanner = top.scanner if top else ""
        try:
            ch = self._children.get((transport, d.verdict, scanner))
            if ch is None:
                ch = self._bind(m, transport, d.verdict, scanner)
            if ch is False:
                m.observe(transport, d.verdict, scanner, d.duration_ms / 1000.0, nbytes)
                return  # (a metrics object of another shape counts its own blocks)
            # Same updates as Metrics.observe, on label children bound once
            # (prometheus_client's labels() lookup costs more than the update).
            ch[0].inc()
            ch[1].inc()
            ch[2].observe(d.duration_ms / 1000.0)
            if nbytes:
                ch[3].inc(nbytes)
            if d.verdict == "block" and hasattr(m, "block"):
                m.block(scanner, top.rule if top else "")
        except Exception:
            log.debug("metrics observe failed", exc_info=True)

    def count(self, name: str, *labels: str) -> None:
        """Increment an optional counter of the metrics object (receipts, upstream errors)."""
        c = getattr(self.metrics, name, None)
        if c is None:
            return
        try:
            (c.labels(*labels) if labels else c).inc()
        except Exception:
            log.debug("metrics count failed", exc_info=True)

    def _bind(self, m: Any, transport: str, verdict: str, scanner: str):
        try:
            ch = (m.requests.labels(transport), m.decisions.labels(transport, verdict, scanner or "none"),
                  m.latency.labels(transport), m.bytes.labels(transport))
        except AttributeError:  # a metrics object of another shape: use its own observe
            ch = False
        if len(self._children) < 4096:  # label space is small; bound it anyway
            self._children[(transport, verdict, scanner)] = ch
        return ch


class Recorder:
    """Writes one receipt per decision and reports metrics."""

    def __init__(self, writer: Any, hooks: Hooks):
        self.writer = writer
        self.hooks = hooks
        self.queued = getattr(writer, "tickets", None) is not None  # a signer thread: receipts may wait

    def record(self, action: Action, d: Decision, nbytes: int = 0,
               started: float | None = None, defer: str = "") -> Decision:
        """`started` (perf_counter) re-times a reused (memoized) decision: its duration
        is this event's, set on the one Decision built here. `defer`: see core.record
        (the caller then waits with written() before it acts)."""
        if started is not None:
            d = Decision(d.verdict, d.findings, d.reason, d.content,
                         (time.perf_counter() - started) * 1000, d.error)
        d = record(self.writer, action, d, self.hooks.count, defer)  # no receipt, no pass
        self.hooks.observe(action.transport, d, nbytes)
        return d

    def upstream_error(self, transport: str, reason: str) -> None:
        self.hooks.count("upstream_errors", transport, reason[:64])

    def written(self, callback) -> bool:
        """After a deferred record(): True when `callback(error)` will run on this loop
        once the receipt is written (or failed); False when it already is."""
        return self.queued and after_written(self.writer, callback)

    def outcome(self, intent_id: str, result: str, transport: str = "fetch", defer: str = "") -> None:
        """The outcome receipt of an intent (after its bytes left); an "error=rule"
        result also counts as an upstream error, receipts on or off."""
        if result.startswith("error="):
            self.hooks.count("upstream_errors", transport, result[6:70].split(" ", 1)[0])
        record_outcome(self.writer, intent_id, result, defer)


def block_body(d: Decision) -> dict:
    return agent_answer(d)


# Findings that mean "could not reach", not "dangerous": the request is still never
# forwarded, but the client gets a 502 error (blocked: false), not a security block.
UNAVAILABLE = frozenset({("ssrf", "dns_failure")})


def block_response(d: Decision, status: int = 403, close: bool = False, html: bool = False) -> bytes:
    if d.findings and all((f.scanner, f.rule) in UNAVAILABLE for f in d.findings):
        f = d.findings[0]
        return error_response(502, f.rule, f.excerpt or "could not resolve the host", d.receipt_id, close)
    if html:  # a browser (Accept: text/html) gets a page; API clients keep the JSON
        from .blockpage import html_block_response
        return html_block_response(d, status, close)
    body = orjson.dumps(block_body(d))
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               ("X-Ringfence-Decision", "block"), ("X-Ringfence-Receipt", d.receipt_id),
               ("Cache-Control", "no-store")]
    if close:
        headers.append(("Connection", "close"))
    return render_head(status, REASONS.get(status, "Forbidden"), headers) + body


class Refused(Exception):
    """A request target the URL pipeline refuses (a URL parsers disagree on, an invalid
    IP literal, a refused scheme): a decision like any other, with a receipt and the
    block answer. `response` is that answer, ready to write."""

    def __init__(self, response: bytes):
        super().__init__("request target refused")
        self.response = response


def refuse_target(srv: Any, transport: str, url: str, method: str, headers: Any, err: Exception,
                  prefix: str = "") -> NoReturn:
    """A target the transport could not parse. When the URL pipeline blocks the same
    URL (as `ringfence check --url` and every other path would), raise Refused with the
    recorded block; a target no pipeline can read at all stays a 400."""
    d, _ = srv.state.engine.check_url(url, method, resolve=False)
    if not d.blocked or d.reason == "url:parse_error":   # nothing there to decide on
        raise HttpError(400, f"{prefix}{err}", "bad_target") from None
    d = srv.rec.record(Action(transport, "outbound", url[:2048], method, kind="request"), d)
    from .blockpage import wants_html
    raise Refused(block_response(d, close=True, html=wants_html(headers)))


def error_response(status: int, error: str, message: str, receipt_id: str = "",
                   close: bool = True) -> bytes:
    payload = {"blocked": False, "error": error, "message": message}
    if receipt_id:
        payload["receipt_id"] = receipt_id
    body = orjson.dumps(payload)
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if receipt_id:
        headers.append(("X-Ringfence-Receipt", receipt_id))
    if close:
        headers.append(("Connection", "close"))
    return render_head(status, REASONS.get(status, "Error"), headers) + body


def kill_response(reason: str, receipt_id: str) -> bytes:
    body = orjson.dumps({"error": "kill_switch_active", "blocked": True, "reason": reason,
                         **({"receipt_id": receipt_id} if receipt_id else {})})
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               ("X-Ringfence-Decision", "block"), ("X-Ringfence-Receipt", receipt_id),
               ("Connection", "close")]
    return render_head(503, "Service Unavailable", headers) + body


def now() -> float:
    return time.perf_counter()
