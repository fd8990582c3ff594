"""Each conformance vector gets its expected verdict from `ringfence verify`."""
import json

import pytest

from rhelp import LIVE_PUB, TEST_PUB, run_cli, vec
from ringfence.receipts.verify import verify_path


def test_valid_single_with_and_without_key():
    for key in (None, TEST_PUB):
        r = verify_path(vec("valid-single.json"), key)
        assert r.valid and r.exit_code == 0 and r.count == 1
        assert r.root_hash == "9994a67b9cb324bae8d648b5baccd5d5403600b2bc5047a40d0355a610f2dc44"


def test_valid_single_wrong_key_fails():
    r = verify_path(vec("valid-single.json"), LIVE_PUB)
    assert not r.valid and r.exit_code == 1
    assert f"signer_key {TEST_PUB} does not match expected key {LIVE_PUB}" in r.error


def test_invalid_signature():
    r = verify_path(vec("invalid-signature.json"))
    assert not r.valid and r.error == "signature verification failed"


def test_broken_chain_at_seq_3():
    r = verify_path(vec("broken-chain.jsonl"))
    assert not r.valid and r.broken_at_seq == 3 and "seq 3: chain_prev_hash mismatch" in r.error


def test_valid_chain_root_and_unsealed():
    r = verify_path(vec("valid-chain.jsonl"), TEST_PUB)
    assert r.valid and r.count == 5 and r.final_seq == 4
    assert r.root_hash == "be904bd5ca82adc26c2969872c23925f22ff24e33faf44a1185b9ffc0e2c2b5a"
    assert not r.sealed and not r.seal_expected and r.exit_code == 0  # foreign plain v1 chain: no seal to expect


def test_live_chain_figures():
    r = verify_path(vec("live-v3.2.0-chain.jsonl"), vec("live-v3.2.0-chain.pub"))
    assert r.valid and r.sealed and r.exit_code == 0
    assert (r.count, r.final_seq, r.entries) == (11, 10, 19)
    assert r.root_hash == "623d13a756891c52b6a4b3d400a95c3324da7b5c3b11c95446fb11aee2ea3063"
    assert r.first_timestamp == "2026-07-24T22:57:41.86819273Z"
    assert r.last_timestamp == "2026-07-24T23:00:44.292030929Z"
    assert r.signer_key == LIVE_PUB


def test_live_chain_wrong_key():
    r = verify_path(vec("live-v3.2.0-chain.jsonl"), TEST_PUB)
    assert not r.valid and "does not match expected key" in r.error


@pytest.mark.parametrize("name,key,code,needle", [
    ("valid-single.json", None, 0, "VALID"),
    ("valid-single.json", TEST_PUB, 0, "VALID"),
    ("valid-single.json", LIVE_PUB, 1, "does not match expected key"),
    ("invalid-signature.json", None, 1, "signature verification failed"),
    ("broken-chain.jsonl", None, 1, "Broke at:  seq 3"),
    ("valid-chain.jsonl", TEST_PUB, 0, "plain v1 chain without a seal"),
    ("live-v3.2.0-chain.jsonl", vec("live-v3.2.0-chain.pub"), 0, "VALID AND SEALED"),
])
def test_cli_vectors(name, key, code, needle):
    args = ["verify", vec(name)] + (["--key", key] if key else [])
    p = run_cli(*args)
    assert p.returncode == code, p.stdout + p.stderr
    assert needle in p.stdout
    pj = run_cli(*args, "--json")
    d = json.loads(pj.stdout)
    assert pj.returncode == code and d["valid"] == (code != 1)
    for k in ("valid", "sealed", "count", "verdicts", "first_timestamp", "last_timestamp", "root_hash",
              "final_seq", "error", "broken_at_seq", "signer_key"):
        assert k in d
