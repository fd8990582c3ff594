"""YAML alias bombs and deep nesting in the config: rejected fast, in little
memory, with an error naming the problem; a live reload of one is rejected
without stalling requests (real `ringfence run` and `ringfence check`)."""
import os
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ringfence.config.load import ConfigError, load_config_text
from procs import free_port

pytestmark = pytest.mark.timeout(120)


def bomb(depth: int, width: int = 9) -> str:
    """A 'billion laughs' config: each level holds `width` aliases of the one below."""
    lines = ["mode: balanced", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, depth + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"url:\n  allowlist: *a{depth}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [6, 7, 9])
def test_alias_bomb_rejected_fast_and_small(depth):
    text = bomb(depth)
    load_config_text("url: {}\n", "warm.yaml")   # the YAML parser is imported on first use; not the bomb's cost
    tracemalloc.start()
    t = time.process_time()
    with pytest.raises(ConfigError) as e:
        load_config_text(text, "bomb.yaml")
    took = time.process_time() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "alias" in str(e.value) and "bomb.yaml" in str(e.value)
    assert took < 0.1, took
    assert peak < 5 * 1024 * 1024, peak


def test_wide_bomb_with_many_aliases():
    text = "a: &a [x]\nb: [" + ",".join(["*a"] * 500) + "]\n"
    with pytest.raises(ConfigError, match="more than 100 YAML aliases"):
        load_config_text(text)


@pytest.mark.parametrize("text,what", [
    ("a: &x [*x]\n", "refers to itself"),
    ("a: &x {b: *x}\n", "refers to itself"),
    ("x: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper"),
    ("x: " + "[" * 300_000 + "\n", "nested deeper"),
    ("x: " + "{a: " * 100 + "}" * 100 + "\n", "nested deeper"),
    ("".join("  " * i + f"k{i}:\n" for i in range(200)), "nested deeper"),
])
def test_cycles_and_deep_nesting(text, what):
    t = time.perf_counter()
    with pytest.raises(ConfigError, match=what):
        load_config_text(text)
    assert time.perf_counter() - t < 2.0  # milliseconds really; generous for a loaded CI box


def test_modest_aliases_still_work():
    cfg = load_config_text("mode: strict\nurl:\n  allowlist: &h [a.example, b.example]\n"
                           "  entropy_exempt_hosts: *h\n")
    assert cfg.mode == "strict" and cfg.url.entropy_exempt_hosts == ["a.example", "b.example"]
    big = "dlp:\n  canaries: [" + ",".join(f"canary-token-{i:06d}" for i in range(20_000)) + "]\n"
    assert len(load_config_text(big).dlp.canaries) == 20_000   # large but literal: fine


def test_check_cli_rejects_bomb(tmp_path):
    p = tmp_path / "bomb.yaml"
    p.write_text(bomb(9))
    t = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "ringfence", "check", "--config", str(p), "--text", "hello"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "alias" in r.stderr and "Traceback" not in r.stderr
    assert time.monotonic() - t < 30


class _Up(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *a):
        pass


def test_live_reload_of_bomb_rejected_without_stall(tmp_path):
    up = ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    cfg = tmp_path / "ringfence.yaml"
    cfg.write_text("mode: balanced\n")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--config", str(cfg), "--listen",
                             f"127.0.0.1:{port}", "--resolve", f"site.test:{up.server_address[1]}:127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{port}"}))
    url = f"http://site.test:{up.server_address[1]}/page"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with opener.open(url, timeout=5) as r:
                    assert r.read() == b"ok"
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        cfg.write_text(bomb(7))           # the file watcher sees it ...
        proc.send_signal(signal.SIGHUP)  # ... and SIGHUP asks too
        worst = 0.0
        end = time.monotonic() + 3
        while time.monotonic() < end:
            t = time.monotonic()
            with opener.open(url, timeout=30) as r:
                assert r.read() == b"ok"
            worst = max(worst, time.monotonic() - t)
        assert worst < 1.0, worst
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        up.shutdown()
    err = proc.stderr.read().decode()
    assert "reload rejected" in err and "alias" in err, err[-2000:]
