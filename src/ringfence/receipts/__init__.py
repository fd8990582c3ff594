"""Signed, hash-chained action receipts (Pipelock ActionReceipt v1, v1-base fields),
the flight-recorder evidence log with seals, keys, and the offline verifier."""
from .errors import KeyError_, ReceiptError
from .keys import load_private_key, load_public_key, write_keypair
from .writer import NullWriter, ReceiptWriter, open_writer, uuid7

__all__ = ["KeyError_", "ReceiptError", "NullWriter", "ReceiptWriter", "open_writer", "uuid7",
           "load_private_key", "load_public_key", "write_keypair"]
