"""`ringfence run --intercept` as a real subprocess with curl through CONNECT:
the inner request is scanned, and a TLS upstream (its own test CA) is verified."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ringfence.bench.fixtures import Fixture
from procs import free_port, wait_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


@pytest.fixture
def upstream():
    f = Fixture("127.0.0.1", 0, 0).start()
    yield f
    f.stop()


def test_intercepted_https_through_real_run(tmp_path, upstream):
    ca_dir = tmp_path / "ca"
    assert subprocess.run([sys.executable, "-m", "ringfence", "tls", "init", "--dir", str(ca_dir)],
                          capture_output=True).returncode == 0
    port, host = free_port(), "shop.example.test"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "--intercept",
         "--ca-dir", str(ca_dir), "--upstream-ca", upstream.ca.ca_path, "-q",
         "--resolve", f"{host}:{upstream.https_port}:127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(port, proc, timeout=30.0)
        url = f"https://{host}:{upstream.https_port}/ok"
        curl = ["curl", "-s", "-m", "20", "-x", f"http://127.0.0.1:{port}", "--cacert", str(ca_dir / "ca.pem"),
                "-o", "-", "-w", "\n%{http_code}"]
        ok = subprocess.run(curl + [url], capture_output=True, text=True)
        assert ok.stdout.rstrip().endswith("200"), ok.stdout + ok.stderr
        assert any(e["path"] == "/ok" for e in upstream.log)
        n = len(upstream.log)
        bad = subprocess.run(curl + ["-H", "Authorization: Bearer ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
                                     url.replace("/ok", "/leak")], capture_output=True, text=True)
        assert bad.stdout.rstrip().endswith("403"), bad.stdout
        assert '"blocked"' in bad.stdout and len(upstream.log) == n  # the secret never reached the upstream
    finally:
        proc.terminate()
        proc.wait(10)
