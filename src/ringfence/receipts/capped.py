"""Read a whole small file with a size cap: key files, rosters, single receipts,
client configs and `check` input. One place says how a read fails, so every caller
words the error the same way and none of them reads an unbounded file into memory.
Lives in receipts because receipts import nothing else from ringfence."""
from __future__ import annotations

import os
import sys


class CappedReadError(OSError):
    """`reason` is a short phrase ("cannot read: No such file or directory",
    "larger than 4096 bytes") for the caller to put after its own subject."""

    def __init__(self, reason: str, too_large: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large

    def __str__(self) -> str:
        return self.reason


def read_capped(path: str, limit: int) -> bytes:
    """The bytes of `path` ("-" is standard input), at most `limit` of them; more is an error."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            with open(os.path.expanduser(path), "rb") as f:
                raw = f.read(limit + 1)
    except OSError as e:
        raise CappedReadError(f"cannot read: {e.strerror or e}") from None
    if len(raw) > limit:
        raise CappedReadError(f"larger than {limit} bytes", too_large=True)
    return raw
