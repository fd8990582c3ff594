"""MCP tool scanning (sans-io): tool poisoning, rug-pulls, tool-call policy,
session binding and attack chains. Transports call `engine.tools`.

Every public method returns Findings and never raises: an internal error
becomes an `internal:scan_error` block finding (fail closed).
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..core import Finding
from ..rules import agent_directives as ad
from ..rules import tool_poison as tp
from . import shell
from ..text.blobs import b64_bytes, text_of
from ..text.decode import decode_layers
from ..text.unpack import base58_text, byte_arrays
from .capabilities import ToolCaps, of_definition
from .chains import ChainTracker, classify
from .content import named_values
from .handoff import credential_handoff
from .schemes import smuggling_findings
from .policy import MAX_LEAF, ToolPolicy, leaves, split_name

MAX_NODES = 200_000        # JSON nodes walked per tools/list
MAX_TEXT = 4 * 1024 * 1024  # text collected per tools/list
MAX_DESC_KEEP = 2048       # description kept per tool for drift reports
_SKIP_VALUE_KEYS = frozenset({"type", "format", "$schema", "$ref", "$id"})
_NAME_KEYS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "|": "l"})
_WS = re.compile(r"[ \t\r\f\v]+")
_HIDING = re.compile("[\U000E0000-\U000E007F\u202A-\u202E\u2066-\u2069\x1b\u200b\u2060\ufeff]")
_TOOL_TEXT_SOFT = frozenset({"tool_invocation", "credential_path", "covert_action", "credential_solicitation"})
_DESCRIBES = re.compile(r"\b(?:defaults?|e\.g\.|example|such as|like|path to|location of|where|if|unless|when"
                        r"|scans?|detects?|finds?|reports?|checks?|lists?|uses?|used|reads? from)\b")
_NEG_WORD = re.compile(r"\b(?:not|never|no|avoid|without)\b|n't")
_LEETY = re.compile(r"[a-z][0134578@$|]|[0134578@$|][a-z]")



MAX_KEYS = 512
# JSON Schema and MCP keywords of 12+ characters: structure, not text.
_SCHEMA_WORDS = frozenset({"additionalProperties", "patternProperties", "dependentSchemas", "dependentRequired",
                           "unevaluatedProperties", "unevaluatedItems", "additionalItems", "propertyNames",
                           "contentMediaType", "contentEncoding", "contentSchema", "exclusiveMaximum",
                           "exclusiveMinimum", "maxProperties", "minProperties", "destructiveHint", "idempotentHint",
                           "openWorldHint", "readOnlyHint", "outputSchema", "definitions", "description",
                           "maxContains", "minContains", "$dynamicAnchor", "$dynamicRef", "$vocabulary",
                           "deprecated", "x-nullable", "discriminator", "externalDocs", "uniqueItems"})


def _object_keys(obj, cap: int = MAX_KEYS) -> list[str]:
    """Object keys at every depth (breadth first, bounded), for DLP."""
    out: list[str] = []
    todo = [obj]
    seen = 0
    while todo and len(out) < cap and seen < 20 * cap:
        node = todo.pop(0)
        seen += 1
        if isinstance(node, dict):
            out.extend(str(k)[:512] for k in list(node)[:cap - len(out)])
            todo.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            todo.extend(v for v in node[:cap] if isinstance(v, (dict, list)))
    return out

MAX_BYTE_LISTS = 16


def _byte_lists(obj, cap: int = MAX_BYTE_LISTS) -> list[tuple[str, str]]:
    """Lists of 16+ byte values (0..255) at any depth, as their JSON text: the leaves
    alone are numbers, the list is a byte string (a keypair file, an encoded payload)."""
    out: list[tuple[str, str]] = []
    todo: list[tuple[str, Any]] = [("params.arguments", obj)]
    seen = 0
    while todo and len(out) < cap and seen < 20 * MAX_KEYS:
        path, node = todo.pop(0)
        seen += 1
        if isinstance(node, dict):
            todo.extend((f"{path}.{k}", v) for k, v in list(node.items())[:MAX_KEYS] if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            if len(node) >= 16 and all(type(v) is int and 0 <= v <= 255 for v in node[:65536]):
                out.append((path + "[]", json.dumps(node[:65536])))
            else:
                todo.extend((f"{path}[{i}]", v) for i, v in enumerate(node[:MAX_KEYS]) if isinstance(v, (dict, list)))
    return out


class _TooDeep(Exception):
    pass


_ENCODED_HINT = re.compile(r"%[0-9A-Fa-f]{2}|&#|\\u[0-9A-Fa-f]{4}|=[0-9A-F]{2}|=\r?\n|[A-Za-z0-9+/_-]{16}|\[\s*\d{1,3}\s*,")
_B58_TOKEN = re.compile(r"(?<![A-Za-z0-9])[1-9A-HJ-NP-Za-km-z]{16,400}(?![A-Za-z0-9])")


def _decoded(text: str) -> list[str]:
    """The decoded layers of one tool text (bounded by size: depth 3, 64 KB, 32 layers; the
    deadline is a backstop, generous so that a loaded machine does not skip decoding)."""
    if not _ENCODED_HINT.search(text):
        return []
    out = [d.text for d in decode_layers(text, max_depth=3, max_total_bytes=65536, deadline_s=0.5, max_items=32)
           if d.chain != "truncated" and d.text]
    out += byte_arrays(text, limit=8)
    for m in _B58_TOKEN.finditer(text):
        t = base58_text(m.group(0))
        if t:
            out.append(t)
        if len(out) > 40:
            break
    return out


def _internal(e: BaseException, where: str) -> Finding:
    return Finding("internal", "scan_error", "high", f"{type(e).__name__}: {e}"[:80], where, "block")


class _Tok(str):
    """A literal piece of the output (never confused with a user string)."""


def canonical(obj: Any, max_depth: int, max_nodes: int = MAX_NODES) -> bytes:
    """Sorted-key compact JSON, built iteratively (no recursion limit); raises _TooDeep past caps."""
    out: list[str] = []
    stack: list[tuple[Any, int]] = [(obj, 0)]
    n = 0
    while stack:
        node, d = stack.pop()
        n += 1
        if d > max_depth or n > max_nodes:
            raise _TooDeep()
        if type(node) is _Tok:
            out.append(node)
        elif isinstance(node, dict):
            items = sorted(((str(k), v) for k, v in node.items()), key=lambda kv: kv[0])
            seq: list[tuple[Any, int]] = [(_Tok("{"), d)]
            for i, (k, v) in enumerate(items):
                if i:
                    seq.append((_Tok(","), d))
                seq.append((_Tok(json.dumps(k, ensure_ascii=False) + ":"), d))
                seq.append((v, d + 1))
            seq.append((_Tok("}"), d))
            stack.extend(reversed(seq))
        elif isinstance(node, (list, tuple)):
            seq = [(_Tok("["), d)]
            for i, v in enumerate(node):
                if i:
                    seq.append((_Tok(","), d))
                seq.append((v, d + 1))
            seq.append((_Tok("]"), d))
            stack.extend(reversed(seq))
        else:
            out.append(json.dumps(node, ensure_ascii=False, default=str))
    return "".join(out).encode("utf-8", "surrogatepass")


def _canon(obj: Any, max_depth: int, shallow: bool) -> bytes:
    """Fast path: the C encoder when the walk showed the object is within the depth cap."""
    if shallow:
        try:
            return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError, RecursionError):
            pass
    return canonical(obj, max_depth)


@functools.lru_cache(maxsize=8192)
def expand_name(name: str) -> str:
    """`contentFromReadingSshIdRsa` -> 'content from reading ssh id rsa'."""
    return " ".join(split_name(name))


@dataclass(slots=True)
class _Record:
    fp: str
    description: str          # head only (memory bound); desc_len is the real length
    desc_len: int
    params: frozenset[str]
    parts: dict[str, str]


_TOOL_KEYS = ("name", "title", "description", "inputSchema", "annotations", "outputSchema")
# The other listings an MCP server gives the agent: (the result member holding the
# items, what names an item, its noun in findings, the members its fingerprint covers).
LISTINGS = {
    "prompts/list": ("prompts", ("name",), "prompt", ("name", "title", "description", "arguments", "_meta")),
    "resources/list": ("resources", ("uri", "name"), "resource",
                       ("uri", "name", "title", "description", "mimeType", "annotations", "_meta")),
    "resources/templates/list": ("resourceTemplates", ("uriTemplate", "name"), "resource_template",
                                 ("uriTemplate", "name", "title", "description", "mimeType", "annotations", "_meta")),
}


@dataclass(slots=True)
class _Listing:
    """One session's baseline of a prompts or resources listing."""
    method: str
    noun: str
    keys: tuple[str, ...]
    items: dict[str, _Record] = field(default_factory=dict)
    listed: bool = False
    paging: bool = False


@dataclass
class ToolSession:
    """Per MCP session state. Bounded: max_tools fingerprints, chain window."""
    server: str = ""
    max_tools: int = 10_000
    listed: bool = False
    paging: bool = False      # the first listing is still being paged in
    tools: dict[str, _Record] = field(default_factory=dict)
    chains: ChainTracker = field(default_factory=ChainTracker)
    caps: dict[str, ToolCaps] = field(default_factory=dict)  # from each tool's first listed definition
    listings: dict[str, "_Listing"] = field(default_factory=dict)  # prompts and resources, by list method

    @property
    def known(self) -> set[str]:
        return set(self.tools)


class ToolScanners:
    def __init__(self, config, engine=None, *, baselines=None):
        """`baselines`: approved tool definitions shared by every instance
        (state.baselines, built by the Inspector for state.backend redis/nats)."""
        self.config = config
        self.engine = engine
        self.mcp = config.mcp
        self.policy = ToolPolicy(config)
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
        self._shared = baselines

    def new_session(self, server: str = "") -> ToolSession:
        m = self.mcp
        return ToolSession(server=server, max_tools=m.max_tools,
                           chains=ChainTracker(m.chain_window, m.chain_window_s, m.chain_max_gap))

    # ------------------------------------------------------------------ tools/list
    def scan_tools_list(self, tools: list[dict], session: ToolSession | None = None,
                        where: str = "tools/list", continuation: bool = False) -> list[Finding]:
        """`continuation=True` for a later page of the same listing (request had a
        cursor): its new tools join the baseline instead of counting as added."""
        try:
            return self._scan_tools_list(tools, session, where, continuation)
        except Exception as e:  # fail closed
            return [_internal(e, where)]

    def _scan_tools_list(self, tools, session, where, continuation=False) -> list[Finding]:
        act = self.mcp.tool_poisoning_action
        findings: list[Finding] = []
        if not isinstance(tools, list):
            return [Finding("tool_poison", "malformed_tools_list", "high", type(tools).__name__, where, "block")]
        budget = [MAX_NODES, MAX_TEXT]
        first = session is not None and (not session.listed or (continuation and session.paging))
        seen_now: dict[str, str] = {}
        for i, tool in enumerate(tools):
            tw = f"{where}[{i}]"
            if not isinstance(tool, dict) or not isinstance(tool.get("name"), str) or not tool["name"]:
                findings.append(Finding("tool_poison", "malformed_tool", "high", "tool without a name", tw, "block"))
                continue
            name = tool["name"]
            texts, names, complete = self._collect(tool, tw, budget)
            self._complete = complete
            if not complete:
                findings.append(Finding("tool_poison", "schema_too_complex", "high",
                                        f"{name[:40]}: over {self.mcp.max_schema_depth} levels or size cap", tw, "block"))
            findings += self._poison(name, texts, names, tw, act)
            if session is not None:
                findings += self._drift(tool, name, session, first, tw, seen_now)
                if name not in session.caps and len(session.caps) < session.max_tools:
                    session.caps[name] = of_definition(tool)
        if session is not None:
            session.listed = True
            session.paging = first
        return findings

    # ------------------------------------------------------------------ prompts, resources
    def scan_listing(self, method: str, items: list, session: ToolSession | None = None,
                     where: str = "", continuation: bool = False) -> list[Finding]:
        """A prompts/list, resources/list or resources/templates/list result's items:
        the tool-poisoning rules over every string of each item (argument names read
        as parameter names), and a rug-pull baseline per listing and session."""
        try:
            return self._scan_listing(method, items, session, where or method, continuation)
        except Exception as e:  # fail closed
            return [_internal(e, where or method)]

    def _scan_listing(self, method, items, session, where, continuation) -> list[Finding]:
        member, id_keys, noun, keys = LISTINGS[method]
        act = self.mcp.tool_poisoning_action
        if not isinstance(items, list):
            return [Finding("tool_poison", f"malformed_{member}_list", "high", type(items).__name__, where, "block")]
        listing = None
        if session is not None:
            listing = session.listings.get(method)
            if listing is None:
                listing = session.listings[method] = _Listing(method, noun, keys)
        first = listing is not None and (not listing.listed or (continuation and listing.paging))
        budget = [MAX_NODES, MAX_TEXT]
        findings: list[Finding] = []
        seen_now: dict[str, str] = {}
        for i, item in enumerate(items):
            iw = f"{where}[{i}]"
            name = next((item[k] for k in id_keys if isinstance(item, dict) and isinstance(item.get(k), str)
                         and item[k]), "")
            if not name:
                findings.append(Finding("tool_poison", f"malformed_{noun}", "high", f"{noun} without a name", iw, "block"))
                continue
            texts, names, complete = self._collect(item, iw, budget)
            args = item.get("arguments")
            if isinstance(args, list):   # a prompt's arguments: their names are parameter names
                names += [(f"{iw}.arguments[{j}]", a["name"]) for j, a in enumerate(args[:1000])
                          if isinstance(a, dict) and isinstance(a.get("name"), str)]
            self._complete = complete
            if not complete:
                findings.append(Finding("tool_poison", "schema_too_complex", "high",
                                        f"{name[:40]}: over {self.mcp.max_schema_depth} levels or size cap", iw, "block"))
            findings += self._poison(name, texts, names, iw, act)
            if listing is not None:
                findings += self._drift(item, name, session, first, iw, seen_now, listing)
        if listing is not None:
            listing.listed = True
            listing.paging = first
        return findings

    def _collect(self, tool: dict, tw: str, budget: list[int]) -> tuple[list[tuple[str, str]], list[tuple[str, str]], bool]:
        """Every string in the tool definition at any depth (iteratively), plus parameter names."""
        texts: list[tuple[str, str]] = []
        names: list[tuple[str, str]] = []
        max_depth = self.mcp.max_schema_depth
        complete = True
        stack: list[tuple[Any, str, str, int]] = [(tool, tw, "", 0)]
        while stack:
            node, path, key, d = stack.pop()
            budget[0] -= 1
            if d > max_depth or budget[0] < 0 or budget[1] < 0:
                complete = False
                if budget[0] < 0 or budget[1] < 0:
                    break
                continue
            if isinstance(node, dict):
                for k, v in node.items():
                    ks = str(k)
                    if key in _NAME_KEYS and len(names) < 4096:
                        names.append((f"{path}.{ks}", ks))
                    elif len(ks) >= 12 and ks not in _SCHEMA_WORDS and len(texts) < 65536:
                        # any other key (in _meta, annotations, examples, defaults) is text the agent reads
                        budget[1] -= len(ks)
                        texts.append((f"{path}.{ks}#key", expand_name(ks)))
                    stack.append((v, f"{path}.{ks}", ks, d + 1))
            elif isinstance(node, list):
                for j, v in enumerate(node):
                    stack.append((v, f"{path}[{j}]", key, d + 1))
            elif isinstance(node, str):
                if key in _SKIP_VALUE_KEYS and len(node) < 64:
                    continue
                budget[1] -= len(node)
                texts.append((path, node))
        return texts, names, complete

    def _poison(self, name: str, texts, names, tw: str, act: str) -> list[Finding]:
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
        for path, text in texts:
            for layer in _decoded(text):
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
                out.append(_with_action(f, a))
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

    def _drift(self, tool: dict, name: str, session: ToolSession, first: bool, tw: str,
               seen_now: dict[str, str], listing: _Listing | None = None) -> list[Finding]:
        """`listing`: a prompts or resources listing (its own baseline and names); None for tools."""
        md = self.mcp.max_schema_depth
        parts = {}
        keys = listing.keys if listing is not None else _TOOL_KEYS
        noun = listing.noun if listing is not None else "tool"
        store = listing.items if listing is not None else session.tools
        try:
            for k in keys:
                parts[k] = hashlib.sha256(_canon(tool.get(k), md, self._complete)).hexdigest()
        except _TooDeep:
            return []  # already refused as schema_too_complex
        fp = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
        desc = tool.get("description") if isinstance(tool.get("description"), str) else ""
        schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        params = frozenset(str(k) for k in list(props)[:1000])
        rug = self.mcp.rug_pull_action
        if name in seen_now:
            if seen_now[name] != fp:
                return [Finding("rug_pull", f"duplicate_{noun}_name", "high", f"{name[:40]} listed twice, differently",
                                tw, rug)]
            return []
        seen_now[name] = fp
        if self._shared is not None:
            f = self._shared.check(session.server, name if listing is None else f"{listing.method} {name}", fp, tw, rug)
            if f is not None:
                return [f]
        old = store.get(name)
        if old is None:
            if len(store) >= session.max_tools:
                return [Finding("rug_pull", f"too_many_{noun}s", "high", f"over {session.max_tools} {noun}s", tw, "block")]
            store[name] = _Record(fp, desc[:MAX_DESC_KEEP], len(desc), params, parts)
            if first:
                return []
            return [Finding("rug_pull", f"{noun}_added_after_approval", "medium", name[:80], tw,
                            self.mcp.added_tool_action)]
        if old.fp == fp:
            return []
        # The approved (first) definition stays the baseline.
        return [Finding("rug_pull", f"{noun}_definition_changed", "critical", _diff(old, desc, params, parts)[:160],
                        tw, rug)]

    # ------------------------------------------------------------------ tools/call
    def scan_tool_call(self, name: str, arguments: dict | list | str | None, session: ToolSession | None = None,
                       server: str = "") -> list[Finding]:
        try:
            return self._scan_tool_call(name, arguments, session, server)
        except Exception as e:
            return [_internal(e, "params")]

    def _scan_tool_call(self, name, arguments, session, server) -> list[Finding]:
        if not isinstance(name, str) or not name:
            return [Finding("policy", "malformed_tool_call", "high", "missing tool name", "params.name", "block")]
        if arguments is None:
            arguments = {}
        server = server or (session.server if session is not None else "")
        findings: list[Finding] = []
        lv, complete = leaves(arguments, max_leaf=self.mcp.max_message_bytes)
        fields = [("params.name", name)] + [(p, v) for p, _, v in lv]
        keys = _object_keys(arguments)
        if keys:  # a secret can travel as an object key at any depth, not only as a value
            fields.append(("params.arguments#keys", " ".join(keys)))
        fields += _byte_lists(arguments)
        fields += named_values(arguments, "params.arguments")  # {"key": "AccountKey", "value": "..."}
        eng = self.engine
        if eng is not None and getattr(eng, "dlp", None) is not None:
            findings += eng.dlp.scan_fields(fields)
        findings += smuggling_findings(fields)
        if eng is not None and self.mcp.input_injection and getattr(eng, "injection", None) is not None:
            for p, v in fields:
                if len(v) >= 16:
                    findings += [_with_action(f, "block") if f.action == "strip" else f
                                 for f in eng.injection.scan(v, p)]
        for p, v in fields:   # a message that hands a credential file on to a URL, any language
            got = credential_handoff(v, p) if len(v) >= 24 else []
            if got:
                findings += got
                break
        walked = (lv, complete) if isinstance(arguments, (dict, list)) and \
            self.mcp.max_message_bytes >= MAX_LEAF else None
        pol, info = self.policy.analyse(name, arguments, walked)
        findings += pol
        findings += self.policy.server_checks(name, arguments, server)
        if session is not None:
            mode = self.mcp.session_binding_action
            if mode != "off" and session.listed and name not in session.tools:
                findings.append(Finding("session_binding", "unlisted_tool", "high", name[:80], "params.name", mode))
            call = classify(name, arguments, info, caps=session.caps.get(name))
            findings += session.chains.record(call, self.mcp.chain_action)
            if "network" in call.classes and session.chains.taints:
                src = session.chains.flows([v for _, v in fields])
                if src:   # data a sensitive read returned, on its way out (any number of calls later)
                    findings.append(Finding("chain", "data_flow_exfiltration", "critical",
                                            f"{src[:50]} -> {name[:50]}", "session", self.mcp.chain_action))
        return findings

    # ------------------------------------------------------------------ results
    def scan_tool_result(self, result: dict, where: str = "result", session: ToolSession | None = None,
                         tool: str = "") -> list[Finding]:
        """`session` and `tool`: the result answers this session's call of `tool` (a sensitive
        read's data is remembered for data-flow chains)."""
        try:
            if session is not None and tool and session.chains.awaiting:
                session.chains.result(tool, [t for _, t in _result_texts(result)])
            return self._scan_tool_result(result, where)
        except Exception as e:
            return [_internal(e, where)]

    def _scan_tool_result(self, result, where) -> list[Finding]:
        inj = getattr(self.engine, "injection", None) if self.engine is not None else None
        if inj is None or not isinstance(result, dict):
            return []
        texts: list[tuple[str, str]] = []
        parts: list[tuple[str, Any]] = []
        agent_only: list[str] = []   # content items annotated for the assistant alone
        if "jsonrpc" in result or ("result" in result and "content" not in result):
            if isinstance(result.get("result"), dict):
                parts.append((f"{where}", result["result"]))
            if isinstance(result.get("error"), dict):
                parts.append((f"{where}.error", result["error"]))
        else:
            parts.append((where, result))
        for base, obj in parts:
            if base.endswith(".error"):
                for k in ("message", "data"):
                    if k in obj:
                        texts += _strings(obj[k], f"{base}.{k}")
                continue
            content = obj.get("content")
            if isinstance(content, list):
                for i, item in enumerate(content[:10_000]):
                    w = f"{base}.content[{i}]"
                    if not isinstance(item, dict):
                        texts += _strings(item, w)
                        continue
                    if isinstance(item.get("text"), str):
                        texts += _text_and_json(item["text"], f"{w}.text")
                    res = item.get("resource")
                    if isinstance(res, dict) and isinstance(res.get("text"), str):
                        texts += _text_and_json(res["text"], f"{w}.resource.text")
                    texts += _blob_texts(item, w)
                    for k in ("title", "description", "name", "annotations", "_meta"):
                        if k in item:
                            texts += _strings(item[k], f"{w}.{k}")
                    if _assistant_only(item):
                        agent_only.append(w)
            if "structuredContent" in obj:
                texts += _strings(obj["structuredContent"], f"{base}.structuredContent")
            if isinstance(obj.get("error"), dict):
                for k in ("message", "data"):
                    if k in obj["error"]:
                        texts += _strings(obj["error"][k], f"{base}.error.{k}")
        findings: list[Finding] = []
        dlp = getattr(self.engine, "dlp", None)
        cred = getattr(self.mcp, "tool_result_credentials", "strip")
        for w, t in texts:
            if t == "\x00":
                findings.append(Finding("tool_result", "result_too_complex", "high", "over depth or size caps", w, "block"))
                continue
            hidden = any(w == a or w.startswith(a + ".") for a in agent_only)
            # text the user never sees is read as addressed to the agent
            findings += [_with_action(f, "block") if f.action == "strip" else f
                         for f in inj.scan(t, w, **({"audience": "agent"} if hidden else {}))]
            if len(t) >= 24 and not any(f.rule == "credential_handoff" for f in findings):
                findings += credential_handoff(t, w, agent_only=hidden)
            if dlp is not None:   # credentials, not public identifiers (addresses: severity low)
                findings += [_with_action(f, cred) for f in dlp.scan(self._unplaceheld(t), w) if f.severity != "low"]
        return findings

    def _unplaceheld(self, text: str) -> str:
        """Managed secrets (secrets: config) taken out: a placeholder is not a credential,
        and a real value an upstream echoes is scrubbed back to its placeholder by the
        transport, so neither is redacted here."""
        b = getattr(self.engine, "boundary", None)
        return b.mask(b.scrub_text(text)) if b is not None else text

    def redact_tool_result(self, result: dict) -> dict | None:
        """`result` with every credential the DLP scanner finds in its text replaced
        by a typed placeholder, or None when that cannot be done with certainty (a
        credential only seen decoded, or one still found after redaction): the
        caller then blocks."""
        dlp = getattr(self.engine, "dlp", None)
        if dlp is None:
            return None
        secrets: dict[str, str] = {}
        for w, t in _result_texts(result):
            t = self._unplaceheld(t)
            for f in dlp.scan(t, w):
                if f.severity == "low":
                    continue
                if f.span is None:
                    return None
                a, b = f.span
                value = t[a:b]
                if value.startswith("-----BEGIN"):  # a PEM block: up to its END line, or the end
                    end = t.find("-----END", b)
                    stop = t.find("-----", end + 8) if end >= 0 else -1
                    value = t[a:stop + 5] if stop >= 0 else t[a:]
                if len(value) < 6:
                    return None
                secrets[value] = f"[REDACTED:{f.scanner}:{f.rule}]"
        if not secrets:
            return None
        out = _replace_strings(result, sorted(secrets.items(), key=lambda kv: -len(kv[0])))
        if any(f.severity != "low" for w, t in _result_texts(out) for f in dlp.scan(self._unplaceheld(t), w)):
            return None  # something is still there: refuse rather than guess
        return out


def _result_texts(result: Any) -> list[tuple[str, str]]:
    """Every string in a tool result, JSON embedded in text included (for redaction)."""
    out: list[tuple[str, str]] = []
    for w, v in _strings(result, "result"):
        if v != "\x00":
            out += _text_and_json(v, w)
    return out


def _replace_strings(obj: Any, pairs: list[tuple[str, str]], depth: int = 0) -> Any:
    if isinstance(obj, str):
        for old, new in pairs:
            if old in obj:
                obj = obj.replace(old, new)
        return obj
    if depth > 64:
        return obj
    if isinstance(obj, dict):
        return {k: _replace_strings(v, pairs, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_replace_strings(v, pairs, depth + 1) for v in obj]
    return obj


def _strings(obj: Any, where: str) -> list[tuple[str, str]]:
    lv, complete = leaves(obj, where)
    out = [(p, v) for p, _, v in lv if v]
    if not complete:
        out.append((where, "\x00"))  # content beyond caps is still represented; the caller fails closed below
    return out


def _blob_texts(item: dict, where: str) -> list[tuple[str, str]]:
    """Base64 fields of a content item (a resource's `blob`, an image's or audio's `data`)
    that decode to text: the agent can read them as text whatever the declared MIME type,
    so they are scanned like a `text` field. Binary data is left alone (bounded)."""
    out: list[tuple[str, str]] = []
    res = item.get("resource")
    fields = [(f"{where}.resource.blob", res.get("blob"))] if isinstance(res, dict) else []
    fields.append((f"{where}.data", item.get("data")))
    for w, v in fields:
        if not isinstance(v, str) or len(v) < 12 or len(v) > _MAX_BLOB:
            continue
        raw = b64_bytes(v, loose=True)   # MIME-wrapped, url-safe or unpadded alike
        if not raw:
            continue
        t = text_of(raw)
        if t:
            out += _text_and_json(t, w)
    return out


_MAX_BLOB = 4 * 1024 * 1024


def _text_and_json(text: str, where: str) -> list[tuple[str, str]]:
    out = [(where, text)]
    s = text.lstrip()
    if s[:1] in ("{", "[") and len(text) <= 4 * 1024 * 1024:
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            return out
        # Embedded JSON: its strings, with escapes decoded, are scanned too.
        out += [(p, v) for p, v in _strings(obj, where + "#json") if v != "\x00"]
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


def _assistant_only(item: dict) -> bool:
    """An MCP content item whose annotations name the assistant as its only audience."""
    ann = item.get("annotations")
    aud = ann.get("audience") if isinstance(ann, dict) else None
    return isinstance(aud, list) and bool(aud) and all(a == "assistant" for a in aud)


def _as_poison(f: Finding, action: str) -> Finding:
    import dataclasses
    return dataclasses.replace(f, scanner="tool_poison", action=action)


def _with_action(f: Finding, action: str) -> Finding:
    import dataclasses
    return f if f.action == action else dataclasses.replace(f, action=action)


def _diff(old: _Record, desc: str, params: frozenset[str], parts: dict[str, str]) -> str:
    bits: list[str] = []
    if old.parts.get("description") != parts.get("description"):
        od, olen = old.description, old.desc_len
        if desc.startswith(od) and len(desc) > olen:
            tail = desc[olen:].strip()
            bits.append(f"description grew by {len(desc) - olen} chars: '...{tail[:60]}'")
        elif od.startswith(desc[:MAX_DESC_KEEP]) and len(desc) < olen:
            bits.append(f"description shrank by {olen - len(desc)} chars")
        else:
            k = 0
            while k < min(len(od), len(desc)) and od[k] == desc[k]:
                k += 1
            bits.append(f"description changed ({olen} -> {len(desc)} chars) at {k}: '{desc[k:k + 60]}'")
    added = sorted(params - old.params)
    removed = sorted(old.params - params)
    if added:
        bits.append("param added: " + ", ".join(a[:30] for a in added[:5]))
    if removed:
        bits.append("param removed: " + ", ".join(r[:30] for r in removed[:5]))
    order = ("inputSchema", "outputSchema", "annotations", "title")
    for k in order + tuple(k for k in parts if k not in order and k not in ("name", "description")):
        if old.parts.get(k) != parts.get(k) and not (k == "inputSchema" and (added or removed)):
            bits.append(f"{k} changed")
    return "; ".join(bits) or "definition changed"
