"""The views a text is matched in besides the raw one: invisibles as spaces, confusables
folded, NFKC (see fold), markup stripped, leetspeak, and decoded layers (JSON \\u escapes,
HTML entities, percent, quoted-printable, byte arrays, base64/32/58, hex), nested to a depth.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from dataclasses import dataclass

from ...text import exotic
from ...text.blobs import decode_named, delimited_hex, hex_bytes, qp, text_of
from ...text.forms import nfkc
from ...text.percent import percent_decode
from ...text.unpack import byte_arrays, json_unescape
from .chars import compile_runs, DROP_RE, HOMO_TABLE, INVIS_RE, LEET_TABLES, MIXED_RE, mixed_extra, SPACE_TABLE
from .fold import nfkc_dropped

_MAX_DECODED_RUNS = 64
_MAX_RUN = 64 * 1024


_B64_RUN = compile_runs(r"[A-Za-z0-9+/_-]{20,}={0,2}")
_HEX_RUN = compile_runs(r"(?:[0-9a-fA-F]{2}){12,}|(?:\\x[0-9a-fA-F]{2}){6,}")
_PCT = re.compile(r"%[0-9A-Fa-f]{2}[^%\s]{0,12}%[0-9A-Fa-f]{2}[^%\s]{0,12}%[0-9A-Fa-f]{2}")
_ENT = re.compile(r"&(?:amp;)?#[xX]?[0-9a-fA-F]{1,6};")  # also entities shown as text (&amp;#73;)
_JSU = re.compile(r"\\u([0-9a-fA-F]{4})")
_BRAILLE_RE = re.compile("[\u2800-\u28ff]{8}")
_QP = re.compile(r"=[0-9A-Fa-f]{2}[^=\s]{0,16}=[0-9A-Fa-f]{2}|[A-Za-z]=\r?\n[A-Za-z]")


# ---------------------------------------------------------------- whole-text decoders


# (view name, trigger, hint, decoder): each reads escapes that stand alone in the text
_WHOLE_DECODERS = (("json_unescape", "jsu", _JSU, json_unescape), ("html_unescape", "ent", _ENT, html.unescape),
                   ("percent", "pct", _PCT, percent_decode), ("quoted_printable", "qp", _QP, qp))
# Every place each decoder can change a text (a superset: the windows below are checked).
_ESCAPES = {
    "json_unescape": re.compile(r"\\{1,2}u[0-9a-fA-F]{4}|[\ud800-\udfff]"),
    "html_unescape": re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]{0,31};?)"),
    "percent": re.compile(r"%[0-9a-fA-F]{2}"),
    "quoted_printable": re.compile(r"=(?:[0-9A-Fa-f]{2}|\r?\n|=)"),
}
WINDOW_MIN = 256 * 1024   # a larger text is decoded in windows around its escapes
PAD = 32 * 1024           # chars kept each side of an escape: more than any hit's context reaches


def decoded_pieces(text: str, name: str, dec) -> list[str]:
    """dec(text), or for a large text with few escapes the windows of it that differ
    from the text: each escape with PAD characters either side. A match that touches no
    decoded character is a match of the raw text, in the same context. The pieces are
    proven to add up to the whole decoding (else it is returned whole), and a window
    opening inside an odd run of backticks on its line gets one in front, so code spans
    read as in the whole."""
    if len(text) <= WINDOW_MIN:
        return [dec(text)]
    wins: list[list[int]] = []
    for m in _ESCAPES[name].finditer(text):
        if name == "html_unescape" and html.unescape(m.group(0)) == m.group(0):
            continue   # not an entity (a && b, &nbsp without a name it knows)
        a, b = max(0, m.start() - PAD), min(len(text), m.end() + PAD)
        if wins and a <= wins[-1][1]:
            wins[-1][1] = b
        else:
            wins.append([a, b])
        if sum(y - x for x, y in wins) > len(text) // 2:
            return [dec(text)]
    whole = dec(text)
    if not wins:
        return [whole] if whole != text else []
    parts, pieces, pos = [], [], 0
    for a, b in wins:
        gap = text[pos:a]
        if dec(gap) != gap:
            return [whole]
        parts.append(gap)
        at = sum(map(len, parts))
        got = dec(text[a:b])
        parts.append(got)
        ls = whole.rfind("\n", 0, at) + 1
        pieces.append(("`" if whole.count("`", ls, at) % 2 else "") + got)
        pos = b
    tail = text[pos:]
    if dec(tail) != tail or "".join(parts) + tail != whole:
        return [whole]
    return pieces


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
            elif name == "q":
                rep = '"'       # browsers render <q> as quotation marks: what it holds is cited
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


def map_markup(view: "View", a: int, b: int) -> tuple[int, int]:
    """Offsets a..b of a markup view -> offsets in its source text."""
    return markup_pos(view, a, False), markup_pos(view, b, True)


def markup_pos(view: "View", p: int, end: bool) -> int:
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


# ---------------------------------------------------------------- data
@dataclass
class View:
    name: str
    text: str
    mapped: bool                  # offsets equal the original text's
    layer: str = ""               # "base64"/"hex" for payload layers (hiding is itself suspicious)
    source: str = ""              # for folded and markup views: the text it was made from (to map offsets)
    offsets: tuple | None = None  # markup view: (piece starts in text, piece starts in source)


def _safe_chr(cp: int) -> str:
    if 0xD800 <= cp <= 0xDFFF:
        return "\ufffd"
    return chr(cp)


def map_folded(source: str, a: int, b: int) -> tuple[int, int] | None:
    """Offsets in the folded view -> offsets in the source, by folding char by char."""
    pos = 0
    start = None
    for i, c in enumerate(source):
        if DROP_RE.match(c):
            continue
        n = len(nfkc(c))
        if start is None and pos + n > a:
            start = i
        pos += n
        if start is not None and pos >= b:
            return start, i + 1
    return (start, len(source)) if start is not None else None


def derived_views(text: str, trig: set[str], depth: int, triggers, seen: dict | None = None,
                  inherited: str = "") -> list[View]:
    """The views `text` is matched in besides the raw one; `triggers(text)` names the
    prefilter's triggers in a decoded layer. `seen` (one per scan) holds the decoded
    texts already expanded, so one reached again by another order of decoders (JSON
    escapes then entities, entities then JSON escapes) is matched once; `inherited` is
    the payload layer `text` was decoded out of."""
    views: list[View] = []
    base = text
    if not text.isascii():
        # presence flags from the prefilter pass stand in for three regex passes
        exact = "exact" in trig
        if ("invis" in trig) if exact else INVIS_RE.search(text):
            base = text.translate(SPACE_TABLE)
            views.append(View("spaced", base, True))
        if ("mixed" in trig or mixed_extra(text)) if exact and base is text else MIXED_RE.search(base):
            base = base.translate(HOMO_TABLE)
            views.append(View("confusable", base, True))
        has_drop = ("drop" in trig) if exact else DROP_RE.search(text)
        if has_drop or not unicodedata.is_normalized("NFKC", text):
            folded, homo = nfkc_dropped(text)
            if homo or not exact or "homo" in trig:
                folded = folded.translate(HOMO_TABLE)
            if folded != base:
                views.append(View("folded", folded, False, source=text))
    if "markup" in trig:
        got = _markup_view(text)
        if got is not None and got[0] != text:
            views.append(View("markup", got[0], False, source=text, offsets=(got[1], got[2])))
    if "leet" in trig or (base is not text and re.search(r"[a-z][0134579@$|!][a-z]", base, re.I)):
        last = base
        for table in LEET_TABLES if "|" in base else LEET_TABLES[:1]:  # '|' reads as i and as l
            leet = base.translate(table)
            if leet != base and leet != last:
                views.append(View("leet", leet, True))
                last = leet
    if depth > 0:
        views += _decoded_views(text, trig, depth, triggers, {} if seen is None else seen, inherited)
    return views


def _decoded_views(text: str, trig: set[str], depth: int, triggers, seen: dict, inherited: str) -> list[View]:
    out: list[View] = []
    budget = [max(4 * len(text), 4096)]

    def add(name: str, decoded: str, layer: str = ""):
        if not decoded or decoded == text or budget[0] <= 0:
            return
        decoded = decoded[: budget[0]]
        # the same text in the same layer, expanded at least as deep: its views are all
        # there already (a decoded view's name is only its excerpt's label)
        key = (layer or inherited, decoded)
        if seen.get(key, -1) >= depth - 1:
            return
        seen[key] = depth - 1
        budget[0] -= len(decoded)
        out.append(View(name, decoded, False, layer=layer))
        if depth > 1:  # nested layers and their folded forms
            sub_trig = triggers(decoded)
            for v in derived_views(decoded, sub_trig, depth - 1, triggers, seen, layer or inherited):
                v.mapped = False
                v.layer = v.layer or layer
                out.append(v)

    for name, flag, hint, dec in _WHOLE_DECODERS:
        if flag in trig and hint.search(text):
            for piece in decoded_pieces(text, name, dec):
                add(name, piece)
    runs = 0
    if "[" in text and "bytes" in trig:
        for dec in byte_arrays(text):
            add("byte_array", dec, "bytes")
    if "b64" in trig:  # base64/base64url, base32 either case, z-base-32, base58 (text/blobs)
        for m in _B64_RUN.finditer(text):
            if runs >= _MAX_DECODED_RUNS:
                break
            for name, dec in decode_named(m.group(0)[:_MAX_RUN], strict=True):
                runs += 1
                add(name, dec, name)
    if "hex" in trig:
        for m in _HEX_RUN.finditer(text):
            if runs >= _MAX_DECODED_RUNS:
                break
            dec = text_of(hex_bytes(m.group(0)[:_MAX_RUN]))
            if dec:
                runs += 1
                add("hex", dec, "hex")
    if "dhex" in trig:  # \x41\x42, 0x41 0x42, 41:42:43
        for dec in delimited_hex(text, strict=True)[:_MAX_DECODED_RUNS]:
            add("hex", dec, "hex")
    hidden_bits = not text.isascii() and (
        ("invis" in trig or "braille" in trig) if "exact" in trig
        else bool(INVIS_RE.search(text) or _BRAILLE_RE.search(text)))
    if "exotic" in trig or hidden_bits or text.isascii():
        # UTF-7, zero-width binary, Braille bytes, Base45, framed Ascii85, uuencode, octal,
        # MIME words (text/exotic: exact hints first, bounded decoders). ASCII text always:
        # Base45's hint (letters beside digits) has no cheap trigger; non-ASCII text gets
        # there by the others. Base64 in spaced groups is read outbound only: its hint
        # costs ~1 ms/MB of every page here
        kinds = exotic.hints_cheap(text)
        for name, dec, _a, _b in (exotic.decode(text, kinds=kinds) if kinds else ()):
            add(name, dec, name)
    return out
