"""Key roster and rotation: verify and report accept a rotated chain with the roster, and
reject a segment signed by an unknown or expired key."""
import json

import pytest
from evgen import make_key, write_run
from rhelp import pipelock_verify, run_cli


def _roster(path, entries):
    path.write_text(json.dumps({"version": 1, "keys": entries}))
    return str(path)


def _hex(pub):
    import base64
    return base64.b64decode(open(pub).read().split()[1]).hex()


def test_rotation_verifies_with_roster_and_links(tmp_path):
    a_priv, a_pub = make_key(tmp_path, "a.key")
    d = tmp_path / "r"
    write_run(d, a_priv, n=10, session="before")
    roster = tmp_path / "roster.json"
    r = run_cli("keygen", "--rotate", a_priv, "--out", str(tmp_path / "b.key"), "--receipts", str(d),
                "--roster", str(roster), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["prior_session"].startswith("before-") and len(info["segment"]) == 1
    pv = pipelock_verify(info["segment"][0], info["public_key_hex"])  # the rotation record is plain v1
    assert pv.returncode == 0 and "CHAIN VALID" in pv.stdout, pv.stdout + pv.stderr
    write_run(d, str(tmp_path / "b.key"), n=10, session="after")
    v = run_cli("verify", str(d), "--roster", str(roster), "--json")
    out = json.loads(v.stdout)
    assert v.returncode == 0 and out["valid"] and out["sealed"], v.stdout
    assert out["rotations"][0]["linked"] == "yes" and out["rotations"][0]["new_key"] == info["public_key_hex"]
    rep = run_cli("report", str(d), "-o", str(tmp_path / "x.html"), "--roster", str(roster), "--json",
                  str(tmp_path / "x.json"))
    assert rep.returncode == 0, rep.stdout + rep.stderr
    # the old key alone no longer covers the new chains
    assert run_cli("verify", str(d), "--key", a_pub).returncode == 1


def test_unknown_and_expired_keys_are_rejected(tmp_path):
    a_priv, a_pub = make_key(tmp_path, "a.key")
    b_priv, b_pub = make_key(tmp_path, "b.key")
    d = tmp_path / "r"
    write_run(d, a_priv, n=5, session="s")
    only_b = _roster(tmp_path / "b.json", [{"name": "b", "public_key": _hex(b_pub), "valid_from": "2000-01-01T00:00:00Z"}])
    v = run_cli("verify", str(d), "--roster", only_b)
    assert v.returncode == 1 and "not in the roster" in v.stdout
    expired = _roster(tmp_path / "old.json", [{"name": "a", "public_key": _hex(a_pub), "valid_from": "2000-01-01T00:00:00Z",
                                               "valid_until": "2001-01-01T00:00:00Z"}])
    v = run_cli("verify", str(d), "--roster", expired)
    assert v.returncode == 1 and "outside its validity window" in v.stdout
    rep = run_cli("report", str(d), "-o", str(tmp_path / "x.html"), "--roster", expired)
    assert rep.returncode == 1 and "INVALID" in rep.stdout
    ok = tmp_path / "ok.yaml"
    ok.write_text(f"version: 1\nkeys:\n  - name: a\n    public_key: {a_pub}\n    valid_from: 2000-01-01T00:00:00Z\n")
    assert run_cli("verify", str(d), "--roster", str(ok)).returncode == 0


def test_forged_rotation_endorsement_is_rejected(tmp_path):
    from ringfence.receipts.keys import load_private_key
    from ringfence.receipts.rotation import ROTATE_TARGET
    from ringfence.receipts.session import kv
    from ringfence.receipts.writer import ReceiptWriter
    a_priv, a_pub = make_key(tmp_path, "a.key")
    m_priv, m_pub = make_key(tmp_path, "m.key")
    w = ReceiptWriter(str(tmp_path / "r"), load_private_key(m_priv), policy_hash="sha256:x", session_id="rotate")
    w._control(ROTATE_TARGET, "key_rotation", "key_rotation " + kv({
        "prior_key": _hex(a_pub), "new_key": _hex(m_pub), "prior_hash": "none", "prior_sig": "00" * 64}), layer="key")
    w.close()
    v = run_cli("verify", str(tmp_path / "r"))
    assert v.returncode == 1 and "endorsement does not verify" in v.stdout


@pytest.mark.parametrize("doc,needle", [
    ({"version": 2, "keys": []}, "version: 1"),
    ({"version": 1, "keys": [{"public_key": "ab" * 32}]}, "valid_from is required"),
    ({"version": 1, "keys": [{"public_key": "ab" * 32, "valid_from": "yesterday"}]}, "RFC 3339"),
    ({"version": 1, "keys": [{"public_key": "zz", "valid_from": "2000-01-01T00:00:00Z"}]}, "public key"),
    ({"version": 1, "keys": [{"public_key": "ab" * 32, "valid_from": "2000-01-01T00:00:00Z", "x": 1}]}, "unknown"),
])
def test_bad_roster_is_a_usage_error(tmp_path, doc, needle):
    p = tmp_path / "r.json"
    p.write_text(json.dumps(doc))
    log = tmp_path / "log.jsonl"
    log.write_text("")
    v = run_cli("verify", str(log), "--roster", str(p))
    assert v.returncode == 2 and needle in v.stderr and "Traceback" not in v.stderr


def test_several_instances_verify_together_with_one_roster(tmp_path):
    # Two instances, two keys, one roster: each chain and the totals verify; a third
    # instance signing with a key the roster does not list fails the set.
    keys = [make_key(tmp_path, f"{n}.key") for n in ("a", "b", "c")]
    dirs = []
    for i, (priv, _) in enumerate(keys):
        d = tmp_path / f"instance-{i}"
        write_run(d, priv, n=6, session=f"inst{i}")
        dirs.append(str(d))
    roster = _roster(tmp_path / "roster.json", [
        {"name": n, "public_key": _hex(pub), "valid_from": "2000-01-01T00:00:00Z"}
        for n, (_, pub) in zip(("a", "b"), keys[:2])])
    v = run_cli("verify", dirs[0], dirs[1], "--roster", roster, "--json")
    out = json.loads(v.stdout)
    assert v.returncode == 0 and out["valid"] and out["totals"]["chains"] == 2, v.stdout
    assert out["totals"]["signers"] == 2
    v = run_cli("verify", *dirs, "--roster", roster, "--json")
    out = json.loads(v.stdout)
    assert v.returncode == 1 and out["totals"]["valid"] == 2 and out["totals"]["chains"] == 3, v.stdout
