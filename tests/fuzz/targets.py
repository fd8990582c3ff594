"""Fuzz targets: one function per parser, each taking bytes.

Each target feeds its input to one of ringfence's parsers and checks the
properties: nothing escapes but the parser's documented error type, a call
finishes within TIME_LIMIT_S, and round-trips or invariants hold where they
exist. Unexpected exceptions propagate (that is the crash). The hypothesis
tests (test_fuzz_targets.py) and the atheris driver (fuzz/atheris_fuzz.py) both
call these functions, so a crash found by either replays the same way:
tests/fuzz/regressions/<target>/<name> holds the inputs that once crashed.
"""
from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from typing import Callable

TIME_LIMIT_S = 5.0   # generous: a loaded 2-core CI box; real costs are milliseconds

_ENGINE = None


def engine():
    global _ENGINE
    if _ENGINE is None:
        from ringfence.engine import Engine
        _ENGINE = Engine()
    return _ENGINE


def _text(data: bytes) -> str:
    """Bytes -> str, keeping invalid bytes as lone surrogates (the hardest case)."""
    return data.decode("utf-8", "surrogateescape")


def _chunks(data: bytes) -> list[bytes]:
    """Split all of `data` into chunks whose size its first byte picks (1..13)."""
    if not data:
        return [b""]
    step = (data[0] % 13) + 1
    return [data[i:i + step] for i in range(0, len(data), step)]


EXECUTIONS: dict[str, int] = {}


def _timed(fn: Callable[[bytes], None]) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        EXECUTIONS[fn.__name__] = EXECUTIONS.get(fn.__name__, 0) + 1
        t = time.perf_counter()
        fn(data)
        took = time.perf_counter() - t
        assert took < TIME_LIMIT_S, f"{fn.__name__} took {took:.2f} s on {len(data)} bytes"
    run.__name__ = fn.__name__
    return run


# -- HTTP/1 request head and chunked body ------------------------------------

class _NullWriter:
    def write(self, data: bytes) -> None:
        pass


async def _read_requests(data: bytes) -> list:
    from ringfence.proxy.http1 import HttpError, RequestReader
    reader = asyncio.StreamReader()
    for c in _chunks(data):
        reader.feed_data(c)
    reader.feed_eof()
    rr = RequestReader(reader, _NullWriter(), max_header_bytes=8192, max_body_bytes=65536,
                       header_timeout=2.0, body_timeout=2.0)
    out = []
    try:
        for _ in range(64):
            r = await rr.read_request()
            if r is None:
                break
            out.append(r)
    except HttpError as e:
        assert 400 <= e.status < 600
    return out


def http_request(data: bytes) -> None:
    reqs = asyncio.run(_read_requests(data))
    for r in reqs:
        assert isinstance(r.method, str) and isinstance(r.target, str)
        assert r.body is None or len(r.body) <= 65536


# -- URLs and authorities ----------------------------------------------------

def url_parse(data: bytes) -> None:
    from ringfence.proxy.target import TargetError, parse_authority, parse_url
    from ringfence.scanners.url import UrlError
    from ringfence.scanners.url import parse_url as scan_parse
    text = _text(data)
    try:
        t = parse_url(text)
        assert 0 < t.port < 65536 and t.host == t.host.lower() and t.host
    except TargetError:
        pass
    try:
        host, port = parse_authority(text)
        assert 0 < port < 65536 and host
    except TargetError:
        pass
    try:
        scan_parse(text)
    except UrlError:
        pass


def url_scan(data: bytes) -> None:
    """The whole URL pipeline (no DNS): always a decision, never an internal error."""
    text = _text(data)
    for url in (text, "https://example.com/?q=" + text, "http://" + text + "/x"):
        d, _ = engine().check_url(url, resolve=False)
        assert d.verdict in ("allow", "warn", "block")
        assert not d.error, d.error


def ip_parse(data: bytes) -> None:
    from ringfence.core.ipcanon import IpParseError, canonical, parse_ip
    text = _text(data)
    try:
        ip = parse_ip(text)
    except IpParseError:
        return
    if ip is not None:
        assert parse_ip(canonical(ip)) == ip      # canonical form round-trips


# -- decoders and normalization -----------------------------------------------

def text_decode(data: bytes) -> None:
    from ringfence.text.decode import decode_layers
    from ringfence.text.surrogates import clean
    text = clean(_text(data))
    out = decode_layers(text, max_depth=4)
    assert len(out) <= 257
    for d in out:
        assert isinstance(d.text, str)


def scanner_decoders(data: bytes) -> None:
    from ringfence.scanners import dlp, entropy, shell
    from ringfence.scanners.content import ContentError, decode_body, json_fields
    text = _text(data)
    for s in dlp.decode_blob(data) + dlp.decode_delimited_hex(text):
        assert isinstance(s, str)
    assert isinstance(dlp.unescape(text), str)
    entropy.is_hex(text)
    cmd, notes = shell.deobfuscate(text)
    assert isinstance(cmd, str)
    assert all(isinstance(v, str) for v in shell.views(text))
    for enc in ("", "gzip", "deflate", "br", "zstd", "x-unknown"):
        try:
            assert isinstance(decode_body(data, enc), str)
        except ContentError:
            pass
    fields = json_fields(_text(data))
    assert fields is None or all(isinstance(w, str) and isinstance(v, str) for w, v in fields)


def normalize(data: bytes) -> None:
    from ringfence.text import normalize as n
    from ringfence.text.surrogates import clean
    from ringfence.text.views import views
    text = clean(_text(data))
    f = n.fold(text)
    assert n.fold(f) == f or len(f) <= len(text) * 4     # idempotent in practice; bounded growth
    assert isinstance(n.fold_spaced(text), str)
    a, b = n.fold_pair(text)
    assert isinstance(a, str) and isinstance(b, str)
    assert isinstance(n.leet(text), str)
    tags = n.decode_tags(text)
    assert tags is None or isinstance(tags, str)
    for purpose in ("dlp", "injection"):
        for v in views(text, purpose):
            assert isinstance(v.text, str)


def scan_text(data: bytes) -> None:
    """Engine entry points with raw (surrogate-bearing) text: a verdict, never scan_error."""
    text = _text(data)
    e = engine()
    for d in (e.scan_text(text, "inbound"), e.scan_text(text, "outbound"),
              e.scan_fields([("$.a", text), ("$.b", text[::-1])], "outbound"),
              e.scan_response(data, "application/json"), e.scan_body(data, "application/x-www-form-urlencoded")):
        assert not d.error, d.error


# -- JSON-RPC framing (both directions) ---------------------------------------

def jsonrpc_framing(data: bytes) -> None:
    from ringfence.mcp import jsonrpc
    from ringfence.mcp.jsonrpc import IdSniffer, JsonRpcError, LineSplitter, Oversize
    # Splitting never depends on chunk boundaries.
    whole = LineSplitter(256)
    a = whole.feed(data) + whole.finish()
    parts = LineSplitter(256)
    b = []
    for c in _chunks(data):
        b += parts.feed(c)
    b += parts.finish()
    norm = lambda xs: [("O", repr(x.ids)) if isinstance(x, Oversize) else x for x in xs]  # noqa: E731
    assert norm(a) == norm(b)
    # Lines that fit are the input's bytes, in order.
    assert all(isinstance(x, Oversize) or x in data for x in a)
    # The id sniffer gives the same answer however the bytes arrive.
    s = IdSniffer()
    for c in _chunks(data):
        s.feed(c)
    assert repr(s.ids) == repr(jsonrpc.sniff_ids(data))
    for line in a:
        if isinstance(line, Oversize):
            continue
        try:
            msg = jsonrpc.parse(line.strip() or b"null")
            kind = jsonrpc.kind_of(msg)
            assert kind in ("request", "notification", "response")
            jsonrpc.leaves(msg)
        except JsonRpcError:
            msg = None
        # The error path takes any id.
        mid = msg.get("id") if isinstance(msg, dict) else None
        out = json.loads(jsonrpc.error_bytes(mid, -32001, "x"))
        assert out["error"]["code"] == -32001
        if jsonrpc.id_key(mid) is not None:
            assert out["id"] == mid
        assert isinstance(jsonrpc.id_text(mid), str)


def jsonrpc_guard(data: bytes) -> None:
    """The MCP Guard, both ways: always an outcome, never a raise, never a half-answer."""
    from ringfence.mcp.bridge import Guard
    from ringfence.core import NullWriter
    g = Guard(engine(), NullWriter(), "mcp_stdio", "fuzz")
    split = data.split(b"\n")
    for i, line in enumerate(split[:16]):
        o = g.from_client(line) if i % 2 == 0 else g.from_server(line)
        for out in (o.to_client, o.to_server, *o.answers):
            if out is not None and out is not line:
                for part in out.splitlines():
                    json.loads(part)      # what ringfence writes itself is valid JSON
    g.fail_pending("fuzz", "done")
    assert not g.pending


# -- SSE -----------------------------------------------------------------------

def sse_split(data: bytes) -> None:
    from ringfence.mcp.sse import SseError, SseSplitter
    out = []
    sp = SseSplitter(4096)
    try:
        for c in _chunks(data):
            out += sp.feed(c)
        out += sp.finish()
    except SseError:
        return
    # Byte-preserving: the raw events, joined, are the input; finish() may close the
    # last event with a blank line, and drops a tail that is only whitespace.
    raw = b"".join(r for r, _, _ in out)
    assert raw in (data, data + b"\n\n", data + data[-1:]) or (data.startswith(raw) and not data[len(raw):].strip()), (raw, data)


def sse_proxy_scan(data: bytes) -> None:
    from ringfence.proxy.sse import SseError, SseScanner, StreamDecoder
    for enc in ("", "gzip"):
        try:
            StreamDecoder(enc, 1 << 20).feed(data)
        except SseError:
            pass
    sc = SseScanner(engine(), "sse.test")
    released = b""
    for c in _chunks(data):
        out, d = sc.feed(c)
        released += out
        if d is not None and d.blocked:
            return
    out, d = sc.finish()
    if d is None or not d.blocked:
        assert data.startswith(released)   # clean events are released as received


# -- WebSocket frames ------------------------------------------------------------

async def _frames(data: bytes, from_client: bool) -> list:
    from ringfence.proxy.websocket import FrameReader, WsViolation
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    fr = FrameReader(reader, b"", from_client, 4096)
    out = []
    try:
        for _ in range(256):
            out.append(await fr.frame())
    except (WsViolation, ConnectionResetError):
        pass
    return out


def ws_frames(data: bytes) -> None:
    from ringfence.proxy.websocket import encode_frame
    for from_client in (True, False):
        for fin, rsv, op, payload in asyncio.run(_frames(data, from_client)):
            assert 0 <= op <= 15 and len(payload) <= 4096
    # Round-trip: what we encode, we read back.
    payload = data[:300]
    op = 1 if not data or data[0] % 2 else 2
    frame = encode_frame(op, payload, masked=True)
    (fin, rsv, got_op, got), = asyncio.run(_frames(frame, True))
    assert fin and got_op == op and got == payload


# -- YAML config -----------------------------------------------------------------

def yaml_config(data: bytes) -> None:
    from ringfence.config.load import ConfigError, load_config_text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return    # load_config() rejects non-UTF-8 before this point
    try:
        cfg = load_config_text(text)
    except ConfigError as e:
        assert str(e)
        return
    assert cfg.mode in ("strict", "balanced", "audit")


# -- receipts ----------------------------------------------------------------------

_SIGNED: dict = {}


def _signed_log() -> tuple[str, str]:
    """A real, sealed evidence log (built once): (text, public key hex)."""
    if not _SIGNED:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from ringfence.config import Config
        from ringfence.core import Action, Decision, Finding
        from ringfence.receipts import ReceiptWriter
        from ringfence.receipts.keys import public_bytes
        from ringfence.receipts.writer import policy_hash_of
        key = Ed25519PrivateKey.generate()
        d = tempfile.mkdtemp(prefix="rf-fuzz-")
        w = ReceiptWriter(d, key, policy_hash=policy_hash_of(Config()))
        for i in range(4):
            f = Finding("dlp", "aws", "high", "AKIA***", "url", "block")
            w.record(Action("fetch", "outbound", f"https://h.test/{i}", "GET", kind="url"),
                     Decision("block", (f,), "dlp:aws") if i % 2 else Decision("allow"))
        w.close()
        (path,) = w.paths
        _SIGNED["text"] = open(path, encoding="utf-8").read()
        _SIGNED["pub"] = public_bytes(key).hex()
    return _SIGNED["text"], _SIGNED["pub"]


def receipt_verify(data: bytes) -> None:
    """A log damaged by the input never crashes the verifier and is never valid-and-sealed
    unless it is byte-identical to the original."""
    from ringfence.receipts.verify import verify_path
    text, pub = _signed_log()
    raw = text.encode("utf-8")
    if data:
        pos = int.from_bytes(data[:4].ljust(4, b"\0"), "big") % (len(raw) + 1)
        cut = data[4] % 8 if len(data) > 4 else 0
        damaged = raw[:pos] + data[5:] + raw[pos + cut:]
    else:
        damaged = raw
    fd, path = tempfile.mkstemp(suffix=".jsonl")
    try:
        os.write(fd, damaged)
        os.close(fd)
        r = verify_path(path, pub)
        if damaged != raw:
            assert not (r.valid and r.sealed) or damaged.rstrip(b"\n") == raw.rstrip(b"\n")
        else:
            assert r.valid and r.sealed
    finally:
        os.unlink(path)


def receipt_canonical(data: bytes) -> None:
    """Any JSON object through the canonicalizer: canonical bytes or CanonError; and
    check_receipt on it raises only its own failure type."""
    from ringfence.receipts import verify as v
    from ringfence.receipts.canonical import CanonError, receipt_bytes, record_bytes
    from ringfence.receipts.jsonstrict import JsonError, loads
    try:
        obj = loads(_text(data))
    except (JsonError, UnicodeEncodeError):
        return
    for fn in (record_bytes, receipt_bytes):
        try:
            out = fn(obj) if isinstance(obj, dict) else None
        except CanonError:
            continue
        if out is not None:
            assert fn(json.loads(out)) == out       # canonical form is a fixed point
    try:
        v.check_receipt(obj)
    except v._Fail:
        pass


# -- A2A ---------------------------------------------------------------------------

def a2a_parse(data: bytes) -> None:
    a = engine().a2a
    for ct, path in (("application/a2a+json", ""), ("application/json", "/message:send"), ("", "/tasks/1")):
        for fs in (a.scan_request(data, ct, path), a.scan_response(data, ct, path)):
            assert fs is None or all(f.scanner for f in fs)
    try:
        card = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        card = _text(data)
    assert isinstance(a.scan_agent_card("https://agent.test/.well-known/agent-card.json", card), list)


def load_all() -> None:
    """Import (and warm) everything the targets reach: coverage-guided fuzzers
    instrument what is loaded."""
    import importlib
    for m in ("ringfence.proxy.http1", "ringfence.proxy.target", "ringfence.proxy.sse", "ringfence.proxy.websocket",
              "ringfence.scanners.url", "ringfence.core.ipcanon", "ringfence.scanners.content",
              "ringfence.scanners.dlp", "ringfence.scanners.entropy", "ringfence.scanners.shell",
              "ringfence.text.decode", "ringfence.text.normalize", "ringfence.text.views", "ringfence.mcp.jsonrpc",
              "ringfence.mcp.bridge", "ringfence.mcp.sse", "ringfence.mcp.receipts", "ringfence.config.load",
              "ringfence.receipts.verify", "ringfence.receipts.canonical", "ringfence.receipts.jsonstrict"):
        importlib.import_module(m)
    engine().tools, engine().a2a
    _signed_log()


TARGETS: dict[str, Callable[[bytes], None]] = {f.__name__: _timed(f) for f in (
    http_request, url_parse, url_scan, ip_parse, text_decode, scanner_decoders, normalize, scan_text,
    jsonrpc_framing, jsonrpc_guard, sse_split, sse_proxy_scan, ws_frames, yaml_config, receipt_verify,
    receipt_canonical, a2a_parse)}
