"""Every regex the project compiles, for tests that must hold over all of them:
each string of the rule modules (ringfence.rules.*, walked through their lists,
dicts and dataclass rules) that compiles as a pattern, and the source of every
compiled pattern object the scanner, text and match modules hold (module level
and class attributes). Collected, not listed, so a new rule is covered."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
import warnings

import regex

import ringfence

_META = set("\\[](){}|?*+^$")
_PACKAGES = ("rules", "scanners", "text", "match", "core")
_NOT_PATTERNS = frozenset({"tp", "tn", "examples"})        # a rule's sample texts
_GLOBS = frozenset({"ringfence.rules.sensitive_files"})     # globs, compiled by rules/pathglob


def _modules(package: str):
    pkg = importlib.import_module(f"ringfence.{package}")
    yield pkg
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        try:
            yield importlib.import_module(info.name)
        except ImportError:   # an optional engine missing: its patterns are not compiled either
            continue


def _compiles(s: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for engine in (re, regex):
            try:
                engine.compile(s)
                return True
            except Exception:
                continue
    return False


def _walk(obj, out: set[str], strings: bool, depth: int = 0, seen: set[int] | None = None) -> None:
    seen = set() if seen is None else seen
    if depth > 6 or id(obj) in seen:
        return
    if isinstance(obj, (re.Pattern, regex.Pattern)):
        if isinstance(obj.pattern, str):
            out.add(obj.pattern)
        return
    if isinstance(obj, str):
        if strings and len(obj) >= 2 and _META & set(obj) and _compiles(obj):
            out.add(obj)
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        for k, v in obj.items():
            _walk(k, out, strings, depth + 1, seen)
            _walk(v, out, strings, depth + 1, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            _walk(v, out, strings, depth + 1, seen)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name not in _NOT_PATTERNS:
                _walk(getattr(obj, f.name, None), out, strings, depth + 1, seen)


def project_patterns() -> list[str]:
    """Sorted, deduplicated."""
    out: set[str] = set()
    for package in _PACKAGES:
        for mod in _modules(package):
            strings = package == "rules" and mod.__name__ not in _GLOBS
            for name, value in vars(mod).items():
                if name.startswith("__"):
                    continue
                if isinstance(value, type) and value.__module__ == mod.__name__:
                    for k, v in vars(value).items():
                        if not k.startswith("__"):
                            _walk(v, out, strings)
                else:
                    _walk(value, out, strings)
    return sorted(out)


if __name__ == "__main__":   # a dump of every pattern's rewritten forms, to compare two trees
    import json
    import sys

    from ringfence.match.rewrite import prefilter_source
    from ringfence.scanners.dlp import prefilter_pattern
    from ringfence.scanners.injection.prefilter import hs_pattern

    def form(f, p):
        try:
            return f(p)
        except Exception as e:
            return f"<{type(e).__name__}>"
    assert ringfence.__file__.startswith(sys.argv[1]), ringfence.__file__
    json.dump({p: [form(hs_pattern, p), form(prefilter_source, p), form(prefilter_pattern, p)]
               for p in project_patterns()}, sys.stdout)
