"""Context checks for financial DLP rules (payment cards), kept out of the hot path:
they run only on a card-shaped number that already passed Luhn and an issuer range.

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
