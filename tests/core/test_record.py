"""core.record: an allowed egress action's receipt is its intent, a blocked one's is not;
record_outcome links to the intent and never raises (the bytes have left); with receipts
off no receipt id is handed out."""
import json

from ringfence.core import Action, Decision, Finding, NullWriter, record, record_outcome
from ringfence.receipts.keys import load_private_key, write_keypair
from ringfence.receipts.writer import ReceiptWriter


def _writer(tmp_path, **kw):
    key = str(tmp_path / "k.key")
    write_keypair(key)
    return ReceiptWriter(str(tmp_path / "r"), load_private_key(key), policy_hash="sha256:t", session_id="t", **kw)


def _recs(tmp_path):
    out = []
    for p in (tmp_path / "r").glob("evidence-*.jsonl"):
        out += [json.loads(x)["detail"]["action_record"] for x in p.read_text().splitlines()
                if '"type":"action_receipt"' in x]
    return out


def test_egress_allow_is_intent_block_is_not(tmp_path):
    w = _writer(tmp_path)
    blocked = Decision("block", (Finding("dlp", "aws_key", "high", "AKIA***"),), "dlp:aws_key")
    for verdict_d, target in ((Decision("allow"), "https://a.test/x"), (Decision("warn"), "https://b.test/"),
                              (blocked, "https://c.test/")):
        d = record(w, Action("forward", "outbound", target, "GET", meta={"egress": True}), verdict_d)
        assert d.receipt_id
        record_outcome(w, d.receipt_id if not d.blocked else "", "status=200")
    plain = record(w, Action("forward", "inbound", "https://a.test/in", "GET", kind="response"), Decision("allow"))
    w.close()
    recs = {r["target"]: r for r in _recs(tmp_path) if r.get("layer") != "outcome"}
    outs = [r for r in _recs(tmp_path) if r.get("layer") == "outcome"]
    assert recs["https://a.test/x"]["intent"].startswith("egress-intent")
    assert recs["https://b.test/"]["intent"].startswith("egress-intent")
    assert not recs["https://c.test/"].get("intent", "").startswith("egress-intent")
    assert sorted(o["target"] for o in outs) == ["https://a.test/x", "https://b.test/"]
    assert plain.receipt_id not in {o["request_id"] for o in outs}


def test_outcome_after_a_write_failure_does_not_raise(tmp_path):
    w = _writer(tmp_path)
    d = record(w, Action("connect", "outbound", "a.test:443", "CONNECT", meta={"egress": True}), Decision("allow"))
    w.close()  # a closed writer refuses: the outcome is lost, never an exception on the data path
    assert record_outcome(w, d.receipt_id, "closed bytes_out=1 bytes_in=2") == ""
    assert record_outcome(w, "", "status=200") == ""


def test_receipts_off_hand_out_no_id():
    w = NullWriter()
    d = record(w, Action("forward", "outbound", "https://a.test/", "GET", meta={"egress": True}), Decision("allow"))
    assert d.receipt_id == "" and record_outcome(w, d.receipt_id, "error=upstream_unreachable") == ""
