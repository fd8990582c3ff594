"""Errors with user-facing messages (callers print them and exit 2)."""


class ReceiptError(Exception):
    """Receipts cannot be written or read as asked; the message is for the user."""


class KeyError_(ReceiptError):
    """A signing or public key is missing, malformed, or unsafe."""
