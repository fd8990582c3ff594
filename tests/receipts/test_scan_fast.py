"""The report's fast verifier agrees with `ringfence verify` on valid and tampered logs, and
falls back to the strict verifier for logs not in ringfence's exact form."""
import os

import pytest
from evgen import make_key, write_run
from rhelp import LIVE_PUB, TEST_PUB, vec
from ringfence.receipts.scan import scan
from ringfence.receipts.verify import verify_path


@pytest.fixture
def run(tmp_path):
    priv, pub = make_key(tmp_path)
    w = write_run(tmp_path / "r", priv, n=40, max_entries_per_file=12)
    return tmp_path / "r", pub, w.paths


def _lines(p):
    return open(p).read().splitlines(keepends=True)


def _edit(p, fn):
    ls = _lines(p)
    fn(ls)
    open(p, "w").writelines(ls)


def test_valid_log_fast_and_parallel(run):
    d, pub, paths = run
    assert len(paths) >= 4
    for jobs in (1, 2):
        res = scan([str(d)], key=pub, jobs=jobs)
        (log,) = res["logs"]
        assert log["verifier"] == "fast" and log["valid"] and log["sealed"], log
        v = verify_path(str(d), pub)
        assert log["count"] == v.count and log["root_hash"] == v.root_hash


@pytest.mark.parametrize("how,needle", [
    ("verdict", "entry hash mismatch"),
    ("drop_middle", "missing or reordered"),
    ("drop_file", "a rotated file is missing"),
    ("cut_tail", "end is not proven"),
    ("key_order", "not in canonical form"),
])
def test_tampering_is_caught(run, how, needle):
    d, pub, paths = run
    if how == "verdict":
        _edit(paths[1], lambda ls: ls.__setitem__(2, ls[2].replace('"verdict":"allow"', '"verdict":"block"')))
    elif how == "drop_middle":
        _edit(paths[1], lambda ls: ls.pop(3))
    elif how == "drop_file":
        os.unlink(paths[2])
    elif how == "cut_tail":
        _edit(paths[-1], lambda ls: ls.__delitem__(slice(-3, None)))
    elif how == "key_order":
        _edit(paths[1], lambda ls: ls.__setitem__(1, ls[1].replace('{"v":1,"seq":', '{"seq":', 1).replace(
            ',"ts":', ',"v":1,"ts":', 1)))
    (log,) = scan([str(d)], key=pub, jobs=2)["logs"]
    if how == "cut_tail":
        assert log["valid"] and not log["sealed"]
        assert not verify_path(str(d), pub).sealed
        return
    assert not log["valid"], log
    assert needle in log["error"] or needle in verify_path(str(d), pub).error, log["error"]
    assert not verify_path(str(d), pub).valid


def test_wrong_key_and_conformance_vectors(run):
    d, pub, paths = run
    (log,) = scan([str(d)], key=TEST_PUB)["logs"]
    assert not log["valid"] and "does not match expected key" in log["error"]
    (live,) = scan([vec("live-v3.2.0-chain.jsonl")], key=LIVE_PUB)["logs"]
    assert live["verifier"] == "strict" and live["valid"] and live["sealed"] and live["gaps"] == []
    (broken,) = scan([vec("broken-chain.jsonl")], key=TEST_PUB)["logs"]
    assert not broken["valid"] and "seq 3: chain_prev_hash mismatch" in broken["error"]
    (plain,) = scan([vec("valid-chain.jsonl")], key=TEST_PUB)["logs"]
    assert plain["valid"] and not plain["sealed"]


def test_checkpoint_covered_receipts_and_forged_signature(run):
    d, pub, paths = run
    (log,) = scan([str(d)], key=pub)["logs"]
    assert log["sig_by_checkpoint"] > 0 and log["sig_by_checkpoint"] + log["sig_checked"] == log["count"]
    (full,) = scan([str(d)], key=pub, every_signature=True)["logs"]
    assert full["sig_checked"] == full["count"] and full["sig_by_checkpoint"] == 0
    # a receipt with a broken signature whose entry hash was recomputed: the entry chain moves,
    # so the next prev_hash (or the checkpoint over the head) no longer matches
    import hashlib
    import json
    ls = _lines(paths[0])
    e = json.loads(ls[1])
    raw = ls[1][ls[1].index(',"detail":') + 10: ls[1].index(',"prev_hash":')]
    i = raw.index('"ed25519:') + 9
    bad = raw[:i] + ("1" if raw[i] == "0" else "0") + raw[i + 1:]
    h = hashlib.sha256(f'1\x00{e["seq"]}\x00{e["ts"]}\x00{e["session_id"]}\x00\x00{e["type"]}\x00{e["transport"]}'
                       f'\x00{e["summary"]}\x00'.encode() + bad.encode() + f'\x00\x00{e["prev_hash"]}'.encode()).hexdigest()
    ls[1] = ls[1].replace(raw, bad).replace(e["hash"], h)
    open(paths[0], "w").writelines(ls)
    for every in (False, True):
        (log,) = scan([str(d)], key=pub, every_signature=every)["logs"]
        assert not log["valid"], log
