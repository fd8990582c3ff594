"""`ringfence verify --json` prints JSON for every outcome, errors included."""
import json
import subprocess
import sys


def _verify(*args):
    r = subprocess.run([sys.executable, "-m", "ringfence", "verify", *args, "--json"], capture_output=True,
                       text=True, timeout=60)
    return r.returncode, json.loads(r.stdout)


def test_missing_path_and_bad_key_are_json(tmp_path):
    code, out = _verify(str(tmp_path / "nope"))
    assert code == 2 and out["valid"] is False and out["error"] == "usage" and "no such file" in out["message"]
    from ringfence.receipts import write_keypair
    from ringfence.core import Action, Decision
    from ringfence.config import Config
    from ringfence.receipts import open_writer
    write_keypair(str(tmp_path / "k.key"))
    w = open_writer(str(tmp_path / "ev"), str(tmp_path / "k.key"), Config(), session_id="t")
    w.record(Action("check", "outbound", "https://example.com/"), Decision("allow"))
    w.close()
    code, out = _verify(str(tmp_path / "ev"), "--key", "zz-not-a-key")
    assert code == 2 and out["valid"] is False and out["error"] == "usage"
    code, out = _verify(str(tmp_path / "ev"), "--key", str(tmp_path / "k.pub"))
    assert code == 0 and out["valid"] is True
    other = tmp_path / "o.key"
    write_keypair(str(other))
    code, out = _verify(str(tmp_path / "ev"), "--key", str(tmp_path / "o.pub"))
    assert code == 1 and out["valid"] is False
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    code, out = _verify(str(bad))
    assert code in (1, 2) and out["valid"] is False
