"""Signals on a real `ringfence run`: SIGUSR1 toggles the kill switch (never kills),
SIGHUP without --config is harmless, a relative --config is watched, and SIGINT
shuts down cleanly with a sealed receipt log."""
from __future__ import annotations

import signal
import time
import urllib.error
import urllib.request

import pytest

from procs import ok_upstream
from rfrun_util import Run

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


@pytest.fixture
def upstream():
    with ok_upstream(b"hello") as port:
        yield port


def _status(rp: Run, up_port: int) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": rp.url}))
    try:
        with opener.open(f"http://site.test:{up_port}/", timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError) as e:  # a request cut by the flip itself
        return -1 if "refused" not in str(e) else -2


def _wait_status(rp: Run, up_port: int, want: int, timeout: float = 10.0) -> int:
    end = time.monotonic() + timeout
    st = 0
    while time.monotonic() < end:
        st = _status(rp, up_port)
        if st == want:
            return st
        time.sleep(0.1)
    return st


def test_sigusr1_toggles_sighup_harmless_sigint_seals(tmp_path, upstream):
    rp = Run(tmp_path, "--resolve", f"site.test:{upstream}:127.0.0.1")
    try:
        assert _status(rp, upstream) == 200
        rp.send(signal.SIGUSR1)
        assert _wait_status(rp, upstream, 503) == 503
        assert rp.proc.poll() is None
        rp.send(signal.SIGUSR1)
        assert _wait_status(rp, upstream, 200) == 200
        rp.send(signal.SIGHUP)
        time.sleep(0.5)
        assert rp.proc.poll() is None, "SIGHUP without --config killed the process"
        assert _status(rp, upstream) == 200
        assert rp.stop(signal.SIGINT) == 0
    finally:
        rp.stop()
    err = rp.stderr()
    assert "nothing to reload" in err and "SIGUSR1" in err and "Traceback" not in err
    res = rp.verify()
    assert res.returncode == 0 and "SEALED" in res.stdout, res.stdout + res.stderr


def test_relative_config_is_watched_and_sighup_reloads(tmp_path, upstream):
    rp = Run(tmp_path, "--resolve", f"site.test:{upstream}:127.0.0.1", config="", cwd=str(tmp_path),
             config_arg="rf.yaml")
    try:
        assert _status(rp, upstream) == 200
        base = rp.config_path.read_text()
        time.sleep(0.3)  # the watcher is up
        rp.config_path.write_text(base + "kill_switch:\n  active: true\n")
        assert _wait_status(rp, upstream, 503, timeout=15) == 503, rp.stderr()[-2000:]
        # SIGHUP reloads the file too (the watcher may already have; either way it is back on 200)
        rp.config_path.write_text(base)
        rp.send(signal.SIGHUP)
        assert _wait_status(rp, upstream, 200, timeout=15) == 200
        assert rp.proc.poll() is None
    finally:
        assert rp.stop() == 0
    assert "config reloaded" in rp.stderr()
