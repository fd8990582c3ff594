"""Signed, hash-chained action receipts (Pipelock ActionReceipt v1, v1-base fields),
the flight-recorder evidence log with seals, keys, and the offline verifier.

The signing stack loads on first use (module __getattr__): a command with receipts off
imports only errors and null."""
from .errors import KeyError_, ReceiptError
from .null import NullWriter, open_writer

_LAZY = {"ReceiptWriter": "writer", "uuid7": "writer", "load_private_key": "keys",
         "load_public_key": "keys", "write_keypair": "keys"}


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f"{__name__}.{mod}"), name)


__all__ = ["KeyError_", "ReceiptError", "NullWriter", "ReceiptWriter", "open_writer", "uuid7",
           "load_private_key", "load_public_key", "write_keypair"]
