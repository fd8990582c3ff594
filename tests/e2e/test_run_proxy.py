"""`ringfence run` as a real subprocess: serve, block, receipts, clean SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest
from procs import free_port, ok_upstream, wait_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

AWS_KEY = "AKIA" + "Q7ZR2KX9LMN4PW3T"


def test_run_serves_blocks_and_exits_cleanly_on_sigterm(tmp_path):
    from ringfence.receipts.keys import write_keypair
    key = str(tmp_path / "k" / "receipt.key")
    write_keypair(key)
    up = ok_upstream()
    up_port = up.__enter__()
    port = free_port()
    rdir = tmp_path / "receipts"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "--receipts", str(rdir),
         "--signing-key", key, "--resolve", f"site.test:{up_port}:127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_port(port, proc, timeout=20.0)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{port}"}))
        with opener.open(f"http://site.test:{up_port}/page", timeout=10) as r:
            assert r.status == 200 and r.read() == b"hello from upstream"
            rid = r.headers["X-Ringfence-Receipt"]
        try:
            opener.open(f"http://site.test:{up_port}/?k={AWS_KEY}", timeout=10)
            raise AssertionError("expected a block")
        except urllib.error.HTTPError as e:
            assert e.code == 403
            doc = json.loads(e.read())
            assert doc["blocked"] and doc["scanner"] == "dlp"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        err = proc.stderr.read().decode()
        assert "--resolve" in err  # loud about test routing
        text = "".join(p.read_text() for p in rdir.rglob("*") if p.is_file())
        assert rid in text and doc["receipt_id"] in text and AWS_KEY not in text
        res = subprocess.run([sys.executable, "-m", "ringfence", "verify", str(rdir), "--key", key[:-4] + ".pub"],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        up.__exit__(None, None, None)


def test_tls_init_cli(tmp_path):
    d = tmp_path / "ca"
    r1 = subprocess.run([sys.executable, "-m", "ringfence", "tls", "init", "--dir", str(d)],
                        capture_output=True, text=True, timeout=30)
    assert r1.returncode == 0 and (d / "ca.pem").exists()
    assert (d / "ca.key").stat().st_mode & 0o777 == 0o600
    r2 = subprocess.run([sys.executable, "-m", "ringfence", "tls", "init", "--dir", str(d)],
                        capture_output=True, text=True, timeout=30)
    assert r2.returncode == 1 and "refusing to overwrite" in r2.stderr
