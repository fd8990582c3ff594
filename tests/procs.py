"""Shared helpers for tests that start real processes and servers on 127.0.0.1:
a free port, waiting for a child process to listen, and a plain upstream that
answers every GET with a fixed body."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 30.0,
              what: str = "proxy") -> None:
    """Until 127.0.0.1:port accepts; fails at once (with the child's stderr) if
    `proc` exits first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[-3000:] if proc.stderr else ""
            raise AssertionError(f"{what} exited early (code {proc.returncode}): {err}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not start on port {port} within {timeout:.0f} s")


@contextlib.contextmanager
def ok_upstream(body: bytes = b"hello from upstream", content_type: str = "text/plain") -> Iterator[int]:
    """A threaded HTTP server answering every GET with `body`; yields its port."""
    class _Ok(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    up = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    try:
        yield up.server_address[1]
    finally:
        up.shutdown()
        up.server_close()
