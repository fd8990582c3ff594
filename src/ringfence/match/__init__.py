"""Multi-pattern matching shared by every scanner.

    from ringfence import match
    ps = match.PatternSet([("aws_key", r"AKIA[0-9A-Z]{16}", 0),
                           ("ignore_prev", r"ignore\\s+previous", match.I)])
    ps.scan(text)   -> [(pattern_id, start, end), ...]   sorted by (start, end, pattern order)
    ps.first(text)  -> (pattern_id, start, end) | None   the scan() entry with the smallest start
    ps.hits(text)   -> {pattern_id, ...}                 which patterns matched (cheaper than scan)

Flags: `I` (ignore case), `S` (dot matches newline), `M` (multiline ^ $), OR-ed.

Semantics (the same for every engine): the spans are exactly what
`regex.compile(src, flags).finditer(text)` would give (leftmost match, greedy or lazy as
the pattern says, non-overlapping per pattern), minus empty matches, with offsets in the
`str` given. Different patterns may overlap each other.

Engines:
- Hyperscan (preferred; one block-mode database over the text as UTF-8). Each pattern is
  first rewritten into a superset pattern (see `rewrite.py`) so the pre-filter never misses;
  patterns it cannot compile exactly are compiled with HS_FLAG_PREFILTER; those it cannot
  compile at all are "always candidates". Every hit is confirmed with `regex` on a window
  around the hit (grown while a match touches the window edge) for exact spans. Byte
  offsets are mapped back to str offsets (identity fast path for ASCII).
- Fallback (`RINGFENCE_NO_HYPERSCAN=1`, or hyperscan not importable): an RE2 `Set` says
  which patterns may hit, then the same `regex` confirmation over the text. Without RE2,
  every pattern is confirmed with `regex` directly.
A test runs one corpus through both engines and requires identical results.

Bounds: texts longer than `MAX_CHUNK` characters are scanned in chunks that overlap by
`OVERLAP` characters. Each match is reported by the chunk in which it ends, so there are
no duplicates; a match longer than `OVERLAP` that crosses a chunk start is reported with
its start clipped to that chunk. Each confirmation call has a `regex` timeout
(`CONFIRM_TIMEOUT_S`); hitting it raises TimeoutError, which callers treat as fail-closed.
Patterns that match the empty string are rejected (ValueError).
"""
from __future__ import annotations

import codecs
import os
import threading
import warnings
from typing import Iterable

import regex

from . import hscache
from .rewrite import VERSION as _REWRITE_VERSION, prefilter_source

I = 1
S = 2
M = 4

MAX_CHUNK = 1 << 21        # characters scanned in one block
OVERLAP = 1 << 14          # characters shared by adjacent chunks
MARGIN = 256               # context added around a pre-filter hit before confirming
NOSOM_BACK = 4096          # look-back for hits without a start offset
MAX_WINDOWS = 4096         # per pattern per chunk; beyond that confirm the whole chunk
MAX_CALLBACKS = 8192       # per chunk; beyond that stop, ask which patterns occur at all
                           # (one SINGLEMATCH pass) and confirm those over the whole chunk
CONFIRM_TIMEOUT_S = 2.0

Match = tuple[str, int, int]

try:  # optional engines
    import hyperscan as _hs
except Exception:  # pragma: no cover - depends on the install
    _hs = None
try:
    import re2 as _re2
except Exception:  # pragma: no cover
    _re2 = None

# İ ſ K (Kelvin) case-fold onto ASCII i s k in `regex`; checked with `in` (fast).
_CONT = bytes(1 if 0x80 <= b <= 0xBF else 0 for b in range(256))


def _fffd(err: UnicodeError):
    # Lone surrogates -> U+FFFD: 3 UTF-8 bytes, like the surrogate itself, so the
    # byte->char mapping by continuation-byte counting stays exact.
    return b"\xef\xbf\xbd" * (err.end - err.start), err.end


codecs.register_error("ringfence_fffd", _fffd)


def _no_surrogates(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "ringfence_fffd").decode("utf-8")


def _regex_flags(flags: int) -> int:
    f = regex.V0
    if flags & I:
        f |= regex.IGNORECASE
    if flags & S:
        f |= regex.DOTALL
    if flags & M:
        f |= regex.MULTILINE
    return f


def _max_width(src: str, flags: int) -> int | None:
    """Longest possible match, when stdlib sre can tell (None if unbounded/unknown)."""
    try:
        import re._parser as sre_parse  # 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore
    try:
        lo, hi = sre_parse.parse(src, 0).getwidth()
    except Exception:
        return None
    return hi if hi < (1 << 16) else None


class _Pattern:
    __slots__ = ("pid", "src", "flags", "cp", "pre", "back")

    def __init__(self, pid: str, src: str, flags: int):
        if not isinstance(pid, str) or not isinstance(src, str) or not isinstance(flags, int):
            raise TypeError("pattern entries are (id: str, regex: str, flags: int)")
        if flags & ~(I | S | M):
            raise ValueError(f"pattern {pid!r}: unknown flags {flags}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # V1 set-syntax hints
                self.cp = regex.compile(src, _regex_flags(flags))
        except regex.error as e:
            raise ValueError(f"pattern {pid!r}: {e}") from None
        if self.cp.fullmatch("") is not None:
            raise ValueError(f"pattern {pid!r} matches the empty string")
        self.pid, self.src, self.flags = pid, src, flags
        self.pre = prefilter_source(src)
        w = _max_width(src, flags)
        self.back = min(w, NOSOM_BACK) if w is not None else NOSOM_BACK


class PatternSet:
    """Compiled set of (id, regex, flags). Immutable after construction; thread-safe scans."""

    def __init__(self, patterns: Iterable[tuple[str, str, int]], *, engine: str | None = None):
        pats = [_Pattern(*p) for p in patterns]
        ids = [p.pid for p in pats]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate pattern ids")
        self._pats = pats
        self._caseless = [i for i, p in enumerate(pats) if p.flags & I or "(?i" in p.src]
        if engine is None:
            if _hs is not None and os.environ.get("RINGFENCE_NO_HYPERSCAN", "") not in ("1", "true", "yes"):
                engine = "hyperscan"
            elif _re2 is not None:
                engine = "re2"
            else:
                engine = "regex"
        if engine not in ("hyperscan", "re2", "regex"):
            raise ValueError(f"unknown engine {engine!r}")
        if engine == "hyperscan" and _hs is None:
            raise ValueError("hyperscan is not installed")
        if engine == "re2" and _re2 is None:
            raise ValueError("re2 is not installed")
        self.engine = engine
        self._always: list[int] = []   # indexes confirmed on every text
        self._local = threading.local()
        if not pats:
            self.engine = "regex"
        elif engine == "hyperscan":
            self._build_hs()
        elif engine == "re2":
            self._build_re2()
        else:
            self._always = list(range(len(pats)))

    def __len__(self) -> int:
        return len(self._pats)

    @property
    def ids(self) -> list[str]:
        return [p.pid for p in self._pats]

    # ---- engine set-up -------------------------------------------------------------

    def _build_hs(self) -> None:
        base = _hs.HS_FLAG_UTF8 | _hs.HS_FLAG_UCP | _hs.HS_FLAG_MULTILINE
        n = len(self._pats)
        parts = ["patternset", _REWRITE_VERSION, base, [[p.pre, p.flags] for p in self._pats]]
        got = hscache.load(parts)
        if got is not None:
            meta, db = got
            always, som = meta.get("always"), meta.get("som")
            if (isinstance(always, list) and all(isinstance(i, int) and 0 <= i < n for i in always)
                    and isinstance(meta.get("exprs"), list)
                    and isinstance(som, list) and len(som) == n and all(isinstance(x, bool) for x in som)):
                self._always, self._som, self._db = always, som, db
                self._build_presence(meta.get("exprs"))
                return
        exprs, ids, flags = [], [], []
        self._som = [False] * len(self._pats)
        for idx, p in enumerate(self._pats):
            if p.pre is None:
                self._always.append(idx)
                continue
            f = base
            if p.flags & I:
                f |= _hs.HS_FLAG_CASELESS
            if p.flags & S:
                f |= _hs.HS_FLAG_DOTALL
            expr = p.pre.encode("utf-8")
            chosen = None
            for extra, som in ((_hs.HS_FLAG_SOM_LEFTMOST, True), (0, False), (_hs.HS_FLAG_PREFILTER, False)):
                try:
                    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
                    db.compile(expressions=[expr], ids=[idx], elements=1, flags=[f | extra])
                except Exception:
                    continue
                chosen = (f | extra, som)
                break
            if chosen is None:
                self._always.append(idx)
                continue
            exprs.append(expr)
            ids.append(idx)
            flags.append(chosen[0])
            self._som[idx] = chosen[1]
        self._db = None
        self._presence = None
        if exprs:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
            self._db = db
            ex = [[e.decode("utf-8"), i, f] for e, i, f in zip(exprs, ids, flags)]
            hscache.store(parts, {"always": self._always, "som": self._som, "exprs": ex}, db, _hs.HS_MODE_BLOCK)
            self._build_presence(ex)

    def _build_presence(self, ex) -> None:
        """Same expressions, one report per pattern at most (used past MAX_CALLBACKS)."""
        self._presence = None
        try:
            exprs = [e.encode("utf-8") for e, _, _ in ex]
            ids = [int(i) for _, i, _ in ex]
            fl = [(int(f) & ~_hs.HS_FLAG_SOM_LEFTMOST) | _hs.HS_FLAG_SINGLEMATCH for _, _, f in ex]
            self._presence = hscache.cached_compile("patternset.presence", exprs, ids, fl)
        except Exception:
            self._presence = None   # then a flood of hits is handled window by window

    def _build_re2(self) -> None:
        opts = _re2.Options()
        opts.log_errors = False
        opts.max_mem = 64 << 20
        self._set = _re2.Set.SearchSet(opts)
        self._set_idx: list[int] = []
        for idx, p in enumerate(self._pats):
            if p.pre is None:
                self._always.append(idx)
                continue
            prefix = "(?m" + ("i" if p.flags & I else "") + ("s" if p.flags & S else "") + ")"
            try:
                self._set.Add(prefix + p.pre)
            except Exception:
                self._always.append(idx)
                continue
            self._set_idx.append(idx)
        self._set.Compile()

    def _scratch(self):
        s = getattr(self._local, "scratch", None)
        if s is None:
            s = _hs.Scratch(self._db)
            self._local.scratch = s
        return s

    # ---- candidates: {pattern index: [[char_start, char_end], ...] or None (whole chunk)} ----

    def _candidates(self, text: str) -> dict[int, list[list[int]] | None]:
        cands: dict[int, list[list[int]] | None] = {i: None for i in self._always}
        if not text.isascii() and ("\u0130" in text or "\u017f" in text or "\u212a" in text):
            # `regex` case-folds these onto ASCII letters; the pre-filters may not.
            for i in self._caseless:
                cands[i] = None
        if self.engine == "hyperscan" and self._db is not None:
            self._hs_candidates(text, cands)
        elif self.engine == "re2":
            try:
                got = self._set.Match(text)
            except Exception:
                got = self._set.Match(_no_surrogates(text))
            for k in got or ():
                cands[self._set_idx[k]] = None
        return cands

    def _hs_candidates(self, text: str, cands: dict) -> None:
        ascii_ = text.isascii()
        data = text.encode("utf-8", "ringfence_fffd") if not ascii_ else text.encode("ascii")
        wins: dict[int, list[list[int]]] = {}
        som = self._som
        pats = self._pats

        count = [0]
        cap = MAX_CALLBACKS if self._presence is not None else -1

        def on_hit(idx, frm, to, _flags, _ctx):
            count[0] += 1
            if count[0] == cap:
                return True   # stop: too many hits to window one by one
            if not som[idx]:
                frm = to - pats[idx].back
            frm -= MARGIN
            to += MARGIN
            w = wins.get(idx)
            if w is None:
                wins[idx] = [[frm, to]]
            else:
                last = w[-1]
                if frm <= last[1]:
                    if to > last[1]:
                        last[1] = to
                    if frm < last[0]:
                        last[0] = frm
                elif len(w) < MAX_WINDOWS:
                    w.append([frm, to])
                else:
                    last[1] = len(data)
            return None

        try:
            self._db.scan(data, match_event_handler=on_hit, scratch=self._scratch())
        except Exception:
            if count[0] != cap:
                raise
        if count[0] == cap:
            present: set[int] = set()

            def on_any(idx, _f, _t, _fl, _c):
                present.add(idx)

            scratch = getattr(self._local, "pscratch", None)
            if scratch is None:
                scratch = self._local.pscratch = _hs.Scratch(self._presence)
            self._presence.scan(data, match_event_handler=on_any, scratch=scratch)
            for idx in present:
                cands[idx] = None   # confirmed over the whole chunk: exact by definition
            return
        n = len(data)
        if ascii_:
            for idx, w in wins.items():
                if idx not in cands:
                    cands[idx] = [[max(0, a), min(n, b)] for a, b in w]
            return
        cont = data.translate(_CONT)

        def to_char(b: int) -> int:
            b = min(max(b, 0), n)
            return b - cont.count(1, 0, b)

        for idx, w in wins.items():
            if idx not in cands:
                cands[idx] = [[to_char(a), to_char(b)] for a, b in w]

    # ---- confirmation ------------------------------------------------------------------

    def _confirm(self, p: _Pattern, text: str, lo: int, hi: int,
                 wins: list[list[int]] | None, first_only: bool) -> list[tuple[int, int]]:
        """Exact matches of p in text[lo:hi] (a chunk), as full-chunk finditer would give."""
        cp = p.cp
        if wins is None:
            out = []
            for m in cp.finditer(text, lo, hi, timeout=CONFIRM_TIMEOUT_S):
                a, b = m.span()
                if b > a:
                    out.append((a, b))
                    if first_only:
                        break
            return out
        # merge windows (they arrive mostly sorted)
        wins = sorted([max(lo, a), min(hi, b)] for a, b in wins)
        found: list[tuple[int, int]] = []
        covered = lo  # everything before this offset is already settled
        for ws, we in wins:
            if we <= covered:
                continue
            ws = max(ws, lo)
            while True:
                ms = []
                for m in cp.finditer(text, ws, we, timeout=CONFIRM_TIMEOUT_S):
                    a, b = m.span()
                    if b > a:
                        ms.append((a, b))
                grow_l = ms and ms[0][0] == ws and ws > lo
                grow_r = ms and ms[-1][1] == we and we < hi
                if not (grow_l or grow_r):
                    break
                size = max(we - ws, MARGIN)
                if grow_l:
                    ws = max(lo, ws - 2 * size)
                if grow_r:
                    we = min(hi, we + 2 * size)
            found.extend(ms)
            covered = max(covered, we)
            if first_only and found:
                break
        # full-text finditer never returns overlapping matches of one pattern
        found.sort(key=lambda s: (s[0], -s[1]))
        out = []
        end = -1
        for a, b in found:
            if a >= end:
                out.append((a, b))
                end = b
        return out[:1] if first_only else out

    def _run(self, text: str, first_only: bool) -> list[Match]:
        if not isinstance(text, str):
            raise TypeError("PatternSet scans str")
        if not self._pats or not text:
            return []
        n = len(text)
        res: set[tuple[int, int, int]] = set()
        start = 0
        prev_end = 0
        while True:
            end = min(n, start + MAX_CHUNK)
            last = end >= n
            chunk = text if (start == 0 and last) else text[start:end]
            for idx, wins in self._candidates(chunk).items():
                if wins is not None:
                    wins = [[a + start, b + start] for a, b in wins]
                for a, b in self._confirm(self._pats[idx], text, start, end, wins, first_only):
                    if b >= prev_end and (last or b < end):
                        res.add((a, b, idx))
            if last:
                break
            prev_end = end
            start = end - OVERLAP
        pats = self._pats
        return [(pats[i].pid, a, b) for a, b, i in sorted(res)]

    # ---- public ------------------------------------------------------------------------

    def scan(self, text: str) -> list[Match]:
        """Every confirmed match as (pattern_id, start, end), sorted, no duplicates."""
        return self._run(text, False)

    def first(self, text: str) -> Match | None:
        """The match with the smallest start (then end, then pattern order), or None."""
        r = self._run(text, False)
        return r[0] if r else None

    def hits(self, text: str) -> set[str]:
        """Ids of the patterns with at least one confirmed match."""
        return {pid for pid, _, _ in self._run(text, True)}


__all__ = ["PatternSet", "I", "S", "M", "Match", "MAX_CHUNK", "OVERLAP"]
