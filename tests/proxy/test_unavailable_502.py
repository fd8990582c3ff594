"""DNS failure and an unreachable upstream are 502 errors ("blocked": false), not security
blocks; nothing is forwarded. A secret in the same request still blocks (403)."""
import json
import os
import subprocess
import sys
import urllib.parse

import pytest
from procs import free_port

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    port, dead = free_port(), free_port()
    env = dict(os.environ, HOME=str(tmp_path_factory.mktemp("h")), XDG_CACHE_HOME=os.path.expanduser("~/.cache"))
    p = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--no-receipts", "--listen",
                          f"127.0.0.1:{port}", "--resolve", f"dead.test:{dead}:127.0.0.1"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert "listening" in p.stdout.readline()
    yield port, dead
    p.terminate()
    p.wait(30)


def _curl(*args):
    r = subprocess.run(["curl", "-s", "--max-time", "60", "-w", "\n%{http_code}", *args], capture_output=True,
                       text=True, timeout=90)
    body, _, code = r.stdout.rpartition("\n")
    return int(code), body


def test_dns_failure_is_502_on_forward_fetch_and_connect(proxy):
    port, _ = proxy
    code, body = _curl("-x", f"http://127.0.0.1:{port}", "http://no-such-host.invalid/x")
    assert code == 502 and json.loads(body) == {**json.loads(body), "blocked": False, "error": "dns_failure"}
    q = urllib.parse.quote("http://no-such-host.invalid/y", safe="")
    code, body = _curl(f"http://127.0.0.1:{port}/fetch?url={q}")
    assert code == 502 and json.loads(body)["blocked"] is False
    code, _ = _curl("-x", f"http://127.0.0.1:{port}", "-o", "/dev/null", "https://no-such-host.invalid/")
    r = subprocess.run(["curl", "-s", "-v", "-x", f"http://127.0.0.1:{port}", "https://no-such-host.invalid/"],
                       capture_output=True, text=True, timeout=90)
    assert "< HTTP/1.1 502" in r.stderr


def test_secret_with_dns_failure_still_blocks(proxy):
    port, _ = proxy
    code, body = _curl("-x", f"http://127.0.0.1:{port}", "http://no-such-host.invalid/?k=AKIAIOSFODNN7EXAMPLE")
    assert code == 403 and json.loads(body)["blocked"] is True


def test_unreachable_upstream_is_502(proxy):
    port, dead = proxy
    code, body = _curl("-x", f"http://127.0.0.1:{port}", f"http://dead.test:{dead}/")
    assert code == 502 and json.loads(body)["blocked"] is False and "receipt_id" not in json.loads(body)
