"""Walking an MCP tool (or prompt, resource) definition: every string at any
depth, the parameter names, and keys that read as text; bounded by depth,
node and text budgets."""
from __future__ import annotations

import functools
from typing import Any

from ..policy import split_name

MAX_NODES = 200_000        # JSON nodes walked per tools/list
MAX_TEXT = 4 * 1024 * 1024  # text collected per tools/list
_SKIP_VALUE_KEYS = frozenset({"type", "format", "$schema", "$ref", "$id"})
_NAME_KEYS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
# JSON Schema and MCP keywords of 12+ characters: structure, not text.
_SCHEMA_WORDS = frozenset({"additionalProperties", "patternProperties", "dependentSchemas", "dependentRequired",
                           "unevaluatedProperties", "unevaluatedItems", "additionalItems", "propertyNames",
                           "contentMediaType", "contentEncoding", "contentSchema", "exclusiveMaximum",
                           "exclusiveMinimum", "maxProperties", "minProperties", "destructiveHint", "idempotentHint",
                           "openWorldHint", "readOnlyHint", "outputSchema", "definitions", "description",
                           "maxContains", "minContains", "$dynamicAnchor", "$dynamicRef", "$vocabulary",
                           "deprecated", "x-nullable", "discriminator", "externalDocs", "uniqueItems"})


@functools.lru_cache(maxsize=8192)
def expand_name(name: str) -> str:
    """`contentFromReadingSshIdRsa` -> 'content from reading ssh id rsa'."""
    return " ".join(split_name(name))


def collect(tool: dict, tw: str, budget: list[int], max_depth: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]], bool]:
    """Every string in the tool definition at any depth (iteratively), plus parameter names."""
    texts: list[tuple[str, str]] = []
    names: list[tuple[str, str]] = []
    complete = True
    stack: list[tuple[Any, str, str, int]] = [(tool, tw, "", 0)]
    while stack:
        node, path, key, d = stack.pop()
        budget[0] -= 1
        if d > max_depth or budget[0] < 0 or budget[1] < 0:
            complete = False
            if budget[0] < 0 or budget[1] < 0:
                break
            continue
        if isinstance(node, dict):
            for k, v in node.items():
                ks = str(k)
                if key in _NAME_KEYS and len(names) < 4096:
                    names.append((f"{path}.{ks}", ks))
                elif len(ks) >= 12 and ks not in _SCHEMA_WORDS and len(texts) < 65536:
                    # any other key (in _meta, annotations, examples, defaults) is text the agent reads
                    budget[1] -= len(ks)
                    texts.append((f"{path}.{ks}#key", expand_name(ks)))
                stack.append((v, f"{path}.{ks}", ks, d + 1))
        elif isinstance(node, list):
            for j, v in enumerate(node):
                stack.append((v, f"{path}[{j}]", key, d + 1))
        elif isinstance(node, str):
            if key in _SKIP_VALUE_KEYS and len(node) < 64:
                continue
            budget[1] -= len(node)
            texts.append((path, node))
    return texts, names, complete
