"""Tool capability classifier (sans-io): what a tool can do — read or write
files, run commands, reach the network, send messages, read the environment —
from its definition (name, description, input schema, annotations) when the
session has seen one in tools/list, else from its name; and from the
arguments of a call. Each capability carries the reason it was given.

The vocabulary is data in rules/tool_caps.py."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ..rules import tool_caps as V
from ..text.forms import bare
from . import shell

_WS = re.compile(r"\s+")
_NET_TEXT = re.compile(V.NETWORK_TEXT)
_MSG_TEXT = re.compile(V.MESSAGE_TEXT)
_LOCAL_TEXT = re.compile(V.LOCAL_TEXT)
_URL_VALUE = re.compile(r"(?i)\s*(?:https?|wss?|ftps?|sftp|gopher|dict|ldap)://\S")
_EMAIL_VALUE = re.compile(r"(?i)\s*[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+\s*$")
_HOST_VALUE = re.compile(r"(?i)\s*(?:[a-z0-9-]{1,63}\.)+[a-z][a-z0-9-]{1,62}(?::\d{1,5})?(?:/\S*)?\s*$"
                         r"|\s*\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?:/\S*)?\s*$")
_PHONE_VALUE = re.compile(r"\s*\+\d[\d\s().-]{6,18}\d\s*$")
_MSG_KEYS = V.MESSAGE_PROPS | {"to", "from_to", "send_to", "mail_to", "destination_email"}
MAX_TEXT = 16 * 1024
MAX_PROPS = 256


@dataclass(frozen=True, slots=True)
class ToolCaps:
    caps: frozenset[str] = frozenset()
    reasons: tuple[tuple[str, str], ...] = ()    # (capability, why), first reason per capability
    local: str = ""                              # why the definition reads as local-only, if it does

    def has(self, *caps: str) -> bool:
        return bool(self.caps.intersection(caps))

    @property
    def egress(self) -> bool:
        return bool(self.caps & V.EGRESS)

    def why(self, cap: str) -> str:
        return next((r for c, r in self.reasons if c == cap), "")

    def union(self, other: "ToolCaps | None") -> "ToolCaps":
        if other is None or not other.reasons:
            return self
        b = _Builder()
        for c, r in self.reasons + other.reasons:
            b.add(c, r)
        return b.build(self.local or other.local)


@dataclass(slots=True)
class _Builder:
    reasons: dict[str, str] = field(default_factory=dict)

    def add(self, cap: str, why: str) -> None:
        self.reasons.setdefault(cap, why[:120])

    def build(self, local: str = "") -> ToolCaps:
        return ToolCaps(frozenset(self.reasons), tuple(self.reasons.items()), local)


def fold(text: str) -> str:
    """Look-alike letters to ASCII, accents removed, lower-cased (`Télécharger` -> `telecharger`)."""
    return bare(shell.fold(text[:MAX_TEXT])).lower()


def segments(name: str) -> tuple[str, ...]:
    """`postUpdate` / `post-update` / `fs.post_update` -> ('post', 'update') (accents folded)."""
    return _segments(name[:256])


@functools.lru_cache(maxsize=4096)  # names and argument keys repeat call after call
def _segments(name: str) -> tuple[str, ...]:
    s = bare(shell.fold(name))
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    return tuple(p for p in re.split(r"[^0-9a-z]+", s.lower()) if p)


def _name_caps(name: str, b: _Builder, weak: _Builder) -> str:
    """Strong evidence into `b`, weak into `weak`; returns why the name reads as local, if it does."""
    segs = segments(name)
    joined = "_".join(segs)
    for cap, vocab in V.STRONG_SEGS.items():
        hit = next((s for s in segs if s in vocab), "")
        if hit:
            b.add(cap, f"name '{name[:40]}' says {hit}")
    for cap, vocab in V.WEAK_SEGS.items():
        hit = next((s for s in segs if s in vocab), "")
        if hit:
            weak.add(cap, f"name '{name[:40]}' says {hit}")
    if joined in ("run", "run_code") or "run_command" in joined:
        b.add(V.RUNS_COMMANDS, f"name '{name[:40]}' runs code")
    local = next((s for s in segs if s in V.LOCAL_SEGS), "")
    return f"name '{name[:40]}' says {local}" if local else ""


def _text_caps(text: str, where: str, b: _Builder) -> None:
    t = _WS.sub(" ", fold(text))
    m = _NET_TEXT.search(t)
    if m:
        b.add(V.REACHES_NETWORK, f"{where}: '{m.group(0)[:48]}'")
    m = _MSG_TEXT.search(t)
    if m:
        b.add(V.SENDS_MESSAGES, f"{where}: '{m.group(0)[:48]}'")


def _props(schema: Any, out: list[tuple[str, dict]], depth: int = 0) -> None:
    """(property name, property schema) at any depth of an input schema (bounded)."""
    if depth > 8 or not isinstance(schema, dict) or len(out) >= MAX_PROPS:
        return
    props = schema.get("properties")
    if isinstance(props, dict):
        for k, v in list(props.items())[:MAX_PROPS]:
            if isinstance(v, dict):
                out.append((str(k), v))
                _props(v, out, depth + 1)
    for key in ("items", "additionalProperties"):
        _props(schema.get(key), out, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        alts = schema.get(key)
        if isinstance(alts, list):
            for a in alts[:16]:
                _props(a, out, depth + 1)


def of_definition(tool: dict) -> ToolCaps:
    """Capabilities of a tool as listed in tools/list (name, description, schema, annotations)."""
    name = tool.get("name") if isinstance(tool.get("name"), str) else ""
    b, weak, text = _Builder(), _Builder(), _Builder()
    local_name = _name_caps(name, b, weak)
    desc = " ".join(x for x in (tool.get("title"), tool.get("description")) if isinstance(x, str))
    _text_caps(desc, "description", text)
    props: list[tuple[str, dict]] = []
    _props(tool.get("inputSchema"), props)
    for pname, p in props:
        seg = "_".join(segments(pname))
        fmt = p.get("format") if isinstance(p.get("format"), str) else ""
        if seg in V.NETWORK_PROPS or fmt in V.NETWORK_FORMATS:
            b.add(V.REACHES_NETWORK, f"input '{pname[:30]}'" + (f" (format {fmt})" if fmt else ""))
        if seg in V.MESSAGE_PROPS or fmt in V.MESSAGE_FORMATS:
            b.add(V.SENDS_MESSAGES, f"input '{pname[:30]}'" + (f" (format {fmt})" if fmt else ""))
        pd = " ".join(x for x in (p.get("description"), p.get("title")) if isinstance(x, str))
        if pd:
            _text_caps(pd, f"input '{pname[:30]}'", text)
            desc += " " + pd
    ann = tool.get("annotations")
    if isinstance(ann, dict) and ann.get("openWorldHint") is True:
        b.add(V.REACHES_NETWORK, "annotations.openWorldHint")
    lm = _LOCAL_TEXT.search(_WS.sub(" ", fold(desc)))
    local = f"description: '{lm.group(0)[:40]}'" if lm else local_name
    # A description that places the tool on this machine outweighs the verbs of its
    # name and its own wording; schema facts (URL inputs, recipients) still count.
    if not local:
        for c, r in text.reasons.items():
            b.add(c, r)
    return _built(b, weak, local)


def _built(b: _Builder, weak: _Builder, local: str) -> ToolCaps:
    """The strong evidence, and the weak unless a tool that reads as local would reach out."""
    for c, r in weak.reasons.items():
        if not (local and c in V.EGRESS):
            b.add(c, r)
    return b.build(local)


def of_name(name: str) -> ToolCaps:
    """Capabilities from the name alone (no definition seen)."""
    return _of_name(name[:256])


@functools.lru_cache(maxsize=4096)
def _of_name(name: str) -> ToolCaps:
    b, weak = _Builder(), _Builder()
    return _built(b, weak, _name_caps(name, b, weak))


def of_arguments(arguments: Any) -> ToolCaps:
    """What a call's own arguments show: a URL to reach, a recipient to message."""
    b = _Builder()
    if isinstance(arguments, dict):
        for k, v in list(arguments.items())[:MAX_PROPS]:
            key = "_".join(segments(str(k)))
            vals = v if isinstance(v, list) else [v]
            for x in vals[:32]:
                if not isinstance(x, str) or len(x) > 8192:
                    continue
                if _URL_VALUE.match(x):
                    b.add(V.REACHES_NETWORK, f"argument '{str(k)[:30]}' is a URL")
                elif key in V.NETWORK_PROPS and _HOST_VALUE.match(x):
                    b.add(V.REACHES_NETWORK, f"argument '{str(k)[:30]}' is a host")
                elif key in _MSG_KEYS and (_EMAIL_VALUE.match(x) or _PHONE_VALUE.match(x) or x.startswith(("#", "@"))):
                    b.add(V.SENDS_MESSAGES, f"argument '{str(k)[:30]}' is a recipient")
    return b.build()


def of_call(name: str, arguments: Any, known: ToolCaps | None = None) -> ToolCaps:
    """A call's capabilities: the tool's definition if known, else its name; plus its arguments."""
    base = known if known is not None else of_name(name)
    return base.union(of_arguments(arguments))
