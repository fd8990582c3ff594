"""Payment cards as a class: every issuer range and length, written with any dash or
space (Unicode ones too), in URLs, headers and bodies, are caught; numbers that fail
Luhn and bare numbers labelled as another kind of number (orders, invoices, tracking,
phones) are not. Documented test numbers pass only in test mode (test_public_ids)."""
import json
import random
from urllib.parse import quote

import pytest

from ringfence.config import Config
from ringfence.engine import Engine
from ringfence.scanners import validators as V
from ringfence.scanners.dlp import DlpScanner

RULE = "credit_card"
RNG = random.Random(20261207)
# (issuer prefix, length) per scheme
SCHEMES = [("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15),
           ("37", 15), ("6011", 16), ("65", 16), ("3530", 16), ("36", 14), ("62", 16)]


def luhn_complete(prefix: str, n: int, rnd: random.Random) -> str:
    body = prefix + "".join(rnd.choice("0123456789") for _ in range(n - len(prefix) - 1))
    for d in "0123456789":
        if V.luhn(body + d):
            return body + d
    raise AssertionError


def pans(k: int = 1):
    out = []
    for prefix, n in SCHEMES:
        for _ in range(k):
            p = luhn_complete(prefix, n, RNG)
            while len(set(p[6:-1])) <= 2:  # a sandbox-style number (public_ids.test_pan)
                p = luhn_complete(prefix, n, RNG)
            out.append(p)
    return out


def grouped(p: str, sep: str) -> str:
    if len(p) == 15:
        parts = [p[:4], p[4:10], p[10:]]
    elif len(p) == 14:
        parts = [p[:4], p[4:10], p[10:]]
    else:
        parts = [p[i:i + 4] for i in range(0, len(p), 4)]
    return sep.join(parts)


SEPS = {"none": "", "space": " ", "dash": "-", "en_dash": "\u2013", "em_dash": "\u2014", "minus": "\u2212",
        "hyphen": "\u2010", "nbsp": "\u00a0", "thin_space": "\u2009", "narrow_nbsp": "\u202f"}
PANS = pans()


@pytest.fixture(scope="module")
def s():
    return DlpScanner(Config.model_validate({"dlp": {"scan_env": False}}))


@pytest.fixture(scope="module")
def engine():
    return Engine(Config.model_validate({"dlp": {"scan_env": False}}))


def rules(found):
    return {f.rule for f in found}


@pytest.mark.parametrize("sep", sorted(SEPS))
@pytest.mark.parametrize("pan", PANS)
def test_cards_caught_with_any_separator(s, pan, sep):
    text = grouped(pan, SEPS[sep])
    assert RULE in rules(s.scan(f"charge {text} now")), text


@pytest.mark.parametrize("pan", PANS[::3])
def test_cards_caught_in_carriers(engine, pan):
    text = grouped(pan, "\u2013")
    d, _ = engine.check_url("https://pay.example.net/v1/tokenize?pan=" + quote(text) + "&exp=1128", resolve=False)
    assert d.blocked and RULE in rules(d.findings)
    assert RULE in rules(engine.scan_headers([("X-Card", text)]).findings)
    d = engine.scan_body(json.dumps({"customer": "a", "number": text}).encode(), "application/json")
    assert d.blocked and RULE in rules(d.findings)


@pytest.mark.parametrize("pan", PANS)
def test_luhn_failures_pass(s, pan):
    bad = pan[:-1] + str((int(pan[-1]) + 1) % 10)
    for sep in ("", " ", "\u2013"):
        assert RULE not in rules(s.scan(f"charge {grouped(bad, sep)} now"))


LABELS = ["order #", "Order ID: ", "invoice no. ", "tracking number ", "ticket=", "booking ref: ", "receipt ",
          "transaction id ", "serial ", "customer_id=", "phone: ", "timestamp ", "confirmation code: "]


@pytest.mark.parametrize("label", LABELS)
def test_bare_numbers_labelled_as_other_ids_pass(s, label):
    for pan in PANS:
        assert RULE not in rules(s.scan(f"{label}{pan}")), (label, pan)


def test_labelled_ids_in_named_fields_pass(engine):
    for pan in PANS[:5]:
        body = json.dumps({"order_id": pan, "tracking_number": pan}).encode()
        assert not engine.scan_body(body, "application/json").blocked


@pytest.mark.parametrize("pan", PANS[:6])
def test_card_words_win_over_other_labels(s, pan):
    assert RULE in rules(s.scan(f"order #{pan[:3]} paid with card {pan}"))
    assert RULE in rules(s.scan(f"order 7 card number: {pan}"))
    assert RULE in rules(s.scan(f"order id: {grouped(pan, ' ')}"))  # grouped like a card: a card
