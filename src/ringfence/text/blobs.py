"""Encoded runs and escapes -> text: the one implementation every scanner calls.

    decode_blob(run, strict=False) -> [text]           base64/base64url (padded or not),
                                                        hex, base32 (either case),
                                                        z-base-32, base58
    decode_named(run, strict=False) -> [(name, text)]  the same, naming the reading
    decode_blob_cached(run) -> [text]                  remembered for short runs
    delimited_hex(text) -> [text]                      `41:42`, `41 42`, `\\x41\\x42`, `0x41, 0x42`
    unescape(text) -> text                             percent (repeated), \\uXXXX / \\xHH,
                                                        HTML entities, quoted-printable
    qp(text) -> text                                   quoted-printable, soft breaks undone
    texty(raw) / text_of(raw) -> text | None           decoded bytes as text (lenient/strict)

Decoded bytes become text through text/unpack.py (UTF-8, UTF-16, CBOR/MessagePack
strings, gzip/zlib/deflate/brotli/bzip2/xz/zip), which bounds every inflate (output cap
and expansion ratio), so a bomb yields a bounded prefix. Cheap shape checks come first:
most runs in clean traffic (ids, paths, UUIDs, hashes) cannot decode to text and are
dropped without decoding. Input runs longer than MAX_RUN are cut.

`strict` keeps only readings that are mostly printable text (the injection scanner's
reading: an instruction is text); the lenient reading (DLP's) also keeps UTF-8 with a
few control bytes, and the printable runs of binary (a key inside a binary blob).
"""
from __future__ import annotations

import base64
import binascii
import functools
import html
import quopri
import re

from .percent import percent_decode
from .unpack import base58_text, bytes_to_text

MAX_RUN = 1 << 20
_CTRL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t\n\r]{16,}")


def text_of(raw: bytes | None) -> str | None:
    """Decoded bytes as text, strictly: at least 8 chars, 85% printable."""
    if not raw:
        return None
    got = bytes_to_text(raw)
    if got is None:
        return None
    s = got[1]
    if len(s) < 8:
        return None
    good = sum(1 for c in s if c.isprintable() or c in "\n\r\t")
    return s if good >= 0.85 * len(s) else None


def texty(raw: bytes | None) -> str | None:
    """Decoded bytes as text when they look like text (UTF-8, UTF-16, CBOR/MessagePack
    strings, compressed text, bounded), else their printable runs."""
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


# ---------------------------------------------------------------------------- raw readings

def b64_bytes(s: str | bytes, mixed: bool = True, *, loose: bool = False, whole_quads: bool = False) -> bytes | None:
    """Standard or URL-safe base64, padded or not; None when invalid. mixed=False
    refuses a run with both alphabets' extra characters (a path, not base64).
    loose: what `base64 -d` and a runtime's decoder accept (whitespace and other
    characters outside the alphabet skipped). whole_quads: only the whole 4-character
    groups (a value cut short, or a bounded prefix of a long one)."""
    if isinstance(s, bytes):
        s = s.decode("latin-1")
    if loose:
        t = "".join(s.split()).replace("-", "+").replace("_", "/")
        try:
            return base64.b64decode(t + "=" * (-len(t) % 4), validate=False)
        except (binascii.Error, ValueError):
            return None
    t = s.strip().rstrip("=")
    if whole_quads:
        t = t[:len(t) - len(t) % 4]
    if not t or len(t) % 4 == 1:
        return None
    if not mixed and ("-" in t or "_" in t) and ("+" in t or "/" in t):
        return None
    t = t.replace("-", "+").replace("_", "/") + "=" * (-len(t) % 4)
    try:
        return base64.b64decode(t, validate=True)
    except (binascii.Error, ValueError):
        return None


def b32_bytes(s: str | bytes) -> bytes | None:
    """RFC 4648 base32, either case, padded or not; None when invalid."""
    if isinstance(s, str):
        s = s.encode("ascii", "ignore")
    core = s.rstrip(b"=").upper()
    try:
        return base64.b32decode(core + b"=" * (-len(core) % 8))
    except (binascii.Error, ValueError):
        return None


_ZB32 = bytes.maketrans(b"ybndrfg8ejkmcpqxot1uwisza345h769", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_ZB32_B = b"ybndrfg8ejkmcpqxot1uwisza345h769"


def zb32_bytes(s: str | bytes) -> bytes | None:
    """z-base-32 (its own alphabet, lowercase, no padding); None when invalid."""
    if isinstance(s, str):
        s = s.encode("ascii", "ignore")
    if s.translate(None, _ZB32_B):
        return None
    core = s.translate(_ZB32)
    n = len(core) * 5 // 8
    try:
        return base64.b32decode(core + b"=" * (-len(core) % 8))[:n] if len(core) % 8 in (0, 2, 4, 5, 7) else None
    except (binascii.Error, ValueError):
        return None


def hex_bytes(s: str | bytes, loose: bool = False) -> bytes | None:
    """Hex digits (whitespace and `\\x` allowed); loose: every non-hex character skipped
    (what `xxd -r -p` and `unhexlify` of a cleaned literal read). None when invalid."""
    if isinstance(s, bytes):
        s = s.decode("latin-1")
    if loose:
        s = _NON_HEX.sub("", s)
        if len(s) % 2:
            return None
    try:
        return bytes.fromhex(s.replace("\\x", ""))
    except ValueError:
        return None


_NON_HEX = re.compile(r"[^0-9a-fA-F]+")


# ---------------------------------------------------------------------------- runs

_HEX_B = b"0123456789abcdefABCDEF"
_B58_B = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ZLIB_B64 = (b"eJ", b"eN", b"eF", b"eA", b"eD")  # base64 of a zlib header (0x78 ..)
_B32_B = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567="
_HEX_HIGH_B = b"234567"                               # high nibble of printable ASCII
_B64_LEAD_B = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"      # first sextet of a quad of ASCII bytes
_UUID_B = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _mostly(chars: bytes, allowed: bytes, frac: float = 0.9) -> bool:
    return len(chars.translate(None, allowed)) <= (1 - frac) * len(chars)


def decode_named(s: bytes | str, strict: bool = False) -> list[tuple[str, str]]:
    """(reading, text) for every reading of the run s that yields text."""
    if isinstance(s, str):
        s = s.encode("ascii", "ignore")
    s = s[:MAX_RUN]
    read = text_of if strict else texty
    out: list[tuple[str, str]] = []
    core = s.rstrip(b"=")
    if b"=" in core:
        # `name=VALUE` (form fields, env lines, cookies) is one run: decode each side
        for piece in core.split(b"="):
            if len(piece) >= 16:
                out += decode_named(piece, strict)
        return out
    if len(core) < 16 or (len(s) == 36 and s[8:9] == b"-" and _UUID_B.fullmatch(s)):
        return out
    if len(s) % 2 == 0 and not s.translate(None, _HEX_B):
        # hex of text has its high nibbles in 2..7; long blobs may be binary with text inside
        if len(s) >= 64 or _mostly(s[0::2], _HEX_HIGH_B):
            t = read(bytes.fromhex(s.decode()))
            if t:
                out.append(("hex", t))
        return out  # a hex string read as base64 is noise
    if (not s.translate(None, _B32_B) or not s.upper().translate(None, _B32_B) and s.islower()) \
            and not core.isdigit():
        t = read(b32_bytes(core))
        if t:
            out.append(("base32", t))
    # (the shape gate keeps the lenient reading off most ids; the strict one checks the text)
    if strict or len(core) >= 32 or _mostly(core[0::4], _B64_LEAD_B) or core[:4] == b"H4sI" \
            or core[:2] in _ZLIB_B64:
        t = read(b64_bytes(s, mixed=not strict))
        if t:
            out.append(("base64", t))
    if not out and s.islower() and not s.translate(None, _ZB32_B):
        t = read(zb32_bytes(s))
        if t:
            out.append(("zbase32", t))
    if not out and not s.translate(None, _B58_B) and not core.isdigit():
        t = base58_text(s.decode())
        if t and (not strict or text_of(t.encode("utf-8", "surrogatepass"))):
            out.append(("base58", t))
    return out


def decode_blob(s: bytes | str, strict: bool = False) -> list[str]:
    """Every text that a base64/base64url/hex/base32/z-base-32/base58 reading of s yields."""
    return [t for _, t in decode_named(s, strict)]


@functools.lru_cache(maxsize=4096)
def _decode_small(s: bytes) -> tuple[str, ...]:
    return tuple(decode_blob(s))


def forget_decoded() -> None:
    """Drop the memo of decoded short runs (benchmarks time a first sight)."""
    _decode_small.cache_clear()


def decode_blob_cached(s: bytes) -> tuple[str, ...] | list[str]:
    """decode_blob, remembered for short candidates (ids, hashes and paths recur in
    every request's headers and URLs)."""
    return _decode_small(s) if len(s) <= 256 else decode_blob(s)


_DELIM_HEX = re.compile(
    r"(?:[0-9A-Fa-f]{2}[-:, ]){7,}[0-9A-Fa-f]{2}|(?:\\x[0-9A-Fa-f]{2}){8,}|(?:0x[0-9A-Fa-f]{2}[, ]{0,2}){8,}")
DELIM_HEX_HINT = r"(?:[0-9A-Fa-f]{2}[-:, ]){7}[0-9A-Fa-f]{2}|(?:\\x[0-9A-Fa-f]{2}){8}|(?:0x[0-9A-Fa-f]{2}[, ]{0,2}){8}"
_DELIM_SEP = re.compile(r"\\x|0x|[-:, ]")


def delimited_hex(text: str, strict: bool = False) -> list[str]:
    """Hex bytes with separators: `41:42:43`, `41 42 43`, `41-42`, `41,42`, `\\x41\\x42`,
    `0x41, 0x42` (8 bytes or more)."""
    read = text_of if strict else texty
    out = []
    for m in _DELIM_HEX.finditer(text):
        digits = _DELIM_SEP.sub("", m.group()[:MAX_RUN])
        if len(digits) % 2 == 0:
            t = read(bytes.fromhex(digits))
            if t:
                out.append(t)
    return out


# ---------------------------------------------------------------------------- escapes

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESC_U = re.compile(r"\\{1,2}u([0-9a-fA-F]{4})|\\{1,2}x([0-9a-fA-F]{2})")
_ESC_C = re.compile(r'(?<!\\)\\([nrt"])')
_ESC_C_MAP = {"n": "\n", "r": "\r", "t": "\t", '"': '"'}
# quoted-printable: two escapes close together, or a soft line break. (One escape alone,
# "Bearer=20ASIA", is no hint: joined fields glue "id=20" to "w=..." everywhere.)
# two =XX escapes close together, a soft line break, or one escaped '=' or space between
# a word and a value (`key=3Dvalue`, `Bearer=20AKIA...`, `SSN:=20536...`: a short line has only
# the one; `v=2022` is a year, not an escaped space)
# Every branch starts with the '=' itself (the lookbehinds come after it), so `re` jumps
# from '=' to '=' instead of trying every offset: ~100x faster on a 10 KB body.
QP_RX = re.compile(r"=(?:[0-9A-F]{2}[^=\s]{0,16}=[0-9A-F]{2}|\r?\n|(?<=[\w:]=)3D(?=[\w+/\"'])"
                   r"|(?<=\w=)(?:20|09)(?=[A-Za-z])|(?<=:=)(?:20|09)(?=\w))")
_QP_SOFT_ESCAPED = re.compile(r"=(?:\\r)?\\n")
_EOL_EQ = re.compile(r"=(?==*\r?\n)")
# a field's own '=' (`data=`, `; ctx=`, `&q=` before a quoted-printable value), where the value
# starts with two hex digits ("data=da..."): kept, not read as an escape
_FIELD_EQ = re.compile(r"(?:^|(?<=[&;?])|(?<=; ))([A-Za-z_][\w.-]{0,40})=(?=[0-9A-Fa-f]{2})(?!3[Dd]|20)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def qp(t: str) -> str:
    """Quoted-printable (=XX escapes, soft line breaks), as UTF-8."""
    try:
        return quopri.decodestring(t.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return t


def unescape(text: str, rounds: int = 8, soft_breaks: bool = True) -> str:
    """Percent-decoding (repeated), \\uXXXX / \\xHH escapes, HTML entities and
    quoted-printable, until stable (at most `rounds` rounds). soft_breaks=False keeps
    every '=' at a line end (base64 padding, not a quoted-printable soft break)."""
    from . import exotic  # exotic reads bytes through unpack; imported late to keep this module light
    t = text
    qp_done = False
    for _ in range(rounds):
        prev = t
        if "%" in t:
            t = percent_decode(t, errors="keep")
        if "\\" in t:
            t = _ESC_U.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), t)
            if "\\n" in t and exotic.escaped_multiline(t):  # wrapped base64 / uuencode in a quoted JSON string
                t = _ESC_C.sub(lambda m: _ESC_C_MAP[m.group(1)], t)
            if _SURROGATE.search(t):  # \ud83d\ude00: one character in two escapes
                t = t.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if "&" in t and _ENTITY.search(t):
            t = html.unescape(t)
        if "=\\" in t and _QP_SOFT_ESCAPED.search(t):
            # soft line breaks inside a JSON or YAML string arrive escaped ("=\\r\\n")
            t = _QP_SOFT_ESCAPED.sub(lambda m: "=\r\n", t)
        if not qp_done and "=" in t and QP_RX.search(t):
            # once: a decoded `name=20...` is a value, not another escape
            t = qp(_FIELD_EQ.sub(r"\1=3D", t if soft_breaks else _EOL_EQ.sub("=3D", t)))
            qp_done = True
        if t == prev:
            break
    return t


__all__ = ["DELIM_HEX_HINT", "MAX_RUN", "QP_RX", "b32_bytes", "b64_bytes", "decode_blob", "decode_blob_cached",
           "decode_named", "delimited_hex", "forget_decoded", "hex_bytes", "qp", "text_of", "texty", "unescape", "zb32_bytes"]
