"""Secrets at the boundary and egress rules through a real `ringfence run --intercept`:
curl, httpx and Node's https module hold only a placeholder; the TLS upstream (trustme)
checks that it got the real credential; the placeholder to another host, the real
value sent directly, and methods the egress rules deny are refused with a 403 JSON
and a receipt, on every transport."""
from __future__ import annotations

import asyncio
import glob
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.parse

import httpx
import pytest

from secrets_upstream import Upstream
from procs import free_port, wait_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

REAL = "Real-Demo-Token-7fQ2xK9pL4mN8vB3"
PH = "rf-secret-demo"
API, OTHER, WSH = "api.example.test", "other.example.test", "ws.example.test"


CONFIG = f"""
secrets:
  demo:
    placeholder: {PH}
    value_from: {{env: RF_TEST_DEMO_TOKEN}}
    hosts: [{API}, {WSH}]
egress:
  default: allow
  rules:
    - {{action: deny, methods: [DELETE, PUT], hosts: ["*.example.test"]}}
    - {{action: deny, methods: [POST], hosts: [{API}], agents: [reader-bot]}}
    - {{action: deny, methods: ["*"], hosts: [denied.example.test, no.blind.test]}}
    - {{action: allow, methods: [GET], hosts: ["*.blind.test"]}}
tls:
  exclude: ["*.blind.test"]
"""


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("secrets")
    up = Upstream(REAL).start()
    up_ca = up.write_ca(tmp / "upstream-ca.pem")
    ca_dir = tmp / "ca"
    rf = [sys.executable, "-m", "ringfence"]
    assert subprocess.run(rf + ["tls", "init", "--dir", str(ca_dir)], capture_output=True).returncode == 0
    assert subprocess.run(rf + ["keygen", "--out", str(tmp / "k.key")], capture_output=True).returncode == 0
    cfg = tmp / "rf.yaml"
    cfg.write_text(CONFIG)
    port = free_port()
    resolve = []
    for h in (API, OTHER, WSH, "denied.example.test", "ok.blind.test", "no.blind.test"):
        resolve += ["--resolve", f"{h}:{up.https_port}:127.0.0.1", "--resolve", f"{h}:{up.http_port}:127.0.0.1"]
    env = dict(os.environ, RF_TEST_DEMO_TOKEN=REAL)
    proc = subprocess.Popen(rf + ["run", "--config", str(cfg), "--listen", f"127.0.0.1:{port}", "--intercept",
                                  "--ca-dir", str(ca_dir), "--upstream-ca", up_ca, "-q",
                                  "--receipts", str(tmp / "receipts"), "--signing-key", str(tmp / "k.key")]
                            + resolve, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        wait_port(port, proc, timeout=60.0)
        yield {"up": up, "port": port, "ca": str(ca_dir / "ca.pem"), "receipts": tmp / "receipts",
               "proxy": f"http://127.0.0.1:{port}", "tmp": tmp}
    finally:
        proc.terminate()
        proc.wait(15)
        up.stop()


def _curl(rig, url, *args):
    out = subprocess.run(["curl", "-s", "-m", "30", "-x", rig["proxy"], "--cacert", rig["ca"],
                          "-o", "-", "-w", "\n%{http_code}", *args, url], capture_output=True, text=True)
    body, _, code = out.stdout.rpartition("\n")
    return int(code or 0), body


def _seen(rig, path):
    return [e for e in rig["up"].log if e["path"].startswith(path)]


def _block(body: str, scanner: str, rule: str) -> dict:
    j = json.loads(body)
    assert j["blocked"] is True and j["scanner"] == scanner and j["rule"] == rule, j
    assert f'{j["scanner"]}:{j["rule"]}' in ("secrets:placeholder_misrouted", "secrets:real_value", "egress:denied")
    assert j["receipt_id"]
    return j


def _receipts_text(rig) -> str:
    time.sleep(0.2)
    return "".join(open(f, encoding="utf-8").read() for f in glob.glob(str(rig["receipts"] / "*.jsonl")))


def test_curl_gets_the_real_credential_inserted(rig):
    url = f"https://{API}:{rig['up'].https_port}/check"
    code, body = _curl(rig, url, "-H", f"Authorization: Bearer {PH}")
    assert code == 200 and json.loads(body) == {"ok": True}
    assert _seen(rig, "/check")[-1]["headers"]["Authorization"] == f"Bearer {REAL}"
    # without the placeholder the upstream refuses: the check is real
    code, _ = _curl(rig, url, "-H", "Authorization: Bearer something-else")
    assert code == 401


def test_httpx_placeholder_in_query_and_header(rig):
    with httpx.Client(proxy=rig["proxy"], verify=ssl.create_default_context(cafile=rig["ca"]), timeout=30) as c:
        r = c.get(f"https://{API}:{rig['up'].https_port}/check", params={"key": PH})
        assert r.status_code == 200, r.text
        assert _seen(rig, "/check")[-1]["path"].endswith("key=" + REAL)
        r = c.post(f"https://{API}:{rig['up'].https_port}/check", headers={"Authorization": f"Bearer {PH}"},
                   json={"note": "hello"})
        assert r.status_code == 200 and r.json() == {"ok": True}, r.text


NODE = r"""
const http = require('http'), https = require('https');
const [proxyPort, host, port] = process.argv.slice(2);
const req = http.request({host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `${host}:${port}`});
req.on('connect', (res, socket) => {
  if (res.statusCode !== 200) { console.log(JSON.stringify({status: res.statusCode})); return; }
  const r = https.request({host, port, path: '/check', method: 'GET', socket, servername: host,
                           headers: {Authorization: 'Bearer PLACEHOLDER'}}, (resp) => {
    let data = ''; resp.on('data', (c) => data += c);
    resp.on('end', () => { console.log(JSON.stringify({status: resp.statusCode, body: data})); socket.destroy(); });
  });
  r.on('error', (e) => { console.log(JSON.stringify({error: String(e)})); });
  r.end();
});
req.on('error', (e) => console.log(JSON.stringify({error: String(e)})));
req.end();
"""


@pytest.mark.parametrize("host,status", [(API, 200), (OTHER, 403)])
def test_node_https_client(rig, host, status, tmp_path):
    import shutil
    if shutil.which("node") is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    script = tmp_path / "client.js"
    script.write_text(NODE.replace("PLACEHOLDER", PH))
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=rig["ca"])
    out = subprocess.run(["node", str(script), str(rig["port"]), host, str(rig["up"].https_port)],
                         capture_output=True, text=True, env=env, timeout=60)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got.get("status") == status, (got, out.stderr)
    if status == 200:
        assert json.loads(got["body"]) == {"ok": True}
    else:
        _block(got["body"], "secrets", "placeholder_misrouted")


def test_placeholder_to_another_host_is_blocked(rig):
    n = len(rig["up"].log)
    code, body = _curl(rig, f"https://{OTHER}:{rig['up'].https_port}/check", "-H", f"Authorization: Bearer {PH}")
    assert code == 403
    _block(body, "secrets", "placeholder_misrouted")
    # percent-encoded in a query string to a plain-HTTP host: same
    q = urllib.parse.quote(PH, safe="")
    code, body = _curl(rig, f"http://{OTHER}:{rig['up'].http_port}/x?k={q}")
    assert code == 403
    _block(body, "secrets", "placeholder_misrouted")
    assert len(rig["up"].log) == n


@pytest.mark.parametrize("how", ["header", "base64", "hex"])
def test_real_value_sent_directly_is_refused_even_to_its_host(rig, how):
    import base64
    n = len(rig["up"].log)
    url = f"https://{API}:{rig['up'].https_port}/check"
    if how == "header":
        code, body = _curl(rig, url, "-H", f"Authorization: Bearer {REAL}")
    elif how == "base64":
        code, body = _curl(rig, url, "-H", "Authorization: Basic " + base64.b64encode(f"me:{REAL}".encode()).decode())
    else:
        code, body = _curl(rig, url, "--data", "blob=" + REAL.encode().hex())
    assert code == 403
    _block(body, "secrets", "real_value")
    assert len(rig["up"].log) == n


def test_echoed_credential_is_scrubbed(rig):
    code, body = _curl(rig, f"https://{API}:{rig['up'].https_port}/echo", "-H", f"Authorization: Bearer {PH}")
    assert code == 200
    assert REAL not in body and f"Bearer {PH}" in body
    assert _seen(rig, "/echo")[-1]["headers"]["Authorization"] == f"Bearer {REAL}"
    # /fetch: the same
    with httpx.Client(timeout=30) as c:
        r = c.get(f"{rig['proxy']}/fetch", params={"url": f"http://{API}:{rig['up'].http_port}/echo?k={PH}"})
        assert r.status_code == 200 and REAL not in r.text and PH in r.json()["content"]


def test_method_rules_on_every_transport(rig):
    https_url = f"https://{API}:{rig['up'].https_port}/thing"
    n = len(rig["up"].log)
    code, body = _curl(rig, https_url, "-X", "DELETE")                                   # intercepted
    assert code == 403 and _block(body, "egress", "denied")
    code, body = _curl(rig, f"http://{API}:{rig['up'].http_port}/thing", "-X", "PUT", "-d", "x")  # plain
    assert code == 403 and _block(body, "egress", "denied")
    with httpx.Client(timeout=30) as c:                                                  # /fetch
        r = c.request("DELETE", f"{rig['proxy']}/fetch", params={"url": f"http://{API}:{rig['up'].http_port}/t"})
        assert r.status_code == 403 and _block(r.text, "egress", "denied")
        r = c.get(f"{rig['proxy']}/fetch", params={"url": f"http://{API}:{rig['up'].http_port}/t"})
        assert r.status_code == 200
    code, body = _curl(rig, f"https://denied.example.test:{rig['up'].https_port}/")      # by host
    assert code in (403, 0)
    assert len(rig["up"].log) == n + 1  # only the allowed GET arrived


def test_websocket_handshake_gets_the_credential_and_rules_apply(rig):
    import aiohttp

    async def go():
        async with aiohttp.ClientSession() as s:
            url = f"{rig['proxy']}/ws?url=" + urllib.parse.quote(f"ws://{WSH}:{rig['up'].http_port}/sock", safe="")
            async with s.ws_connect(url, headers={"Authorization": f"Bearer {PH}"}) as ws:
                await ws.send_str("hello")
                assert (await ws.receive(timeout=20)).data == "hello"
            bad = f"{rig['proxy']}/ws?url=" + urllib.parse.quote(
                f"ws://denied.example.test:{rig['up'].http_port}/sock", safe="")
            with pytest.raises(aiohttp.WSServerHandshakeError) as e:
                await s.ws_connect(bad)
            assert e.value.status == 403
            bad = f"{rig['proxy']}/ws?url=" + urllib.parse.quote(f"ws://{OTHER}:{rig['up'].http_port}/sock", safe="")
            with pytest.raises(aiohttp.WSServerHandshakeError) as e:
                await s.ws_connect(bad, headers={"Authorization": f"Bearer {PH}"})
            assert e.value.status == 403

    asyncio.run(go())
    got = [e for e in rig["up"].log if e["path"] == "/sock"]
    assert got and got[-1]["headers"]["Authorization"] == f"Bearer {REAL}"


def test_agent_identity_rules_and_header_stripped(rig):
    url = f"https://{API}:{rig['up'].https_port}/check"
    code, body = _curl(rig, url, "-X", "POST", "-d", "{}", "-H", "X-Agent: reader-bot",
                       "-H", f"Authorization: Bearer {PH}")
    assert code == 403 and _block(body, "egress", "denied")  # (where it matched is in the receipt only)
    assert "reader-bot" in _receipts_text(rig)
    code, _ = _curl(rig, url, "-X", "POST", "-d", "{}", "-H", "X-Agent: writer-bot", "-H", f"Authorization: Bearer {PH}")
    assert code == 200
    assert "X-Agent" not in _seen(rig, "/check")[-1]["headers"]


def test_connect_without_interception_is_decided_by_host_and_says_so(rig):
    port = rig["up"].https_port
    code, _ = _curl(rig, f"https://no.blind.test:{port}/", "--cacert", rig["up"].write_ca(rig["tmp"] / "u.pem"))
    assert code in (0, 403)  # curl reports the refused CONNECT as 000 or 403
    proc = subprocess.run(["curl", "-s", "-m", "30", "-p", "-x", rig["proxy"], "-o", "/dev/null", "-w", "%{http_connect}",
                           "--cacert", str(rig["tmp"] / "u.pem"), f"https://ok.blind.test:{port}/"],
                          capture_output=True, text=True)
    assert proc.stdout.strip() == "200"
    text = _receipts_text(rig)
    recs = [json.loads(line)["detail"]["action_record"] for line in text.splitlines()
            if '"action_receipt"' in line]
    ok = [r for r in recs if r.get("transport") == "connect" and "ok.blind.test" in r["target"]]
    # the decision (the tunnel's intent), then the outcome of the tunnel that references it
    assert len(ok) == 2 and ok[1]["layer"] == "outcome" and ok[1]["request_id"] == ok[0]["action_id"]
    assert "method could not be checked" in ok[0].get("intent", "")
    no = [r for r in recs if r.get("transport") == "connect" and "no.blind.test" in r["target"]]
    assert no and no[-1]["verdict"] == "block" and no[-1]["layer"] == "egress" and no[-1]["pattern"] == "denied"


def test_receipts_name_the_secret_never_its_value(rig):
    _curl(rig, f"https://{API}:{rig['up'].https_port}/check", "-H", f"Authorization: Bearer {PH}")
    text = _receipts_text(rig)
    assert REAL not in text
    assert "secrets injected: demo (rf-secret-demo)" in text
    assert "secrets:placeholder_misrouted" in text and "secrets:real_value" in text


def test_learn_writes_a_minimal_allowlist_from_the_session(rig):
    from ringfence.config import load_config_text
    from ringfence.secrets.egress import EgressPolicy
    # the proxy seals its log every second; learning from a live log is allowed
    out = rig["tmp"] / "learned.yaml"
    key_pub = rig["tmp"] / "k.pub"
    r = subprocess.run([sys.executable, "-m", "ringfence", "learn", str(rig["receipts"]), "-o", str(out),
                        "--key", str(key_pub)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    pol = EgressPolicy(load_config_text(text).egress)
    assert pol.check("GET", API, "/check").allowed and pol.check("POST", API, "/check").allowed
    assert not pol.check("DELETE", API, "/check").allowed   # it was refused, so it is not learned
    assert not pol.check("GET", OTHER, "/check").allowed    # only ever blocked
    assert not pol.check("GET", API, "/admin").allowed      # path prefixes seen: /check, /echo, /thing, /t
    assert "ok.blind.test" in text and "methods unknown" in text
    assert REAL not in text and PH not in text


def test_agent_identity_from_the_proxy_user_name_covers_https(rig):
    # HTTPS_PROXY=http://reader-bot:@127.0.0.1:PORT (as `ringfence exec` may set per profile)
    url = f"https://{API}:{rig['up'].https_port}/check"
    proxy = rig["proxy"].replace("http://", "http://reader-bot:@")
    out = subprocess.run(["curl", "-s", "-m", "30", "-x", proxy, "--cacert", rig["ca"], "-o", "-", "-w", "\n%{http_code}",
                          "-X", "POST", "-d", "{}", "-H", f"Authorization: Bearer {PH}", url],
                         capture_output=True, text=True)
    body, _, code = out.stdout.rpartition("\n")
    assert code == "403" and _block(body, "egress", "denied")
    assert "reader-bot" in _receipts_text(rig)
    out = subprocess.run(["curl", "-s", "-m", "30", "-x", proxy, "--cacert", rig["ca"], "-o", "/dev/null",
                          "-w", "%{http_code}", "-H", f"Authorization: Bearer {PH}", url], capture_output=True, text=True)
    assert out.stdout == "200"  # GET is not denied to reader-bot
