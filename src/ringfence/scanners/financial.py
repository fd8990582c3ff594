"""Context checks for financial and wallet DLP rules, kept out of the hot path: they run
only on a match of the rule's own pattern (a card-shaped number that already passed Luhn
and an issuer range, a keystore's "ciphertext" member).

A bare digit run (no separators) labelled as another kind of number (an order,
invoice, tracking or phone number, a timestamp) is that number, even when it passes
Luhn by chance (1 in 10 do), unless card words stand near it too. Grouped digits
(4-4-4-4, 4-6-5) are written that way only for cards and always count.
"""
from __future__ import annotations

import re

from . import validators as V

_OTHER_ID = re.compile(
    r"(?i)(?<![a-z])(?:order|invoice|tracking|shipment|parcel|ticket|booking|reservation|confirmation|reference|ref"
    r"|transaction|txn|tx|receipt|serial|imei|isbn|ean|upc|gtin|sku|customer|user|member|employee"
    r"|phone|tel|mobile|fax|timestamp|epoch|ts|nonce|seq|sequence|po|case|claim|request)"
    r"[\s_#:.=\"'-]{0,6}(?:id|no|num(?:ber)?|nr|#|code)?[\s_#:.=\"'-]{0,6}$")
_CARD_WORD = re.compile(r"(?i)card|\bpan\b|visa|master|amex|\bcc[_-]?(?:num|no)|credit|debit|cvv|cvc|expir")


def labelled_not_card(secret: str, view: str, start: int, where: str = "") -> bool:
    """True when a bare card-shaped number is labelled as another kind of number."""
    if not secret.isdigit():
        return False
    before = view[max(0, start - 40): start] if start >= 0 else ""
    name = where.rsplit(".", 1)[-1] if where else ""
    if _CARD_WORD.search(before) or _CARD_WORD.search(name):
        return False
    return bool(_OTHER_ID.search(before) or (name and _OTHER_ID.search(name + ":")))


def card_number(s: str) -> bool:
    """Luhn and an issuer range; a 19-digit 4-4-4-4-3 grouping may also be a 16-digit
    card followed by its 3-digit security code."""
    if V.credit_card(s):
        return True
    groups = re.split(r"[ -]", s)
    return len(groups) == 5 and V.credit_card("".join(groups[:4]))


_KDF = re.compile(r'"kdf\\{0,2}"\s{0,3}:\s{0,3}\\{0,2}"(?:scrypt|pbkdf2)', re.I)  # quotes may come escaped
_MAC = re.compile(r'"mac\\{0,2}"\s{0,3}:\s{0,3}\\{0,2}"[0-9a-fA-F]{64}')


def web3_keystore(view: str, start: int, end: int) -> bool:
    """A "ciphertext" member is an encrypted wallet key when the same object carries the
    key-derivation function and the MAC of the Web3 Secret Storage format."""
    near = view[max(0, start - 1500): end + 1500]
    return bool(_KDF.search(near) and _MAC.search(near))


_KEY_WORDS = re.compile(r"(?i)keypair|key_pair|secret|private|priv_?key|signer|wallet|solana|id\.json|seed")


def keypair_array(s: str, view: str, start: int, where: str = "") -> bool:
    """64 byte values: an ed25519 seed and its own public key (always a key), or 64
    random-looking bytes named as a key just before them or by their field."""
    if V.ed25519_keypair_array(s):
        return True
    vals = [int(x) for x in re.findall(r"\d+", s)]
    if len(vals) != 64 or max(vals) > 255 or len(set(vals)) < 40:
        return False
    return bool(_KEY_WORDS.search(view[max(0, start - 80): start]) or _KEY_WORDS.search(where))
