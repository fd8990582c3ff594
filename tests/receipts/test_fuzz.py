"""Random text through the writer still verifies with pipelock-verify; random damage to a
log never crashes the verifier and is never reported as valid and sealed."""
import random

from hypothesis import HealthCheck, given, settings, strategies as st

from rhelp import pipelock_verify
from ringfence.config import Config
from ringfence.core import Action, Decision, Finding
from ringfence.receipts import open_writer
from ringfence.receipts.verify import verify_path

ALPHABET = ["a", "Z", "/", "?", "&", "<", ">", "\"", "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\u00e9",
            "\u2028", "\u2029", "\u65e5", "\U0001f600", "\ud800", "\udfff", "\ufeff", "%", "'", " "]


def _rand_text(rng, n):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, n)))


def test_random_strings_verify_with_pipelock(tmp_path, keypair):
    priv, _, pub = keypair
    rng = random.Random(1234)
    w = open_writer(str(tmp_path / "ev"), priv, Config())
    for i in range(200):
        target = ("https://h.test/" if i % 2 else "") + _rand_text(rng, 40)
        f = Finding(_rand_text(rng, 8), _rand_text(rng, 12), "high", _rand_text(rng, 10), _rand_text(rng, 6),
                    action="block")
        a = Action(_rand_text(rng, 10), "outbound", target, rng.choice(["GET", "tools/call", _rand_text(rng, 5)]),
                   request_id=_rand_text(rng, 8), kind=rng.choice(["url", "tool_call", ""]))
        w.record(a, Decision("block", (f,), _rand_text(rng, 10)) if i % 3 == 0 else Decision("allow"))
    w.close()
    p = pipelock_verify(w.paths[0], pub)
    assert p.returncode == 0 and "CHAIN VALID" in p.stdout, p.stdout + p.stderr
    r = verify_path(w.paths[0], pub)
    assert r.valid and r.sealed and r.count == 200


_LOG: dict = {}


def _log(tmp_path_factory):
    if "data" not in _LOG:
        from ringfence.receipts.keys import write_keypair
        d = tmp_path_factory.mktemp("fz")
        priv, _, pub = write_keypair(str(d / "k.key"))
        w = open_writer(str(d / "ev"), priv, Config())
        for i in range(3):
            w.record(Action("fetch", "outbound", f"https://h{i}.test/?a=<{i}>", "GET"), Decision("allow"))
        w.close()
        _LOG["data"] = open(w.paths[0], "rb").read()
        _LOG["pub"] = pub.hex()
    return _LOG["data"], _LOG["pub"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10**9), st.integers(0, 64), st.binary(max_size=64), st.booleans())
def test_random_damage_never_crashes(tmp_path_factory, tmp_path, pos, length, junk, delete):
    data, pub = _log(tmp_path_factory)
    i = pos % len(data)
    bad = data[:i] + (b"" if delete else junk) + data[i + length:]
    p = tmp_path / "d.jsonl"
    p.write_bytes(bad)
    r = verify_path(str(p), pub)  # must not raise
    if bad != data:
        assert not (r.valid and r.sealed)
