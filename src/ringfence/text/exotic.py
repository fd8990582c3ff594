"""Text encodings beyond base64/hex/base32: Ascii85, Base85, uuencode, octal escapes,
MIME encoded-words and MIME line-wrapped base64.

    hints(text, wrapped=True) -> frozenset   which decoders could apply (Hyperscan passes)
    hint(text) -> bool
    decode(text, limit=64, kinds=None) -> [(name, text, start, end)]

`hints` is two Hyperscan passes (one pattern per decoder), so clean text pays almost
nothing; `decode` runs only the decoders whose hint matched. Base85 has no framing: its
runs are looked for only near its hints, in at most MAX_B85_WINDOWS windows, so code
(full of its punctuation) costs bounded work. Each
decoder keeps its output only when the bytes read as text (text/unpack.py, which also
undoes compression), so ids, code and prose yield nothing. Bounded: at most `limit`
outputs, MAX_IN characters of input per candidate, unpack's inflate caps.
"""
from __future__ import annotations

import base64
import binascii
import html
import re
import threading
import unicodedata

from .unpack import bytes_to_text

try:
    import hyperscan as _hs
except Exception:  # pragma: no cover - depends on the install
    _hs = None

MAX_IN = 1 << 18

_B85_ALPHA = r"0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~"
# the rarer marks of its alphabet: not those prose, markup, code and escapes are full of
# (`(2023)` `&#39;` `%2F` `<p>` `**` `;`), so plain text pays nothing
_B85_PUNCT = r"#$@^{}|~"
# a Base85 run: 2 of its rarer punctuation marks close together, a letter or digit between
# them (so JSON's {} and }{ are no hint)
_B85_HINT2 = r"[%s][%s]{0,15}[0-9A-Za-z][%s]{0,15}[%s]" % (_B85_PUNCT, _B85_ALPHA, _B85_ALPHA, _B85_PUNCT)
# or one rare mark (or ` ; ! *) between alphabet chars (one before, five after: a long
# class-led stretch before it would cost Hyperscan 10x): a short encoded secret (20-30
# chars) often has a single rare mark
_B85_HINT1 = r"[%s][#$^{}|~`;!*][%s]{5}" % (_B85_ALPHA, _B85_ALPHA)  # not '@': e-mail addresses, npm scopes
# Z85 and bare Ascii85 have marks Base85 lacks ([ ] . : / and quotes): a bracket or rare
# mark between their chars
_Z85_ALPHA = r"0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#"
_Z85_HINT = (r"[%s][\[\]{}^#$][%s]{5}|[\[\]{}@^#$][%s]{0,10}[0-9A-Za-z][%s]{0,10}[\[\]{}@^#$]"
             % ((_Z85_ALPHA,) * 4))
_A85_HINT = r"[!-u][\[\]\\^#$`][!-u]{5}"
_B85_HINT = "|".join((_B85_HINT2, _B85_HINT1, _Z85_HINT, _A85_HINT))
# Z85 (ZeroMQ) and Ascii85 without its <~ ~> frame: the same base-85 arithmetic over other
# alphabets, looked for in the same windows
_Z85_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
_B85_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_Z85_TO_B85 = str.maketrans(_Z85_CHARS, _B85_CHARS)
_Z85_RUN = re.compile(r"[0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#]{20,}")
_A85_RUN = re.compile(r"[!-u]{20,}")
_PUNCT = re.compile(r"[^0-9A-Za-z]")
# runs this Base85-like (2 rare marks, digits and both cases) are decoded as leniently as
# framed encodings; others must decode to plain ASCII-ish text
_STRONG_P2 = re.compile(r"[%s][^%s]*[%s]" % (_B85_PUNCT, _B85_PUNCT, _B85_PUNCT))
_STRONG_MIX = re.compile(r"[0-9].*[A-Z].*[a-z]|[0-9].*[a-z].*[A-Z]|[A-Z].*[0-9].*[a-z]|[A-Z].*[a-z].*[0-9]"
                         r"|[a-z].*[0-9].*[A-Z]|[a-z].*[A-Z].*[0-9]", re.S)
_CASES = re.compile(r"[A-Z].*[a-z]|[a-z].*[A-Z]", re.S)
_B85_RUN_SRC = r"[%s]{20,}" % _B85_ALPHA
_WORDISH = re.compile(r"[a-z]{7}")
MAX_B85_RUNS = 32     # candidates decoded
MAX_B85_SEEN = 32     # runs looked at per window
MAX_B85_WINDOWS = 4   # windows around hints (code is full of them: bounded work)
B85_WINDOW = 512      # chars either side of a hint
_A85 = re.compile(r"<~([!-uz\s]{5,}?)~>")
_UU = re.compile(r"(?<![A-Za-z0-9])begin(?:-base64)? [0-7]{3,4} [^\r\n]{1,255}\r?\n"
                 r"((?:[^\r\n]{1,62}\r?\n){1,4096}?)(?:`|end)")
_OCTAL = re.compile(r"(?:\\{1,2}[0-3][0-7]{2}){4,}")  # \\101: once more escaped inside a JSON string
_OCT1 = re.compile(r"\\{1,2}([0-3][0-7]{2})")
_MIME_WORD = re.compile(r"=\?([A-Za-z0-9_.:-]{1,40})\?([BbQq])\?([^?\s]{1,4096})\?=")
_WRAPPED_SRC = r"(?:[A-Za-z0-9+/]{40,120}[ \t]*\r?\n[ \t]*)+[A-Za-z0-9+/]{0,120}={0,2}"
_WRAPPED_HINT = r"[A-Za-z0-9+/]{40}\r?\n[ \t]*[A-Za-z0-9+/]{4}"
# UTF-7 (RFC 2152): a '+', modified base64 of UTF-16, '-'; two such runs close together
# (or one long one), so "C++-" and "+1-555-" are no hint
# (an ASCII or Latin-1 character shifted starts with 'A': "+AF8-" is '_')
_UTF7_HINT = (r"\+A[A-Za-z0-9+/]{2,}-|\+[A-Za-z0-9/][A-Za-z0-9+/]{2,}-[^+\s]{0,24}\+[A-Za-z0-9/][A-Za-z0-9+/]{2,}-"
              r"|\+[A-Za-z0-9/][A-Za-z0-9+/]{15,}-")
# invisible characters as bits (two of them, 8 per byte); Braille patterns as bytes
_ZW_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_ZW_HINT = "(?:" + "|".join(_ZW_CHARS) + "){16}"
_BRAILLE_HINT = "[\u2800-\u28ff]{8}"
# Base45 (RFC 9285, QR payloads): capitals and digits side by side, three times within a
# run of its alphabet (every third character of Base45 text is 4-9 or A-F); versions,
# dates, lowercase hex and prose in capitals have few such pairs
_B45_HINT = r"(?:[0-9A-Z $%*+./:-]{0,4}(?:[A-Z][0-9]|[0-9][A-Z])){3}"
# base64 in groups ("QUtJ QUlP U0ZP", or 8 or 16 chars a group): two groups with a
# capital, digit or symbol inside a quad (English words have them first, if at all)
_G = r"[A-Za-z0-9+/]{4}"
_GM = r"[A-Za-z0-9+/](?:[A-Z0-9+/][A-Za-z0-9+/]{2}|[a-z][A-Z0-9+/][A-Za-z0-9+/]|[a-z]{2}[A-Z0-9+/])"
_GX = "(?:%s){0,3}%s(?:%s){0,3}" % (_G, _GM, _G)  # a group of 4 to 16: one such quad in it
_GROUPS_HINT = "(?:%s){1,4}[ \t]%s[ \t]%s[ \t]%s" % (_G, _GX, _GX, _G)
HINTS = (r"<~|&lt;~", r"begin(?:-base64)? [0-7]{3} ", r"\\{1,2}[0-3][0-7]{2}\\{1,2}[0-3][0-7]{2}",
         r"=\?[\w.:-]{1,40}\?[BbQq]\?", _WRAPPED_HINT, _B85_HINT,
         _UTF7_HINT, _ZW_HINT, _BRAILLE_HINT, _B45_HINT, _GROUPS_HINT)
# Hyperscan reads UTF-8 bytes: a class of non-ASCII characters is spelt as byte ranges
_HS_FORM = {_BRAILLE_HINT: rb"(?:\xe2[\xa0-\xa3][\x80-\xbf]){8}"}
UTF7, ZWBIN, BRAILLE, BASE45, GROUPS = range(6, 11)
try:  # RE2 is a DFA: much faster than `re` on these class-led patterns
    import re2 as _re2
    _WRAPPED = _re2.compile(_WRAPPED_SRC)
except Exception:  # pragma: no cover
    _WRAPPED = re.compile(_WRAPPED_SRC)
# `re`, lazily: code is mostly Base85 alphabet, and RE2's Python wrapper costs ~15 us a match
_B85_RUN = re.compile(_B85_RUN_SRC)
_HINT_EACH = [re.compile(h) for h in HINTS]  # without Hyperscan
_WRAPPED_I = HINTS.index(_WRAPPED_HINT)
_B85_I = HINTS.index(_B85_HINT)
ESCAPED_MULTILINE = r"[A-Za-z0-9+/=]{16}(?:\\r)?\\n[A-Za-z0-9+/]{4}|begin(?:-base64)? [0-7]{3} "
_ESCAPED_PY = re.compile(ESCAPED_MULTILINE)
_WRAPPED_PY = re.compile(_WRAPPED_SRC)


def _finditer(rx, py, text: str) -> list:
    try:
        return list(rx.finditer(text))
    except Exception:  # re2 rejects lone surrogates
        return list(py.finditer(text))


_MARKUP_ESC = re.compile(r"&(?:lt|gt|amp|quot|apos|#\d{2,3});")


_lock = threading.Lock()
_local = threading.local()
_db: list = []  # [database or None], built on first use


def _hs_dbs():
    if not _db:
        with _lock:
            if not _db:
                dbs = None
                if _hs is not None:
                    try:
                        # one expression each, and the two class-led ones apart: together
                        # Hyperscan runs them ~10x slower than in two passes
                        # (the single-mark Base85/Z85/Ascii85 hints too: two more passes,
                        # grouped as Hyperscan runs them fastest)
                        first = [i for i, h in enumerate(HINTS) if h not in (_WRAPPED_HINT, _B85_HINT)]
                        # 6 and 7: the inbound profile (hints_cheap): no Base85, wrapped base64
                        # or groups in the first (their class-led hints cost ~1 ms/MB each)
                        cheap = [i for i in first if i != GROUPS]
                        groups = ([HINTS[i] for i in first] + [_B85_HINT2],
                                  [_WRAPPED_HINT], [_B85_HINT], [ESCAPED_MULTILINE],
                                  [_B85_HINT1, _A85_HINT], [_Z85_HINT],
                                  [HINTS[i] for i in cheap], [_GROUPS_HINT])
                        ids = (first + [_B85_I], [HINTS.index(_WRAPPED_HINT)], [_B85_I], [0], [_B85_I] * 2,
                               [_B85_I], cheap, [GROUPS])
                        from ..match.hscache import cached_compile
                        dbs = []
                        for n, (g, gi) in enumerate(zip(groups, ids)):
                            # the third: every Base85 hint's end, to look for runs near them only
                            dbs.append(cached_compile(f"exotic-{n}", [_HS_FORM.get(h, h.encode("utf-8")) for h in g],
                                                      list(gi), [_hs.HS_FLAG_SINGLEMATCH if n != 2 else 0] * len(g)))
                    except Exception:  # pragma: no cover - RE2 then
                        dbs = None
                _db.append(dbs)
    return _db[0]


def warm() -> None:
    """Build (or load) the hint databases now, not inside a caller's time budget."""
    _hs_dbs()


def hints(text: str, wrapped: bool = True, b85: bool = True) -> frozenset[int]:
    """Indices into HINTS of the decoders that could apply (Hyperscan passes; none is the
    common case). wrapped=False leaves out line-wrapped base64, for a caller that finds
    base64 runs anyway (two long runs with only a line break between them). b85=False
    leaves out unframed Base85/Z85/Ascii85 (two passes, and code and markup are full of
    their hints), for a caller that reads prose (an instruction is not Base85 text)."""
    dbs = _hs_dbs()
    found: set[int] = set()
    if dbs is not None:
        scratch = getattr(_local, "scratch", None)
        if scratch is None:
            scratch = _local.scratch = [_hs.Scratch(db) for db in dbs]
        data = text.encode("utf-8", "surrogatepass")
        for db, s in zip(dbs[:2] if wrapped else dbs[:1], scratch):
            db.scan(data, match_event_handler=lambda i, *_a: found.add(i), scratch=s)
        for k in (4, 5) if b85 else ():
            if _B85_I in found:
                break
            try:
                dbs[k].scan(data, match_event_handler=_stop, scratch=scratch[k])
            except _hs.ScanTerminated:
                found.add(_B85_I)
        if not b85:
            found.discard(_B85_I)
        return frozenset(found)
    return frozenset(i for i, rx in enumerate(_HINT_EACH) if (wrapped or i != _WRAPPED_I) and (b85 or i != _B85_I)
                     and rx.search(text))


def hints_cheap(text: str, groups: bool = False) -> frozenset[int]:
    """The hints of the decoders an inbound reader wants (framed Ascii85, uuencode, octal,
    MIME words, UTF-7, zero-width binary, Braille, Base45; base64 groups when `groups`):
    one Hyperscan pass of ~0.3-0.7 ms/MB (two with groups)."""
    dbs = _hs_dbs()
    if dbs is None:
        return frozenset(i for i in hints(text, wrapped=False, b85=False) if groups or i != GROUPS)
    scratch = getattr(_local, "scratch", None)
    if scratch is None:
        scratch = _local.scratch = [_hs.Scratch(db) for db in dbs]
    found: set[int] = set()
    data = text.encode("utf-8", "surrogatepass")
    for k in (6, 7) if groups else (6,):
        dbs[k].scan(data, match_event_handler=lambda i, *_a: found.add(i), scratch=scratch[k])
    return frozenset(found)


def _stop(*_a) -> bool:
    return True  # the first hit answers the question: stop the scan


def escaped_multiline(text: str) -> bool:
    """Wrapped base64 or uuencode whose line breaks are JSON escapes (`\\n` inside a
    string quoted into YAML, code or a log line)."""
    dbs = _hs_dbs()
    if dbs is None:
        return _ESCAPED_PY.search(text) is not None
    if getattr(_local, "scratch", None) is None:
        _local.scratch = [_hs.Scratch(db) for db in dbs]
    try:
        dbs[3].scan(text.encode("utf-8", "surrogatepass"), match_event_handler=_stop, scratch=_local.scratch[3])
    except _hs.ScanTerminated:
        return True
    return False


def hint(text: str, wrapped: bool = True) -> bool:
    """Could one of these decoders apply?"""
    return bool(hints(text, wrapped))


def _text(b: bytes) -> str | None:
    got = bytes_to_text(b)
    return got[1] if got is not None else None


def _a85(text: str):
    for m in _A85.finditer(text):
        blob = m.group(0)[:MAX_IN]
        # '\\' and '"' are Ascii85 chars: inside a JSON or YAML string they arrive escaped
        for cand in ((blob, blob.replace("\\\\", "\\").replace('\\"', '"')) if "\\" in blob else (blob,)):
            try:
                raw = base64.a85decode(cand, adobe=True, ignorechars=b" \t\r\n")
            except ValueError:
                continue
            t = _text(raw)
            if t:
                yield "ascii85", t, m.start(), m.end()
                break


def _b85_windows(text: str) -> list[tuple[int, str]]:
    """(offset, text) windows around the Base85 hints (the whole text without Hyperscan)."""
    dbs = _hs_dbs()
    if dbs is None:
        return [(0, text)]
    ends: list[list[int]] = []  # [first, last] hint end of each cluster

    count = [0]

    def on(_i, _f, to, _fl, _c):
        count[0] += 1
        if ends and to - ends[-1][1] < B85_WINDOW:
            ends[-1][1] = to
        else:
            ends.append([to, to])
        return len(ends) >= MAX_B85_WINDOWS or count[0] >= 16 * MAX_B85_WINDOWS  # True stops the scan
    data = text.encode("utf-8", "surrogatepass")
    try:
        dbs[2].scan(data, match_event_handler=on, scratch=_local.scratch[2])
    except _hs.ScanTerminated:
        pass
    ascii_ = len(data) == len(text)
    out = []
    for first, last in ends:
        a, b = max(0, first - B85_WINDOW), last + B85_WINDOW
        out.append((a, text[a:b]) if ascii_ else (-1, data[a:b].decode("utf-8", "ignore")))
    return out


def _b85(text: str):
    tried = 0
    for off, win in _b85_windows(text):
        for got in _b85_in(win, max(off, 0)):
            yield got
            tried += 1
            if tried >= MAX_B85_RUNS:
                return


def _b85_in(text: str, off: int):
    tried = 0
    for n, m in enumerate(_B85_RUN.finditer(text)):
        if n >= MAX_B85_SEEN or tried >= MAX_B85_RUNS:
            return
        run = m.group(0)
        # random Base85 mixes digits, both cases and punctuation throughout; code and
        # prose runs hold words (7 lowercase letters in a row: <1% of 40-char Base85)
        if len(run) > MAX_IN or _WORDISH.search(run) or not _PUNCT.search(run) or not _CASES.search(run):
            continue
        tried += 1
        got = _b85_run(run, not (_STRONG_P2.search(run) and _STRONG_MIX.search(run)))
        if got:
            yield "base85", got, m.start() + off, m.end() + off
    for name, rx, fn in (("z85", _Z85_RUN, _z85_run), ("ascii85", _A85_RUN, _a85_run)):
        for n, m in enumerate(rx.finditer(text)):
            if n >= MAX_B85_SEEN or tried >= MAX_B85_RUNS:
                return
            run = m.group(0)
            # Z85 puts lowercase first in its alphabet: text encodes to lowercase stretches
            if len(run) > MAX_IN or (name != "z85" and _WORDISH.search(run)) or not _PUNCT.search(run) \
                    or not _CASES.search(run):
                continue
            tried += 1
            got = fn(run)
            if got:
                yield name, got, m.start() + off, m.end() + off


def _starts(run: str, marks: str) -> list[str]:
    """The run, and the run after each of the first few `marks` (a leaf arrives as
    name=value, markup as <tag>value<: those are alphabet chars)."""
    heads = [run] + [run[i + 1:] for i, c in enumerate(run[:48]) if c in marks][:4]
    # and before a closing tag's '<' ("...</data>": '/' ends the run, '<' does not)
    cut = [h[:h.rindex("<")] for h in heads if "<" in h[-48:]] + [h.split("</", 1)[0] for h in heads if "</" in h]
    return heads + [c for c in dict.fromkeys(cut) if c]


def _plain(t: str | None, strict: bool = True) -> str | None:
    """Unframed runs are tried loosely: keep only printable ASCII text (or, from a run
    shaped like Base85, mostly ASCII or one script): random bytes that happen to be UTF-8
    carry controls or a mix of scripts."""
    if not t or not t.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return None
    if strict:
        return t if t.isascii() and len(t) >= 16 else None
    other = [c for c in t if not c.isascii()]
    if len(other) * 10 <= len(t):
        return t
    return t if len({unicodedata.name(c, "?").split()[0] for c in other}) == 1 else None


def _first_text(cands: list[str], decode, strict: bool = True) -> str | None:
    """The text of the first candidate start that decodes to plain text."""
    for cand in cands:
        try:
            t = _plain(_text(decode(cand)), strict)
        except ValueError:
            continue
        if t:
            return t
    return None


def _b85_run(run: str, strict: bool = True) -> str | None:
    return _first_text(_starts(run, "=>"), base64.b85decode, strict)


def _z85_run(run: str) -> str | None:
    """Z85 is Base85 over another alphabet; its strings come in whole 5-char groups.
    Z85 data is padded to 4 bytes by its writer: NULs at the end are that padding."""
    return _first_text([c[:len(c) - len(c) % 5] for c in _starts(run, "=>:")],
                       lambda c: base64.b85decode(c.translate(_Z85_TO_B85)).rstrip(b"\0"))


def _a85_run(run: str) -> str | None:
    # quotes are Ascii85 chars: a string's own come along
    return _first_text(_starts(run.strip("\"'"), "=>:"), base64.a85decode)


def _uu(text: str):
    for m in _UU.finditer(text):
        head = text[m.start():m.start() + 16]
        body = m.group(1)[:MAX_IN]
        out = bytearray()
        try:
            if head.startswith("begin-base64"):
                out += base64.b64decode("".join(body.split()).rstrip("=") + "==")
            else:
                for line in body.splitlines():
                    if line and line not in ("`", " "):
                        out += binascii.a2b_uu(line)
        except (binascii.Error, ValueError):
            continue
        t = _text(bytes(out))
        if t:
            yield "uuencode", t, m.start(), m.end()


def _octal(text: str):
    for m in _OCTAL.finditer(text):
        raw = bytes(int(x, 8) for x in _OCT1.findall(m.group(0)[:MAX_IN]))
        t = _text(raw)
        if t:
            yield "octal", t, m.start(), m.end()


def _mime_words(text: str):
    for m in _MIME_WORD.finditer(text):
        charset, kind, data = m.group(1), m.group(2).upper(), m.group(3)
        try:
            if kind == "B":
                raw = base64.b64decode(data + "=" * (-len(data) % 4))
            else:
                raw = binascii.a2b_qp(data.replace("_", " "))
        except (binascii.Error, ValueError):
            continue
        try:
            t = raw.decode(charset, "replace")
        except LookupError:
            t = _text(raw)
        if t and t.isprintable():
            yield "mime_word", t, m.start(), m.end()


def _wrapped(text: str):
    for m in _finditer(_WRAPPED, _WRAPPED_PY, text):
        lines = m.group(0)[:MAX_IN].split()
        # the last "line" may be the next word of prose glued on: try with and without it
        for k in (len(lines), len(lines) - 1):
            joined = "".join(lines[:k])
            try:
                raw = base64.b64decode(joined + "=" * (-len(joined) % 4))
            except (binascii.Error, ValueError):
                continue
            t = _text(raw)
            if t:
                yield "base64_wrapped", t, m.start(), m.end()
                break


_UTF7_RUN = re.compile(r"\+[A-Za-z0-9/][A-Za-z0-9+/]*-?")


def _utf7(text: str):
    """Each '+...-' run read as UTF-7; the text with them replaced (one view)."""
    n = [0]

    def one(m: re.Match) -> str:
        try:
            t = m.group(0).encode("ascii").decode("utf-7")
        except (UnicodeDecodeError, UnicodeEncodeError):
            return m.group(0)
        if not t.isprintable() and not t.isspace():
            return m.group(0)
        n[0] += 1
        return t
    out = _UTF7_RUN.sub(one, text[:MAX_IN])
    if n[0] and out != text:
        yield "utf7", out, 0, len(text)


_ZW_RUN = re.compile("[" + _ZW_CHARS + "]{16,}")


def _zwbin(text: str):
    """Runs of invisible characters as bits: each pair of the characters present, either
    way round, 8 bits a byte, most significant first (any third one a separator)."""
    for m in _ZW_RUN.finditer(text):
        run = m.group(0)[:MAX_IN]
        present = sorted(set(run), key=run.count, reverse=True)[:3]
        for a, b in ((x, y) for x in present for y in present if x != y):
            bits = "".join("0" if c == a else "1" for c in run if c in (a, b))
            if len(bits) < 64:
                continue
            raw = int(bits[:len(bits) // 8 * 8], 2).to_bytes(len(bits) // 8, "big")
            t = _plain(_text(raw), strict=False)
            if t:
                yield "zero_width_binary", t, m.start(), m.end()
                break


_BRAILLE_RUN = re.compile("[\u2800-\u28ff]{8,}")


def _braille(text: str):
    """Braille patterns U+2800-28FF as the bytes they number (real Braille text reads as
    control bytes and yields nothing)."""
    for m in _BRAILLE_RUN.finditer(text):
        raw = bytes(ord(c) - 0x2800 for c in m.group(0)[:MAX_IN])
        t = _plain(_text(raw), strict=False)
        if t:
            yield "braille", t, m.start(), m.end()


_B45_ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX = {c: i for i, c in enumerate(_B45_ALPHA)}
_B45_RUN = re.compile(r"[0-9A-Z$%*+./:-][0-9A-Z $%*+./:-]{13,}[0-9A-Z$%*+./:-]")


def b45decode(s: str) -> bytes | None:
    """RFC 9285 Base45; None when s is not valid Base45."""
    if len(s) % 3 == 1:
        return None
    out = bytearray()
    for i in range(0, len(s), 3):
        chunk = s[i:i + 3]
        try:
            vals = [_B45_INDEX[c] for c in chunk]
        except KeyError:
            return None
        n = sum(v * 45 ** k for k, v in enumerate(vals))
        if len(chunk) == 3:
            if n > 0xFFFF:
                return None
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                return None
            out.append(n)
    return bytes(out)


def _b45(text: str):
    """Base45 runs; a capitalised word before or after (its alphabet has the space) is
    tried without."""
    for n, m in enumerate(_B45_RUN.finditer(text)):
        if n >= MAX_B85_SEEN:
            return
        run = m.group(0)[:MAX_IN]
        if sum(c.isdigit() for c in run) * 6 < len(run):
            continue
        words = run.split(" ")
        cands = [run] + [" ".join(words[i:]) for i in range(1, min(3, len(words)))] \
            + [" ".join(words[:len(words) - i]) for i in range(1, min(3, len(words)))]
        for cand in cands:
            raw = b45decode(cand) if len(cand) >= 12 else None
            t = _plain(_text(raw), strict=False) if raw else None
            if t:
                yield "base45", t, m.start(), m.end()
                break


# a run starts at a word boundary (RE2 has no look-behind: the boundary char is matched)
_GROUPS_SRC = r"(?:^|[^A-Za-z0-9+/])((?:(?:[A-Za-z0-9+/]{4}){1,19}[ \t]+){3,}[A-Za-z0-9+/]{2,76}={0,2})"
try:
    _GROUPS = _re2.compile(_GROUPS_SRC)
except Exception:  # pragma: no cover
    _GROUPS = re.compile(_GROUPS_SRC)
_GROUPS_PY = re.compile(_GROUPS_SRC)


def _groups(text: str):
    """base64 written in groups with spaces between them, joined."""
    for n, m in enumerate(_finditer(_GROUPS, _GROUPS_PY, text)):
        if n >= MAX_B85_SEEN:
            return
        parts = m.group(1)[:MAX_IN].split()
        # a word before the groups ("data QUtJ ...") is no group: leading all-lowercase or
        # all-digit groups are dropped (base64 rarely writes one), and a short last
        # "group" may be the next word glued on: whole groups first
        k = 0
        while k < 2 and len(parts) - k > 4 and (parts[k].isdigit() or (parts[k].isalpha() and parts[k].islower())):
            k += 1
        parts = parts[k:]
        cands = [parts[:-1], parts] if len(parts[-1]) < 4 else [parts]
        for c in cands:
            joined = "".join(c)
            try:
                raw = base64.b64decode(joined + "=" * (-len(joined) % 4))
            except (binascii.Error, ValueError):
                continue
            t = _text(raw)
            if t:
                yield "base64_groups", t, m.start(1), m.end()
                break


# in the order of HINTS
_DECODERS = (_a85, _uu, _octal, _mime_words, _wrapped, _b85, _utf7, _zwbin, _braille, _b45, _groups)


def decode(text: str, limit: int = 64, kinds: frozenset[int] | None = None) -> list[tuple[str, str, int, int]]:
    """(decoder, decoded text, start, end) for each candidate that decodes to text. Runs
    the decoders whose hint occurs (`kinds`, from hints(), or computed here)."""
    out: list[tuple[str, str, int, int]] = []
    texts = [text]
    if "&" in text and _MARKUP_ESC.search(text) and ("&lt;~" in text or "begin " in text or _B85_I in (kinds or ())):
        texts.append(html.unescape(text))  # < > & " are Ascii85/uuencode/Base85 chars: XML/HTML escapes them
    if "\\n" in text and escaped_multiline(text):  # multi-line encoding in a JSON string quoted into YAML, code
        texts.append(text.replace("\\r\\n", "\n").replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\"))
    for n, t in enumerate(texts):
        which = kinds if (n == 0 and kinds is not None) else hints(t)
        for i in sorted(which):
            for got in _DECODERS[i](t):
                out.append(got)
                if len(out) >= limit:
                    return out
        if out:
            break
    return out


__all__ = ["BASE45", "BRAILLE", "GROUPS", "HINTS", "UTF7", "ZWBIN", "b45decode", "decode", "escaped_multiline",
           "hint", "hints", "hints_cheap", "warm"]
