"""WebSocket relay with scanning in both directions: /ws?url= and proxied upgrades.

A small strict framer: client frames must be masked, server frames must not;
no extension is negotiated, so any RSV bit is a protocol violation (it is how a
"compressed" frame would slip past a scanner); fragments are reassembled under
a cap before scanning; binary messages are scanned as decoded text; core.stream's
Joiner, one per direction, catches a payload split across messages. A block closes the
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

from ..core import Action, Decision, Finding, as_block, decide, fail_closed
from ..core.stream import Joiner, MessageAssembler, edge_fields, inspector_joiner, message_text, pieces_findings, remember_pieces
from .boundary import frame_findings, gate, scrub
from .forward import outbound_check, split_headers
from .http1 import HttpError, Request, RequestReader, render_head
from .state import block_response, error_response, refuse_target
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
        self.joiner: Joiner | None = None   # set by the relay on the first message
        self.count = 0
        self.pieces: list[str] = []  # recent token-piece strings: a secret split over non-adjacent messages


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
        direction = "outbound" if side.direction == "outbound" else "inbound"
        if side.joiner is None:
            side.joiner = inspector_joiner(self.srv.state.engine, direction, self.t.host, paths=False)
        d = side.joiner.feed(text, edge_fields(text), f"ws {side.name} message {side.count}")
        if direction == "outbound":  # real secret values, misrouted placeholders
            extra = frame_findings(self.srv, self.t.host, text)
            if extra:
                d = decide(list(d.findings) + extra, enforce=self.srv.state.config.enforce)
        if direction == "outbound" and not d.blocked and remember_pieces(side.pieces, text):
            # a secret split over messages with others between them: the session's recent
            # token pieces, glued in order by DLP's split joins
            extra = pieces_findings(self.srv.state.engine, side.pieces, self.t.host, f"ws {side.name}")
            if extra:
                d = decide(list(d.findings) + extra, enforce=self.srv.state.config.enforce)
        return as_block(d)  # frames are not rewritten: strip means block here

    async def run_side(self, side: Side) -> None:
        asm = MessageAssembler(side.reader.max_message, f"ws {side.name}")
        while not self.closed:
            try:
                fin, rsv, op, payload = await side.reader.frame()
            except WsViolation as v:
                f = Finding("websocket", v.rule, "high", str(v)[:80], f"ws {side.name}", "block")
                self.block(decide([f]), side.direction, 0, violation=True)
                return
            if op >= 8 and not rsv:
                if op == OP_CLOSE:
                    side.peer.write(encode_frame(OP_CLOSE, payload, side.mask_out))
                    self.closed = True
                    return
                side.peer.write(encode_frame(op, payload, side.mask_out))
                await side.peer.drain()
                continue
            got = asm.feed(fin, rsv, op, payload)
            if isinstance(got, Finding):
                n = asm.size if got.rule == "ws_message_too_large" else (len(payload) if rsv else 0)
                self.block(decide([got]), side.direction, n,
                           **({} if got.rule == "ws_message_too_large" else {"violation": True}))
                return
            if got is None:
                continue
            op_final, data = got
            side.count += 1
            started = time.perf_counter()
            text = message_text(op_final, data, f"ws {side.name}")
            if isinstance(text, Finding):
                self.block(decide([text]), side.direction, len(data))
                return
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
                self.srv.state.engine.account(self.t.host, len(data))
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
        refuse_target(srv, "websocket", url, req.method, req.headers, e, "ws url: ")
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
        srv.rec.outcome(d.receipt_id, f"error={e.rule}", "websocket")
        writer.write(error_response(e.status, e.rule, str(e), d.receipt_id))
        return False
    result = "aborted"  # the outcome of the intent (one per connection, written when it ends)
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
            result = f"error={e.rule}"
            writer.write(error_response(e.status, e.rule, str(e), d.receipt_id))
            return False
        result = f"status={resp.status}"
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
        try:
            await relay.run(client, upstream)
        finally:
            result = f"status=101 closed messages_out={client.count} messages_in={upstream.count}"
        return False
    finally:
        conn.close()
        srv.rec.outcome(d.receipt_id, result, "websocket")
