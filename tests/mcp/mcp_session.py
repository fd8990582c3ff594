"""A line-level client for a real `ringfence mcp proxy` process: send JSON-RPC
lines, wait for answers by id with generous timeouts (poll, never sleep fixed)."""
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mcp_servers"
PY = sys.executable
HOSTILE = str(FIXTURES / "hostile_server.py")


class Session:
    def __init__(self, *proxy_args: str, server: list[str] | None = None, env=None):
        cmd = [PY, "-m", "ringfence", "mcp", "proxy", *proxy_args, "--", *(server or [PY, HOSTILE])]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env)
        self.q: queue.Queue = queue.Queue()
        self.got: list = []
        self.taken: set[int] = set()   # answers already returned by wait_id
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.q.put((time.monotonic(), line))
        self.q.put(None)

    def _err(self):
        self.stderr = self.p.stderr.read()

    def send(self, obj_or_bytes):
        data = obj_or_bytes if isinstance(obj_or_bytes, bytes) else json.dumps(obj_or_bytes).encode() + b"\n"
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def call(self, mid, method, params=None):
        msg = {"jsonrpc": "2.0", "id": mid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def tool(self, mid, name, **args):
        self.call(mid, "tools/call", {"name": name, "arguments": args})

    def _pump(self, timeout: float) -> bool:
        try:
            item = self.q.get(timeout=timeout)
        except queue.Empty:
            return False
        if item is None:
            self.q.put(None)
            return False
        t, line = item
        try:
            self.got.append((t, json.loads(line)))
        except ValueError:
            self.got.append((t, {"_raw": line}))
        return True

    def wait_id(self, mid, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, (_, m) in enumerate(self.got):
                if i not in self.taken and isinstance(m, dict) and m.get("id") == mid \
                        and ("result" in m or "error" in m):
                    self.taken.add(i)
                    return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer for id {mid!r}; got {[m for _, m in self.got][-5:]}")
            if not self._pump(min(left, 0.5)) and self.p.poll() is not None and self.q.qsize() <= 1:
                raise EOFError(f"wrapper exited ({self.p.returncode}) without answering {mid!r}: "
                               f"{self.stderr[-2000:]!r}")

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._pump(0.05)

    def close(self, timeout: float = 30.0) -> int:
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            return self.p.wait(timeout)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
