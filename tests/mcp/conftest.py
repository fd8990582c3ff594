import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mcp_servers"
PY = sys.executable
SDK_SERVER = str(FIXTURES / "server.py")
RAW_SERVER = str(FIXTURES / "raw_server.py")
NODE_DIR = ROOT / "tests" / "node"


def engine_or_skip():
    from ringfence.engine import Engine
    return Engine()


@pytest.fixture(scope="session")
def engine():
    return engine_or_skip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"port {port} not listening")


def ringfence_cmd(*args: str) -> list[str]:
    return [PY, "-m", "ringfence", *args]


def start(cmd: list[str], **kw) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(kw.pop("env", {}))
    return subprocess.Popen(cmd, env=env, stdout=kw.pop("stdout", subprocess.DEVNULL),
                            stderr=kw.pop("stderr", subprocess.DEVNULL), **kw)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
