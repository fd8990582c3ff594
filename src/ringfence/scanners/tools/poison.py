"""Tool-poisoning rules over one walked definition: the poisoning families (also
on decoded layers and a leetspeak view), hidden characters, exfiltration-named
parameters, credential handoff, schema bait, secrets steered into parameters,
and the shared prompt-injection scanner over the same text."""
from __future__ import annotations

import bisect
import dataclasses
import itertools
import re

from ...core import Finding
from ...rules import agent_directives as ad
from ...rules import tool_poison as tp
from ...text import exotic
from ...text.decode import decode_layers
from ...text.chars import rot13
from ...text.unpack import base58_text, byte_arrays
from .. import shell
from ..handoff import credential_handoff
from .definitions import expand_name
from .findings import with_action

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "|": "l"})
_WS = re.compile(r"[ \t\r\f\v]+")
_HIDING = re.compile("[\U000E0000-\U000E007F\u202A-\u202E\u2066-\u2069\x1b\u200b\u2060\ufeff]")
_TOOL_TEXT_SOFT = frozenset({"tool_invocation", "credential_path", "covert_action", "credential_solicitation"})
_DESCRIBES = re.compile(r"\b(?:defaults?|e\.g\.|example|such as|like|path to|location of|where|if|unless|when"
                        r"|scans?|detects?|finds?|reports?|checks?|lists?|uses?|used|reads? from)\b")
_NEG_WORD = re.compile(r"\b(?:not|never|no|avoid|without)\b|n't")
_LEETY = re.compile(r"[a-z][0134578@$|]|[0134578@$|][a-z]")
_ENCODED_HINT = re.compile(r"%[0-9A-Fa-f]{2}|&#|\\u[0-9A-Fa-f]{4}|=[0-9A-F]{2}|=\r?\n|[A-Za-z0-9+/_-]{16}|\[\s*\d{1,3}\s*,")
_B58_TOKEN = re.compile(r"(?<![A-Za-z0-9])[1-9A-HJ-NP-Za-km-z]{16,400}(?![A-Za-z0-9])")


# ROT13 of the words an order to a model is made of: two of them in one tool text mean it may
# be an instruction in ROT13 (which then gets a ROT13 view; honest text seldom spells them).
_ROT_WORDS = re.compile(r"(?i)\b(?:%s)\b" % "|".join(rot13(w) for w in (
    "ignore", "important", "before", "always", "never", "previous", "instructions", "assistant", "send", "read",
    "user", "tool", "must", "secret", "password", "file", "contents", "include", "call", "tell", "mention")))


def _rot13_view(text: str) -> list[str]:
    found = set()
    for m in _ROT_WORDS.finditer(text):
        found.add(m.group(0).lower())
        if len(found) >= 2:
            return [rot13(text)]
    return []


def decoded_layers(text: str) -> list[str]:
    """The decoded layers of one tool text (bounded by size: depth 3, 64 KB, 32 layers; the
    deadline is a backstop, generous so that a loaded machine does not skip decoding).
    Hex in spaced pairs, base64 in groups and Base85 have no 16-character run: their hints
    come from text/exotic (one Hyperscan pass)."""
    if not _ENCODED_HINT.search(text) and not exotic.hint(text):
        return _rot13_view(text)
    out = [d.text for d in decode_layers(text, max_depth=3, max_total_bytes=65536, deadline_s=0.5, max_items=32)
           if d.chain != "truncated" and d.text]
    out += [r for t in [text] + out[:8] for r in _rot13_view(t)]
    out += byte_arrays(text, limit=8)
    for m in _B58_TOKEN.finditer(text):
        t = base58_text(m.group(0))
        if t:
            out.append(t)
        if len(out) > 40:
            break
    return out


# The object of that order points back at the file (a pronoun, its contents, a secret noun):
# "include a country code in the locale" orders nothing secret.
_BACK = (r"(?:(?:all\s+|both\s+)?(?:those|them|it|that|these|this)|(?:the|its|their|all\s+the|the\s+full|the\s+raw)\s+"
         r"(?:\w+\s+)?(?:contents?|tokens?|lines?|entries|values?|file|data|cookies?|credentials?|secrets?|keys?|text))")
_PUT = re.compile(ad.GIVE[:-3] + r"|include)\b\s+" + _BACK + r"\s+(?:\w+\s+)?(?:in|into|inside|within|as|to)\s+"
                  r"(?:the\s+|this\s+|that\s+|its\s+)?[`'\"]?([\w-]{1,40})[`'\"]?")


def _put_into(text: str, param: str) -> bool:
    """An order after the file that puts something into `param` ("include those in the locale string")."""
    return any(m.group(1) == param for m in itertools.islice(_PUT.finditer(text), 16))


def _as_poison(f: Finding, action: str) -> Finding:
    return dataclasses.replace(f, scanner="tool_poison", action=action)


class PoisonRules:
    """The compiled tool-poisoning rules; `engine` lends its injection scanner."""

    def __init__(self, engine=None):
        self.engine = engine
        self.families = [(f, [re.compile(p) for p in f.patterns]) for f in tp.FAMILIES + tp.WEAK_FAMILIES]
        self.param_specific = re.compile(tp.PARAM_SPECIFIC)
        self.param_generic = re.compile(tp.PARAM_GENERIC)
        self.param_prov = re.compile(tp.PARAM_PROVENANCE)
        self.directive_secret = re.compile(ad.DIRECTIVE_SECRET)
        self.sink = re.compile(ad.SINK)
        self.negated = re.compile(ad.NEGATED)
        self.reverse_sink = re.compile(ad.REVERSE_SINK)
        self.secretish = re.compile(ad.SECRETISH_PARAM)
        self.cred_path = re.compile(ad.CRED_PATH)
        self.bait_name = re.compile(ad.BAIT_PARAM_NAME)
        self.bait_required = re.compile(ad.BAIT_REQUIRED)

    def check(self, name: str, texts, names, tw: str, act: str) -> list[Finding]:
        out: list[Finding] = []
        # One joined, normalised text per tool; fields on their own lines.
        parts: list[str] = []
        offsets: list[int] = []
        wheres: list[str] = []
        pos = 0
        for path, text in texts + [(p, expand_name(n)) for p, n in names]:
            t = _WS.sub(" ", shell.fold(text)).lower().strip()
            if not t:
                continue
            offsets.append(pos)
            wheres.append(path)
            parts.append(t)
            pos += len(t) + 1
        # Encoded layers of each text (percent, entities, \u, quoted-printable, base64 of
        # gzip, byte arrays ...) are read too: a directive hidden one decode away is still one.
        layers: list[str] = []
        for path, text in texts:
            for layer in decoded_layers(text):
                layers.append(layer)
                t = _WS.sub(" ", shell.fold(layer)).lower().strip()
                if t:
                    offsets.append(pos)
                    wheres.append(path + " (decoded)")
                    parts.append(t)
                    pos += len(t) + 1
        joined = "\n".join(parts)
        hit: set[str] = set()
        # Characters that hide text from a human reviewer: tag characters,
        # bidi overrides, terminal escapes. No honest tool description needs them.
        for path, text in texts:
            m = _HIDING.search(text)
            if m:
                out.append(Finding("tool_poison", "hidden_characters", "high",
                                   f"U+{ord(m.group(0)):04X} in {path.rsplit('.', 1)[-1][:30]}", path, act))
                break
        for view in (joined, joined.translate(_LEET)):
            for fam, pats in self.families:
                if fam.id in hit or (fam.gate and not ad.has_any(view, fam.gate)):
                    continue
                for rx in pats:
                    m = rx.search(view)
                    if m:
                        hit.add(fam.id)
                        w = wheres[max(0, bisect.bisect_right(offsets, m.start()) - 1)] if wheres else tw
                        out.append(Finding("tool_poison", fam.id, fam.severity, view[m.start():m.start() + 80], w,
                                           "warn" if fam.weak else act))
                        break
            if view is joined and not _LEETY.search(joined):
                break
        # Exfiltration-suggestive parameter names.
        if names:
            exp = [expand_name(n) for _, n in names]
            allnames = "\n".join(exp)
            # One search over all names first; per-name only when something is there.
            if self.param_specific.search(allnames) or (self.param_generic.search(allnames)
                                                        and self.param_prov.search(allnames)):
                for (path, n), e in zip(names, exp):
                    if self.param_specific.search(e) or (self.param_generic.search(e) and self.param_prov.search(e)):
                        out.append(Finding("tool_poison", "exfiltration_parameter_name", "high",
                                           f"{n[:40]} ({e[:36]})", path, act))
                        break
        # A label opening a sentence that hands a credential file on, in any language.
        if not any(f.scanner == "tool_poison" and f.action != "warn" for f in out):
            for path, text in texts:
                got = credential_handoff(text, path, agent_only=True)
                if got:
                    out.append(_as_poison(got[0], act))
                    break
        out += self._schema_bait(texts, names, act)
        if not any(f.scanner == "tool_poison" and f.action != "warn" for f in out):
            out += self._secret_to_parameter(joined, names, wheres, offsets, tw, act)
        # The shared prompt-injection scanner over the same text (raw, per tool).
        inj = getattr(self.engine, "injection", None) if self.engine is not None else None
        if inj is not None and joined:
            raw = "\n".join(t for _, t in texts) + "\n" + "\n".join(expand_name(n) for _, n in names)
            # identifiers (the tool's name, enum values, ids) read as words too
            idents = [e for _, t in texts if 12 <= len(t) <= 256 and not any(c.isspace() for c in t)
                      and (e := expand_name(t)).count(" ") >= 3]
            if idents:
                raw += "\n" + "\n".join(idents)
            strong_hit = any(f.scanner == "tool_poison" and f.action != "warn" for f in out)
            secret_param = any(self.secretish.search(n.lower()) for _, n in names)
            # a tool definition is read by the agent only: it needs no addressee
            for f in inj.scan(raw, tw, audience="agent"):
                a = act if f.action in ("block", "strip") else f.action
                # Tool descriptions are instructions to the model by design: these
                # families fire on honest ones ("call the login tool first", "reads
                # .env"). Alone they warn; with a tool-poison hit they count fully.
                if f.rule in _TOOL_TEXT_SOFT and not strong_hit:
                    a = "warn"
                # "Provide your API token" in a tool that has a token parameter asks for
                # the secret the tool honestly takes.
                elif f.rule == "agent_exfiltration" and not strong_hit and secret_param:
                    a = "warn"
                out.append(with_action(f, a))
            if layers and not any(f.action in ("block", "strip") for f in out):
                # what the encoded texts spell (grouped, spaced, ROT13: layers the shared
                # scanner has no view of): an instruction hidden there is meant for the model
                # and kept from its reviewer, so none of its families is soft
                seen = {f.rule for f in out}
                for f in inj.scan("\n".join(layers[:32]), tw, audience="agent"):
                    if f.rule not in seen and f.action != "warn":
                        out.append(with_action(Finding(f.scanner, f.rule, f.severity, f.excerpt,
                                                       tw + " (decoded)", f.action), act))
        return out

    def _secret_to_parameter(self, joined: str, names, wheres, offsets, tw: str, act: str) -> list[Finding]:
        """An instruction that puts a secret (a credential file, a secret environment
        variable, the conversation, the model's instructions) into one of this tool's
        own parameters, or into "the ... field": the sink is what makes it exfiltration.
        A parameter named for a secret (token, password) is asked for one honestly."""
        if not ad.has_any(joined, ad.SECRET_KEYS):
            return []
        params = {n.lower() for _, n in names} | {expand_name(n) for _, n in names}
        for m in itertools.islice(self.directive_secret.finditer(joined), 64):
            if self.negated.search(joined[max(0, m.start() - 32):m.start()]):
                continue
            tail = joined[m.end():m.end() + 160]
            stop = re.search(r"[.!?](?:\s|$)|\n", tail)
            tail = tail[:stop.start()] if stop else tail
            for s in self.sink.finditer(tail):
                # the next few words after "in / into / as": a parameter of this tool or "field"
                words = [w.strip("`'\".-") for w in tail[s.start():].split()[1:6]]
                words = [w for w in words if w not in ad.SINK_FILLER][:4]
                named = [w for w in words if w in params or w.replace("-", "_") in params]
                generic = any(w in ad.SINK_WORDS for w in words)
                if not (named or generic) or any(self.secretish.search(w) for w in (named or words)):
                    continue
                w = wheres[max(0, bisect.bisect_right(offsets, m.start()) - 1)] if wheres else tw
                return [Finding("tool_poison", "secret_to_parameter", "critical",
                                joined[m.start():m.start() + 80], w, act)]
        for m in itertools.islice(self.reverse_sink.finditer(joined), 64):
            target, after = m.group(1).strip("`'\".-"), (m.group(2) or "")
            if self.negated.search(joined[max(0, m.start() - 32):m.start()]) or _NEG_WORD.search(m.group(0)):
                continue
            named = target in params or target.replace("-", "_") in params
            if (named or after in ad.SINK_WORDS) and not self.secretish.search(target) \
                    and (named or target not in ad.SINK_FILLER):
                w = wheres[max(0, bisect.bisect_right(offsets, m.start()) - 1)] if wheres else tw
                return [Finding("tool_poison", "secret_to_parameter", "critical",
                                joined[m.start():m.start() + 80], w, act)]
        # In any language: a credential file and one of this tool's free-text parameters
        # in one sentence, unless the sentence only describes a default or an example.
        free = {p for p in params if len(p) >= 3 and not self.secretish.search(p) and " " not in p}
        keyish = any(re.search(r"key|identity|ssh|cert", p) for p in params)
        cred = self.cred_path.finditer(joined) if ad.has_any(joined, ad.CRED_KEYS) else iter(())
        for m in itertools.islice(cred, 64):
            if keyish and re.search(r"id_|\.ssh/", m.group(0)):
                continue
            lo, hi = max(0, m.start() - 300), min(len(joined), m.end() + 300)   # bounded sentence window
            a = max(joined.rfind("\n", lo, m.start()), joined.rfind(". ", lo, m.start()), lo - 1) + 1
            b = min(x for x in (joined.find("\n", m.end(), hi), joined.find(". ", m.end(), hi), hi) if x >= 0)
            sent = joined[a:b]
            if _NEG_WORD.search(joined[a:m.start()]):
                continue
            words = set(re.findall(r"[a-z0-9_]+", sent.replace(m.group(0), " ")))
            hit = sorted(free & words)
            # A sentence that describes ("more reliable when ...") may still end in an order
            # that puts the file's contents into a parameter: "so include those in the locale string".
            if _DESCRIBES.search(sent) and not any(_put_into(sent[m.end() - a:], p) for p in hit):
                continue
            if hit:
                w = wheres[max(0, bisect.bisect_right(offsets, m.start()) - 1)] if wheres else tw
                return [Finding("tool_poison", "secret_to_parameter", "critical",
                                f"{m.group(0)[:40]} -> {hit[0][:30]}", w, act)]
        return []

    def _schema_bait(self, texts, names, act: str) -> list[Finding]:
        """Parameter schemas that are bait: a default, const or example pointing at a
        credential file; a vague parameter ("sidenote", "context") the tool supposedly
        cannot work without."""
        out: list[Finding] = []
        for path, text in texts:
            leaf = path.rsplit(".", 1)[-1].split("[")[0]
            if leaf in ("default", "const", "examples", "example", "enum") and len(text) < 512 \
                    and not any(c.isspace() for c in text.strip()):
                m = self.cred_path.search(shell.fold(text).lower())
                if m:
                    prop = path.rsplit(".", 2)[-2] if path.count(".") >= 2 else ""
                    ssh_key = "id_" in m.group(0) or ".ssh/" in m.group(0)
                    if not (ssh_key and re.search(r"key|identity|ssh", prop.lower())):
                        out.append(Finding("tool_poison", "credential_file_default", "critical",
                                           f"{prop[:30]}: {m.group(0)[:40]}", path, act))
                        break
        desc = {p: t for p, t in texts}
        for path, n in names:
            if self.bait_name.search(expand_name(n)):
                d = desc.get(f"{path}.description", "")
                if d and self.bait_required.search(_WS.sub(" ", d.lower())):
                    out.append(Finding("tool_poison", "bait_parameter", "high", f"{n[:30]}: {d[:40]}",
                                       f"{path}.description", act))
                    break
        return out
