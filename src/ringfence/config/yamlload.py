"""The YAML side of config loading: a strict, bounded SafeLoader and the key-path -> line
map behind every error message. Imported only when a config file is read."""
from __future__ import annotations

from typing import Any

import yaml

from .load import MAX_ALIASES, MAX_DEPTH, MAX_EXPANSION, ConfigError


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


def parse(text: str, source: str) -> tuple[Any, dict[tuple, int]] | None:
    """(data, line of each key path) of one YAML mapping document; None when empty."""
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
        return None
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
    return data, _lines(node)
