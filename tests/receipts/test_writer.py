"""ReceiptWriter: receipts it writes verify with ringfence and with the independent pipelock-verify."""
import json
import os
import re
import stat
import threading

import pytest

from rhelp import pipelock_verify
from ringfence.config import Config
from ringfence.config.receipts import ReceiptsConfig
from ringfence.core import Action, Decision, Finding
from ringfence.receipts import KeyError_, NullWriter, ReceiptError, ReceiptWriter, open_writer
from ringfence.receipts.verify import verify_path
from ringfence.receipts.writer import safe_target

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SECRET = "AKIAIOSFODNN7EXAMPLE"


def _cfg(**kw):
    return Config(receipts=ReceiptsConfig(**kw))


def _lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f]


def _all_logs(d):
    return sorted((os.path.join(d, n) for n in os.listdir(d)), key=lambda p: int(p.rsplit("-", 1)[1][:-6]))


ACTIONS = [
    Action("fetch", "outbound", "https://api.test/q?a=1&b=<x>&c=\u00e9\u2028z", "GET", request_id="r1", kind="url"),
    Action("forward", "outbound", "http://h\u00e9.test/\u65e5\u672c?x=<y>&z", "POST", kind="url"),
    Action("connect", "outbound", "example.test:443", "CONNECT"),
    Action("intercept", "outbound", "https://x.test/item/7", "DELETE", kind="url"),
    Action("websocket", "outbound", "wss://ws.test/socket", "WS", kind="frame"),
    Action("mcp_stdio", "outbound", "run_shell", "tools/call", kind="tool_call"),
    Action("mcp_stdio", "outbound", "write_file", "tools/call", kind="tool_call"),
    Action("mcp_http_upstream", "inbound", "server", "tools/list", kind="tools_list"),
    Action("mcp_stdio", "outbound", "frobnicate", "tools/call", kind="tool_call"),
    Action("a2a", "outbound", "https://agent.test/a2a", "message/send"),
]
DECISIONS = [
    Decision("allow"),
    Decision("warn", (Finding("injection", "ignore_previous", "medium", "ignore prev\u2028ious <b>", action="warn"),),
             "injection:ignore_previous"),
    Decision("strip", (Finding("injection", "hidden_text", "high", "x", action="strip"),), "injection:hidden_text"),
    Decision("block", (Finding("ssrf", "private_ip", "critical", "10.0.0.1", "url.host"),), "ssrf:private_ip"),
    Decision("block", (Finding("internal", "scan_error", "high", "ValueError: & < >"),), "internal:scan_error"),
]


def test_hundreds_of_receipts_verify_with_pipelock_verify(tmp_path, keypair):
    priv, _, pub = keypair
    w = open_writer(str(tmp_path / "ev"), priv, Config(), session_id="proxy")
    ids = set()
    for i in range(300):
        ids.add(w.record(ACTIONS[i % len(ACTIONS)], DECISIONS[(i // len(ACTIONS) + i) % len(DECISIONS)]))
    w.close()
    assert len(ids) == 300 and all(UUID7.match(x) for x in ids)
    [log] = w.paths
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    entries = _lines(log)
    recs = [e["detail"]["action_record"] for e in entries if e["type"] == "action_receipt"]
    assert {r["action_type"] for r in recs} == {"read", "write", "delegate", "unclassified"}
    assert {r["verdict"] for r in recs} == {"allow", "warn", "strip", "block"}
    assert {r["action_id"] for r in recs} == ids
    assert entries[-2]["type"] == "transcript_root" and entries[-1]["type"] == "checkpoint"
    raw = open(log, encoding="utf-8").read()
    assert "\\u0026" in raw and "\\u003c" in raw and "\\u2028" in raw and "\u00e9" in raw
    p = pipelock_verify(log, pub)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "CHAIN VALID" in p.stdout and re.search(r"Receipts:\s+300\b", p.stdout)
    r = verify_path(log, pub)
    assert r.valid and r.sealed and r.count == 300 and r.exit_code == 0
    assert sum(r.verdicts.values()) == 300


def test_receipt_record_mapping(tmp_path, keypair):
    priv, _, _ = keypair
    w = open_writer(str(tmp_path), priv, Config(), session_id="check")
    a = Action("fetch", "outbound", f"https://user:pw@x.test/p?key={SECRET}#frag", "POST", request_id="req-9")
    d = Decision("block", (Finding("dlp", "aws_access_key", "critical", "AKIA***LE", "url.query"),),
                 "dlp:aws_access_key")
    rid = w.record(a, d)
    w.close()
    raw = open(w.paths[0], encoding="utf-8").read()
    assert SECRET not in raw and "user:pw" not in raw
    rec = _lines(w.paths[0])[0]["detail"]["action_record"]
    assert rec["action_id"] == rid
    assert rec["target"] == "https://[redacted]@x.test/p?[redacted]#[redacted]"
    assert (rec["action_type"], rec["side_effect_class"], rec["reversibility"]) == \
        ("write", "external_write", "compensatable")
    assert (rec["verdict"], rec["layer"], rec["pattern"], rec["severity"]) == \
        ("block", "dlp", "aws_access_key", "critical")
    assert rec["request_id"] == "req-9" and rec["transport"] == "fetch" and rec["method"] == "POST"
    assert rec["data_classes_out"] == ["aws_access_key"]
    assert rec["policy_hash"].startswith("sha256:") and len(rec["policy_hash"]) == 71
    assert rec["delegation_chain"] is None and rec["chain_prev_hash"] == "genesis"
    assert set(rec) <= {"version", "action_id", "action_type", "timestamp", "principal", "actor",
                        "delegation_chain", "target", "intent", "data_classes_in", "data_classes_out",
                        "side_effect_class", "reversibility", "policy_hash", "verdict", "transport", "method",
                        "layer", "pattern", "severity", "request_id", "chain_prev_hash", "chain_seq"}


@pytest.mark.parametrize("target,where,want", [
    (f"https://x.test/a/{SECRET}", "url.path", "https://x.test/[redacted]"),
    (f"https://x.test/a?k={SECRET}", "url.query", "https://x.test/a?[redacted]"),
    (f"https://{SECRET}.evil.test/", "url.host", "https://[redacted]/"),
    (f"https://x.test:8443/a?k={SECRET}", "", "https://x.test:8443/[redacted]?[redacted]"),
])
def test_safe_target_redacts_dlp(target, where, want):
    f = Finding("dlp", "aws_access_key", "critical", "AKIA***LE", where)
    assert safe_target(target, (f,)) == want


def test_safe_target_near_miss_keeps_clean_urls():
    # No DLP finding: the URL is the evidence, keep it whole.
    u = "https://x.test/a?q=hello&z=1"
    assert safe_target(u, (Finding("ssrf", "private_ip", "high", "", "url.host"),)) == u
    assert safe_target("write_file", (Finding("dlp", "k", "high", "", "args"),)) == "write_file"


def test_null_writer(tmp_path):
    w = open_writer(None, None, Config())
    assert isinstance(w, NullWriter)
    assert w.record(ACTIONS[0], DECISIONS[0]) == ""  # nothing written: no receipt id handed out
    w.close()
    assert isinstance(open_writer("", str(tmp_path / "missing.key"), Config()), NullWriter)


def test_config_dir_used_when_no_arg(tmp_path, keypair):
    priv, _, _ = keypair
    w = open_writer(None, None, _cfg(dir=str(tmp_path / "cfg"), signing_key=priv))
    assert isinstance(w, ReceiptWriter)
    w.record(ACTIONS[0], DECISIONS[0])
    w.close()
    assert w.paths[0].startswith(str(tmp_path / "cfg"))


def test_unsafe_or_missing_key_refused(tmp_path, keypair):
    priv, _, _ = keypair
    os.chmod(priv, 0o644)
    with pytest.raises(KeyError_, match="chmod 600"):
        open_writer(str(tmp_path / "ev"), priv, Config())
    with pytest.raises(KeyError_, match="not found"):
        open_writer(str(tmp_path / "ev"), str(tmp_path / "none.key"), Config())
    assert isinstance(KeyError_("x"), ReceiptError)


def test_close_idempotent_and_record_after_close(tmp_path, keypair):
    priv, _, _ = keypair
    w = open_writer(str(tmp_path), priv, Config())
    w.record(ACTIONS[0], DECISIONS[0])
    w.close()
    w.close()
    with pytest.raises(ReceiptError):
        w.record(ACTIONS[0], DECISIONS[0])
    assert len(_lines(w.paths[0])) == 3  # receipt, transcript_root, checkpoint: sealed once


def test_writer_without_records_writes_nothing(tmp_path, keypair):
    priv, _, _ = keypair
    w = open_writer(str(tmp_path / "ev"), priv, Config())
    w.close()
    assert w.paths == [] and os.listdir(tmp_path / "ev") == []


def test_threads_share_one_chain(tmp_path, keypair):
    priv, _, pub = keypair
    w = open_writer(str(tmp_path), priv, _cfg(fsync="batch", fsync_interval_ms=5))
    out = []

    def work(k):
        for i in range(100):
            out.append(w.record(ACTIONS[(i + k) % len(ACTIONS)], DECISIONS[i % len(DECISIONS)]))

    ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    w.close()
    assert len(set(out)) == 400
    r = verify_path(str(tmp_path), pub)
    assert r.valid and r.sealed and r.count == 400


def test_rotation_chains_across_files(tmp_path, keypair):
    priv, _, pub = keypair
    d = tmp_path / "ev"
    w = open_writer(str(d), priv, _cfg(max_entries_per_file=10, checkpoint_interval=4, fsync="always"))
    for i in range(45):
        w.record(ACTIONS[i % len(ACTIONS)], DECISIONS[i % len(DECISIONS)])
    w.close()
    logs = _all_logs(str(d))
    assert len(logs) >= 5 and logs == w.paths
    for p in logs[:-1]:
        ents = _lines(p)
        assert len(ents) <= 10 and ents[-1]["type"] == "checkpoint"  # rotation seal
    for a, b in zip(logs, logs[1:]):
        assert _lines(b)[0]["prev_hash"] == _lines(a)[-1]["hash"]
        assert int(b.rsplit("-", 1)[1][:-6]) == _lines(b)[0]["seq"]
    r = verify_path(str(d), pub)
    assert r.valid and r.sealed and r.count == 45 and r.files == len(logs), r.error
    # The concatenation is one chain for pipelock-verify too.
    cat = tmp_path / "all.jsonl"
    cat.write_bytes(b"".join(open(p, "rb").read() for p in logs))
    p = pipelock_verify(cat, pub)
    assert p.returncode == 0 and "CHAIN VALID" in p.stdout, p.stdout + p.stderr
    # A missing middle file is caught.
    os.unlink(logs[2])
    r2 = verify_path(str(d), pub)
    assert not r2.valid and "missing" in r2.error


def test_rotation_by_bytes(tmp_path, keypair):
    priv, _, pub = keypair
    w = open_writer(str(tmp_path / "ev"), priv, _cfg(max_file_bytes=4096))
    for i in range(20):
        w.record(ACTIONS[i % len(ACTIONS)], DECISIONS[0])
    w.close()
    assert len(w.paths) > 2 and all(os.path.getsize(p) < 4096 + 2048 for p in w.paths)
    r = verify_path(str(tmp_path / "ev"), pub)
    assert r.valid and r.sealed and r.count == 20


def test_two_runs_in_one_dir_are_separate_chains(tmp_path, keypair):
    priv, _, pub = keypair
    d = tmp_path / "ev"
    for _ in range(2):
        w = open_writer(str(d), priv, Config(), session_id="check")
        w.record(ACTIONS[0], DECISIONS[3])
        w.close()
    assert len(os.listdir(d)) == 2
    r = verify_path(str(d), pub)
    assert r.valid and r.sealed and r.count == 2 and len(r.chains) == 2


def test_timer_checkpoint_seals_idle_tail(tmp_path, keypair):
    import time
    priv, _, pub = keypair
    w = open_writer(str(tmp_path / "ev"), priv, _cfg(checkpoint_every_ms=20, fsync="always"))
    for i in range(3):
        w.record(ACTIONS[i], DECISIONS[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _lines(w.paths[0])[-1]["type"] != "checkpoint":
        time.sleep(0.01)
    ents = _lines(w.paths[0])
    assert ents[-1]["type"] == "checkpoint" and ents[-1]["detail"]["last_seq"] == 2
    r = verify_path(w.paths[0], pub)  # covered by a checkpoint, but the run is not closed
    assert r.valid and not r.sealed and "not closed" in r.tail
    w.close()
    assert verify_path(w.paths[0], pub).sealed


def test_no_timer_checkpoint_when_off(tmp_path, keypair):
    import time
    priv, _, _ = keypair
    w = open_writer(str(tmp_path / "ev"), priv, _cfg(checkpoint_every_ms=0, fsync_interval_ms=5))
    w.record(ACTIONS[0], DECISIONS[0])
    time.sleep(0.1)
    assert [e["type"] for e in _lines(w.paths[0])] == ["action_receipt"]
    w.close()
