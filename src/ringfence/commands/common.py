"""Options and helpers shared by several subcommands."""
from __future__ import annotations

import argparse
import sys


def add_config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", metavar="FILE",
                   help="YAML config (default: built-in balanced preset; see `ringfence generate config`)")


def add_receipt_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--receipts", metavar="DIR",
                   help="write a signed receipt for every decision into an evidence log in DIR")
    p.add_argument("--signing-key", metavar="FILE",
                   help="Ed25519 private key for receipts (default: receipts.signing_key from config; "
                        "make one with `ringfence keygen`)")


def load_config_or_exit(path: str | None):
    """Load config; a bad config is a usage error (exit 2) with the key and line."""
    from ..cli import UsageError
    from ..config import ConfigError, load_config
    try:
        return load_config(path)
    except ConfigError as e:
        raise UsageError(f"config error:\n{e}") from None


def open_receipts_or_exit(args, config, session_id: str = "proxy"):
    """A receipt writer for --receipts/--signing-key (or config), or a no-op writer."""
    from ..cli import UsageError
    from ..receipts import open_writer
    try:
        return open_writer(getattr(args, "receipts", None) or None,
                           getattr(args, "signing_key", None) or None, config, session_id=session_id)
    except Exception as e:  # key missing, unsafe mode, unwritable dir
        raise UsageError(f"cannot write receipts: {e}") from None


def parse_resolve(values: list[str] | None) -> dict[tuple[str, int], list[str]]:
    """curl-style HOST:PORT:ADDR entries -> {(host, port): [addr]}."""
    from ..cli import UsageError
    out: dict[tuple[str, int], list[str]] = {}
    for v in values or []:
        host, sep, rest = v.partition(":")
        port, sep2, addr = rest.partition(":")
        if not (sep and sep2 and host and port.isdigit() and addr):
            raise UsageError(f"--resolve expects HOST:PORT:ADDR, got {v!r}")
        out.setdefault((host.lower(), int(port)), []).append(addr.strip("[]"))
    return out


def print_err(msg: str) -> None:
    print(msg, file=sys.stderr)
