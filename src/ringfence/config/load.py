"""YAML loading with line numbers in every error."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .schema import Config

MAX_CONFIG_BYTES = 1024 * 1024


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
    """SafeLoader that rejects duplicate keys: the config must mean one thing."""


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for k, _ in node.value:
        key = loader.construct_object(k, deep=deep)
        if key in seen:
            raise ConfigError(f"line {k.start_mark.line + 1}: duplicate key '{key}'")
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_config_text(text: str, source: str = "<config>") -> Config:
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: config is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        docs = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: invalid YAML: {e}".replace("\n", " ")) from None
    if len(docs) > 1:
        raise ConfigError(f"{source}: one YAML document expected, found {len(docs)}")
    if not docs or docs[0] is None:
        return Config()
    node = docs[0]
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{source}: line {node.start_mark.line + 1}: the config must be a mapping of keys")
    try:
        data: Any = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: invalid YAML: {e}".replace("\n", " ")) from None
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
