"""A raw WebSocket client for the bench: sends frames exactly as a case lists them
(opcodes, fin, rsv1, fragments), which high-level clients cannot do."""
from __future__ import annotations

import base64
import os
import socket
import struct
import time
import urllib.parse
from typing import Any

OPCODES = {"continuation": 0x0, "text": 0x1, "binary": 0x2, "close": 0x8, "ping": 0x9, "pong": 0xA}


def frame(opcode: int, payload: bytes, fin: bool = True, rsv1: bool = False) -> bytes:
    """One masked client frame."""
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", b0, 0x80 | 127, n)
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


def read_frame(sock: socket.socket, buf: bytearray) -> tuple[int, bytes] | None:
    """(opcode, payload) of the next server frame, or None at EOF."""
    def need(n: int) -> bool:
        while len(buf) < n:
            chunk = sock.recv(65536)
            if not chunk:
                return False
            buf.extend(chunk)
        return True
    if not need(2):
        return None
    op, ln = buf[0] & 0x0F, buf[1] & 0x7F
    off = 2
    if ln == 126:
        if not need(4):
            return None
        ln, off = struct.unpack("!H", bytes(buf[2:4]))[0], 4
    elif ln == 127:
        if not need(10):
            return None
        ln, off = struct.unpack("!Q", bytes(buf[2:10]))[0], 10
    if not need(off + ln):
        return None
    data = bytes(buf[off:off + ln])
    del buf[:off + ln]
    return op, data


def run_ws_case(h: Any, case: Any):
    from .live import Outcome, _block_from_json
    p = case.payload
    url = p["url"]
    sock = socket.create_connection(("127.0.0.1", h.port), timeout=h.timeout)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET /ws?url={urllib.parse.quote(url, safe='')} HTTP/1.1\r\nHost: 127.0.0.1:{h.port}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\n\r\n")
        sock.sendall(req.encode())
        buf = bytearray()
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                return Outcome("error", {"error_message": "connection closed during the handshake"})
            buf.extend(chunk)
        head, _, rest = bytes(buf).partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        headers = dict(ln.decode("latin-1").split(": ", 1) for ln in head.split(b"\r\n")[1:] if b": " in ln)
        if status != 101:
            body = rest
            blocked = _block_from_json(status, headers, body)
            return blocked or Outcome("error", {"error_message": f"handshake answered HTTP {status}", "http_status": status})
        buf = bytearray(rest)
        sent_msgs = 0
        for fr in p.get("frames", []):
            raw = fr.get("payload", "")
            data = base64.b64decode(raw) if fr.get("encoding") == "base64" else raw.encode()
            sock.sendall(frame(OPCODES.get(fr.get("opcode", "text"), 0x1), data, fr.get("fin", True),
                               bool(fr.get("rsv1", False))))
            if fr.get("fin", True):
                sent_msgs += 1
        echoes = 0
        deadline = time.time() + min(h.timeout, 5)
        sock.settimeout(0.5)
        while time.time() < deadline and echoes < sent_msgs:
            try:
                got = read_frame(sock, buf)
            except (socket.timeout, TimeoutError):
                continue
            if got is None:
                return Outcome("error", {"error_message": "connection closed without a close frame"})
            op, data = got
            if op == 0x8:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                reason = data[2:].decode("utf-8", "replace")
                if code == 1008:
                    return Outcome("block", {"scanner": "websocket" if "websocket" in reason else
                                             (reason.split(":")[0] or "websocket"), "block_reason": reason,
                                             "decision": "block", "close_code": code})
                return Outcome("error", {"error_message": f"closed with {code} {reason}", "close_code": code})
            if op in (0x1, 0x2):
                echoes += 1
        delivered = len(h.fixture.ws_log)
        if echoes >= sent_msgs and delivered >= sent_msgs:
            return Outcome("allow", {"decision": "allow", "messages_echoed": echoes})
        return Outcome("error", {"error_message": f"timeout: {echoes}/{sent_msgs} echoes, {delivered} delivered"})
    finally:
        sock.close()
