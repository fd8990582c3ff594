"""Secrets at the boundary and egress rules: one pure object per config.

Given an outbound request (method, URL, headers, body) `Boundary.outbound` returns
the findings (secrets:real_value, secrets:placeholder_misrouted, egress:denied) and,
for the transport to send when nothing blocks, the request with each placeholder
replaced by its real value and each secret's `inject` target applied. `scrub`
replaces real values an upstream echoes back with their placeholders.

Real values are only ever compared and substituted here: they never go into a
Finding, an excerpt, a receipt or a log line (the secret's name and placeholder do).
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..core import Finding
from ..text.views import views
from .egress import EgressPolicy, Verdict, host_match, method_match, path_match, split_host_patterns

# Anything decode_layers could decode: base64/hex/base32 runs (with a digit or capital:
# not plain words like application/json), percent, entities, \u, \x, =XX.
_ENCODED = re.compile(r"(?<![A-Za-z0-9+/_=-])(?=[a-z+/_=-]*[0-9A-Z])[A-Za-z0-9+/_=-]{16,}|%[0-9A-Fa-f]{2}|&#?[A-Za-z0-9]+;|\\[ux][0-9A-Fa-f]{2}"
                      r"|=[0-9A-F]{2}|(?:[0-9A-Fa-f]{2}[ :-]){4}|0x[0-9A-Fa-f]{2}")
AGENT_HEADER = "x-agent"
MAX_AGENT = 128
JSON_CT = ("json",)
FORM_CT = "x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class Secret:
    name: str
    placeholder: str
    value: str
    hosts: tuple[tuple[str, str], ...]
    paths: tuple[str, ...]
    methods: tuple[str, ...]
    inject: Any

    def allows(self, method: str, host: str, path: str) -> bool:
        """method "*" and path "" ask about the host alone (a message with no request line)."""
        if not path:
            return any(host_match(host, h) for h, _ in self.hosts)
        path = path.split("?", 1)[0] or "/"
        if not any(host_match(host, h) and (not p or path_match(path, p)) for h, p in self.hosts):
            return False
        if self.paths and not any(path_match(path, p) for p in self.paths):
            return False
        return method == "*" or method_match(method, self.methods)

    def label(self) -> str:
        return f"secret {self.name} ({self.placeholder})"


def _value_forms(value: str) -> list[tuple[str, str]]:
    """The real value as it may appear encoded in a request: (form, encoding)."""
    b = value.encode("utf-8")
    b64 = base64.b64encode(b).decode()
    u64 = base64.urlsafe_b64encode(b).decode()
    forms = [(value, "raw"), (quote(value, safe=""), "percent"), (quote(value, safe="").lower(), "percent"),
             (value.replace(" ", "+"), "form"), (json.dumps(value)[1:-1], "json"),
             (b64.rstrip("="), "base64"), (u64.rstrip("="), "base64url"),
             (b.hex(), "hex"), (b.hex().upper(), "hex")]
    seen: set[str] = set()
    out = []
    for f, enc in forms:
        if f and f not in seen:
            seen.add(f)
            out.append((f, enc))
    return out


def _loose(placeholder: str) -> str:
    """A pattern matching the placeholder raw, percent-encoded, or with JSON's '\\/'."""
    parts = []
    for ch in placeholder:
        if ch.isalnum():
            parts.append(re.escape(ch))
            continue
        alts = [re.escape(ch), "%%%02X" % ord(ch), "%%%02x" % ord(ch)]
        if ch == "/":
            alts.append(r"\\/")
        parts.append("(?:" + "|".join(alts) + ")")
    return "".join(parts)


@dataclass
class Outbound:
    """What the boundary decided about one request, and the request to send."""
    findings: list[Finding]
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    agent: str = ""
    injected: list[tuple[str, str]] = field(default_factory=list)   # (name, placeholder)
    egress: Verdict | None = None

    @property
    def blocked(self) -> bool:
        return any(f.action == "block" for f in self.findings)

    def intent(self) -> str:
        """For the receipt: names and placeholders only."""
        parts = []
        if self.injected:
            parts.append("secrets injected: " + ", ".join(f"{n} ({p})" for n, p in self.injected))
        if self.egress is not None:
            parts.append(self.egress.describe())
        if self.agent:
            parts.append(f"agent {self.agent}")
        return "; ".join(parts)


class Boundary:
    """Built once per config (Engine.boundary). Pure and thread-safe."""

    def __init__(self, config: Any):
        self.secrets: list[Secret] = []
        for name, spec in (config.secrets or {}).items():
            self.secrets.append(Secret(
                name, spec.placeholder or f"rf-secret://{name}", spec.value(),
                tuple(split_host_patterns(spec.hosts)), tuple(spec.paths),
                tuple(m.upper() for m in spec.methods), spec.inject))
        self.egress = EgressPolicy(config.egress)
        self.max_depth = config.dlp.max_decode_depth
        by_len = sorted(range(len(self.secrets)), key=lambda i: -len(self.secrets[i].placeholder))
        alt = "|".join(f"(?P<s{i}>{_loose(self.secrets[i].placeholder)})" for i in by_len)
        self._ph = re.compile(alt) if alt else None
        self._ph_b = re.compile(alt.encode()) if alt else None
        self._forms = [(s, _value_forms(s.value)) for s in self.secrets]
        self._scrub = [(s, [(f.encode(), s.placeholder.encode()) for f, enc in _value_forms(s.value)
                            if enc in ("raw", "percent", "json")]) for s in self.secrets]

    @property
    def active(self) -> bool:
        return bool(self.secrets) or self.egress.active

    def mask(self, text: str) -> str:
        """The text with every placeholder taken out: what DLP scans (a placeholder glued
        to its neighbours can look like a token; it is not a secret)."""
        return self._ph.sub("", text) if self._ph is not None else text

    def mask_bytes(self, data: bytes) -> bytes:
        return self._ph_b.sub(b"", data) if self._ph_b is not None and data else data

    def placeholders(self) -> dict[str, str]:
        return {s.name: s.placeholder for s in self.secrets}

    # -- outbound ----------------------------------------------------------
    def outbound(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes = b"",
                 agent: str = "", *, decoded_body: str | None = None,
                 also_scan: list[tuple[str, str]] | None = None) -> Outbound:
        """`headers` are the client's (X-Agent is taken out of what is sent).
        `decoded_body` is the body's text when it was compressed (scanned, not rewritten);
        `also_scan` are headers that are checked but not sent (Proxy-Authorization...)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        path = parts.path or "/"
        sent: list[tuple[str, str]] = []
        for k, v in headers:
            if k.lower() == AGENT_HEADER:
                agent = agent or v.strip()[:MAX_AGENT]
            else:
                sent.append((k, v))
        findings: list[Finding] = []
        body = bytes(body or b"")
        text_body = decoded_body if decoded_body is not None else body.decode("utf-8", "replace")
        texts = [("url", url)] + [(f"header.{k.lower()}", f"{k}: {v}") for k, v in sent + (also_scan or [])]
        if text_body:
            texts.append(("body", text_body))
        if self.secrets:
            memo: dict[int, list] = {}
            findings += self._real_values(texts, memo)
            findings += self._misrouted(texts, method, host, path, memo)
        verdict = None
        if self.egress.active:
            verdict = self.egress.check(method, host, path, agent)
            if not verdict.allowed:
                findings.append(Finding("egress", "denied", "high", f"{method} {host}"[:80],
                                        f"{verdict.describe()}" + (f" (agent {agent})" if agent else ""),
                                        "block"))
        out = Outbound(findings, url, sent, body, agent, [], verdict)
        if self.secrets and not out.blocked:
            self._rewrite(out, method, host, path, headers_ct(sent), decoded_body is not None)
        return out

    def _views(self, texts: list[tuple[str, str]], memo: dict[int, list]):
        """(where, view) for the decoded views of the whole request (its texts joined),
        computed once per request, and only when something in it looks encoded."""
        got = memo.get(0)
        if got is None:
            joined = "\n".join(t for _, t in texts)
            got = memo[0] = views(joined, "dlp", max_depth=self.max_depth)[1:] \
                if len(joined) >= 16 and (not joined.isascii() or _ENCODED.search(joined)) else []
        for v in got:
            yield "request", v

    def _real_values(self, texts: list[tuple[str, str]], memo: dict[int, list]) -> list[Finding]:
        out: list[Finding] = []
        hit: set[str] = set()
        joined = "\n".join(t for _, t in texts)  # one pass per form; where only on a hit
        for s, forms in self._forms:
            for form, enc in forms:
                if form in joined:
                    where = next((w for w, t in texts if form in t), "request")
                    hit.add(s.name)
                    out.append(_real(s, where, enc))
                    break
        if len(hit) == len(self.secrets):
            return out
        for where, v in self._views(texts, memo):
            for s in self.secrets:
                if s.name not in hit and s.value in v.text:
                    hit.add(s.name)
                    out.append(_real(s, where, v.name))
        return out

    def _misrouted(self, texts, method: str, host: str, path: str, memo: dict[int, list]) -> list[Finding]:
        out: list[Finding] = []
        done: set[str] = set()
        rx = self._ph
        for where, text in texts:
            for m in rx.finditer(text):
                s = self.secrets[int(m.lastgroup[1:])]
                if s.name not in done and not s.allows(method, host, path):
                    done.add(s.name)
                    out.append(_misrouted(s, where, host))
        # Placeholders hidden in an encoding (base64, hex...) go nowhere useful, but a
        # request that carries one to a foreign host is still the signal to block.
        if len(done) < len(self.secrets):
            for where, v in self._views(texts, memo):
                for s in self.secrets:
                    if s.name not in done and s.placeholder in v.text and not s.allows(method, host, path):
                        done.add(s.name)
                        out.append(_misrouted(s, f"{where} ({v.name} view)", host))
        return out

    def _rewrite(self, out: Outbound, method: str, host: str, path: str, ct: str, compressed: bool) -> None:
        used: dict[str, Secret] = {}
        rx, rxb = self._ph, self._ph_b

        def sub_for(encode):
            def f(m: re.Match) -> Any:
                s = self.secrets[int(m.lastgroup[1:])]
                if not s.allows(method, host, path):
                    return m.group(0)
                used[s.name] = s
                return encode(s.value)
            return f

        url = rx.sub(sub_for(lambda v: quote(v, safe="-._~")), out.url)
        out.headers = [(k, rx.sub(sub_for(lambda v: v), v)) for k, v in out.headers]
        if out.body and not compressed:
            if any(x in ct for x in JSON_CT) or (not ct and out.body.lstrip()[:1] in (b"{", b"[")):
                enc = lambda v: json.dumps(v)[1:-1].encode()  # noqa: E731
            elif FORM_CT in ct:
                enc = lambda v: quote(v, safe="").encode()  # noqa: E731
            else:
                enc = lambda v: v.encode()  # noqa: E731
            out.body = rxb.sub(sub_for(enc), out.body)
        for s in self.secrets:
            if s.inject is not None and s.allows(method, host, path):
                url = self._inject(out, s, url, ct, compressed) or url
                used[s.name] = s
        out.url = url
        out.injected = [(s.name, s.placeholder) for s in used.values()]

    @staticmethod
    def _inject(out: Outbound, s: Secret, url: str, ct: str, compressed: bool) -> str | None:
        inj = s.inject
        if inj.header is not None:
            name = inj.header.lower()
            out.headers = [(k, v) for k, v in out.headers if k.lower() != name]
            out.headers.append((inj.header, inj.format.replace("{}", s.value)))
        elif inj.basic_auth is not None:
            token = base64.b64encode(f"{inj.basic_auth}:{s.value}".encode()).decode()
            out.headers = [(k, v) for k, v in out.headers if k.lower() != "authorization"]
            out.headers.append(("Authorization", f"Basic {token}"))
        elif inj.query is not None:
            p = urlsplit(url)
            q = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if k != inj.query]
            q.append((inj.query, s.value))
            return urlunsplit((p.scheme, p.netloc, p.path, urlencode(q, quote_via=quote), p.fragment))
        elif inj.json_field is not None and out.body and not compressed:
            try:
                doc = json.loads(out.body)
            except ValueError:
                return None
            if not isinstance(doc, dict):
                return None
            node = doc
            keys = inj.json_field.split(".")
            for k in keys[:-1]:
                nxt = node.get(k)
                if not isinstance(nxt, dict):
                    nxt = node[k] = {}
                node = nxt
            node[keys[-1]] = s.value
            out.body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
        return None

    def message_findings(self, text: str, host: str, where: str = "message") -> list[Finding]:
        """A message that is not rewritten (WebSocket frame, MCP message): real values,
        and placeholders on their way to a host they do not belong to."""
        if not self.secrets or not text:
            return []
        memo: dict[int, list] = {}
        texts = [(where, text)]
        out = self._real_values(texts, memo)
        return out + self._misrouted(texts, "*", host.lower(), "", memo)

    def real_value_findings(self, text: str, where: str = "message") -> list[Finding]:
        """Real values only (for a local tool server, where placeholders may go)."""
        if not self.secrets or not text:
            return []
        return self._real_values([(where, text)], {})

    # -- hosts only (a tunnel we do not decrypt) ----------------------------
    def check_host(self, host: str, agent: str = "") -> tuple[list[Finding], Verdict | None]:
        if not self.egress.active:
            return [], None
        v = self.egress.check_host(host, agent)
        if v.allowed:
            return [], v
        return [Finding("egress", "denied", "high", f"CONNECT {host}"[:80],
                        v.describe(), "block")], v

    # -- inbound -------------------------------------------------------------
    def scrub(self, data: bytes) -> bytes | None:
        """Real values an upstream echoed back, replaced by their placeholders (None: unchanged)."""
        if not self.secrets or not data:
            return None
        out = bytes(data)
        changed = False
        for _s, forms in self._scrub:
            for form, ph in forms:
                if form in out:
                    out = out.replace(form, ph)
                    changed = True
        return out if changed else None

    def scrub_text(self, text: str) -> str:
        got = self.scrub(text.encode("utf-8", "surrogatepass"))
        return text if got is None else got.decode("utf-8", "surrogatepass")

    # -- environments -----------------------------------------------------------
    def child_env(self, environ: dict[str, str]) -> dict[str, str]:
        """Variables whose value holds a placeholder, with the real value put in
        (for a stdio MCP server started by ringfence)."""
        out = {}
        if self._ph is None:
            return out
        for k, v in environ.items():
            if not isinstance(v, str) or not self._ph.search(v):
                continue
            out[k] = self._ph.sub(lambda m: self.secrets[int(m.lastgroup[1:])].value, v)
        return out


def headers_ct(headers: list[tuple[str, str]]) -> str:
    for k, v in headers:
        if k.lower() == "content-type":
            return v.lower()
    return ""


def _real(s: Secret, where: str, enc: str) -> Finding:
    return Finding("secrets", "real_value", "critical", f"{s.label()}, {enc}"[:80],
                   f"{where}: the real value of {s.label()}; send the placeholder", "block")


def _misrouted(s: Secret, where: str, host: str) -> Finding:
    return Finding("secrets", "placeholder_misrouted", "critical", s.label()[:80],
                   f"{where}: {s.label()} may not go to {host}", "block")
