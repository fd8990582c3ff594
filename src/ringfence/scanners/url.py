"""The URL pipeline: ordered layers, the first blocking layer stops the scan.

 0  length limit (first: it bounds every later layer), control characters
 1  parse and canonicalise (IDNA, alternative IPv4 notations, IPv6 forms)
 2  scheme
 3  CRLF / header injection (raw, encoded, double-encoded), outside the fragment
 4  path traversal (segment-bounded "..", raw, encoded, double-encoded)
 5  allowlist, blocklist
 6  local and cloud-metadata host names; IP literals judged as literals (no DNS)
 7  DLP over every URL part, before any DNS lookup
 8  path and query entropy
 9  subdomain entropy and DNS-exfiltration shape
10  (resolve_and_check, after DNS) SSRF on every answer
11  per-domain rate limit

`scan` never does I/O. `resolve_and_check` resolves through an injected resolver.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..core import Finding, redact
from . import entropy as ent
from ..core.ipcanon import parse_ipv4, parse_ipv6
from ..text.forms import nfkc
from ..text.percent import percent_decode, percent_rounds
from ..core.url import DEFAULT_PORTS, UrlError, UrlParts, canonical_host, host_as_sent, idna_ascii, split_url
from . import public_ids
from .ratelimit import RateLimiter, split_host
from .ssrf import LOCAL_HOSTS, METADATA_HOSTS, ResolveError, check_ip, embedded_ip

_MAX_DECODE_ROUNDS = 8
_MAX_QUERY_PARAMS = 256
_MAX_PATH_SEGMENTS = 256

_ENCODED_CTL = re.compile(r"%(?:25)*(?:0[ad0]|0[AD])", re.I)
_OVERLONG_DOT = re.compile(r"%c0%ae|%e0%80%ae|%c0%2e|%u002e", re.I)


def _strip_controls(s: str) -> str:
    """Drop C0/C1 controls, DEL and invisible format characters (zero-width, bidi, tags)."""
    if s.isascii() and s.isprintable():
        return s
    return "".join(c for c in s if not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
                                         or (ord(c) > 0x7F and unicodedata.category(c) == "Cf")))


def _decode_all(s: str, rounds: int = _MAX_DECODE_ROUNDS) -> list[str]:
    """s and each further percent-decoding of it, until it stops changing."""
    return percent_rounds(s, rounds, errors="surrogateescape")


def _decoded(s: str) -> str:
    if "%" not in s:  # the common case: nothing to decode
        return s
    if len(s) <= 512:  # the same parts are decoded by several layers of one scan
        return _decoded_small(s)
    return _decode_all(s)[-1]


@functools.lru_cache(maxsize=2048)
def _decoded_small(s: str) -> str:
    return _decode_all(s)[-1]


def _benign_round(s: str, threshold: float, min_len: int) -> bool:
    """A value percent-encoded once more than its own encoding needs ('%' is a character
    of Ascii85 and Base45): an earlier decoding round that decodes, as a whole, to
    something benign. Only a decoding counts, not an earlier round's look."""
    if "%25" not in s:
        return False
    rounds = _decode_all(s)
    return any(ent.benign_decoding(r, threshold, min_len) for r in rounds[1:-1])


class HostMatcher:
    """Host patterns: "x" matches x; "*.x" matches x and its subdomains. Case and trailing dot ignored."""

    def __init__(self, patterns: list[str]):
        self.exact: set[str] = set()
        self.suffix: set[str] = set()
        for p in patterns:
            p = p.strip().lower().rstrip(".")
            if not p:
                continue
            if p.startswith("*."):
                self.suffix.add(idna_ascii(p[2:]) or p[2:])
            else:
                self.exact.add(idna_ascii(p) or p)

    def __bool__(self) -> bool:
        return bool(self.exact or self.suffix)

    def match(self, host: str) -> str | None:
        if host in self.exact:
            return host
        if not self.suffix:
            return None
        h = host
        while True:
            if h in self.suffix:
                return "*." + h
            i = h.find(".")
            if i < 0:
                return None
            h = h[i + 1:]


@dataclass(frozen=True, slots=True)
class UrlScan:
    findings: list[Finding]
    scheme: str = ""
    host: str = ""          # canonical: lowercase, IDNA, no trailing dot; IPs canonical, no brackets
    port: int = 0
    path: str = ""
    is_ip: bool = False
    url: str = ""           # canonical URL
    query: str = ""
    fragment: str = ""
    userinfo: str = ""
    method: str = "GET"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return any(f.action == "block" for f in self.findings)


@dataclass(slots=True)
class _Parts(UrlParts):
    """core.url's parts plus what the layers of one scan compute once."""
    _pairs: list[tuple[str, str]] | None = None   # query pairs, split once per scan
    _signed: set[str] | None = None               # signed_params(pairs), computed once per scan

    def pairs(self) -> list[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = _split_query(self.query) if self.query else []
        return self._pairs

    def signed(self) -> set[str]:
        if self._signed is None:
            self._signed = signed_params(self.pairs())
        return self._signed


def parse_url(url: str) -> _Parts:
    return split_url(url, _Parts)


def _fmt_host(host: str, is_ip: bool) -> str:
    return f"[{host}]" if is_ip and ":" in host else host


def _canonical_url(p: _Parts) -> str:
    s = f"{p.scheme}://"
    if p.userinfo:
        s += p.userinfo + "@"
    s += _fmt_host(p.host, p.is_ip)
    if p.explicit_port and p.port != DEFAULT_PORTS.get(p.scheme):
        s += f":{p.port}"
    s += p.path
    if p.query is not None:
        s += "?" + p.query
    if p.fragment is not None:
        s += "#" + p.fragment
    return s


def _split_query(query: str) -> list[tuple[str, str]]:
    pairs = []
    for i, item in enumerate(query.split("&")):
        if not item:
            continue
        if i >= _MAX_QUERY_PARAMS:
            # keep the tail as one value: nothing is dropped unscanned
            pairs.append(("", "&".join(query.split("&")[i:])))
            break
        k, _, v = item.partition("=")
        pairs.append((k, v))
    return pairs


# Query-string request signing (AWS SigV4, GCS V4): the key id / service account is an
# identifier, not a secret, and the signature is a scoped, expiring MAC made to be shared
# in a URL. Only values of exactly the documented shape are spared, and only when the
# matching algorithm parameter is present; every other parameter is scanned as usual.
_SIGNED = (
    ("x-amz-algorithm", re.compile(r"aws4-hmac-sha256"), {
        "x-amz-credential": re.compile(r"(?:AKIA|ASIA)[A-Z2-7]{16}/\d{8}/[a-z0-9-]{2,30}/[a-z0-9-]{2,30}/aws4_request"),
        "x-amz-signature": re.compile(r"[0-9a-f]{64}"),
    }),
    ("x-goog-algorithm", re.compile(r"goog4-(?:rsa|hmac)-sha256"), {
        "x-goog-credential": re.compile(r"[\w.@-]{3,120}/\d{8}/[a-z0-9-]{2,30}/storage/goog4_request"),
        "x-goog-signature": re.compile(r"[0-9a-f]{64,1024}"),
    }),
)
# Ad-click and newsletter tracking ids: random by design, not data. Entropy only; DLP still runs.
_TRACKING = frozenset({"gclid", "gbraid", "wbraid", "dclid", "fbclid", "msclkid", "yclid", "ttclid", "twclid",
                       "igshid", "li_fat_id", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "_gl", "srsltid", "ixid",
                       "epik", "rdt_cid", "sccid", "irclickid"})


def signed_params(pairs: list[tuple[str, str]]) -> set[str]:
    """Lower-cased names of query parameters that are well-formed request-signing fields."""
    low = {}
    for k, v in pairs:
        low.setdefault(_decoded(k).lower(), _decoded(v))
    out: set[str] = set()
    for algo_key, algo_rx, fields in _SIGNED:
        if algo_rx.fullmatch(low.get(algo_key, "").lower()):
            out |= {k for k, rx in fields.items() if rx.fullmatch(low.get(k, ""))}
    return out


def entropy_exempt_params(pairs: list[tuple[str, str]], signed: set[str] | None = None) -> set[str]:
    """Parameters whose randomness is expected: signing fields, click ids, utm tags, paging
    cursors ($skiptoken, pageToken: opaque positions in a list), and an
    OAuth authorization response's code and state (RFC 6749 4.1.2: both present).
    `signed` is signed_params(pairs) when the caller has it already."""
    names = {_decoded(k).lower() for k, _ in pairs}
    out = signed_params(pairs) if signed is None else set(signed)
    out |= {n for n in names if n in _TRACKING or n.startswith("utm_") or public_ids.cursor_name(n)}
    if {"code", "state"} <= names:
        out |= {"code", "state"}
    if "client_id" in names and ({"response_type", "redirect_uri"} & names):
        # an OAuth authorization request: the client id is public, state/nonce are random by design
        out |= {"client_id", "state", "nonce", "code_challenge"} & names
    return out


_KEY_PLAIN = re.compile(r"[A-Za-z0-9_.\-]*")


_ASCII_FRAG = re.compile(r"[0-9A-Z]")


_TOKEN_PIECE = re.compile(r"[A-Za-z0-9_~+-]+")


def _frag_like(v: str) -> bool:
    """Has a digit or a capital: could be a piece of a token."""
    if v.isascii():
        return _ASCII_FRAG.search(v) is not None
    return any(c.isdigit() or c.isupper() for c in v)


def _where_key(k: str) -> str:
    k = _decoded(k)[:40]
    if not _KEY_PLAIN.fullmatch(k):
        k = "".join(c if c.isalnum() or c in "-_." else "_" for c in k)
    return f"url.query.{k}" if k else "url.query"


# Request-capture and out-of-band interaction services: built in, on top of the
# configured blocklist, because their only use from an agent is to receive data.
# An explicit allowlist or ssrf.trusted_domains entry wins.
CAPTURE_SERVICE_HOSTS = (
    "*.pipedream.net", "*.requestcatcher.com", "*.requestinspector.com", "*.hookbin.com", "*.beeceptor.com",
    "*.mockbin.org", "*.postb.in", "*.ptsv2.com", "*.ptsv3.com", "*.webhook.site", "*.requestbin.com",
    "*.requestbin.net", "*.requestrepo.com", "*.interact.sh", "*.oast.fun", "*.oast.live", "*.oast.me",
    "*.oast.online", "*.oast.pro", "*.oast.site", "*.oastify.com", "*.burpcollaborator.net",
    "*.canarytokens.com", "*.dnslog.cn", "*.ceye.io", "*.xss.ht", "*.bxss.in",
    "*.serveo.net", "*.localhost.run", "*.trycloudflare.com", "*.loca.lt", "*.ngrok.io", "*.ngrok-free.app",
    "*.ngrok.app", "*.telebit.io", "*.pagekite.me",
)
CAPTURE_SERVICES = HostMatcher(list(CAPTURE_SERVICE_HOSTS))


class UrlScanner:
    def __init__(self, config: Any, dlp: Any = None, *, shared_window: Any = None):
        self.config = config
        self.dlp = dlp
        u = config.url
        self.max_len = u.max_url_length
        self.schemes = frozenset(s.lower() for s in u.allowed_schemes)
        self.allow = HostMatcher(u.allowlist)
        self.block = HostMatcher(u.blocklist)
        self.trusted = HostMatcher(config.ssrf.trusted_domains)
        self.sub_exempt = HostMatcher(getattr(u, "subdomain_entropy_exempt", []))
        self.entropy_exempt = HostMatcher(getattr(u, "entropy_exempt_hosts", []))
        self.ratelimit = RateLimiter(config, shared=shared_window)

    # -- public ------------------------------------------------------------
    def scan(self, url: str, method: str = "GET") -> UrlScan:
        if not isinstance(url, str):
            return UrlScan([self._f("parse_error", "high", "URL is not text", "url")], method=method)
        # 0: length first; it bounds every later layer
        if len(url) > self.max_len:
            return UrlScan([self._f("too_long", "medium", f"{len(url)} > {self.max_len} chars", "url")],
                           method=method)
        if "\r" in url or "\n" in url or "\x00" in url:
            return UrlScan([self._f("crlf_injection", "high", "raw CR, LF or NUL in URL", "url")], method=method)
        url = _strip_controls(url).strip(" ")
        # 1: parse and canonicalise
        try:
            p = parse_url(url)
        except UrlError as e:
            return UrlScan([self._f(e.rule, "high", str(e), "url")], method=method)
        except (ValueError, UnicodeError) as e:
            return UrlScan([self._f("parse_error", "high", str(e)[:80], "url")], method=method)
        findings = self._layers(p)
        return UrlScan(findings, p.scheme, p.host, p.port, p.path, p.is_ip, _canonical_url(p),
                       p.query or "", p.fragment or "", p.userinfo, method)

    def scan_hostport(self, host: str, port: int) -> UrlScan:
        """A CONNECT target: host-level checks only (no path, query or scheme)."""
        target = f"{host}:{port}"
        if not isinstance(host, str) or len(host) > 255:
            return UrlScan([self._f("invalid_host", "high", "host too long or not text", "url.host")])
        if not isinstance(port, int) or not 0 < port <= 65535:
            return UrlScan([self._f("invalid_port", "high", "port is not 1-65535", "url.port")])
        h = _strip_controls(host).strip()
        if h != host.strip():
            return UrlScan([self._f("invalid_host", "high", "control characters in host", "url.host")])
        try:
            chost, is_ip = canonical_host(h)
        except (UrlError, ValueError, UnicodeError) as e:
            rule = e.rule if isinstance(e, UrlError) else "invalid_host"
            return UrlScan([self._f(rule, "high", str(e)[:80], "url.host")])
        findings: list[Finding] = []
        for layer in (self._host_lists, self._host_names, self._host_dlp, self._subdomain, self._rate):
            findings += layer(chost, is_ip) if layer != self._host_dlp else \
                layer(chost, is_ip, host_as_sent(h, chost, is_ip))
            if any(f.action == "block" for f in findings):
                break
        canon = f"{_fmt_host(chost, is_ip)}:{port}"
        return UrlScan(findings, "", chost, port, "", is_ip, canon, extra={"target": target})

    def resolve_and_check(self, scan: UrlScan, resolver: Any) -> tuple[list[str], list[Finding]]:
        """Resolve the host, check every answer, return (vetted addresses, findings).

        The caller must dial only the returned addresses (DNS pinning). An IP
        literal is not resolved. Resolution failure blocks with ssrf:dns_failure.
        """
        host = scan.host
        if not host:
            return [], [Finding("ssrf", "dns_failure", "high", "no host to resolve", "url.host", "block")]
        if scan.is_ip:
            f = check_ip(host, self.config)
            return ([], [f]) if f else ([host], [])
        try:
            answers = resolver.resolve(host, scan.port or 443)
        except ResolveError as e:
            return [], [self._dns_fail(host, str(e))]
        except Exception as e:  # a broken resolver never becomes an allow or a traceback
            return [], [self._dns_fail(host, f"could not resolve {host}: {type(e).__name__}")]
        if not answers:
            return [], [self._dns_fail(host, f"could not resolve {host}: no addresses")]
        vetted: list[str] = []
        findings: list[Finding] = []
        trusted = bool(self.trusted) and self.trusted.match(host) is not None
        for a in list(answers)[:64]:
            ip6 = parse_ipv6(str(a))
            ip = ip6 if ip6 is not None else parse_ipv4(str(a))
            if ip is None or (ip6 is None and not _plain_dotted(str(a))):
                findings.append(Finding("ssrf", "bad_dns_answer", "high", str(a)[:60], "url.host", "block"))
                continue
            canon = ip.compressed
            if not trusted:
                f = check_ip(canon, self.config)
                if f is not None:
                    findings.append(Finding(f.scanner, f.rule, f.severity, f"{host} -> {f.excerpt}",
                                            "url.host", f.action))
                    continue
            if canon not in vetted:
                vetted.append(canon)
        if findings:  # any internal answer blocks the whole name: rebinding defence
            return [], findings
        return vetted, []

    # -- layers ------------------------------------------------------------
    def _layers(self, p: _Parts) -> list[Finding]:
        findings: list[Finding] = []
        steps = (self._scheme, self._crlf, self._traversal, self._lists, self._names,
                 self._dlp, self._path_entropy, self._subdomain_p, self._rate_p)
        for step in steps:
            findings += step(p)
            if any(f.action == "block" for f in findings):
                break
        return findings

    def _scheme(self, p: _Parts) -> list[Finding]:
        if p.scheme not in self.schemes:
            return [self._f("scheme_not_allowed", "high", p.scheme[:20], "url.scheme")]
        return []

    def _crlf(self, p: _Parts) -> list[Finding]:
        for where, part in (("url.path", p.path), ("url.query", p.query or ""), ("url.userinfo", p.userinfo)):
            if "%" not in part:
                continue
            for m in _ENCODED_CTL.finditer(part):
                code = m.group(0)[-2:].lower()
                rule = "null_byte" if code == "00" else "crlf_injection"
                return [self._f(rule, "high", m.group(0)[:12], where)]
            for d in _decode_all(part)[1:]:
                if "\r" in d or "\n" in d:
                    return [self._f("crlf_injection", "high", "encoded CR/LF", where)]
                if "\x00" in d:
                    return [self._f("null_byte", "high", "encoded NUL", where)]
        return []

    def _traversal(self, p: _Parts) -> list[Finding]:
        if _has_traversal(p.path, min_segments=1):
            return [self._f("path_traversal", "high", redact(p.path, 8), "url.path")]
        if p.query and _has_traversal(p.query, min_segments=2):
            return [self._f("path_traversal", "high", redact(p.query, 8), "url.query")]
        return []

    def _lists(self, p: _Parts) -> list[Finding]:
        return self._host_lists(p.host, p.is_ip)

    def _host_lists(self, host: str, is_ip: bool) -> list[Finding]:
        if self.allow and self.allow.match(host) is None:
            return [self._f("not_allowlisted", "high", host[:80], "url.host", scanner="blocklist")]
        m = self.block.match(host)
        if m:
            return [self._f("domain_blocklist", "high", f"{host[:80]} ({m})", "url.host", scanner="blocklist")]
        m = None if self.allow else CAPTURE_SERVICES.match(host)
        if m and not (self.trusted and self.trusted.match(host)):
            return [self._f("capture_service", "high", f"{host[:80]} ({m})", "url.host", scanner="blocklist")]
        return []

    def _names(self, p: _Parts) -> list[Finding]:
        return self._host_names(p.host, p.is_ip)

    def _host_names(self, host: str, is_ip: bool) -> list[Finding]:
        if is_ip:
            f = check_ip(host, self.config)
            return [f] if f else []
        if not self.config.ssrf.enabled or (self.trusted and self.trusted.match(host)):
            return []
        if host in METADATA_HOSTS:
            return [Finding("ssrf", "metadata_host", "critical", host, "url.host", "block")]
        if host in LOCAL_HOSTS or host.endswith(".localhost"):
            return [Finding("ssrf", "local_host_name", "high", host, "url.host", "block")]
        ip = embedded_ip(host)
        if ip is not None:
            f = check_ip(ip, self.config)
            if f is not None:
                return [Finding("ssrf", "wildcard_dns_internal", f.severity, f"{host[:80]} -> {f.excerpt}",
                                "url.host", f.action)]
        return []

    def _host_fields(self, host: str, is_ip: bool, written: str = "") -> list[tuple[str, str]]:
        if is_ip:
            return [("url.host", host)]
        if written and written.isascii():
            host = written.rstrip(".")  # same name, case kept: AKIA... stays a match
        fields = [("url.host", host)]
        if host.count(".") >= 2:
            sub, _reg = split_host(host.lower())
            if sub:
                sub = host[: len(sub)]
                fields.append(("url.host.collapsed", sub.replace(".", "").replace("-", "")))
        return fields

    def _host_dlp(self, host: str, is_ip: bool, written: str = "") -> list[Finding]:
        if self.dlp is None:
            return []
        w = "" if written.lower().rstrip(".") != host else written
        return list(self.dlp.scan_fields(self._host_fields(host, is_ip, w)))

    def _dlp(self, p: _Parts) -> list[Finding]:
        if self.dlp is None:
            return []
        fields = self._host_fields(p.host, p.is_ip, p.host_written)
        if p.userinfo:
            fields.append(("url.userinfo", _decoded(p.userinfo)))
        path = _decoded(p.path)
        if path != "/":
            fields.append(("url.path", path))
            # segments alone too (decoders work per token), except plain words and slugs
            segs = [s for s in p.path.split("/") if len(s) >= 10][:_MAX_PATH_SEGMENTS]
            # a lone segment too: "/<hex>" as a whole does not decode, the segment does
            if segs:
                for i, s in enumerate(segs):
                    if not (ent.is_slug(s) or ent.is_wordlike(s)):
                        fields.append((f"url.path[{i}]", _decoded(s)))
            # a secret split over consecutive segments (some percent-encoded, some not):
            # the longest run of token-piece segments, decoded and glued
            run: list[str] = []
            best: list[str] = []
            for s in p.path.split("/")[:_MAX_PATH_SEGMENTS]:
                d = _decoded(s)
                if len(d) >= 4 and _TOKEN_PIECE.fullmatch(d):
                    run.append(d)
                    if sum(map(_frag_like, run)) > sum(map(_frag_like, best)):
                        best = list(run)
                else:
                    run = []
            if sum(map(_frag_like, best)) >= 2:
                fields.append(("url.path*", "".join(best)))
        if p.query:
            values = []
            pairs = p.pairs()
            signed = p.signed()
            for k, v in pairs:
                kd, vd = _decoded(k), _decoded(v)
                if kd.lower() in signed:
                    continue
                if len(kd) >= 8:
                    fields.append(("url.query.key", kd))
                if vd:
                    fields.append((_where_key(k), vd))
                    values.append(vd)
                    if "%25" in v:
                        # encoded twice: the value after one round too ('%' is a character
                        # of Base45 and Ascii85, which a second round would corrupt)
                        once = percent_decode(v, errors="surrogateescape")
                        if once != vd:
                            fields.append((_where_key(k), once))
            # DLP joins adjacent fields itself; add pairs of fragment-like values with
            # noise between them (a secret split as a=AKIAIOSF&n=1&b=ODNN7EXAMPLE)
            frags = [v for v in values if len(v) >= 4 and _frag_like(v)]
            if 3 <= len(values) and 2 <= len(frags) <= 8:
                for i in range(len(frags)):
                    for j in range(i + 1, len(frags)):
                        fields.append(("url.query*", frags[i] + frags[j]))
        if p.fragment:
            fields.append(("url.fragment", _decoded(p.fragment)))
        return list(self.dlp.scan_fields(fields))

    def _path_entropy(self, p: _Parts) -> list[Finding]:
        u = self.config.url
        if self.entropy_exempt and self.entropy_exempt.match(p.host):
            return []
        thr, mn = u.entropy_threshold, u.entropy_min_length
        for i, seg in enumerate(p.path.split("/")[:_MAX_PATH_SEGMENTS]):
            if len(seg) < mn:
                continue
            r = ent.data_like(_decoded(seg), thr, mn)
            if r and _benign_round(seg, thr, mn):
                r = None
            if r:
                return [self._f("path_entropy", "medium", f"{redact(_decoded(seg))} ({r[1]:.2f} bits/char)",
                                f"url.path[{i}]", scanner="entropy")]
        if p.query:
            pairs = p.pairs()
            spared = entropy_exempt_params(pairs, p.signed())
            for k, v in pairs:
                if _decoded(k).lower() in spared:
                    continue
                for where, text in ((_where_key(k), v), ("url.query.key", k)):
                    if len(text) < mn:
                        continue
                    r = ent.data_like(_decoded(text), thr, mn)
                    if r and _benign_round(text, thr, mn):
                        r = None
                    if r:
                        return [self._f("query_entropy", "medium",
                                        f"{redact(_decoded(text))} ({r[1]:.2f} bits/char)", where,
                                        scanner="entropy")]
        return []

    def _subdomain_p(self, p: _Parts) -> list[Finding]:
        return self._subdomain(p.host, p.is_ip)

    def _subdomain(self, host: str, is_ip: bool) -> list[Finding]:
        if is_ip or host.count(".") < 2:
            return []
        if self.sub_exempt and self.sub_exempt.match(host):
            return []
        u = self.config.url
        sub, _reg = split_host(host)
        if not sub:
            return []
        labels = sub.split(".")
        for lab in labels:
            r = ent.label_data_like(lab, u.subdomain_entropy_threshold, u.subdomain_min_label)
            if r:
                return [self._f(r[0], "high", f"{redact(lab)} ({r[1]:.2f} bits/char)", "url.host",
                                scanner="entropy")]
        if len(labels) >= 8:
            return [self._f("subdomain_depth", "high", f"{len(labels)} subdomain labels", "url.host",
                            scanner="entropy")]
        if len(sub) > 120:
            return [self._f("long_subdomain", "high", f"{len(sub)} chars of subdomain", "url.host",
                            scanner="entropy")]
        if len(labels) >= 3:
            # data split into short labels: judge the data-looking labels joined
            joined = "".join(ent.label_core(lab) for lab in labels if len(lab) >= 4)
            r = ent.label_data_like(joined, u.subdomain_entropy_threshold, 20) if len(joined) >= 20 else None
            if r:
                return [self._f("split_" + r[0], "high", f"{redact(joined)} ({r[1]:.2f} bits/char)",
                                "url.host", scanner="entropy")]
        return []

    def _rate_p(self, p: _Parts) -> list[Finding]:
        return self._rate(p.host, p.is_ip)

    def _rate(self, host: str, is_ip: bool) -> list[Finding]:
        if not self.ratelimit.enabled:
            return []
        f = self.ratelimit.check(host)
        return [f] if f else []

    # -- helpers -----------------------------------------------------------
    @staticmethod
    def _f(rule: str, severity: str, excerpt: str, where: str, scanner: str = "url") -> Finding:
        return Finding(scanner, rule, severity, excerpt, where, "block")  # type: ignore[arg-type]

    @staticmethod
    def _dns_fail(host: str, msg: str) -> Finding:
        # Long labels are redacted: a name that failed to resolve may carry data
        # DLP did not recognise, and this text goes to receipts and logs.
        safe = ".".join(redact(x) if len(x) > 12 else x for x in host.split("."))
        msg = msg.replace(host, safe) if host else msg
        msg = msg if msg.startswith("could not resolve") else f"could not resolve {safe}: {msg}"
        return Finding("ssrf", "dns_failure", "high", msg[:120], "url.host", "block")


def _plain_dotted(a: str) -> bool:
    parts = a.split(".")
    return len(parts) == 4 and all(x.isdigit() and len(x) <= 3 for x in parts)


_TRAV_SEG = re.compile(r"(?:^|[/\\])\.\.(?:;[^/\\]*)?(?:[/\\]|$)")


def _has_traversal(s: str, min_segments: int = 1) -> bool:
    if _OVERLONG_DOT.search(s):
        return True
    for d in _decode_all(s):
        if ".." not in d and "\uff0e" not in d:
            continue
        if not d.isascii():
            d = nfkc(d)
        if min_segments == 1:
            if _TRAV_SEG.search(d):
                return True
        elif re.search(r"\.\.[/\\]\.\.(?:[/\\]|$)", d):
            return True
    return False
