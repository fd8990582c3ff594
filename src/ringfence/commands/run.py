"""`ringfence run`: the HTTP proxy (forward proxy, CONNECT, /fetch, /ws, /healthz)."""
from __future__ import annotations

import argparse
import os

from .common import add_config_option, add_receipt_options, load_config_or_exit

HELP = """\
examples:
  ringfence run                                   listen on 127.0.0.1:8888
  HTTPS_PROXY=http://127.0.0.1:8888 curl https://example.com
  curl 'http://127.0.0.1:8888/fetch?url=https%3A%2F%2Fexample.com'
  ringfence run --intercept --ca-dir ~/.ringfence/ca   (after `ringfence tls init`)
"""


def register(sub) -> None:
    p = sub.add_parser("run", help="run the HTTP proxy (HTTP_PROXY, /fetch, /ws)", epilog=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", metavar="HOST:PORT", help="listener address (default: proxy.listen, 127.0.0.1:8888)")
    add_config_option(p)
    add_receipt_options(p)
    p.add_argument("--resolve", metavar="HOST:PORT:ADDR", action="append", default=[],
                   help="dial ADDR for HOST:PORT (as curl's; repeatable). For tests and local "
                        "development only: the SSRF check trusts these mappings")
    p.add_argument("--upstream-ca", metavar="FILE",
                   help="extra CA bundle trusted for upstream TLS (verification stays on)")
    p.add_argument("--intercept", action="store_true", help="intercept TLS (needs a CA: `ringfence tls init`)")
    p.add_argument("--ca-dir", metavar="DIR", help="CA directory (default: tls.ca_dir)")
    p.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    p.set_defaults(func=handler)


def handler(args) -> int:
    import asyncio
    import logging
    import os
    import sys

    from ..cli import UsageError

    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    config = load_config_or_exit(args.config)
    if args.intercept:
        config = config.model_copy(update={"tls": config.tls.model_copy(update={"intercept": True})})
    listen = args.listen or config.proxy.listen
    host, sep, port_s = listen.rpartition(":")
    if not sep or not port_s.isdigit() or not host:
        raise UsageError(f"--listen expects HOST:PORT, got {listen!r}")
    from ..proxy.server import parse_resolve
    try:
        resolve = parse_resolve(args.resolve)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.upstream_ca and not os.path.isfile(args.upstream_ca):
        raise UsageError(f"--upstream-ca: no such file {args.upstream_ca}")
    ca = None
    if config.tls.intercept:
        from ..proxy.tls import CaError, CertAuthority, LeafCache
        try:
            ca = LeafCache(CertAuthority(args.ca_dir or config.tls.ca_dir))
        except CaError as e:
            raise UsageError(str(e)) from None
    from .common import open_receipts_or_exit
    writer = open_receipts_or_exit(args, config, session_id="proxy")
    if not getattr(writer, "enabled", False):
        import sys
        print("ringfence: receipts are off (decisions are not signed). To keep signed evidence: "
              "ringfence keygen, then run with --receipts DIR --signing-key ~/.ringfence/receipt.key",
              file=sys.stderr)
    # uvloop's StreamWriter.start_tls never completes a server-side handshake
    # (seen with uvloop 0.23), so TLS interception runs on the stdlib loop.
    if not os.environ.get("RINGFENCE_NO_UVLOOP") and not config.tls.intercept:
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
    try:
        return asyncio.run(_serve(config, writer, host.strip("[]"), int(port_s), resolve, args.upstream_ca, ca,
                                  args.config))
    finally:
        try:
            writer.close()
        finally:
            if ca is not None:
                ca.close()


async def _serve(config, writer, host, port, resolve, upstream_ca, ca, config_path) -> int:
    import asyncio
    import logging
    import signal

    from ..engine import Engine
    from ..proxy.server import ProxyServer
    from ..proxy.state import Hooks

    log = logging.getLogger("ringfence.proxy")
    engine = Engine(config)
    hooks = Hooks(config)
    srv = ProxyServer(config, engine, writer, resolve=resolve, upstream_ca=upstream_ca, ca=ca, hooks=hooks)
    await srv.start(host, port)
    from ..state.killmirror import start_for  # state.backend redis/nats: one kill switch for all instances
    _kill_mirror = start_for(config, hooks.killswitch)  # noqa: F841 (runs until the loop ends)
    log.info("ringfence proxy listening on %s:%s (intercept=%s)", host, srv.port, ca is not None)
    print(f"ringfence: listening on {host}:{srv.port}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    admin = None
    reloader = None

    def reload_cb(new_config=None) -> bool:
        try:
            from ..config import load_config
            cfg = new_config or load_config(config_path)
            srv.swap(cfg, Engine(cfg))
            if hooks.killswitch is not None and hasattr(hooks.killswitch, "update_config"):
                hooks.killswitch.update_config(cfg)
            log.info("config reloaded")
            return True
        except Exception as e:
            log.error("reload failed, keeping the old config: %s", e)
            return False

    try:
        from ..ops.admin import start_admin
        if os.environ.get(config.admin.token_env):
            admin = await start_admin(config, hooks.killswitch, hooks.metrics, reload_cb)
    except ImportError:
        pass
    except Exception as e:
        log.error("admin API not started: %s", e)
    if config_path:
        try:
            from ..ops.reload import Reloader
            reloader = Reloader(config_path, lambda cfg: reload_cb(cfg))
            await reloader.start()
        except ImportError:
            reloader = None
        except Exception as e:
            log.error("config watcher not started: %s", e)
            reloader = None

    await stop.wait()
    log.info("shutting down: no new connections, finishing the open ones")
    await srv.close(grace=5.0)
    if reloader is not None:
        try:
            await reloader.stop()
        except Exception:
            pass
    if admin is not None:
        try:
            await admin.cleanup()
        except Exception:
            pass
    return 0


