"""`ringfence verify` on bad input, and `ringfence export audit-packet`."""
import json
import os

import pytest

from rhelp import TEST_PUB, pipelock_verify, run_cli, vec
from ringfence.config import Config
from ringfence.core import Action, Decision, Finding
from ringfence.receipts import open_writer
from ringfence.receipts.audit import export_audit_packet
from ringfence.receipts.errors import ReceiptError


@pytest.fixture
def run_dir(tmp_path, keypair):
    priv, pub_path, pub = keypair
    d = tmp_path / "ev"
    w = open_writer(str(d), priv, Config(), session_id="proxy")
    w.record(Action("fetch", "outbound", "https://ok.test/a", "GET"), Decision("allow"))
    w.record(Action("fetch", "outbound", "https://bad.test/?k=AKIAIOSFODNN7EXAMPLE", "GET"),
             Decision("block", (Finding("dlp", "aws_access_key", "critical", "AKIA***LE", "url.query"),), "dlp"))
    w.record(Action("mcp_stdio", "outbound", "run_shell", "tools/call", kind="tool_call"), Decision("warn"))
    w.close()
    return d, pub_path, pub


@pytest.mark.parametrize("content,needle", [
    (b"", "no receipts"),
    (b"not json\n", "parsing JSONL: line 1"),
    (b'{"hello": 1}\n', "unrecognized JSONL line"),
    (b"\xff\xfe\n", "not valid UTF-8"),
    (b"[1,2]\n", "not a JSON object"),
])
def test_verify_bad_jsonl(tmp_path, content, needle):
    p = tmp_path / "x.jsonl"
    p.write_bytes(content)
    r = run_cli("verify", str(p), "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    d = json.loads(r.stdout)
    assert d["valid"] is False and needle in d["error"]


@pytest.mark.parametrize("content,needle", [(b"", "empty"), (b"{", "parsing receipt"), (b"\xff", "UTF-8"),
                                            (b"[]", "not a JSON object"), (b"null", "not a JSON object")])
def test_verify_bad_single(tmp_path, content, needle):
    p = tmp_path / "x.json"
    p.write_bytes(content)
    r = run_cli("verify", str(p))
    assert r.returncode == 1 and needle in r.stdout and "Traceback" not in r.stderr


def test_verify_usage_errors(tmp_path):
    r = run_cli("verify", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 2 and "no such file" in r.stderr
    r = run_cli("verify", vec("valid-single.json"), "--key", "xyz")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run_cli("verify", vec("valid-single.json"), "--key", "ab" * 31)
    assert r.returncode == 2 and "64 hex" in r.stderr
    r = run_cli("verify", str(tmp_path))  # a directory with no logs
    assert r.returncode == 1 and "no evidence" in r.stdout
    r = run_cli("verify", "--help")
    assert r.returncode == 0 and "log whose end is not sealed" in r.stdout


def test_verify_directory_with_key_file(run_dir):
    d, pub_path, pub = run_dir
    r = run_cli("verify", str(d), "--key", pub_path, "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["valid"] and out["sealed"] and out["count"] == 3
    assert out["verdicts"] == {"allow": 1, "block": 1, "warn": 1} and out["signer_key"] == pub
    r = run_cli("verify", str(d), "--key", TEST_PUB)
    assert r.returncode == 1 and "does not match expected key" in r.stdout


def test_export_audit_packet(tmp_path, run_dir):
    d, pub_path, pub = run_dir
    out = tmp_path / "packet"
    r = run_cli("export", "audit-packet", str(d), str(out), "--key", pub_path)
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(out)) == ["evidence.jsonl", "packet.json", "summary.md", "verifier.txt"]
    [log] = [os.path.join(d, n) for n in os.listdir(d)]
    assert (out / "evidence.jsonl").read_bytes() == open(log, "rb").read()
    pk = json.loads((out / "packet.json").read_text())
    assert pk["schema_version"] == "pipelock.audit_packet.v0"
    assert set(pk) == {"schema_version", "generated_at", "run", "policy", "summary", "verifier", "posture",
                       "artifacts", "receipts"}
    assert pk["summary"]["receipt_count"] == 3
    assert set(pk["summary"]["totals"]) == {"allow", "block", "warn", "ask", "strip", "forward", "redirect", "other"}
    assert pk["summary"]["totals"]["block"] == 1 and pk["summary"]["domains_touched"] == ["bad.test", "ok.test"]
    v = pk["verifier"]
    assert v["verdict"] == "valid" and v["trusted"] is True and v["signer_key"] == pub
    assert v["root_hash"].startswith("sha256:") and v["final_seq"] == 2
    for a in pk["artifacts"].values():
        assert a and not a.startswith("/") and ":" not in a and "\\" not in a and ".." not in a.split("/")
    assert len(pk["policy"]["policy_hashes"]) == 1
    assert all({"action_id", "receipt_hash", "chain_seq", "chain_prev_hash", "verdict", "policy_hash"} <= set(x)
               for x in pk["receipts"])
    assert "VALID AND SEALED" in (out / "verifier.txt").read_text()
    assert "AKIAIOSFODNN7EXAMPLE" not in (out / "evidence.jsonl").read_text()
    assert pipelock_verify(out / "evidence.jsonl", pub).returncode == 0


def test_export_without_key_is_self_consistent_only(tmp_path, run_dir):
    d, _, _ = run_dir
    pk = export_audit_packet(str(d), str(tmp_path / "p"))
    assert pk["verifier"]["verdict"] == "self_consistent_only" and pk["verifier"]["trusted"] is False


def test_export_invalid_evidence_and_bad_args(tmp_path, run_dir):
    d, pub_path, _ = run_dir
    [log] = [os.path.join(d, n) for n in os.listdir(d)]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(open(log, "rb").read().replace(b"ok.test", b"ok.tesx"))
    r = run_cli("export", "audit-packet", str(bad), str(tmp_path / "p1"), "--key", pub_path)
    assert r.returncode == 1
    pk = json.loads((tmp_path / "p1" / "packet.json").read_text())
    assert pk["verifier"]["verdict"] == "invalid" and pk["verifier"]["trusted"] is False and pk["verifier"]["error"]
    with pytest.raises(ReceiptError, match="not empty"):
        export_audit_packet(str(d), str(tmp_path / "p1"))
    r = run_cli("export", "audit-packet", str(tmp_path / "nothing"), str(tmp_path / "p2"))
    assert r.returncode == 2 and "no such file" in r.stderr
    r = run_cli("export")
    assert r.returncode == 2
