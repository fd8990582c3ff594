"""Family patterns to hyperscan: one database of linear supersets (plus trigger regexes)
reports where a match may end; `re` then confirms each candidate in a window ending there.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import threading

from ...match import rewrite
from ...match.rewrite import skip_group
from ...rules import injection as R
from ...rules import injection_markup as M
from .chars import compile_runs, FLAGS, HOMO_PAIRS, INVISIBLE, SPACES

_PARTS_WIDTH = 420           # verb + 6 words + object: the confirm window of a family built from parts


# ---------------------------------------------------------------- triggers (prefilter-only ids)
TRIGGERS = {
    "b64": r"[a-z0-9+/_-]{24}",
    "hex": r"(?:[0-9a-f]{2}){12}|(?:\\x[0-9a-f]{2}){6}",
    "pct": r"%[0-9a-f]{2}[^%\s]{0,12}%[0-9a-f]{2}[^%\s]{0,12}%[0-9a-f]{2}",
    "ent": r"&#x?[0-9a-f]{1,6};|&amp;#x?[0-9a-f]{1,6};",
    "jsu": r"\\u[0-9a-f]{4}",
    "bytes": r"\[\s*(?:\d{1,3}\s*,\s*){7}",
    # quoted-printable: two =XX escapes close together, or a soft line break inside a word
    "qp": r"=[0-9a-f]{2}[^=\s]{0,16}=[0-9a-f]{2}|[a-z]=\r?\n[a-z]",
    "dhex": r"(?:\\x[0-9a-f]{2}){8}|(?:0x[0-9a-f]{2}[, ]{0,2}){8}|[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}",
    "exotic": (r"<~|&lt;~|begin(?:-base64)? [0-7]{3} |\\{1,2}[0-3][0-7]{2}\\{1,2}[0-3][0-7]{2}"
               r"|=\?[\w.:-]{1,40}\?[bq]\?|\+a[a-z0-9+/]{2,}-|\+[a-z0-9/][a-z0-9+/]{15,}-"),
    "comment": r"<!--",
    "css": R.HIDDEN_TRIGGER + "|" + M.HIDDEN_TRIGGER_MORE,
    "nonrender": M.NON_RENDERED_TRIGGER,
    "leet": r"[a-z][0134579@$|!][a-z]|[0134579@$|][a-z]{2}",
    "markup": R.MARKUP_TRIGGER,
}
# (No Base45 trigger: class-led, it cost ~2.5 ms/MB of every ASCII page among the others;
# views.decoded_views asks text/exotic's hints of ASCII text instead, ~0.7 ms/MB.)


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


HS_CUT = "(?#hs)"


def lead_superset(p: str, flags: str, wide: bool = False):
    """The whole pattern as a linear superset (of any text when `wide`, else of ASCII
    text), or None when the linear engine refuses it."""
    try:
        q = hs_pattern(p.replace(HS_CUT, ""))
        return compile_runs(flags + (_widen(q) if wide else q))
    except Exception:
        return None


def hs_pattern(p: str) -> str:
    """A superset of `p` in hyperscan's dialect that compiles quickly: no word
    boundaries or lookarounds, and long bounded repeats opened up. A top-level
    `(?#hs)` comment drops everything before it: the suffix still ends wherever a
    match ends, and a long alternation of openers ("pretend you are", "roleplay
    as", ...) in front of another alternation costs seconds to compile."""
    cut = p.find(HS_CUT)
    if cut != -1:
        p = p[cut + len(HS_CUT):]
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
            i = skip_group(p, i)
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


# ---------------------------------------------------------------- prefilter: whole patterns in hyperscan
# Every family pattern is compiled, as a superset in hyperscan's dialect (see
# `hs_pattern`), into one database that also holds the trigger regexes. One
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
DBS_LOCK = threading.Lock()
_DB_KEY_LOCKS: dict[str, threading.Lock] = {}


def hs_compile(hs, exprs: list[str], ids: list[int], flags: list[int], keep=None, keep_tag: str = "",
                load_only: bool = False):
    """Compiled database, shared in-process and cached on disk by match/hscache (the
    one disk cache, with its checks on the directory and files); `keep`, `load_only`
    (None when not cached): see there."""
    from ...match.hscache import cached_compile
    key = hashlib.sha256(json.dumps([exprs, ids, flags, keep_tag]).encode()).hexdigest()
    with DBS_LOCK:
        db = _DBS.get(key)
        if db is not None:
            return db
        key_lock = _DB_KEY_LOCKS.setdefault(key, threading.Lock())
    with key_lock:   # one build per database; other databases (and shared_matcher()) do not wait for it
        with DBS_LOCK:
            db = _DBS.get(key)
        if db is None:
            db = cached_compile("injection", [e.encode() for e in exprs], list(ids), list(flags),
                                hs.HS_MODE_BLOCK, keep=keep, keep_tag=keep_tag, load_only=load_only)
            if db is not None:
                with DBS_LOCK:
                    _DBS[key] = db
        return db


def hs_forms(patterns: list[str]) -> tuple[list[str], list[str]]:
    """([hs_pattern(p)], [the same widened for the UTF-8 database]) for every pattern,
    kept on disk by match/hscache (~45 ms of CPU every start otherwise), keyed by the
    patterns and the rewriting code's source (this module and match/rewrite's group skipper)."""
    def make():
        forms = [hs_pattern(p) for p in patterns]
        return [forms, [_widen(f, _DB_SPACE) for f in forms]]
    try:
        src = b""
        for path in (__file__, rewrite.__file__):
            with open(path, "rb") as f:
                src += f.read() + b"\0"
    except OSError:
        got = make()
    else:
        from ...match.hscache import cached_json
        digest = hashlib.sha256(src + b"\0" + "\0".join(patterns).encode("utf-8", "surrogatepass")).hexdigest()
        got = cached_json("injection-hs-forms", [digest, len(patterns)], make)
    forms, wide = got
    if len(forms) != len(patterns) or len(wide) != len(patterns):   # never with a sound key: derive afresh
        forms, wide = make()
    return forms, wide


def _ascii_keep(patterns: list[str]):
    """For the database that scans only ASCII text: drop the patterns no ASCII text can
    match (about 220 of the 44 languages' patterns: 10.4 -> 5.2 MB resident, half the
    compile time). Triggers (indexes past the patterns) are kept."""
    from ...match.ascii import VERSION, can_match_ascii
    return (lambda k: k >= len(patterns) or can_match_ascii(patterns[k], FLAGS)), f"ascii-text-v{VERSION}"


_RES: dict[str, re.Pattern] = {}
_MATCHER: list = []
_WIDE_BUILD_MAX_S = 600.0  # a cold build of the UTF-8 databases takes ~20 s on a busy 2-core machine
_COLD_FALLBACK_MAX = 65536  # chars matched without a database still being built (~0.1-0.4 s); longer texts wait


class Lazy:
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


class LazyPattern:
    """re.compile(src, flags), made on its first search (a part is confirmed only near a
    hit of its family; compiling all ~100 costs a one-shot `ringfence check` ~0.1 s)."""

    __slots__ = ("_src", "_flags", "_rx")

    def __init__(self, src: str, flags: int = 0):
        self._src, self._flags, self._rx = src, flags, None

    @property
    def pattern(self) -> str:
        return self._src

    def compiled(self) -> re.Pattern:
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self._src, self._flags)
        return rx

    def search(self, *args):
        return self.compiled().search(*args)


def _trigger_re(t: str) -> re.Pattern:
    return re.compile(t, re.IGNORECASE)


def pattern_width(src: tuple[str, bool]) -> int:
    p, parts = src
    return _PARTS_WIDTH if parts else _max_width(p)


def compile_confirm(p: str) -> re.Pattern:
    rx = _RES.get(p)
    if rx is None:
        rx = _RES[p] = re.compile(p, FLAGS)
    return rx


def wait_for_databases(timeout: float = _WIDE_BUILD_MAX_S) -> bool:
    """Build (or load) every injection database now and wait for them: `make setup`
    fills the disk cache with this. False when not done within `timeout` seconds."""
    return shared_matcher().wait_built(timeout)


def shared_matcher() -> "_Matcher":
    """The one matcher over all families (built once per process: start-up cost)."""
    with DBS_LOCK:
        if _MATCHER:
            return _MATCHER[0]
    m = _Matcher([p for fam in R.FAMILIES for p, _ in fam.patterns], list(TRIGGERS.values()))
    with DBS_LOCK:
        if not _MATCHER:
            _MATCHER.append(m)
        return _MATCHER[0]


class _Matcher:
    """Where each family pattern may match in a text, and which triggers occur.
    `scan(text)` -> ({pattern index: sorted candidate end offsets (chars), or None when
    there were too many}, {trigger index}). Without hyperscan every pattern is a
    candidate everywhere (ends None) and triggers are searched with `re`.

    Trigger indexes past the given triggers are the `PRESENCE` flags (which
    characters the text holds); they count only when index `exact` is reported too.
    ASCII text is scanned one byte per char; other text as UTF-8 with the widened
    database (every pattern and trigger, see `_widen`, plus the presence flags), so
    non-ASCII prose costs one C pass and no per-character Python."""

    def __init__(self, patterns: list[str], triggers: list[str]):
        self.n = len(patterns)
        self.exact = len(triggers) + len(PRESENCE)
        self._trig_res = Lazy(_trigger_re, triggers)   # used only without a database
        self._lock = threading.Lock()
        self._db = self._wide_db = None
        self._hs = False
        self._narrow_ready = threading.Event()
        self._wide_ready = threading.Event()
        self._wide_spec = None             # (hs_compile arguments) of a wide database loaded on first use
        self._wide_lock = threading.Lock()
        self._narrow_error: BaseException | None = None
        self._wide_error: BaseException | None = None
        try:
            import hyperscan as hs
        except Exception:  # pragma: no cover - hyperscan is an optional speed-up
            return
        self._hs = True
        base = hs.HS_FLAG_UTF8 | hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
        forms, self._wide_forms = hs_forms(patterns)
        exprs = forms + list(triggers)
        flags = [base] * len(patterns) + [hs.HS_FLAG_CASELESS | hs.HS_FLAG_SINGLEMATCH] * len(triggers)
        keep, keep_tag = _ascii_keep(patterns)   # this database scans ASCII text only
        narrow = (hs, exprs, list(range(len(exprs))), flags, keep, keep_tag)
        self._db = hs_compile(*narrow, load_only=True)
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
                self._db = hs_compile(*narrow)
            except BaseException as e:  # surfaces on the next ASCII scan (fail closed)
                self._narrow_error = e
            finally:
                self._narrow_ready.set()
        try:
            one = hs.HS_FLAG_UTF8 | hs.HS_FLAG_SINGLEMATCH
            wide = (list(self._wide_forms)
                    + [_widen(t, _DB_SPACE) for t in triggers]
                    + list(PRESENCE.values()))
            wflags = ([base] * len(patterns) + [one | hs.HS_FLAG_CASELESS] * len(triggers)
                      + [one] * len(PRESENCE))
            spec = (hs, wide, list(range(len(wide))), wflags)
            from ...match.hscache import is_cached
            if is_cached("injection", [e.encode() for e in wide], spec[2], wflags, hs.HS_MODE_BLOCK):
                # on disk: loaded by the first non-ASCII scan (~10 MB resident a process
                # that reads only ASCII never needs; loading takes tens of ms)
                self._wide_spec = spec
            else:
                self._wide_db = hs_compile(*spec)
        except BaseException as e:  # surfaces on the first non-ASCII scan (fail closed)
            self._wide_error = e
        finally:
            self._wide_ready.set()

    def _load_wide(self) -> None:
        with self._wide_lock:
            if self._wide_db is None and self._wide_spec is not None:
                try:
                    self._wide_db = hs_compile(*self._wide_spec)
                except BaseException as e:  # fail closed, now and on every later scan
                    self._wide_error = e
                    raise RuntimeError(f"UTF-8 pattern database: {e!r}") from e

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
        if self._wide_db is None:
            self._load_wide()
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
        flag0 = self.exact - len(PRESENCE)
        special, rare = flag0 + list(PRESENCE).index("special"), flag0 + list(PRESENCE).index("rarespace")
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
PRESENCE = {
    "invis": "(?:" + _hs_class(INVISIBLE + SPACES) + "|[\\x{e0000}-\\x{e007f}])",
    "drop": "(?:" + _hs_class(INVISIBLE) + "|[\\x{e0000}-\\x{e007f}])",
    "special": _hs_class("".join(c for c, _ in _CASE_SPECIAL)),
    "rarespace": _hs_class(_RARE_SPACES),
    "braille": "[\\x{2800}-\\x{28ff}]{8}",  # bytes written as Braille patterns
    "homo": _hs_class("".join(p[0] for p in HOMO_PAIRS.split())),
    "mixed": ("[A-Za-z]" + _hs_class("".join(p[0] for p in HOMO_PAIRS.split())) + "|"
              + _hs_class("".join(p[0] for p in HOMO_PAIRS.split())) + "[A-Za-z]"),
}


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
        exprs = [hs_pattern(rx.pattern[len("(?im)"):]) if rx.pattern.startswith("(?im)") else None
                 for n, rx in ((n, part_pre[n]) for n in names)]
        if names and all(exprs):
            base = hs.HS_FLAG_UTF8 | hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
            got = (hs_compile(hs, exprs, list(range(len(names))), [base] * len(names)), names)
    except Exception:
        got = None
    with DBS_LOCK:
        if not _PARTS_DB:
            _PARTS_DB.append(got)
        return _PARTS_DB[0]


def parts_hs_ends(part_pre: dict, text: str) -> dict[str, list[int] | None] | None:
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


# ---------------------------------------------------------------- helpers
def _max_width(p: str) -> int:
    """Longest likely match of p (open repeats counted as short runs): the window size for confirms."""
    q = re.sub(r"(?<!\\)\+", "{1,24}", re.sub(r"(?<!\\)\*", "{0,8}", p))
    try:
        w = _sre.parse(q, re.IGNORECASE).getwidth()[1]
    except Exception:
        return 1200
    return max(64, min(1200, int(w) + 16))


def candidate_ends(rx, text: str, chunk: int = 8192, overlap: int = 512) -> list[int]:
    """Ends of rx's matches, found chunk by chunk (overlapping): the RE2 binding maps each
    match back to character offsets from its subject's start, so a short subject keeps that
    linear. ASCII text is searched as bytes (the same matches, no offset mapping at all)."""
    ends: set[int] = set()
    pos = 0
    if text.isascii() and type(rx) is not re.Pattern:
        brx = _BYTES_RX.get(rx.pattern)
        if brx is None:
            brx = _BYTES_RX[rx.pattern] = compile_runs(rx.pattern.encode("utf-8"))
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
