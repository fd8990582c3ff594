"""receipts.capped: one bounded whole-file read for keys, rosters, receipts, configs and input."""
import io
import sys

import pytest

from ringfence.receipts.capped import CappedReadError, read_capped


def test_reads_up_to_the_limit_exactly(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x" * 64)
    assert read_capped(str(p), 64) == b"x" * 64


def test_one_byte_over_is_too_large(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x" * 65)
    with pytest.raises(CappedReadError) as e:
        read_capped(str(p), 64)
    assert e.value.too_large and str(e.value) == "larger than 64 bytes"


def test_missing_file_names_the_cause(tmp_path):
    with pytest.raises(CappedReadError) as e:
        read_capped(str(tmp_path / "nope"), 64)
    assert not e.value.too_large and str(e.value) == "cannot read: No such file or directory"


def test_dash_reads_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"abc")))
    assert read_capped("-", 8) == b"abc"


def test_key_loader_reports_an_oversized_key_file(tmp_path):
    from ringfence.receipts import KeyError_
    from ringfence.receipts.keys import load_public_key
    p = tmp_path / "k.pub"
    p.write_bytes(b"a" * 100_000)
    with pytest.raises(KeyError_, match=r"public key .*k\.pub: larger than"):
        load_public_key(str(p))
