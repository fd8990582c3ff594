"""Where a hit sits: its sentence, window, paragraph or code span, whether it is quoted, in an
attribute, a markdown title or a non-rendered region, and the gate that skips parts-built
families whose parts cannot all be present.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...rules import injection as R
from ...rules import injection_markup as M
from .prefilter import candidate_ends, parts_hs_ends
from .views import View

if TYPE_CHECKING:
    from .scanner import InjectionScanner

MAX_BODY = 20000            # longest hidden comment or element body looked at
TAG_NAME = re.compile(r"<([a-z][a-z0-9]{0,15})\b")


NEG_BEFORE = re.compile(R.ADVICE_BEFORE, re.I)
_QUOTES = set("\"'`“”‘’«»„「」『』")


@dataclass
class Hit:
    family: str
    weight: float
    view: View
    start: int
    end: int
    pattern: int
    hidden: bool = False
    in_value: bool = False        # in an attribute value or markdown title: its quote is a delimiter
    score: float = 0.0


class RegionIndex:
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


_GATE_ORDER: dict[tuple, list[tuple[str, ...]]] = {}


def _gate_order(needs: tuple) -> list[tuple[str, ...]]:
    """The cheap checks first: groups without "hidden", and "hidden" last in a group."""
    got = _GATE_ORDER.get(needs)
    if got is None:
        got = _GATE_ORDER[needs] = [tuple(sorted(g, key=lambda n: n == "hidden"))
                                    for g in sorted(needs, key=lambda g: "hidden" in g)]
    return got


class NeedsGate:
    """Per view: can the required parts of a family built from parts be present around a
    candidate? Each part's linear superset is run once over the view (its match ends
    kept); hidden text is possible only in the raw view, inside a hidden region, an
    attribute value or a markdown link line. A superset answer: it never says no where
    the judge could say yes."""

    def __init__(self, sc: "InjectionScanner", text: str, agent: bool, regions):
        self.sc, self.t, self.agent, self.regions = sc, text, agent, regions
        self._ends: dict[str, list[int] | None] = {}
        self._held = RegionIndex(regions or ())

    def _part_ends(self, name: str) -> list[int] | None:
        if name not in self._ends:
            got = parts_hs_ends(self.sc._part_pre, self.t)   # every part in one pass (ASCII text)
            if got is not None:
                self._ends.update(got)
            if name not in self._ends:
                pre = self.sc._part_pre.get(name)
                self._ends[name] = None if pre is None else candidate_ends(pre, self.t)
        return self._ends[name]

    def _hidden(self, e: int) -> bool:
        if self.regions is None:
            return True   # not the raw view: do not judge it here
        t = self.t
        if self._held.holds(e - 1, e):
            return True
        if in_attribute(t, max(0, e - 1), e):
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


class HitContext:
    """Per-view lookups shared by all hits scored in that view: context regex results
    per span (several hits share a sentence), code fences and <code>/<pre> positions,
    and strong hits by offset for the "another family nearby" bonus."""

    def __init__(self, text: str, hits: list[Hit]):
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
        """Where the code span or block holding offset a opens, or None (see code_span_at)."""
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


# A sentence ends at ! ? a line break or CJK stops, and at a "." before a space, a tag or a
# closing mark that is not an abbreviation
# ("e.g. <q>...</q>", "i.e.", "cf.", "vs.", "Dr."): a cited example stays in the
# sentence that introduces it.
_SENTENCE_END = re.compile(r"(?<![A-Za-z]\.[A-Za-z])(?<!\b(?:cf|vs|Dr|Mr|Ms|St|no|No))(?<!\betc)(?<!\bMrs)(?<!\bapprox)"
                           r"[.](?=[\s<\"'”’)\]*_]|$)|[!?\n。！？]")


def sentence_span(t: str, a: int, b: int) -> tuple[int, int]:
    lo = max(0, a - 300)
    s = lo
    for m in _SENTENCE_END.finditer(t, lo, a):
        s = m.end()
    hi = min(len(t), b + 300)
    m = _SENTENCE_END.search(t, b, hi)
    return s, (m.start() if m else hi)


def window_span(t: str, a: int, b: int, before: int = 250, after: int = 150) -> tuple[int, int]:
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


def non_rendered_regions(text: str) -> list[tuple[int, int, str, str]]:
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
        close = low.find("</" + name, gt + 1, gt + 1 + MAX_BODY)
        end = close if close != -1 else min(len(text), gt + 1 + MAX_BODY)
        stop = low.find(">", end, end + 64) if close != -1 else -1
        out.append((a, stop + 1 if stop != -1 else end, "non_rendered", text[gt + 1:end]))
    return out


def in_attribute(t: str, a: int, b: int) -> bool:
    """t[a:b] lies inside an HTML start tag (an attribute value: alt, title, meta content,
    a hidden input's value ...), which a reader does not see as page text."""
    lo = max(0, a - 2000)
    lt = t.rfind("<", lo, a)
    if lt == -1 or t.rfind(">", lo, a) > lt or not t[lt + 1:lt + 2].isalpha():
        return False
    gt = t.find(">", b, b + 2000)
    return gt != -1 and t.find("<", b, gt) == -1


def in_md_title(t: str, a: int) -> bool:
    """Offset a lies in the title of a markdown image, link or link reference definition."""
    ls = t.rfind("\n", max(0, a - 2000), a) + 1
    seg = t[ls:a]
    if "](" not in seg and not seg.lstrip().startswith("["):
        return False
    return M.MD_TITLE.search(seg) is not None


def paragraph_span(t: str, a: int, b: int) -> tuple[int, int]:
    """The hit's paragraph, bounded: where the parts of a family built from parts are looked for."""
    return window_span(t, a, b, 400, 300)


_Q_OPEN = re.compile(r"<q(?:\s[^<>]{0,200})?>\s*$", re.I)


def is_quoted(t: str, a: int, b: int) -> bool:
    """The hit opens a quotation: it is being cited, not said (a quote mark, or HTML's <q>)."""
    if t[max(0, a - 1):a] == ">" and _Q_OPEN.search(t, max(0, a - 220), a):
        return True
    before = t[max(0, a - 3):a].rstrip(" *_")
    if before and before[-1] in _QUOTES:
        return not _value_opener(t, a - (len(t[max(0, a - 3):a]) - len(before)) - 1)
    return False


_PAIRS = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}


def inside_quote(t: str, a: int, b: int) -> bool:
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
# `msgstr "..."` (gettext), `title "..."`: a lower-case key, a space, then a value that
# fills the rest of its line (a prose citation starts with a capital or goes on after it)
_KEY_SPACE_LINE = re.compile(r"[ \t]*[a-z_][a-z0-9_.\[\]-]{0,40}[ \t]+")


def _fills_line(t: str, q: int) -> bool:
    le = t.find("\n", q + 1)
    rest = t[q + 1:le if le >= 0 else len(t)].rstrip().rstrip(",;)")
    return len(rest) > 1 and rest[-1] == _PAIRS.get(t[q], t[q])


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
    if pre[-1] == "(" and len(pre) > 1 and (pre[-2].isalnum() or pre[-2] in "_$.") and pre[-1] == t[q - 1]:
        return True   # a call's string argument: log("..."), _("...")
    if _KEY_SPACE_LINE.fullmatch(t, t.rfind("\n", 0, q) + 1, q) and _fills_line(t, q):
        return True
    return pre[-1] == "," and pre[:-1].rstrip()[-1:] in ('"', "'", "]", "}")


def code_span_at(t: str, a: int) -> int | None:
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


def segment(text: str, a: int, b: int) -> tuple[int, int]:
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
