"""Outbound DLP: find secrets in text about to leave.

Fast path: every view of the text goes through one multi-pattern pass (all rule
pre-filters, env/canary literals, base64/hex blob finder, seed-phrase pre-filter).
Only the rules that hit are confirmed with Python `re`, validators, entropy and
context checks. Decoded layers (base64/hex/base32/delimited hex) are built only
from blob candidates that decode to text.

Sans-io: reads os.environ once at construction (config-time), nothing per scan.
"""
from __future__ import annotations

import base64
import bisect
import functools
import binascii
import html
import math
import operator
import quopri
import os
import re
import unicodedata
from collections import Counter
from itertools import accumulate, compress
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import unquote

from ..core import Finding, redact
from ..text import exotic
from ..text.unpack import base58_text, byte_arrays, bytes_to_text
from ..rules.dlp import PLACEHOLDER_WORDS, RULES, SPECIAL_RULES, DlpRule
from . import validators as V
from .der import private_key_der
from .rot13 import hints as rot13_hints, rot13
from .entropy import is_public_id
from . import financial, mnemonics, public_ids

try:  # the fast engine; the fallback gives the same verdicts, slower
    import hyperscan as _hs
except Exception:  # pragma: no cover - exercised only where hyperscan is missing
    _hs = None

# ---------------------------------------------------------------------------
# multi-pattern pass

_LOOKAROUND = re.compile(r"\(\?<?[=!](?:[^()\\]|\\.|\[[^\]]*\])*\)")


def prefilter_pattern(pattern: str) -> str:
    """A superset pattern Hyperscan accepts: drop lookarounds and group names."""
    p = _LOOKAROUND.sub("", pattern)
    p = re.sub(r"\(\?P<\w+>", "(", p)
    return p.replace("(?i)", "")


# Blob candidates: base64/base64url/hex/base32 runs. The trailing non-blob byte
# (we append "\n" to the data) makes Hyperscan report each run once.
# Start-of-match tracking costs ~0.7 ms/MB of prose, but finding the starts in
# Python afterwards (walking back from each end) costs ~1.3 ms for the ~3,000 runs
# (ids, hashes) per MB of prose, so Hyperscan keeps tracking them.
_BLOB = rb"[A-Za-z0-9+/_=-]{16,}[^A-Za-z0-9+/_=-]"
_DELIM_HINT = rb"(?:[0-9A-Fa-f]{2}[-:, ]){7}[0-9A-Fa-f]{2}|(?:\\x[0-9A-Fa-f]{2}){8}|(?:0x[0-9A-Fa-f]{2}[, ]{0,2}){8}"
# Seed phrases are written lowercase (or all caps), one separator between words
# (space, comma, quotes, pipe, a line break, or list numbering "1. word 2. word").
# The pre-filter finds twelve such words in a row; `_SEED_RUN` then takes the
# maximal run, so a long stretch of word soup is one run, not many windows.
_SEED_SEP = r"(?:[ \t,;|\"']{1,4}|[ \t]*\r?\n[ \t]*|\s{0,4}\d{1,2}[.):]?\s{1,4})"
# Capitalised words count too: a sentence's first word joins its run, so a sentence
# of wordlist words is judged by its whole length, not by the words after the first.
_SEED_W = r"(?:[a-z]{3,8}|[A-Z]{3,8}|[A-Z][a-z]{2,7})"
# The regions allow words of 9 letters: the Italian wordlist has them
# (scanners/mnemonics.py); English runs are still cut at 8.
_SEED_W_REGION = r"(?:[a-z]{3,9}|[A-Z]{3,9}|[A-Z][a-z]{2,7})"
_SEED_SPAN = 9 + 11  # widest word plus separator the pattern allows
_BIP39_HINT = (_SEED_W_REGION + "(?:" + _SEED_SEP + _SEED_W_REGION + "){11}").encode()
_SEED_RUN = re.compile(r"(?<![A-Za-z])" + _SEED_W + "(?:" + _SEED_SEP + _SEED_W + r")*(?![A-Za-z])")

ID_BLOB, ID_DELIM, ID_BIP39, ID_ROT13 = 100000, 100001, 100002, 100003
ID_LITERAL = 200000


@dataclass(frozen=True)
class _Literal:
    kind: str       # env or canary
    name: str       # env var name or canary label
    value: str      # the literal as it appears (encoded form)
    encoding: str
    caseless: bool


class _Matcher:
    """Which rule pre-filters hit, plus blob spans, in one pass over bytes."""

    def __init__(self, rules: list[DlpRule], literals: list[_Literal]):
        self.rules, self.literals = rules, literals
        exprs, ids, flags = [], [], []
        for i, r in enumerate(rules):
            if r.prefilter:
                exprs.append(r.prefilter.encode())
            elif r.context:  # context rules pre-filter on their keywords: the value shape alone is too common
                exprs.append("|".join(re.escape(k) for k in r.context).encode())
            else:
                exprs.append(prefilter_pattern(r.pattern).encode())
            ids.append(i)
            caseless = r.ignore_case or r.pattern.startswith("(?i)") or bool(r.context and not r.prefilter)
            flags.append("caseless" if caseless else "")
        for j, lit in enumerate(literals):
            exprs.append(re.escape(lit.value).encode())
            ids.append(ID_LITERAL + j)
            flags.append("caseless" if lit.caseless else "")
        exprs += [_BLOB, _DELIM_HINT]
        ids += [ID_BLOB, ID_DELIM]
        flags += ["som", ""]
        exact, words = rot13_hints([r.pattern for r in rules], [k for r in rules for k in r.context],
                                   [(r.pattern, exprs[i].decode(), flags[i] == "caseless")
                                    for i, r in enumerate(rules) if not r.context])
        for group, flag in ((exact, ""), (words, "caseless")):  # only a text holding one gets a ROT13 view
            if group:
                exprs.append("|".join(group).encode())
                ids.append(ID_ROT13)
                flags.append(flag)
        self._db = self._bip_db = None
        self._spec = (exprs, ids, flags)
        if _hs is not None:
            self._db = self._compile_hs(exprs, ids, flags)
            self._bip_db = _cached_db("dlp-seed", [_BIP39_HINT], [ID_BIP39], [0])

    @functools.cached_property
    def _fallback(self):  # built only where Hyperscan is missing
        exprs, ids, flags = self._spec
        return [(i, re.compile(e, re.I if f == "caseless" else 0)) for e, i, f in zip(exprs, ids, flags)]

    @functools.cached_property
    def _bip_rx(self):
        return re.compile((_SEED_W_REGION + "(?:" + _SEED_SEP + _SEED_W_REGION + "){11,}").encode())

    def seed_regions(self, data: bytes, cap: int = 20000) -> list[tuple[int, int]]:
        """Byte ranges that hold 12+ consecutive seed-shaped words (lowercase or caps, 3-9 letters)."""
        if self._bip_db is None:
            return _merge([m.span() for m in self._bip_rx.finditer(data)][:cap])
        regions: list[list[int]] = []
        count = [0]

        def on(_i, _frm, to, _fl, _c):
            count[0] += 1
            frm = max(0, to - 12 * _SEED_SPAN)  # no start of match (SOM makes this pattern too large)
            if regions and frm <= regions[-1][1]:
                regions[-1][1] = max(to, regions[-1][1])
            else:
                regions.append([frm, to])
            return count[0] >= cap  # True stops the scan: bounded work on word soup
        try:
            self._bip_db.scan(data, match_event_handler=on)
        except _hs.ScanTerminated:
            pass
        if count[0] >= cap and regions:
            regions[-1][1] = len(data)
        return [(a, b) for a, b in regions]

    @staticmethod
    def _compile_hs(exprs, ids, flags):
        hf = []
        for i, f in zip(ids, flags):
            v = 0
            if f == "som":
                v |= _hs.HS_FLAG_SOM_LEFTMOST
            elif i >= ID_LITERAL or i in (ID_DELIM, ID_ROT13):
                v |= _hs.HS_FLAG_SINGLEMATCH
            if f == "caseless":
                v |= _hs.HS_FLAG_CASELESS
            hf.append(v)
        try:
            return _cached_db("dlp-main", exprs, ids, hf)
        except Exception:
            # A pattern Hyperscan cannot take exactly: compile all in prefilter mode
            # (a superset), which is safe because every hit is confirmed.
            return _cached_db("dlp-main-prefilter", exprs, ids, [f | _hs.HS_FLAG_PREFILTER for f in hf])

    def scan(self, data: bytes) -> tuple[dict[int, list[int]], list[tuple[int, int]]]:
        """Return ({id: end offsets (at most MAX_ENDS, then [-1] = 'many')}, blob byte spans)."""
        hits: dict[int, list[int]] = {}
        blobs: list[tuple[int, int]] = []
        data = data + b"\n"
        if self._db is not None:
            def on(i, frm, to, _f, _c):
                if i == ID_BLOB:
                    if len(blobs) < MAX_BLOBS:
                        blobs.append((frm, to - 1))
                    return None
                ends = hits.get(i)
                if ends is None:
                    hits[i] = [to]
                elif ends[-1] != -1:
                    if len(ends) >= MAX_ENDS:
                        ends.append(-1)
                    elif to - ends[-1] > 0:
                        ends.append(to)
                return None
            self._db.scan(data, match_event_handler=on)
            return hits, blobs
        for i, rx in self._fallback:
            if i == ID_BLOB:
                blobs = [(m.start(), m.end() - 1) for m in rx.finditer(data)][:MAX_BLOBS]
            elif rx.search(data):
                hits[i] = [-1]  # no offsets from the fallback: confirm over the whole text
        return hits, blobs


    def field_ends(self, data: bytes, cap: int = 20000):
        """(last byte offsets of rule hits, blob spans) in data, in one pass and without
        confirmation; None when positions cannot say which field a match is in (a
        single-match literal or delimited-hex hit, too many events, no Hyperscan)."""
        if self._db is None:
            return None
        ends: list[int] = []
        blobs: list[tuple[int, int]] = []
        bad = [False]

        def on(i, frm, to, _f, _c):
            if i == ID_BLOB:
                blobs.append((frm, to - 1))
            elif i >= ID_LITERAL or i in (ID_DELIM, ID_ROT13):
                bad[0] = True
                return True
            else:
                ends.append(to - 1)
            if len(ends) + len(blobs) >= cap:
                bad[0] = True
                return True  # stop: every field is scanned
            return None
        try:
            self._db.scan(data + b"\n", match_event_handler=on)
        except _hs.ScanTerminated:
            pass
        return None if bad[0] else (ends, blobs)


def _cached_db(tag: str, exprs, ids, flags):
    """Compiled database from the shared on-disk cache (start-up time), else compiled here."""
    try:
        from ..match.hscache import cached_compile
    except Exception:  # pragma: no cover - the cache module is part of the package
        cached_compile = None
    if cached_compile is not None:
        db = cached_compile(tag, list(exprs), list(ids), list(flags))
        if getattr(db, "scratch", None) is None:
            db.scratch = _hs.Scratch(db)  # a database loaded from the cache comes without one
        return db
    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    db.compile(expressions=list(exprs), ids=list(ids), flags=list(flags))
    return db


def _merge(spans):
    out: list[list[int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1][1] = max(b, out[-1][1])
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


@functools.lru_cache(maxsize=8)
def _names_db(ctx_words: tuple[str, ...]):
    """Literal Hyperscan db over field names: id 0 a context keyword, id 1 a
    sensitive-key hint (each reported once)."""
    if _hs is None:
        return None
    exprs = [re.escape(w).encode() for w in ctx_words] + [re.escape(h).encode() for h in _SENSITIVE_HINTS]
    ids = [0] * len(ctx_words) + [1] * len(_SENSITIVE_HINTS)
    flags = [_hs.HS_FLAG_CASELESS | _hs.HS_FLAG_SINGLEMATCH] * len(exprs)
    try:
        return _cached_db("dlp-names", exprs, ids, flags)
    except Exception:  # the substring fallback gives the same answer
        return None


@functools.lru_cache(maxsize=8)
def _matcher_for(rules: tuple[DlpRule, ...], literals: tuple[_Literal, ...], fast: bool) -> _Matcher:
    """Compiled databases are immutable: share them across scanners with the same rules
    (config reloads, one Engine per test) instead of recompiling (~0.3 s)."""
    return _Matcher(list(rules), list(literals))


MAX_ENDS, MAX_BLOBS = 256, 4096
SMALL_MAX = 8192  # fields up to this many chars in all are first tried on the one-pass clean proof
PER_FIELD_MAX = 32  # above this many fields, scan them joined (with attribution) instead of one by one
WINDOW = 1024  # bytes either side of a pre-filter hit that confirmation looks at


# ---------------------------------------------------------------------------
# text views: normalised, unescaped, decoded

_INVISIBLE = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0), 0xAD, 0x034F, 0x061C,
     0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, *range(0x200B, 0x2010),
     *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0x3164, *range(0xFE00, 0xFE10), 0xFEFF, 0xFFA0,
     *range(0xFFF0, 0xFFF9), *range(0xE0000, 0xE0080), *range(0xE0100, 0xE01F0)])
# Common Cyrillic/Greek/other look-alikes of ASCII letters (NFKC does not fold these).
_CONFUSABLES = (
    "АA ВB ЕE КK МM НH ОO РP СC ТT ХX УY ЅS ІI ЈJ аa еe оo рp сc хx уy іi јj ѕs ӏl ԁd ԛq ԝw ɡg "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX αa οo ρp ιi υu νv ϲc ϳj κk"
)
_FOLD = {ord(p[0]): p[1] for p in _CONFUSABLES.split()}
_FOLD.update(dict.fromkeys([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63], "-"))  # dashes
_FOLD.update(_INVISIBLE)


def normalize(text: str) -> str:
    """Invisible chars removed, NFKC, look-alikes folded, combining marks dropped."""
    if text.isascii():
        b = text.encode("ascii")
        return text.translate(_INVISIBLE) if len(b.translate(None, _CTRL_BYTES)) != len(b) else text
    t = unicodedata.normalize("NFKC", text.translate(_FOLD)).translate(_FOLD)
    if not t.isascii():
        t = "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))
        t = unicodedata.normalize("NFC", t)
    return t


_ASCII_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESC_U = re.compile(r"\\{1,2}u([0-9a-fA-F]{4})|\\{1,2}x([0-9a-fA-F]{2})")
_ESC_C = re.compile(r'(?<!\\)\\([nrt"])')
_ESC_C_MAP = {"n": "\n", "r": "\r", "t": "\t", '"': '"'}
_QP_RX = re.compile(r"=(?:[0-9A-F]{2}[^=\s]{0,16}=[0-9A-F]{2}|\r?\n)")
_TAGS = re.compile("[\U000E0020-\U000E007E]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TAG_TABLE = {cp: cp - 0xE0000 for cp in range(0xE0020, 0xE007F)}


def unescape(text: str, rounds: int = 8) -> str:
    """Percent-decoding (repeated), \\uXXXX / \\xHH escapes and HTML entities."""
    t = text
    for _ in range(rounds):
        prev = t
        if "%" in t:
            t = unquote(t, errors="replace")
        if "\\" in t:
            t = _ESC_U.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), t)
            if "\\n" in t and exotic.escaped_multiline(t):  # wrapped base64 / uuencode in a quoted JSON string
                t = _ESC_C.sub(lambda m: _ESC_C_MAP[m.group(1)], t)
            if _SURROGATE.search(t):  # \ud83d\ude00: one character in two escapes
                t = t.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if "&" in t and _ENTITY.search(t):
            t = html.unescape(t)
        if "=" in t and _QP_RX.search(t):
            t = _qp(t)
        if t == prev:
            break
    return t


_HEX_CHARS = "0123456789abcdefABCDEF"
_B32_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567="
_B64_TEXT_LEAD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef")  # first sextet of a quad of ASCII bytes
_HEX_TEXT_HIGH = frozenset("234567")                             # high nibble of printable ASCII
_CTRL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t\n\r]{16,}")
_DELIM_HEX = re.compile(
    r"(?:[0-9A-Fa-f]{2}[-:, ]){7,}[0-9A-Fa-f]{2}|(?:\\x[0-9A-Fa-f]{2}){8,}|(?:0x[0-9A-Fa-f]{2}[, ]{0,2}){8,}")
# A field with other views than its raw text: escapes, controls, byte arrays, quoted-printable.
_SPECIAL_CHARS = re.compile(r"[%\\&\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Each starts with a literal, so `re` finds its candidates with a fast prefix scan.
_BYTES_HINT = re.compile(r"\[\s*\d{1,3}\s*,\s*\d")
_NAME_EQ = re.compile(rb"[A-Za-z_][\w.-]{0,40}=(?=[A-Za-z0-9+/])")
_B64_TAIL = re.compile(rb"[ \t]*\r?\n[ \t]*([A-Za-z0-9+/]{1,15}={0,2})(?![A-Za-z0-9+/=_-])")
_QP_HINT = re.compile(r"=(?:[0-9A-F]{2}[^=\s]{0,16}=[0-9A-F]{2}|\r?\n)")


class _Special:
    """`search` is true for a text with other views than its raw text."""

    @staticmethod
    def search(text: str) -> bool:
        return bool(_SPECIAL_CHARS.search(text) or ("[" in text and _BYTES_HINT.search(text))
                    or ("=" in text and _QP_HINT.search(text))
                    or (len(text) >= 16 and exotic.hint(text, wrapped=False)))


_SPECIAL = _Special()
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _qp(t: str) -> str:
    try:
        return quopri.decodestring(t.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return t


def _only(s: str, chars: str) -> bool:
    return not s.strip(chars)


def _texty(raw: bytes) -> str | None:
    """Decoded bytes as text when they look like text (UTF-8, UTF-16, or compressed
    text: gzip/zlib/deflate/brotli, bounded), else their printable runs."""
    if not raw:
        return None
    ctrl = len(raw) - len(raw.translate(None, _CTRL_BYTES))
    if ctrl <= len(raw) // 10:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if len(raw) >= 12:
        got = bytes_to_text(raw)
        if got is not None:
            return got[1]
    runs = _PRINTABLE_RUN.findall(raw)
    return "\n".join(r.decode("ascii") for r in runs) if runs else None


_HEX_B = b"0123456789abcdefABCDEF"
_B58_B = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ZLIB_B64 = (b"eJ", b"eN", b"eF", b"eA", b"eD")  # base64 of a zlib header (0x78 ..)
_B32_B = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567="
_HEX_HIGH_B = b"234567"                               # high nibble of printable ASCII
_B64_LEAD_B = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"      # first sextet of a quad of ASCII bytes
_UUID_B = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _mostly(chars: bytes, allowed: bytes, frac: float = 0.9) -> bool:
    return len(chars.translate(None, allowed)) <= (1 - frac) * len(chars)


def decode_blob(s: bytes | str) -> list[str]:
    """Every text that a base64/base64url/hex/base32 reading of s yields.

    Cheap shape checks come first: most runs in clean traffic (identifiers, paths,
    UUIDs, hashes) cannot decode to text, and are dropped without decoding."""
    if isinstance(s, str):
        s = s.encode("ascii", "ignore")
    out: list[str] = []
    core = s.rstrip(b"=")
    if b"=" in core:
        # `name=VALUE` (form fields, env lines, cookies) is one run: decode each side
        for piece in core.split(b"="):
            if len(piece) >= 16:
                out += decode_blob(piece)
        return out
    if len(core) < 16 or (len(s) == 36 and s[8:9] == b"-" and _UUID_B.fullmatch(s)):
        return out
    if len(s) % 2 == 0 and not s.translate(None, _HEX_B):
        # hex of text has its high nibbles in 2..7; long blobs may be binary with text inside
        if len(s) >= 64 or _mostly(s[0::2], _HEX_HIGH_B):
            t = _texty(bytes.fromhex(s.decode()))
            if t:
                out.append(t)
        return out  # a hex string read as base64 is noise
    if (not s.translate(None, _B32_B) or not s.upper().translate(None, _B32_B) and s.islower()) \
            and not core.isdigit():
        try:
            t = _texty(base64.b32decode(core.upper() + b"=" * (-len(core) % 8)))
            if t:
                out.append(t)
        except (binascii.Error, ValueError):
            pass
    if len(core) >= 32 or _mostly(core[0::4], _B64_LEAD_B) or core[:4] == b"H4sI" or core[:2] in _ZLIB_B64:
        raw = V.b64_any(s.decode("latin-1"))  # a caller may hand any bytes: never raise
        if raw is not None:
            t = _texty(raw)
            if t:
                out.append(t)
    if not out and not s.translate(None, _B58_B) and not core.isdigit():
        t = base58_text(s.decode())
        if t:
            out.append(t)
    return out


@functools.lru_cache(maxsize=4096)
def _decode_small(s: bytes) -> tuple[str, ...]:
    return tuple(decode_blob(s))


def decode_blob_cached(s: bytes) -> tuple[str, ...] | list[str]:
    """decode_blob, remembered for short candidates (ids, hashes and paths recur in
    every request's headers and URLs)."""
    return _decode_small(s) if len(s) <= 256 else decode_blob(s)


_PIECE = re.compile(r"[A-Za-z0-9_.~+/=:-]{4,200}")
_LIST_SEP = re.compile(r"\s*[;&]\s*")
_SUB_NAME = re.compile(r"^[\w.-]{1,64}=")
MAX_PIECES = 16


def split_text(fields, reverse: bool = False) -> str:
    """Token-piece values (no name= prefix) glued back: every ordered pair, then all of
    them, one per line ("" when fewer than two pieces or none has a digit or capital).
    reverse: the pieces in the opposite order (carriers not read in the order a secret
    was cut: cookie z before cookie a)."""
    pieces = []
    for where, v in fields:
        if len(v) < 4 or len(pieces) >= MAX_PIECES:
            continue   # (a piece is 4+ chars of v; the list is full)
        name = where.rsplit(".", 1)[-1]
        if where.startswith("header.") and ": " in v:
            v = v.split(": ", 1)[1]  # header fields arrive as "Name: value"
        elif name and v.startswith(name + "="):
            v = v[len(name) + 1:]
        # a cookie or query list: its values are pieces each
        subs = [_SUB_NAME.sub("", x, 1) for x in _LIST_SEP.split(v)] if "=" in v and (";" in v or "&" in v) else (v,)
        for x in subs:
            if _PIECE.fullmatch(x) and not x.isalpha() and len(pieces) < MAX_PIECES:
                pieces.append(x)
    if len(pieces) < 2:
        return ""
    if reverse:
        pieces.reverse()
    lines = [pieces[i] + pieces[j] for i in range(len(pieces)) for j in range(i + 1, len(pieces))]
    lines.append("".join(pieces))
    return "\n".join(lines)


def _never(_a: int, _b: int) -> bool:
    return False


def _fields_matching(rx: re.Pattern, names: list[str]) -> set[int]:
    """Indices of the names rx finds something in: one search over all names joined."""
    joined = "\n".join(names)
    starts, pos = [], 0
    for n in names:
        starts.append(pos)
        pos += len(n) + 1
    return {bisect.bisect_right(starts, m.start()) - 1 for m in rx.finditer(joined)}


def decode_delimited_hex(text: str) -> list[str]:
    out = []
    for m in _DELIM_HEX.finditer(text):
        digits = re.sub(r"\\x|0x|[-:, ]", "", m.group())
        if len(digits) % 2 == 0:
            t = _texty(bytes.fromhex(digits))
            if t:
                out.append(t)
    return out


# ---------------------------------------------------------------------------
# validators that need the surrounding text

_SENSITIVE_KEY = re.compile(
    r"(?i)(password|passwd|passphrase|pwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|access[_-]?token"
    r"|refresh[_-]?token|client[_-]?secret|private[_-]?key|token|credential|session[_-]?key|x-api-key)")
# every match of _SENSITIVE_KEY contains one of these (lowercase)
_SENSITIVE_HINTS = ("pass", "pwd", "secret", "key", "token", "credential")
_NOT_SECRET_KEY = re.compile(
    r"(?i)(csrf|xsrf|_?(type|expiry|expires(_at|_in)?|url|uri|path|file|name|length|count|limit|size|endpoint|header"
    r"|policy|format|version|id|ids|prefix|hint|usage|ttl|timeout)$|tokeni[sz]er|max_?tokens|tokens_?used)")
_DOTTED_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$")
_CONST_IDENT = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_DATEISH = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d+(\.\d+)+([-+][A-Za-z0-9.]+)?$|^v\d")


# A request header whose name ends in "key" carries one (X-Custom-Key, Ocp-Apim-Subscription-Key),
# except the headers that name public or per-request values.
_HEADER_KEY = re.compile(r"(?i)^header\.[a-z0-9-]*[-_]key$")
_HEADER_KEY_PUBLIC = re.compile(r"(?i)[-_.](?:idempotency|public|publishable|site|cache|sort|routing|dedup|partition"
                                r"|request|trace|correlation|websocket)[-_]key$")


def _field_key_sensitive(where: str) -> bool:
    """The last name component of a field ("body.json.$.db.password") names a secret."""
    key = re.split(r"[.\[\]/:\s\"']+", where.strip(".[]/:\"' "))[-1] if where else ""
    if key and _HEADER_KEY.match(where) and not _HEADER_KEY_PUBLIC.search(where):
        return True
    return bool(key) and bool(_SENSITIVE_KEY.search(key)) and not _NOT_SECRET_KEY.search(key) \
        and not public_ids.cursor_name(key)


def is_placeholder(value: str) -> bool:
    low = value.lower()
    if len(set(low)) <= 2:
        return True
    if low in ("password", "passwd", "secret", "token", "apikey", "api_key", "none", "null", "undefined"):
        return True
    return any(w in low for w in PLACEHOLDER_WORDS)


# A version or version range (package manifests): "^1.2.1", ">=2.0.0 <3", "1.2.3-beta.1".
_VERSIONISH = re.compile(r"(?:[\^~>=<v]{0,3}\d+(?:\.[\dxX*]+){1,3}(?:[-+][\w.]+)?[\s,|]*){1,4}")


def secret_like(value: str) -> bool:
    """Gate for values found by name only (generic assignments, sensitive fields)."""
    v = value.strip().strip("\"'")
    if len(v) < 8 or len(v) > 512 or v.isdigit() or is_placeholder(v):
        return False
    if "://" in v or v[0] in "/~." or v.startswith("$") or _CONST_IDENT.match(v):
        return False
    if _DOTTED_IDENT.match(v) and not any(c.isdigit() for c in v):  # settings.API_KEY, os.environ
        return False
    if _DATEISH.match(v) or _VERSIONISH.fullmatch(v):
        return False
    cls = V.char_classes(v)
    ent = V.shannon(v)
    if len(v) >= 32 and ent >= 3.0 and _only(v, _HEX_CHARS):
        return True  # a long hex value named as a key or secret (the format of many API keys)
    return (cls >= 3 and ent >= 2.5) or (cls >= 2 and ent >= 3.5 and len(v) >= 16)


_KEY_HEAD = re.compile(r"[A-Za-z0-9_.-]{0,40}\Z")
_NEXT_FIELD = re.compile(r"[+&;,|]?[A-Za-z_][\w-]{1,40}=(?=[^=])")


def _v_generic(secret: str, view: str, m: re.Match, where: str) -> bool:
    # the pattern starts at the keyword (fast); the rest of the name is just before it
    head = _KEY_HEAD.search(view, max(0, m.start() - 40), m.start())
    key = (head.group() if head else "") + (m.group("k") or "")
    if _NOT_SECRET_KEY.search(key) or public_ids.cursor_name(key):
        return False
    # In a join of `name=value` fields, the value ends where the next field's name begins.
    return secret_like(_NEXT_FIELD.split(secret, 1)[0])


def _v_gcp(secret: str, view: str, m: re.Match, where: str) -> bool:
    win = view[max(0, m.start() - 8192): m.end() + 8192]
    return '"private_key"' in win or "'private_key'" in win


def _v_btc(secret: str, view: str, m: re.Match, where: str) -> bool:
    return V.bech32_address(secret) if secret[:3].lower() == "bc1" else V.btc_base58_address(secret)


_AUTH_BEFORE = re.compile(r"(?i)authorization[\"']?\s{0,3}[:=]\s{0,3}[\"']?\Z")


_UUID_SHAPE = re.compile(r"[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}")


def _v_auth_scheme(secret: str, view: str, m: re.Match, where: str) -> bool:
    """The scheme is the value of an Authorization header or field (right after its
    name, or first in a field named so), and the value is no id-shaped or public value
    and does not decode to a placeholder."""
    if not (_AUTH_BEFORE.search(view, max(0, m.start() - 24), m.start())
            or (m.start() == len(view) - len(view.lstrip())
                and where.lower().removesuffix(" (decoded)").endswith("authorization"))):
        return False
    if _UUID_SHAPE.fullmatch(secret) or is_public_id(secret) or (len(secret) == 64 and _only(secret, _HEX_CHARS)):
        return False  # ids, public ids and SHA-256 digests are what a scheme may sign or name, not a credential
    return not any(is_placeholder(t.strip()) for t in decode_blob_cached(secret.encode("ascii", "ignore")))


_VALIDATORS: dict[str, Callable[[str, str, re.Match, str], bool]] = {
    "generic_secret": _v_generic,
    "gcp_sa_private_key": _v_gcp,
    "btc_address": _v_btc,
    "eth_address": lambda s, v, m, w: V.eth_address_mixed_valid(s),
    "credit_card": lambda s, v, m, w: (financial.card_number(s) and _card_separators_ok(s)
                                       and not financial.labelled_not_card(s, v, m.start("s"), w)),
    "iban": lambda s, v, m, w: V.iban(s),
    "wif": lambda s, v, m, w: V.wif(s),
    "extended_private_key": lambda s, v, m, w: V.extended_private_key(s),
    "jwt": lambda s, v, m, w: V.jwt(s),
    "basic_auth": lambda s, v, m, w: V.basic_auth(s),
    "us_ssn": lambda s, v, m, w: V.us_ssn(s),
    "private_key_der": lambda s, v, m, w: private_key_der(s),
    "authorization_scheme": _v_auth_scheme,
    "ed25519_keypair_array": lambda s, v, m, w: financial.keypair_array(s, v, m.start(), w),
    "web3_keystore": lambda s, v, m, w: financial.web3_keystore(v, m.start(), m.end()),
}


def _card_separators_ok(s: str) -> bool:
    """One separator kind at most (4111 1111-1111 1111 is not how cards are written)."""
    seps = {c for c in s if not c.isdigit()}
    return len(seps) <= 1


# ---------------------------------------------------------------------------
# environment secrets

_ENV_SENSITIVE = re.compile(r"(?i)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS\b|CREDENTIAL|AUTH|API|PRIVATE|SESSION"
                            r"|COOKIE|DSN|DATABASE_URL|CONN(ECTION)?_?STR|SIGNING|WEBHOOK)")
_ENV_HARMLESS = frozenset((
    "PATH", "HOME", "PWD", "OLDPWD", "SHELL", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "TMPDIR", "TMP",
    "TEMP", "EDITOR", "VISUAL", "PAGER", "HOSTNAME", "SHLVL", "MAIL", "DISPLAY", "COLORTERM", "TZ", "_",
    "SSH_AUTH_SOCK", "SSH_AGENT_PID", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "GPG_AGENT_INFO", "XAUTHORITY",
    "KRB5CCNAME", "DBUS_SESSION_BUS_ADDRESS", "SESSION_MANAGER", "DESKTOP_SESSION", "XDG_SESSION_ID",
    "XDG_SESSION_TYPE", "XDG_SESSION_CLASS", "XDG_SESSION_DESKTOP", "GNOME_KEYRING_CONTROL", "VIRTUAL_ENV",
    "PYTHONPATH", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "LS_COLORS", "MANPATH", "INFOPATH",
    "CONDA_PREFIX", "GOPATH", "GOROOT", "JAVA_HOME", "NVM_DIR", "CARGO_HOME", "RUSTUP_HOME", "HISTFILE",
    "PS1", "PS2", "PROMPT_COMMAND", "WINDOWID", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "KUBECONFIG", "DOCKER_HOST", "HTTP_PROXY", "HTTPS_PROXY",
    "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "ALL_PROXY", "all_proxy",
))
_ENV_HARMLESS_PREFIX = ("LC_", "XDG_", "GIT_", "LESS", "PYTHON", "VSCODE_", "TERM_")


def _encodings(value: str) -> list[tuple[str, str, bool]]:
    """(encoded form, label, caseless) for a secret literal."""
    b = value.encode("utf-8", "surrogatepass")
    b64 = base64.b64encode(b).decode()
    u64 = base64.urlsafe_b64encode(b).decode()
    b32 = base64.b32encode(b).decode()
    forms = [(value, "raw", False), (b64, "base64", False), (b64.rstrip("="), "base64", False),
             (u64, "base64url", False), (u64.rstrip("="), "base64url", False), (b.hex(), "hex", True),
             (b32, "base32", False), (b32.rstrip("="), "base32", False)]
    seen, out = set(), []
    for f in forms:
        if f[0] not in seen:
            seen.add(f[0])
            out.append(f)
    return out


def env_secrets(environ: dict[str, str], min_length: int) -> list[tuple[str, str]]:
    """(name, value) pairs of this process's environment that look like secrets."""
    out = []
    for name, value in environ.items():
        if name in _ENV_HARMLESS or name.startswith(_ENV_HARMLESS_PREFIX) or not _ENV_SENSITIVE.search(name):
            continue
        v = value.strip()
        if len(v) < min_length or len(v) > 4096 or V.shannon(v) < 3.0 or v.startswith("/"):
            continue
        out.append((name, v))
    return out


# ---------------------------------------------------------------------------
# the scanner

_SECRET_WORD = re.compile(r"key|secret|token|passw|pwd|auth|cred|private")
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{20,64}={0,2}(?![A-Za-z0-9+/_=-])")
_WORD = re.compile(r"[A-Za-z]+")
SEED_SIZES = (24, 21, 18, 15, 12)
SEED_SLACK = 2     # wordlist words allowed around a phrase inside one run ("seed phrase legal winner ...")
SEED_MAX_RUN = max(SEED_SIZES) + SEED_SLACK


_SEED_TOK = re.compile(r"([A-Za-z]+)([^A-Za-z]*)")
_SEP_DIGITS = re.compile(r"\d+")
_SEP_SPACE = re.compile(r"[ \t]+")


def _sep_class(sep: str) -> str:
    """Separator kind: ' ', ', ', newline, numbering ' #. ' ... (digits and blank runs folded)."""
    return _SEP_SPACE.sub(" ", _SEP_DIGITS.sub("#", sep.replace("\r", "")))


def seed_candidates(run_text: str) -> list[tuple[list[str], int, int]]:
    """Word windows worth a BIP-39 checksum test in one run of seed-shaped words,
    as (words, start, end) with offsets into run_text.

    A phrase is a maximal run of wordlist words with one kind of separator between
    them (all spaces, all ', ', one per line, or numbered), whose length is
    12/15/18/21/24 plus at most SEED_SLACK label words. A longer run is prose or
    word soup, not a phrase: testing every window of it would let 1 in 16 random
    12-word windows through on the checksum alone."""
    index = V.bip39_words()
    low = run_text.lower()
    runs: list[list[re.Match]] = []
    if len(low) > 4096:
        # Long runs are word soup or prose: find the non-wordlist words with C-level
        # passes (bytes translate + split, regex split, accumulate) and tokenise only
        # the stretches between them that hold 12 words (all of them wordlist words).
        words = low.encode("utf-8", "surrogatepass").translate(_LETTERS_ONLY).split()
        non = set(words) - _bip39_bytes()
        if not non:
            return []
        if len(non) <= 256:
            alts = sorted((w.decode("ascii") for w in non), key=len, reverse=True)
            parts = re.split(r"(?<![a-z])(" + "|".join(alts) + r")(?![a-z])", low)  # gap, word, gap, ...
            lens = list(map(len, parts))
            offs = list(accumulate(lens, initial=0))
            long_gaps = list(compress(range(0, len(parts), 2), map((12 * 4 - 1).__le__, lens[0::2])))
            counts = map(len, map(_WORD.findall, [parts[k] for k in long_gaps]))
            for k in compress(long_gaps, map((12).__le__, counts)):
                _member_runs(low, offs[k], offs[k] + lens[k], index, runs)
            return _windows_of(runs)
    _member_runs(low, 0, len(low), index, runs)
    return _windows_of(runs)


_LETTERS_ONLY = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))


@functools.lru_cache(maxsize=1)
def _bip39_bytes() -> frozenset[bytes]:
    return frozenset(w.encode("ascii") for w in V.bip39_words())


def _member_runs(low: str, a: int, b: int, index, runs: list) -> None:
    run: list[re.Match] = []
    cls = ""
    for m in _SEED_TOK.finditer(low, a, b):
        if m.group(1) not in index:
            if run:
                runs.append(run)
            run = []
            continue
        if len(run) >= 2 and _sep_class(run[-1].group(2)) != cls:
            runs.append(run)
            run = []
        if len(run) == 1:
            cls = _sep_class(run[0].group(2))
        run.append(m)
    if run:
        runs.append(run)


def _windows_of(runs) -> list[tuple[list[str], int, int]]:
    out: list[tuple[list[str], int, int]] = []
    for run in runs:
        n = len(run)
        if n < 12 or n > SEED_MAX_RUN:
            continue
        for size in SEED_SIZES:
            if size > n or n - size > SEED_SLACK:
                continue
            for off in range(0, n - size + 1):
                toks = run[off: off + size]
                win = [t.group(1) for t in toks]
                if V.bip39_phrase_shape(win):
                    out.append((win, toks[0].start(), toks[-1].end(1)))
    return out


_WORD_B = re.compile(rb"[A-Za-z]+")


def vocabulary_reuse(window: list[str], context: bytes) -> int:
    """How many of the window's words the nearby text uses beyond the copies of the
    window itself. Text from a small vocabulary reuses nearly all of them; a phrase
    pasted into a message (even twice, as a body and as a field) reuses few."""
    cnt = Counter(w.lower() for w in _WORD_B.findall(context))
    k = Counter(w.encode() for w in window)
    copies = min(cnt[w] // n for w, n in k.items())
    return sum(1 for w, n in k.items() if cnt[w] - copies * n > 2)


@dataclass
class _View:
    text: str
    decoded: bool
    raw: bool          # offsets map to the scanned text

    def __post_init__(self):
        self.ascii = self.text.isascii()  # byte offsets == str offsets
        self._data: bytes | None = None

    @property
    def data(self) -> bytes:
        """The text as UTF-8, encoded once (a 1 MB body is otherwise encoded per step)."""
        if self._data is None:
            self._data = self.text.encode("ascii") if self.ascii else self.text.encode("utf-8", "surrogatepass")
        return self._data


class DlpScanner:
    """Built once per config. `scan` and `scan_fields` are pure and thread-safe."""

    def __init__(self, config):
        c = config.dlp
        self.enabled = c.enabled
        self.action = c.action
        self.max_depth = c.max_decode_depth
        self.max_bytes = c.max_scan_bytes
        disabled = set(c.disabled_rules)
        disabled |= {d.split(":", 1)[1] for d in c.disabled_rules if d.startswith("dlp:")}
        self.disabled = disabled
        self.rules = [r for r in RULES if r.id not in disabled]
        self._rx = [re.compile(r.pattern, re.ASCII | (re.I if r.ignore_case else 0)) for r in self.rules]
        lits: list[_Literal] = []
        if c.scan_env and "env_secret" not in disabled:
            for name, value in env_secrets(dict(os.environ), c.env_min_length):
                for form, enc, caseless in _encodings(value):
                    lits.append(_Literal("env", name, form, enc, caseless))
        if "canary_token" not in disabled:
            for can in c.canaries:
                if len(can) >= 8:
                    lits.append(_Literal("canary", can, can, "raw", True))
        self.literals = lits
        self._matcher = _matcher_for(tuple(self.rules), tuple(lits), _hs is not None)
        self._bip39 = "bip39_seed_phrase" not in disabled
        self._electrum = "electrum_seed" not in disabled
        self._hi_entropy = "encoded_high_entropy" not in disabled
        self._field_rule = "secret_field" not in disabled
        words = sorted({k for r in self.rules for k in r.context}, key=len, reverse=True)
        self._ctx_names = re.compile("|".join(re.escape(k) for k in words), re.I) if words else None
        self._ctx_words = tuple(words)
        self._names_db = _names_db(self._ctx_words)

    # -- public ------------------------------------------------------------
    def scan(self, text: str, where: str = "") -> list[Finding]:
        if not self.enabled or not text:
            return []
        out: list[Finding] = []
        seen: set[tuple[str, str]] = set()
        if len(text) > self.max_bytes:
            self._add(out, seen, "scan_limit", "high", f"{len(text)} chars > {self.max_bytes}", where, None)
            text = text[: self.max_bytes]
        self._scan_text(text, where, out, seen)
        return out

    def scan_fields(self, fields: Iterable[tuple[str, str]]) -> list[Finding]:
        """Each field alone, then the fields joined (glued, space-separated, adjacent
        pairs) for secrets split across fields. A field named "body" ahead of other
        fields is the whole text they were split from: it is scanned alone and kept
        out of the joins (its neighbours there would be artefacts)."""
        if not self.enabled:
            return []
        fields = [(w, v) for w, v in fields if isinstance(v, str) and v]
        out: list[Finding] = []
        seen: set[tuple[str, str]] = set()
        total = sum(map(len, [v for _, v in fields]))
        if total > self.max_bytes:
            self._add(out, seen, "scan_limit", "high", f"{total} chars > {self.max_bytes}", "fields", None)
            return out
        if total <= SMALL_MAX and self._clean_small(fields):
            return out
        if len(fields) > 1 and fields[0][0] == "body":
            self._scan_field(fields[0][0], fields[0][1], out, seen)
            fields = fields[1:]
        if len(fields) == 1:
            self._scan_field(fields[0][0], fields[0][1], out, seen)
            return out
        if not fields:
            return out
        # One Hyperscan pass over all fields picks the ones that can hold a finding;
        # the rest (most of a JSON body's leaves, most headers) cost no Python work.
        names = [w for w, _ in fields]
        has_ctx, has_key = self._name_words(names)
        ctx = _fields_matching(self._ctx_names, names) if has_ctx else set()
        hot = self._hot_fields(fields, ctx)
        named = ({k for k, n in enumerate(names) if _field_key_sensitive(n)} if self._field_rule and has_key
                 else set())
        for k, (where, value) in enumerate(fields):
            if hot is None or k in hot:
                self._scan_field(where, value, out, seen)
            elif k in named:
                self._check_field(where, value, out, seen)
        if len(fields) > PER_FIELD_MAX:
            # many fields: neighbours' text counts as context inside a field too
            self._scan_join(fields, " ", out, seen, bool(ctx), single=True)
            self._scan_join(fields, "", out, seen, bool(ctx))
        else:
            self._scan_join(fields, "", out, seen, bool(ctx))
            self._scan_join(fields, " ", out, seen, bool(ctx))
        self._scan_pairs(fields, out, seen, bool(ctx))
        self._scan_split(fields, out, seen)
        return out

    def scan_split(self, fields: Iterable[tuple[str, str]]) -> list[Finding]:
        """Only the split join of these fields (pieces glued back, in both orders): for
        carriers that are scanned apart, such as the headers and the URL of one request."""
        out: list[Finding] = []
        if self.enabled:
            fields = [(w, v) for w, v in fields if isinstance(v, str) and v]
            seen: set[tuple[str, str]] = set()
            self._scan_split(fields, out, seen)
            self._scan_split(fields, out, seen, reverse=True)
        return out

    def _scan_split(self, fields, out, seen, reverse: bool = False) -> None:
        """A token split over non-adjacent fields (NDJSON lines, nested arguments, a
        cookie and a header) or over fields that arrive as name=value: its pieces glued
        back, every pair in order and all of them, matched by the rule patterns only
        (pieces of a token are no encoded blob)."""
        text = split_text(fields, reverse)
        if not text:
            return
        hits, _ = self._matcher.scan(text.encode("utf-8", "surrogatepass"))
        hits = {i: e for i, e in hits.items() if i < len(self.rules) and not self.rules[i].context}
        if hits:
            self._scan_view(_View(text, False, False), hits, "fields (split)", out, seen, None, None)

    def _clean_small(self, fields) -> bool:
        """True when no per-field scan, join or pair scan can find anything: proven by
        one pre-filter pass over every text those scans look at (fields apart, glued,
        spaced, adjacent pairs; "\n" between them is a word and blob boundary like the
        start and end of a lone text, and the pre-filters have no anchors but \b, so
        each match in one of those texts is a match here). Clean means: ASCII with no
        other views, no context or sensitive-key word in a name, no rule or literal
        hit, no blob candidate that decodes, no seed-shaped run."""
        m = self._matcher
        if m._db is None or (self._bip39 and m._bip_db is None):
            return False
        vals = [v for _, v in fields]
        parts = ["\n".join(vals), "".join(vals), " ".join(vals)]
        if len(vals) >= 3:
            parts.append("".join([vals[i] + vals[i + 1] + "\n" for i in range(len(vals) - 1)]))
        parts.append(split_text(fields))
        text = "\n".join(parts)
        if not text.isascii() or _SPECIAL.search(text):
            return False
        names = [w for w, _ in fields]
        has_ctx, has_key = self._name_words(names)
        if has_ctx or (has_key and self._field_rule and any(map(_field_key_sensitive, names))):
            return False
        data = text.encode("ascii")
        hits, blobs = m.scan(data)
        if len(blobs) >= MAX_BLOBS:
            return False
        if hits:
            # a pre-filter hit (a context rule's keyword in a host name, say) is clean
            # when its rule matches none of the texts the full scan would confirm in
            texts = [*vals, *parts[1:]]
            for i in hits:
                if i >= len(self.rules):
                    return False
                rx = self._rx[i]
                if any(rx.search(t) for t in texts):
                    return False
        for a, b in blobs:
            if decode_blob_cached(data[a:b]):
                return False
        return not (self._bip39 and m.seed_regions(data))

    def _name_words(self, names: list[str]) -> tuple[bool, bool]:
        """(a context keyword, a sensitive-key hint) occurs in some field name: one
        literal pass over all names (a 10 KB JSON body has ~800 of them)."""
        if self._names_db is None:
            low = "\n".join(names).lower()
            return any(w in low for w in self._ctx_words), any(h in low for h in _SENSITIVE_HINTS)
        found: set[int] = set()
        self._names_db.scan("\n".join(names).encode("utf-8", "surrogatepass"),
                            match_event_handler=lambda i, *_: found.add(i))
        return 0 in found, 1 in found

    def _scan_field(self, where: str, value: str, out, seen) -> None:
        n = len(out)
        self._scan_text(value, where, out, seen)
        if self._field_rule and len(out) == n:
            self._check_field(where, value, out, seen)

    def _hot_fields(self, fields, ctx: set[int] = frozenset()) -> set[int] | None:
        """Indices of fields a per-field scan could find something in (None: all).

        Exact: fields are joined with "\n" (like the start and end of a lone field, it
        is a word and blob boundary), so every match in a field alone is a match that
        ends in that field's stretch of the join. A blob candidate that decodes to
        nothing yields nothing. Fields with escapes, non-ASCII or control chars (other
        views), or a context keyword in their name, are always scanned."""
        hot: set[int] = set(ctx)  # fields with a context keyword in their name
        vals = [v for _, v in fields]
        text = "\n".join(vals)
        if text.isascii():
            if _SPECIAL.search(text):
                hot.update(k for k, v in enumerate(vals) if _SPECIAL.search(v))
            data = text.encode("ascii")
            lens = [len(v) for v in vals]
        else:
            hot.update(k for k, v in enumerate(vals) if not v.isascii() or _SPECIAL.search(v))
            enc = [v.encode("utf-8", "surrogatepass") for v in vals]
            data = b"\n".join(enc)
            lens = [len(b) for b in enc]
        if len(hot) == len(vals):
            return hot
        got = self._matcher.field_ends(data)
        if got is None:
            return None
        ends, blobs = got
        starts, pos = [], 0
        for n in lens:
            starts.append(pos)
            pos += n + 1
        for e in ends:
            hot.add(bisect.bisect_right(starts, e) - 1)
        for a, b in blobs:
            k = bisect.bisect_right(starts, a) - 1
            if k not in hot and decode_blob_cached(data[a:b]):
                hot.add(k)
        if self._bip39 and len(data) >= 12 * 4:
            for a, b in self._matcher.seed_regions(data):
                hot.update(range(max(0, bisect.bisect_right(starts, a) - 1), bisect.bisect_right(starts, b)))
        return hot

    def _scan_join(self, fields, sep: str, out, seen, named: bool, single: bool = False) -> None:
        vals = [v for _, v in fields]
        joined = sep.join(vals)
        if not named:
            if sep:  # a separator that is no blob char: no blob crosses a seam
                crosses = _never
            else:
                lens = list(map(len, vals))
                starts = [0, *accumulate(lens[:-1])]

                def crosses(a: int, b: int) -> bool:  # runs past the end of the field it starts in
                    k = bisect.bisect_right(starts, a) - 1
                    return b > starts[k] + lens[k]
            if not self._join_needed(joined, crosses):
                return
        _, bounds = self._join(fields, sep)
        self._scan_text(joined, "", out, seen, bounds=bounds, fields=fields, single=single)

    def _scan_pairs(self, fields, out, seen, named: bool) -> None:
        """Adjacent pairs glued together, pairs apart: a secret split in two keeps
        its own edges (the full join can glue a neighbour onto its first char)."""
        if len(fields) < 3:
            return
        vals = [v for _, v in fields]
        text = "".join([vals[i] + vals[i + 1] + "\n" for i in range(len(vals) - 1)])
        if not named:
            lens = list(map(len, vals))
            pair = list(map(operator.add, lens[:-1], lens[1:]))  # pair i starts at sum(pair[:i]) + i
            starts = list(map(operator.add, [0, *accumulate(pair[:-1])], range(len(pair))))

            def crosses(a: int, b: int) -> bool:
                i = bisect.bisect_right(starts, a) - 1
                return a < starts[i] + lens[i] < b
            if not self._join_needed(text, crosses):
                return
        bounds, pos = [], 0
        for i in range(len(vals) - 1):
            a, b = len(vals[i]), len(vals[i + 1])
            bounds += [(pos, pos + a), (pos + a, pos + a + b), (pos + a + b, pos + a + b + 1)]
            pos += a + b + 1
        pf = []
        for i in range(len(fields) - 1):
            pf += [fields[i], fields[i + 1], ("", "\n")]
        self._scan_text(text, "", out, seen, bounds=bounds, fields=pf)

    def _join_needed(self, text: str, crosses: Callable[[int, int], bool]) -> bool:
        """Can a scan of joined fields add anything to the per-field scans? Only a
        match across a seam can (or, with `single`, any rule hit): so not when the
        text has no other views, no rule or literal hit, no seed-shaped run, and every
        blob candidate either lies inside one field (the per-field scan decoded it
        already) or decodes to nothing."""
        if not text.isascii() or _SPECIAL.search(text) or self._matcher._db is None:
            return True
        data = text.encode("ascii")
        hits, blobs = self._matcher.scan(data)
        if hits:
            return True
        for a, b in blobs:
            if crosses(a, b) and decode_blob_cached(data[a:b]):
                return True
        return self._bip39 and len(data) >= 12 * 4 and bool(self._matcher.seed_regions(data))

    # -- internals -----------------------------------------------------------
    @staticmethod
    def _join(fields, sep):
        parts, bounds, pos = [], [], 0
        for _, v in fields:
            parts.append(v)
            bounds.append((pos, pos + len(v)))
            pos += len(v) + len(sep)
        return sep.join(parts), bounds

    def _add(self, out, seen, rule, severity, excerpt, where, span):
        key = (rule, excerpt)
        if key in seen:
            return
        seen.add(key)
        out.append(Finding("dlp", rule, severity, excerpt, where, self.action, span))

    def _check_field(self, where: str, value: str, out, seen) -> None:
        if where.endswith("#key") or not _field_key_sensitive(where):
            return  # a JSON key is judged by the secret patterns, not by its own name
        v = value.strip()
        name = where.rsplit(".", 1)[-1]
        if name and v.startswith(name + "="):  # JSON/form leaves arrive as `name=value`
            v = v[len(name) + 1:]
        if v.lower().startswith(("bearer ", "basic ", "token ")):
            v = v.split(None, 1)[1] if " " in v else v
        bare = v.split(": ", 1)[1] if where.startswith("header.") and ": " in v else v  # "X-Api-Key: value"
        if secret_like(v) and not public_ids.benign_hit("secret_field", bare, bare, 0, len(bare), where):
            self._add(out, seen, "secret_field", "high", redact(v), where, None)

    def _scan_text(self, text, where, out, seen, bounds=None, fields=None, single=False) -> None:
        views = [_View(text, False, True)]
        if not text.isascii() and _TAGS.search(text):  # tag characters spell ASCII: decoded, not only dropped
            views.append(_View(normalize(text.translate(_TAG_TABLE)), True, False))
        norm = normalize(text)
        if norm != text:
            views.append(_View(norm, False, False))
        unesc = unescape(norm) if ("%" in norm or "\\" in norm or "&" in norm
                                   or ("=" in norm and _QP_RX.search(norm))) else norm
        if unesc != norm:
            views.append(_View(normalize(unesc), False, False))
            if not unesc.isascii() and _TAGS.search(unesc):
                views.append(_View(normalize(unesc.translate(_TAG_TABLE)), True, False))
        scanned = [(v, *self._matcher.scan(v.data)) for v in views]
        budget = [max(65536, 2 * len(text))]
        frontier = scanned
        seen_text: set[str] = set()
        for _depth in range(self.max_depth):
            decoded: list[str] = []
            for v, hits, blobs in frontier:
                for t in self._decode_layer(v, hits, blobs, budget):
                    if t not in seen_text:
                        seen_text.add(t)
                        decoded.append(t)
            if not decoded:
                break
            # " \n" between texts: one ending in '=' (or %3D) then "\n" would read as a quoted-printable soft break
            dv = _View(normalize(unescape(" \n".join(decoded))), True, False)
            item = (dv, *self._matcher.scan(dv.data))
            scanned.append(item)
            frontier = [item]
        rot_views = 0
        for v, hits, _ in list(scanned):
            if ID_ROT13 in hits and rot_views < 4:  # a ROT13'd rule prefix or secret word: scan its ROT13 too
                rot_views += 1
                rv = _View(normalize(rot13(v.text)), v.decoded, False)
                scanned.append((rv, *self._matcher.scan(rv.data)))
        for v, hits, _ in scanned:
            self._scan_view(v, hits, where, out, seen, bounds, fields, single)

    def _decode_layer(self, view: _View, hits, blobs, budget: list[int]) -> list[str]:
        text, data = view.text, view.data
        out: list[str] = []
        # Line-wrapped base64 (MIME, PEM bodies): lines of one length (>= 40) with only a
        # line break between them, and a last line no longer, are decoded joined, not line
        # by line (a line alone is a fragment: a random-looking piece of the whole).
        groups: list[list[int]]
        if len(blobs) > 1 and b"\n" in data and any(
                d - c >= 40 and 0 < e - d <= 4 for (c, d), (e, _f) in zip(blobs, blobs[1:])):
            # a field arrives as name=value: the first line starts after the '='
            blobs = [(m.end(), y) if (m := _NAME_EQ.match(data, x, y)) and y - m.end() >= 16 else (x, y)
                     for x, y in blobs]
            groups, cur = [], [0]
            for k in range(1, len(blobs)):
                (a, b), (c, d) = blobs[k - 1], blobs[k]
                w = blobs[cur[0]][1] - blobs[cur[0]][0]
                if w >= 40 and b - a == w and d - c <= w and 0 < c - b <= 4 and b"\n" in data[b:c] \
                        and not data[b:c].strip():
                    cur.append(k)
                else:
                    groups.append(cur)
                    cur = [k]
            groups.append(cur)
        else:
            groups = [[k] for k in range(len(blobs))]
        for g in groups:
            if budget[0] <= 0:
                return out
            start, end = blobs[g[0]][0], blobs[g[-1]][1]
            piece = b"".join(data[blobs[k][0]:blobs[k][1]] for k in g) if len(g) > 1 else data[start:end]
            got = decode_blob_cached(piece)
            if end - blobs[g[-1]][0] >= 40 and (tail := _B64_TAIL.match(data, end)):
                # a last line too short to be a run of its own (or the next word: both)
                got = list(got) + [t for t in decode_blob_cached(piece + tail.group(1)) if t not in got]
            for t in got:
                budget[0] -= len(t)
                out.append(t)
        if "[" in text:
            for t in byte_arrays(text):
                budget[0] -= len(t)
                out.append(t)
        # Ascii85, Base85, uuencode, octal, MIME words. Their alphabets hold '%': the
        # repeated percent-decoding of the other views can corrupt them, so a percent-
        # encoded text is also read after exactly one round.
        for cand in ((text, unquote(text)) if view.raw and text.count("%") >= 4 else (text,)):
            kinds = exotic.hints(cand, wrapped=False) if len(cand) >= 16 else ()
            if kinds:
                for _name, t, _a, _b in exotic.decode(cand, kinds=kinds):
                    if budget[0] <= 0:
                        break
                    budget[0] -= len(t)
                    out.append(t)
        if ID_DELIM in hits:
            for t in decode_delimited_hex(text):
                if budget[0] <= 0:
                    break
                budget[0] -= len(t)
                out.append(t)
        return out

    def _scan_view(self, view: _View, hits, where, out, seen, bounds, fields, single=False) -> None:
        text = view.text
        if bounds is None:
            names = where.lower()
            if names and self._ctx_names is not None and self._ctx_names.search(names):
                # a context keyword in the field name ("X-Amz-Secret-Key") stands in for one in the text
                hits = dict(hits)
                for i, r in enumerate(self.rules):
                    if r.context and any(k in names for k in r.context):
                        hits[i] = [-1]
        elif view.raw and fields and self._ctx_names is not None:
            hits = self._name_context_hits(view, hits, bounds, fields)
        w = where + " (decoded)" if view.decoded and where else ("decoded" if view.decoded else where)
        for i in sorted(hits):
            if i < len(self.rules):
                self._confirm(i, view, hits[i], w, out, seen, bounds, fields, single)
            elif i >= ID_LITERAL:
                self._literal(self.literals[i - ID_LITERAL], text, w, out, seen)
        if self._bip39 and len(text) >= (12 * 4 if view.ascii else 12 * 2 - 1):  # CJK words: 1+ chars
            self._seed_phrase(text, w, out, seen, view.data)
        if view.decoded and self._hi_entropy:
            self._encoded_entropy(text, w, out, seen)

    def _name_context_hits(self, view: _View, hits, bounds, fields):
        """Joined fields: a context rule is confirmed near the fields whose name carries
        its keyword (a secret split from such a field runs into its neighbour), not
        over the whole join."""
        names = [f[0] for f in fields]
        named = _fields_matching(self._ctx_names, names) if self._name_words(names)[0] else set()
        if not named:
            return hits
        extra: dict[int, list[int]] = {}
        for k in sorted(named):
            nm = fields[k][0].lower()
            for i, r in enumerate(self.rules):
                if r.context and any(w in nm for w in r.context):
                    extra.setdefault(i, []).extend((bounds[k][1], bounds[min(k + 1, len(bounds) - 1)][1]))
        hits = dict(hits)
        for i, at in extra.items():
            ends = hits.get(i) or []
            if not view.ascii or -1 in ends or len(ends) + len(at) > MAX_ENDS:
                hits[i] = [-1]  # offsets unknown or too many: confirm over the whole text
            else:
                hits[i] = sorted(set(ends + at))
        return hits

    def _span_where(self, start, end, where, view, bounds, fields, single=False):
        """For joined fields: name the field(s) a match lies in. Matches inside one
        field are kept only when `single` (no per-field pass ran)."""
        if bounds is None:
            return where, True
        if not view.raw or start < 0:
            return "fields (joined)", True
        k0 = max(0, bisect.bisect_right(bounds, (start, float("inf"))) - 1)
        idx = [k for k in range(k0, len(bounds)) if bounds[k][0] < end and start < bounds[k][1]]
        if len(idx) < 2:
            return (fields[idx[0]][0] if idx else where), single
        return "+".join(fields[k][0] for k in idx[:4]), True

    @staticmethod
    def _crosses(bounds, a: int, b: int) -> bool:
        k = bisect.bisect_right(bounds, (a, float("inf"))) - 1
        return k < 0 or b > bounds[k][1]

    def _windows(self, view: _View, ends: list[int]) -> list[tuple[int, str]]:
        """(offset, text) pieces to confirm in: the whole text, or merged windows around hits."""
        text = view.text
        if -1 in ends or len(text) <= 4 * WINDOW:
            return [(0, text)]
        data = view.data if not view.ascii else None
        spans: list[list[int]] = []
        for e in ends:
            a, b = max(0, e - WINDOW), e + WINDOW
            if spans and a <= spans[-1][1]:
                spans[-1][1] = b
            else:
                spans.append([a, b])
        if data is None:
            return [(a, text[a:b]) for a, b in spans]
        return [(-1, data[a:b].decode("utf-8", "ignore")) for a, b in spans]

    def _confirm(self, i, view: _View, ends, where, out, seen, bounds, fields, single=False) -> None:
        rule, rx = self.rules[i], self._rx[i]
        n = 0
        for off, text in self._windows(view, ends):
            for m in rx.finditer(text):
                n += 1
                if n > 1000:
                    return
                s = m.group("s") if "s" in rx.groupindex and m.group("s") else m.group(0)
                if rule.min_entropy and V.shannon(s) < rule.min_entropy:
                    continue
                if rule.min_classes and V.char_classes(s) < rule.min_classes:
                    continue
                if rule.placeholder_check and is_placeholder(s):
                    continue
                start, end = (m.start() + off, m.end() + off) if off >= 0 else (-1, -1)
                if rule.context and not self._has_context(rule.context, text, m.start(), where, bounds, fields,
                                                          start):
                    continue
                if rule.validator and not _VALIDATORS[rule.validator](s, text, m, where):
                    continue
                if bounds is not None and "kw" in rx.groupindex and start >= 0 and view.raw:
                    d = start - m.start()
                    if not self._crosses(bounds, m.start("kw") + d, m.end("kw") + d) \
                            and self._crosses(bounds, m.start("k") + d, m.end("k") + d):
                        continue  # "...=secret" + "2=value": a name glued on from the next field is no key
                w, keep = self._span_where(start, end, where, view, bounds, fields, single)
                if not keep:
                    continue
                ss, se = m.span("s") if "s" in rx.groupindex and m.group("s") else m.span()
                if public_ids.benign_hit(rule.id, s, text, ss, se, w):
                    continue  # public by design (publishable key, test card, placeholder...)
                span = (start, end) if view.raw and bounds is None and start >= 0 else None
                self._add(out, seen, rule.id, rule.severity, redact(s), w, span)

    @staticmethod
    def _has_context(words, text, local_start, where, bounds, fields, start) -> bool:
        before = text[max(0, local_start - 80): local_start].lower()
        if any(k in before for k in words):
            return True
        w = where.lower()
        if bounds is not None and fields is not None:
            k = bisect.bisect_right(bounds, (start, float("inf"))) - 1
            w = fields[k][0].lower() if start >= 0 and 0 <= k < len(fields) else ""
        return any(k in w for k in words)

    def _literal(self, lit: _Literal, text: str, where, out, seen) -> None:
        hay, needle = (text.lower(), lit.value.lower()) if lit.caseless else (text, lit.value)
        if needle not in hay:
            return
        if lit.kind == "env":
            self._add(out, seen, "env_secret", "critical", f"${lit.name} ({lit.encoding}) {redact(lit.value)}",
                      where, None)
        else:
            self._add(out, seen, "canary_token", "critical", redact(lit.value), where, None)

    def _seed_phrase(self, text: str, where, out, seen, data: bytes) -> None:
        regions = self._matcher.seed_regions(data)
        if not self._seed_english(regions, where, out, seen, data) and (regions or not data.isascii()):
            got = mnemonics.find(text, regions, data)
            if got is not None and vocabulary_reuse(got[1], data) <= len(set(got[1])) // 3:
                excerpt = f"{got[0]}: {got[1][0]} {got[1][1]} ... ({len(got[1])} words)"
                self._add(out, seen, "bip39_seed_phrase", "critical", excerpt, where, None)

    def _seed_english(self, regions, where, out, seen, data: bytes) -> bool:
        budget = [5000]
        for a, b in regions:
            chunk = data[max(0, a - 16): b + 16].decode("utf-8", "ignore")
            base = max(0, a - 16)
            for m in _SEED_RUN.finditer(chunk):
                if m.end() - m.start() < 12 * 4 - 1:
                    continue
                for words, ws, we in seed_candidates(m.group()):
                    if budget[0] <= 0:
                        return True
                    budget[0] -= 1
                    bip39 = V.bip39_checksum(words)
                    if not bip39 and not (self._electrum and V.electrum_seed(words)):
                        continue
                    # offsets are exact for ASCII; elsewhere the context is merely a little off
                    ws += base + m.start()
                    we += base + m.start()
                    if bip39 and mnemonics.published_vector([V.bip39_words()[w] for w in words], data, ws, we):
                        continue  # a test vector: printed beside its own entropy
                    if vocabulary_reuse(words, data[max(0, ws - 2000): we + 2000]) <= len(set(words)) // 3:
                        excerpt = f"{words[0]} {words[1]} ... ({len(words)} words)"
                        rule = "bip39_seed_phrase" if bip39 else "electrum_seed"
                        self._add(out, seen, rule, "critical", excerpt, where, None)
                        return True
        return False

    def _encoded_entropy(self, text: str, where, out, seen) -> None:
        for n, m in enumerate(_TOKEN.finditer(text)):
            if n > 2000:
                return
            s = m.group().rstrip("=")
            if V.char_classes(s) < 3 or not any(c.isdigit() for c in s):
                continue
            if not (any(c.isupper() for c in s) and any(c.islower() for c in s)):
                continue
            if V.shannon(s) < min(4.0, 0.8 * math.log2(len(s))):
                continue
            if public_ids.public_blob(text, m.start(), m.group()) or is_public_id(m.group()):
                continue
            if decode_blob(m.group()):  # a further encoded layer, not a secret itself
                continue
            # Only a token that *is* the hidden payload (most of its decoded line), or
            # one named as a secret just before it; random ids inside encoded JSON are not.
            ls = text.rfind("\n", 0, m.start()) + 1
            le = text.find("\n", m.end())
            line = text[ls: le if le >= 0 else len(text)].strip()
            near = text[max(ls, m.start() - 40): m.start()].lower()
            if len(s) < 0.6 * len(line) and not _SECRET_WORD.search(near):
                continue
            self._add(out, seen, "encoded_high_entropy", "high", redact(s), where, None)
