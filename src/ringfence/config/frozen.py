"""The built-in default config without pydantic (start-up time and memory).

default_config() is a read-only view of Config()'s values: its fields, the values of its
sections' properties (enforce, active) and its model_dump_json(), taken once from the
pydantic model and kept in the pattern cache (match.hscache.cached_json), keyed by the
source of this package. A warm `ringfence check` or an idle proxy without a config file
then never imports pydantic. Anything else (model_copy, model_dump, repr, setattr, ==
against a model) is answered by the real Config(), built on first such use.

Defaults must therefore be constants of this package's source (no environment, no
clock): tests/config/test_frozen.py compares the view with Config() field by field.
A config file always goes through the pydantic models (load.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

FORMAT = 2
NODE = "\u0000section"   # marks a section in the snapshot (no default dict has this key)


def _sources_digest() -> str:
    """SHA-256 over this package's Python source: any change to a default changes the key."""
    d = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256()
    for name in sorted(os.listdir(d)):
        if name.endswith(".py"):
            with open(os.path.join(d, name), "rb") as f:
                h.update(name.encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()


def _node(model) -> dict:
    """{"f": fields (a section is a nested node), "p": property values, "j": model_dump_json(),
    "a": every other attribute name the model's class has}."""
    from pydantic import BaseModel
    fields = {}
    for name in type(model).model_fields:
        v = getattr(model, name)
        if isinstance(v, BaseModel):
            fields[name] = _node(v)
            continue
        if _holds_model(v):
            raise TypeError(f"default {name} holds a model inside a container")
        fields[name] = v
    props = {}
    for klass in type(model).__mro__:
        for name, attr in vars(klass).items():
            if isinstance(attr, property) and not name.startswith("_") and name not in props \
                    and not name.startswith("model_"):
                v = getattr(model, name)
                if v is None or isinstance(v, (bool, int, float, str)):
                    props[name] = v
    names = sorted(n for n in dir(type(model)) if not n.startswith("__"))
    return {NODE: True, "f": fields, "p": props, "j": model.model_dump_json(), "a": names}


def _holds_model(v) -> bool:
    from pydantic import BaseModel
    if isinstance(v, BaseModel):
        return True
    if isinstance(v, (list, tuple)):
        return any(_holds_model(x) for x in v)
    if isinstance(v, dict):
        return any(_holds_model(x) for x in v.values())
    return False


def _make() -> str:
    from .schema import Config
    return json.dumps(_node(Config()), separators=(",", ":"))


_TEXT: str | None = None


def _snapshot() -> dict:
    """A fresh copy of the default config's snapshot (callers may not share its lists)."""
    global _TEXT
    if _TEXT is None:
        from ..match.hscache import cached_json
        key = [FORMAT, _sources_digest(), list(sys.version_info[:2])]
        got = cached_json("config-default", key, _make)
        _TEXT = got if isinstance(got, str) else _make()
    return json.loads(_TEXT)


class FrozenSection:
    """One section of the default config (the root is one too); read-only."""
    __slots__ = ("_n", "_path", "_root", "_model")

    def __init__(self, node: dict, path: tuple = (), root: "FrozenSection | None" = None):
        object.__setattr__(self, "_n", node)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_model", None)

    def __getattr__(self, name: str):
        n = self._n
        f = n["f"]
        if name in f:
            v = f[name]
            if type(v) is dict and NODE in v:
                v = FrozenSection(v, self._path + (name,), self._root or self)
                f[name] = v   # the same section object on every access, like a model
            return v
        if name in n["p"]:
            return n["p"][name]
        if name.startswith("__") or name not in n["a"]:
            # the model has no such attribute either: say so without building it
            # (getattr(section, name, default) is how optional settings are read)
            raise AttributeError(name)
        return getattr(self.real(), name)

    def real(self):
        """The pydantic model this view stands for (built, with pydantic, on first use)."""
        if self._model is None:
            root = self._root or self
            if root._model is None:
                from .schema import Config
                object.__setattr__(root, "_model", Config())
            m = root._model
            for name in self._path:
                m = getattr(m, name)
            object.__setattr__(self, "_model", m)
        return self._model

    def model_dump_json(self, **kw) -> str:
        return self._n["j"] if not kw else self.real().model_dump_json(**kw)

    def __setattr__(self, name, value):
        setattr(self.real(), name, value)   # raises pydantic's frozen-instance error

    def __delattr__(self, name):
        delattr(self.real(), name)

    def __eq__(self, other):
        if isinstance(other, FrozenSection):
            return self._path == other._path and self._n["j"] == other._n["j"]
        return self.real() == other

    def __hash__(self):
        return hash(self.real())

    def __repr__(self) -> str:
        return repr(self.real())

    def __reduce__(self):
        return _same, (self.real(),)   # unpickles as the model itself

    def __copy__(self):
        return self.real().__copy__()

    def __deepcopy__(self, memo=None):
        return self.real().__deepcopy__(memo)

    def __iter__(self):
        return iter(self.real())

    def __dir__(self):
        return sorted(set(self._n["f"]) | set(self._n["p"]) | set(dir(self.real())))


def _same(model):
    return model


def default_config() -> FrozenSection:
    """The built-in defaults (balanced), as Config() has them, without importing pydantic."""
    return FrozenSection(_snapshot())


__all__ = ["FrozenSection", "default_config"]
