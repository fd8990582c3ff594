"""Walks of tools/call arguments beyond their string leaves: object keys and
byte-value lists, where a secret can travel too."""
from __future__ import annotations

import json
from typing import Any

MAX_KEYS = 512


def object_keys(obj, cap: int = MAX_KEYS) -> list[str]:
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


def byte_lists(obj, cap: int = MAX_BYTE_LISTS) -> list[tuple[str, str]]:
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
