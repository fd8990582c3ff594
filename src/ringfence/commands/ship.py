"""`ringfence ship`: copy an instance's evidence log lines to a Redis or NATS stream."""
from __future__ import annotations

import argparse

HELP = """\
Each instance keeps its own signed, sealed chain; this copies every complete line of it,
byte for byte and in order, to a Redis stream (<prefix>:receipts) or a NATS JetStream
stream (<prefix>_receipts). `ringfence collect` writes them back per instance, where
`ringfence verify` checks them. Progress is kept in DIR/.shipped.json.

examples:
  ringfence ship ./evidence --to redis://redis:6379/0 --instance worker-1 --follow
  ringfence ship ./evidence --to nats://nats:4222 --instance worker-1      (once, then exit)
"""


def register(sub) -> None:
    p = sub.add_parser("ship", help="ship evidence log lines to a Redis or NATS stream", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", metavar="DIR", help="the instance's evidence directory")
    p.add_argument("--to", required=True, metavar="URL", help="redis://... or nats://...")
    p.add_argument("--instance", metavar="NAME", help="this instance's name (default: the host name)")
    p.add_argument("--prefix", default="ringfence", help="stream name prefix (default ringfence)")
    p.add_argument("--follow", action="store_true", help="keep shipping new lines (Ctrl-C to stop)")
    p.set_defaults(func=run)


def run(args) -> int:
    import asyncio
    import os
    import socket

    from ..cli import UsageError
    from ..state.shipping import open_sink, ship
    if not os.path.isdir(args.dir):
        raise UsageError(f"no such directory: {args.dir}")
    try:
        sink = open_sink(args.to, args.prefix)
    except (ValueError, ImportError) as e:
        raise UsageError(f"{e} (the client needs: pip install 'ringfence[scale]')"
                         if isinstance(e, ImportError) else str(e)) from None

    async def go() -> int:
        try:
            return await ship(args.dir, sink, args.instance or socket.gethostname(), args.follow)
        finally:
            await sink.close()
    try:
        n = asyncio.run(go())
    except ValueError as e:
        raise UsageError(str(e)) from None
    except KeyboardInterrupt:
        return 0
    except OSError as e:
        print(f"ringfence ship: {e}")
        return 1
    print(f"shipped {n} lines")
    return 0
