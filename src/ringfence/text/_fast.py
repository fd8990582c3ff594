"""Fast path for fold/fold_spaced on non-ASCII text (same results as the slow path).

Most characters of real text are left alone by fold. Call a character SAFE when no
table maps it, it is a starter (combining class 0), it is NFKC-quick-check Yes and it
can never be the second half of a canonical composition. Text can be split before a
SAFE character without changing NFKC (the "boundary before" property of UAX #15), and
every other step of fold is per character, so fold is computed piecewise:

1. one Hyperscan pass over the UTF-8 finds the maximal runs of not-SAFE characters;
2. each run is folded by the reference pipeline on its own (with the character before
   it when the run starts with a character that may combine backwards); results are
   memoised, since the same few runs ("é", "，", "й") recur all through a text;
3. the pieces are joined as bytes and decoded once;
4. a second Hyperscan pass over the result finds tokens mixing an ASCII letter with a
   look-alike (or letters of two of Greek/Cyrillic/Armenian); only those are folded.

Anything unusual (lone surrogates, no hyperscan, a text where runs or mixed tokens are
dense) returns None and the caller uses the reference pipeline, so worst cases cost what
they cost before.
"""
from __future__ import annotations

import threading
import unicodedata

import regex

from . import normalize as N
from .chars import hs_class

try:
    import hyperscan as _hs
except Exception:  # pragma: no cover - depends on the install
    _hs = None

MIN_CAP = 4096          # unsafe characters always allowed before giving up
CAP_DIV = 8             # ... or one in CAP_DIV bytes
TOKEN_CAP = 1 << 15     # mixed-token pass: hits before giving up
MEMO_MAX = 1 << 15      # memoised runs per mode
_CTX = object()         # memo marker: the run needs the character before it

_lock = threading.Lock()
_state = None           # built on first use: (db_runs, db_tokens, ctx_set) or False


def _sets() -> tuple[set[int], set[int]]:
    """(not-SAFE code points, those that may combine with the character before)."""
    scan = N.all_chars() + "".join(chr(c) for c in range(0xE0080, 0xE0200))
    ccc = {ord(c) for c in scan if unicodedata.combining(c)}
    qc_no = {ord(c) for c in scan if not unicodedata.is_normalized("NFKC", c)}
    second: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V, T
    for c in scan:
        d = unicodedata.decomposition(c)
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                second.add(int(parts[1], 16))
    # The `regex` module's own tables (another Unicode version): only ever widen.
    full = N._chars((0x80, 0xD800), (0xE000, 0x110000))
    extra = {ord(c) for c in regex.findall(r"[\p{NFKC_QC=N}\p{NFKC_QC=M}]|[^\p{ccc=0}]", full)}
    deleting = {k for k, v in list(N._PRE.items()) + list(N._PRE_SPACED.items()) if v is None}
    keys = set(N._PRE) | set(N._PRE_SPACED) | set(N._STRIP) | set(N._NAMED)
    ctx = ccc | qc_no | second | extra | deleting
    return keys | ctx, ctx


def _ws_ok() -> bool:
    """Tokens of fold's output are split by [ \\t\\n\\r] only: every other whitespace
    character is mapped by the PRE tables (checked, not assumed)."""
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000 or cp in (0x09, 0x0A, 0x0D, 0x20):
            continue
        ch = chr(cp)
        if ch.isspace() and (cp not in N._PRE or cp not in N._PRE_SPACED):
            return False
    return True


def _build():
    if _hs is None or not _ws_ok():
        return False
    from ..match.hscache import cached_compile
    unsafe, ctx = _sets()
    U = _hs.HS_FLAG_UTF8
    db_runs = cached_compile("text.fold.runs", [hs_class(unsafe).encode()], [0],
                             [U | _hs.HS_FLAG_SOM_LEFTMOST])
    homo = hs_class(N._HOMO)
    tok = r"[^\t\n\r ]*"
    gr, cy, ar = r"[\x{370}-\x{3ff}]", r"[\x{400}-\x{52f}]", r"[\x{530}-\x{58f}]"
    exprs = ["[A-Za-z]" + tok + homo, homo + tok + "[A-Za-z]"]
    for x, y in ((gr, cy), (gr, ar), (cy, ar)):
        exprs += [x + tok + y, y + tok + x]
    db_tok = cached_compile("text.fold.tokens", [e.encode() for e in exprs], list(range(len(exprs))),
                            [U] * len(exprs))
    return db_runs, db_tok, frozenset(ctx)


def _get():
    global _state
    if _state is None:
        with _lock:
            if _state is None:
                try:
                    _state = _build()
                except Exception:  # fall back to the reference pipeline for good
                    _state = False
    return _state


_local = threading.local()
_memo: tuple[dict, dict] = ({}, {})


def _scratch(name: str, db):
    s = getattr(_local, name, None)
    if s is None:
        s = _hs.Scratch(db)
        setattr(_local, name, s)
    return s


def _runs(data: bytes, db) -> list[int] | None:
    """Flat [start, end, start, end, ...] byte spans of maximal not-SAFE runs."""
    runs: list[int] = []
    cap = max(MIN_CAP, len(data) // CAP_DIV)
    count = [0]

    def on(_i, frm, to, _f, _c):
        if runs and runs[-1] >= frm:
            if runs[-1] != frm:   # out of order: never seen, but then take the slow path
                count[0] = cap
            runs[-1] = to
        else:
            runs.append(frm)
            runs.append(to)
        count[0] += 1
        return count[0] > cap

    try:
        db.scan(data, match_event_handler=on, scratch=_scratch("runs", db))
    except Exception:
        return None
    return None if count[0] > cap else runs


def _fold_run(key: bytes, spaced: bool, with_ctx: bool, ctx: frozenset):
    memo = _memo[spaced]
    if len(memo) > MEMO_MAX:
        memo.clear()
    s = key.decode("utf-8")
    if not with_ctx and ord(s[0]) in ctx:
        memo[key] = _CTX
        return _CTX
    v = N._chars_fold(s, spaced).encode("utf-8")
    memo[key] = v
    return v


def _assemble(data: bytes, runs: list[int], spaced: bool, ctx: frozenset) -> bytes:
    memo = _memo[spaced]
    out: list[bytes] = []
    prev = 0
    for k in range(0, len(runs), 2):
        a, b = runs[k], runs[k + 1]
        rb = data[a:b]
        v = memo.get(rb)
        if v is None:
            v = _fold_run(rb, spaced, False, ctx)
        if v is _CTX:
            if a > 0:  # take the (SAFE) character before the run along
                a -= 1
                while data[a] & 0xC0 == 0x80:
                    a -= 1
                key = data[a:b]   # starts with a SAFE character: never a run's key
                v = memo.get(key)
                if v is None:
                    v = _fold_run(key, spaced, True, ctx)
            else:  # at the very start: nothing before it (not memoised: key is rb)
                v = N._chars_fold(rb.decode("utf-8"), spaced).encode("utf-8")
        out.append(data[prev:a])
        out.append(v)
        prev = b
    if not out:
        return data
    out.append(data[prev:])
    return b"".join(out)


def _tokens(out: bytes, db) -> str | None:
    """Step 6 over fold's output bytes; None when mixed tokens are too dense."""
    toks: dict[int, int] = {}     # token start -> end (bytes)
    last = [0, 0]
    hits = [0]

    def on(_i, _frm, to, _f, _c):
        hits[0] += 1
        if hits[0] > TOKEN_CAP:
            return True
        if last[0] < to <= last[1]:
            return None   # inside the token found last
        a = max(out.rfind(b" ", 0, to), out.rfind(b"\t", 0, to), out.rfind(b"\n", 0, to),
                out.rfind(b"\r", 0, to)) + 1
        if a not in toks:
            b = len(out)
            for sep in (b" ", b"\t", b"\n", b"\r"):
                j = out.find(sep, to, b)
                if j >= 0:
                    b = j
            toks[a] = b
        last[0], last[1] = a, toks[a]
        return None

    try:
        db.scan(out, match_event_handler=on, scratch=_scratch("tok", db))
    except Exception:
        if hits[0] <= TOKEN_CAP:
            return None
    if hits[0] > TOKEN_CAP:
        return None
    if not toks:
        return out.decode("utf-8")
    parts: list[str] = []
    prev = 0
    for a, b in sorted(toks.items()):   # tokens are disjoint
        parts.append(out[prev:a].decode("utf-8"))
        parts.append(out[a:b].decode("utf-8").translate(N._HOMO))
        prev = b
    parts.append(out[prev:].decode("utf-8"))
    return "".join(parts)


def fast_pair(text: str, modes: tuple[bool, ...]) -> list[str] | None:
    """[fold(text) if not spaced else fold_spaced(text) for spaced in modes], or None
    when the fast path does not apply (caller then runs the reference pipeline)."""
    st = _get()
    if not st:
        return None
    db_runs, db_tok, ctx = st
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None
    runs = _runs(data, db_runs)
    if runs is None:
        return None
    res = []
    for spaced in modes:
        out = _assemble(data, runs, spaced, ctx) if runs else data
        if out.isascii():
            res.append(out.decode("ascii"))
            continue
        s = _tokens(out, db_tok)
        if s is None:
            s = N._homo_fold(out.decode("utf-8"))
        res.append(s)
    return res
