"""InjectionScanner: collect hits over every view, judge each in its context, strip spans.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Any

from ...core import Finding
from ...rules import injection as R
from ...rules import injection_markup as M
from ...rules.injection_addressee import ADDRESSEE_I18N
from ...rules.injection_labels import ADDRESSED
from ...rules import injection_owner as O
from .chars import compile_runs, FLAGS, INVIS_RE, SPACE_TABLE, TAG_RUN
from .context import (
    code_span_at, Hit, HitContext, in_attribute, in_md_title, inside_quote, is_quoted, MAX_BODY,
    NeedsGate, NEG_BEFORE, non_rendered_regions, paragraph_span, RegionIndex, segment, sentence_span,
    TAG_NAME, window_span)
from .prefilter import (
    ascii_twin, candidate_ends, compile_confirm, HS_CUT, hs_pattern, Lazy, LazyPattern, lead_superset, pattern_width, PRESENCE,
    shared_matcher, TRIGGERS)
from .views import derived_views, map_folded, map_markup, markup_pos, View

_MARK = "[removed by ringfence]"
_SMALL_VIEW = 1536          # below this, confirm by a plain finditer over the view
_MAX_HITS_PER_PATTERN = 256   # per view; more is refused (scan_limit), so decoys cannot hide a real hit
_MAX_HITS = 4096              # per scan, all views; likewise


_MAX_PART_BONUS = 0.5        # parts together: enough to fire, not enough to outweigh discussion or quoting


_MAP_LIMIT = 256 * 1024       # build a char map for a folded view only below this size


_WIDE_BACK = 4000          # second look when a candidate did not confirm in its pattern's usual width
_MAX_RETRIES = 64          # per pattern per view; beyond, confirm over the whole view


def _norm_key(s: str) -> str:
    return " ".join(s.lower().split())[:200]


def _excerpt(s: str, prefix: str = "") -> str:
    s = " ".join(s.split())
    s = (prefix + s) if prefix else s
    return s if len(s) <= 80 else s[:77] + "..."


# ---------------------------------------------------------------- scanner
def _lazy_re(src, flags: int):
    """A class attribute: re.compile(src(), flags), made on the first access, once per process."""
    return functools.cached_property(lambda self: _compiled(src(), flags))


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str, flags: int) -> re.Pattern:
    return re.compile(pattern, flags)


class InjectionScanner:
    """`scan(text, where)` -> findings; `strip(text, findings)` -> text or None."""

    def __init__(self, config):
        self.config = config
        cfg = config.injection
        self.enabled = cfg.enabled
        self.action = cfg.action
        self.max_depth = cfg.max_decode_depth
        self.max_bytes = cfg.max_scan_bytes
        self.threshold = float(getattr(cfg, "threshold", R.THRESHOLD))
        disabled = {r.split(":", 1)[-1] for r in cfg.disabled_rules}
        self.families = [f for f in R.FAMILIES if f.id not in disabled]
        self.hidden_enabled = R.HIDDEN.id not in disabled
        self._sev = {f.id: f.severity for f in R.FAMILIES}
        self._sev[R.HIDDEN.id] = R.HIDDEN.severity
        self._meta: list[tuple[str, float]] = []
        res_src: list[str] = []
        width_src: list[tuple[str, bool]] = []
        self._on: list[bool] = []          # family enabled in this config
        self._narrow: list[bool] = []      # confirmed in its own width only (no wide second look)
        self._reach: list[int] = []        # chars a match's trailing lookahead needs past its end
        self._lead: list = []              # cheap pre-check of a candidate window, or None
        self._lead_wide: list = []         # the same for non-ASCII views
        for fam in R.FAMILIES:                # the database holds every family, so configs share one
            for p, w in fam.patterns:
                self._meta.append((fam.id, w))
                res_src.append(p)
                # a family built from parts has bounded gaps: its own width is enough, and its
                # prefilter part (the object) is common enough that wide looks would cost
                width_src.append((p, bool(fam.parts)))
                self._narrow.append(bool(fam.parts))
                self._reach.append(fam.reach)
                # the whole pattern as a linear superset (no lookarounds, open repeats): one pass
                # per view tells which candidate ends can hold a match at all
                # per view tells which candidate ends can hold a match at all. Also for every
                # pattern the prefilter sees only the tail of ((?#hs)): a common tail word in
                # code or another language would otherwise cost a backtracking look each.
                # (compiled on first use: most patterns never need one)
                lazy = (p, "(?i)" if fam.parts else "(?im)") if fam.parts or HS_CUT in p else None
                self._lead.append(lazy)
                self._lead_wide.append(lazy)
                self._on.append(fam.id not in disabled)
        # compiled on first use: a scan confirms few patterns, and compiling all ~500 costs
        # a one-shot `ringfence check` most of its start-up
        self._res: Lazy = Lazy(compile_confirm, res_src)
        self._width: Lazy = Lazy(pattern_width, width_src)
        self._n_family = len(self._res)
        # families built from parts: {family: ([(name, compiled or None, bonus)], needs)}
        self._parts: dict[str, tuple[list, tuple]] = {
            f.id: ([(n, LazyPattern(rx, FLAGS) if rx else None, w) for n, rx, w in f.parts], f.needs)
            for f in R.FAMILIES if f.parts}
        self._trig = {name: k for k, name in enumerate(list(TRIGGERS) + list(PRESENCE) + ["exact"])}
        self._pf = shared_matcher()

    # Compiled on first use (start-up time: a one-shot `ringfence check` of plain text
    # needs few of them).
    @functools.cached_property
    def _part_pre(self) -> dict[str, Any]:
        """A linear superset of each part (no lookarounds or word boundaries): its absence
        from a paragraph settles the part without the backtracking engine."""
        pre: dict[str, Any] = {}
        for f in R.FAMILIES:
            for n, rx, _ in f.parts or ():
                if rx and n not in pre:
                    try:
                        pre[n] = compile_runs("(?im)" + hs_pattern(rx))
                    except Exception:
                        pre[n] = None
        return pre

    _hidden_trigger = _lazy_re(lambda: R.HIDDEN_TRIGGER + "|" + M.HIDDEN_TRIGGER_MORE, re.IGNORECASE)
    # the same in ASCII text, linear: re tries every branch at every offset of a page
    _hidden_trigger_ascii = functools.cached_property(
        lambda self: ascii_twin(R.HIDDEN_TRIGGER + "|" + M.HIDDEN_TRIGGER_MORE))
    _hidden_tag = _lazy_re(lambda: R.HIDDEN_TAG, re.IGNORECASE)
    _hidden_tag_more = _lazy_re(lambda: M.HIDDEN_TAG_MORE, re.IGNORECASE)
    _hidden_directive = _lazy_re(lambda: R.HIDDEN_DIRECTIVE, FLAGS)
    _discussion = _lazy_re(lambda: R.DISCUSSION, FLAGS)
    _directive_ai = _lazy_re(lambda: R.VOCATIVE, FLAGS)
    # an address to the assistant in any language (a non-rendered element's gate)
    _addressed_any = _lazy_re(lambda: R.VOCATIVE + "|" + ADDRESSEE_I18N + "|" + ADDRESSED, FLAGS)
    _directive_you = _lazy_re(lambda: R.DIRECTIVE, FLAGS)
    _urgent = _lazy_re(lambda: r"\b(?:IMPORTANT|URGENT|MANDATORY|CRITICAL|ATTENTION|NOTE\s+TO)\b|重要|必ず|중요", 0)

    # -- public ---------------------------------------------------------
    def scan(self, text: str, where: str = "", audience: str = "") -> list[Finding]:
        """`audience="agent"`: text only the agent reads (a tool definition, an Agent Card),
        so an instruction in it is aimed at the agent whoever it names."""
        if not self.enabled or not text:
            return []
        findings: list[Finding] = []
        if len(text) > self.max_bytes:
            findings.append(Finding("injection", "scan_limit", "high",
                                    f"text of {len(text)} chars exceeds max_scan_bytes", where, "block"))
            text = text[: self.max_bytes]
        hits: list[Hit] = []
        over: list[bool] = []   # set when a cap stopped collection
        regions: list[tuple[int, int, str, str]] = []   # (start, end, kind, body) in raw offsets
        raw = View("raw", text, True)
        agent = audience == "agent"
        box: list = []

        def raw_regions(trig: set[str]) -> list:
            box.append(self._hidden_regions(text, trig) if self.hidden_enabled else [])
            return box[0]
        trig = self._collect(raw, hits, over, agent=agent, regions_of=raw_regions)
        regions = box[0] if box else []
        for v in derived_views(text, trig, self.max_depth, self._triggers):
            self._collect(v, hits, over, agent=agent)
        findings += self._judge(text, hits, regions, where, audience == "agent")
        if over:  # candidates beyond the caps were not looked at: refuse rather than guess
            findings.append(Finding("injection", "scan_limit", "high", "too many candidate matches to judge",
                                    where, "block"))
        return findings

    def strip(self, text: str, findings: list[Finding]) -> str | None:
        spans = []
        for f in findings:
            if f.scanner != "injection":
                continue
            if f.span is None:
                return None
            spans.append(f.span)
        if not spans:
            return text
        spans.sort()
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out, pos = [], 0
        for a, b in merged:
            out.append(text[pos:a])
            out.append(_MARK)
            pos = b
        out.append(text[pos:])
        result = "".join(out)
        # What is left must be clean: a second copy the spans missed means block, not a partial strip.
        if any(f.action != "allow" for f in self.scan(result)):
            return None
        return result

    # -- views ----------------------------------------------------------
    def _triggers(self, text: str) -> set[str]:
        ids = self._pf.scan(text)[1]
        return {name for name, i in self._trig.items() if i in ids}

    # -- matching -------------------------------------------------------
    def _collect(self, view: View, hits: list[Hit], over: list[bool], agent: bool = False,
                 regions_of=None) -> set[str]:
        ends, trig_ids = self._pf.scan(view.text)
        trig = {name for name, i in self._trig.items() if i in trig_ids}
        text = view.text
        # where a hit could count as hidden (only the raw view's hits are judged so, by
        # region, attribute value or markdown title): known before confirming anything
        regions = regions_of(trig) if regions_of is not None else None
        needs = NeedsGate(self, text, agent, regions) if any(
            self._meta[i][0] in self._parts for i in ends) else None
        for i in sorted(ends):
            if not self._on[i]:
                continue
            fam, w = self._meta[i]
            n = 0
            for a, b in self._confirm(i, text, ends[i], needs if fam in self._parts else None):
                if n >= _MAX_HITS_PER_PATTERN or len(hits) >= _MAX_HITS:
                    over.append(True)
                    break
                hits.append(Hit(fam, w, view, a, b, i))
                n += 1
        return trig

    def _get_lead(self, i: int, wide: bool):
        leads = self._lead_wide if wide else self._lead
        got = leads[i]
        if type(got) is tuple:
            got = leads[i] = lead_superset(got[0], got[1], wide=wide)
        return got

    def _confirm(self, i: int, text: str, ends: list[int] | None, needs: "NeedsGate | None" = None):
        """Matches of pattern i, looked for in windows that end at the candidate ends
        (a match ends where hyperscan reported one). A candidate that does not confirm
        in the pattern's usual width gets a second, wide look, so long runs of spaces
        cannot push a match out of its window; too many of those and the whole view
        is searched instead."""
        rx = self._res[i]
        # the linear engine's \w and \s are ASCII: non-ASCII text takes the widened superset
        lead = self._get_lead(i, not text.isascii())
        from_lead = ends is None and lead is not None and len(text) > _SMALL_VIEW
        if from_lead:
            # too many prefilter candidates (a page about tokens names them often): the
            # superset's own matches, found by the linear engine, are the candidates
            ends = candidate_ends(lead, text)
        if ends is None or len(text) <= _SMALL_VIEW:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    yield m.start(), m.end()
            return
        back = self._width[i]
        lead_ends = ends if lead is not None and ends is not None and from_lead else \
            (candidate_ends(lead, text) if lead is not None else None)
        # a family built from parts: a required group whose parts are all absent from
        # every paragraph a match ending here could have cannot score, so skip confirming
        seen_to = retries = 0
        for e in ends:
            if e < seen_to:
                continue
            hi = min(len(text), e + 16 + self._reach[i])
            lo = max(0, e - back - 2, seen_to)
            if lead_ends is not None:   # no superset match ends near this candidate: nothing to confirm
                k = bisect.bisect_left(lead_ends, e - 64)
                if k == len(lead_ends) or lead_ends[k] > e + 16:
                    continue
            # a family built from parts: a required group none of whose parts can be in
            # the paragraph of a match ending here cannot score, so skip confirming
            if needs is not None and not needs.possible(self._meta[i][0], max(0, e - back - 402), e + 316, e):
                continue
            found = False
            for m in rx.finditer(text, lo, hi):
                if m.end() > m.start():
                    found = True
                    yield m.start(), m.end()
                    seen_to = m.end()
            wide = max(0, e - _WIDE_BACK, seen_to)
            if found or wide >= lo or self._narrow[i]:
                continue
            retries += 1
            if retries > _MAX_RETRIES:   # many candidates that do not confirm: one linear pass instead
                for m in rx.finditer(text, seen_to):
                    if m.end() > m.start():
                        yield m.start(), m.end()
                return
            for m in rx.finditer(text, wide, hi):
                if m.end() > m.start():
                    yield m.start(), m.end()
                    seen_to = m.end()

    # -- hidden text ----------------------------------------------------
    def _hidden_regions(self, text: str, trig: set[str]) -> list[tuple[int, int, str, str]]:
        """HTML comments, hidden elements and tag-character runs, in raw offsets. Linear:
        plain string search for comments, trigger words for elements, bounded bodies."""
        out: list[tuple[int, int, str, str]] = []
        if "comment" in trig:
            pos = 0
            while len(out) < 256:
                a = text.find("<!--", pos)
                if a == -1:
                    break
                b = text.find("-->", a + 4, a + 4 + MAX_BODY)
                end = b + 3 if b != -1 else min(len(text), a + 4 + MAX_BODY)
                out.append((a, end, "html_comment", text[a + 4:end - 3 if b != -1 else end]))
                pos = end
        if "css" in trig:
            low = text.lower()
            last_tag = covered = -1
            rx = self._hidden_trigger_ascii if self._hidden_trigger_ascii and text.isascii() else self._hidden_trigger
            for n, m in enumerate(rx.finditer(text)):
                if n >= 512 or len(out) >= 512:
                    break
                lt = low.rfind("<", max(0, m.start() - 800), m.start())
                if lt == -1 or lt <= last_tag or lt < covered or low.find(">", lt, m.start()) != -1:
                    continue  # no tag, same tag, or nested in a hidden element already taken whole
                gt = low.find(">", m.end(), m.end() + 800)
                tm = TAG_NAME.match(low, lt)
                if gt == -1 or not tm:
                    continue
                last_tag = lt
                if not (self._hidden_tag.search(text, lt, gt + 1) or self._hidden_tag_more.search(text, lt, gt + 1)):
                    continue
                tag = tm.group(1)
                close = low.find("</" + tag, gt + 1, gt + 1 + MAX_BODY)
                end = close if close != -1 else min(len(text), gt + 1 + MAX_BODY)
                stop = low.find(">", end, end + 64) if close != -1 else -1
                out.append((lt, stop + 1 if stop != -1 else end, "css_hidden", text[gt + 1:end]))
                covered = out[-1][1]
        if "nonrender" in trig:
            out += non_rendered_regions(text)
        if not text.isascii() and ("invis" in trig or "exact" not in trig):
            for n, m in enumerate(TAG_RUN.finditer(text)):
                if n >= 256:
                    break
                out.append((m.start(), m.end(), "tag_chars", m.group(0).translate(SPACE_TABLE)))
        return out

    # -- scoring --------------------------------------------------------
    def _judge(self, text: str, hits: list[Hit], regions, where: str, agent: bool = False) -> list[Finding]:
        findings: list[Finding] = []
        # hits inside hidden regions (raw offsets) get the hidden bonus: a region holds a hit
        # when it starts at or before it and ends at or after it (prefix maximum of ends)
        held = RegionIndex(regions)
        for h in hits:
            if h.view.mapped and held:
                h.hidden = held.holds(h.start, h.end)
            if h.view.mapped and not h.hidden:   # an attribute value or a markdown title
                h.hidden = h.in_value = in_attribute(text, h.start, h.end) or in_md_title(text, h.start)
        # a raw match spelled with exotic spaces or invisibles is still an obfuscation: its
        # cleaned-up twin in the "spaced" view keeps the bonus for being hidden that way
        raw_keys = {(h.family, _norm_key(h.view.text[h.start:h.end])) for h in hits if h.view.name == "raw"
                    and (text.isascii() or not INVIS_RE.search(text, h.start, h.end))}
        by_view: dict[int, list[Hit]] = {}
        for h in hits:
            by_view.setdefault(id(h.view), []).append(h)
        for group in by_view.values():
            c = HitContext(group[0].view.text, group)
            for h in group:
                h.score = self._score(h, c, raw_keys, agent)
        fired = [h for h in hits if h.score >= self.threshold]

        # hidden regions with directive language, or with any (even weak) family hit inside
        mapped = sorted((h.start, h.end) for h in hits if h.view.mapped and h.weight >= R.WEAK - 1e-9)
        mapped_starts = [a for a, _ in mapped]
        for a, b, kind, body in regions:
            k = bisect.bisect_left(mapped_starts, a)
            inside = False
            while k < len(mapped) and mapped[k][0] < b:
                if mapped[k][1] <= b:
                    inside = True
                    break
                k += 1
            if kind == "non_rendered" and not inside and not self._addressed_any.search(body):
                continue   # (<noscript>You need to enable JavaScript</noscript> is no directive)
            if kind != "tag_chars" and not inside and not self._hidden_directive.search(body):
                continue
            if kind == "tag_chars" and not inside and not self._hidden_directive.search(body):
                if not any(rx.search(body) for k, rx in enumerate(self._res) if self._on[k]):
                    continue
            findings.append(Finding("injection", R.HIDDEN.id, self._sev[R.HIDDEN.id],
                                    _excerpt(body, f"[{kind}] "), where, self.action, (a, b)))

        seen: set[tuple] = set()
        span_keys: set[tuple[str, str]] = set()
        for h in sorted(fired, key=lambda h: (not h.view.mapped, h.start)):
            matched = h.view.text[h.start:h.end]
            key = (h.family, _norm_key(matched))
            if h.view.mapped:
                span = segment(text, h.start, h.end)
                if h.hidden and any(a <= span[0] and span[1] <= b for a, b, _, _ in regions):
                    span = next((a, b) for a, b, _, _ in regions if a <= h.start and h.end <= b)
                if (h.family, span) in seen:
                    continue
                seen.add((h.family, span))
                span_keys.add(key)
                prefix = "" if h.view.name == "raw" else f"[{h.view.name}] "
                findings.append(Finding("injection", h.family, self._sev[h.family], _excerpt(matched, prefix),
                                        where, self.action, span))
                continue
            span = None
            if h.view.name == "folded" and not h.view.layer and len(text) <= _MAP_LIMIT:
                span = map_folded(h.view.source, h.start, h.end)
                if span is not None:
                    span = segment(text, *span)
            elif h.view.offsets is not None and h.view.source is text:
                span = segment(text, *map_markup(h.view, h.start, h.end))
                if key not in span_keys and (h.family, span) not in seen:
                    span_keys.add(key)   # its decoded twin (entities) adds nothing strip cannot remove
                    seen.add((h.family, span))
                    findings.append(Finding("injection", h.family, self._sev[h.family],
                                            _excerpt(matched, "[markup] "), where, self.action, span))
                continue
            if key in span_keys or (span is not None and (h.family, span) in seen):
                continue
            rule = "encoded_payload" if h.view.layer else h.family
            if (rule, key[1], span) in seen:
                continue
            seen.add((rule, key[1], span))
            if span is not None:
                seen.add((h.family, span))
            prefix = f"[{h.view.layer or h.view.name}] "
            findings.append(Finding("injection", rule, self._sev.get(rule, "high"), _excerpt(matched, prefix),
                                    where, self.action, span))
        return findings

    def _score(self, h: Hit, c: "HitContext", raw_keys: set, agent: bool = False) -> float:
        t = h.view.text
        a, b = h.start, h.end
        m = t[a:b]
        a2 = a + (len(m) - len(m.lstrip()))
        if h.family == "instruction_override" and O.owner_named(t, a2, b):
            return 0.0   # "ignore the previous instructions on the label": a manual's, not the agent's
        if h.family == "exfiltration" and O.reported_to_desk(t, a2, b):
            return 0.0   # "if someone asks for your password, report it to security@...": advice to people
        s = h.weight
        parts = h.family in self._parts
        if parts:   # its parts stand in for the addressee and other-family bonuses below
            got = self._part_bonus(h, c, agent)
            if got is None:
                return 0.0
            s += got
        ss, se = sentence_span(t, a2, b)
        ws, we = window_span(t, a2, b)
        if h.view.offsets is not None:   # markup view: code tags and backticks are judged on the source
            o = markup_pos(h.view, a2, False)
            code = code_span_at(h.view.source, o)
            if code is not None:
                code = max(0, a2 - (o - code))
        else:
            code = c.in_code(a2)
        if code is not None:  # a code sample: the prose that introduces it counts as context too
            ws = max(0, min(ws, code - 300))
        discussed = True
        if c.search(self._discussion, ss, se, alone=True):
            s -= 0.6
        elif c.search(self._discussion, ws, ss) or c.search(self._discussion, se, we):
            s -= 0.35
        else:
            discussed = False
        if code is not None or ((is_quoted(t, a2, b) or inside_quote(t, a2, b)) and not h.in_value):
            s -= 0.45
        if h.family != "covert_action" and NEG_BEFORE.search(t, max(0, a2 - 40), a2):
            s -= 0.7    # "never share your API keys": advice, not a directive
        if not parts and c.search(self._directive_ai, ss, se, alone=True):
            s += 0.3
        if self._directive_you.search(t, max(ws, a2 - 60), min(we, b + 80)):
            s += 0.2
        if c.search(self._urgent, max(0, ws), min(len(t), we)):
            s += 0.15
        ls = t.rfind("\n", 0, a2) + 1
        lead = t[ls:a2]
        if len(lead) <= 24 and (not lead.strip() or re.fullmatch(r"[\s>*#\-\[\]()<>!\w]{0,20}[:>\]]\s*", lead)) \
                and not (code is not None and discussed):  # every line of a quoted sample starts a line
            s += 0.15
        if h.hidden:
            s += 0.3
        if h.view.layer:
            s += 0.3
        elif h.view.name not in ("raw", "markup") and (h.family, _norm_key(m)) not in raw_keys:
            s += 0.25   # only visible after undoing an obfuscation
        if not parts and c.peer_near(h.family, a, 400):
            s += 0.3
        return s


    def _part_bonus(self, h: Hit, c: "HitContext", agent: bool) -> float | None:
        """Sum of the parts present around a hit of a family built from parts, or None
        when one of its `needs` groups has no part present."""
        parts, needs = self._parts[h.family]
        lo, hi = paragraph_span(h.view.text, h.start, h.end)
        present = {"hidden"} if h.hidden else set()
        if agent:
            present.add("agent")
        text = h.view.text
        pre = self._part_pre
        rxs = {name: (rx if rx is not None and (pre.get(name) is None or pre[name].search(text[lo:hi]))
                      else None) for name, rx, _ in parts}
        for group in needs:   # the required groups first: most hits stop here, unaddressed
            if present.intersection(group):
                continue
            if not any(rxs.get(n) is not None and c.search(rxs[n], lo, hi) and not present.add(n) for n in group):
                return None
        bonus = 0.0
        for name, _rx, w in parts:
            rx = rxs.get(name)
            if name in present or (rx is not None and c.search(rx, lo, hi)):
                present.add(name)
                bonus += w
        return min(bonus, _MAX_PART_BONUS)
