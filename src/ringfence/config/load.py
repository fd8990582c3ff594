"""YAML loading with line numbers in every error."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .schema import Config

MAX_CONFIG_BYTES = 1024 * 1024
# Bounds on the YAML node graph, checked before anything is built from it: a few
# kilobytes of nested aliases (a "billion laughs" bomb) would otherwise expand to
# gigabytes and minutes in construction, line mapping and validation.
MAX_ALIASES = 100          # alias uses (*name) in one file
MAX_EXPANSION = 10_000     # values aliases may add to the document, all expanded
MAX_DEPTH = 64             # nesting of mappings and sequences


class ConfigError(Exception):
    """A config problem, with a message that names the key and line."""


def _lines(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Map each key path to its 1-based line, from the YAML node tree."""
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[path + (key,)] = k.start_mark.line + 1
            out.update({p: ln for p, ln in _lines(v, path + (key,)).items() if p != path + (key,)})
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(_lines(v, path + (i,)))
    return out


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (the config must mean one thing) and
    bounds aliases and nesting while composing."""

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                line = self.peek_event().start_mark.line + 1
                raise ConfigError(f"line {line}: more than {MAX_ALIASES} YAML aliases (*name); "
                                  "write the values out instead")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise ConfigError(f"line {line}: YAML nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_expansion(root: yaml.Node) -> None:
    """Size the document as built (every alias expanded) in time linear in the node
    graph: each distinct node is sized once. Aliases may add at most MAX_EXPANSION
    values and may not nest past MAX_DEPTH; a cycle is refused."""
    sizes: dict[int, tuple[int, int]] = {}   # id(node) -> (expanded size, height)
    active: set[int] = set()

    def walk(node: yaml.Node) -> tuple[int, int]:
        key = id(node)
        got = sizes.get(key)
        if got is not None:
            return got
        if key in active:
            raise ConfigError(f"line {node.start_mark.line + 1}: a YAML alias refers to itself")
        total, height = 1, 0
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            active.add(key)
            children = [c for kv in node.value for c in kv] if isinstance(node, yaml.MappingNode) else node.value
            for child in children:
                n, h = walk(child)
                total = min(total + n, 1 << 40)
                height = max(height, h + 1)
            active.discard(key)
            if height > MAX_DEPTH:
                raise ConfigError(f"line {node.start_mark.line + 1}: YAML nested deeper than {MAX_DEPTH} "
                                  "levels through aliases")
        sizes[key] = (total, height)
        return total, height

    total, _ = walk(root)
    if total > len(sizes) + MAX_EXPANSION:
        raise ConfigError(f"YAML aliases expand the config to {'over 10^12' if total >= 1 << 40 else total} "
                          f"values from {len(sizes)} written (at most {MAX_EXPANSION} more are allowed; "
                          "an alias bomb?)")



def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for k, _ in node.value:
        key = loader.construct_object(k, deep=deep)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise ConfigError(f"line {k.start_mark.line + 1}: a key must be a plain value, not a "
                              f"{type(key).__name__}")
        if key in seen:
            raise ConfigError(f"line {k.start_mark.line + 1}: duplicate key '{key}'")
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


_NOT_FLOW = re.compile(r"[^\[\]{}]+")
_OPENERS = re.compile(r"[\[{]{%d,}" % (2 * MAX_DEPTH + 1))


def _flow_too_deep(text: str) -> bool:
    """PyYAML's scanner slows down sharply on deep flow nesting ([[[[...), before
    the composer could count levels: peel innermost bracket pairs, one level a
    pass, at C speed. Brackets inside strings count too (conservative)."""
    s = _NOT_FLOW.sub("", text)
    for _ in range(2 * MAX_DEPTH):
        t = s.replace("[]", "").replace("{}", "")
        if t == s:   # what is left is unbalanced: a long run of openers is deep too
            return _OPENERS.search(s) is not None
        s = t
    return True


def load_config_text(text: str, source: str = "<config>") -> Config:
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: config is larger than {MAX_CONFIG_BYTES} bytes")
    if _flow_too_deep(text):
        raise ConfigError(f"{source}: YAML nested deeper than {2 * MAX_DEPTH} levels of [ ] or {{ }}")
    try:
        docs = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: invalid YAML: {e}".replace("\n", " ")) from None
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None
    except RecursionError:
        raise ConfigError(f"{source}: YAML nested too deeply") from None
    if len(docs) > 1:
        raise ConfigError(f"{source}: one YAML document expected, found {len(docs)}")
    if not docs or docs[0] is None:
        return Config()
    node = docs[0]
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{source}: line {node.start_mark.line + 1}: the config must be a mapping of keys")
    try:
        _check_expansion(node)
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None
    except RecursionError:
        raise ConfigError(f"{source}: YAML nested too deeply") from None
    try:
        loader = _Loader(text)
        try:
            data: Any = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: invalid YAML: {e}".replace("\n", " ")) from None
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None
    lines = _lines(node)
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        msgs = []
        for err in e.errors():
            loc = tuple(err["loc"])
            line = lines.get(loc) or lines.get(loc[:-1]) or 0
            key = ".".join(str(p) for p in loc) or "(top)"
            what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            msgs.append(f"{source}: line {line}: {key}: {what}")
        raise ConfigError("\n".join(msgs)) from None


def load_config(path: str | Path | None) -> Config:
    """Load a config file; None means the built-in defaults (balanced)."""
    if path is None:
        return Config()
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file (make one with: ringfence generate config > {p})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: cannot read config: {e}") from None
    return load_config_text(text, str(p))
