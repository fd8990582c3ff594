"""Checksum and format validators used to confirm DLP pattern hits.

Pure functions on strings; each returns True only for a value that passes its
documented checksum. They are called only on pattern hits, never on whole bodies.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections import Counter
from functools import lru_cache

from ..text.blobs import b32_bytes, b64_bytes
from ..text.unpack import B58_ALPHA, b58_bytes

# -- entropy -----------------------------------------------------------------


def shannon(s: str) -> float:
    """Shannon entropy in bits per character."""
    if not s:
        return 0.0
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def char_classes(s: str) -> int:
    """How many of upper, lower, digit, symbol occur in s."""
    return (any(c.isupper() for c in s) + any(c.islower() for c in s)
            + any(c.isdigit() for c in s) + any(not c.isalnum() for c in s))


# -- payment cards -------------------------------------------------------------


def luhn(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 12:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_issuer(digits: str) -> str:
    """Issuer name when the prefix and length fit a known scheme, else ''."""
    n = len(digits)
    if not digits.isdigit():
        return ""
    p2, p3, p4, p6 = int(digits[:2]), int(digits[:3]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if (p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925) and 16 <= n <= 19:
        return "discover"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19:
        return "jcb"
    if (300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095) and 14 <= n <= 19:
        return "diners"
    if p2 == 62 and 16 <= n <= 19:
        return "unionpay"
    return ""


def credit_card(value: str) -> bool:
    digits = "".join(c for c in value if c.isdigit())
    if len(set(digits)) < 2:  # 0000... fillers are not cards
        return False
    return bool(card_issuer(digits)) and luhn(digits)


# -- IBAN ------------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
    # French overseas territories use the FR length.
    "GF": 27, "GP": 27, "MQ": 27, "RE": 27, "PF": 27, "TF": 27, "YT": 27, "NC": 27, "PM": 27, "WF": 27,
}


def iban(value: str) -> bool:
    s = "".join(value.split()).replace("-", "").upper()
    if len(s) < 15 or len(s) > 34 or not s.isalnum() or not s.isascii():
        return False
    if IBAN_LENGTHS.get(s[:2]) != len(s) or not s[2:4].isdigit():
        return False
    moved = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in moved)
    return int(num) % 97 == 1


# -- Base58Check (Bitcoin) -------------------------------------------------------

B58 = B58_ALPHA


def base58check(s: str) -> bytes | None:
    """The payload (version byte included) when the 4-byte checksum matches."""
    raw = b58_bytes(s, 200)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def wif(s: str) -> bool:
    """WIF private key of any coin: 32 bytes, optional 0x01 compression flag, and a version
    byte that is the coin's address version + 0x80 by convention (Bitcoin 0x80, Litecoin
    0xb0, Dogecoin 0x9e, Dash 0xcc, testnet 0xef): below 0x80 it is an address prefix."""
    p = base58check(s)
    if p is None or p[0] < 0x80:
        return False
    return len(p) == 33 or (len(p) == 34 and p[-1] == 0x01)


_XPRV_VERSIONS = {  # xprv tprv yprv zprv uprv vprv, and the multisig Yprv Zprv Uprv Vprv (SLIP-132)
    bytes.fromhex(v) for v in ("0488ade4", "04358394", "049d7878", "04b2430c", "044a4e28", "045f18bc",
                               "0295b005", "02aa7a99", "024285b5", "02575048")
}


def extended_private_key(s: str) -> bool:
    """BIP-32 extended private key (xprv/tprv/yprv/zprv/uprv/vprv): 78-byte payload."""
    p = base58check(s)
    return p is not None and len(p) == 78 and p[:4] in _XPRV_VERSIONS and p[45] == 0


def mini_private_key(s: str) -> bool:
    """Bitcoin mini private key (Casascius coins): 22, 26 or 30 base58 characters starting
    with "S", made so that SHA-256(key + "?") starts with a zero byte; the key itself is
    SHA-256(key). A random "S..." word passes that check once in 256, so the rule also
    asks for the entropy of a random string."""
    return len(s) in (22, 26, 30) and s[0] == "S" and all(c in B58 for c in s) \
        and hashlib.sha256((s + "?").encode()).digest()[0] == 0


_TRACK = re.compile(r"(\d{12,19})[=D^](?:[^^\n]{2,26}\^)?(\d\d)(\d\d)(\d)")


def card_track(s: str) -> bool:
    """Magnetic-stripe track 1 or 2 data (ISO/IEC 7813), or EMV's track-2 equivalent: a
    card number that passes Luhn and an issuer range, an expiry month 01-12 and a service
    code whose first digit is one ISO 7813 assigns (1, 2, 5, 6, 7, 9)."""
    m = _TRACK.search(s)
    return m is not None and credit_card(m.group(1)) and 1 <= int(m.group(3)) <= 12 and m.group(4) in "125679"


def btc_base58_address(s: str) -> bool:
    """P2PKH (version 0x00) or P2SH (0x05) address with a valid checksum."""
    p = base58check(s)
    return p is not None and len(p) == 21 and p[0] in (0x00, 0x05)


def ed25519_keypair(raw: bytes) -> bool:
    """64 bytes that are an ed25519 seed followed by its own public key (Solana's
    keypair layout): the public half is derived from the seed and compared."""
    if len(raw) != 64 or len(set(raw[:32])) < 8:
        return False
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    pub = Ed25519PrivateKey.from_private_bytes(raw[:32]).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return pub == raw[32:]


def ed25519_keypair_array(s: str) -> bool:
    """A JSON/Python array of 64 byte values holding an ed25519 keypair."""
    vals = [int(x) for x in s.strip("[] \t\r\n").replace("\n", "").split(",") if x.strip().isdigit()]
    return len(vals) == 64 and max(vals) <= 255 and ed25519_keypair(bytes(vals))


# -- bech32 (BIP-173 / BIP-350) ---------------------------------------------------

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _bech32_polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _BECH32_GEN[i]
    return chk


def bech32_address(s: str) -> bool:
    """A segwit address (bc1/tb1) whose bech32 or bech32m checksum is valid."""
    if s.lower() != s and s.upper() != s:
        return False
    s = s.lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s) or len(s) > 90:
        return False
    hrp, data = s[:pos], s[pos + 1:]
    if hrp not in ("bc", "tb") or any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    return _bech32_polymod(values) in (1, 0x2BC830A3)


def bech32_secret(s: str, hrp: str, data_len: int) -> bool:
    """A bech32 string with this human-readable part, `data_len` 5-bit data characters
    and a valid checksum (Nostr nsec: 32 bytes -> 52 characters)."""
    s = s.lower()
    if not s.startswith(hrp + "1") or len(s) != len(hrp) + 1 + data_len + 6:
        return False
    data = s[len(hrp) + 1:]
    if any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    return _bech32_polymod(values) == 1


def _crc16_xmodem(data: bytes) -> int:
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def stellar_secret_seed(s: str) -> bool:
    """Stellar secret seed (StrKey): base32 of version byte 18 << 3, 32 bytes of seed and a
    little-endian CRC16-XModem of both; it starts with "S" and is 56 characters long."""
    if len(s) != 56 or s[0] != "S":
        return False
    raw = b32_bytes(s)
    return raw is not None and len(raw) == 35 and raw[0] == 18 << 3 and _crc16_xmodem(raw[:33]) == int.from_bytes(raw[33:], "little")


def solana_secret_b58(s: str) -> bool:
    """A Solana secret key exported as base58 (wallet "export private key"): 64 bytes that
    are an ed25519 seed followed by its own public key."""
    raw = b58_bytes(s, 120)
    return raw is not None and ed25519_keypair(raw)


# -- Ethereum EIP-55 (needs Keccak-256, which is not hashlib's sha3_256) ----------

_RC = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000, 0x000000000000808B,
    0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008A, 0x0000000000000088,
    0x0000000080008009, 0x000000008000000A, 0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M64 = (1 << 64) - 1


def _keccak_f(a: list[list[int]]) -> None:
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M64) for x in range(5)]
        for x in range(5):
            for y in range(5):
                a[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                r = _ROT[x][y]
                v = a[x][y]
                b[y][(2 * x + 3 * y) % 5] = ((v << r) | (v >> (64 - r))) & _M64 if r else v
        for x in range(5):
            for y in range(5):
                a[x][y] = b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y])
        a[0][0] ^= rc


def keccak256(data: bytes) -> bytes:
    rate = 136
    msg = bytearray(data) + b"\x01"
    msg += b"\x00" * (-len(msg) % rate)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        _keccak_f(a)
    out = b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def eip55(address: str) -> bool:
    """True when a 0x-address is all lower, all upper, or carries a valid EIP-55 checksum."""
    h = address[2:] if address[:2] in ("0x", "0X") else address
    if len(h) != 40 or any(c not in "0123456789abcdefABCDEF" for c in h):
        return False
    if h == h.lower() or h == h.upper():
        return True
    digest = keccak256(h.lower().encode()).hex()
    return all((c.upper() if int(digest[i], 16) >= 8 else c.lower()) == c for i, c in enumerate(h))


def eth_address_mixed_valid(address: str) -> bool:
    """Only flag mixed-case addresses whose checksum proves they are real addresses,
    and all-lowercase ones with enough digit/letter mix (not 0x000... fillers)."""
    h = address[2:]
    if len(set(h.lower())) < 8:
        return False
    return eip55(address)


# -- BIP-39 ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def bip39_words() -> dict[str, int]:
    from mnemonic import Mnemonic
    return {w: i for i, w in enumerate(Mnemonic("english").wordlist)}


def bip39_checksum(words: list[str]) -> bool:
    """True when the words form a valid BIP-39 English mnemonic (12-24 words, checksum ok)."""
    index = bip39_words()
    idx = [index.get(w) for w in words]
    return None not in idx and bip39_indices_checksum(idx)  # type: ignore[arg-type]


def bip39_indices_checksum(idx: list[int]) -> bool:
    """BIP-39 checksum over wordlist indices (any language: the checksum is over them)."""
    n = len(idx)
    if n not in (12, 15, 18, 21, 24):
        return False
    bits = 0
    for i in idx:
        bits = (bits << 11) | i
    cs_len = n * 11 // 33
    ent_len = n * 11 - cs_len
    entropy = (bits >> cs_len).to_bytes(ent_len // 8, "big")
    checksum = bits & ((1 << cs_len) - 1)
    return hashlib.sha256(entropy).digest()[0] >> (8 - cs_len) == checksum


def bip39_entropy(idx: list[int]) -> bytes:
    """The entropy a checksum-valid phrase encodes (its indices without the checksum bits)."""
    n = len(idx)
    bits = 0
    for i in idx:
        bits = (bits << 11) | i
    cs_len = n * 11 // 33
    return (bits >> cs_len).to_bytes((n * 11 - cs_len) // 8, "big")


ELECTRUM_PREFIXES = ("01", "100", "101", "102")  # standard, segwit, 2FA, 2FA segwit


def electrum_seed(words: list[str]) -> bool:
    """An Electrum (v2+) seed: HMAC-SHA512 keyed "Seed version" over the phrase
    (lowercase, single spaces) starts with a documented version prefix. Electrum
    draws its words from the BIP-39 English list but has no BIP-39 checksum."""
    if len(words) not in (12, 13, 24):
        return False
    phrase = " ".join(w.lower() for w in words).encode()
    mac = hmac.new(b"Seed version", phrase, hashlib.sha512).hexdigest()
    return mac.startswith(ELECTRUM_PREFIXES)


def bip39_phrase_shape(words: list[str]) -> bool:
    """Could these words be a generated mnemonic (before the checksum test)?

    Real phrases draw each word from 2048, so they rarely repeat one: at most
    1 + n // 18 repeats are allowed. Text from a small vocabulary repeats a lot.
    The published test vectors come from repeated entropy bytes; their words repeat
    with period 1 (0x00.., 0xff..) or 8 (0x7f7f.., 0x8080..) before the checksum
    word, and are accepted as that shape. A run in wordlist order is a slice of the
    list, not a phrase."""
    n = len(words)
    if n < 2 or all(a < b for a, b in zip(words, words[1:])):
        return False
    if n - len(set(words)) <= 1 + n // 18:
        return True
    body = words[:-1]
    return any(len(body) > p and all(body[i] == body[i + p] for i in range(len(body) - p)) for p in (1, 8))


# -- JWT, Basic auth, SSN ------------------------------------------------------------


def b64_any(s: str) -> bytes | None:
    """Decode standard or URL-safe base64, padded or not; None when invalid."""
    return b64_bytes(s)


def jwt(token: str) -> bool:
    """The first segment must decode to a JSON object with an "alg" (or "typ"/"enc") key."""
    head = token.split(".", 1)[0]
    raw = b64_any(head)
    if raw is None:
        return False
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(obj, dict) and bool({"alg", "typ", "enc", "kid"} & obj.keys())


def basic_auth(value: str) -> bool:
    raw = b64_any(value)
    if raw is None:
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    user, sep, pw = text.partition(":")
    return bool(sep and user and pw and text.isprintable())


def us_ssn(value: str) -> bool:
    d = "".join(c for c in value if c.isdigit())
    if len(d) != 9:
        return False
    area, group, serial = int(d[:3]), int(d[3:5]), int(d[5:])
    if area == 0 or area == 666 or area >= 900 or group == 0 or serial == 0:
        return False
    return d not in ("123456789", "078051120", "219099999")  # famous advertising/sample numbers
