"""`ringfence init` and the receipts-by-default rule of the runtime commands."""
import glob
import json
import os
import socket
import stat
import subprocess
import sys
import urllib.request

import pytest
from procs import free_port

pytestmark = pytest.mark.timeout(180)


def _env(home):
    return dict(os.environ, HOME=str(home), XDG_CACHE_HOME=os.path.expanduser("~/.cache"))


def rf(home, *args, timeout=90):
    return subprocess.run([sys.executable, "-m", "ringfence", *args], env=_env(home), capture_output=True,
                          text=True, timeout=timeout)


def test_init_creates_everything_then_finds_it(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    r = rf(home, "init", "--preset", "strict", "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    d = home / ".ringfence"
    assert rep["dir"] == str(d)
    assert {k: v["status"] for k, v in rep.items() if k != "dir"} == {
        "signing_key": "created", "public_key": "created", "ca": "created", "config": "created", "evidence": "created"}
    assert stat.S_IMODE(os.stat(d / "receipt.key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(d / "ca" / "ca.key").st_mode) == 0o600
    from ringfence.config import load_config
    cfg = load_config(d / "config.yaml")
    assert cfg.mode == "strict" and cfg.receipts.dir == str(d / "evidence") and cfg.tls.intercept
    before = {p: open(p, "rb").read() for p in glob.glob(str(d / "**" / "*.*"), recursive=True)}
    r = rf(home, "init", "--preset", "audit")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("found") == 5 and "created" not in r.stdout
    assert {p: open(p, "rb").read() for p in before} == before  # nothing overwritten


def test_init_dir_and_a_broken_key_is_refused(tmp_path):
    d = tmp_path / "custom"
    r = rf(tmp_path, "init", "--dir", str(d))
    assert r.returncode == 0 and (d / "receipt.key").exists() and "--config" in r.stdout
    d2 = tmp_path / "bad"
    d2.mkdir()
    (d2 / "receipt.key").write_text("not a key")
    os.chmod(d2 / "receipt.key", 0o600)
    r = rf(tmp_path, "init", "--dir", str(d2))
    assert r.returncode == 2 and "not a usable signing key" in r.stderr
    assert (d2 / "receipt.key").read_text() == "not a key"


def _run_proxy(home, *flags):
    port = free_port()
    p = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", *flags],
                         env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert "listening" in line, p.stderr.read() if p.poll() is not None else line
    return p, port


def _blocked_request(port):
    req = urllib.request.Request("http://example.test/?k=AKIAIOSFODNN7EXAMPLE")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{port}"}))
    try:
        opener.open(req, timeout=30)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
    raise AssertionError("not blocked")


def test_receipts_default_on_with_a_home_key_and_off_with_no_receipts(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    assert rf(home, "keygen", "--out", str(home / ".ringfence" / "receipt.key")).returncode == 0
    ev = home / ".ringfence" / "evidence"
    p, port = _run_proxy(home)
    try:
        code, body = _blocked_request(port)
        assert code == 403 and body["receipt_id"]
    finally:
        p.terminate()
        err = p.communicate(timeout=30)[1]
    assert "signed receipts go to" in err
    assert glob.glob(str(ev / "*.jsonl"))
    r = rf(home, "verify", str(ev), "--key", str(home / ".ringfence" / "receipt.pub"), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["verdicts"]["block"] == 1
    n = len(glob.glob(str(ev / "*.jsonl")))
    p, port = _run_proxy(home, "--no-receipts")
    try:
        code, body = _blocked_request(port)
        assert code == 403
    finally:
        p.terminate()
        err = p.communicate(timeout=30)[1]
    assert "receipts are off" in err and len(glob.glob(str(ev / "*.jsonl"))) == n


def test_signing_key_alone_turns_receipts_on_and_a_missing_key_is_exit_2(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    key = tmp_path / "k.key"
    assert rf(home, "keygen", "--out", str(key)).returncode == 0
    p, port = _run_proxy(home, "--signing-key", str(key))
    try:
        assert _blocked_request(port)[0] == 403
    finally:
        p.terminate()
        p.communicate(timeout=30)
    assert glob.glob(str(home / ".ringfence" / "evidence" / "*.jsonl"))
    for cmd in (["run", "--listen", f"127.0.0.1:{free_port()}"], ["mcp", "proxy"]):
        r = rf(home, *cmd, "--signing-key", str(tmp_path / "missing.key"), *(["--", "true"] if "mcp" in cmd else []))
        assert r.returncode == 2 and "missing.key not found" in r.stderr, r.stderr
    r = rf(home, "run", "--no-receipts", "--receipts", str(tmp_path / "x"))
    assert r.returncode == 2 and "--no-receipts cannot" in r.stderr


def test_listen_port_range_and_port_in_use(tmp_path):
    for bad in ("127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:99999"):
        r = rf(tmp_path, "run", "--listen", bad)
        assert r.returncode == 2 and "outside 1-65535" in r.stderr, r.stderr
    cfg = tmp_path / "c.yaml"
    cfg.write_text("proxy:\n  listen: 127.0.0.1:70000\n")
    r = rf(tmp_path, "run", "--config", str(cfg))
    assert r.returncode == 2 and "proxy.listen" in r.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        r = rf(tmp_path, "run", "--listen", f"127.0.0.1:{s.getsockname()[1]}")
    assert r.returncode == 2 and "already in use" in r.stderr and "internal error" not in r.stderr


def test_mcp_listen_port_in_use_is_exit_2(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        r = rf(tmp_path, "mcp", "proxy", "--no-receipts", "--upstream", "http://127.0.0.1:9/mcp",
               "--listen", f"127.0.0.1:{s.getsockname()[1]}")
    assert r.returncode == 2 and "already in use" in r.stderr and "internal error" not in r.stderr
    r = rf(tmp_path, "mcp", "proxy", "--upstream", "http://127.0.0.1:9/mcp", "--listen", "127.0.0.1:65536")
    assert r.returncode == 2 and "outside 1-65535" in r.stderr
