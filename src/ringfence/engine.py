"""The scanning engine: one object that every transport calls.

It composes the scanners (pure, no I/O) and returns one Decision per event.
DNS for the SSRF check goes through an injected resolver. Every method fails
closed: an internal error becomes a block Decision that says why.
"""
from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from typing import Any, Iterable

from .config import Config
from .core import Decision, Finding, decide, fail_closed, finding_as_block
from .scanners.content import ContentError, body_fields, decode_body, decompress, header_fields

# What transports may use from the scanning side, so they never import scanners.
__all__ = ["Engine", "ContentError", "decompress", "host_matches", "public_ip_literal", "rule_examples"]

# Memoization of pure scan results. Agents repeat the same URLs and headers
# constantly; the scanners are deterministic for a given config, and a reload
# builds a new Engine, so the caches die with the config they were built for.
CACHE_ENTRIES = 4096
CACHE_MAX_KEY_CHARS = 8192   # bigger inputs are scanned every time (bounds memory: ~32 MiB worst case)
CACHE_MAX_FIELDS = 64        # headers, URL parts, small forms
DNS_TTL_S = 2.0              # vetted answers of the system resolver are reused this long
TEXT_CACHE_ENTRIES = 512     # inbound texts up to TEXT_CACHE_MAX_CHARS: <= 8 Mi chars held
TEXT_CACHE_MAX_CHARS = 16384
_MISS = object()


class _Lru:
    """A small bounded LRU. The lock makes it safe for sync callers in worker threads."""

    __slots__ = ("size", "data", "lock", "hits", "misses")

    def __init__(self, size: int = CACHE_ENTRIES):
        self.size = size
        self.data: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any:
        with self.lock:
            v = self.data.get(key, _MISS)
            if v is _MISS:
                self.misses += 1
            else:
                self.hits += 1
                self.data.move_to_end(key)
            return v

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def __len__(self) -> int:
        return len(self.data)


def _cacheable(findings: Iterable[Finding]) -> bool:
    """Never remember an internal error (it may be transient)."""
    return not any(f.scanner == "internal" for f in findings)


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
        from .scanners.ssrf import SystemResolver

        self.config = config or Config()
        self.resolver = resolver or SystemResolver(timeout=self.config.ssrf.dns_timeout_s)
        self._build_lock = threading.Lock()
        self._dlp = self._injection = self._url = None
        self._url_cache: _Lru | None = None  # set when the URL scanner is built
        if not lazy:
            self.url  # builds dlp too
            self.injection
        self._fields_cache = _Lru()
        self._inbound_cache = _Lru(TEXT_CACHE_ENTRIES)
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
            from .scanners.dlp import DlpScanner
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
            from .scanners.injection import InjectionScanner
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
            from .scanners.url import UrlScanner
            dlp = self.dlp
            with self._build_lock:
                if self._url is None:
                    u = _clean_entries(UrlScanner(self.config, dlp), "scan")
                    # The URL cache only when nothing in the static pipeline is stateful
                    # (rate limit, data budget).
                    self._url_cache = None if u.ratelimit.enabled else _Lru()
                    self._url = u
                s = self._url
        return s

    @url.setter
    def url(self, value) -> None:
        self._url = value

    # -- helpers -------------------------------------------------------
    def _finish(self, findings: list[Finding], started: float, host: str = "",
                content: str | bytes | None = None) -> Decision:
        findings = self._apply_exemptions(findings, host)
        return decide(findings, enforce=self.config.enforce, started=started, content=content)

    def _apply_exemptions(self, findings: list[Finding], host: str) -> list[Finding]:
        ex = self.config.exemptions
        if not ex or not findings:
            return findings
        out = []
        for f in findings:
            exempt = False
            for e in ex:
                if e.rule not in (f.rule, f"{f.scanner}:{f.rule}"):
                    continue
                if e.tools or (e.expires and not e.active()):
                    continue  # tool-scoped ones apply in the MCP relays; expired ones never
                if not e.domains or (host and any(host_matches(host, d) for d in e.domains)):
                    exempt = True
                    break
            if not exempt:
                out.append(f)
        return out

    # -- cached pure steps -----------------------------------------------
    def _url_scan(self, url: str, method: str):
        """The static URL pipeline (no I/O), memoized by exact (url, method)."""
        scanner = self.url  # built first: that decides whether there is a cache
        c = self._url_cache
        if c is None or not isinstance(url, str) or len(url) > CACHE_MAX_KEY_CHARS:
            return scanner.scan(url, method)
        key = (url, method)
        res = c.get(key)
        if res is _MISS:
            res = scanner.scan(url, method)
            if _cacheable(res.findings):
                c.put(key, res)
        return res

    def _dlp_fields(self, fields: list[tuple[str, str]]) -> list[Finding]:
        """Outbound DLP over named fields, memoized by the exact field list."""
        # Many fields (a JSON body's leaves) are rarely repeated exactly: building the
        # key would cost more than it saves, so only small field lists are memoized.
        if len(fields) > CACHE_MAX_FIELDS:
            return self.dlp.scan_fields(fields)
        try:
            key = tuple(fields)
            size = sum(len(w) + len(v) for w, v in key)
        except TypeError:
            return self.dlp.scan_fields(fields)
        if size > CACHE_MAX_KEY_CHARS:
            return self.dlp.scan_fields(fields)
        got = self._fields_cache.get(key)
        if got is _MISS:
            found = self.dlp.scan_fields(fields)
            got = tuple(found)
            if _cacheable(got):
                self._fields_cache.put(key, got)
        return list(got)

    def _inbound(self, text: str, where: str) -> tuple[list[Finding], Any]:
        """Prompt-injection findings (and stripped text), memoized by exact small text."""
        key = None
        if isinstance(text, str) and len(text) <= TEXT_CACHE_MAX_CHARS:
            key = (text, where)
            got = self._inbound_cache.get(key)
            if got is not _MISS:
                return list(got[0]), got[1]
        findings = self.injection.scan(text, where)
        content = None
        if any(f.action == "strip" for f in findings):
            content = self.injection.strip(text, findings)
            if content is None:  # could not strip safely: block instead
                findings = [finding_as_block(f) for f in findings]
        if key is not None and _cacheable(findings):
            self._inbound_cache.put(key, (tuple(findings), content))
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
                return self._finish(self._dlp_fields(fields), started, host)
            findings: list[Finding] = []
            for where, value in fields:
                findings += self.injection.scan(value, where, audience=audience)
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

    @functools.cached_property
    def boundary(self):
        """Secrets at the boundary and egress rules; None when neither is configured."""
        from .secrets import boundary_for
        return boundary_for(self.config)

    # -- MCP -------------------------------------------------------------
    @property
    def tools(self):
        if self._tools is None:
            from .scanners.tools import ToolScanners
            self._tools = ToolScanners(self.config, self)
        return self._tools

    @property
    def a2a(self):
        if self._a2a is None:
            from .scanners.a2a import A2aScanner
            self._a2a = A2aScanner(self.config, self)
        return self._a2a


def public_ip_literal(host: str) -> str | None:
    """`host` in canonical form when it is an IP literal ringfence judges public."""
    from .scanners.ssrf import is_internal
    from .scanners.url import canonical_host
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
    from .text.surrogates import fields_entry, text_entry
    for name in methods:
        wrap = fields_entry if name == "scan_fields" else text_entry
        setattr(scanner, name, wrap(getattr(scanner, name)))
    return scanner


def rule_examples() -> tuple[tuple, tuple]:
    """(DLP rules, injection families), each with its own tp/tn examples: what the
    bench matrix seeds from, without transports importing rules."""
    from .rules import dlp, injection
    return tuple(dlp.RULES), tuple(injection.FAMILIES)
