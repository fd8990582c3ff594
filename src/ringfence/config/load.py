"""YAML loading with line numbers in every error."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    from .yamlload import parse  # PyYAML loads only when there is a file to read
    got = parse(text, source)
    if got is None:
        from .frozen import default_config
        return default_config()
    from pydantic import ValidationError

    from .schema import Config
    data, lines = got
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
        from .frozen import default_config
        return default_config()
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file (make one with: ringfence generate config > {p})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: cannot read config: {e}") from None
    return load_config_text(text, str(p))
