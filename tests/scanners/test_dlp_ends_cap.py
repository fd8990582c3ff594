"""A long text keeps more pre-filter ends per rule (matcher.ends_cap: one per 8 KB) before
a rule is confirmed over the whole text: a few hundred keyword hits spread over megabytes
are confirmed in windows. Findings equal the whole-text confirmation's, secrets among the
decoys included."""
from __future__ import annotations

import random

import pytest

from ringfence.config import Config
from ringfence.scanners.dlp import DlpScanner
from ringfence.scanners.dlp import matcher as M

SC = DlpScanner(Config.model_validate({"dlp": {"scan_env": False}}))
SECRETS = ['api_token = "Zq8vLm3Rt7Wx2Kp9Nc4Bd6Fh1Js5Gy0"',
           "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8vLm3Rt7",
           "deploy key AKIAZ7QW3RT5YU8PLM2K"]


def _code(rnd: random.Random, size: int, decoys: int) -> list[str]:
    lines, n = [], 0
    while n < size:
        w = rnd.sample("value index render parse buffer stream handle result config option".split(), 3)
        line = f"    {w[0]} = {w[1]}({w[2]})  # {' '.join(rnd.sample(w * 4, 8))}"
        lines.append(line)
        n += len(line) + 1
    for k in rnd.sample(range(len(lines)), decoys):   # keyword hits that confirm nothing
        lines[k] = "        token = tokenize(line)  # private helper"
    return lines


def _rules(text: str) -> set[str]:
    return {f.rule for f in SC.scan(text, "body")}


@pytest.mark.parametrize("secret", SECRETS)
def test_many_keyword_hits_in_a_long_text_confirm_in_windows_like_the_whole(secret, monkeypatch):
    rnd = random.Random(secret)
    lines = _code(rnd, 3_000_000, 300)
    lines.insert(rnd.randrange(len(lines)), "    " + secret)
    text = "\n".join(lines)
    assert M.ends_cap(len(text)) > 300 > M.MAX_ENDS
    windowed = _rules(text)
    monkeypatch.setattr(M, "ENDS_PER_BYTES", 1 << 40)   # the old cap: whole-text confirmation
    assert _rules(text) == windowed
    assert windowed   # the secret among the decoys is found


def test_decoys_alone_stay_clean():
    text = "\n".join(_code(random.Random(3), 3_000_000, 300))
    assert not _rules(text)
