"""The Inspector: one object that every transport calls (ringfence.engine is the
old import path, kept as a re-export).

It composes the scanners (pure, no I/O) and returns one Decision per event.
DNS for the SSRF check goes through an injected resolver. Every method fails
closed: an internal error becomes a block Decision that says why.
"""
from __future__ import annotations

import functools
import threading
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Iterable

from ..config.frozen import default_config
from . import exempt
from .decide import decide, fail_closed, finding_as_block
from .types import MCP_LISTINGS, Action, Content, Decision, Finding
from .verdicts import MISS, VerdictCache, cacheable
from ..scanners.content import ContentError, body_fields, decode_body, decompress, header_fields
from ..scanners.crosssplit import url_pieces
from ..scanners.public_ids import drop_chain_query_hits, issuer_use
from ..scanners.schemes import smuggling_findings

if TYPE_CHECKING:
    from ..config import Config

# What transports may use from the scanning side, so they never import scanners.
__all__ = ["Engine", "Inspector", "ContentError", "CACHE_MAX_KEY_CHARS", "ROUTES", "decompress", "host_matches", "is_textual", "public_ip_literal",
           "rule_examples", "AGENT_CARD_PATHS", "MCP_LISTINGS"]

log = logging.getLogger("ringfence.engine")

# Which scanners see what: (direction, content kind) -> steps, in order. The one
# place that says it; transports name the kind and never pick scanners. URLs go
# through check_url/acheck_url (DLP before DNS, then SSRF): the only step that
# waits on I/O, so sync and async differ only there.
ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("outbound", "headers"): ("dlp_fields", "dlp_split"),  # dlp_split: headers + the URL, glued
    ("outbound", "body"): ("dlp_body", "a2a_request"),     # A2A only when the body is JSON-RPC
    ("outbound", "text"): ("dlp",),
    ("inbound", "text"): ("injection",),
    ("inbound", "response"): ("injection_response", "agent_card"),  # Agent Card only on its paths
    ("inbound", "tool_result"): ("tool_result",),           # text, or an MCP result object (Content.session and
                                                            # Action.target: the call it answers, for data flow)
    # MCP: data is (name, arguments) / (tools, continuation); Content.session is the
    # connection's tool session (chains, rug-pull baselines), or None for one-shot checks.
    ("outbound", "tool_call"): ("tool_call",),
    ("inbound", "tools_list"): ("tools_list",),
    # prompts/list, resources/list, resources/templates/list: data is (method, items,
    # continuation); the tool-poisoning rules and a rug-pull baseline per listing.
    ("inbound", "listing"): ("listing",),
}

TEXTUAL = ("text/", "application/json", "+json", "xml", "javascript", "ecmascript", "yaml",
           "markdown", "x-www-form-urlencoded", "ndjson", "graphql", "application/x-sh", "toml", "csv")
AGENT_CARD_PATHS = ("/.well-known/agent-card.json", "/.well-known/agent.json")


def is_textual(content_type: str) -> bool:
    ct = content_type.lower()
    return not ct or any(t in ct for t in TEXTUAL)


def is_agent_card_path(path: str) -> bool:
    return path.split("?", 1)[0].endswith(AGENT_CARD_PATHS)

# Memoization of pure scan results. Agents repeat the same URLs and headers
# constantly; the scanners are deterministic for a given config. All verdicts live in
# one VerdictCache (core/verdicts.py) owned here: a reload builds a new Engine, and
# the kill switch invalidates it.
CACHE_MAX_KEY_CHARS = 8192   # bigger inputs are scanned every time (hashing them costs more than it saves)
CACHE_MAX_FIELDS = 64        # headers, URL parts, small forms
DNS_TTL_S = 2.0              # vetted answers of the system resolver are reused this long
TEXT_CACHE_MAX_CHARS = 16384
_MISS = MISS


class _Lru:
    """A small bounded LRU of vetted DNS answers (not verdicts). Locked for worker threads."""

    __slots__ = ("size", "data", "lock")

    def __init__(self, size: int):
        self.size = size
        self.data: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            v = self.data.get(key, _MISS)
            if v is not _MISS:
                self.data.move_to_end(key)
            return v

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


# the kinds whose Action.target is an MCP tool's name (tool-scoped exemptions)
TOOL_KINDS = frozenset({"tool_call", "tool_result"})


def host_matches(host: str, pattern: str) -> bool:
    host, pattern = host.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        return host == pattern[2:] or host.endswith(pattern[1:])
    return host == pattern


class Engine:
    """Build once per config; swap the whole object on reload."""

    def __init__(self, config: Config | None = None, resolver: Any = None, *, lazy: bool = False):
        """lazy=True builds each scanner on first use (one-shot commands such as `check`
        pay only for what they scan); servers build everything up front."""
        from ..scanners.ssrf import SystemResolver

        self.config = config or default_config()
        self.resolver = resolver or SystemResolver(timeout=self.config.ssrf.dns_timeout_s)
        self._build_lock = threading.Lock()
        self._dlp = self._injection = self._url = None
        self._url_pure = False  # set when the URL scanner is built: no rate limit or data budget
        self.verdicts = VerdictCache()
        if not lazy:
            self.url  # builds dlp too
            self.injection
        # DNS answers are only reused for the resolver we built ourselves: an injected
        # resolver (tests, --resolve) is asked every time.
        self._dns_cache: _Lru | None = _Lru(1024) if resolver is None else None
        self._tools = None  # MCP and A2A scanners are built on first use (keeps start-up lean)
        self._a2a = None

    # -- scanners (built on first use when lazy) --------------------------
    @property
    def dlp(self):
        s = self._dlp
        if s is None:
            from ..scanners.dlp import DlpScanner
            with self._build_lock:
                if self._dlp is None:
                    self._dlp = _clean_entries(DlpScanner(self.config), "scan", "scan_fields")
                s = self._dlp
        return s

    @dlp.setter
    def dlp(self, value) -> None:
        self._dlp = value

    @property
    def injection(self):
        s = self._injection
        if s is None:
            from ..scanners.injection import InjectionScanner
            with self._build_lock:
                if self._injection is None:
                    self._injection = _clean_entries(InjectionScanner(self.config), "scan", "strip")
                s = self._injection
        return s

    @injection.setter
    def injection(self, value) -> None:
        self._injection = value

    @property
    def url(self):
        s = self._url
        if s is None:
            from ..scanners.url import UrlScanner
            dlp = self.dlp
            with self._build_lock:
                if self._url is None:
                    from ..state.ratewindow import shared_window
                    u = _clean_entries(UrlScanner(self.config, dlp, shared_window=shared_window(self.config)), "scan")
                    # URL verdicts are reused only when nothing in the static pipeline
                    # is stateful (rate limit, data budget).
                    self._url_pure = not u.ratelimit.enabled
                    self._url = u
                s = self._url
        return s

    @url.setter
    def url(self, value) -> None:
        self._url = value

    # -- the verdict cache ---------------------------------------------------
    @property
    def repeatable(self) -> bool:
        """Whether an exact repeat of a request may reuse its verdict: the static URL
        pipeline keeps no state (a rate limit makes a verdict depend on the past)."""
        self.url
        return self._url_pure

    def invalidate(self) -> None:
        """Kill switch (or any policy change in place): forget every verdict and DNS answer."""
        self.verdicts.invalidate()
        if self._dns_cache is not None:
            self._dns_cache.clear()

    # -- helpers -------------------------------------------------------
    def _finish(self, findings: list[Finding], started: float, host: str = "",
                content: str | bytes | None = None) -> Decision:
        findings = exempt.keep(findings, self.config, host)   # tool-scoped ones: inspect()
        if host and findings:  # a key public at its own service, used there (scanners/public_ids.py)
            findings = [f for f in findings if not issuer_use(f.rule, f.where, host)]
        return decide(findings, enforce=self.config.enforce, started=started, content=content)

    # -- cached pure steps -----------------------------------------------
    def _url_scan(self, url: str, method: str):
        """The static URL pipeline (no I/O), memoized by exact (url, method)."""
        scanner = self.url  # built first: that decides whether there is a cache
        if not self._url_pure or not isinstance(url, str) or len(url) > CACHE_MAX_KEY_CHARS:
            return scanner.scan(url, method)
        c = self.verdicts
        key = c.key("outbound", "url", url, method)
        res = c.get(key)
        if res is _MISS:
            res = scanner.scan(url, method)
            if cacheable(res.findings):
                c.put(key, res)
        return res

    def _dlp_fields(self, fields: list[tuple[str, str]]) -> list[Finding]:
        """Outbound DLP over named fields; chain addresses in a chain RPC call's params pass."""
        return drop_chain_query_hits(fields, self._dlp_fields_cached(fields))

    def _dlp_fields_cached(self, fields: list[tuple[str, str]]) -> list[Finding]:
        """Outbound DLP over named fields, memoized by the exact field list."""
        # Many fields (a JSON body's leaves) are rarely repeated exactly: building the
        # key would cost more than it saves, so only small field lists are memoized.
        if len(fields) > CACHE_MAX_FIELDS:
            return self.dlp.scan_fields(fields)
        try:
            size = sum(len(w) + len(v) for w, v in fields)
            if size > CACHE_MAX_KEY_CHARS:
                return self.dlp.scan_fields(fields)
            c = self.verdicts
            key = c.key("outbound", "fields", fields)
        except TypeError:
            return self.dlp.scan_fields(fields)
        got = c.get(key)
        if got is _MISS:
            got = tuple(self.dlp.scan_fields(fields))
            if cacheable(got):
                c.put(key, got)
        return list(got)

    def _inbound(self, text: str, where: str) -> tuple[list[Finding], Any]:
        """Prompt-injection findings (and stripped text), memoized by exact small text."""
        key = None
        c = self.verdicts
        if isinstance(text, str) and len(text) <= TEXT_CACHE_MAX_CHARS:
            key = c.key("inbound", "text", text, where)
            got = c.get(key)
            if got is not _MISS:
                return list(got[0]), got[1]
        findings = self.injection.scan(text, where)
        content = None
        if any(f.action == "strip" for f in findings):
            content = self.injection.strip(text, findings)
            if content is None:  # could not strip safely: block instead
                findings = [finding_as_block(f) for f in findings]
        if key is not None and cacheable(findings):
            c.put(key, (tuple(findings), content), len(content) if content else 0)
        return findings, content

    def _resolve_cached(self, res) -> tuple[list[str], list[Finding]] | None:
        c = self._dns_cache
        if c is None or res.is_ip:
            return None
        hit = c.get((res.host, res.port))
        if hit is _MISS or hit[0] < time.monotonic():
            return None
        return list(hit[1]), []

    def _resolve(self, res) -> tuple[list[str], list[Finding]]:
        addrs, ssrf = self.url.resolve_and_check(res, self.resolver)
        # Only clean, fully vetted answers are remembered: we dial exactly what was checked.
        if self._dns_cache is not None and not res.is_ip and addrs and not ssrf:
            self._dns_cache.put((res.host, res.port), (time.monotonic() + DNS_TTL_S, tuple(addrs)))
        return addrs, ssrf

    # -- URLs ------------------------------------------------------------
    def check_url(self, url: str, method: str = "GET", *, resolve: bool = True) -> tuple[Decision, list[str]]:
        """Run the URL pipeline. DLP runs before any DNS lookup. Returns the
        Decision and, when allowed and resolved, the vetted addresses to dial
        (dial only these: that pins the checked address against rebinding)."""
        started = time.perf_counter()
        try:
            res = self._url_scan(url, method)
            findings = list(res.findings)
            if any(f.action == "block" for f in findings) or not resolve or not res.host:
                return self._finish(findings, started, res.host), []
            addrs, ssrf = self._resolve_cached(res) or self._resolve(res)
            findings += ssrf
            d = self._finish(findings, started, res.host)
            return d, ([] if d.blocked else addrs)
        except Exception as e:  # fail closed
            return fail_closed(e, started), []

    async def acheck_url(self, url: str, method: str = "GET", *, resolve: bool = True) -> tuple[Decision, list[str]]:
        """Async form: static checks inline, DNS in a worker thread."""
        started = time.perf_counter()
        try:
            res = self._url_scan(url, method)
            findings = list(res.findings)
            if any(f.action == "block" for f in findings) or not resolve or not res.host:
                return self._finish(findings, started, res.host), []
            got = self._resolve_cached(res)
            if got is None:
                # IP literals need no lookup: checked inline, no thread hop
                if res.is_ip:
                    got = self._resolve(res)
                else:
                    import asyncio  # here, not at module level: one-shot commands never need it
                    got = await asyncio.to_thread(self._resolve, res)
            addrs, ssrf = got
            findings += ssrf
            d = self._finish(findings, started, res.host)
            return d, ([] if d.blocked else addrs)
        except Exception as e:
            return fail_closed(e, started), []

    # -- text, headers, bodies -------------------------------------------
    def scan_text(self, text: str, direction: str = "outbound", where: str = "text", host: str = "",
                  kind: str = "") -> Decision:
        """Outbound: DLP. Inbound: prompt injection (with strip when configured).
        Inbound `kind="tool_result"` (what an MCP server sends the client: results,
        notifications, server requests) also runs DLP: a credential in a tool
        result is local data on its way to the model provider. Whole messages and
        the cross-event windows of an SSE stream both come through here, so one
        payload gets one verdict however it is split."""
        started = time.perf_counter()
        try:
            if direction == "outbound":
                return self._finish(self.dlp.scan(text, where), started, host)
            findings, content = self._inbound(text, where)
            if kind == "tool_result":
                from ..scanners.handoff import credential_handoff   # any language (rules/handoff.py)
                handoff = credential_handoff(text, where)
                if handoff:
                    findings = [finding_as_block(f) if f.action == "strip" else f for f in findings] + handoff
                    content = None
                dlp = [f if f.action != "strip" else finding_as_block(f) for f in self.dlp.scan(text, where)]
                if dlp:
                    findings = [finding_as_block(f) if f.action == "strip" else f for f in findings] + dlp
                    content = None
            return self._finish(findings, started, host, content)
        except Exception as e:
            return fail_closed(e, started)

    def scan_fields(self, fields: Iterable[tuple[str, str]], direction: str = "outbound", host: str = "",
                    audience: str = "") -> Decision:
        """Several named strings (headers, JSON leaves, form fields): each alone and joined.
        Inbound `audience="agent"`: text only the agent reads (an Agent Card, MCP server
        instructions), so an instruction in it needs no addressee to count."""
        started = time.perf_counter()
        try:
            fields = list(fields)
            if direction == "outbound":
                return self._finish(self._dlp_fields(fields) + smuggling_findings(fields), started, host)
            findings: list[Finding] = []
            for where, value in fields:
                findings += self.injection.scan(value, where, audience=audience)
            if audience == "agent":   # text only the agent reads: a handoff needs no URL
                from ..scanners.handoff import credential_handoff
                for where, value in fields:
                    if (got := credential_handoff(value, where, agent_only=True)):
                        findings += got
                        break
            findings = [finding_as_block(f) if f.action == "strip" else f for f in findings]
            return self._finish(findings, started, host)
        except Exception as e:
            return fail_closed(e, started)

    def scan_headers(self, headers: Iterable[tuple[str, str]], direction: str = "outbound", host: str = "") -> Decision:
        return self.scan_fields(header_fields(headers), direction, host)

    def scan_body(self, body: bytes, content_type: str = "", content_encoding: str = "",
                  direction: str = "outbound", host: str = "") -> Decision:
        """A request body: decompressed under caps, split by content type, DLP per field and joined."""
        started = time.perf_counter()
        try:
            fields = body_fields(body, content_type, content_encoding, self.config)
        except ContentError as e:
            f = Finding("content", e.rule, "high", str(e)[:80], "body", "block")
            return self._finish([f], started, host)
        except Exception as e:
            return fail_closed(e, started)
        return self.scan_fields(fields, direction, host) if direction == "outbound" else \
            self.scan_text("\n".join(v for _, v in fields), "inbound", "body", host)

    def scan_response(self, body: bytes | str, content_type: str = "", content_encoding: str = "",
                      host: str = "") -> Decision:
        """An inbound response body: prompt injection over its decoded text.
        DLP does not block inbound content (fetched docs may show example keys)."""
        started = time.perf_counter()
        try:
            text = body if isinstance(body, str) else decode_body(body, content_encoding, self.config)
        except ContentError as e:
            f = Finding("content", e.rule, "high", str(e)[:80], "response", "block")
            return self._finish([f], started, host)
        except Exception as e:
            return fail_closed(e, started)
        return self.scan_text(text, "inbound", "response", host)

    # -- the routing table -------------------------------------------------
    def inspect(self, action: Action, content: Content) -> Decision:
        """One Action's Content through the scanners ROUTES names for its
        (direction, kind); exemptions and audit mode applied once, over all of
        them. A strip that a later step cannot keep becomes a block."""
        started = time.perf_counter()
        steps = ROUTES.get((action.direction, content.kind))
        if steps is None:
            return fail_closed(ValueError(f"no route for {action.direction} {content.kind!r}"), started)
        try:
            first = self._step(steps[0], content, action)
            extra: list[Finding] = []
            for step in steps[1:]:
                extra += self._step(step, content, action).findings
            if not extra:
                d = first
            else:
                keep = first.content if first.verdict == "strip" else None
                d = self._finish(list(first.findings) + extra, started, content.host, keep)
                if d.verdict == "strip" and d.content is None:
                    d = decide([finding_as_block(f) if f.action == "strip" else f for f in d.findings],
                               enforce=self.config.enforce, started=started)
            if content.kind in TOOL_KINDS and action.target:   # `exemptions: [{tools: [...]}]`
                d = exempt.apply(d, self.config, content.host, action.target)
            return d
        except Exception as e:
            return fail_closed(e, started)

    def _step(self, step: str, c: Content, action: Action | None = None) -> Decision:
        if step == "dlp_fields":
            return self.scan_headers(c.data, "outbound", c.host)
        if step == "dlp_split":
            if not c.url:
                return Decision("allow")
            return Decision("allow", tuple(self.dlp.scan_split(header_fields(c.data) + url_pieces(c.url))))
        if step == "dlp_body":
            return self.scan_body(bytes(c.data), c.content_type, c.encoding, "outbound", c.host)
        if step == "dlp":
            return self.scan_text(c.data, "outbound", c.kind, c.host)
        if step == "injection":
            return self.scan_text(c.data, "inbound", c.kind, c.host)
        if step == "tool_result":
            if isinstance(c.data, str):
                return self.scan_text(c.data, "inbound", c.kind, c.host, kind="tool_result")
            started = time.perf_counter()
            tool = action.target if action is not None and c.session is not None else ""
            return self._finish(self.tools.scan_tool_result(c.data, where=c.path or "result", session=c.session,
                                                            tool=tool), started, c.host)
        if step == "tool_call":
            started = time.perf_counter()
            name, args = c.data
            return self._finish(self.tools.scan_tool_call(name, args, c.session), started, c.host)
        if step == "tools_list":
            started = time.perf_counter()
            tools, continuation = c.data
            found = self.tools.scan_tools_list(tools, c.session, c.path or "tools/list", continuation)
            return self._finish(list(found), started, c.host)
        if step == "listing":
            started = time.perf_counter()
            method, items, continuation = c.data
            found = self.tools.scan_listing(method, items, c.session, c.path or method, continuation)
            return self._finish(list(found), started, c.host)
        if step == "injection_response":
            return self.scan_response(c.data, c.content_type, c.encoding, c.host)
        if step == "a2a_request":
            return Decision("allow", tuple(self._a2a_request(c)))
        if step == "agent_card":
            return Decision("allow", tuple(self._agent_card(c)))
        raise ValueError(f"unknown step {step!r}")

    def _a2a_request(self, c: Content) -> list[Finding]:
        body = bytes(c.data)
        if b'"jsonrpc"' not in body[:4096] or not body.lstrip()[:1] == b"{":
            return []
        res = self.a2a.scan_request(body, c.content_type, c.path)
        if res is None:
            return []
        return list(res.findings) if isinstance(res, Decision) else list(res)

    def _agent_card(self, c: Content) -> list[Finding]:
        if not is_agent_card_path(c.path):
            return []
        import orjson
        try:
            card = orjson.loads(c.data)
        except orjson.JSONDecodeError:
            return []
        if not isinstance(card, dict):
            return []
        res = self.a2a.scan_agent_card(c.url, card)
        if res is None:
            return []
        return list(res.findings) if isinstance(res, Decision) else list(res)

    def reads_whole(self, content_type: str, path: str) -> bool:
        """Whether a response is read whole and inspected (else relayed as it
        streams, with a receipt that says so): textual types and Agent Cards."""
        return is_textual(content_type) or is_agent_card_path(path)

    def account(self, host: str, n: int) -> None:
        """`n` bytes moved for `host`: feeds the per-domain data budget
        (url.bytes_per_minute), so a later request over budget is refused by
        the URL step. Transports report bytes; only the Inspector keeps count."""
        if n <= 0 or self.config.url.bytes_per_minute is None:
            return
        try:
            self.url.ratelimit.add_bytes(host, n)
        except Exception:
            log.debug("data budget update failed", exc_info=True)

    @functools.cached_property
    def boundary(self):
        """Secrets at the boundary and egress rules; None when neither is configured."""
        from ..secrets import boundary_for
        return boundary_for(self.config)

    # -- MCP -------------------------------------------------------------
    def tool_session(self, server: str = ""):
        """A new MCP tool session (one per client connection): what Content.session
        carries for tool_call and tools_list, so chains and baselines span the calls."""
        return self.tools.new_session(server=server)

    def redact_tool_result(self, result: dict) -> dict | None:
        """An MCP result whose stripped verdict is kept: credentials replaced by typed
        placeholders, or None when that cannot be done with certainty (then block)."""
        return self.tools.redact_tool_result(result)

    @property
    def tools(self):
        if self._tools is None:
            from ..scanners.tools import ToolScanners
            st = getattr(self.config, "state", None)
            baselines = None
            if st is not None and st.backend != "memory":  # approved definitions shared by every instance
                from ..state.baselines import SyncBaselines
                baselines = SyncBaselines(st)
            self._tools = ToolScanners(self.config, self, baselines=baselines)
        return self._tools

    @property
    def a2a(self):
        if self._a2a is None:
            from ..scanners.a2a import A2aScanner
            self._a2a = A2aScanner(self.config, self)
        return self._a2a


Inspector = Engine


def public_ip_literal(host: str) -> str | None:
    """`host` in canonical form when it is an IP literal ringfence judges public."""
    from ..scanners.ssrf import is_internal
    from .url import canonical_host
    try:
        canon, is_ip = canonical_host(host)
    except Exception:
        return None
    if not is_ip or is_internal(canon):
        return None
    return canon


def _clean_entries(scanner: Any, *methods: str) -> Any:
    """Every text that enters scanning passes through the scanners' entry points (the
    MCP, A2A and tool scanners call them too): lone surrogates are cleaned there once,
    as each scanner is built."""
    from ..text.surrogates import fields_entry, text_entry
    for name in methods:
        wrap = fields_entry if name == "scan_fields" else text_entry
        setattr(scanner, name, wrap(getattr(scanner, name)))
    return scanner


def rule_examples() -> tuple[tuple, tuple]:
    """(DLP rules, injection families), each with its own tp/tn examples: what the
    bench matrix seeds from, without transports importing rules."""
    from ..rules import dlp, injection
    return tuple(dlp.RULES), tuple(injection.FAMILIES)
