"""The one JSON leaf walker (core.jsonstrict is the one parser).

Every scanner and transport that reads the strings inside a parsed JSON value
walks it here: iteratively (no recursion limit), in document order (so a value
split across fields glues back in the order it was written), bounded in depth
and in nodes. Past a bound a strict walk raises WalkLimit (callers fail closed);
a lenient one skips what is too deep, keeps the first nodes up to the node cap
(a long list keeps its head) and says so in `complete`.

    Walk(...).nodes(value, path)    (path, name, value, member) for every node
    Walk(...).strings(value, path)  (path, text): string leaves, optionally long
                                    object keys and long numbers
    strings_of(nodes)               the same over nodes already walked
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Iterator

MAX_DEPTH = 64
MAX_NODES = 20_000


_RECURSE = 64  # subtrees deeper than this are walked with an explicit stack


class _Stop(Exception):
    """The node cap of a lenient walk was reached: stop where we are."""


class WalkLimit(OverflowError):
    """Too many or too deeply nested values to walk."""
    rule = "too_large"


class Walk:
    __slots__ = ("max_depth", "max_nodes", "strict", "complete", "count")

    def __init__(self, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES, strict: bool = True):
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.strict = strict
        self.complete = True
        self.count = 0   # nodes visited, over every walk of this object

    def _over(self, what: str) -> None:
        """Past a bound: raise (strict), or note it and go on without that part."""
        if self.strict:
            raise WalkLimit(f"JSON has too many or too deeply nested values ({what})")
        self.complete = False

    def nodes(self, value: Any, path: str = "$") -> list[tuple[str, str, Any, bool]]:
        """`value` and every node below it, in document order, as (path, name, value,
        member): name is the nearest object member name ("" at the top; list items
        inherit their list's), member is True for a direct object member."""
        out: list[tuple[str, str, Any, bool]] = [(path, "", value, False)]
        self.count += 1
        if self.count > self.max_nodes:
            self._over("nodes")
            return []
        try:
            self._below(value, path, "", 0, out)
        except _Stop:
            pass
        return out

    def _below(self, v: Any, p: str, name: str, depth: int, out: list) -> None:
        """The children of v (at depth+1) and their subtrees: recursion while shallow
        (fast), an explicit stack for deeper subtrees (no recursion limit)."""
        t = type(v)
        is_dict = t is dict or (t is not list and isinstance(v, dict))
        if not is_dict and not (t is list or isinstance(v, (list, tuple))):
            return
        if not v:
            return
        if depth + 1 > self.max_depth:
            self._over("depth")
            return
        room = self.max_nodes - self.count
        self.count += len(v)
        stop = self.count > self.max_nodes
        if stop:
            # strict raises; lenient keeps the children that fit, then stops
            self._over("nodes")
            self.count = self.max_nodes
        if depth >= _RECURSE:
            self._below_iter(self._kids(v, p, name, room if stop else None), depth + 1, out)
            if stop:
                raise _Stop
            return
        append = out.append
        below = self._below
        if is_dict:
            items = islice(v.items(), room) if stop else v.items()
            for k, x in items:
                q = f"{p}.{k}"
                if type(k) is not str:
                    k = str(k)
                append((q, k, x, True))
                tx = type(x)
                if tx is dict or tx is list or (tx is not str and isinstance(x, (dict, list, tuple))):
                    below(x, q, k, depth + 1, out)
        else:
            for i, x in enumerate(islice(v, room) if stop else v):
                q = f"{p}[{i}]"
                append((q, name, x, False))
                tx = type(x)
                if tx is dict or tx is list or (tx is not str and isinstance(x, (dict, list, tuple))):
                    below(x, q, name, depth + 1, out)
        if stop:
            raise _Stop

    @staticmethod
    def _kids(v: Any, p: str, name: str, room: int | None = None) -> list:
        if isinstance(v, dict):
            return [(f"{p}.{k}", k if type(k) is str else str(k), x, True)
                    for k, x in islice(v.items(), room)]
        if isinstance(v, (list, tuple)):
            return [(f"{p}[{i}]", name, x, False) for i, x in enumerate(islice(v, room))]
        return []

    def _below_iter(self, kids: list, depth: int, out: list) -> None:
        stack: list[tuple[Any, int]] = [(iter(kids), depth)]
        while stack:
            it, d = stack[-1]
            kid = next(it, None)
            if kid is None:
                stack.pop()
                continue
            out.append(kid)
            sub = self._kids(kid[2], kid[0], kid[1])
            if not sub:
                continue
            if d + 1 > self.max_depth:
                self._over("depth")
                continue
            room = self.max_nodes - self.count
            self.count += len(sub)
            if self.count > self.max_nodes:
                self._over("nodes")    # strict raises; lenient keeps what fits, then stops
                self.count = self.max_nodes
                out.extend(sub[:max(room, 0)])
                raise _Stop
            stack.append((iter(sub), d + 1))

    def strings(self, value: Any, path: str = "$", *, key_min: int | None = None,
                num_min: int | None = None) -> Iterator[tuple[str, str]]:
        """(path, text) for every string leaf; with key_min, object keys at least that
        long (as "<parent>.<key>", just before their value); with num_min, numbers
        whose text is at least that long (a secret can be a long digit run)."""
        return strings_of(self.nodes(value, path), key_min=key_min, num_min=num_min)


def strings_of(nodes: list[tuple[str, str, Any, bool]], *, key_min: int | None = None,
               num_min: int | None = None) -> Iterator[tuple[str, str]]:
    """Walk.strings over nodes already walked (a caller that also reads the objects)."""
    for p, name, v, member in nodes:
        if member and key_min is not None and len(name) >= key_min:
            yield f"{p[:len(p) - len(name) - 1]}.<key>", name
        if isinstance(v, str):
            yield p, v
        elif num_min is not None and isinstance(v, (int, float)) and not isinstance(v, bool):
            s = str(v)
            if len(s) >= num_min:
                yield p, s


def strings(value: Any, path: str = "$", *, key_min: int | None = None, num_min: int | None = None,
            max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> list[tuple[str, str]]:
    """Walk(strict).strings as a list; raises WalkLimit past a bound."""
    return list(Walk(max_depth, max_nodes).strings(value, path, key_min=key_min, num_min=num_min))


__all__ = ["MAX_DEPTH", "MAX_NODES", "Walk", "WalkLimit", "strings", "strings_of"]
