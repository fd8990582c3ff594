"""A transport's own note on what it could not inspect reaches the signed receipt."""
import json

from ringfence.config import Config
from ringfence.core import Action, Decision, Finding
from ringfence.receipts import open_writer, write_keypair


def _records(d):
    out = []
    for p in sorted(d.rglob("*.jsonl")):
        for line in p.read_text().splitlines():
            e = json.loads(line)
            if e.get("type") == "action_receipt":
                out.append(json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"])
    return [r["action_record"] for r in out]


def test_meta_intent_signed_for_allow_and_finding_wins_for_block(tmp_path):
    key = tmp_path / "k.key"
    write_keypair(str(key))
    w = open_writer(str(tmp_path / "r"), str(key), Config(), session_id="t")
    w.record(Action("connect", "outbound", "example.com:443", "CONNECT", kind="hostname",
                    meta={"intent": "tunnel: body not inspected"}), Decision("allow"))
    f = Finding("blocklist", "domain_blocked", "high", "", "url.host", "block")
    w.record(Action("connect", "outbound", "bad.example:443", "CONNECT", kind="hostname",
                    meta={"intent": "tunnel: body not inspected"}), Decision("block", (f,), "blocklist:domain_blocked"))
    w.record(Action("fetch", "outbound", "https://example.com/", "GET"), Decision("allow"))
    w.close()
    recs = _records(tmp_path / "r")
    assert recs[0]["intent"] == "tunnel: body not inspected"
    assert recs[1]["intent"].startswith("blocklist:domain_blocked")
    assert "intent" not in recs[2]
