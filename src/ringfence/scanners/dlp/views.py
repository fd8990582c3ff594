"""The views DLP reads a text in: the text itself, its secret fold (text/normalize.py),
its unescaped form, Unicode tag characters decoded, and the layers decoded out of each
view (text/blobs.py, text/exotic.py, text/unpack.py: one implementation of every
decoder, shared with the other scanners), plus the split join of token pieces across
fields. Decoding is bounded by the caller's budget and depth.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...text import exotic
from ...text.blobs import QP_RX, decode_blob_cached, delimited_hex, unescape
from ...text.normalize import fold_secret
from ...text.percent import percent_rounds
from ...text.unpack import byte_arrays
from .matcher import ID_DELIM

normalize = fold_secret  # the name tests and callers know

_TAGS = re.compile("[\U000E0020-\U000E007E]")
_TAG_TABLE = {cp: cp - 0xE0000 for cp in range(0xE0020, 0xE007F)}
# A field with other views than its raw text: escapes, controls, byte arrays, quoted-printable.
_SPECIAL_CHARS = re.compile(r"[%\\&\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Each starts with a literal, so `re` finds its candidates with a fast prefix scan.
_BYTES_HINT = re.compile(r"\[\s*\d{1,3}\s*,\s*\d")
_NAME_EQ = re.compile(rb"[A-Za-z_][\w.-]{0,40}=(?=[A-Za-z0-9+/])")
# A JSON or C escape (\n, \r, \t) right before a word: in raw JSON text (a WebSocket or SSE
# message, a log line) it glues the escape's letter onto the token after it ("\nghp_...").
_CTRL_ESCAPE = re.compile(r"\\[nrt](?=[A-Za-z0-9])")
_B64_TAIL = re.compile(rb"[ \t]*\r?\n[ \t]*([A-Za-z0-9+/]{1,15}={0,2})(?![A-Za-z0-9+/=_-])")


class _Special:
    """`search` is true for a text with other views than its raw text."""

    @staticmethod
    def search(text: str, chars_in: str | None = None) -> bool:
        """`chars_in`: a shorter text holding every character of `text` but for line breaks
        and spaces (the fields a join was made of), searched for the special characters
        instead (none of them is a space or a line break)."""
        return bool(_SPECIAL_CHARS.search(text if chars_in is None else chars_in)
                    or ("[" in text and _BYTES_HINT.search(text))
                    or ("=" in text and QP_RX.search(text))
                    or (len(text) >= 16 and exotic.hint(text, wrapped=False)))


SPECIAL = _Special()


@dataclass
class View:
    text: str
    decoded: bool
    raw: bool          # offsets map to the scanned text
    rotated: bool = False  # a ROT13 reading of another view (same tokens, same entropy)

    def __post_init__(self):
        self.ascii = self.text.isascii()  # byte offsets == str offsets
        self._data: bytes | None = None

    @property
    def data(self) -> bytes:
        """The text as UTF-8, encoded once (a 1 MB body is otherwise encoded per step)."""
        if self._data is None:
            self._data = self.text.encode("ascii") if self.ascii else self.text.encode("utf-8", "surrogatepass")
        return self._data


def first_views(text: str) -> list[View]:
    """The text, its tag characters decoded, its secret fold, its unescaped fold."""
    views = [View(text, False, True)]
    if not text.isascii() and _TAGS.search(text):  # tag characters spell ASCII: decoded, not only dropped
        views.append(View(normalize(text.translate(_TAG_TABLE)), True, False))
    norm = normalize(text)
    if norm != text:
        views.append(View(norm, False, False))
    if "\\" in norm and _CTRL_ESCAPE.search(norm):
        views.append(View(_CTRL_ESCAPE.sub("\n", norm), False, False))
    unesc = unescape(norm) if ("%" in norm or "\\" in norm or "&" in norm
                               or ("=" in norm and QP_RX.search(norm))) else norm
    if unesc != norm:
        folded = normalize(unesc)
        views.append(View(folded, False, False))
        if "\n" in norm and unesc.count("\n") < norm.count("\n"):
            # '=' then a line break: a quoted-printable soft break, or base64 padding at the
            # end of a line (a value, then the next line): both readings
            kept = normalize(unescape(norm, soft_breaks=False))
            if kept != folded:
                views.append(View(kept, False, False))
        if not unesc.isascii() and _TAGS.search(unesc):
            views.append(View(normalize(unesc.translate(_TAG_TABLE)), True, False))
        if folded != unesc and not unesc.isascii():
            # escapes that spelt invisible or Braille characters: the fold drops what
            # the decoders read (zero-width binary), so the unfolded text is a view too
            views.append(View(unesc, False, False))
    return views



def decode_layer(view: View, hits, blobs, budget: list[int]) -> list[str]:
    """The texts one decoding step reads out of a view: its blob candidates (runs the
    matcher found; line-wrapped base64 joined), byte arrays, the text/exotic.py
    encodings, delimited hex. Each decoded text costs its length from `budget`."""
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
    # Ascii85, Base85, Base45, uuencode, octal, MIME words. Their alphabets hold '%': the
    # repeated percent-decoding of the other views can corrupt them, so a percent-
    # encoded text is also read after exactly one round.
    first = len(out)
    for cand in (percent_rounds(text, 3) if view.raw and "%" in text else (text,)):
        kinds = exotic.hints(cand, wrapped=False) if len(cand) >= 16 else ()
        if exotic.BASE45 in kinds and not view.raw:
            # '%' is a Base45 character: a percent-decoded view corrupts Base45, and a
            # misaligned piece decodes to a truncated token; the raw text (and its one
            # unquoted round, above) are the readings
            kinds = kinds - {exotic.BASE45}
        if kinds:
            first = len(out) if cand is text else first
            for _name, t, _a, _b in exotic.decode(cand, kinds=kinds):
                if budget[0] <= 0:
                    break
                if cand is not text and any(t in prev for prev in out[first:]):
                    continue  # a piece of what the raw text read as a whole (cut at a decoded '%')
                budget[0] -= len(t)
                out.append(t)
    if ID_DELIM in hits:
        for t in delimited_hex(text):
            if budget[0] <= 0:
                break
            budget[0] -= len(t)
            out.append(t)
    return out


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
