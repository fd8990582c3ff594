"""Turn request and response bodies into scannable text, under hard caps.

Decompression (text/inflate.py) is bounded by size and ratio (a gzip bomb is refused,
not expanded). Bodies are split by content type into named fields so DLP can
scan each value alone and the siblings joined.
"""
from __future__ import annotations

import io
import itertools
import json
import re
import urllib.parse
from typing import Any, Iterable

from ..core.jsonwalk import Walk
from ..text import inflate

MAX_FIELDS = 20_000
MAX_PARTS = 100
MAX_JSON_NODES = 200_000


class ContentError(Exception):
    """Content ringfence refuses to scan (and so refuses to pass)."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def _cap(config: Any) -> int:
    return config.proxy.max_body_bytes if config is not None else 10 * 1024 * 1024


def decompress(body: bytes, content_encoding: str, limit: int) -> bytes:
    """Undo Content-Encoding (possibly several, applied in order) under caps (text/inflate.py)."""
    try:
        return inflate.decompress(body, content_encoding, limit)
    except inflate.Refused as e:
        raise ContentError(e.rule, str(e)) from None


def decode_body(body: bytes, content_encoding: str = "", config: Any = None) -> str:
    """Body bytes -> text for scanning. Invalid UTF-8 is replaced, never fatal."""
    data = decompress(body, content_encoding, _cap(config))
    return data.decode("utf-8", errors="replace")


def header_fields(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every header as 'Name: value', so the name gives DLP its context word."""
    out = []
    for name, value in headers:
        if len(out) >= MAX_FIELDS:
            break
        out.append((f"header.{name.lower()}", f"{name}: {value}"))
    return out


JSON_MAX_DEPTH = 2048  # beyond what the parsers accept: depth is their bound; nodes are ours


def _json_leaves(obj: Any, where: str) -> list[tuple[str, str]]:
    """Leaves in document order (so split values glue back in the order they were
    written), by the shared walker: an object member's scalar as "key=value" (the key
    gives DLP its context word), a member holding a container as its key, list
    items as their text. Raises WalkLimit (an OverflowError) past MAX_JSON_NODES."""
    out: list[tuple[str, str]] = []
    append = out.append
    for path, key, v, member in Walk(JSON_MAX_DEPTH, MAX_JSON_NODES).nodes(obj, where):
        t = type(v)
        if t is dict or t is list:
            if member:
                append((f"{path}#key", key))
        elif member:
            append((path, f"{key}={'' if v is None else v}"))
        elif v is not None:
            append((path, str(v)))
    return out


# A setting written as an object of its name and its value ({"key": "AccountKey",
# "value": "..."}: Postman environments, key-value stores, env lists of CI and
# orchestration APIs): the name is the value's context word, in another member.
_PAIR_NAME_KEYS = ("key", "name", "key_name", "keyname", "variable", "var", "env", "setting", "field", "param",
                   "parameter", "label")
_PAIR_VALUE_KEYS = ("value", "val", "secret", "secret_value", "data", "content")
# a member named so (a quoted key, then its ':'), not the same word as a value
_PAIR_VALUE_MEMBER = re.compile(r'"(?:%s)"\s*:' % "|".join(_PAIR_VALUE_KEYS))
_PAIR_NAME_MEMBER = re.compile(r'"(?:%s)"\s*:' % "|".join(_PAIR_NAME_KEYS))
_PAIR_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
MAX_PAIRS = 256


_CONTAINERS = (dict, list)


def _first_str(node: dict, keys: tuple[str, ...], nonempty: bool) -> str | None:
    for k in keys:
        v = node.get(k)
        if v is not None and isinstance(v, str) and (v or not nonempty):
            return v
    return None


def named_values(obj: Any, where: str, max_nodes: int = 20_000) -> list[tuple[str, str]]:
    """Objects that hold one setting as a name member and a value member, as
    (where.name, "name=value") fields, at any depth (bounded: nodes, pairs)."""
    out: list[tuple[str, str]] = []
    todo: list[tuple[str, Any]] = [(where, obj)]
    seen = 0
    while todo and seen < max_nodes and len(out) < MAX_PAIRS:
        path, node = todo.pop()
        seen += 1
        if isinstance(node, dict):
            # the value member first: most objects have none, and then no name is looked for
            value = _first_str(node, _PAIR_VALUE_KEYS, True)
            if value is not None:
                name = _first_str(node, _PAIR_NAME_KEYS, False)
                if name and _PAIR_IDENT.fullmatch(name):
                    out.append((f"{path}.{name}", f"{name}={value}"))
            todo.extend((f"{path}.{k}", v) for k, v in itertools.islice(node.items(), 1024)
                        if v.__class__ in _CONTAINERS or isinstance(v, (dict, list)))
        elif isinstance(node, list):
            todo.extend((f"{path}[{i}]", v) for i, v in enumerate(node[:1024])
                        if v.__class__ in _CONTAINERS or isinstance(v, (dict, list)))
    return out


def json_fields(text: str, where: str = "body.json.$") -> list[tuple[str, str]] | None:
    """JSON leaves as named fields (key=value). None when it is not JSON we can walk
    (invalid, or nested beyond the parser's depth limit): the caller scans raw text."""
    try:
        import orjson
        obj = orjson.loads(text)
    except Exception:
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            return None
    try:
        out = _json_leaves(obj, where)
    except OverflowError:
        return None
    # both as member names (or a \u escape, which could spell one)
    if "\\u" in text or (_PAIR_VALUE_MEMBER.search(text) and _PAIR_NAME_MEMBER.search(text)):
        out += named_values(obj, where)
    return out


def _form_fields(text: str) -> list[tuple[str, str]]:
    pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    return [(f"body.form.{k[:64]}", f"{k}={v}") for k, v in pairs]


def _multipart_fields(body: bytes, content_type: str) -> list[tuple[str, str]]:
    import email.parser  # only multipart bodies need it (start-up time)
    import email.policy
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(head + body)
    if not msg.is_multipart():
        raise ContentError("bad_multipart", "multipart body without a valid boundary")
    out = []
    for i, part in enumerate(msg.walk()):
        if part.is_multipart():
            continue
        if i > MAX_PARTS:
            raise ContentError("too_many_parts", f"more than {MAX_PARTS} multipart parts")
        name = part.get_param("name", header="content-disposition") or str(i)
        fname = part.get_filename()
        if fname:
            out.append((f"body.multipart.{name}#filename", f"filename={fname}"))
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
        ctype = part.get_content_type()
        sub = json_fields(text, f"body.multipart.{name}.$") if "json" in ctype else None
        out.extend(sub if sub is not None else [(f"body.multipart.{name}", f"{name}={text}")])
    return out


def body_fields(body: bytes, content_type: str = "", content_encoding: str = "",
                config: Any = None) -> list[tuple[str, str]]:
    """Split a request body into named fields for DLP. The whole decoded text is
    always one field too, so context words next to a value are never lost."""
    data = decompress(body, content_encoding, _cap(config))
    ct = (content_type or "").lower()
    text = data.decode("utf-8", errors="replace")
    fields: list[tuple[str, str]] = [("body", text)]
    stripped = text.lstrip()[:1]
    if "multipart/" in ct:
        fields += _multipart_fields(data, content_type)
    elif "json" in ct or (not ct and stripped in ("{", "[")) or ("text/plain" in ct and stripped in ("{", "[")):
        got = json_fields(text)
        if got is None and ("ndjson" in ct or "jsonl" in ct or "json-seq" in ct or text.count("\n{") >= 1):
            got = _ndjson_fields(text)  # JSON Lines: one document per line
        fields += got or []
    elif "x-www-form-urlencoded" in ct:
        fields += _form_fields(text)
    elif "csv" in ct or "tab-separated" in ct:
        fields += _csv_fields(text, "\t" if "tab-separated" in ct else ",")
    return fields


MAX_LINES = 2000


def _ndjson_fields(text: str) -> list[tuple[str, str]]:
    """JSON Lines / NDJSON: each line's leaves, named by line (a value split over lines
    is glued back by DLP's joins)."""
    out: list[tuple[str, str]] = []
    for i, line in enumerate(text.splitlines()[:MAX_LINES]):
        if line.strip():
            out += json_fields(line, f"body.ndjson[{i}].$") or [(f"body.ndjson[{i}]", line)]
        if len(out) >= MAX_FIELDS:
            break
    return out[:MAX_FIELDS]


def _csv_fields(text: str, sep: str) -> list[tuple[str, str]]:
    """CSV/TSV cells column by column (a value split down a column glues back in order)."""
    import csv
    try:
        rows = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=sep), MAX_LINES))
    except csv.Error:
        return []
    if not rows:
        return []
    head = rows[0]
    out: list[tuple[str, str]] = []
    for c in range(min(max(map(len, rows)), 256)):
        name = (head[c] if c < len(head) else str(c))[:64]
        out += [(f"body.csv.{name}", r[c]) for r in rows[1:] if c < len(r) and r[c]]
        if len(out) >= MAX_FIELDS:
            break
    return out[:MAX_FIELDS]
