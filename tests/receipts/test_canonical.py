"""Canonical bytes, signatures and hashes reproduce the conformance vectors byte for byte."""
import hashlib
import json

import pytest

from rhelp import TEST_PUB, conformance_key, vec
from ringfence.receipts.canonical import (CanonError, format_time_ns, go_string, is_canonical_time,
                                          receipt_bytes, record_bytes)
from ringfence.receipts.recorder import Recorder
from ringfence.receipts.writer import ChainSigner


@pytest.mark.parametrize("s,want", [
    ("plain", '"plain"'),
    ("a&b<c>d", '"a\\u0026b\\u003cc\\u003ed"'),
    ("q\"b\\s/", '"q\\"b\\\\s/"'),
    ("\n\r\t\b\f", '"\\n\\r\\t\\b\\f"'),
    ("\x01\x1f\x7f", '"\\u0001\\u001f\x7f"'),
    ("\u2028\u2029", '"\\u2028\\u2029"'),
    ("caf\u00e9 \u65e5\u672c \U0001f600", '"caf\u00e9 \u65e5\u672c \U0001f600"'),
    ("lone\ud800x", '"lone\ufffdx"'),
])
def test_go_string_escaping(s, want):
    assert go_string(s) == want


def test_go_string_near_miss_plain_ascii_untouched():
    # characters Go does not escape stay raw
    assert go_string("a+b=c'd%e") == '"a+b=c\'d%e"'


@pytest.mark.parametrize("ts", ["2026-04-15T12:00:00Z", "2026-07-24T22:57:41.86819273Z",
                                "2026-04-15T12:00:00.1Z", "2024-02-29T23:59:59.999999999Z"])
def test_canonical_times(ts):
    assert is_canonical_time(ts)


@pytest.mark.parametrize("ts", ["2026-04-15T12:00:00.000Z", "2026-04-15T12:00:00.1230Z",
                                "2026-04-15T12:00:00+00:00", "2026-04-15t12:00:00z", "2026-13-01T00:00:00Z",
                                "2026-02-30T00:00:00Z", "2026-04-15T12:00:00.1234567891Z", "", None, 5])
def test_non_canonical_times(ts):
    assert not is_canonical_time(ts)


def test_format_time_ns_trims_fraction():
    assert format_time_ns(1776254400 * 10**9) == "2026-04-15T12:00:00Z"
    assert format_time_ns(1776254400 * 10**9 + 123_400_000) == "2026-04-15T12:00:00.1234Z"
    assert format_time_ns(1776254400 * 10**9 + 1) == "2026-04-15T12:00:00.000000001Z"


def test_valid_single_record_bytes_and_hashes():
    with open(vec("valid-single.json")) as f:
        r = json.load(f)
    b = record_bytes(r["action_record"])
    assert len(b) == 523
    assert hashlib.sha256(b).hexdigest() == "5fd30d1f46ab86e20815fc79e1e23749e605d00b0c78fe30356196b5c6429639"
    assert hashlib.sha256(receipt_bytes(r)).hexdigest() == \
        "9994a67b9cb324bae8d648b5baccd5d5403600b2bc5047a40d0355a610f2dc44"


def _conformance_record(i: int) -> dict:
    return {
        "version": 1, "action_id": f"conformance-{i:05d}", "action_type": "write",
        "timestamp": f"2026-04-15T12:00:0{i}Z", "principal": "org:conformance-test",
        "actor": "agent:conformance-runner", "delegation_chain": ["test-policy-v1", "test-grant"],
        "target": "https://api.example.com/conformance", "side_effect_class": "external_write",
        "reversibility": "compensatable",
        "policy_hash": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "verdict": "allow", "transport": "https", "method": "POST",
    }


def test_resign_single_reproduces_golden_signature():
    signer = ChainSigner(conformance_key())
    assert signer.signer_key == TEST_PUB
    got = json.loads(signer.sign(_conformance_record(0)))
    with open(vec("valid-single.json")) as f:
        want = json.load(f)
    assert got == want
    assert got["signature"].startswith("ed25519:9f0b431d") and got["signature"].endswith("2e0c")


def test_rebuild_whole_valid_chain_byte_for_byte(tmp_path):
    """Signer + recorder reproduce valid-chain.jsonl exactly: signatures, receipt and entry hashes."""
    key = conformance_key()
    signer = ChainSigner(key)
    rec = Recorder(str(tmp_path), "conformance-session", key.sign, checkpoint_interval=10**6)
    for i in range(5):
        r = _conformance_record(i)
        receipt = signer.sign(r)
        rec.append_receipt(receipt, "https", "receipt: allow write https", r["timestamp"])
    rec.close()
    with open(vec("valid-chain.jsonl"), "rb") as f:
        want = f.read()
    with open(rec.paths[0], "rb") as f:
        got = f.read()
    assert rec.paths[0].endswith("evidence-conformance-session-0.jsonl")
    assert got == want
    assert signer.last_hash == "be904bd5ca82adc26c2969872c23925f22ff24e33faf44a1185b9ffc0e2c2b5a"
    assert json.loads(got.splitlines()[0])["hash"].startswith("ab31a9b5")


def test_live_chain_receipts_recanonicalize_exactly():
    """Every v1-full receipt in the Pipelock live chain re-encodes to its raw bytes."""
    n = 0
    with open(vec("live-v3.2.0-chain.jsonl"), encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e["type"] != "action_receipt":
                continue
            raw = line[line.index('"detail":') + 9: line.rindex(',"prev_hash"')]
            assert receipt_bytes(e["detail"]).decode() == raw
            n += 1
    assert n == 11


def test_omitempty_and_zero_values():
    rec = _conformance_record(0) | {"intent": "", "data_classes_in": [], "session_contaminated": False,
                                    "redaction": {}, "chain_prev_hash": "genesis", "chain_seq": 0}
    out = record_bytes(rec).decode()
    assert '"intent"' not in out and '"data_classes_in"' not in out and "session_contaminated" not in out
    assert '"redaction":{}' in out  # a present nested struct is kept, even empty
    rec2 = dict(rec)
    del rec2["principal"]
    assert '"principal":""' in record_bytes(rec2).decode()  # non-om field always present


def test_redaction_by_class_sorted_by_code_point():
    rec = _conformance_record(0) | {"redaction": {"by_class": {"z": 1, "a": 2, "\u00e9": 3, "B": 4},
                                                  "total_redactions": 10}}
    out = record_bytes(rec).decode()
    assert '"redaction":{"total_redactions":10,"by_class":{"B":4,"a":2,"z":1,"\u00e9":3}}' in out


@pytest.mark.parametrize("bad", [
    {"bogus": 1},
    {"chain_seq": -1},
    {"chain_seq": "1"},
    {"delegation_chain": [1]},
    {"session_contaminated": "yes"},
    {"timestamp": "2026-04-15T12:00:00.000Z"},
    {"recent_taint_sources": [{"url": "u", "kind": "k", "level": 256, "timestamp": "2026-04-15T12:00:00Z"}]},
])
def test_schema_rejects(bad):
    rec = _conformance_record(0) | {"chain_prev_hash": "genesis", "chain_seq": 0} | bad
    with pytest.raises(CanonError):
        record_bytes(rec)


from hypothesis import given, settings, strategies as st  # noqa: E402

from ringfence.receipts.canonical import ACTION_RECORD, encode_object, encode_writer_record  # noqa: E402

_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&\u2028\u2029\"\\\x00\x7f"),
                max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries(
    {"version": st.just(1), "action_id": _text, "action_type": st.sampled_from(["read", "write"]),
     "timestamp": st.just("2026-04-15T12:00:00.5Z"), "principal": _text, "actor": _text,
     "delegation_chain": st.none() | st.lists(_text, max_size=3), "target": _text,
     "side_effect_class": _text, "reversibility": _text, "policy_hash": _text, "verdict": _text,
     "transport": _text, "chain_prev_hash": _text, "chain_seq": st.integers(0, 2**64 - 1)},
    optional={"intent": _text, "data_classes_in": st.lists(_text, max_size=3),
              "data_classes_out": st.lists(_text, max_size=3), "method": _text, "layer": _text,
              "pattern": _text, "severity": _text, "request_id": _text}))
def test_writer_fast_path_equals_general_encoder(rec):
    assert encode_writer_record(rec) == encode_object(rec, ACTION_RECORD)


def test_go_string_matches_json_dumps_recipe():
    for s in ["a<b>&c", "\u2028x\u2029", "caf\u00e9\x01\x1f", "\U0001f600", "\\\"/"]:
        want = json.dumps(s, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        assert go_string(s) == want
