"""The DLP scanner: `scan` (one text) and `scan_fields` (a request's fields, alone,
joined and in pairs, for secrets split across fields). Each view of the text
(views.py) goes through the one multi-pattern pass (matcher.py); only the rules that
hit are confirmed with Python `re`, validators, entropy and context (context.py).

Sans-io: reads os.environ once at construction (config-time), nothing per scan.
"""
from __future__ import annotations

import bisect
import math
import operator
import os
import re
from itertools import accumulate
from typing import Callable, Iterable

from ...core import Finding, redact
from ...rules.dlp import RULES
from ...text import exotic
from ...text.blobs import decode_blob, decode_blob_cached, unescape
from .. import mnemonics, public_ids
from .. import validators as V
from ..entropy import is_public_id
from ...text.chars import rot13
from .context import _SENSITIVE_HINTS, _VALIDATORS, _field_key_sensitive, is_dummy, is_placeholder, secret_like
from .envs import _encodings, env_secrets
from . import matcher
from .matcher import (ID_LITERAL, ID_ROT13, MAX_BLOBS, MAX_ENDS, PER_FIELD_MAX, SMALL_MAX, WINDOW,
                      _Literal, _SEED_RUN, _matcher_for, _names_db)
from .seeds import seed_candidates, vocabulary_reuse
from .views import SPECIAL, View, decode_layer, first_views, normalize, split_text

_SECRET_WORD = re.compile(r"key|secret|token|passw|pwd|auth|cred|private")
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{20,64}={0,2}(?![A-Za-z0-9+/_=-])")


def _never(_a: int, _b: int) -> bool:
    return False


def _fields_matching(rx: re.Pattern, names: list[str]) -> set[int]:
    """Indices of the names rx finds something in: one search over all names joined."""
    joined = "\n".join(names)
    starts, pos = [], 0
    for n in names:
        starts.append(pos)
        pos += len(n) + 1
    return {bisect.bisect_right(starts, m.start()) - 1 for m in rx.finditer(joined)}


def _further_layer(text: str, a: int, b: int) -> bool:
    """Whether the token at a..b, with its neighbourhood on the line, is another encoded
    layer (UTF-7 shifts, Base45, Ascii85 ...) that text/exotic.py reads as a whole."""
    ls = text.rfind("\n", 0, a) + 1
    le = text.find("\n", b)
    line = text[ls: le if le >= 0 else len(text)][:4096]
    kinds = exotic.hints(line, wrapped=False) if len(line) >= 16 else ()
    return bool(kinds) and any(s <= a - ls and e >= b - ls for _n, _t, s, e in exotic.decode(line, kinds=kinds))


class DlpScanner:
    """Built once per config. `scan` and `scan_fields` are pure and thread-safe."""

    def __init__(self, config):
        c = config.dlp
        self.enabled = c.enabled
        self.action = c.action
        self.max_depth = c.max_decode_depth
        self.max_bytes = c.max_scan_bytes
        disabled = set(c.disabled_rules)
        disabled |= {d.split(":", 1)[1] for d in c.disabled_rules if d.startswith("dlp:")}
        self.disabled = disabled
        self.rules = [r for r in RULES if r.id not in disabled]
        self._rx = [re.compile(r.pattern, re.ASCII | (re.I if r.ignore_case else 0)) for r in self.rules]
        lits: list[_Literal] = []
        if c.scan_env and "env_secret" not in disabled:
            for name, value in env_secrets(dict(os.environ), c.env_min_length):
                for form, enc, caseless in _encodings(value):
                    lits.append(_Literal("env", name, form, enc, caseless))
        if "canary_token" not in disabled:
            for can in c.canaries:
                if len(can) >= 8:
                    lits.append(_Literal("canary", can, can, "raw", True))
        self.literals = lits
        self._matcher = _matcher_for(tuple(self.rules), tuple(lits), matcher._hs is not None)
        self._bip39 = "bip39_seed_phrase" not in disabled
        self._electrum = "electrum_seed" not in disabled
        self._hi_entropy = "encoded_high_entropy" not in disabled
        self._field_rule = "secret_field" not in disabled
        words = sorted({k for r in self.rules for k in r.context}, key=lambda w: (-len(w), w))  # one order in every process (the cache key)
        self._ctx_names = re.compile("|".join(re.escape(k) for k in words), re.I) if words else None
        self._ctx_words = tuple(words)
        self._names_db = _names_db(self._ctx_words)
        exotic.warm()  # the decoders' hint databases: built at start-up, not on the first request

    # -- public ------------------------------------------------------------
    def scan(self, text: str, where: str = "") -> list[Finding]:
        if not self.enabled or not text:
            return []
        out: list[Finding] = []
        seen: set[tuple[str, str]] = set()
        if len(text) > self.max_bytes:
            self._add(out, seen, "scan_limit", "high", f"{len(text)} chars > {self.max_bytes}", where, None)
            text = text[: self.max_bytes]
        self._scan_text(text, where, out, seen)
        return out

    def scan_fields(self, fields: Iterable[tuple[str, str]]) -> list[Finding]:
        """Each field alone, then the fields joined (glued, space-separated, adjacent
        pairs) for secrets split across fields. A field named "body" ahead of other
        fields is the whole text they were split from: it is scanned alone and kept
        out of the joins (its neighbours there would be artefacts)."""
        if not self.enabled:
            return []
        fields = [(w, v) for w, v in fields if isinstance(v, str) and v]
        out: list[Finding] = []
        seen: set[tuple[str, str]] = set()
        total = sum(map(len, [v for _, v in fields]))
        if total > self.max_bytes:
            self._add(out, seen, "scan_limit", "high", f"{total} chars > {self.max_bytes}", "fields", None)
            return out
        if total <= SMALL_MAX and self._clean_small(fields):
            return out
        if len(fields) > 1 and fields[0][0] == "body":
            self._scan_field(fields[0][0], fields[0][1], out, seen)
            fields = fields[1:]
        if len(fields) == 1:
            self._scan_field(fields[0][0], fields[0][1], out, seen)
            return out
        if not fields:
            return out
        # One Hyperscan pass over all fields picks the ones that can hold a finding;
        # the rest (most of a JSON body's leaves, most headers) cost no Python work.
        names = [w for w, _ in fields]
        has_ctx, has_key = self._name_words(names)
        ctx = _fields_matching(self._ctx_names, names) if has_ctx else set()
        hot = self._hot_fields(fields, ctx)
        named = ({k for k, n in enumerate(names) if _field_key_sensitive(n)} if self._field_rule and has_key
                 else set())
        for k, (where, value) in enumerate(fields):
            if hot is None or k in hot:
                self._scan_field(where, value, out, seen)
            elif k in named:
                self._check_field(where, value, out, seen)
        if len(fields) > PER_FIELD_MAX:
            # many fields: neighbours' text counts as context inside a field too
            self._scan_join(fields, " ", out, seen, bool(ctx), single=True)
            self._scan_join(fields, "", out, seen, bool(ctx))
        else:
            self._scan_join(fields, "", out, seen, bool(ctx))
            self._scan_join(fields, " ", out, seen, bool(ctx))
        self._scan_pairs(fields, out, seen, bool(ctx))
        self._scan_split(fields, out, seen)
        return out

    def scan_split(self, fields: Iterable[tuple[str, str]]) -> list[Finding]:
        """Only the split join of these fields (pieces glued back, in both orders): for
        carriers that are scanned apart, such as the headers and the URL of one request."""
        out: list[Finding] = []
        if self.enabled:
            fields = [(w, v) for w, v in fields if isinstance(v, str) and v]
            seen: set[tuple[str, str]] = set()
            self._scan_split(fields, out, seen)
            self._scan_split(fields, out, seen, reverse=True)
        return out

    def _scan_split(self, fields, out, seen, reverse: bool = False) -> None:
        """A token split over non-adjacent fields (NDJSON lines, nested arguments, a
        cookie and a header) or over fields that arrive as name=value: its pieces glued
        back, every pair in order and all of them, matched by the rule patterns only
        (pieces of a token are no encoded blob)."""
        text = split_text(fields, reverse)
        if not text:
            return
        hits, _ = self._matcher.scan(text.encode("utf-8", "surrogatepass"))
        hits = {i: e for i, e in hits.items() if i < len(self.rules) and not self.rules[i].context}
        if hits:
            self._scan_view(View(text, False, False), hits, "fields (split)", out, seen, None, None)

    def _clean_small(self, fields) -> bool:
        """True when no per-field scan, join or pair scan can find anything: proven by
        one pre-filter pass over every text those scans look at (fields apart, glued,
        spaced, adjacent pairs; "\n" between them is a word and blob boundary like the
        start and end of a lone text, and the pre-filters have no anchors but \b, so
        each match in one of those texts is a match here). Clean means: ASCII with no
        other views, no context or sensitive-key word in a name, no rule or literal
        hit, no blob candidate that decodes, no seed-shaped run."""
        m = self._matcher
        if m._db is None or (self._bip39 and m._bip_db is None):
            return False
        vals = [v for _, v in fields]
        parts = ["\n".join(vals), "".join(vals), " ".join(vals)]
        if len(vals) >= 3:
            parts.append("".join([vals[i] + vals[i + 1] + "\n" for i in range(len(vals) - 1)]))
        parts.append(split_text(fields))
        text = "\n".join(parts)
        if not text.isascii() or SPECIAL.search(text, chars_in=parts[0]):   # (every piece is cut from a value)
            return False
        names = [w for w, _ in fields]
        has_ctx, has_key = self._name_words(names)
        if has_ctx or (has_key and self._field_rule and any(map(_field_key_sensitive, names))):
            return False
        data = text.encode("ascii")
        hits, blobs = m.scan(data)
        if len(blobs) >= MAX_BLOBS:
            return False
        if hits:
            # a pre-filter hit (a context rule's keyword in a host name, say) is clean
            # when its rule matches none of the texts the full scan would confirm in
            texts = [*vals, *parts[1:]]
            for i in hits:
                if i >= len(self.rules):
                    return False
                rx = self._rx[i]
                if any(rx.search(t) for t in texts):
                    return False
        for piece in {data[a:b] for a, b in blobs}:   # the joins repeat each blob
            if decode_blob_cached(piece):
                return False
        return not (self._bip39 and m.seed_regions(data))

    def _name_words(self, names: list[str]) -> tuple[bool, bool]:
        """(a context keyword, a sensitive-key hint) occurs in some field name: one
        literal pass over all names (a 10 KB JSON body has ~800 of them)."""
        if self._names_db is None:
            low = "\n".join(names).lower()
            return any(w in low for w in self._ctx_words), any(h in low for h in _SENSITIVE_HINTS)
        found: set[int] = set()
        self._names_db.scan("\n".join(names).encode("utf-8", "surrogatepass"),
                            match_event_handler=lambda i, *_: found.add(i))
        return 0 in found, 1 in found

    def _scan_field(self, where: str, value: str, out, seen) -> None:
        n = len(out)
        self._scan_text(value, where, out, seen)
        if self._field_rule and len(out) == n:
            self._check_field(where, value, out, seen)

    def _hot_fields(self, fields, ctx: set[int] = frozenset()) -> set[int] | None:
        """Indices of fields a per-field scan could find something in (None: all).

        Exact: fields are joined with "\n" (like the start and end of a lone field, it
        is a word and blob boundary), so every match in a field alone is a match that
        ends in that field's stretch of the join. A blob candidate that decodes to
        nothing yields nothing. Fields with escapes, non-ASCII or control chars (other
        views), or a context keyword in their name, are always scanned."""
        hot: set[int] = set(ctx)  # fields with a context keyword in their name
        vals = [v for _, v in fields]
        text = "\n".join(vals)
        if text.isascii():
            if SPECIAL.search(text):
                hot.update(k for k, v in enumerate(vals) if SPECIAL.search(v))
            data = text.encode("ascii")
            lens = [len(v) for v in vals]
        else:
            hot.update(k for k, v in enumerate(vals) if not v.isascii() or SPECIAL.search(v))
            enc = [v.encode("utf-8", "surrogatepass") for v in vals]
            data = b"\n".join(enc)
            lens = [len(b) for b in enc]
        if len(hot) == len(vals):
            return hot
        got = self._matcher.field_ends(data)
        if got is None:
            return None
        ends, blobs = got
        starts, pos = [], 0
        for n in lens:
            starts.append(pos)
            pos += n + 1
        for e in ends:
            hot.add(bisect.bisect_right(starts, e) - 1)
        for a, b in blobs:
            k = bisect.bisect_right(starts, a) - 1
            if k not in hot and decode_blob_cached(data[a:b]):
                hot.add(k)
        if self._bip39 and len(data) >= 12 * 4:
            for a, b in self._matcher.seed_regions(data):
                hot.update(range(max(0, bisect.bisect_right(starts, a) - 1), bisect.bisect_right(starts, b)))
        return hot

    def _scan_join(self, fields, sep: str, out, seen, named: bool, single: bool = False) -> None:
        vals = [v for _, v in fields]
        joined = sep.join(vals)
        if not named:
            if sep:  # a separator that is no blob char: no blob crosses a seam
                crosses = _never
            else:
                lens = list(map(len, vals))
                starts = [0, *accumulate(lens[:-1])]

                def crosses(a: int, b: int) -> bool:  # runs past the end of the field it starts in
                    k = bisect.bisect_right(starts, a) - 1
                    return b > starts[k] + lens[k]
            if not self._join_needed(joined, crosses):
                return
        _, bounds = self._join(fields, sep)
        self._scan_text(joined, "", out, seen, bounds=bounds, fields=fields, single=single)

    def _scan_pairs(self, fields, out, seen, named: bool) -> None:
        """Adjacent pairs glued together, pairs apart: a secret split in two keeps
        its own edges (the full join can glue a neighbour onto its first char)."""
        if len(fields) < 3:
            return
        vals = [v for _, v in fields]
        text = "".join([vals[i] + vals[i + 1] + "\n" for i in range(len(vals) - 1)])
        if not named:
            lens = list(map(len, vals))
            pair = list(map(operator.add, lens[:-1], lens[1:]))  # pair i starts at sum(pair[:i]) + i
            starts = list(map(operator.add, [0, *accumulate(pair[:-1])], range(len(pair))))

            def crosses(a: int, b: int) -> bool:
                i = bisect.bisect_right(starts, a) - 1
                return a < starts[i] + lens[i] < b
            if not self._join_needed(text, crosses):
                return
        bounds, pos = [], 0
        for i in range(len(vals) - 1):
            a, b = len(vals[i]), len(vals[i + 1])
            bounds += [(pos, pos + a), (pos + a, pos + a + b), (pos + a + b, pos + a + b + 1)]
            pos += a + b + 1
        pf = []
        for i in range(len(fields) - 1):
            pf += [fields[i], fields[i + 1], ("", "\n")]
        self._scan_text(text, "", out, seen, bounds=bounds, fields=pf)

    def _join_needed(self, text: str, crosses: Callable[[int, int], bool]) -> bool:
        """Can a scan of joined fields add anything to the per-field scans? Only a
        match across a seam can (or, with `single`, any rule hit): so not when the
        text has no other views, no rule or literal hit, no seed-shaped run, and every
        blob candidate either lies inside one field (the per-field scan decoded it
        already) or decodes to nothing."""
        if not text.isascii() or SPECIAL.search(text) or self._matcher._db is None:
            return True
        data = text.encode("ascii")
        hits, blobs = self._matcher.scan(data)
        if hits:
            return True
        for a, b in blobs:
            if crosses(a, b) and decode_blob_cached(data[a:b]):
                return True
        return self._bip39 and len(data) >= 12 * 4 and bool(self._matcher.seed_regions(data))

    # -- internals -----------------------------------------------------------
    @staticmethod
    def _join(fields, sep):
        parts, bounds, pos = [], [], 0
        for _, v in fields:
            parts.append(v)
            bounds.append((pos, pos + len(v)))
            pos += len(v) + len(sep)
        return sep.join(parts), bounds

    def _add(self, out, seen, rule, severity, excerpt, where, span):
        key = (rule, excerpt)
        if key in seen:
            return
        seen.add(key)
        out.append(Finding("dlp", rule, severity, excerpt, where, self.action, span))

    def _check_field(self, where: str, value: str, out, seen) -> None:
        if where.endswith("#key") or not _field_key_sensitive(where):
            return  # a JSON key is judged by the secret patterns, not by its own name
        v = value.strip()
        name = where.rsplit(".", 1)[-1]
        if name and v.startswith(name + "="):  # JSON/form leaves arrive as `name=value`
            v = v[len(name) + 1:]
        if v.lower().startswith(("bearer ", "basic ", "token ")):
            v = v.split(None, 1)[1] if " " in v else v
        bare = v.split(": ", 1)[1] if where.startswith("header.") and ": " in v else v  # "X-Api-Key: value"
        if secret_like(v) and not public_ids.benign_hit("secret_field", bare, bare, 0, len(bare), where):
            self._add(out, seen, "secret_field", "high", redact(v), where, None)

    def _scan_text(self, text, where, out, seen, bounds=None, fields=None, single=False) -> None:
        views = first_views(text)
        scanned = [(v, *self._matcher.scan(v.data)) for v in views]
        budget = [max(65536, 2 * len(text))]
        frontier = scanned
        seen_text: set[str] = set()
        for _depth in range(self.max_depth):
            decoded: list[str] = []
            for v, hits, blobs in frontier:
                for t in decode_layer(v, hits, blobs, budget):
                    if t not in seen_text:
                        seen_text.add(t)
                        decoded.append(t)
            if not decoded:
                break
            # " \n" between texts: one ending in '=' (or %3D) then "\n" would read as a quoted-printable soft break
            joined = " \n".join(decoded)
            dv = View(normalize(unescape(joined)), True, False)
            item = (dv, *self._matcher.scan(dv.data))
            scanned.append(item)
            frontier = [item]
            if "%" in joined and dv.text != normalize(joined):
                # a '%' that is text (card track 1 "%B4...") is no escape: the decoded text as it is, too
                lit = View(normalize(joined), True, False)
                scanned.append((lit, *self._matcher.scan(lit.data)))
        rot_views = 0
        for v, hits, _ in list(scanned):
            if ID_ROT13 in hits and rot_views < 4:  # a ROT13'd rule prefix or secret word: scan its ROT13 too
                rot_views += 1
                rv = View(normalize(rot13(v.text)), v.decoded, False, rotated=True)
                scanned.append((rv, *self._matcher.scan(rv.data)))
        for v, hits, _ in scanned:
            self._scan_view(v, hits, where, out, seen, bounds, fields, single)

    def _scan_view(self, view: View, hits, where, out, seen, bounds, fields, single=False) -> None:
        text = view.text
        if bounds is None:
            names = where.lower()
            if names and self._ctx_names is not None and self._ctx_names.search(names):
                # a context keyword in the field name ("X-Amz-Secret-Key") stands in for one in the text
                hits = dict(hits)
                for i, r in enumerate(self.rules):
                    if r.context and any(k in names for k in r.context):
                        hits[i] = [-1]
        elif view.raw and fields and self._ctx_names is not None:
            hits = self._name_context_hits(view, hits, bounds, fields)
        w = where + " (decoded)" if view.decoded and where else ("decoded" if view.decoded else where)
        for i in sorted(hits):
            if i < len(self.rules):
                self._confirm(i, view, hits[i], w, out, seen, bounds, fields, single)
            elif i >= ID_LITERAL:
                self._literal(self.literals[i - ID_LITERAL], text, w, out, seen)
        if self._bip39 and len(text) >= (12 * 4 if view.ascii else 12 * 2 - 1):  # CJK words: 1+ chars
            self._seed_phrase(text, w, out, seen, view.data)
        if view.decoded and self._hi_entropy and not view.rotated:
            # (a rotated view's tokens are its source's, already judged there)
            self._encoded_entropy(text, w, out, seen)

    def _name_context_hits(self, view: View, hits, bounds, fields):
        """Joined fields: a context rule is confirmed near the fields whose name carries
        its keyword (a secret split from such a field runs into its neighbour), not
        over the whole join."""
        names = [f[0] for f in fields]
        named = _fields_matching(self._ctx_names, names) if self._name_words(names)[0] else set()
        if not named:
            return hits
        extra: dict[int, list[int]] = {}
        for k in sorted(named):
            nm = fields[k][0].lower()
            for i, r in enumerate(self.rules):
                if r.context and any(w in nm for w in r.context):
                    extra.setdefault(i, []).extend((bounds[k][1], bounds[min(k + 1, len(bounds) - 1)][1]))
        hits = dict(hits)
        for i, at in extra.items():
            ends = hits.get(i) or []
            if not view.ascii or -1 in ends or len(ends) + len(at) > MAX_ENDS:
                hits[i] = [-1]  # offsets unknown or too many: confirm over the whole text
            else:
                hits[i] = sorted(set(ends + at))
        return hits

    def _span_where(self, start, end, where, view, bounds, fields, single=False):
        """For joined fields: name the field(s) a match lies in. Matches inside one
        field are kept only when `single` (no per-field pass ran)."""
        if bounds is None:
            return where, True
        if not view.raw or start < 0:
            return "fields (joined)", True
        k0 = max(0, bisect.bisect_right(bounds, (start, float("inf"))) - 1)
        idx = [k for k in range(k0, len(bounds)) if bounds[k][0] < end and start < bounds[k][1]]
        if len(idx) < 2:
            return (fields[idx[0]][0] if idx else where), single
        return "+".join(fields[k][0] for k in idx[:4]), True

    @staticmethod
    def _crosses(bounds, a: int, b: int) -> bool:
        k = bisect.bisect_right(bounds, (a, float("inf"))) - 1
        return k < 0 or b > bounds[k][1]

    def _windows(self, view: View, ends: list[int]) -> list[tuple[int, str]]:
        """(offset, text) pieces to confirm in: the whole text, or merged windows around hits."""
        text = view.text
        if -1 in ends or len(text) <= 4 * WINDOW:
            return [(0, text)]
        data = view.data if not view.ascii else None
        spans: list[list[int]] = []
        for e in ends:
            a, b = max(0, e - WINDOW), e + WINDOW
            if spans and a <= spans[-1][1]:
                spans[-1][1] = b
            else:
                spans.append([a, b])
        if data is None:
            return [(a, text[a:b]) for a, b in spans]
        return [(-1, data[a:b].decode("utf-8", "ignore")) for a, b in spans]

    def _confirm(self, i, view: View, ends, where, out, seen, bounds, fields, single=False) -> None:
        rule, rx = self.rules[i], self._rx[i]
        n = 0
        for off, text in self._windows(view, ends):
            for m in rx.finditer(text):
                n += 1
                if n > 1000:
                    return
                s = m.group("s") if "s" in rx.groupindex and m.group("s") else m.group(0)
                if rule.min_entropy and V.shannon(s) < rule.min_entropy:
                    continue
                if rule.min_classes and V.char_classes(s) < rule.min_classes:
                    continue
                if rule.placeholder_check and (is_placeholder(s) or is_placeholder(rot13(s))
                                               or (not view.decoded and (is_dummy(s) or is_dummy(rot13(s))))):
                    continue   # (the ROT13 view turns a placeholder into a random-looking word)
                start, end = (m.start() + off, m.end() + off) if off >= 0 else (-1, -1)
                if rule.context and not self._has_context(rule.context, text, m.start(), where, bounds, fields,
                                                          start):
                    continue
                if rule.validator and not _VALIDATORS[rule.validator](s, text, m, where):
                    continue
                if bounds is not None and "kw" in rx.groupindex and start >= 0 and view.raw:
                    d = start - m.start()
                    if not self._crosses(bounds, m.start("kw") + d, m.end("kw") + d) \
                            and self._crosses(bounds, m.start("k") + d, m.end("k") + d):
                        continue  # "...=secret" + "2=value": a name glued on from the next field is no key
                w, keep = self._span_where(start, end, where, view, bounds, fields, single)
                if not keep:
                    continue
                ss, se = m.span("s") if "s" in rx.groupindex and m.group("s") else m.span()
                if public_ids.benign_hit(rule.id, s, text, ss, se, w):
                    continue  # public by design (publishable key, test card, placeholder...)
                span = (start, end) if view.raw and bounds is None and start >= 0 else None
                self._add(out, seen, rule.id, rule.severity, redact(s), w, span)

    @staticmethod
    def _has_context(words, text, local_start, where, bounds, fields, start) -> bool:
        before = text[max(0, local_start - 80): local_start].lower()
        if any(k in before for k in words):
            return True
        w = where.lower()
        if bounds is not None and fields is not None:
            k = bisect.bisect_right(bounds, (start, float("inf"))) - 1
            w = fields[k][0].lower() if start >= 0 and 0 <= k < len(fields) else ""
        return any(k in w for k in words)

    def _literal(self, lit: _Literal, text: str, where, out, seen) -> None:
        hay, needle = (text.lower(), lit.value.lower()) if lit.caseless else (text, lit.value)
        if needle not in hay:
            return
        if lit.kind == "env":
            self._add(out, seen, "env_secret", "critical", f"${lit.name} ({lit.encoding}) {redact(lit.value)}",
                      where, None)
        else:
            self._add(out, seen, "canary_token", "critical", redact(lit.value), where, None)

    def _seed_phrase(self, text: str, where, out, seen, data: bytes) -> None:
        regions = self._matcher.seed_regions(data)
        if not self._seed_english(regions, where, out, seen, data) and (regions or not data.isascii()):
            got = mnemonics.find(text, regions, data)
            if got is not None and vocabulary_reuse(got[1], data) <= len(set(got[1])) // 3:
                excerpt = f"{got[0]}: {got[1][0]} {got[1][1]} ... ({len(got[1])} words)"
                self._add(out, seen, "bip39_seed_phrase", "critical", excerpt, where, None)

    def _seed_english(self, regions, where, out, seen, data: bytes) -> bool:
        budget = [5000]
        for a, b in regions:
            chunk = data[max(0, a - 16): b + 16].decode("utf-8", "ignore")
            base = max(0, a - 16)
            for m in _SEED_RUN.finditer(chunk):
                if m.end() - m.start() < 12 * 4 - 1:
                    continue
                for words, ws, we in seed_candidates(m.group()):
                    if budget[0] <= 0:
                        return True
                    budget[0] -= 1
                    bip39 = V.bip39_checksum(words)
                    if not bip39 and not (self._electrum and V.electrum_seed(words)):
                        continue
                    # offsets are exact for ASCII; elsewhere the context is merely a little off
                    ws += base + m.start()
                    we += base + m.start()
                    if bip39 and mnemonics.published_vector([V.bip39_words()[w] for w in words], data, ws, we):
                        continue  # a test vector: printed beside its own entropy
                    if vocabulary_reuse(words, data[max(0, ws - 2000): we + 2000]) <= len(set(words)) // 3:
                        excerpt = f"{words[0]} {words[1]} ... ({len(words)} words)"
                        rule = "bip39_seed_phrase" if bip39 else "electrum_seed"
                        self._add(out, seen, rule, "critical", excerpt, where, None)
                        return True
        return False

    def _encoded_entropy(self, text: str, where, out, seen) -> None:
        for n, m in enumerate(_TOKEN.finditer(text)):
            if n > 2000:
                return
            s = m.group().rstrip("=")
            if V.char_classes(s) < 3 or not any(c.isdigit() for c in s):
                continue
            if not (any(c.isupper() for c in s) and any(c.islower() for c in s)):
                continue
            if V.shannon(s) < min(4.0, 0.8 * math.log2(len(s))):
                continue
            if public_ids.public_blob(text, m.start(), m.group()) or is_public_id(m.group()):
                continue
            if decode_blob(m.group()) or decode_blob(m.group(), strict=True):
                continue  # a further encoded layer (short ones too: a compressed stream), not a secret itself
            if is_public_id(rot13(m.group())) or _further_layer(text, m.start(), m.end()):
                continue  # a public id read through ROT13; a UTF-7 or other exotic layer
            # Only a token that *is* the hidden payload (most of its decoded line), or
            # one named as a secret just before it; random ids inside encoded JSON are not.
            ls = text.rfind("\n", 0, m.start()) + 1
            le = text.find("\n", m.end())
            line = text[ls: le if le >= 0 else len(text)].strip()
            near = text[max(ls, m.start() - 40): m.start()].lower()
            if len(s) < 0.6 * len(line) and not _SECRET_WORD.search(near):
                continue
            self._add(out, seen, "encoded_high_entropy", "high", redact(s), where, None)
