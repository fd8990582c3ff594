"""Checksum validators: valid vectors pass, one-character changes fail."""
import base64
import hashlib

import pytest

from ringfence.scanners import validators as V


@pytest.mark.parametrize("num", ["4111111111111111", "5500000000000004", "378282246310005", "6011111111111117",
                                 "3530111333300000", "30569309025904", "2221001234123450"])
def test_cards_valid(num):
    assert V.luhn(num) and V.card_issuer(num) and V.credit_card(num)


@pytest.mark.parametrize("num", ["4111111111111112", "1234567812345670",  # Luhn ok, no issuer
                                 "0000000000000000", "5600000000000000", "37828224631000"])
def test_cards_invalid(num):
    assert not V.credit_card(num)


def test_issuers():
    assert V.card_issuer("4111111111111111") == "visa"
    assert V.card_issuer("2720990000000000") == "mastercard"
    assert V.card_issuer("2721000000000000") == ""
    assert V.card_issuer("378282246310005") == "amex"
    assert V.card_issuer("3528000000000000") == "jcb"


@pytest.mark.parametrize("iban", ["GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606",
                                  "NL91ABNA0417164300", "GB82 WEST 1234 5698 7654 32"])
def test_iban_valid(iban):
    assert V.iban(iban)


@pytest.mark.parametrize("iban", ["GB82WEST12345698765433", "GB82WEST1234569876543",  # checksum, length
                                  "XX82WEST12345698765432", "DE8937040044053201300", "GB82WEST1234569876543!"])
def test_iban_invalid(iban):
    assert not V.iban(iban)


def test_bip39_checksum():
    assert V.bip39_checksum(("abandon " * 11 + "about").split())
    assert V.bip39_checksum(("legal winner thank year wave sausage worth useful legal winner thank yellow").split())
    assert V.bip39_checksum(("zoo " * 23 + "vote").split())
    assert not V.bip39_checksum(("abandon " * 12).split())
    assert not V.bip39_checksum(("abandon " * 11 + "notaword").split())
    assert not V.bip39_checksum(("abandon " * 10 + "about").split())  # 11 words


def _b58check(payload: bytes) -> str:
    chk = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(payload + chk, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = V.B58[r] + s
    return "1" * (len(payload + chk) - len((payload + chk).lstrip(b"\0"))) + s


def test_base58check_roundtrip_and_wif():
    assert V.base58check(_b58check(b"\x00" + b"\x11" * 20)) == b"\x00" + b"\x11" * 20
    wif = _b58check(b"\x80" + b"\x42" * 32 + b"\x01")
    assert V.wif(wif)
    assert V.wif("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ")
    assert not V.wif("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTK")
    assert not V.wif(_b58check(b"\x00" + b"\x42" * 32))  # an address version byte, not a key's
    for version in (0xB0, 0x9E, 0xCC, 0xEF, 0xB7, 0xB4):  # Litecoin, Dogecoin, Dash, testnet, Peercoin, Namecoin
        key = hashlib.sha256(bytes([version])).digest()
        assert V.wif(_b58check(bytes([version]) + key)) and V.wif(_b58check(bytes([version]) + key + b"\x01"))
        assert not V.wif(_b58check(bytes([version]) + key + b"\x02"))   # not the compression flag
        assert not V.wif(_b58check(bytes([version]) + key[:31]))       # 31 bytes: not a key
        assert not V.wif(_b58check(bytes([version & 0x7F]) + key))     # the coin's address version
    assert V.base58check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert V.base58check("0OIl") is None


def test_extended_private_key():
    good = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
    assert V.extended_private_key(good)
    assert not V.extended_private_key(good[:-1] + "j")
    xpub = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
    assert not V.extended_private_key(xpub)


def test_keccak_and_eip55():
    assert V.keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert V.eip55("0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045")
    assert V.eip55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert not V.eip55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
    assert V.eip55("0x" + "ab" * 20)  # all lower: no checksum to verify
    assert not V.eip55("0x" + "ab" * 19)


def test_bech32():
    assert V.bech32_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
    assert V.bech32_address("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
    assert not V.bech32_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx")
    assert not V.bech32_address("bc1QW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")  # mixed case


def test_jwt_basic_ssn_entropy():
    head = base64.urlsafe_b64encode(b'{"alg":"HS256"}').decode().rstrip("=")
    assert V.jwt(head + ".eyJ4IjoxfQ.sig")
    assert not V.jwt(base64.urlsafe_b64encode(b'{"x":1}').decode().rstrip("=") + ".a.b")
    assert not V.jwt("notbase64!.a.b")
    assert V.basic_auth(base64.b64encode(b"admin:s3cret").decode())
    assert not V.basic_auth(base64.b64encode(b"adminonly").decode())
    assert V.us_ssn("536-22-1987") and not V.us_ssn("000-22-1987") and not V.us_ssn("666-22-1987")
    assert not V.us_ssn("900-22-1987") and not V.us_ssn("536-00-1987") and not V.us_ssn("536-22-0000")
    assert V.shannon("aaaa") == 0 and V.shannon("ab") == 1
    assert V.char_classes("aB3!") == 4 and V.char_classes("abc") == 1
