"""The long tail of documented token formats (rules/dlp_services.py), as a class: every
rule's true positives block in every outbound carrier (URL query and path, a header, JSON,
form and text bodies, a WebSocket message split in two, MCP arguments); its near misses
(a wrong prefix, a short body, a public sibling key, a broken checksum) do not fire the
rule in any carrier. Wallet seeds are generated fresh to check their validators."""
import base64
import hashlib
import random

import pytest
from carriers import CARRIERS

from ringfence.rules.dlp_services import SERVICE_RULES
from ringfence.scanners import validators as V

TP = [(r.id, i, ex) for r in SERVICE_RULES for i, ex in enumerate(r.tp)]
TN = [(r.id, i, ex) for r in SERVICE_RULES for i, ex in enumerate(r.tn)]
RNG = random.Random(99)


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
@pytest.mark.parametrize("rule,i,example", TP, ids=[f"{r}-{i}" for r, i, _ in TP])
def test_every_format_blocks_in_every_carrier(rule, i, example, carrier):
    assert CARRIERS[carrier](example) == "block"


@pytest.mark.parametrize("rule,i,example", TN, ids=[f"{r}-{i}" for r, i, _ in TN])
def test_near_misses_do_not_fire_the_rule(rule, i, example):
    from carriers import E
    found = {f.rule for f in E.dlp.scan(example, "body")}
    assert rule not in found, found


def _stellar(seed: bytes) -> str:
    p = bytes([18 << 3]) + seed
    crc = 0
    for b in p:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return base64.b32encode(p + crc.to_bytes(2, "little")).decode()


@pytest.mark.parametrize("n", range(8))
def test_stellar_seeds_verified_by_checksum(n):
    s = _stellar(hashlib.sha256(b"%d" % n).digest())
    assert V.stellar_secret_seed(s)
    flipped = s[:10] + ("A" if s[10] != "A" else "B") + s[11:]
    assert not V.stellar_secret_seed(flipped)


@pytest.mark.parametrize("n", range(8))
def test_random_base58_runs_are_not_solana_keys(n):
    s = "".join(RNG.choice(V.B58) for _ in range(88))
    assert not V.solana_secret_b58(s)


# A token right after an escaped newline or tab in raw JSON (a WebSocket message): the escape's
# letter is no part of the token. Every rule's own examples, for every rule that finds a token.
from ringfence.rules.dlp import RULES  # noqa: E402

AFTER_ESCAPE = [(r.id, i, ex) for r in RULES if r.severity != "low" and not r.context
                for i, ex in enumerate(r.tp) if ex[:1].isalnum() and "\n" not in ex][::3]


@pytest.mark.parametrize("esc", ["\n", "\t"])
@pytest.mark.parametrize("rule,i,example", AFTER_ESCAPE, ids=[f"{r}-{i}" for r, i, _ in AFTER_ESCAPE])
def test_tokens_after_an_escaped_newline_in_a_websocket_message(rule, i, example, esc):
    assert CARRIERS["websocket"](f"see below:{esc}{example}") == "block"
