"""`ringfence envoy`: Envoy as the data plane (serve the gRPC services, write a bootstrap)."""
from __future__ import annotations

import argparse
import sys

from .common import add_config_option, add_receipt_options, load_config_or_exit

HELP = """\
examples:
  ringfence envoy serve --listen 127.0.0.1:9002 --receipts ./evidence
  ringfence envoy config --upstream openai=https://api.openai.com --ringfence 127.0.0.1:9002 \\
      --listen 127.0.0.1:10000 > envoy.yaml
  envoy -c envoy.yaml          then: OPENAI_BASE_URL=http://127.0.0.1:10000/v1 your-agent

Several instances act as one with `state: {backend: redis, url: redis://...}` (or nats)
in the config: one kill switch, rate limit, data budget and tool baseline for all.
"""


def register(sub) -> None:
    p = sub.add_parser("envoy", help="Envoy as the data plane: ext_proc/ext_authz service, bootstrap config",
                       epilog=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    esub = p.add_subparsers(dest="envoy_cmd", metavar="SUBCOMMAND")
    s = esub.add_parser("serve", help="serve Envoy's ext_proc and ext_authz over gRPC",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Envoy sends each request and response here (ext_proc) and asks about "
                                    "CONNECT tunnels (ext_authz). Blocks are a 403 with the proxy's JSON body "
                                    "and X-Ringfence-Receipt. CONNECT tunnel bodies are not inspected.")
    s.add_argument("--listen", metavar="HOST:PORT", default="127.0.0.1:9002",
                   help="gRPC listener (default 127.0.0.1:9002); one per worker process")
    add_config_option(s)
    add_receipt_options(s)
    s.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    s.set_defaults(func=serve_handler)
    c = esub.add_parser("config", help="write an Envoy bootstrap YAML that uses ringfence (fail closed)",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Reverse listeners (one per --upstream, bodies inspected) and optionally "
                                    "a forward listener (--forward: plain HTTP inspected; CONNECT tunnels get a "
                                    "decision on the host only, their bodies are NOT inspected).")
    c.add_argument("--upstream", metavar="NAME=URL", action="append", default=[],
                   help="an upstream API origin, e.g. openai=https://api.openai.com (repeatable)")
    c.add_argument("--ringfence", metavar="HOST:PORT", action="append", default=[],
                   help="a `ringfence envoy serve` worker (repeatable; default 127.0.0.1:9002)")
    c.add_argument("--listen", metavar="HOST:PORT", default="127.0.0.1:10000",
                   help="first listener; each upstream takes the next port, then the forward listener")
    c.add_argument("--forward", action="store_true", help="add a forward-proxy listener (HTTP_PROXY, CONNECT)")
    c.add_argument("--admin", metavar="HOST:PORT", default="127.0.0.1:9901", help="Envoy admin listener")
    add_config_option(c)
    c.add_argument("-o", "--out", metavar="FILE", help="write here instead of stdout")
    c.set_defaults(func=config_handler)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _parse_listen(value: str):
    from ..cli import UsageError
    from ..envoy.bootstrap import ConfigError, parse_hostport
    try:
        return parse_hostport(value, "--listen")
    except ConfigError as e:
        raise UsageError(str(e)) from None


def serve_handler(args) -> int:
    import asyncio
    import logging

    from ..cli import UsageError
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    host, port = _parse_listen(args.listen)
    config = load_config_or_exit(args.config)
    try:
        import grpc  # noqa: F401
        from envoy.service.ext_proc.v3 import external_processor_pb2  # noqa: F401
    except ImportError:
        raise UsageError("ringfence envoy serve needs grpcio and xds-protos: pip install 'ringfence[scale]'") from None
    from .common import open_receipts_or_exit
    writer = open_receipts_or_exit(args, config, session_id="envoy")
    from ..envoy.server import serve
    try:
        return asyncio.run(serve(config, writer, host, port, args.config))
    finally:
        writer.close()


def config_handler(args) -> int:
    from ..cli import UsageError
    from ..envoy.bootstrap import ConfigError, build, parse_hostport, parse_upstream, render
    config = load_config_or_exit(args.config)
    try:
        ups = [parse_upstream(u) for u in args.upstream]
        if len({u.name for u in ups}) != len(ups):
            raise ConfigError("--upstream names must be unique")
        rf = [parse_hostport(r, "--ringfence") for r in (args.ringfence or ["127.0.0.1:9002"])]
        listen = parse_hostport(args.listen, "--listen")
        admin = parse_hostport(args.admin, "--admin")
        doc = build(ups, rf, listen, args.forward, admin, config.proxy.max_body_bytes)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    line = "ringfence envoy config " + " ".join(
        [f"--upstream {u}" for u in args.upstream] + [f"--ringfence {r}" for r in (args.ringfence or [])]
        + [f"--listen {args.listen}"] + (["--forward"] if args.forward else [])
        + ([f"--admin {args.admin}"] if args.admin != "127.0.0.1:9901" else []))
    text = render(doc, line, ups, listen, args.forward)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0
