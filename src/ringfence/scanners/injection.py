"""Inbound prompt-injection scanner (sans-io).

One hyperscan pass per view over every family pattern (as a superset) tells
where matches may end; only those places are confirmed with `re`, in windows
ending there on large texts. Each confirmed hit is scored in its context (see
ringfence.rules.injection) and reported when the score reaches the threshold.

Views: raw; invisibles and exotic spaces as spaces (tag characters decoded);
homoglyphs folded; NFKC with invisibles dropped; leetspeak folded; and decoded
layers (JSON \\u escapes, HTML entities, percent, base64, hex). Hits in views
whose offsets equal the original's carry a span (widened to the enclosing
line, element or JSON string) so `strip` can cut them out; hits that exist
only in decoded views carry none, and strip then refuses (the engine blocks).
"""
from __future__ import annotations

import base64
import binascii
import bisect
import codecs
import hashlib
import html
import itertools
import json
import quopri
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..core import Finding
from ..rules import injection as R
from ..rules import injection_markup as M
from ..text.unpack import base58_text, byte_arrays, bytes_to_text, json_unescape

_FLAGS = re.IGNORECASE | re.MULTILINE
_MARK = "[removed by ringfence]"
_SMALL_VIEW = 1536          # below this, confirm by a plain finditer over the view
_MAX_HITS_PER_PATTERN = 256   # per view; more is refused (scan_limit), so decoys cannot hide a real hit
_MAX_HITS = 4096              # per scan, all views; likewise
_MAX_DECODED_RUNS = 64
_MAX_RUN = 64 * 1024
_PARTS_WIDTH = 420           # verb + 6 words + object: the confirm window of a family built from parts
_MAX_PART_BONUS = 0.5        # parts together: enough to fire, not enough to outweigh discussion or quoting
_MAX_BODY = 20000            # longest hidden comment or element body looked at
_TAG_NAME = re.compile(r"<([a-z][a-z0-9]{0,15})\b")
_MAP_LIMIT = 256 * 1024       # build a char map for a folded view only below this size

# ---------------------------------------------------------------- folding tables
_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d\u200e\u200f"
              "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b"
              "\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a"
              "\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff\uffa0\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177"
              "\U0001d178\U0001d179\U0001d17a")
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_INVIS_RE = re.compile("[" + re.escape(_INVISIBLE + _SPACES) + "\U000e0000-\U000e007f]")
_DROP_RE = re.compile("[" + re.escape(_INVISIBLE) + "\U000e0000-\U000e007f]")
_TAG_RUN = re.compile("[\U000e0020-\U000e007e]{3,}")

_SPACE_TABLE: dict[int, int] = {ord(c): 0x20 for c in _INVISIBLE + _SPACES}
for _cp in range(0xE0000, 0xE0080):
    _SPACE_TABLE[_cp] = (_cp - 0xE0000) if 0x20 <= _cp - 0xE0000 <= 0x7E else 0x20

# Single code point look-alikes -> ASCII (Cyrillic, Greek, a few others); 1:1 keeps offsets.
_HOMO_PAIRS = (
    "аa бb вb сc дd еe ёe һh іi јj кk лn мm нh оo пn рp тt уy хx ѕs ԁd ԛq ԝw ӏl ɡg "
    "АA ВB СC ЕE НH ІI ЈJ КK МM ОO РP ТT ХX ЅS УY "
    "αa βb γy εe ηn ιi κk νv οo ρp τt υu χx ωw ϲc "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX "
    "ıi ȷj ℓl ⅰi ⅼl ɑa ɩi ɪi ʟl ɴn ʀr ꜱs ᴀa ᴄc ᴅd ᴇe ᴋk ᴍm ᴏo ᴘp ᴛt ᴜu ᴠv ᴡw ᴢz"
)
_HOMO_TABLE = {ord(p[0]): ord(p[1]) for p in _HOMO_PAIRS.split()}
_MIXED_RE = re.compile(
    "[A-Za-z][" + "".join(re.escape(p[0]) for p in _HOMO_PAIRS.split()) + "]|["
    + "".join(re.escape(p[0]) for p in _HOMO_PAIRS.split()) + "][A-Za-z]")
_LEET_TABLE = {ord(k): ord(v) for k, v in zip("0134579@$|!", "oieastgasii")}

_NEG_BEFORE = re.compile(R.ADVICE_BEFORE, re.I)
_QUOTES = set("\"'`“”‘’«»„「」『』")

# ---------------------------------------------------------------- triggers (prefilter-only ids)
_TRIGGERS = {
    "b64": r"[a-z0-9+/_-]{24}",
    "hex": r"(?:[0-9a-f]{2}){12}|(?:\\x[0-9a-f]{2}){6}",
    "pct": r"%[0-9a-f]{2}[^%\s]{0,12}%[0-9a-f]{2}[^%\s]{0,12}%[0-9a-f]{2}",
    "ent": r"&#x?[0-9a-f]{1,6};|&amp;#x?[0-9a-f]{1,6};",
    "jsu": r"\\u[0-9a-f]{4}",
    "bytes": r"\[\s*(?:\d{1,3}\s*,\s*){7}",
    # quoted-printable: two =XX escapes close together, or a soft line break inside a word
    "qp": r"=[0-9a-f]{2}[^=\s]{0,16}=[0-9a-f]{2}|[a-z]=\r?\n[a-z]",
    "comment": r"<!--",
    "css": R.HIDDEN_TRIGGER + "|" + M.HIDDEN_TRIGGER_MORE,
    "nonrender": M.NON_RENDERED_TRIGGER,
    "leet": r"[a-z][0134579@$|!][a-z]|[0134579@$|][a-z]{2}",
    "markup": R.MARKUP_TRIGGER,
}
try:  # RE2 finds long character runs ~50x faster than re (linear, no per-position retries)
    import re2 as _re2
    _runs = _re2.compile
except Exception:  # pragma: no cover
    _runs = re.compile
_B64_RUN = _runs(r"[A-Za-z0-9+/_-]{20,}={0,2}")
_HEX_RUN = _runs(r"(?:[0-9a-fA-F]{2}){12,}|(?:\\x[0-9a-fA-F]{2}){6,}")
_PCT = re.compile(r"%[0-9A-Fa-f]{2}[^%\s]{0,12}%[0-9A-Fa-f]{2}[^%\s]{0,12}%[0-9A-Fa-f]{2}")
_ENT = re.compile(r"&(?:amp;)?#[xX]?[0-9a-fA-F]{1,6};")  # also entities shown as text (&amp;#73;)
_JSU = re.compile(r"\\u([0-9a-fA-F]{4})")
_B58_RUN = re.compile(r"(?<![A-Za-z0-9])[1-9A-HJ-NP-Za-km-z]{16,400}(?![A-Za-z0-9])")
_QP = re.compile(r"=[0-9A-Fa-f]{2}[^=\s]{0,16}=[0-9A-Fa-f]{2}|[A-Za-z]=\r?\n[A-Za-z]")
_B32_ONLY = re.compile(r"[A-Z2-7]+=*|[a-z2-7]+=*")


# ---------------------------------------------------------------- markup-stripped view
# Built only when the "markup" trigger saw a tag, emphasis marker or entity right
# next to an injection word ("you are now <b>DAN", "**Pretend**", "previous</p>"):
# tags go (block tags become a space, table cells a bar), emphasis markers go, entities are
# decoded. Pieces keep their original offsets so a hit maps back to a span.
_BLOCK_TAGS = frozenset("""p div br hr li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table thead tbody tfoot
caption blockquote section article header footer nav aside main pre figure figcaption details summary form
fieldset address title body html head""".split())
_MARKUP_TOKEN = re.compile(
    r"<!--.{0,2000}?-->"                                      # a comment (bounded)
    r"|<(/?)([a-zA-Z][a-zA-Z0-9-]{0,20})(?![a-zA-Z0-9-])[^<>]{0,1000}>"   # a tag
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"  # an entity
    r"|(?<![^\W_])(?:\*{1,3}|_{1,3}|~~|`)(?=[^\W_])|(?<=[^\W_])(?:\*{1,3}|_{1,3}|~~|`)(?![^\W_])",  # emphasis
    re.DOTALL)
_MAX_MARKUP_TOKENS = 200000


def _markup_view(text: str) -> tuple[str, list[int], list[int]] | None:
    """(stripped text, piece starts in it, piece starts in text): piece k is copied
    verbatim when its lengths agree, else it replaced markup (mapped as a whole).
    None when nothing changed or the text holds too much markup to map."""
    out: list[str] = []
    vpos: list[int] = []
    opos: list[int] = []
    n = pos = 0
    last = ""          # last character emitted (a block tag adds a space only between words)
    for k, m in enumerate(_MARKUP_TOKEN.finditer(text)):
        if k >= _MAX_MARKUP_TOKENS:
            return None
        a, b = m.start(), m.end()
        if a > pos:
            vpos.append(n)
            opos.append(pos)
            out.append(text[pos:a])
            n += a - pos
            last = text[a - 1]
        tok = m.group(0)
        rep = ""
        if m.group(2) is not None:
            name = m.group(2).lower()
            if name in ("td", "th"):
                rep = " | "     # table cells are separate units: a phrase does not run across them
            elif name in _BLOCK_TAGS and last and not last.isspace() and not text[b:b + 1].isspace():
                rep = " "       # a space, not a line break: sentence and window context stay as in the raw view
        elif tok[0] == "&":
            rep = html.unescape(tok).replace("\u00a0", " ")
        vpos.append(n)
        opos.append(a)
        out.append(rep)
        n += len(rep)
        if rep:
            last = rep[-1]
        pos = b
    if not vpos:
        return None
    if pos < len(text):
        vpos.append(n)
        opos.append(pos)
        out.append(text[pos:])
    return "".join(out), vpos, opos


def _map_markup(view: "_View", a: int, b: int) -> tuple[int, int]:
    """View offsets a..b of a markup view -> offsets in its source text."""
    return _markup_pos(view, a, False), _markup_pos(view, b, True)


def _markup_pos(view: "_View", p: int, end: bool) -> int:
    vpos, opos = view.offsets
    src = view.source
    k = bisect.bisect_right(vpos, p - 1 if end and p > 0 else p) - 1
    if k < 0:
        return 0
    v0, o0 = vpos[k], opos[k]
    v1 = vpos[k + 1] if k + 1 < len(vpos) else len(view.text)
    o1 = opos[k + 1] if k + 1 < len(opos) else len(src)
    if v1 - v0 == o1 - o0:   # a verbatim piece (a replacement is always shorter than its markup)
        return o0 + (p - v0)
    return o1 if end else o0


# ---------------------------------------------------------------- prefilter
try:  # Python 3.11+
    from re import _parser as _sre
    from re import _constants as _src
except ImportError:  # pragma: no cover
    import sre_parse as _sre  # type: ignore
    import sre_constants as _src  # type: ignore


def anchors(pattern: str) -> list[str] | None:
    """Lowercase literals such that every match of `pattern` contains one of them
    (None when no such set exists). Derived from the parse tree, so rules stay
    plain regexes and the prefilter stays literal-only (fast to build and run)."""
    got = anchor_info(pattern)
    return got[0] if got else None


def anchor_info(pattern: str) -> tuple[list[str], int, int] | None:
    """(anchors, back, fwd): a match starts at most `back` chars before an anchor's
    end and ends at most `fwd` chars after it (open repeats counted as short runs)."""
    seq = _sre.parse(_bounded(pattern), re.IGNORECASE)
    best = _required(seq, top=True)
    if not best:
        return None
    lits, k = best
    if min(len(x) for x in lits) < 2:
        return None
    back = int(seq[:k + 1].getwidth()[1])
    fwd = int(seq[k + 1:].getwidth()[1]) if k + 1 < len(seq) else 0
    return sorted({x.lower() for x in lits}), min(back, 4000), min(fwd, 4000)


def _bounded(p: str) -> str:
    return re.sub(r"(?<!\\)\+", "{1,24}", re.sub(r"(?<!\\)\*", "{0,8}", p))


def _required(seq, top: bool = False):
    cands: list[tuple[set[str], int]] = []
    cur: list[str] = []

    def flush(k):
        if cur:
            cands.append(({"".join(cur)}, k))
            cur.clear()
    k = -1
    for k, (op, av) in enumerate(seq):
        if op is _src.LITERAL:
            cur.append(chr(av))
            continue
        flush(k - 1)
        if op is _src.SUBPATTERN:
            r = _required(av[-1])
            if r:
                cands.append((r, k))
        elif op is _src.BRANCH:
            parts = [_required(b) for b in av[1]]
            if parts and all(parts):
                cands.append((set().union(*parts), k))
        elif op in (_src.MAX_REPEAT, _src.MIN_REPEAT) and av[0] >= 1:
            r = _required(av[2])
            if r:
                cands.append((r, k))
    flush(k)
    if not cands:
        return None

    # Prefer rare words: a set with a common word would wake the confirm step on most pages.
    def rank(ck):
        c = ck[0]
        short = min(len(x) for x in c)
        return (not any(x.lower().strip() in _COMMON for x in c), short >= 4, min(short, 8), -len(c))
    best = max(cands, key=rank)
    return best if top else best[0]


_COMMON = frozenset("""
the you your and are now from with all http https www. ftp:// will must user users then this that for any not
mode important always never without tool function command action execute answer output reply response summary
set env above before instead rather task orders rules instruction instructions directive system admin developer
operator decode eval base64 cat head tail anything remember human and then have need first also can use run
call send data file text content contents new note read open what tell show give list include add
in into to at via on do th sh nc is it :// as of or be rm act key var say see know find told api jetzt nun sofort dan
hora partir bist maintenant теперь 이제 모드 モード 模式 from
""".split())


_HS_CUT = "(?#hs)"


def _lead_superset(p: str, flags: str, wide: bool = False):
    """The whole pattern as a linear superset (of any text when `wide`, else of ASCII
    text), or None when the linear engine refuses it."""
    try:
        q = _hs_pattern(p.replace(_HS_CUT, ""))
        return _runs(flags + (_widen(q) if wide else q))
    except Exception:
        return None


def _hs_pattern(p: str) -> str:
    """A superset of `p` in hyperscan's dialect that compiles quickly: no word
    boundaries or lookarounds, and long bounded repeats opened up. A top-level
    `(?#hs)` comment drops everything before it: the suffix still ends wherever a
    match ends, and a long alternation of openers ("pretend you are", "roleplay
    as", ...) in front of another alternation costs seconds to compile."""
    cut = p.find(_HS_CUT)
    if cut != -1:
        p = p[cut + len(_HS_CUT):]
    out: list[str] = []
    i, n, in_class = 0, len(p), False
    while i < n:
        c = p[i]
        if c == "\\" and i + 1 < n:
            if p[i + 1] == "b" and not in_class:
                i += 2
                continue
            out.append(p[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            for lead in ("^", "]"):
                if p[i:i + 1] == lead:
                    out.append(lead)
                    i += 1
            continue
        if p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _skip_group(p, i)
            continue
        if p.startswith("(?-i:", i):
            out.append("(?:")
            i += 5
            continue
        if c == "{":
            j = p.find("}", i)
            lo, comma, hi = (p[i + 1:j] if j != -1 else "").partition(",")
            if comma and lo.isdigit() and (not hi or (hi.isdigit() and int(hi) > 8)):
                out.append("*" if lo == "0" else "+" if lo == "1" else "{" + lo + ",}")
                i = j + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _skip_group(p: str, i: int) -> int:
    """Index just past the group that opens at p[i]."""
    depth, in_class = 0, False
    while i < len(p):
        c = p[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if p[i + 1:i + 2] == "]":
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


# ---------------------------------------------------------------- prefilter: whole patterns in hyperscan
# Every family pattern is compiled, as a superset in hyperscan's dialect (see
# `_hs_pattern`), into one database that also holds the trigger regexes. One
# pass then reports where candidate matches END; on ordinary pages that is
# nothing at all, so common words (ignore, token, password, .env) cost no
# Python work. `re` confirms each candidate in a window ending there.
#
# The database is compiled without Unicode classes (32x faster to build), so
# texts are scanned as ASCII, one byte per character: a non-ASCII character
# becomes an ASCII stand-in that every pattern atom matching it in `re` also
# matches (a space for spaces, the letter for K/ſ/ı/İ, "0" for digits, "_" for
# other word characters, \x01 for the rest). Patterns with non-ASCII literals
# (CJK, Cyrillic, accented words) also go in a second, widened database that
# is scanned over the UTF-8 text when it is not ASCII.
_HS_CAP = 2048            # candidate ends kept per pattern per view; beyond, confirm over the whole view
_WIDE_BACK = 4000          # second look when a candidate did not confirm in its pattern's usual width
_MAX_RETRIES = 64          # per pattern per view; beyond, confirm over the whole view
_CTRL = bytes.maketrans(b"\x1c\x1d\x1e\x1f", b"    ")   # `re` counts these as \s, hyperscan does not
_HI = r"\x{80}-\x{10FFFF}"


class _Stand(dict):
    """code point -> ASCII stand-in (see above); filled lazily, bounded."""

    _space = re.compile(r"\s")
    _digit = re.compile(r"\d")
    _word = re.compile(r"\w")

    def __missing__(self, cp: int) -> int:
        c = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            r = 1
        elif cp in (0x130, 0x131):
            r = ord("i")
        elif cp == 0x17F:
            r = ord("s")
        elif cp == 0x212A:
            r = ord("k")
        elif self._space.match(c):
            r = 0x20
        elif self._digit.match(c):
            r = ord("0")
        elif self._word.match(c):
            r = ord("_")
        else:
            r = 1
        if len(self) < 65536:
            self[cp] = r
        return r


_STAND = _Stand()


def _stand_in(exc):
    if not isinstance(exc, UnicodeEncodeError):  # pragma: no cover
        raise exc
    return exc.object[exc.start:exc.end].translate(_STAND), exc.end


codecs.register_error("ringfence.injection.stand_in", _stand_in)


def _ascii_bytes(text: str) -> bytes:
    """One ASCII byte per character (see above)."""
    data = text.encode("ascii") if text.isascii() else text.encode("ascii", "ringfence.injection.stand_in")
    if b"\x1c" in data or b"\x1d" in data or b"\x1e" in data or b"\x1f" in data:
        data = data.translate(_CTRL)
    return data


# Every character `re` counts as \\s beyond ASCII's " \\t\\n\\r\\f\\v" (a test checks the list).
_WIDE_SPACE = r"\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
# The UTF-8 database's \\s takes only the common ones: the other Unicode spaces cost it
# 3 MB and 22 s of compile. A text holding any of those (reported by the "rarespace"
# presence flag) is scanned again with each one replaced by " " (one char for one char).
_DB_SPACE = r"\x1c-\x1f\x{a0}\x{3000}"
_RARE_SPACES = "\x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f"
_RARE_SPACE_RE = re.compile("[" + _RARE_SPACES + "]")


def _widen(p: str, space: str = _WIDE_SPACE) -> str:
    """A hyperscan-dialect pattern whose \\w and \\d (alone or in a positive class)
    also take any non-ASCII character, and \\s every Unicode space: a Unicode
    superset without UCP. (\\s stays exact: "any non-ASCII" there would turn
    "ты\\s+теперь" into "ты, any Cyrillic, теперь", slow and noisy on Russian.)"""
    out: list[str] = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\" and i + 1 < n:
            t = p[i + 1]
            if t == "s":
                out.append("[" + space + "\\s]")
            elif t in "wd":
                out.append("[" + _HI + "\\" + t + "]")
            else:
                out.append(p[i:i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if p[j:j + 1] == "^":
                j += 1
            if p[j:j + 1] == "]":
                j += 1
            while j < n and p[j] != "]":
                j += 2 if p[j] == "\\" else 1
            body = p[i:j + 1]
            if not body.startswith("[^") and re.search(r"\\[wd]", body):
                body = "[" + _HI + ("\\x1c-\\x1f" if "\\s" in body else "") + body[1:]
            elif not body.startswith("[^") and "\\s" in body:
                body = "[" + space + body[1:]
            out.append(body)
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


_DBS: dict[str, object] = {}
_DBS_LOCK = threading.Lock()
_DB_KEY_LOCKS: dict[str, threading.Lock] = {}


def _hs_compile(hs, exprs: list[str], ids: list[int], flags: list[int], keep=None, keep_tag: str = "",
                load_only: bool = False):
    """Compiled database, shared in-process and cached on disk by match/hscache (the
    one disk cache, with its checks on the directory and files); `keep`, `load_only`
    (None when not cached): see there."""
    from ..match.hscache import cached_compile
    key = hashlib.sha256(json.dumps([exprs, ids, flags, keep_tag]).encode()).hexdigest()
    with _DBS_LOCK:
        db = _DBS.get(key)
        if db is not None:
            return db
        key_lock = _DB_KEY_LOCKS.setdefault(key, threading.Lock())
    with key_lock:   # one build per database; other databases (and _matcher()) do not wait for it
        with _DBS_LOCK:
            db = _DBS.get(key)
        if db is None:
            db = cached_compile("injection", [e.encode() for e in exprs], list(ids), list(flags),
                                hs.HS_MODE_BLOCK, keep=keep, keep_tag=keep_tag, load_only=load_only)
            if db is not None:
                with _DBS_LOCK:
                    _DBS[key] = db
        return db


def _ascii_keep(patterns: list[str]):
    """For the database that scans only ASCII text: drop the patterns no ASCII text can
    match (about 220 of the 44 languages' patterns: 10.4 -> 5.2 MB resident, half the
    compile time). Triggers (indexes past the patterns) are kept."""
    from ..match.ascii import VERSION, can_match_ascii
    return (lambda k: k >= len(patterns) or can_match_ascii(patterns[k], _FLAGS)), f"ascii-text-v{VERSION}"


# ---------------------------------------------------------------- folded view, piecewise
# NFKC leaves a character alone, and never lets it combine with its neighbours,
# when it is a starter, NFKC quick-check Yes and never the second half of a
# composition (ringfence.text._fast computes that set; its complement is `ctx`).
# Text splits before such a character without changing NFKC, so the folded view
# is built from the runs of the other characters (plus the droppable ones) found
# by one hyperscan pass; each run is normalized on its own (with the character
# before it when it may combine backwards), memoised, since the same few runs
# ("，", "…", "й") recur all through a text.
_FOLD_RUNS: list = []
_FOLD_MEMO: dict[bytes, bytes] = {}
_FOLD_MEMO_MAX = 1 << 14
_FOLD_RUN_CAP = 32          # more than one run char per this many bytes: plain NFKC is faster
_HOMO_ANY = re.compile("[" + "".join(re.escape(p[0]) for p in _HOMO_PAIRS.split()) + "]")


def _fold_runs_state():
    """(runs db, chars that may combine backwards or vanish) or None without hyperscan."""
    with _DBS_LOCK:
        if _FOLD_RUNS:
            return _FOLD_RUNS[0]
    st = None
    try:
        import hyperscan as hs
        from ..text.normalize import fold_tables
        got = fold_tables()
        if got:
            ctx = set(got[2]) | {ord(c) for c in _INVISIBLE} | set(range(0xE0000, 0xE0080))
            cls = _hs_class_cps(ctx)
            db = _hs_compile(hs, [cls], [0], [hs.HS_FLAG_UTF8 | hs.HS_FLAG_SOM_LEFTMOST])
            simple = _simple_chars(ctx)
            one = hs.HS_FLAG_UTF8 | hs.HS_FLAG_SINGLEMATCH
            exprs = [_hs_class_cps(ctx - set(simple))] + ["\\x{%x}" % c for c in simple]
            db_simple = _hs_compile(hs, exprs, list(range(len(exprs))), [one] * len(exprs))
            st = (db, frozenset(ctx), db_simple, [(chr(c), simple[c]) for c in simple])
    except Exception:
        st = None
    with _DBS_LOCK:
        if not _FOLD_RUNS:
            _FOLD_RUNS.append(st)
        return _FOLD_RUNS[0]


def _simple_chars(ctx: set[int]) -> dict[int, str]:
    """Characters NFKC maps, wherever they stand, to one ASCII character: starters that
    never complete a composition, never dropped ("，" -> ",", "Ａ" -> "A", U+3000 ->
    " "). With no other unsafe character in a text, its NFKC is a few str.replace."""
    seconds = set()
    for cp in ctx:
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(d.split()) == 2:
            seconds.add(int(d.split()[1], 16))
    drop = {ord(c) for c in _INVISIBLE}
    out: dict[int, str] = {}
    for cp in sorted(ctx):
        if cp in drop or cp in seconds or cp >= 0xE0000 or 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        if unicodedata.combining(c):
            continue
        r = unicodedata.normalize("NFKC", c)
        if len(r) == 1 and r.isascii() and r != c:
            out[cp] = r
    return out


def _hs_class_cps(cps) -> str:
    cps = sorted(cps)
    out, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append("\\x{%x}" % cps[i] + ("-\\x{%x}" % cps[j] if j > i else ""))
        i = j + 1
    return "[" + "".join(out) + "]"


def _nfkc_dropped_slow(text: str) -> str:
    return unicodedata.normalize("NFKC", _DROP_RE.sub("", text))


def _nfkc_dropped(text: str) -> tuple[str, bool]:
    """(NFKC of text with the droppable characters removed, whether a normalized run
    produced a look-alike): the same string as `_nfkc_dropped_slow`."""
    st = _fold_runs_state()
    if st is None:
        return _nfkc_dropped_slow(text), True
    db, ctx, db_simple, simple = st
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return _nfkc_dropped_slow(text), True
    present: set[int] = set()
    try:
        db_simple.scan(data, match_event_handler=lambda i, *_: present.add(i))
    except Exception:
        present = {0}
    if 0 not in present:   # only context-free one-to-one-ASCII characters to map
        for i in sorted(present):
            c, r = simple[i - 1]
            text = text.replace(c, r)
        return text, False
    runs: list[int] = []
    cap = len(data) // _FOLD_RUN_CAP + 64
    count = [0]

    def on(_i, frm, to, _f, _c):
        if runs and runs[-1] >= frm:
            runs[-1] = max(runs[-1], to)
        else:
            runs.append(frm)
            runs.append(to)
        count[0] += 1   # one call per character of a run
        return count[0] > cap

    try:
        db.scan(data, match_event_handler=on)
    except Exception:
        if count[0] <= cap:
            return _nfkc_dropped_slow(text), True
    if count[0] > cap:
        return _nfkc_dropped_slow(text), True
    out: list[bytes] = []
    prev = 0
    homo = False
    memo = _FOLD_MEMO
    if len(memo) > _FOLD_MEMO_MAX:
        memo.clear()
    for k in range(0, len(runs), 2):
        a, b = runs[k], runs[k + 1]
        if a < prev:   # out of order: never seen, but then take the slow path
            return _nfkc_dropped_slow(text), True
        if ord(data[a:a + 4].decode("utf-8", "ignore")[:1] or "\0") in ctx and a > 0:
            a -= 1      # take the (safe) character before the run along
            while data[a] & 0xC0 == 0x80:
                a -= 1
            a = max(a, prev)
        key = data[a:b]
        v = memo.get(key)
        if v is None:
            folded = _nfkc_dropped_slow(key.decode("utf-8"))
            v = memo[key] = folded.encode("utf-8") + (b"\x01" if _HOMO_ANY.search(folded) else b"\x00")
        homo = homo or v[-1] == 1
        out.append(data[prev:a])
        out.append(v[:-1])
        prev = b
    if not out:
        return text, False
    out.append(data[prev:])
    return b"".join(out).decode("utf-8"), homo


_RES: dict[str, re.Pattern] = {}
_MATCHER: list = []
_WIDE_BUILD_MAX_S = 600.0  # a cold build of the UTF-8 databases takes ~20 s on a busy 2-core machine
_COLD_FALLBACK_MAX = 65536  # chars matched without a database still being built (~0.1-0.4 s); longer texts wait


class _Lazy:
    """A read-only list whose item k is fn(src[k]), made on first use (pure fn: a race
    at worst makes it twice)."""

    __slots__ = ("_fn", "_src", "_got")

    def __init__(self, fn, src: list):
        self._fn, self._src, self._got = fn, list(src), [None] * len(src)

    def __len__(self) -> int:
        return len(self._src)

    def __getitem__(self, k: int):
        v = self._got[k]
        if v is None:
            v = self._got[k] = self._fn(self._src[k])
        return v

    def __iter__(self):
        return (self[k] for k in range(len(self._src)))


def _trigger_re(t: str) -> re.Pattern:
    return re.compile(t, re.IGNORECASE)


def _pattern_width(src: tuple[str, bool]) -> int:
    p, parts = src
    return _PARTS_WIDTH if parts else _max_width(p)


def _compiled(p: str) -> re.Pattern:
    rx = _RES.get(p)
    if rx is None:
        rx = _RES[p] = re.compile(p, _FLAGS)
    return rx


def wait_for_databases(timeout: float = _WIDE_BUILD_MAX_S) -> bool:
    """Build (or load) every injection database now and wait for them: `make setup`
    fills the disk cache with this. False when not done within `timeout` seconds."""
    return _matcher().wait_built(timeout)


def _matcher() -> "_Matcher":
    """The one matcher over all families (built once per process: start-up cost)."""
    with _DBS_LOCK:
        if _MATCHER:
            return _MATCHER[0]
    m = _Matcher([p for fam in R.FAMILIES for p, _ in fam.patterns], list(_TRIGGERS.values()))
    with _DBS_LOCK:
        if not _MATCHER:
            _MATCHER.append(m)
        return _MATCHER[0]


class _Matcher:
    """Where each family pattern may match in a text, and which triggers occur.
    `scan(text)` -> ({pattern index: sorted candidate end offsets (chars), or None when
    there were too many}, {trigger index}). Without hyperscan every pattern is a
    candidate everywhere (ends None) and triggers are searched with `re`.

    Trigger indexes past the given triggers are the `_PRESENCE` flags (which
    characters the text holds); they count only when index `exact` is reported too.
    ASCII text is scanned one byte per char; other text as UTF-8 with the widened
    database (every pattern and trigger, see `_widen`, plus the presence flags), so
    non-ASCII prose costs one C pass and no per-character Python."""

    def __init__(self, patterns: list[str], triggers: list[str]):
        self.n = len(patterns)
        self.exact = len(triggers) + len(_PRESENCE)
        self._trig_res = _Lazy(_trigger_re, triggers)   # used only without a database
        self._lock = threading.Lock()
        self._db = self._wide_db = None
        self._hs = False
        self._narrow_ready = threading.Event()
        self._wide_ready = threading.Event()
        self._narrow_error: BaseException | None = None
        self._wide_error: BaseException | None = None
        try:
            import hyperscan as hs
        except Exception:  # pragma: no cover - hyperscan is an optional speed-up
            return
        self._hs = True
        base = hs.HS_FLAG_UTF8 | hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
        exprs = [_hs_pattern(p) for p in patterns] + list(triggers)
        flags = [base] * len(patterns) + [hs.HS_FLAG_CASELESS | hs.HS_FLAG_SINGLEMATCH] * len(triggers)
        keep, keep_tag = _ascii_keep(patterns)   # this database scans ASCII text only
        narrow = (hs, exprs, list(range(len(exprs))), flags, keep, keep_tag)
        self._db = _hs_compile(*narrow, load_only=True)
        if self._db is not None:
            self._narrow_ready.set()
            narrow = None
        # Databases not in the disk cache (a fresh machine: ~25 s of CPU) and the UTF-8
        # one (non-ASCII text only) are built on a thread (hyperscan releases the GIL).
        # Until one is ready, a text of at most _COLD_FALLBACK_MAX chars is matched
        # without it (every pattern a candidate, confirmed by `re`: exact, slower); a
        # longer one waits for it.
        threading.Thread(target=self._build, args=(hs, narrow, patterns, triggers, base),
                         name="injection-hs", daemon=True).start()

    def _build(self, hs, narrow, patterns: list[str], triggers: list[str], base: int) -> None:
        if narrow is not None:
            try:
                self._db = _hs_compile(*narrow)
            except BaseException as e:  # surfaces on the next ASCII scan (fail closed)
                self._narrow_error = e
            finally:
                self._narrow_ready.set()
        try:
            one = hs.HS_FLAG_UTF8 | hs.HS_FLAG_SINGLEMATCH
            wide = ([_widen(_hs_pattern(p), _DB_SPACE) for p in patterns] + [_widen(t, _DB_SPACE) for t in triggers]
                    + list(_PRESENCE.values()))
            wflags = ([base] * len(patterns) + [one | hs.HS_FLAG_CASELESS] * len(triggers)
                      + [one] * len(_PRESENCE))
            self._wide_db = _hs_compile(hs, wide, list(range(len(wide))), wflags)
        except BaseException as e:  # surfaces on the first non-ASCII scan (fail closed)
            self._wide_error = e
        finally:
            self._wide_ready.set()

    def _await_wide(self) -> None:
        if not self._wide_ready.wait(_WIDE_BUILD_MAX_S):
            raise RuntimeError(f"UTF-8 pattern database not built after {_WIDE_BUILD_MAX_S} s")
        if self._wide_error is not None:
            raise RuntimeError(f"UTF-8 pattern database: {self._wide_error!r}")

    def _await_narrow(self) -> None:
        if not self._narrow_ready.wait(_WIDE_BUILD_MAX_S):
            raise RuntimeError(f"ASCII pattern database not built after {_WIDE_BUILD_MAX_S} s")
        if self._narrow_error is not None:
            raise RuntimeError(f"ASCII pattern database: {self._narrow_error!r}")

    def wait_built(self, timeout: float = _WIDE_BUILD_MAX_S) -> bool:
        """Block until every database is built (or failed); False after `timeout`."""
        return not self._hs or (self._narrow_ready.wait(timeout) and self._wide_ready.wait(timeout))

    def _everywhere(self, text: str) -> tuple[dict[int, list[int] | None], set[int]]:
        """Without a database: every pattern a candidate over the whole text (confirmed
        by `re`, so exact); triggers by `re`; presence flags not reported (not exact)."""
        return dict.fromkeys(range(self.n)), {k for k, rx in enumerate(self._trig_res) if rx.search(text)}

    def scan(self, text: str) -> tuple[dict[int, list[int] | None], set[int]]:
        n = self.n
        if not self._hs:
            return self._everywhere(text)
        ascii_ = text.isascii()
        if not (self._narrow_ready if ascii_ else self._wide_ready).is_set():   # still being built
            if len(text) <= _COLD_FALLBACK_MAX:
                return self._everywhere(text)
            self._await_narrow() if ascii_ else self._await_wide()
        trig: set[int] = set()

        def handler(ends: dict):
            def on(i, _f, to, _fl, _ctx):
                if i >= n:
                    trig.add(i - n)
                    return False
                got = ends.get(i, ())
                if got is None:
                    return False
                if not got:
                    ends[i] = [to]
                elif len(got) >= _HS_CAP:
                    ends[i] = None
                elif got[-1] != to:
                    got.append(to)
                return False
            return on

        ends: dict[int, list[int] | None] = {}
        if ascii_:
            self._await_narrow()
            with self._lock:
                self._db.scan(_ascii_bytes(text), match_event_handler=handler(ends))
            trig.add(self.exact)   # ASCII holds none of the presence characters
            return ends, trig
        self._await_wide()
        lone = False
        try:
            udata = text.encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates: U+FFFD each, one char for one char (offsets kept). Every
            # widened atom that takes a surrogate under `re` (., \W, \S, negated classes)
            # takes U+FFFD too; no literal is a surrogate. Presence flags: not exact.
            text = _LONE_SURROGATE.sub("\ufffd", text)
            udata = text.encode("utf-8")
            lone = True
        if self._wide_db is None:  # pragma: no cover - _await_wide raised otherwise
            return dict.fromkeys(range(n)), {k for k, rx in enumerate(self._trig_res) if rx.search(text)}
        flag0 = self.exact - len(_PRESENCE)
        special, rare = flag0 + list(_PRESENCE).index("special"), flag0 + list(_PRESENCE).index("rarespace")
        with self._lock:
            self._wide_db.scan(udata, match_event_handler=handler(ends))
        if special in trig or rare in trig:   # rare: rescan with those characters replaced
            ends.clear()
            trig.clear()
            udata = _utf8_for_scan(text)[0]
            with self._lock:
                self._wide_db.scan(udata, match_event_handler=handler(ends))
        elif not lone:
            trig.add(self.exact)
        _ends_to_chars(udata, ends)
        return ends, trig


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Characters `re` (IGNORECASE) matches with an ASCII letter: replaced by that letter
# before the UTF-8 scan, so the ASCII atoms of the patterns need no Unicode case folding.
_CASE_SPECIAL = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def _utf8_for_scan(text: str) -> tuple[bytes, bool] | None:
    """(UTF-8 of text with the case specials and the rare spaces replaced, presence flags
    exact), or None for lone surrogates. One char stays one char, so char offsets are unchanged."""
    exact = True
    if _RARE_SPACE_RE.search(text):
        text = _RARE_SPACE_RE.sub(" ", text)
        exact = False   # the "invis" flag counts spaces: let `re` decide
    for c, a in _CASE_SPECIAL:
        if c in text:
            text = text.replace(c, a)
            exact = False   # "ı" is also a look-alike: let `re` decide the mixed flag
    try:
        return text.encode("utf-8"), exact
    except UnicodeEncodeError:
        return None


def _ends_to_chars(data: bytes, ends: dict[int, list[int] | None]) -> None:
    """Byte offsets (at code point boundaries) -> char offsets, in place, in one
    left-to-right decode over all candidate ends."""
    offs = sorted({e for got in ends.values() if got for e in got})
    if not offs:
        return
    conv: dict[int, int] = {}
    pos_b = pos_c = 0
    for e in offs:
        pos_c += len(data[pos_b:e].decode("utf-8"))
        pos_b = e
        conv[e] = pos_c
    for i, got in ends.items():
        if got:
            ends[i] = [conv[e] for e in got]


def _hs_class(chars: str) -> str:
    return "[" + "".join("\\x{%x}" % ord(c) for c in chars) + "]"


# Presence flags, reported by the UTF-8 scan (names as trigger names).
_PRESENCE = {
    "invis": "(?:" + _hs_class(_INVISIBLE + _SPACES) + "|[\\x{e0000}-\\x{e007f}])",
    "drop": "(?:" + _hs_class(_INVISIBLE) + "|[\\x{e0000}-\\x{e007f}])",
    "special": _hs_class("".join(c for c, _ in _CASE_SPECIAL)),
    "rarespace": _hs_class(_RARE_SPACES),
    "homo": _hs_class("".join(p[0] for p in _HOMO_PAIRS.split())),
    "mixed": ("[A-Za-z]" + _hs_class("".join(p[0] for p in _HOMO_PAIRS.split())) + "|"
              + _hs_class("".join(p[0] for p in _HOMO_PAIRS.split())) + "[A-Za-z]"),
}


# ---------------------------------------------------------------- data
@dataclass
class _View:
    name: str
    text: str
    mapped: bool                  # offsets equal the original text's
    layer: str = ""               # "base64"/"hex" for payload layers (hiding is itself suspicious)
    source: str = ""              # for folded and markup views: the text it was made from (to map offsets)
    offsets: tuple | None = None  # markup view: (piece starts in text, piece starts in source)


@dataclass
class _Hit:
    family: str
    weight: float
    view: _View
    start: int
    end: int
    pattern: int
    hidden: bool = False
    in_value: bool = False        # in an attribute value or markdown title: its quote is a delimiter
    score: float = 0.0


def _norm_key(s: str) -> str:
    return " ".join(s.lower().split())[:200]


def _excerpt(s: str, prefix: str = "") -> str:
    s = " ".join(s.split())
    s = (prefix + s) if prefix else s
    return s if len(s) <= 80 else s[:77] + "..."


# ---------------------------------------------------------------- scanner
class InjectionScanner:
    """`scan(text, where)` -> findings; `strip(text, findings)` -> text or None."""

    def __init__(self, config):
        self.config = config
        cfg = config.injection
        self.enabled = cfg.enabled
        self.action = cfg.action
        self.max_depth = cfg.max_decode_depth
        self.max_bytes = cfg.max_scan_bytes
        self.threshold = float(getattr(cfg, "threshold", R.THRESHOLD))
        disabled = {r.split(":", 1)[-1] for r in cfg.disabled_rules}
        self.families = [f for f in R.FAMILIES if f.id not in disabled]
        self.hidden_enabled = R.HIDDEN.id not in disabled
        self._sev = {f.id: f.severity for f in R.FAMILIES}
        self._sev[R.HIDDEN.id] = R.HIDDEN.severity
        self._meta: list[tuple[str, float]] = []
        res_src: list[str] = []
        width_src: list[tuple[str, bool]] = []
        self._on: list[bool] = []          # family enabled in this config
        self._narrow: list[bool] = []      # confirmed in its own width only (no wide second look)
        self._lead: list = []              # cheap pre-check of a candidate window, or None
        self._lead_wide: list = []         # the same for non-ASCII views
        for fam in R.FAMILIES:                # the database holds every family, so configs share one
            for p, w in fam.patterns:
                self._meta.append((fam.id, w))
                res_src.append(p)
                # a family built from parts has bounded gaps: its own width is enough, and its
                # prefilter part (the object) is common enough that wide looks would cost
                width_src.append((p, bool(fam.parts)))
                self._narrow.append(bool(fam.parts))
                # the whole pattern as a linear superset (no lookarounds, open repeats): one pass
                # per view tells which candidate ends can hold a match at all
                # per view tells which candidate ends can hold a match at all. Also for every
                # pattern the prefilter sees only the tail of ((?#hs)): a common tail word in
                # code or another language would otherwise cost a backtracking look each.
                # (compiled on first use: most patterns never need one)
                lazy = (p, "(?i)" if fam.parts else "(?im)") if fam.parts or _HS_CUT in p else None
                self._lead.append(lazy)
                self._lead_wide.append(lazy)
                self._on.append(fam.id not in disabled)
        # compiled on first use: a scan confirms few patterns, and compiling all ~500 costs
        # a one-shot `ringfence check` most of its start-up
        self._res: _Lazy = _Lazy(_compiled, res_src)
        self._width: _Lazy = _Lazy(_pattern_width, width_src)
        self._n_family = len(self._res)
        # families built from parts: {family: ([(name, compiled or None, bonus)], needs)}
        self._parts: dict[str, tuple[list, tuple]] = {
            f.id: ([(n, re.compile(rx, _FLAGS) if rx else None, w) for n, rx, w in f.parts], f.needs)
            for f in R.FAMILIES if f.parts}
        # a linear superset of each part (no lookarounds or word boundaries): its absence
        # from a paragraph settles the part without the backtracking engine
        self._part_pre: dict[str, Any] = {}
        for f in R.FAMILIES:
            for n, rx, _ in f.parts or ():
                if rx and n not in self._part_pre:
                    try:
                        self._part_pre[n] = _runs("(?im)" + _hs_pattern(rx))
                    except Exception:
                        self._part_pre[n] = None
        self._trig = {name: k for k, name in enumerate(list(_TRIGGERS) + list(_PRESENCE) + ["exact"])}
        self._pf = _matcher()
        self._hidden_trigger = re.compile(R.HIDDEN_TRIGGER + "|" + M.HIDDEN_TRIGGER_MORE, re.IGNORECASE)
        self._hidden_tag = re.compile(R.HIDDEN_TAG, re.IGNORECASE)
        self._hidden_tag_more = re.compile(M.HIDDEN_TAG_MORE, re.IGNORECASE)
        self._hidden_directive = re.compile(R.HIDDEN_DIRECTIVE, _FLAGS)
        self._discussion = re.compile(R.DISCUSSION, _FLAGS)
        self._directive_ai = re.compile(R.VOCATIVE, _FLAGS)
        self._directive_you = re.compile(R.DIRECTIVE, _FLAGS)
        self._urgent = re.compile(r"\b(?:IMPORTANT|URGENT|MANDATORY|CRITICAL|ATTENTION|NOTE\s+TO)\b|重要|必ず|중요", 0)

    # -- public ---------------------------------------------------------
    def scan(self, text: str, where: str = "", audience: str = "") -> list[Finding]:
        """`audience="agent"`: text only the agent reads (a tool definition, an Agent Card),
        so an instruction in it is aimed at the agent whoever it names."""
        if not self.enabled or not text:
            return []
        findings: list[Finding] = []
        if len(text) > self.max_bytes:
            findings.append(Finding("injection", "scan_limit", "high",
                                    f"text of {len(text)} chars exceeds max_scan_bytes", where, "block"))
            text = text[: self.max_bytes]
        hits: list[_Hit] = []
        over: list[bool] = []   # set when a cap stopped collection
        regions: list[tuple[int, int, str, str]] = []   # (start, end, kind, body) in raw offsets
        raw = _View("raw", text, True)
        agent = audience == "agent"
        box: list = []

        def raw_regions(trig: set[str]) -> list:
            box.append(self._hidden_regions(text, trig) if self.hidden_enabled else [])
            return box[0]
        trig = self._collect(raw, hits, over, agent=agent, regions_of=raw_regions)
        regions = box[0] if box else []
        for v in self._derived_views(text, trig, depth=self.max_depth):
            self._collect(v, hits, over, agent=agent)
        findings += self._judge(text, hits, regions, where, audience == "agent")
        if over:  # candidates beyond the caps were not looked at: refuse rather than guess
            findings.append(Finding("injection", "scan_limit", "high", "too many candidate matches to judge",
                                    where, "block"))
        return findings

    def strip(self, text: str, findings: list[Finding]) -> str | None:
        spans = []
        for f in findings:
            if f.scanner != "injection":
                continue
            if f.span is None:
                return None
            spans.append(f.span)
        if not spans:
            return text
        spans.sort()
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out, pos = [], 0
        for a, b in merged:
            out.append(text[pos:a])
            out.append(_MARK)
            pos = b
        out.append(text[pos:])
        result = "".join(out)
        # What is left must be clean: a second copy the spans missed means block, not a partial strip.
        if any(f.action != "allow" for f in self.scan(result)):
            return None
        return result

    # -- views ----------------------------------------------------------
    def _derived_views(self, text: str, trig: set[str], depth: int) -> list[_View]:
        views: list[_View] = []
        base = text
        if not text.isascii():
            # presence flags from the prefilter pass stand in for three regex passes
            exact = "exact" in trig
            if ("invis" in trig) if exact else _INVIS_RE.search(text):
                base = text.translate(_SPACE_TABLE)
                views.append(_View("spaced", base, True))
            if ("mixed" in trig) if exact and base is text else _MIXED_RE.search(base):
                base = base.translate(_HOMO_TABLE)
                views.append(_View("confusable", base, True))
            has_drop = ("drop" in trig) if exact else _DROP_RE.search(text)
            if has_drop or not unicodedata.is_normalized("NFKC", text):
                folded, homo = _nfkc_dropped(text)
                if homo or not exact or "homo" in trig:
                    folded = folded.translate(_HOMO_TABLE)
                if folded != base:
                    views.append(_View("folded", folded, False, source=text))
        if "markup" in trig:
            got = _markup_view(text)
            if got is not None and got[0] != text:
                views.append(_View("markup", got[0], False, source=text, offsets=(got[1], got[2])))
        if "leet" in trig or (base is not text and re.search(r"[a-z][0134579@$|!][a-z]", base, re.I)):
            leet = base.translate(_LEET_TABLE)
            if leet != base:
                views.append(_View("leet", leet, True))
        if depth > 0:
            views += self._decoded_views(text, trig, depth)
        return views

    def _decoded_views(self, text: str, trig: set[str], depth: int) -> list[_View]:
        out: list[_View] = []
        budget = [max(4 * len(text), 4096)]

        def add(name: str, decoded: str, layer: str = ""):
            if not decoded or decoded == text or budget[0] <= 0:
                return
            decoded = decoded[: budget[0]]
            budget[0] -= len(decoded)
            out.append(_View(name, decoded, False, layer=layer))
            if depth > 1:  # nested layers and their folded forms
                sub_trig = self._triggers(decoded)
                for v in self._derived_views(decoded, sub_trig, depth - 1):
                    v.mapped = False
                    v.layer = v.layer or layer
                    out.append(v)

        if "jsu" in trig and _JSU.search(text):
            add("json_unescape", json_unescape(text))
        if "ent" in trig and _ENT.search(text):
            add("html_unescape", html.unescape(text))
        if "pct" in trig and _PCT.search(text):
            add("percent", unquote(text, errors="replace"))
        if "qp" in trig and _QP.search(text):
            add("quoted_printable", _qp(text))
        runs = 0
        if "[" in text and "bytes" in trig:
            for dec in byte_arrays(text):
                add("byte_array", dec, "bytes")
        if "b64" in trig:
            for m in _B64_RUN.finditer(text):
                if runs >= _MAX_DECODED_RUNS:
                    break
                run = m.group(0)[:_MAX_RUN]
                if _B32_ONLY.fullmatch(run) and not run.rstrip("=").isdigit():
                    dec = _b32(run)
                    if dec:
                        runs += 1
                        add("base32", dec, "base32")
                        continue
                dec = _b64(run)
                if dec:
                    runs += 1
                    add("base64", dec, "base64")
                elif _B58_RUN.fullmatch(run):
                    dec = base58_text(run)
                    if dec and _printable(dec):
                        runs += 1
                        add("base58", dec, "base58")
        if "hex" in trig:
            for m in _HEX_RUN.finditer(text):
                if runs >= _MAX_DECODED_RUNS:
                    break
                dec = _hex(m.group(0)[:_MAX_RUN])
                if dec:
                    runs += 1
                    add("hex", dec, "hex")
        return out

    def _triggers(self, text: str) -> set[str]:
        ids = self._pf.scan(text)[1]
        return {name for name, i in self._trig.items() if i in ids}

    # -- matching -------------------------------------------------------
    def _collect(self, view: _View, hits: list[_Hit], over: list[bool], agent: bool = False,
                 regions_of=None) -> set[str]:
        ends, trig_ids = self._pf.scan(view.text)
        trig = {name for name, i in self._trig.items() if i in trig_ids}
        text = view.text
        # where a hit could count as hidden (only the raw view's hits are judged so, by
        # region, attribute value or markdown title): known before confirming anything
        regions = regions_of(trig) if regions_of is not None else None
        needs = _NeedsGate(self, text, agent, regions) if any(
            self._meta[i][0] in self._parts for i in ends) else None
        for i in sorted(ends):
            if not self._on[i]:
                continue
            fam, w = self._meta[i]
            n = 0
            for a, b in self._confirm(i, text, ends[i], needs if fam in self._parts else None):
                if n >= _MAX_HITS_PER_PATTERN or len(hits) >= _MAX_HITS:
                    over.append(True)
                    break
                hits.append(_Hit(fam, w, view, a, b, i))
                n += 1
        return trig

    def _get_lead(self, i: int, wide: bool):
        leads = self._lead_wide if wide else self._lead
        got = leads[i]
        if type(got) is tuple:
            got = leads[i] = _lead_superset(got[0], got[1], wide=wide)
        return got

    def _confirm(self, i: int, text: str, ends: list[int] | None, needs: "_NeedsGate | None" = None):
        """Matches of pattern i, looked for in windows that end at the candidate ends
        (a match ends where hyperscan reported one). A candidate that does not confirm
        in the pattern's usual width gets a second, wide look, so long runs of spaces
        cannot push a match out of its window; too many of those and the whole view
        is searched instead."""
        rx = self._res[i]
        # the linear engine's \w and \s are ASCII: non-ASCII text takes the widened superset
        lead = self._get_lead(i, not text.isascii())
        from_lead = ends is None and lead is not None and len(text) > _SMALL_VIEW
        if from_lead:
            # too many prefilter candidates (a page about tokens names them often): the
            # superset's own matches, found by the linear engine, are the candidates
            ends = _lead_ends(lead, text)
        if ends is None or len(text) <= _SMALL_VIEW:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    yield m.start(), m.end()
            return
        back = self._width[i]
        lead_ends = ends if lead is not None and ends is not None and from_lead else \
            (_lead_ends(lead, text) if lead is not None else None)
        # a family built from parts: a required group whose parts are all absent from
        # every paragraph a match ending here could have cannot score, so skip confirming
        seen_to = retries = 0
        for e in ends:
            if e < seen_to:
                continue
            hi = min(len(text), e + 16)
            lo = max(0, e - back - 2, seen_to)
            if lead_ends is not None:   # no superset match ends near this candidate: nothing to confirm
                k = bisect.bisect_left(lead_ends, e - 64)
                if k == len(lead_ends) or lead_ends[k] > e + 16:
                    continue
            # a family built from parts: a required group none of whose parts can be in
            # the paragraph of a match ending here cannot score, so skip confirming
            if needs is not None and not needs.possible(self._meta[i][0], max(0, e - back - 402), e + 316, e):
                continue
            found = False
            for m in rx.finditer(text, lo, hi):
                if m.end() > m.start():
                    found = True
                    yield m.start(), m.end()
                    seen_to = m.end()
            wide = max(0, e - _WIDE_BACK, seen_to)
            if found or wide >= lo or self._narrow[i]:
                continue
            retries += 1
            if retries > _MAX_RETRIES:   # many candidates that do not confirm: one linear pass instead
                for m in rx.finditer(text, seen_to):
                    if m.end() > m.start():
                        yield m.start(), m.end()
                return
            for m in rx.finditer(text, wide, hi):
                if m.end() > m.start():
                    yield m.start(), m.end()
                    seen_to = m.end()

    # -- hidden text ----------------------------------------------------
    def _hidden_regions(self, text: str, trig: set[str]) -> list[tuple[int, int, str, str]]:
        """HTML comments, hidden elements and tag-character runs, in raw offsets. Linear:
        plain string search for comments, trigger words for elements, bounded bodies."""
        out: list[tuple[int, int, str, str]] = []
        if "comment" in trig:
            pos = 0
            while len(out) < 256:
                a = text.find("<!--", pos)
                if a == -1:
                    break
                b = text.find("-->", a + 4, a + 4 + _MAX_BODY)
                end = b + 3 if b != -1 else min(len(text), a + 4 + _MAX_BODY)
                out.append((a, end, "html_comment", text[a + 4:end - 3 if b != -1 else end]))
                pos = end
        if "css" in trig:
            low = text.lower()
            last_tag = covered = -1
            for n, m in enumerate(self._hidden_trigger.finditer(text)):
                if n >= 512 or len(out) >= 512:
                    break
                lt = low.rfind("<", max(0, m.start() - 800), m.start())
                if lt == -1 or lt <= last_tag or lt < covered or low.find(">", lt, m.start()) != -1:
                    continue  # no tag, same tag, or nested in a hidden element already taken whole
                gt = low.find(">", m.end(), m.end() + 800)
                tm = _TAG_NAME.match(low, lt)
                if gt == -1 or not tm:
                    continue
                last_tag = lt
                if not (self._hidden_tag.search(text, lt, gt + 1) or self._hidden_tag_more.search(text, lt, gt + 1)):
                    continue
                tag = tm.group(1)
                close = low.find("</" + tag, gt + 1, gt + 1 + _MAX_BODY)
                end = close if close != -1 else min(len(text), gt + 1 + _MAX_BODY)
                stop = low.find(">", end, end + 64) if close != -1 else -1
                out.append((lt, stop + 1 if stop != -1 else end, "css_hidden", text[gt + 1:end]))
                covered = out[-1][1]
        if "nonrender" in trig:
            out += _non_rendered(text)
        if not text.isascii() and ("invis" in trig or "exact" not in trig):
            for n, m in enumerate(_TAG_RUN.finditer(text)):
                if n >= 256:
                    break
                out.append((m.start(), m.end(), "tag_chars", m.group(0).translate(_SPACE_TABLE)))
        return out

    # -- scoring --------------------------------------------------------
    def _judge(self, text: str, hits: list[_Hit], regions, where: str, agent: bool = False) -> list[Finding]:
        findings: list[Finding] = []
        # hits inside hidden regions (raw offsets) get the hidden bonus: a region holds a hit
        # when it starts at or before it and ends at or after it (prefix maximum of ends)
        held = _RegionIndex(regions)
        for h in hits:
            if h.view.mapped and held:
                h.hidden = held.holds(h.start, h.end)
            if h.view.mapped and not h.hidden:   # an attribute value or a markdown title
                h.hidden = h.in_value = _in_attribute(text, h.start, h.end) or _in_md_title(text, h.start)
        # a raw match spelled with exotic spaces or invisibles is still an obfuscation: its
        # cleaned-up twin in the "spaced" view keeps the bonus for being hidden that way
        raw_keys = {(h.family, _norm_key(h.view.text[h.start:h.end])) for h in hits if h.view.name == "raw"
                    and (text.isascii() or not _INVIS_RE.search(text, h.start, h.end))}
        by_view: dict[int, list[_Hit]] = {}
        for h in hits:
            by_view.setdefault(id(h.view), []).append(h)
        for group in by_view.values():
            c = _Context(group[0].view.text, group)
            for h in group:
                h.score = self._score(h, c, raw_keys, agent)
        fired = [h for h in hits if h.score >= self.threshold]

        # hidden regions with directive language, or with any (even weak) family hit inside
        mapped = sorted((h.start, h.end) for h in hits if h.view.mapped and h.weight >= R.WEAK - 1e-9)
        mapped_starts = [a for a, _ in mapped]
        for a, b, kind, body in regions:
            k = bisect.bisect_left(mapped_starts, a)
            inside = False
            while k < len(mapped) and mapped[k][0] < b:
                if mapped[k][1] <= b:
                    inside = True
                    break
                k += 1
            if kind == "non_rendered" and not inside and not self._directive_ai.search(body):
                continue   # (<noscript>You need to enable JavaScript</noscript> is no directive)
            if kind != "tag_chars" and not inside and not self._hidden_directive.search(body):
                continue
            if kind == "tag_chars" and not inside and not self._hidden_directive.search(body):
                if not any(rx.search(body) for k, rx in enumerate(self._res) if self._on[k]):
                    continue
            findings.append(Finding("injection", R.HIDDEN.id, self._sev[R.HIDDEN.id],
                                    _excerpt(body, f"[{kind}] "), where, self.action, (a, b)))

        seen: set[tuple] = set()
        span_keys: set[tuple[str, str]] = set()
        for h in sorted(fired, key=lambda h: (not h.view.mapped, h.start)):
            matched = h.view.text[h.start:h.end]
            key = (h.family, _norm_key(matched))
            if h.view.mapped:
                span = _segment(text, h.start, h.end)
                if h.hidden and any(a <= span[0] and span[1] <= b for a, b, _, _ in regions):
                    span = next((a, b) for a, b, _, _ in regions if a <= h.start and h.end <= b)
                if (h.family, span) in seen:
                    continue
                seen.add((h.family, span))
                span_keys.add(key)
                prefix = "" if h.view.name == "raw" else f"[{h.view.name}] "
                findings.append(Finding("injection", h.family, self._sev[h.family], _excerpt(matched, prefix),
                                        where, self.action, span))
                continue
            span = None
            if h.view.name == "folded" and not h.view.layer and len(text) <= _MAP_LIMIT:
                span = _map_folded(h.view.source, h.start, h.end)
                if span is not None:
                    span = _segment(text, *span)
            elif h.view.offsets is not None and h.view.source is text:
                span = _segment(text, *_map_markup(h.view, h.start, h.end))
                if key not in span_keys and (h.family, span) not in seen:
                    span_keys.add(key)   # its decoded twin (entities) adds nothing strip cannot remove
                    seen.add((h.family, span))
                    findings.append(Finding("injection", h.family, self._sev[h.family],
                                            _excerpt(matched, "[markup] "), where, self.action, span))
                continue
            if key in span_keys or (span is not None and (h.family, span) in seen):
                continue
            rule = "encoded_payload" if h.view.layer else h.family
            if (rule, key[1], span) in seen:
                continue
            seen.add((rule, key[1], span))
            if span is not None:
                seen.add((h.family, span))
            prefix = f"[{h.view.layer or h.view.name}] "
            findings.append(Finding("injection", rule, self._sev.get(rule, "high"), _excerpt(matched, prefix),
                                    where, self.action, span))
        return findings

    def _score(self, h: _Hit, c: "_Context", raw_keys: set, agent: bool = False) -> float:
        t = h.view.text
        a, b = h.start, h.end
        m = t[a:b]
        a2 = a + (len(m) - len(m.lstrip()))
        s = h.weight
        parts = h.family in self._parts
        if parts:   # its parts stand in for the addressee and other-family bonuses below
            got = self._part_bonus(h, c, agent)
            if got is None:
                return 0.0
            s += got
        ss, se = _sentence(t, a2, b)
        ws, we = _window(t, a2, b)
        if h.view.offsets is not None:   # markup view: code tags and backticks are judged on the source
            o = _markup_pos(h.view, a2, False)
            code = _in_code(h.view.source, o)
            if code is not None:
                code = max(0, a2 - (o - code))
        else:
            code = c.in_code(a2)
        if code is not None:  # a code sample: the prose that introduces it counts as context too
            ws = max(0, min(ws, code - 300))
        discussed = True
        if c.search(self._discussion, ss, se, alone=True):
            s -= 0.6
        elif c.search(self._discussion, ws, ss) or c.search(self._discussion, se, we):
            s -= 0.35
        else:
            discussed = False
        if code is not None or ((_quoted(t, a2, b) or _inside_quote(t, a2, b)) and not h.in_value):
            s -= 0.45
        if h.family != "covert_action" and _NEG_BEFORE.search(t, max(0, a2 - 40), a2):
            s -= 0.7    # "never share your API keys": advice, not a directive
        if not parts and c.search(self._directive_ai, ss, se, alone=True):
            s += 0.3
        if self._directive_you.search(t, max(ws, a2 - 60), min(we, b + 80)):
            s += 0.2
        if c.search(self._urgent, max(0, ws), min(len(t), we)):
            s += 0.15
        ls = t.rfind("\n", 0, a2) + 1
        lead = t[ls:a2]
        if len(lead) <= 24 and (not lead.strip() or re.fullmatch(r"[\s>*#\-\[\]()<>!\w]{0,20}[:>\]]\s*", lead)) \
                and not (code is not None and discussed):  # every line of a quoted sample starts a line
            s += 0.15
        if h.hidden:
            s += 0.3
        if h.view.layer:
            s += 0.3
        elif h.view.name not in ("raw", "markup") and (h.family, _norm_key(m)) not in raw_keys:
            s += 0.25   # only visible after undoing an obfuscation
        if not parts and c.peer_near(h.family, a, 400):
            s += 0.3
        return s


    def _part_bonus(self, h: _Hit, c: "_Context", agent: bool) -> float | None:
        """Sum of the parts present around a hit of a family built from parts, or None
        when one of its `needs` groups has no part present."""
        parts, needs = self._parts[h.family]
        lo, hi = _paragraph(h.view.text, h.start, h.end)
        present = {"hidden"} if h.hidden else set()
        if agent:
            present.add("agent")
        text = h.view.text
        pre = self._part_pre
        rxs = {name: (rx if rx is not None and (pre.get(name) is None or pre[name].search(text[lo:hi]))
                      else None) for name, rx, _ in parts}
        for group in needs:   # the required groups first: most hits stop here, unaddressed
            if present.intersection(group):
                continue
            if not any(rxs.get(n) is not None and c.search(rxs[n], lo, hi) and not present.add(n) for n in group):
                return None
        bonus = 0.0
        for name, _rx, w in parts:
            rx = rxs.get(name)
            if name in present or (rx is not None and c.search(rx, lo, hi)):
                present.add(name)
                bonus += w
        return min(bonus, _MAX_PART_BONUS)


class _RegionIndex:
    """Hidden regions (raw offsets) by start, with the running maximum of their ends: a
    region holds [a, b] when it starts at or before a and ends at or after b."""

    def __init__(self, regions):
        reg = sorted((a, b) for a, b, _, _ in regions)
        self._starts = [a for a, _ in reg]
        self._maxend = list(itertools.accumulate((b for _, b in reg), max))

    def __bool__(self) -> bool:
        return bool(self._starts)

    def holds(self, a: int, b: int) -> bool:
        k = bisect.bisect_right(self._starts, a)
        return k > 0 and self._maxend[k - 1] >= b


_PARTS_DB: list = []
_PARTS_CAP = 1 << 16


def _parts_db(part_pre: dict):
    """(hyperscan database, part names) over the supersets of every part, or None."""
    if _PARTS_DB:   # (no lock: a background database build may hold it for seconds)
        return _PARTS_DB[0]
    got = None
    try:
        import hyperscan as hs
        names = sorted(n for n, rx in part_pre.items() if rx is not None)
        exprs = [_hs_pattern(rx.pattern[len("(?im)"):]) if rx.pattern.startswith("(?im)") else None
                 for n, rx in ((n, part_pre[n]) for n in names)]
        if names and all(exprs):
            base = hs.HS_FLAG_UTF8 | hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
            got = (_hs_compile(hs, exprs, list(range(len(names))), [base] * len(names)), names)
    except Exception:
        got = None
    with _DBS_LOCK:
        if not _PARTS_DB:
            _PARTS_DB.append(got)
        return _PARTS_DB[0]


def _parts_hs_ends(part_pre: dict, text: str) -> dict[str, list[int] | None] | None:
    """Every end of every part's superset in an ASCII text (hyperscan reports each end,
    a superset of the linear engine's non-overlapping matches), or None."""
    if not text.isascii():
        return None
    st = _parts_db(part_pre)
    if st is None:
        return None
    db, names = st
    ends: list[set[int]] = [set() for _ in names]
    count = [0]

    def on(i, _f, to, _fl, _c):
        ends[i].add(to)
        count[0] += 1
        return count[0] > _PARTS_CAP

    try:
        db.scan(_ascii_bytes(text), match_event_handler=on)
    except Exception:
        if count[0] <= _PARTS_CAP:
            return None
    if count[0] > _PARTS_CAP:
        return None
    return {n: sorted(e) for n, e in zip(names, ends)}


_GATE_ORDER: dict[tuple, list[tuple[str, ...]]] = {}


def _gate_order(needs: tuple) -> list[tuple[str, ...]]:
    """The cheap checks first: groups without "hidden", and "hidden" last in a group."""
    got = _GATE_ORDER.get(needs)
    if got is None:
        got = _GATE_ORDER[needs] = [tuple(sorted(g, key=lambda n: n == "hidden"))
                                    for g in sorted(needs, key=lambda g: "hidden" in g)]
    return got


class _NeedsGate:
    """Per view: can the required parts of a family built from parts be present around a
    candidate? Each part's linear superset is run once over the view (its match ends
    kept); hidden text is possible only in the raw view, inside a hidden region, an
    attribute value or a markdown link line. A superset answer: it never says no where
    the judge could say yes."""

    def __init__(self, sc: "InjectionScanner", text: str, agent: bool, regions):
        self.sc, self.t, self.agent, self.regions = sc, text, agent, regions
        self._ends: dict[str, list[int] | None] = {}
        self._held = _RegionIndex(regions or ())

    def _part_ends(self, name: str) -> list[int] | None:
        if name not in self._ends:
            got = _parts_hs_ends(self.sc._part_pre, self.t)   # every part in one pass (ASCII text)
            if got is not None:
                self._ends.update(got)
            if name not in self._ends:
                pre = self.sc._part_pre.get(name)
                self._ends[name] = None if pre is None else _lead_ends(pre, self.t)
        return self._ends[name]

    def _hidden(self, e: int) -> bool:
        if self.regions is None:
            return True   # not the raw view: do not judge it here
        t = self.t
        if self._held.holds(e - 1, e):
            return True
        if _in_attribute(t, max(0, e - 1), e):
            return True
        ls = t.rfind("\n", max(0, e - 2000), e) + 1
        line = t[ls:e]
        return "](" in line or line.lstrip().startswith("[")

    def possible(self, fam: str, lo: int, hi: int, e: int) -> bool:
        for group in _gate_order(self.sc._parts[fam][1]):
            ok = False
            for name in group:
                if name == "agent":
                    ok = self.agent
                elif name == "hidden":
                    ok = self._hidden(e)
                else:
                    got = self._part_ends(name)
                    if got is None:
                        ok = True     # no superset: cannot rule it out
                    else:
                        k = bisect.bisect_left(got, lo)
                        ok = k < len(got) and got[k] <= hi
                if ok:
                    break
            if not ok:
                return False
        return True


class _Context:
    """Per-view lookups shared by all hits scored in that view: context regex results
    per span (several hits share a sentence), code fences and <code>/<pre> positions,
    and strong hits by offset for the "another family nearby" bonus."""

    def __init__(self, text: str, hits: list[_Hit]):
        self.t = text
        self._memo: dict[tuple, bool] = {}
        self._marks: dict[str, list[int]] | None = None
        strong = sorted((p.start, p.family) for p in hits if p.weight >= 0.5)
        self._strong = strong
        self._strong_at = [a for a, _ in strong]

    def search(self, rx: re.Pattern, lo: int, hi: int, alone: bool = False) -> bool:
        """rx found in t[lo:hi]; `alone`: as a string of its own (nothing before lo is seen)."""
        key = (id(rx), lo, hi, alone)
        got = self._memo.get(key)
        if got is None:
            got = (rx.search(self.t[lo:hi]) if alone else rx.search(self.t, lo, hi)) is not None
            self._memo[key] = got
        return got

    def peer_near(self, family: str, a: int, dist: int) -> bool:
        k = bisect.bisect_left(self._strong_at, a - dist)
        while k < len(self._strong) and self._strong[k][0] <= a + dist:
            if self._strong[k][1] != family:
                return True
            k += 1
        return False

    def _positions(self) -> dict[str, list[int]]:
        if self._marks is None:
            t = self.t
            self._marks = {}
            for mark in ("```", "<code", "</code", "<pre", "</pre"):
                out, k = [], t.find(mark)
                while k != -1:
                    out.append(k)
                    k = t.find(mark, k + len(mark) if mark == "```" else k + 1)
                self._marks[mark] = out
        return self._marks

    def in_code(self, a: int) -> int | None:
        """Where the code span or block holding offset a opens, or None (see _in_code)."""
        t = self.t
        ls = t.rfind("\n", 0, a) + 1
        if t.count("`", ls, a) % 2 == 1:
            return t.rfind("`", ls, a)
        lo = max(0, a - 20000)
        pos = self._positions()
        fences = pos["```"]
        i, j = bisect.bisect_left(fences, lo), bisect.bisect_left(fences, a - 2)
        if (j - i) % 2 == 1:
            return fences[j - 1]
        for open_, close in (("<code", "</code"), ("<pre", "</pre")):
            opens = pos[open_]
            k = bisect.bisect_left(opens, a - len(open_) + 1) - 1
            if k >= 0 and opens[k] >= lo:
                o = opens[k]
                closes = pos[close]
                q = bisect.bisect_left(closes, a - len(close) + 1) - 1
                if not (q >= 0 and closes[q] >= o):
                    return o
        return None


# ---------------------------------------------------------------- helpers
def _max_width(p: str) -> int:
    """Longest likely match of p (open repeats counted as short runs): the window size for confirms."""
    q = re.sub(r"(?<!\\)\+", "{1,24}", re.sub(r"(?<!\\)\*", "{0,8}", p))
    try:
        w = _sre.parse(q, re.IGNORECASE).getwidth()[1]
    except Exception:
        return 1200
    return max(64, min(1200, int(w) + 16))
def _safe_chr(cp: int) -> str:
    if 0xD800 <= cp <= 0xDFFF:
        return "\ufffd"
    return chr(cp)


def _printable(s: str) -> bool:
    if len(s) < 8:
        return False
    good = sum(1 for c in s if c.isprintable() or c in "\n\r\t")
    return good >= 0.85 * len(s)


def _b64(run: str) -> str | None:
    s = run.rstrip("=")
    if len(s) < 16:
        return None
    alt = "-" in s or "_" in s
    if alt and ("+" in s or "/" in s):
        return None
    s += "=" * (-len(s) % 4)
    try:
        raw = base64.urlsafe_b64decode(s) if alt else base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _bytes_text(raw)


def _b32(run: str) -> str | None:
    s = run.rstrip("=").upper()
    if len(s) < 16:
        return None
    try:
        return _bytes_text(base64.b32decode(s + "=" * (-len(s) % 8)))
    except (binascii.Error, ValueError):
        return None


def _bytes_text(raw: bytes) -> str | None:
    """Decoded bytes as text: UTF-8, UTF-16, or gzip/zlib/deflate/brotli of text (bounded)."""
    got = bytes_to_text(raw)
    if got is None:
        return None
    return got[1] if _printable(got[1]) else None


def _qp(text: str) -> str:
    try:
        return quopri.decodestring(text.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return text


def _hex(run: str) -> str | None:
    s = run.replace("\\x", "")
    try:
        raw = bytes.fromhex(s)
    except ValueError:
        return None
    return _bytes_text(raw)


def _sentence(t: str, a: int, b: int) -> tuple[int, int]:
    lo = max(0, a - 300)
    s = lo
    for ch in ".!?\n。！？":
        k = t.rfind(ch, lo, a)
        if k + 1 > s:
            s = k + 1
    hi = min(len(t), b + 300)
    e = hi
    for ch in ".!?\n。！？":
        k = t.find(ch, b, hi)
        if k != -1 and k < e:
            e = k
    return s, e


def _window(t: str, a: int, b: int, before: int = 250, after: int = 150) -> tuple[int, int]:
    """[a, b] widened to its paragraph (blank lines), at most `before`/`after` chars."""
    lo = max(0, a - before)
    k = t.rfind("\n\n", lo, a)
    if k != -1:
        lo = k + 2
    hi = min(len(t), b + after)
    k = t.find("\n\n", b, hi)
    if k != -1:
        hi = k
    return lo, hi


def _non_rendered(text: str) -> list[tuple[int, int, str, str]]:
    """Elements never rendered as page text (<template>, <noscript>, SVG <desc>, JSON-LD
    structured data), in raw offsets, bodies bounded."""
    out: list[tuple[int, int, str, str]] = []
    low = text.lower()
    opens: list[tuple[int, str]] = []
    for name in M.NON_RENDERED:
        pos = 0
        while len(opens) < 256:
            a = low.find("<" + name, pos)
            if a == -1:
                break
            pos = a + 1
            if low[a + 1 + len(name):a + 2 + len(name)] in (">", " ", "\t", "\n", "\r", "/"):
                opens.append((a, name))
    pos = 0
    while len(opens) < 512:
        k = low.find(M.LD_JSON, pos)
        if k == -1:
            break
        pos = k + 1
        a = low.rfind("<script", max(0, k - 400), k)
        if a != -1 and low.find(">", a, k) == -1:
            opens.append((a, "script"))
    for a, name in opens:
        gt = low.find(">", a, a + 2000)
        if gt == -1:
            continue
        close = low.find("</" + name, gt + 1, gt + 1 + _MAX_BODY)
        end = close if close != -1 else min(len(text), gt + 1 + _MAX_BODY)
        stop = low.find(">", end, end + 64) if close != -1 else -1
        out.append((a, stop + 1 if stop != -1 else end, "non_rendered", text[gt + 1:end]))
    return out


def _in_attribute(t: str, a: int, b: int) -> bool:
    """t[a:b] lies inside an HTML start tag (an attribute value: alt, title, meta content,
    a hidden input's value ...), which a reader does not see as page text."""
    lo = max(0, a - 2000)
    lt = t.rfind("<", lo, a)
    if lt == -1 or t.rfind(">", lo, a) > lt or not t[lt + 1:lt + 2].isalpha():
        return False
    gt = t.find(">", b, b + 2000)
    return gt != -1 and t.find("<", b, gt) == -1


def _in_md_title(t: str, a: int) -> bool:
    """Offset a lies in the title of a markdown image, link or link reference definition."""
    ls = t.rfind("\n", max(0, a - 2000), a) + 1
    seg = t[ls:a]
    if "](" not in seg and not seg.lstrip().startswith("["):
        return False
    return M.MD_TITLE.search(seg) is not None


def _lead_ends(rx, text: str, chunk: int = 8192, overlap: int = 512) -> list[int]:
    """Ends of rx's matches, found chunk by chunk (overlapping): the RE2 binding maps each
    match back to character offsets from its subject's start, so a short subject keeps that
    linear. ASCII text is searched as bytes (the same matches, no offset mapping at all)."""
    ends: set[int] = set()
    pos = 0
    if text.isascii() and type(rx) is not re.Pattern:
        brx = _BYTES_RX.get(rx.pattern)
        if brx is None:
            brx = _BYTES_RX[rx.pattern] = _runs(rx.pattern.encode("utf-8"))
        data = text.encode("ascii")
        while pos < len(data):
            for m in brx.finditer(data[pos:pos + chunk + overlap]):
                ends.add(pos + m.end())
            pos += chunk
        return sorted(ends)
    while pos < len(text):
        for m in rx.finditer(text[pos:pos + chunk + overlap]):
            ends.add(pos + m.end())
        pos += chunk
    return sorted(ends)


_BYTES_RX: dict[str, object] = {}


def _paragraph(t: str, a: int, b: int) -> tuple[int, int]:
    """The hit's paragraph, bounded: where the parts of a family built from parts are looked for."""
    return _window(t, a, b, 400, 300)


def _quoted(t: str, a: int, b: int) -> bool:
    """The hit opens a quotation: it is being cited, not said."""
    before = t[max(0, a - 3):a].rstrip(" *_")
    if before and before[-1] in _QUOTES:
        return not _value_opener(t, a - (len(t[max(0, a - 3):a]) - len(before)) - 1)
    return False


_PAIRS = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}


def _inside_quote(t: str, a: int, b: int) -> bool:
    """The hit lies inside a quotation opened earlier in its line (a cited sample whose
    first words are another hit): an opener after a space or "(", its closer before the
    line ends, followed by a space or punctuation."""
    ls = max(t.rfind("\n", 0, a) + 1, a - 300)
    for q in range(a - 1, ls - 1, -1):
        ch = t[q]
        if ch not in _PAIRS or (ch in "'\u2019" and 0 < q < len(t) - 1 and t[q - 1].isalnum()
                                and t[q + 1].isalnum()):
            continue  # not a quote, or an apostrophe inside a word
        if q > 0 and not (t[q - 1].isspace() or t[q - 1] in "(:[") or _value_opener(t, q):
            return False
        le = t.find("\n", b)
        end = t.find(_PAIRS[ch], b, min(le if le >= 0 else len(t), b + 300))
        while end >= 0 and end + 1 < len(t) and t[end + 1].isalnum():  # an apostrophe in a word
            end = t.find(_PAIRS[ch], end + 1, min(le if le >= 0 else len(t), b + 300))
        return end >= 0
    return False


# `ai_note: "..."` at a line start (lower-case key) or `content: "..."` in CSS: a data value
_KEY_LINE = re.compile(r"[ \t]*(?:- )?[a-z_][a-z0-9_.-]{0,40}\s*:\s*")
_CSS_CONTENT = re.compile(r"(?:^|[{;\s])content\s*:$")


def _value_opener(t: str, q: int) -> bool:
    """The quote at q opens a data value (an HTML attribute `x="`, a JSON value `"k": "`
    or array item `["`), not a citation in prose: what it holds is said, not quoted."""
    pre = t[max(0, q - 40):q].rstrip()
    if not pre:
        return False
    if pre[-1] in "=[{":
        return True
    if pre[-1] == ":" and pre[:-1].rstrip()[-1:] in ('"', "'"):
        return True
    if pre[-1] == ":" and (_CSS_CONTENT.search(pre) or _KEY_LINE.fullmatch(t, t.rfind("\n", 0, q) + 1, q)):
        return True   # a CSS `content:` value or a lower-case YAML key at a line start
    return pre[-1] == "," and pre[:-1].rstrip()[-1:] in ('"', "'", "]", "}")


def _in_code(t: str, a: int) -> int | None:
    """Where the code span or block holding offset a opens, or None."""
    ls = t.rfind("\n", 0, a) + 1
    if t.count("`", ls, a) % 2 == 1:
        return t.rfind("`", ls, a)
    lo = max(0, a - 20000)
    if t.count("```", lo, a) % 2 == 1:
        return t.rfind("```", lo, a)
    for open_, close in (("<code", "</code"), ("<pre", "</pre")):
        o = t.rfind(open_, lo, a)
        if o != -1 and t.rfind(close, o, a) == -1:
            return o
    return None


def _segment(text: str, a: int, b: int) -> tuple[int, int]:
    """Widen a hit to what a reader sees as one unit: its line, HTML text node or JSON string."""
    lo = max(0, a - 4000)
    hi = min(len(text), b + 4000)
    jsonish = text[:64].lstrip()[:1] in ("{", "[")
    s = lo
    for ch in ("\n", ">"):
        k = text.rfind(ch, lo, a)
        if k + 1 > s:
            s = k + 1
    k = text.rfind("<", lo, a)
    if k >= s:
        s = k
    if jsonish:
        k = a
        while True:
            k = text.rfind('"', s, k)
            if k == -1:
                break
            if k == 0 or text[k - 1] != "\\":
                s = k + 1
                break
    e = hi
    for ch in ("\n", "<"):
        k = text.find(ch, b, hi)
        if k != -1 and k < e:
            e = k
    k = text.find(">", b, hi)
    if k != -1 and k < e:
        e = k + 1
    if jsonish:
        k = b
        while True:
            k = text.find('"', k, e)
            if k == -1:
                break
            if text[k - 1] != "\\":
                e = k
                break
            k += 1
    if s > a:
        s = a
    if e < b:
        e = b
    return s, e


def _map_folded(source: str, a: int, b: int) -> tuple[int, int] | None:
    """Offsets in the folded view -> offsets in the source, by folding char by char."""
    pos = 0
    start = None
    for i, c in enumerate(source):
        if _DROP_RE.match(c):
            continue
        n = len(unicodedata.normalize("NFKC", c))
        if start is None and pos + n > a:
            start = i
        pos += n
        if start is not None and pos >= b:
            return start, i + 1
    return (start, len(source)) if start is not None else None
