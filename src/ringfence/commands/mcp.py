"""`ringfence mcp proxy`: guard an MCP server.

  ringfence mcp proxy [opts] -- CMD ARGS...                  wrap a stdio server
  ringfence mcp proxy [opts] --upstream URL --listen H:P     Streamable HTTP reverse proxy
  ringfence mcp proxy [opts] --upstream URL                  stdio client -> HTTP server bridge
"""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser("mcp", help="MCP proxy (stdio wrapper, HTTP reverse proxy, stdio-to-HTTP bridge)",
                              description="Guard MCP traffic between an agent and its MCP servers.")
    sub = p.add_subparsers(dest="mcp_command", metavar="SUBCOMMAND")
    px = sub.add_parser("proxy", help="scan every JSON-RPC message to and from an MCP server",
                        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    px.add_argument("--config", "-c", metavar="FILE", help="ringfence YAML config")
    px.add_argument("--receipts", metavar="DIR", help="write signed receipts here (default: config receipts.dir)")
    px.add_argument("--signing-key", metavar="FILE", help="Ed25519 key for receipts (default: config receipts.signing_key)")
    px.add_argument("--no-receipts", action="store_true",
                    help="do not write receipts, even when ~/.ringfence holds a signing key")
    px.add_argument("-v", "--verbose", action="store_true", help="also print a line for each allowed message")
    px.add_argument("--log-format", choices=["text", "json"], default="text",
                    help="decision lines on stderr as readable text (default) or JSON")
    px.add_argument("--env", metavar="NAME", action="extend", nargs="+", default=[],
                    help="also pass this environment variable to the server (stdio mode)")
    px.add_argument("--upstream", metavar="URL", help="Streamable HTTP MCP endpoint, e.g. http://127.0.0.1:3001/mcp")
    px.add_argument("--listen", metavar="HOST:PORT", help="serve a Streamable HTTP endpoint (needs --upstream)")
    px.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS... (stdio server to wrap)")
    px.set_defaults(func=handle_proxy)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def _listen_addr(text: str) -> tuple[str, int]:
    from ringfence.commands.runtime import parse_listen
    if ":" not in text:
        text = f"127.0.0.1:{text}"
    return parse_listen(text)


def handle_proxy(args) -> int:
    import sys
    import uuid

    from ringfence.cli import UsageError

    command = list(args.command or [])
    if command and command[0] == "--":
        command = command[1:]
    if args.listen and not args.upstream:
        raise UsageError("--listen needs --upstream URL")
    if args.upstream and command:
        raise UsageError("give either --upstream URL or -- COMMAND, not both")
    if not args.upstream and not command:
        raise UsageError("nothing to proxy: give -- COMMAND ARGS... or --upstream URL")
    if args.upstream and not args.upstream.startswith(("http://", "https://")):
        raise UsageError("--upstream must be an http:// or https:// URL")
    from ringfence.commands.runtime import open_runtime_receipts, runtime_config
    config, args.config = runtime_config(args.config, quiet=True)

    from ringfence.engine import Engine
    from ringfence.mcp.bridge import mcp_opt

    if args.listen:
        listen = _listen_addr(args.listen)
    from ringfence.core.exempt import watch_config
    watch_config(args.config)  # `ringfence allow` takes effect in running sessions
    writer, _ = open_runtime_receipts(args, config, f"mcp-{uuid.uuid4().hex[:12]}")
    from ringfence.console import ConsoleWriter
    writer = ConsoleWriter(writer, args.verbose, args.log_format)
    engine = Engine(config)
    from .evidence import open_session
    open_session(writer, config, "mcp", server=args.upstream or " ".join(command)[:200])
    try:
        if command:
            from ringfence.mcp.stdio import child_env, run
            try:
                env = child_env(config.mcp.env_allowlist, args.env)
            except ValueError as e:
                raise UsageError(f"--env: {e}") from None
            return run(engine, writer, command, env, mcp_opt(config, 'shutdown_timeout_s', 5.0))
        from ringfence.mcp import http
        if args.listen:
            return http.serve(engine, writer, args.upstream, *listen)
        return http.run_bridge(engine, writer, args.upstream)
    finally:
        try:
            writer.close()
        except Exception as e:
            print(f"ringfence: sealing receipts failed: {e}", file=sys.stderr)
