"""WebSocket relay with scanning in both directions: /ws?url= and proxied upgrades.

A small strict framer: client frames must be masked, server frames must not;
no extension is negotiated, so any RSV bit is a protocol violation (it is how a
"compressed" frame would slip past a scanner); fragments are reassembled under
a cap before scanning; binary messages are scanned as decoded text; a rolling
tail per direction catches a secret split across messages. A block closes the
client side with 1008 and the reason, with a receipt."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import struct
import time
from typing import TYPE_CHECKING, Any

import re

import orjson

from ..core import Action, Decision, Finding, as_block, decide, fail_closed
from .boundary import frame_findings, gate, scrub
from .forward import count_bytes, outbound_check, split_headers
from .http1 import HttpError, Request, RequestReader, render_head
from .state import block_response, error_response
from .target import Target, TargetError, parse_url
from .upstream import Response, UpstreamError

try:
    from websockets.speedups import apply_mask as _c_mask
except ImportError:  # pragma: no cover
    _c_mask = None

if TYPE_CHECKING:
    from .server import ProxyServer

log = logging.getLogger("ringfence.proxy")

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 4 * 1024 * 1024
TAIL_CHARS = 256
JSON_MAX = 1024 * 1024      # bigger JSON messages get the raw tail only
JSON_NODES = 20000          # nodes walked per message to find its first and last strings
IDLE_S = 300.0
OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
WS_HANDSHAKE = {"upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
                "sec-websocket-extensions", "sec-websocket-accept", "sec-websocket-protocol"}


class WsViolation(Exception):
    def __init__(self, code: int, rule: str, message: str):
        super().__init__(message)
        self.code = code
        self.rule = rule


def mask(data: bytes, key: bytes) -> bytes:
    if _c_mask is not None:
        return _c_mask(data, key)
    n = len(data)
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + GUID).digest()).decode()


def encode_frame(opcode: int, payload: bytes, masked: bool, fin: bool = True) -> bytes:
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    mbit = 0x80 if masked else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if masked:
        key = os.urandom(4)
        return head + key + mask(payload, key)
    return head + payload


class FrameReader:
    """Reads frames from one side; `from_client` decides the masking rule."""

    def __init__(self, reader: asyncio.StreamReader, prefix: bytes, from_client: bool, max_message: int,
                 idle: float = IDLE_S):
        self.reader = reader
        self.idle = idle
        self.buf = bytearray(prefix)
        self.from_client = from_client
        self.max_message = max_message

    async def _need(self, n: int) -> None:
        while len(self.buf) < n:
            data = await asyncio.wait_for(self.reader.read(65536), self.idle)
            if not data:
                raise ConnectionResetError("peer closed")
            self.buf += data

    async def frame(self) -> tuple[bool, int, int, bytes]:
        """(fin, rsv, opcode, unmasked payload)."""
        await self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        fin, rsv, op = bool(b0 & 0x80), (b0 >> 4) & 0x7, b0 & 0x0F
        masked, n = bool(b1 & 0x80), b1 & 0x7F
        pos = 2
        if n == 126:
            await self._need(4)
            n = struct.unpack_from("!H", self.buf, 2)[0]
            pos = 4
        elif n == 127:
            await self._need(10)
            n = struct.unpack_from("!Q", self.buf, 2)[0]
            pos = 10
            if n >> 63:
                raise WsViolation(1002, "ws_bad_length", "frame length has the high bit set")
        if op not in (OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG):
            raise WsViolation(1002, "ws_bad_opcode", f"reserved opcode {op:#x}")
        if masked != self.from_client:
            raise WsViolation(1002, "ws_bad_mask",
                              "client frame not masked" if self.from_client else "server frame masked")
        if op >= 8 and (not fin or n > 125):
            raise WsViolation(1002, "ws_bad_control", "fragmented or oversized control frame")
        if n > self.max_message:
            raise WsViolation(1009, "ws_message_too_large", f"frame exceeds {self.max_message} bytes")
        if masked:
            await self._need(pos + 4)
            key = bytes(self.buf[pos:pos + 4])
            pos += 4
        await self._need(pos + n)
        payload = bytes(self.buf[pos:pos + n])
        del self.buf[:pos + n]
        if masked:
            payload = mask(payload, key)
        return fin, rsv, op, payload


class Side:
    def __init__(self, name: str, direction: str, reader: FrameReader, peer_writer: asyncio.StreamWriter,
                 mask_out: bool):
        self.name = name
        self.direction = direction
        self.reader = reader
        self.peer = peer_writer      # where this side's messages go
        self.mask_out = mask_out
        self.tail = ""
        self.str_tail = ""   # end of the previous message's last JSON string (or raw text)
        self.prev_json = False
        self.count = 0
        self.pieces: list[str] = []  # recent token-piece strings: a secret split over non-adjacent messages


MAX_PIECES = 16
_PIECE = re.compile(r"[A-Za-z0-9_.~+/=:-]{4,200}")
_PIECE_MIX = re.compile(r"[0-9A-Z]")


def message_pieces(text: str) -> list[str]:
    """Strings of a message that could be a piece of a token (the JSON string values, or
    the raw text): no spaces, a digit or a capital. Bounded."""
    edges = None
    if text[:1] in "{[" and len(text) <= JSON_MAX:
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError:
            doc = None
        if doc is not None:
            edges, stack, budget = [], [doc], JSON_NODES
            while stack and budget > 0 and len(edges) < MAX_PIECES:
                node = stack.pop()
                budget -= 1
                if type(node) is str:
                    edges.append(node)
                elif type(node) is dict:
                    stack.extend(reversed(node.values()))
                elif type(node) is list:
                    stack.extend(reversed(node))
    cand = edges if edges is not None else [text]
    return [c for c in cand if _PIECE.fullmatch(c) and _PIECE_MIX.search(c)]


def remember_pieces(pieces: list[str], text: str) -> bool:
    """Add a message's pieces to the session's recent ones; True when there is something
    new to glue (two or more pieces, one of them from this message)."""
    new = message_pieces(text)
    if not new:
        return False
    pieces.extend(new)
    del pieces[:-MAX_PIECES]
    return len(pieces) >= 2


def edge_strings(text: str) -> tuple[str, str] | None:
    """(first, last) string values of a JSON message in document order, or None
    when it is not JSON or has none. Bounded by JSON_MAX chars and JSON_NODES nodes."""
    head = text[:1] if text[:1] in "{[" else text.lstrip()[:1]
    if head not in ("{", "[") or len(text) > JSON_MAX:
        return None
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    first: str | None = None
    last = ""
    stack: list[Any] = [doc]
    budget = JSON_NODES
    while stack and budget > 0:
        node = stack.pop()
        budget -= 1
        t = type(node)
        if t is str:
            if first is None:
                first = node
            last = node
        elif t is dict:
            stack.extend(reversed(node.values()))
        elif t is list:
            stack.extend(reversed(node))
    if first is None:
        return None
    return first, last


class WsRelay:
    def __init__(self, srv: "ProxyServer", transport: str, t: Target, client_w: asyncio.StreamWriter,
                 upstream_w: asyncio.StreamWriter):
        self.srv = srv
        self.transport = transport
        self.t = t
        self.client_w = client_w
        self.upstream_w = upstream_w
        self.closed = False

    def _record(self, direction: str, d: Decision, n: int, kind: str = "frame", **meta) -> Decision:
        action = Action("websocket", direction, self.t.url, "WS", kind=kind,
                        meta={"transport": self.transport, **meta})
        return self.srv.rec.record(action, d, n)

    def block(self, d: Decision, direction: str, n: int, **meta) -> None:
        """Close the client with 1008 and the reason; drop the upstream."""
        if self.closed:
            return
        self.closed = True
        d = self._record(direction, d, n, **meta)
        top = d.top
        reason = f"ringfence blocked: {top.scanner}:{top.rule}" if top else "ringfence blocked"
        payload = struct.pack("!H", 1008) + reason.encode()[:100] + (f" {d.receipt_id}".encode()[:23])
        try:
            self.client_w.write(encode_frame(OP_CLOSE, payload[:125], masked=False))
        except Exception:
            pass
        try:
            self.upstream_w.write(encode_frame(OP_CLOSE, struct.pack("!H", 1001), masked=True))
        except Exception:
            pass

    def kill(self, reason: str) -> None:
        """The kill switch closed this relay (the server records the receipt):
        1008 to the client, 1001 to the upstream."""
        if self.closed:
            return
        self.closed = True
        payload = struct.pack("!H", 1008) + b"ringfence kill switch"
        for w, masked, p in ((self.client_w, False, payload), (self.upstream_w, True, struct.pack("!H", 1001))):
            try:
                w.write(encode_frame(OP_CLOSE, p, masked=masked))
            except Exception:
                pass

    def scan(self, side: Side, text: str) -> Decision:
        eng = self.srv.state.engine
        joined = side.tail + text  # no separator: a secret may be split mid-token
        where = f"ws {side.name} message {side.count}"
        direction = "outbound" if side.direction == "outbound" else "inbound"
        d = eng.scan_text(joined, direction, where, self.t.host)
        if direction == "outbound":  # real secret values, misrouted placeholders
            extra = frame_findings(self.srv, self.t.host, text)
            if extra:
                d = decide(list(d.findings) + extra, enforce=self.srv.state.config.enforce)
        side.tail = joined[-TAIL_CHARS:]
        # JSON messages: the raw join puts `"}{"k":"` between two halves of a secret,
        # so also join the previous message's last string with this one's first.
        edges = edge_strings(text)
        prev, side.str_tail = side.str_tail, (edges[1] if edges else text)[-TAIL_CHARS:]
        if prev and (edges is not None or side.prev_json) and not d.blocked:
            d2 = eng.scan_text(prev + (edges[0] if edges else text)[:TAIL_CHARS], direction,
                               f"{where} (joined with the previous message)", self.t.host)
            if d2.findings:
                d = decide(list(d.findings) + list(d2.findings),
                           enforce=self.srv.state.config.enforce)
        side.prev_json = edges is not None
        if direction == "outbound" and not d.blocked and remember_pieces(side.pieces, text):
            # a secret split over messages with others between them: the session's recent
            # token pieces, glued in order by DLP's split joins
            d3 = eng.scan_fields([(f"ws {side.name} piece {i}", p) for i, p in enumerate(side.pieces)],
                                 direction, self.t.host)
            if d3.findings:
                d = decide(list(d.findings) + list(d3.findings), enforce=self.srv.state.config.enforce)
        if d.verdict == "strip":  # frames are not rewritten: strip means block here
            d = as_block(d)
        return d

    async def run_side(self, side: Side) -> None:
        msg_op = None
        parts: list[bytes] = []
        size = 0
        while not self.closed:
            try:
                fin, rsv, op, payload = await side.reader.frame()
            except WsViolation as v:
                f = Finding("websocket", v.rule, "high", str(v)[:80], f"ws {side.name}", "block")
                self.block(decide([f]), side.direction, 0, violation=True)
                return
            if rsv:
                f = Finding("websocket", "ws_rsv_without_extension", "high",
                            "RSV bit set but no extension was negotiated", f"ws {side.name}", "block")
                self.block(decide([f]), side.direction, len(payload), violation=True)
                return
            if op >= 8:
                if op == OP_CLOSE:
                    side.peer.write(encode_frame(OP_CLOSE, payload, side.mask_out))
                    self.closed = True
                    return
                side.peer.write(encode_frame(op, payload, side.mask_out))
                await side.peer.drain()
                continue
            if op == OP_CONT:
                if msg_op is None:
                    f = Finding("websocket", "ws_bad_continuation", "high", "continuation without a message",
                                f"ws {side.name}", "block")
                    self.block(decide([f]), side.direction, 0, violation=True)
                    return
            else:
                if msg_op is not None:
                    f = Finding("websocket", "ws_interleaved", "high", "new message inside a fragmented one",
                                f"ws {side.name}", "block")
                    self.block(decide([f]), side.direction, 0, violation=True)
                    return
                msg_op = op
            parts.append(payload)
            size += len(payload)
            if size > side.reader.max_message:
                f = Finding("websocket", "ws_message_too_large", "high", f"{size} bytes", f"ws {side.name}", "block")
                self.block(decide([f]), side.direction, size)
                return
            if not fin:
                continue
            data = b"".join(parts)
            op_final, msg_op, parts, size = msg_op, None, [], 0
            side.count += 1
            started = time.perf_counter()
            if op_final == OP_TEXT:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    f = Finding("websocket", "ws_invalid_utf8", "high", "text frame is not UTF-8",
                                f"ws {side.name}", "block")
                    self.block(decide([f]), side.direction, len(data))
                    return
            else:
                text = data.decode("utf-8", "replace")
            try:
                d = self.scan(side, text)
            except Exception as e:
                d = fail_closed(e, started)
            if d.blocked:
                self.block(d, side.direction, len(data), message=side.count)
                return
            if d.verdict != "allow":
                self._record(side.direction, d, len(data), message=side.count)
            if side.direction == "inbound":
                count_bytes(self.srv.state, self.t.host, len(data))
                data = scrub(self.srv, data) or data  # echoed real secret values -> placeholders
            side.peer.write(encode_frame(op_final, data, side.mask_out))
            await side.peer.drain()

    async def run(self, client: Side, upstream: Side) -> None:
        tasks = [asyncio.ensure_future(self._guard(client)), asyncio.ensure_future(self._guard(upstream))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            try:
                await asyncio.wait_for(self.client_w.drain(), 2.0)
            except Exception:
                pass

    async def _guard(self, side: Side) -> None:
        try:
            await self.run_side(side)
        except (ConnectionError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            pass


def _check_client_handshake(req: Request) -> str:
    if req.method != "GET":
        raise HttpError(400, "WebSocket upgrade must be GET", "bad_upgrade")
    if req.header("sec-websocket-version").strip() != "13":
        raise HttpError(400, "Sec-WebSocket-Version 13 required", "bad_upgrade")
    key = req.header("sec-websocket-key").strip()
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError
    except ValueError:
        raise HttpError(400, "invalid Sec-WebSocket-Key", "bad_upgrade") from None
    return key


async def handle_ws_endpoint(srv: "ProxyServer", req: Request, target: str, rr: RequestReader,
                             reader, writer) -> bool:
    from urllib.parse import parse_qsl
    query = target.split("?", 1)[1] if "?" in target else ""
    url = next((v for k, v in parse_qsl(query, keep_blank_values=True, max_num_fields=50) if k == "url"), "")
    if not url:
        raise HttpError(400, "missing url parameter: /ws?url=ws(s)://...", "missing_url")
    if not req.upgrade or req.header("upgrade").strip().lower() != "websocket":
        raise HttpError(400, "/ws needs a WebSocket upgrade request", "bad_upgrade")
    try:
        t = parse_url(url, ("ws", "wss"))
    except TargetError as e:
        raise HttpError(400, f"ws url: {e}", "bad_target") from None
    return await handle_upgrade(srv, "websocket", t, req, rr, reader, writer)


async def handle_upgrade(srv: "ProxyServer", transport: str, t: Target, req: Request, rr: RequestReader,
                         reader, writer, *, vetted: list[str] | None = None, agent: str = "") -> bool:
    key = _check_client_handshake(req)
    headers, scanned = split_headers(req.headers, WS_HANDSHAKE)
    # The key is a random nonce ringfence replaces (it would only feed entropy noise);
    # every other header the client sent, forwarded or not, is scanned.
    scanned = [(k, v) for k, v in scanned if k.lower() != "sec-websocket-key"]
    proto = req.header("sec-websocket-protocol")
    g, blocked = gate(srv, "websocket", t, "GET", headers, b"", scanned,  # secrets, egress rules
                      meta={"upgrade": "websocket", "via": transport}, agent=agent)
    if blocked is not None:
        writer.write(blocked)
        return False
    d, addrs = await outbound_check(srv, "websocket", t, "GET", g.scanned if g else scanned, b"", vetted=vetted,
                                    meta=g.meta if g else {"upgrade": "websocket", "via": transport})
    if g is not None:
        t, headers = g.t, g.headers
    if d.blocked:
        writer.write(block_response(d, close=True))
        return False
    cfg = srv.state.config.proxy
    try:
        conn = await srv.pool.dial(t.scheme, t.host, t.port, addrs)
    except UpstreamError as e:
        writer.write(error_response(e.status, e.rule, str(e), d.receipt_id))
        return False
    try:
        up_key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {t.path} HTTP/1.1", f"Host: {t.host_header}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {up_key}", "Sec-WebSocket-Version: 13"]
        if proto:
            lines.append(f"Sec-WebSocket-Protocol: {proto}")
        lines += [f"{k}: {v}" for k, v in headers]
        conn.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace"))
        resp = Response(srv.pool, conn, False, cfg.upstream_timeout_s)
        try:
            await resp.read_head()
        except UpstreamError as e:
            writer.write(error_response(e.status, e.rule, str(e), d.receipt_id))
            return False
        if resp.status != 101 or resp.header("sec-websocket-accept").strip() != accept_key(up_key):
            writer.write(error_response(502, "ws_upstream_refused",
                                        f"upstream answered {resp.status} to the WebSocket upgrade",
                                        d.receipt_id))
            return False
        if resp.header("sec-websocket-extensions"):
            writer.write(error_response(502, "ws_extension_refused",
                                        "upstream negotiated an extension ringfence did not offer",
                                        d.receipt_id))
            return False
        hdrs = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", accept_key(key)), ("X-Ringfence-Receipt", d.receipt_id),
                ("X-Ringfence-Decision", d.verdict)]
        sel = resp.header("sec-websocket-protocol")
        if sel:
            hdrs.append(("Sec-WebSocket-Protocol", sel))
        # permessage-deflate is refused by not offering it: no extension header goes either way.
        writer.write(render_head(101, "Switching Protocols", hdrs))
        await writer.drain()
        relay = WsRelay(srv, transport, t, writer, conn.writer)
        idle = cfg.tunnel_idle_timeout_s
        client = Side("client", "outbound", FrameReader(reader, rr.leftover, True, MAX_MESSAGE, idle),
                      conn.writer, mask_out=True)
        upstream = Side("upstream", "inbound", FrameReader(conn.reader, resp.leftover, False, MAX_MESSAGE, idle),
                        writer, mask_out=False)
        srv.mark("websocket", t.url, "WS", relay.kill)  # the kill switch closes it with a receipt
        await relay.run(client, upstream)
        return False
    finally:
        conn.close()
