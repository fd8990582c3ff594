"""Byte pumps between a unix socket and a TCP port (threads; bounded connection count)."""
from __future__ import annotations

import os
import socket
import threading

MAX_CONNS = 512
BUF = 64 * 1024


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(BUF)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _pair(a: socket.socket, b: socket.socket, slots: threading.BoundedSemaphore) -> None:
    t = threading.Thread(target=_pump, args=(b, a), daemon=True)
    t.start()
    _pump(a, b)
    t.join()
    a.close()
    b.close()
    slots.release()


def serve(listener: socket.socket, connect, stop: threading.Event) -> None:
    """Accept on `listener`; for each client, `connect()` a socket and pump both ways."""
    slots = threading.BoundedSemaphore(MAX_CONNS)
    listener.settimeout(0.5)
    while not stop.is_set():
        try:
            client, _ = listener.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        client.settimeout(None)
        if not slots.acquire(blocking=False):
            client.close()  # over the bound: refuse rather than queue without limit
            continue
        try:
            upstream = connect()
        except OSError:
            client.close()
            slots.release()
            continue
        threading.Thread(target=_pair, args=(client, upstream, slots), daemon=True).start()


class UnixToTcp:
    """Outside the namespace: a unix socket at `path` that leads to host:port."""

    def __init__(self, path: str, host: str, port: int):
        self.path, self.host, self.port = path, host, port
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o600)
        self.sock.listen(128)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=serve, daemon=True, args=(
            self.sock, lambda: socket.create_connection((host, port), timeout=10), self.stop))

    def start(self) -> "UnixToTcp":
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()
