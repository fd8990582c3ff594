"""The multi-pattern pass of DLP: every rule's pre-filter, the env/canary literals, the
blob finder (base64/hex/base32 runs), delimited hex, ROT13 hints and the seed-phrase
pre-filter, in one Hyperscan pass over bytes (a `re` fallback gives the same verdicts,
slower). Compiled databases are shared across scanners with the same rules.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ...match.rewrite import without_lookarounds
from ...rules.dlp import DlpRule
from ...text.blobs import DELIM_HEX_HINT
from ..rot13 import hints as rot13_hints
from .context import _SENSITIVE_HINTS

try:  # the fast engine; the fallback gives the same verdicts, slower
    import hyperscan as _hs
except Exception:  # pragma: no cover - exercised only where hyperscan is missing
    _hs = None

# ---------------------------------------------------------------------------
# multi-pattern pass


def prefilter_pattern(pattern: str) -> str:
    """A superset pattern Hyperscan accepts: drop lookarounds and group names."""
    p = without_lookarounds(pattern)
    p = re.sub(r"\(\?P<\w+>", "(", p)
    return p.replace("(?i)", "")


# Blob candidates: base64/base64url/hex/base32 runs. The trailing non-blob byte
# (we append "\n" to the data) makes Hyperscan report each run once.
# Start-of-match tracking costs ~0.7 ms/MB of prose, but finding the starts in
# Python afterwards (walking back from each end) costs ~1.3 ms for the ~3,000 runs
# (ids, hashes) per MB of prose, so Hyperscan keeps tracking them.
_BLOB = rb"[A-Za-z0-9+/_=-]{16,}[^A-Za-z0-9+/_=-]"
_DELIM_HINT = DELIM_HEX_HINT.encode()  # the shape text/blobs.delimited_hex decodes
# Seed phrases are written lowercase (or all caps), one separator between words
# (space, comma, quotes, pipe, a line break, or list numbering "1. word 2. word").
# The pre-filter finds twelve such words in a row; `_SEED_RUN` then takes the
# maximal run, so a long stretch of word soup is one run, not many windows.
_SEED_SEP = r"(?:[ \t,;|\"']{1,4}|[ \t]*\r?\n[ \t]*|\s{0,4}\d{1,2}[.):]?\s{1,4})"
# Capitalised words count too: a sentence's first word joins its run, so a sentence
# of wordlist words is judged by its whole length, not by the words after the first.
_SEED_W = r"(?:[a-z]{3,8}|[A-Z]{3,8}|[A-Z][a-z]{2,7})"
# The regions allow words of 9 letters: the Italian wordlist has them
# (scanners/mnemonics.py); English runs are still cut at 8.
_SEED_W_REGION = r"(?:[a-z]{3,9}|[A-Z]{3,9}|[A-Z][a-z]{2,7})"
_SEED_SPAN = 9 + 11  # widest word plus separator the pattern allows
_BIP39_HINT = (_SEED_W_REGION + "(?:" + _SEED_SEP + _SEED_W_REGION + "){11}").encode()
_SEED_RUN = re.compile(r"(?<![A-Za-z])" + _SEED_W + "(?:" + _SEED_SEP + _SEED_W + r")*(?![A-Za-z])")

ID_BLOB, ID_DELIM, ID_BIP39, ID_ROT13 = 100000, 100001, 100002, 100003
ID_LITERAL = 200000


@dataclass(frozen=True)
class _Literal:
    kind: str       # env or canary
    name: str       # env var name or canary label
    value: str      # the literal as it appears (encoded form)
    encoding: str
    caseless: bool


class _Matcher:
    """Which rule pre-filters hit, plus blob spans, in one pass over bytes."""

    def __init__(self, rules: list[DlpRule], literals: list[_Literal]):
        self.rules, self.literals = rules, literals
        exprs, ids, flags = [], [], []
        for i, r in enumerate(rules):
            if r.prefilter:
                exprs.append(r.prefilter.encode())
            elif r.context:  # context rules pre-filter on their keywords: the value shape alone is too common
                exprs.append("|".join(re.escape(k) for k in r.context).encode())
            else:
                exprs.append(prefilter_pattern(r.pattern).encode())
            ids.append(i)
            caseless = r.ignore_case or r.pattern.startswith("(?i)") or bool(r.context and not r.prefilter)
            flags.append("caseless" if caseless else "")
        for j, lit in enumerate(literals):
            exprs.append(re.escape(lit.value).encode())
            ids.append(ID_LITERAL + j)
            flags.append("caseless" if lit.caseless else "")
        exprs += [_BLOB, _DELIM_HINT]
        ids += [ID_BLOB, ID_DELIM]
        flags += ["som", ""]
        exact, words = rot13_hints([r.pattern for r in rules], [k for r in rules for k in r.context],
                                   [(r.pattern, exprs[i].decode(), flags[i] == "caseless")
                                    for i, r in enumerate(rules) if not r.context])
        for group, flag in ((exact, ""), (words, "caseless")):  # only a text holding one gets a ROT13 view
            if group:
                exprs.append("|".join(group).encode())
                ids.append(ID_ROT13)
                flags.append(flag)
        self._db = self._bip_db = None
        self._spec = (exprs, ids, flags)
        if _hs is not None:
            self._db = self._compile_hs(exprs, ids, flags)
            self._bip_db = _cached_db("dlp-seed", [_BIP39_HINT], [ID_BIP39], [0])

    @functools.cached_property
    def _fallback(self):  # built only where Hyperscan is missing
        exprs, ids, flags = self._spec
        return [(i, re.compile(e, re.I if f == "caseless" else 0)) for e, i, f in zip(exprs, ids, flags)]

    @functools.cached_property
    def _bip_rx(self):
        return re.compile((_SEED_W_REGION + "(?:" + _SEED_SEP + _SEED_W_REGION + "){11,}").encode())

    def seed_regions(self, data: bytes, cap: int = 20000) -> list[tuple[int, int]]:
        """Byte ranges that hold 12+ consecutive seed-shaped words (lowercase or caps, 3-9 letters)."""
        if self._bip_db is None:
            return _merge([m.span() for m in self._bip_rx.finditer(data)][:cap])
        regions: list[list[int]] = []
        count = [0]

        def on(_i, _frm, to, _fl, _c):
            count[0] += 1
            frm = max(0, to - 12 * _SEED_SPAN)  # no start of match (SOM makes this pattern too large)
            if regions and frm <= regions[-1][1]:
                regions[-1][1] = max(to, regions[-1][1])
            else:
                regions.append([frm, to])
            return count[0] >= cap  # True stops the scan: bounded work on word soup
        try:
            self._bip_db.scan(data, match_event_handler=on)
        except _hs.ScanTerminated:
            pass
        if count[0] >= cap and regions:
            regions[-1][1] = len(data)
        return [(a, b) for a, b in regions]

    @staticmethod
    def _compile_hs(exprs, ids, flags):
        hf = []
        for i, f in zip(ids, flags):
            v = 0
            if f == "som":
                v |= _hs.HS_FLAG_SOM_LEFTMOST
            elif i >= ID_LITERAL or i in (ID_DELIM, ID_ROT13):
                v |= _hs.HS_FLAG_SINGLEMATCH
            if f == "caseless":
                v |= _hs.HS_FLAG_CASELESS
            hf.append(v)
        try:
            return _cached_db("dlp-main", exprs, ids, hf)
        except Exception:
            # A pattern Hyperscan cannot take exactly: compile all in prefilter mode
            # (a superset), which is safe because every hit is confirmed.
            return _cached_db("dlp-main-prefilter", exprs, ids, [f | _hs.HS_FLAG_PREFILTER for f in hf])

    def scan(self, data: bytes) -> tuple[dict[int, list[int]], list[tuple[int, int]]]:
        """Return ({id: end offsets (at most MAX_ENDS, then [-1] = 'many')}, blob byte spans)."""
        hits: dict[int, list[int]] = {}
        blobs: list[tuple[int, int]] = []
        data = data + b"\n"
        if self._db is not None:
            def on(i, frm, to, _f, _c):
                if i == ID_BLOB:
                    if len(blobs) < MAX_BLOBS:
                        blobs.append((frm, to - 1))
                    return None
                ends = hits.get(i)
                if ends is None:
                    hits[i] = [to]
                elif ends[-1] != -1:
                    if len(ends) >= MAX_ENDS:
                        ends.append(-1)
                    elif to - ends[-1] > 0:
                        ends.append(to)
                return None
            self._db.scan(data, match_event_handler=on)
            return hits, blobs
        for i, rx in self._fallback:
            if i == ID_BLOB:
                blobs = [(m.start(), m.end() - 1) for m in rx.finditer(data)][:MAX_BLOBS]
            elif rx.search(data):
                hits[i] = [-1]  # no offsets from the fallback: confirm over the whole text
        return hits, blobs


    def field_ends(self, data: bytes, cap: int = 20000):
        """(last byte offsets of rule hits, blob spans) in data, in one pass and without
        confirmation; None when positions cannot say which field a match is in (a
        single-match literal or delimited-hex hit, too many events, no Hyperscan)."""
        if self._db is None:
            return None
        ends: list[int] = []
        blobs: list[tuple[int, int]] = []
        bad = [False]

        def on(i, frm, to, _f, _c):
            if i == ID_BLOB:
                blobs.append((frm, to - 1))
            elif i >= ID_LITERAL or i in (ID_DELIM, ID_ROT13):
                bad[0] = True
                return True
            else:
                ends.append(to - 1)
            if len(ends) + len(blobs) >= cap:
                bad[0] = True
                return True  # stop: every field is scanned
            return None
        try:
            self._db.scan(data + b"\n", match_event_handler=on)
        except _hs.ScanTerminated:
            pass
        return None if bad[0] else (ends, blobs)


def _cached_db(tag: str, exprs, ids, flags):
    """Compiled database from the shared on-disk cache (start-up time), else compiled here."""
    try:
        from ...match.hscache import cached_compile
    except Exception:  # pragma: no cover - the cache module is part of the package
        cached_compile = None
    if cached_compile is not None:
        db = cached_compile(tag, list(exprs), list(ids), list(flags))
        if getattr(db, "scratch", None) is None:
            db.scratch = _hs.Scratch(db)  # a database loaded from the cache comes without one
        return db
    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    db.compile(expressions=list(exprs), ids=list(ids), flags=list(flags))
    return db


def _merge(spans):
    out: list[list[int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1][1] = max(b, out[-1][1])
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


@functools.lru_cache(maxsize=8)
def _names_db(ctx_words: tuple[str, ...]):
    """Literal Hyperscan db over field names: id 0 a context keyword, id 1 a
    sensitive-key hint (each reported once)."""
    if _hs is None:
        return None
    exprs = [re.escape(w).encode() for w in ctx_words] + [re.escape(h).encode() for h in _SENSITIVE_HINTS]
    ids = [0] * len(ctx_words) + [1] * len(_SENSITIVE_HINTS)
    flags = [_hs.HS_FLAG_CASELESS | _hs.HS_FLAG_SINGLEMATCH] * len(exprs)
    try:
        return _cached_db("dlp-names", exprs, ids, flags)
    except Exception:  # the substring fallback gives the same answer
        return None


@functools.lru_cache(maxsize=8)
def _matcher_for(rules: tuple[DlpRule, ...], literals: tuple[_Literal, ...], fast: bool) -> _Matcher:
    """Compiled databases are immutable: share them across scanners with the same rules
    (config reloads, one Engine per test) instead of recompiling (~0.3 s)."""
    return _Matcher(list(rules), list(literals))


MAX_ENDS, MAX_BLOBS = 256, 4096
SMALL_MAX = 8192  # fields up to this many chars in all are first tried on the one-pass clean proof
PER_FIELD_MAX = 32  # above this many fields, scan them joined (with attribution) instead of one by one
WINDOW = 1024  # bytes either side of a pre-filter hit that confirmation looks at

