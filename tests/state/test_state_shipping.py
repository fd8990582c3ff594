"""Many processes, one evidence trail: two instances' signed chains shipped to a real
Redis stream / NATS JetStream stream, collected back per instance, verified together."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from ringfence.cli import main
from ringfence.config import Config
from ringfence.core import Action, Decision, Finding, decide


def _write_chain(tmp: Path, name: str, n: int) -> tuple[Path, str]:
    from ringfence.receipts import open_writer
    from ringfence.receipts.keys import write_keypair
    key = str(tmp / f"{name}.key")
    write_keypair(key)
    d = tmp / "evidence" / name
    w = open_writer(str(d), key, Config(), session_id="envoy")
    for i in range(n):
        dec = Decision("allow") if i % 3 else decide([Finding("dlp", "aws_access_key", "high", "AKIA…", "body", "block")])
        w.record(Action("envoy", "outbound", f"https://api.example.com/v1/{i}", "POST", kind="request"), dec)
    w.close()
    return d, key[:-4] + ".pub"


@pytest.mark.parametrize("kind", ["redis", "nats"])
def test_ship_collect_verify_two_instances(kind, request, tmp_path, capsys):
    srv = request.getfixturevalue(f"{kind}_srv")
    url = f"redis://127.0.0.1:{srv.port}/0" if kind == "redis" else f"nats://127.0.0.1:{srv.port}"
    prefix = "s" + uuid.uuid4().hex[:8]
    a, _ = _write_chain(tmp_path, "a", 7)
    b, _ = _write_chain(tmp_path, "b", 4)
    assert main(["ship", str(a), "--to", url, "--instance", "worker-a", "--prefix", prefix]) == 0
    assert main(["ship", str(b), "--to", url, "--instance", "worker-b", "--prefix", prefix]) == 0
    assert main(["ship", str(a), "--to", url, "--instance", "worker-a", "--prefix", prefix]) == 0  # nothing new
    capsys.readouterr()
    out = tmp_path / "collected"
    assert main(["collect", "--from", url, "--out", str(out), "--prefix", prefix]) == 0
    assert main(["collect", "--from", url, "--out", str(out), "--prefix", prefix]) == 0  # idempotent
    for name, src in (("worker-a", a), ("worker-b", b)):
        files = sorted(p.name for p in src.glob("evidence-*.jsonl"))
        assert files and sorted(p.name for p in (out / name).iterdir()) == files
        for f in files:
            assert (out / name / f).read_bytes() == (src / f).read_bytes()   # byte for byte
    capsys.readouterr()
    assert main(["verify", str(out / "worker-a"), str(out / "worker-b"), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["valid"] and s["totals"]["chains"] == 2 and s["totals"]["signers"] == 2
    assert s["totals"]["sealed"] == 2
    assert s["totals"]["verdicts"].get("block", 0) == 3 + 2          # ceil(7/3) + ceil(4/3)


def test_verify_many_reports_the_broken_chain(tmp_path, capsys):
    a, _ = _write_chain(tmp_path, "a", 5)
    b, _ = _write_chain(tmp_path, "b", 5)
    f = sorted(b.glob("evidence-*.jsonl"))[0]
    lines = f.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"api.example.com", b"api.examp1e.com")   # tamper with one receipt
    f.write_bytes(b"\n".join(lines))
    assert main(["verify", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID: 1 of 2 chains verify") and "FAIL" in out
