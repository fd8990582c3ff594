"""`ringfence collect`: write shipped evidence lines back to one log directory per instance."""
from __future__ import annotations

import argparse

HELP = """\
Reads the stream `ringfence ship` writes to and rebuilds OUT/<instance>/evidence-*.jsonl,
byte for byte. Then verify them together:

  ringfence collect --from redis://redis:6379/0 --out ./collected
  ringfence verify ./collected/*
"""


def register(sub) -> None:
    p = sub.add_parser("collect", help="rebuild per-instance evidence logs from a Redis or NATS stream",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="src", required=True, metavar="URL", help="redis://... or nats://...")
    p.add_argument("--out", required=True, metavar="DIR", help="one subdirectory per instance is written here")
    p.add_argument("--prefix", default="ringfence", help="stream name prefix (default ringfence)")
    p.add_argument("--follow", action="store_true", help="keep collecting (Ctrl-C to stop)")
    p.set_defaults(func=run)


def run(args) -> int:
    import asyncio

    from ..cli import UsageError
    from ..state.shipping import collect
    if not args.src.startswith(("redis://", "rediss://", "unix://", "nats://", "tls://")):
        raise UsageError(f"--from must be a redis:// or nats:// URL, got {args.src!r}")
    try:
        got = asyncio.run(collect(args.src, args.prefix, args.out, args.follow))
    except ImportError:
        raise UsageError("the stream client is missing: pip install 'ringfence[scale]'") from None
    except KeyboardInterrupt:
        return 0
    except OSError as e:
        print(f"ringfence collect: {e}")
        return 1
    for inst, n in sorted(got.items()):
        print(f"{inst}: {n} lines")
    return 0
