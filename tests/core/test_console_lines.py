"""What a person sees: one line per block (and per allow with -v), JSON with
--log-format json, "listening" once, the admin port's state, and no receipt id
when no receipt was written."""
import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from procs import free_port

pytestmark = pytest.mark.timeout(180)


class _H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def upstream():
    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _H)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    yield s.server_address[1]
    s.shutdown()


def _session(tmp_path, upstream, *flags, env_extra=None):
    port = free_port()
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=os.path.expanduser("~/.cache"), **(env_extra or {}))
    env.pop("RINGFENCE_ADMIN_TOKEN", None)
    env.update(env_extra or {})
    p = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}",
                          "--resolve", f"app.test:{upstream}:127.0.0.1", *flags], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    assert "listening" in first
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{port}"}))
    results = []
    for url in (f"http://app.test:{upstream}/fine", f"http://app.test:{upstream}/?k=AKIAIOSFODNN7EXAMPLE"):
        try:
            r = opener.open(url, timeout=30)
            results.append((r.status, dict(r.headers), r.read()))
        except urllib.error.HTTPError as e:
            results.append((e.code, dict(e.headers), e.read()))
    p.terminate()
    out, err = p.communicate(timeout=30)
    return first + out, err, results


def test_block_line_no_receipt_id_when_receipts_off(tmp_path, upstream):
    out, err, res = _session(tmp_path, upstream, "--no-receipts")
    (s1, h1, _), (s2, h2, b2) = res
    assert s1 == 200 and s2 == 403
    body = json.loads(b2)
    assert body["blocked"] is True and "receipt_id" not in body
    assert "X-Ringfence-Receipt" not in h2 and "X-Ringfence-Receipt" not in h1
    lines = [l for l in err.splitlines() if " BLOCK " in l]
    assert len(lines) == 1
    assert "dlp:aws_access_key_id" in lines[0] and "app.test" in lines[0] and "receipt" not in lines[0]
    assert "AKIAIOSFODNN7EXAMPLE" not in err  # the secret is never printed
    assert not [l for l in err.splitlines() if " ALLOW " in l]  # allows only with -v
    assert (out + err).count("listening") == 1
    assert "admin API and metrics off (set $RINGFENCE_ADMIN_TOKEN" in err


def test_verbose_json_lines_carry_the_receipt_id(tmp_path, upstream):
    key = tmp_path / "k.key"
    subprocess.run([sys.executable, "-m", "ringfence", "keygen", "--out", str(key)], check=True,
                   capture_output=True, timeout=60)
    out, err, res = _session(tmp_path, upstream, "-v", "--log-format", "json", "--receipts",
                             str(tmp_path / "ev"), "--signing-key", str(key),
                             env_extra={"RINGFENCE_ADMIN_TOKEN": "t" * 32})
    (s1, h1, _), (s2, h2, b2) = res
    rid = json.loads(b2)["receipt_id"]
    assert rid and h2["X-Ringfence-Receipt"] == rid
    events = [json.loads(l) for l in err.splitlines() if l.startswith("{")]
    decisions = [e for e in events if "verdict" in e]
    # with -v: the allowed request and its response, then the block
    assert [e["verdict"] for e in decisions] == ["allow", "allow", "block"]
    assert [e["direction"] for e in decisions[:2]] == ["outbound", "inbound"]
    blk = decisions[2]
    assert blk["rule"] == "dlp:aws_access_key_id" and blk["receipt_id"] == rid
    assert blk["transport"] and "app.test" in blk["target"] and "AKIA" not in blk["target"]
    assert h1["X-Ringfence-Receipt"] in {decisions[0]["receipt_id"], decisions[1]["receipt_id"]}
    assert "admin API and metrics on at http://127.0.0.1:8889" in err or "admin API and metrics off (could not" in err
