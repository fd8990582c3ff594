"""The NFKC view with invisibles dropped, built piecewise: only the runs of characters that
NFKC can change are normalized (found by one hyperscan pass, memoised).
"""

from __future__ import annotations

import unicodedata

from ...text.chars import hs_class
from ...text.forms import nfkc
from .chars import DROP_RE, HOMO_ANY, INVISIBLE
from .prefilter import DBS_LOCK, hs_compile

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


def _fold_runs_state():
    """(runs db, chars that may combine backwards or vanish) or None without hyperscan."""
    with DBS_LOCK:
        if _FOLD_RUNS:
            return _FOLD_RUNS[0]
    st = None
    try:
        import hyperscan as hs
        from ...text.normalize import fold_tables
        got = fold_tables()
        if got:
            ctx = set(got[2]) | {ord(c) for c in INVISIBLE} | set(range(0xE0000, 0xE0080))
            cls = hs_class(ctx)
            db = hs_compile(hs, [cls], [0], [hs.HS_FLAG_UTF8 | hs.HS_FLAG_SOM_LEFTMOST])
            simple = _simple_chars(ctx)
            one = hs.HS_FLAG_UTF8 | hs.HS_FLAG_SINGLEMATCH
            exprs = [hs_class(ctx - set(simple))] + ["\\x{%x}" % c for c in simple]
            db_simple = hs_compile(hs, exprs, list(range(len(exprs))), [one] * len(exprs))
            st = (db, frozenset(ctx), db_simple, [(chr(c), simple[c]) for c in simple])
    except Exception:
        st = None
    with DBS_LOCK:
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
    drop = {ord(c) for c in INVISIBLE}
    out: dict[int, str] = {}
    for cp in sorted(ctx):
        if cp in drop or cp in seconds or cp >= 0xE0000 or 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        if unicodedata.combining(c):
            continue
        r = nfkc(c)
        if len(r) == 1 and r.isascii() and r != c:
            out[cp] = r
    return out


def _nfkc_dropped_slow(text: str) -> str:
    return nfkc(DROP_RE.sub("", text))


def nfkc_dropped(text: str) -> tuple[str, bool]:
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
            v = memo[key] = folded.encode("utf-8") + (b"\x01" if HOMO_ANY.search(folded) else b"\x00")
        homo = homo or v[-1] == 1
        out.append(data[prev:a])
        out.append(v[:-1])
        prev = b
    if not out:
        return text, False
    out.append(data[prev:])
    return b"".join(out).decode("utf-8"), homo
