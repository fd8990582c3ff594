"""The forward listener of `ringfence envoy config --forward`: CONNECT tunnels get an
ext_authz decision on their host (bodies not inspected); plain HTTP is scanned in full."""
from __future__ import annotations

import json
import subprocess

import pytest

import rfengines
from rfstack import Upstream, Worker, keypair, start_envoy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]
AWS_KEY = "AKIA" + "Q7ZR2KX9LMN4PW3T"


@pytest.fixture(scope="module")
def fwd(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("envoyf")
    up = Upstream(["127.0.0.1"]).start()
    w = Worker(tmp, "f", "ssrf: {ip_allowlist: [127.0.0.1/32]}\n", keypair(tmp)).start()
    env, lp = start_envoy(tmp, [], [w.port], forward=True)
    yield {"proxy": f"http://127.0.0.1:{lp}", "up": up, "worker": w}
    env.stop()
    w.stop()
    up.stop()


def _curl(*args: str) -> tuple[str, str]:
    r = subprocess.run(["curl", "-sS", "-i", "--max-time", "30", *args], capture_output=True, timeout=60)
    out = r.stdout.decode(errors="replace")
    return out, r.stderr.decode(errors="replace")


def test_connect_to_an_allowed_host_tunnels(fwd):
    out, err = _curl("-p", "-x", fwd["proxy"], f"http://127.0.0.1:{fwd['up'].port}/clean")
    assert "sunny" in out, out + err
    assert "CONNECT" in fwd["worker"].receipts_text() or "connect" in fwd["worker"].receipts_text()


def test_connect_to_an_internal_address_is_refused_by_ext_authz(fwd):
    out, err = _curl("-p", "-x", fwd["proxy"], "http://10.255.255.1:8080/")
    head = out.partition("\r\n\r\n")[0]
    assert head.startswith("HTTP/1.1 403"), out + err
    rid = [ln.split(":", 1)[1].strip() for ln in head.split("\r\n") if ln.lower().startswith("x-ringfence-receipt:")]
    assert rid and rid[0] and rid[0] in fwd["worker"].receipts_text()
    assert "ssrf" in fwd["worker"].receipts_text()


def test_plain_http_through_the_forward_listener_is_scanned_in_full(fwd):
    before = fwd["up"].requests
    out, err = _curl("-x", fwd["proxy"], "-X", "POST", "--data", f"token={AWS_KEY}",
                     f"http://127.0.0.1:{fwd['up'].port}/echo")
    head, _, body = out.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 403"), out + err
    assert json.loads(body)["scanner"] == "dlp"
    assert fwd["up"].requests == before
    out, _ = _curl("-x", fwd["proxy"], f"http://127.0.0.1:{fwd['up'].port}/clean")
    assert "sunny" in out


def test_each_forward_request_is_decided_once(fwd):
    """Plain HTTP goes to ext_proc only and CONNECT to ext_authz only: one receipt each,
    so rate limits and budgets are not counted twice."""
    w = fwd["worker"]
    marker = "once-" + __import__("uuid").uuid4().hex[:8]
    _curl("-x", fwd["proxy"], f"http://127.0.0.1:{fwd['up'].port}/clean?m={marker}")
    import time
    deadline = time.monotonic() + 10
    while marker not in w.receipts_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # the response's receipt follows the request's
    mine = [ln for ln in w.receipts_text().splitlines() if marker in ln and '"action_receipt"' in ln]
    assert len(mine) == 2, mine                          # the request (ext_proc) and its response
    assert not any('"envoy_authz"' in ln for ln in mine)  # ext_authz did not decide it a second time
