"""Defaults shared by the runtime commands (run, exec, mcp proxy): the home's
config and signing key, --no-receipts, and listen-address checks."""
from __future__ import annotations

import argparse
import sys


def add_no_receipts(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-receipts", action="store_true",
                   help="do not write receipts, even when ~/.ringfence holds a signing key")


def runtime_config(path: str | None, quiet: bool = False):
    """--config, else ~/.ringfence/config.yaml when present, else the built-in preset."""
    from ..home import default_config_path
    from .common import load_config_or_exit
    chosen = default_config_path(path)
    if chosen and not path and not quiet:
        print(f"ringfence: using config {chosen}", file=sys.stderr)
    return load_config_or_exit(chosen), chosen


def open_runtime_receipts(args, config, session_id: str):
    """(writer, evidence dir) for a runtime command; (NullWriter, None) when receipts are off."""
    from ..cli import UsageError
    from ..home import resolve_receipts
    from ..receipts import NullWriter, open_writer
    try:
        directory, key = resolve_receipts(getattr(args, "receipts", None), getattr(args, "signing_key", None),
                                          getattr(args, "no_receipts", False), config)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if not directory:
        return NullWriter(), None
    try:
        return open_writer(directory, key, config, session_id=session_id), directory
    except Exception as e:  # unsafe key mode, unwritable dir
        raise UsageError(f"cannot write receipts: {e}") from None


def parse_listen(text: str, flag: str = "--listen") -> tuple[str, int]:
    """HOST:PORT with PORT in 1-65535; anything else is a usage error (never wrapped around)."""
    from ..cli import UsageError
    host, sep, port_s = text.rpartition(":")
    host = host.strip().strip("[]")
    if not sep or not host or not port_s.isdigit():
        raise UsageError(f"{flag} expects HOST:PORT, got {text!r}")
    port = int(port_s)
    if not 1 <= port <= 65535:
        raise UsageError(f"{flag}: port {port} is outside 1-65535")
    return host, port


def add_console_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-v", "--verbose", action="store_true", help="also print a line for each allowed request")
    p.add_argument("--log-format", choices=["text", "json"], default="text",
                   help="decision lines and logs as readable text (default) or one JSON object per line")


def setup_logging(args) -> None:
    import json
    import logging

    class _Json(logging.Formatter):
        def format(self, r: logging.LogRecord) -> str:
            return json.dumps({"ts": self.formatTime(r, "%Y-%m-%dT%H:%M:%S"), "level": r.levelname.lower(),
                               "logger": r.name, "msg": r.getMessage()})
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(_Json() if getattr(args, "log_format", "text") == "json"
                   else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [h]
    root.setLevel(logging.WARNING if getattr(args, "quiet", False) else logging.INFO)
