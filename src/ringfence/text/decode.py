"""Recursive decoding of blobs embedded in text. Sans-io, bounded, linear.

    decode_layers(text, *, max_depth=4, max_total_bytes=2 MiB, deadline_s=0.1,
                  max_items=256) -> list[Decoded]
    Decoded(chain: str, text: str, start: int, end: int)

`chain` names the decoders applied, outermost first: "base64", "base64>hex",
"percent>base64", "base64>gzip". `start`/`end` is the span in the INPUT text of the
top-level blob (for nested layers, the span of the outermost blob that contained them).
Only layers whose decoded text differs from their source are returned, in input order,
each parent before its children.

Decoders:
- runs (one pass over the text for runs of the base64url alphabet, >= 16 chars):
  hex (even number of hex digits), base32 (RFC 4648, A-Z2-7, padded or not), base64
  (standard or URL-safe, padded or not). A run's output is kept only if it is mostly
  printable UTF-8, or if it is gzip/zlib, which is inflated (<= 1 MiB, ratio <= 100:1)
  and then must itself be mostly printable ("base64>gzip").
- text/exotic.py: Ascii85 (<~ ~>), Base85, uuencode, octal escapes, MIME encoded-words
  and line-wrapped base64 (each behind a cheap hint).
- delimited hex: `\\x41\\x42`, `0x41 0x42`, `41:42:43`, `41-42-43`, `41 42 43` (>= 4 bytes).
- clustered escapes: percent-encoding (text/percent.py, repeated until stable, at most
  max_depth rounds), HTML entities (named and numeric), JSON `\\uXXXX` escapes (surrogate
  pairs joined) and quoted-printable (`=XX`, soft line breaks; >= 3 in a cluster). Escapes closer than 64
  chars form one cluster, which is decoded with 64 chars of context on each side, so a
  phrase with a few encoded letters ("ign&#111;re previous") decodes as a whole.

Budgets: nesting depth, total decoded characters (max_total_bytes), a wall-clock
deadline and a cap on items. When one runs out, decoding stops and the list ends with
`Decoded("truncated", "", 0, len(text))` so a caller can fail closed.
"""
from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

from . import exotic
from .blobs import b32_bytes, b64_bytes, qp
from .percent import percent_decode
from .unpack import bytes_to_text, json_unescape

try:
    import re2 as _re2
except Exception:  # pragma: no cover
    _re2 = None

MIN_RUN = 16
CONTEXT = 64
GAP = 64
MAX_RUN = 1 << 20


@dataclass(frozen=True, slots=True)
class Decoded:
    chain: str
    text: str
    start: int
    end: int


class _Budget:
    __slots__ = ("left", "deadline", "items", "truncated")

    def __init__(self, total: int, deadline_s: float, items: int):
        self.left = total
        self.deadline = time.monotonic() + deadline_s
        self.items = items
        self.truncated = False

    def ok(self) -> bool:
        if self.truncated:
            return False
        if self.left <= 0 or self.items <= 0 or time.monotonic() > self.deadline:
            self.truncated = True
        return not self.truncated

    def take(self, n: int) -> bool:
        if not self.ok():
            return False
        if n > self.left:
            self.truncated = True
            return False
        self.left -= n
        self.items -= 1
        return True


_RUN_SRC = r"[A-Za-z0-9+/_-]{%d,}={0,6}" % MIN_RUN
_RUN = (_re2.compile(_RUN_SRC) if _re2 is not None else re.compile(_RUN_SRC))
_RUN_PY = re.compile(_RUN_SRC)
_HEX_ONLY = re.compile(r"[0-9A-Fa-f]+")
# a base64 run with at least one of its own '+', '/', '=' percent-encoded (16+ characters read)
_PCT_RUN = re.compile(r"(?<![A-Za-z0-9_%-])(?=[A-Za-z0-9_-]*%(?:2[BbFf]|3[Dd]))"
                      r"(?:[A-Za-z0-9_-]|%2[BbFf]){12,}(?:%3[Dd]){0,2}(?![A-Za-z0-9_-])")
_B32_ONLY = re.compile(r"[A-Z2-7]+=*")
_DELIM_HEX = re.compile(
    r"(?:\\x[0-9A-Fa-f]{2}){4,}"
    r"|0[xX][0-9A-Fa-f]{2}(?:[\s,]{1,3}0[xX][0-9A-Fa-f]{2}){3,}"
    r"|(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}(?:([:\-])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){2,}(?![0-9A-Fa-f])"
    r"|(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){7,}(?![0-9A-Fa-f])")
# Presence check for the separator forms (no literal prefix, so stdlib `re` is slow
# on big text; RE2 is a DFA). The exact regex above runs only when this hits.
_DELIM_PRESENT_SRC = (r"\\x[0-9A-Fa-f]{2}|0[xX][0-9A-Fa-f]{2}|[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){3}"
                      r"|[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){7}")
_DELIM_PRESENT = (_re2.compile(_DELIM_PRESENT_SRC) if _re2 is not None else re.compile(_DELIM_PRESENT_SRC))
_NOT_HEX = re.compile(r"\\x|0[xX]|[^0-9A-Fa-f]")

# Escapes that hide a letter, digit or space start a cluster; markup escapes that
# ordinary pages are full of (&amp; &#39; %2F \u0022 ...) do not. Matching only the
# interesting ones in the regex keeps Python callbacks off the hot path.
_PCT_INT = re.compile(r"%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[05])")
_ENT_INT = re.compile(
    r"&#(?:0*(?:9|1[03]|32|4[89]|5[0-7]|6[5-9]|[78][0-9]|90|9[7-9]|1[01][0-9]|12[0-2])"
    r"|[xX]0*(?:9|[aAdD]|20|3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]));"
    r"|&[A-Za-z]{1,2}(?:acute|grave|uml|circ|tilde|ring|cedil|slash|lig|caron);")
_JSON_INT = re.compile(r"\\u(?:00(?:[3-7][0-9A-Fa-f]|20|0[9aAdD]|[89A-Fa-f][0-9A-Fa-f])"
                       r"|0[1-9A-Fa-f][0-9A-Fa-f]{2}|[1-9A-Fa-f][0-9A-Fa-f]{3})")
_QP = re.compile(r"=(?:[0-9A-F]{2}|\r?\n)")
_CTRL_DEL = {c: None for c in list(range(0, 9)) + [11, 12] + list(range(14, 32)) + [127]}
_CTRL_DEL[0xFFFD] = None


def _printable(s: str) -> bool:
    if not s:
        return False
    if s.isprintable():
        return True
    bad = len(s) - len(s.translate(_CTRL_DEL))
    return bad * 10 <= len(s)


def _bytes_to_text(b: bytes, chain: str) -> tuple[str, str] | None:
    """Printable text from decoded bytes (UTF-8, UTF-16, gzip/zlib/deflate/brotli): the
    same reading every scanner uses (text/unpack.py)."""
    got = bytes_to_text(b)
    if got is None or not _printable(got[1]):
        return None
    return (chain + ">" + got[0] if got[0] else chain), got[1]


def _decode_run(run: str) -> list[tuple[str, str]]:
    out = []
    body = run.rstrip("=")
    if len(body) % 2 == 0 and _HEX_ONLY.fullmatch(body):
        r = _bytes_to_text(bytes.fromhex(body), "hex")
        if r:
            return [r]
    if _B32_ONLY.fullmatch(run) and len(body) >= MIN_RUN:
        raw = b32_bytes(body)
        r = _bytes_to_text(raw, "base32") if raw else None
        if r:
            out.append(r)
    if "=" not in body:
        b64 = body[:-1] if len(body) % 4 == 1 else body
        raw = b64_bytes(b64)
        r = _bytes_to_text(raw, "base64") if raw else None
        if r:
            out.append(r)
    return out


def _clusters(rx: re.Pattern, text: str, need: int) -> list[tuple[int, int]]:
    """Spans (with context) around clusters of escapes that hide letters/digits/spaces.
    Ordinary markup escapes (&amp; &lt; %2F ...) do not start a cluster."""
    spans: list[list[int]] = []
    for m in rx.finditer(text):
        a, b = m.span()
        if spans and a - spans[-1][1] <= GAP:
            spans[-1][1] = b
            spans[-1][2] += 1
        else:
            spans.append([a, b, 1])
        if len(spans) > 4096:
            break
    n = len(text)
    return [(max(0, a - CONTEXT), min(n, b + CONTEXT)) for a, b, c in spans if c >= need]


def _layer(text: str, depth: int, max_depth: int, budget: _Budget) -> list[tuple[str, str, int, int]]:
    """One level of decoding: (chain, decoded, start, end) in `text` offsets."""
    found: list[tuple[str, str, int, int]] = []
    if len(text) < 4:
        return found
    try:
        runs = list(_RUN.finditer(text))
    except Exception:  # re2 rejects lone surrogates
        runs = list(_RUN_PY.finditer(text))
    for m in runs:
        if not budget.ok():
            return found
        a, b = m.span()
        run = m.group(0)
        if len(run) > MAX_RUN:
            run = run[:MAX_RUN]
        for chain, s in _decode_run(run):
            if budget.take(len(s)):
                found.append((chain, s, a, b))
    if "%2" in text or "%3" in text:
        # base64 in a URL or form value: its '+', '/' and '=' percent-encoded break the run
        # above, and those escapes are too common to start a percent cluster below
        for m in _PCT_RUN.finditer(text):
            if not budget.ok():
                return found
            run = percent_decode(m.group(0)[:MAX_RUN])
            for chain, s in _decode_run(run):
                if budget.take(len(s)):
                    found.append(("percent>" + chain, s, m.start(), m.end()))
    try:
        present = _DELIM_PRESENT.search(text) is not None
    except Exception:  # re2 rejects lone surrogates
        present = _DELIM_HEX.search(text) is not None
    if present:
        for m in _DELIM_HEX.finditer(text):
            if not budget.ok():
                return found
            hexs = _NOT_HEX.sub("", m.group(0))
            r = _bytes_to_text(bytes.fromhex(hexs), "hex") if len(hexs) % 2 == 0 else None
            if r and budget.take(len(r[1])):
                found.append((r[0], r[1], m.start(), m.end()))
    kinds = exotic.hints(text)
    if kinds:  # Ascii85, Base85, uuencode, octal, MIME words, wrapped base64
        for chain, s, a, b in exotic.decode(text, kinds=kinds):
            if budget.take(len(s)):
                found.append((chain, s, a, b))
    escapes = []
    if "%" in text:
        escapes.append(("percent", _PCT_INT, 1, lambda s: percent_decode(s, max_depth)))
    if "&" in text:
        escapes.append(("html", _ENT_INT, 1, html.unescape))
    if "\\u" in text:
        escapes.append(("json", _JSON_INT, 1, json_unescape))
    if "=" in text:
        escapes.append(("qp", _QP, 3, qp))
    for chain, rx, need, fn in escapes:
        for a, b in _clusters(rx, text, need):
            if not budget.ok():
                return found
            src = text[a:b]
            s = fn(src)
            if s != src and budget.take(len(s)):
                found.append((chain, s, a, b))
    return found


def _walk(text: str, depth: int, max_depth: int, budget: _Budget,
          chain0: str, span0: tuple[int, int] | None, out: list[Decoded]) -> None:
    if depth >= max_depth:
        return
    for chain, s, a, b in sorted(_layer(text, depth, max_depth, budget), key=lambda t: (t[2], t[3])):
        full = chain if not chain0 else chain0 + ">" + chain
        span = span0 if span0 is not None else (a, b)
        out.append(Decoded(full, s, span[0], span[1]))
        _walk(s, depth + 1, max_depth, budget, full, span, out)


def decode_layers(text: str, *, max_depth: int = 4, max_total_bytes: int = 2 << 20,
                  deadline_s: float = 0.1, max_items: int = 256) -> list[Decoded]:
    """All decodable layers in `text` (see module docstring)."""
    if not isinstance(text, str):
        raise TypeError("decode_layers takes str")
    out: list[Decoded] = []
    if max_depth <= 0 or not text:
        return out
    exotic.warm()  # a first call compiles the hint databases: not on the deadline
    budget = _Budget(max_total_bytes, deadline_s, max_items)
    _walk(text, 0, max_depth, budget, "", None, out)
    if budget.truncated:
        out.append(Decoded("truncated", "", 0, len(text)))
    return out


__all__ = ["Decoded", "decode_layers"]
