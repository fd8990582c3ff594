"""Normalized text views for matching. Pure functions of str, linear time.

    fold(text) -> str          the primary matching view (see below)
    fold_spaced(text) -> str   like fold, but invisible characters become a space
    decode_tags(text) -> str|None   Unicode tag characters (U+E0020-E007E) replaced by
                               the ASCII they encode; None when there are none
    leet(text) -> str          lowercase + leetspeak digits/symbols to letters
    nfkc(text, around=None), bare(text)   (text/forms.py, light to import: the one NFKC and
                               NFKD call of every scanner)

fold:
1. C0/C1 controls are dropped, except \\t \\n \\r (kept) and the whitespace controls
   \\v \\f \\x1c-\\x1f (-> ' ') and NEL U+0085 (-> '\\n'), so words never get glued.
2. Invisible characters (format chars Cf: zero-width, bidi controls, BOM, tags; variation
   selectors; Hangul fillers; CGJ; Mongolian FVS) are dropped.
3. Exotic spaces (Zs, U+2800 Braille blank) -> ' ', line/paragraph separators -> '\\n'.
4. NFKC (fullwidth, mathematical alphanumerics, circled letters, ligatures, superscripts),
   then Latin/Greek/Cyrillic diacritics are removed (é -> e, plus any leftover mark from
   U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F). Other marks
   (Japanese dakuten, Indic vowel signs) are kept, so CJK and Indic text survive intact.
5. Letters without a decomposition are folded by name: small capitals, letters "with
   stroke/hook/...", negative circled/squared and regional-indicator letters.
6. Homoglyphs from Cyrillic, Greek and Armenian are folded to ASCII only inside tokens
   (runs of non-space) that already contain an ASCII letter (`c\u0430t`, `/етс/passwd`),
   or that mix letters of several scripts.
   Ordinary Russian/Greek/Armenian words keep their letters (so a word spelled wholly
   in one non-Latin script, like Cyrillic "рау", is deliberately NOT folded to "pay").

The confusable table is built here from unicodedata names and a short hand list of
well-known look-alikes; no third-party data is vendored. ASCII input takes a fast path
(one C-level translate). All functions are O(n) and never raise on any str.
"""
from __future__ import annotations

import array
import re
import sys
import threading
import unicodedata

import regex

from .chars import DASHES, HOMO, INVISIBLE, LEET_READINGS, cp_class, leet_table
from .forms import bare, nfkc  # noqa: F401  (re-exported)

# ---- tables ------------------------------------------------------------------------

_KEEP = {0x09, 0x0A, 0x0D}
_SPACE_CTRL = {0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F}


def _control_map(spaced: bool) -> dict[int, str | None]:
    m: dict[int, str | None] = {}
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        if cp in _KEEP:
            continue
        m[cp] = " " if (cp in _SPACE_CTRL or spaced) else None
    m[0x85] = "\n"
    return m


_ASCII_FOLD = {k: v for k, v in _control_map(False).items() if k < 0x80}
_ASCII_SPACED = {k: v for k, v in _control_map(True).items() if k < 0x80}


# Table building scans code points with `regex` property classes (C speed) so that
# importing this module stays cheap.
def _chars(*ranges: tuple[int, int]) -> str:
    cps = array.array("I")
    for a, b in ranges:
        cps.extend(range(a, b))
    return cps.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")


def all_chars() -> str:
    """Every code point past ASCII that fold may meet (no surrogates, no private planes)."""
    return _chars((0x80, 0xD800), (0xE000, 0x30000), (0xE0000, 0xE0080))


def _name_blocks() -> str:
    """Where letters without a decomposition that read as Latin letters live."""
    return _chars((0x100, 0x2B0), (0x1D00, 0x1DC0), (0x1E00, 0x1F00), (0x2460, 0x2500),
                  (0x2776, 0x2794), (0x2C60, 0x2C80), (0xA720, 0xA800), (0xAB30, 0xAB70),
                  (0x1DF00, 0x1E000), (0x1F100, 0x1F200))


def _invisibles(all_: str) -> set[int]:
    """text/chars.INVISIBLE and every other format character (\\p{Cf})."""
    return {ord(c) for c in regex.findall(r"\p{Cf}", all_)} | {ord(c) for c in INVISIBLE}


_NAME_RULES = (
    (re.compile(r"^LATIN LETTER SMALL CAPITAL ([A-Z])$"), lambda g: g.lower()),
    (re.compile(r"^LATIN (SMALL|CAPITAL) LETTER ([A-Z]) WITH .*$"), None),
    (re.compile(r"^NEGATIVE (?:CIRCLED|SQUARED) LATIN CAPITAL LETTER ([A-Z])$"), lambda g: g),
    (re.compile(r"^(?:SQUARED|CIRCLED) LATIN CAPITAL LETTER ([A-Z])$"), lambda g: g),
    (re.compile(r"^REGIONAL INDICATOR SYMBOL LETTER ([A-Z])$"), lambda g: g),
    (re.compile(r"^PARENTHESIZED LATIN SMALL LETTER ([A-Z])$"), lambda g: g.lower()),
    (re.compile(r"^DINGBAT NEGATIVE CIRCLED (?:SANS-SERIF )?DIGIT (ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE)$"), None),
)
_DIGITS = {"ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4", "FIVE": "5", "SIX": "6",
           "SEVEN": "7", "EIGHT": "8", "NINE": "9"}


def _by_name() -> dict[int, str]:
    """Letters that NFKC leaves alone but that read as an ASCII letter."""
    m: dict[int, str] = {}
    for ch in _name_blocks():
        cp = ord(ch)
        if unicodedata.decomposition(ch):
            continue  # NFKC already handles anything with a decomposition
        name = unicodedata.name(ch, "")
        if not name:
            continue
        for rx, fn in _NAME_RULES:
            mo = rx.match(name)
            if not mo:
                continue
            if rx.pattern.startswith("^LATIN (SMALL"):
                letter = mo.group(2)
                m[cp] = letter.lower() if mo.group(1) == "SMALL" else letter
            elif rx.pattern.startswith("^DINGBAT"):
                m[cp] = _DIGITS[mo.group(1)]
            else:
                m[cp] = fn(mo.group(1))
            break
    return m


_COMBINING = [(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F)]
_DROP_COMB = {cp: None for a, b in _COMBINING for cp in range(a, b + 1)}
_HOMO = dict(HOMO)  # single code point look-alikes (text/chars.py)


def _strip_table() -> dict[int, str | None]:
    t: dict[int, str | None] = dict(_DROP_COMB)
    for cp in list(range(0xC0, 0x2B0)) + list(range(0x370, 0x530)) + list(range(0x1E00, 0x2000)):
        d = unicodedata.normalize("NFD", chr(cp))
        if len(d) > 1 and any(ord(c) in _DROP_COMB for c in d):
            t[cp] = unicodedata.normalize("NFC", "".join(c for c in d if ord(c) not in _DROP_COMB))
    return t


def _derive() -> dict:
    """The tables that take a pass over every code point (~20 ms at each start-up)."""
    all_ = all_chars()
    return {"invis": sorted(_invisibles(all_)), "strip": sorted(_strip_table().items()),
            "named": sorted(_by_name().items()),
            "zs": [ord(c) for c in regex.findall(r"\p{Zs}", all_)],
            "zlp": [ord(c) for c in regex.findall(r"[\p{Zl}\p{Zp}]", all_)]}


def _derived() -> dict:
    """_derive()'s tables, from the pattern cache (match/hscache) when there, keyed by
    this module's and text/chars.py's source and the Unicode versions they read."""
    try:
        import hashlib
        import os

        from ..match.hscache import cached_json
        h = hashlib.sha256()
        for name in ("normalize.py", "chars.py"):
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "rb") as f:
                h.update(f.read() + b"\0")
        got = cached_json("text-normalize", [h.hexdigest(), unicodedata.unidata_version,
                                             getattr(regex, "__version__", "?")], _derive)
        if isinstance(got, dict) and set(got) == {"invis", "strip", "named", "zs", "zlp"}:
            return got
    except Exception:
        pass
    return _derive()


_TABLES = _derived()
_INVIS = set(_TABLES["invis"])
_ZS, _ZLP = _TABLES["zs"], _TABLES["zlp"]
_STRIP: dict[int, str | None] = {int(k): v for k, v in _TABLES["strip"]}
_NAMED: dict[int, str] = {int(k): v for k, v in _TABLES["named"]}
del _TABLES


def _pre_table(spaced: bool) -> dict[int, str | None]:
    t: dict[int, str | None] = dict(_control_map(spaced))
    for cp in _INVIS:
        t[cp] = " " if spaced else None
    for cp in _ZS:
        t[cp] = " "
    for cp in _ZLP:
        t[cp] = "\n"
    t[0x2800] = " "
    t.update(_NAMED)
    return t


_PRE = _pre_table(False)
_PRE_SPACED = _pre_table(True)
# Words that may need homoglyph folding: any run of word chars holding one.
_HOMO_CLASS = "".join(sorted({re.escape(chr(c)) for c in _HOMO}))
# Tokens (runs of non-space) that hold a homoglyph AND an ASCII letter, or letters of
# two of Greek/Cyrillic/Armenian. Anchored at token starts by the look-behind, and the
# look-aheads run in C, so single-script prose costs a few scans per token: O(n).
_GR, _CY, _AR = r"[\u0370-\u03ff]", r"[\u0400-\u052f]", r"[\u0530-\u058f]"
_MIXED_TOKEN = re.compile(
    r"(?<!\S)(?:(?=\S*[A-Za-z])"
    rf"|(?=\S*{_GR})(?=\S*{_CY})|(?=\S*{_GR})(?=\S*{_AR})|(?=\S*{_CY})(?=\S*{_AR}))"
    r"(?=\S*[" + _HOMO_CLASS + r"])\S+")


def _fold_token(m: re.Match) -> str:
    return m.group(0).translate(_HOMO)


try:
    import re2 as _re2
except Exception:  # pragma: no cover - optional speed-up
    _re2 = None


class _Runs:
    """Runs of a set of code points. Presence is checked with RE2 when installed (a DFA:
    ~10 ms/MB where stdlib `re` needs ~60 ms/MB); replacement uses stdlib `re`, which
    only runs when something is there to replace."""

    def __init__(self, cps):
        self._cps = cps
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        """rx and search: compiled on first use (start-up time), once."""
        if name not in ("rx", "search"):
            raise AttributeError(name)
        with self._lock:
            if "search" not in self.__dict__:
                self._compile(self._cps)
        return self.__dict__[name]

    def _compile(self, cps) -> None:
        cps = list(cps)
        rx = re.compile("[" + cp_class(cps, "\\U%08x") + "]+")
        search = rx.search
        if _re2 is not None:
            opts = _re2.Options()
            opts.log_errors = False
            r = _re2.compile("[" + cp_class(cps) + "]", opts)
            search = lambda s: r.search(s) if not _has_surrogate(s) else rx.search(s)  # noqa: E731
        self.rx = rx
        self.search = search   # last: its presence says both are set

    def translate(self, s: str, table: dict) -> str:
        if self.search(s) is None:
            return s
        return self.rx.sub(lambda m: m.group(0).translate(table), s)

    def delete(self, s: str) -> str:
        if self.search(s) is None:
            return s
        return self.rx.sub("", s)




def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


_PRE_RUNS = _Runs(_PRE)
_PRE_SPACED_RUNS = _Runs(_PRE_SPACED)
_STRIP_RUNS = _Runs(_STRIP)
_NAMED_RUNS = _Runs(_NAMED)
_HOMO_ANY = _Runs(_HOMO)
_ANY_ASCII_LETTER = re.compile(r"[A-Za-z]")
_SCRIPTS = (re.compile(_GR), re.compile(_CY), re.compile(_AR))


def _fold_slow(text: str, spaced: bool) -> str:
    """The reference pipeline: PRE, NFKC, STRIP, NAMED, then mixed-token homoglyphs.
    The fast path below must give exactly this result."""
    s = _chars_fold(text, spaced)
    return _homo_fold(s)


def _chars_fold(text: str, spaced: bool) -> str:
    """Steps 1-5 (per character except NFKC, which only looks at neighbours)."""
    if spaced:
        s = _PRE_SPACED_RUNS.translate(text, _PRE_SPACED)
    else:
        s = _PRE_RUNS.translate(text, _PRE)
    if s.isascii():
        return s
    s = nfkc(s)
    # Strip diacritics from composed Latin/Greek/Cyrillic letters via a table (NFD + NFC
    # over the whole text costs ~0.3 s/MB on kana), and drop leftover combining marks.
    s = _STRIP_RUNS.translate(s, _STRIP)
    if s.isascii():
        return s
    return _NAMED_RUNS.translate(s, _NAMED)  # NFKC output can be a no-decomposition letter


def _homo_fold(s: str) -> str:
    """Step 6: homoglyphs folded inside mixed tokens."""
    if s.isascii() or _HOMO_ANY.search(s) is None:
        return s
    if _ANY_ASCII_LETTER.search(s) is None and sum(1 for rx in _SCRIPTS if rx.search(s)) < 2:
        return s  # single non-Latin script, no Latin letters: nothing can be mixed
    return _MIXED_TOKEN.sub(_fold_token, s)


def _fold(text: str, spaced: bool) -> str:
    if not isinstance(text, str):
        raise TypeError("fold takes str")
    if text.isascii():
        return text.translate(_ASCII_SPACED if spaced else _ASCII_FOLD)
    got = _fast.fast_pair(text, (spaced,))
    if got is not None:
        return got[0]
    return _fold_slow(text, spaced)


def fold_pair(text: str) -> tuple[str, str]:
    """(fold(text), fold_spaced(text)) in one pass over the text."""
    if not isinstance(text, str):
        raise TypeError("fold takes str")
    if text.isascii():
        return text.translate(_ASCII_FOLD), text.translate(_ASCII_SPACED)
    got = _fast.fast_pair(text, (False, True))
    if got is not None:
        return got[0], got[1]
    return _fold_slow(text, False), _fold_slow(text, True)


def fold(text: str) -> str:
    """The primary matching view (see module docstring)."""
    return _fold(text, False)


def fold_spaced(text: str) -> str:
    """Like fold, but invisible characters and controls become ' ' (catches words glued
    with zero-width characters: 'ignore\\u200bprevious' -> 'ignore previous')."""
    return _fold(text, True)


_TAG_RE = re.compile("[\U000E0000-\U000E007F]")
_TAG_MAP = {cp: (chr(cp - 0xE0000) if 0xE0020 <= cp <= 0xE007E else None) for cp in range(0xE0000, 0xE0080)}


def decode_tags(text: str) -> str | None:
    """Tag characters replaced in place by the ASCII they encode (language tag and
    cancel tag dropped). None when the text has no tag characters."""
    if text.isascii():
        return None
    # Tag characters are U+E0000-E007F: UTF-8 F3 A0 80 xx / F3 A0 81 xx. A byte search
    # is far cheaper than a regex over non-ASCII text.
    data = text.encode("utf-8", "surrogatepass")
    if b"\xf3\xa0\x80" not in data and b"\xf3\xa0\x81" not in data:
        return None
    if not _TAG_RE.search(text):
        return None
    return text.translate(_TAG_MAP)


_LEETS = tuple(leet_table(r) for r in range(LEET_READINGS))
_LEET = _LEETS[1]  # '|' read as l
_LEET_BYTES = tuple(bytes.maketrans(bytes(k for k in t if k < 128), bytes(t[k] for k in t if k < 128)) for t in _LEETS)


def leet(text: str, reading: int = 1) -> str:
    """Lowercased, with leetspeak digits and symbols read as letters (text/chars.py LEET:
    0 o, 1 i, 3 e, 4 a, 5 s, 7 t, 8 b, 9 g, @ a, $ s, ! i, + t, € e; '|' reads as l, or as
    i with reading=0)."""
    low = text.lower()
    if low.isascii():
        return low.translate(_LEETS[reading])
    # Non-ASCII str.translate looks every character up in a dict; every key but the
    # euro sign is ASCII, so translate the UTF-8 bytes instead (same result).
    b = low.encode("utf-8", "surrogatepass").translate(_LEET_BYTES[reading])
    return b.decode("utf-8", "surrogatepass").replace("\u20ac", "e")


# ---- the secret view ------------------------------------------------------------------
# Secrets are ASCII tokens: every look-alike is folded wherever it stands (no word rule
# as in fold), controls and invisibles are dropped, dashes become '-'.
_SECRET_DROP = {cp: None for cp in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]}
_SECRET_DROP.update({cp: None for cp in _INVIS})
_SECRET_FOLD = dict(_SECRET_DROP)
_SECRET_FOLD.update(_HOMO)
_SECRET_FOLD.update(dict.fromkeys(map(ord, DASHES), "-"))
_CTRL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


# Non-ASCII characters with at most 64 ASCII ones between them: one stretch, widened to
# cut points (_cut_before). Dense non-ASCII text is folded whole.
_NON_ASCII_CLUSTER = re.compile(r"[^\x00-\x7f](?:[\x00-\x7f]{0,64}[^\x00-\x7f])*")


def _cut_before(text: str, i: int) -> bool:
    """Folding can cut text before i: a printable ASCII character followed by ASCII (or
    the end). It survives the drop table, has no mark after it to compose with, and no
    normalization step joins anything across it (an ASCII starter never combines
    backwards), so the two sides fold on their own."""
    return i >= len(text) or (" " <= text[i] <= "~" and (i + 1 == len(text) or text[i + 1] < "\x80"))


def _secret_ascii(text: str) -> str:
    b = text.encode("ascii")
    cut = b.translate(None, _CTRL_BYTES)
    return text if len(cut) == len(b) else cut.decode("ascii")


def _secret_stretch(text: str) -> str:
    t = nfkc(text, _SECRET_FOLD)
    if not t.isascii():
        t = unicodedata.normalize("NFD", t)
        marks = [c for c in set(t) if unicodedata.combining(c)]
        if marks:
            t = re.sub("[" + "".join(map(re.escape, marks)) + "]", "", t)
        t = unicodedata.normalize("NFC", t)
    return t


def fold_secret(text: str) -> str:
    """The view secrets are matched in: invisible and control characters removed, NFKC,
    every Cyrillic/Greek/Armenian look-alike folded to ASCII, dashes to '-', combining
    marks dropped. ASCII text without controls comes back as it is. Where non-ASCII
    characters are sparse, only the stretches around them take the Unicode steps."""
    if text.isascii():
        return _secret_ascii(text)
    if len(text.encode("utf-8", "surrogatepass")) - len(text) > len(text) // 16:
        return _secret_stretch(text)
    out, pos = [], 0
    for m in _NON_ASCII_CLUSTER.finditer(text):
        a, b = m.span()
        if b <= pos:   # taken whole by the stretch before (only controls between)
            continue
        a = max(a - 1, pos)
        while a > pos and not _cut_before(text, a):
            a -= 1
        while not _cut_before(text, b):
            b += 1
        if a > pos:
            out.append(_secret_ascii(text[pos:a]))
        out.append(_secret_stretch(text[a:b]))
        pos = b
    if pos < len(text):
        out.append(_secret_ascii(text[pos:]))
    return "".join(out)


from . import _fast  # noqa: E402  (uses the tables above)

__all__ = ["bare", "fold", "fold_spaced", "fold_pair", "fold_secret", "decode_tags", "leet", "nfkc"]


def fold_tables():
    """The fast fold tables (None when unavailable), for scanners that build
    their own prefilter over the characters folding touches."""
    return _fast._get()
