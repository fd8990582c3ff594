"""Walks of tools/call arguments beyond their string leaves: object keys and
byte-value lists, where a secret can travel too. One walk by the shared walker,
with the bounds of the leaves walk (scanners/policy.leaves): arguments past them
are refused there (arguments_too_complex), so nothing accepted goes unread here."""
from __future__ import annotations

import json
from typing import Any

from ...core.jsonwalk import Walk
from ..policy import MAX_DEPTH, MAX_LEAVES

MAX_KEYS = 512
MAX_BYTE_LISTS = 16


def keys_and_byte_lists(obj: Any, root: str = "params.arguments") -> tuple[list[str], list[tuple[str, str]]]:
    """(object keys at every depth, in document order, up to MAX_KEYS;
    lists of 16+ byte values (0..255) as their JSON text, up to MAX_BYTE_LISTS):
    the leaves of a byte list are numbers, the list is a byte string (a keypair
    file, an encoded payload)."""
    keys: list[str] = []
    lists: list[tuple[str, str]] = []
    for path, name, v, member in Walk(MAX_DEPTH, 64 * MAX_LEAVES, strict=False).nodes(obj, root):
        if member and len(keys) < MAX_KEYS:
            keys.append(name[:512])
        if type(v) is list and len(v) >= 16 and len(lists) < MAX_BYTE_LISTS \
                and all(type(x) is int and 0 <= x <= 255 for x in v[:65536]):
            lists.append((path + "[]", json.dumps(v[:65536])))
    return keys, lists
