"""Helpers for tests that drive a real `ringfence run` process."""
from __future__ import annotations

import asyncio
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request

TOKEN = "t0ken-for-e2e-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Run:
    """A `ringfence run` subprocess with its admin port, receipts and logs."""

    def __init__(self, tmp: pathlib.Path, *args: str, config: str | None = None, cwd: str | None = None,
                 config_arg: str | None = None, receipts: bool = True, name: str = "rf",
                 keyfile: str | None = None, port: int | None = None, python_path: str | None = None):
        self.tmp = tmp
        self.port = port or free_port()
        self.admin_port = free_port()
        self.rdir = tmp / "receipts"
        self.key = keyfile or str(tmp / "keys" / "receipt.key")
        if receipts and not os.path.exists(self.key):
            from ringfence.receipts.keys import write_keypair
            write_keypair(self.key)
        self.pub = self.key[:-4] + ".pub"
        cmd = [sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{self.port}"]
        if config is not None:
            path = tmp / f"{name}.yaml"
            path.write_text(f"admin:\n  listen: 127.0.0.1:{self.admin_port}\n" + config)
            cmd += ["--config", config_arg or str(path)]
            self.config_path = path
        if receipts:
            cmd += ["--receipts", str(self.rdir), "--signing-key", self.key]
        cmd += list(args)
        self.err_path = tmp / f"{name}.{self.port}.stderr"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "RINGFENCE_ADMIN_TOKEN": TOKEN,
               "NO_PROXY": "", "no_proxy": ""}
        if python_path:
            env["PYTHONPATH"] = python_path
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self._err, cwd=cwd, env=env)
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_up()

    def _wait_up(self, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"ringfence run exited early ({self.proc.returncode}): {self.stderr()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("ringfence run did not start: " + self.stderr()[-3000:])

    def stderr(self) -> str:
        try:
            return self.err_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- admin ----------------------------------------------------------------
    def admin(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | str]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.admin_port}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}",
                                              "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=10) as r:
                raw = r.read().decode()
                return r.status, (json.loads(raw) if raw.startswith("{") else raw)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def wait_admin(self, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if self.admin("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("admin API did not start: " + self.stderr()[-2000:])

    def kill_switch(self, active: bool) -> None:
        st, body = self.admin("POST", "/v1/killswitch", {"active": active})
        assert st == 200 and body["active"] is active, body

    def metric(self, name: str) -> float:
        st, text = self.admin("GET", "/metrics")
        assert st == 200
        for line in str(text).splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    # -- receipts ---------------------------------------------------------------
    def receipts(self) -> list[dict]:
        out = []
        for p in sorted(self.rdir.glob("evidence-*.jsonl")):
            for line in p.read_text(errors="replace").splitlines():
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                if e.get("type") == "action_receipt":
                    out.append(e["detail"]["action_record"] if "action_record" in e["detail"] else e["detail"])
        return out

    def wait_receipt(self, pred, timeout: float = 10.0) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for r in self.receipts():
                if pred(r):
                    return r
            time.sleep(0.1)
        raise AssertionError("no such receipt; have: " + json.dumps(self.receipts()[-5:])[:2000])

    def verify(self) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ringfence", "verify", str(self.rdir), "--key", self.pub],
                              capture_output=True, text=True, timeout=120)

    # -- lifecycle ----------------------------------------------------------------
    def send(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._err.close()
        return self.proc.returncode

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


async def read_until_closed(reader: asyncio.StreamReader, timeout: float) -> tuple[bytes, bool]:
    """Read until EOF (True) or the timeout (False)."""
    out = b""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        left = end - loop.time()
        if left <= 0:
            return out, False
        try:
            chunk = await asyncio.wait_for(reader.read(65536), left)
        except asyncio.TimeoutError:
            return out, False
        except (ConnectionError, OSError):
            return out, True
        if not chunk:
            return out, True
        out += chunk


async def read_head(reader: asyncio.StreamReader, timeout: float = 10.0) -> tuple[int, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    return int(head.split(b" ", 2)[1]), head
