"""`ringfence` command line. Each subcommand lives in ringfence/commands/<name>.py
and exposes `register(subparsers)`; modules are imported only when present, and
their heavy imports happen inside the handler, so start-up stays fast."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__

# Order is the order shown in --help.
COMMANDS = ["init", "wrap", "unwrap", "exec", "run", "check", "serve_api", "generate", "keygen", "verify", "report", "tail",
            "export", "tls", "mcp", "learn", "envoy", "ship", "collect", "bench", "demo", "allow", "explain"]

EPILOG = """\
protect an agent:
  ringfence init                               key, TLS CA, config, evidence dir in ~/.ringfence
  ringfence wrap --client claude-code          MCP servers of the client start through ringfence
  ringfence exec --contain -- claude           run the agent; its only way out is ringfence
  ringfence explain RECEIPT_ID / allow RECEIPT_ID --for 1h

examples:
  ringfence demo                               check a dirty and a clean URL
  ringfence run                                proxy on 127.0.0.1:8888 (HTTP_PROXY, /fetch, /ws)
  ringfence check --url 'https://x.test/?k=AKIA...' --json
  echo 'ignore previous instructions' | ringfence check --text - --direction inbound
  ringfence generate config --preset strict > ringfence.yaml
  ringfence keygen --out ~/.ringfence/receipt.key
  ringfence verify receipts/ --key ~/.ringfence/receipt.pub
  ringfence report receipts/ -o report.html    one HTML page, verified while read
  ringfence tail receipts/ --blocks            follow decisions live
  ringfence mcp proxy -- npx @modelcontextprotocol/server-filesystem /tmp
  ringfence learn receipts/ -o policy.yaml     egress allowlist from what an agent used

exit codes: 0 allow / valid, 1 block / invalid, 2 usage or config error
"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole CLI; with `only` (a command name as typed), just that command when it
    is one: a one-shot command then imports only its own module (start-up time)."""
    names = COMMANDS
    if only and only.replace("-", "_") in COMMANDS:
        names = [only.replace("-", "_")]
    p = argparse.ArgumentParser(
        prog="ringfence",
        description="ringfence: an egress firewall for AI agents. It scans what your agent sends "
                    "(secrets, SSRF) and what it reads (prompt injection, tool poisoning), "
                    "and signs a receipt for every decision.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"ringfence {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in names:
        try:
            mod = importlib.import_module(f"ringfence.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"ringfence.commands.{name}":
                continue
            raise
        mod.register(sub)
    if names is not COMMANDS and only not in sub.choices:
        return build_parser()  # registered under another name: the whole parser decides
    return p


class UsageError(Exception):
    """Bad flags or arguments: exit 2 with a message."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UsageError as e:
        print(f"ringfence: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:
        import errno
        if e.errno != errno.EADDRINUSE:
            return _internal(e)
        print(f"ringfence: the listen address is already in use ({e.strerror or e}); stop the other "
              "program or choose another --listen HOST:PORT", file=sys.stderr)
        return 2
    except Exception as e:  # fail closed: 1 means block / invalid, never allow / valid
        return _internal(e)


def _internal(e: Exception) -> int:
    if os.environ.get("RINGFENCE_DEBUG"):
        raise e
    print(f"ringfence: internal error ({type(e).__name__}: {str(e)[:300]}); treated as a block. "
          "Set RINGFENCE_DEBUG=1 for a traceback, and please report it.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
