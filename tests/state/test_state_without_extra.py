"""ringfence imports and runs without the `scale` extra; choosing a shared backend without
its client fails closed and says what to install."""
from __future__ import annotations

import subprocess
import sys

CODE = r"""
import sys
for m in ("redis", "redis.asyncio", "nats", "grpc", "envoy"):
    sys.modules[m] = None          # as if the extra were not installed
from ringfence.engine import Engine
from ringfence.config import Config, load_config_text
d, _ = Engine(Config()).check_url("https://example.com/?q=hello", resolve=False)
assert d.verdict == "allow", d
cfg = load_config_text("state: {backend: redis, url: 'redis://127.0.0.1:1/0'}\nurl: {requests_per_minute: 5}\n")
d, _ = Engine(cfg).check_url("https://example.com/", resolve=False)
assert d.blocked and (d.top.scanner, d.top.rule) == ("state", "unavailable"), d
assert "pip install" in d.top.excerpt, d.top.excerpt
from ringfence.cli import main
sys.exit(main(["envoy", "serve", "--listen", "127.0.0.1:1"]))
"""


def test_runs_without_the_scale_extra():
    r = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr          # envoy serve: a usage error, not a traceback
    assert "pip install 'ringfence[scale]'" in r.stderr
    assert "Traceback" not in r.stderr
