"""The texts of an MCP tool result: content items (text, embedded resources,
base64 blobs that decode to text, JSON embedded in text), structured content,
errors; and replacing strings in a result for redaction."""
from __future__ import annotations

import json
from typing import Any

from ...text.blobs import b64_bytes, text_of
from ..policy import leaves


def result_fields(result: dict, where: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(where, text) pairs of a result (a NUL text stands for content beyond caps)
    and the content items annotated for the assistant alone."""
    texts: list[tuple[str, str]] = []
    parts: list[tuple[str, Any]] = []
    agent_only: list[str] = []   # content items annotated for the assistant alone
    if "jsonrpc" in result or ("result" in result and "content" not in result):
        if isinstance(result.get("result"), dict):
            parts.append((f"{where}", result["result"]))
        if isinstance(result.get("error"), dict):
            parts.append((f"{where}.error", result["error"]))
    else:
        parts.append((where, result))
    for base, obj in parts:
        if base.endswith(".error"):
            for k in ("message", "data"):
                if k in obj:
                    texts += _strings(obj[k], f"{base}.{k}")
            continue
        content = obj.get("content")
        if isinstance(content, list):
            for i, item in enumerate(content[:10_000]):
                w = f"{base}.content[{i}]"
                if not isinstance(item, dict):
                    texts += _strings(item, w)
                    continue
                if isinstance(item.get("text"), str):
                    texts += _text_and_json(item["text"], f"{w}.text")
                res = item.get("resource")
                if isinstance(res, dict) and isinstance(res.get("text"), str):
                    texts += _text_and_json(res["text"], f"{w}.resource.text")
                texts += _blob_texts(item, w)
                for k in ("title", "description", "name", "annotations", "_meta"):
                    if k in item:
                        texts += _strings(item[k], f"{w}.{k}")
                if _assistant_only(item):
                    agent_only.append(w)
        if "structuredContent" in obj:
            texts += _strings(obj["structuredContent"], f"{base}.structuredContent")
        if isinstance(obj.get("error"), dict):
            for k in ("message", "data"):
                if k in obj["error"]:
                    texts += _strings(obj["error"][k], f"{base}.error.{k}")
    return texts, agent_only


def result_texts(result: Any) -> list[tuple[str, str]]:
    """Every string in a tool result, JSON embedded in text included (for redaction)."""
    out: list[tuple[str, str]] = []
    for w, v in _strings(result, "result"):
        if v != "\x00":
            out += _text_and_json(v, w)
    return out


def replace_strings(obj: Any, pairs: list[tuple[str, str]], depth: int = 0) -> Any:
    if isinstance(obj, str):
        for old, new in pairs:
            if old in obj:
                obj = obj.replace(old, new)
        return obj
    if depth > 64:
        return obj
    if isinstance(obj, dict):
        return {k: replace_strings(v, pairs, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [replace_strings(v, pairs, depth + 1) for v in obj]
    return obj


def _strings(obj: Any, where: str) -> list[tuple[str, str]]:
    lv, complete = leaves(obj, where)
    out = [(p, v) for p, _, v in lv if v]
    if not complete:
        out.append((where, "\x00"))  # content beyond caps is still represented; the caller fails closed below
    return out


def _blob_texts(item: dict, where: str) -> list[tuple[str, str]]:
    """Base64 fields of a content item (a resource's `blob`, an image's or audio's `data`)
    that decode to text: the agent can read them as text whatever the declared MIME type,
    so they are scanned like a `text` field. Binary data is left alone (bounded)."""
    out: list[tuple[str, str]] = []
    res = item.get("resource")
    fields = [(f"{where}.resource.blob", res.get("blob"))] if isinstance(res, dict) else []
    fields.append((f"{where}.data", item.get("data")))
    for w, v in fields:
        if not isinstance(v, str) or len(v) < 12 or len(v) > _MAX_BLOB:
            continue
        raw = b64_bytes(v, loose=True)   # MIME-wrapped, url-safe or unpadded alike
        if not raw:
            continue
        t = text_of(raw)
        if t:
            out += _text_and_json(t, w)
    return out


_MAX_BLOB = 4 * 1024 * 1024


def _text_and_json(text: str, where: str) -> list[tuple[str, str]]:
    out = [(where, text)]
    s = text.lstrip()
    if s[:1] in ("{", "[") and len(text) <= 4 * 1024 * 1024:
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            return out
        # Embedded JSON: its strings, with escapes decoded, are scanned too.
        out += [(p, v) for p, v in _strings(obj, where + "#json") if v != "\x00"]
    return out



def _assistant_only(item: dict) -> bool:
    """An MCP content item whose annotations name the assistant as its only audience."""
    ann = item.get("annotations")
    aud = ann.get("audience") if isinstance(ann, dict) else None
    return isinstance(aud, list) and bool(aud) and all(a == "assistant" for a in aud)
