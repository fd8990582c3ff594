"""`ringfence run`: the HTTP proxy (forward proxy, CONNECT, /fetch, /ws, /healthz)."""
from __future__ import annotations

import argparse
import os

from .common import add_config_option, add_receipt_options
from .runtime import add_console_options

HELP = """\
examples:
  ringfence run                                   listen on 127.0.0.1:8888
  HTTPS_PROXY=http://127.0.0.1:8888 curl https://example.com
  curl 'http://127.0.0.1:8888/fetch?url=https%3A%2F%2Fexample.com'
  ringfence run --intercept --ca-dir ~/.ringfence/ca   (after `ringfence tls init`)

signals:
  SIGUSR1          toggle the kill switch (deny everything, close tunnels and relays in flight)
  SIGHUP           reload --config (without --config: logged, nothing else)
  SIGTERM, SIGINT  stop: finish requests in flight (5 s), seal the receipt log, exit 0
"""


def register(sub) -> None:
    p = sub.add_parser("run", help="run the HTTP proxy (HTTP_PROXY, /fetch, /ws)", epilog=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", metavar="HOST:PORT", help="listener address (default: proxy.listen, 127.0.0.1:8888)")
    add_config_option(p)
    add_receipt_options(p)
    from .runtime import add_no_receipts
    add_no_receipts(p)
    p.add_argument("--resolve", metavar="HOST:PORT:ADDR", action="append", default=[],
                   help="dial ADDR for HOST:PORT (as curl's; repeatable). For tests and local "
                        "development only: the SSRF check trusts these mappings")
    p.add_argument("--upstream-ca", metavar="FILE",
                   help="extra CA bundle trusted for upstream TLS (verification stays on)")
    p.add_argument("--intercept", action="store_true", help="intercept TLS (needs a CA: `ringfence tls init`)")
    p.add_argument("--ca-dir", metavar="DIR", help="CA directory (default: tls.ca_dir)")
    p.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    add_console_options(p)
    p.set_defaults(func=handler)


def handler(args) -> int:
    import asyncio
    import logging
    import os
    import sys

    from ..cli import UsageError

    early = _hold_signals()  # SIGUSR1/SIGHUP during start-up must not kill the process
    from .runtime import setup_logging
    setup_logging(args)
    from .runtime import open_runtime_receipts, parse_listen, runtime_config
    config, args.config = runtime_config(args.config, quiet=args.quiet)
    if args.intercept:
        config = config.model_copy(update={"tls": config.tls.model_copy(update={"intercept": True})})
    listen = args.listen or config.proxy.listen
    host, port = parse_listen(listen)
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
    from ..core.prefill import start_child
    start_child()   # a fresh machine's large pattern compiles run in a child process
    writer, evidence = open_runtime_receipts(args, config, session_id="proxy")
    from .evidence import open_session
    open_session(writer, config, "run", listen=listen, mode=getattr(config, "mode", ""))
    if not getattr(writer, "enabled", False):
        print("ringfence: receipts are off (decisions are not signed). To keep signed evidence: "
              "ringfence init (then receipts are on by default), or --receipts DIR --signing-key KEY",
              file=sys.stderr)
    else:
        print(f"ringfence: signed receipts go to {evidence}", file=sys.stderr)
    from ..console import ConsoleWriter
    writer = ConsoleWriter(writer, args.verbose, args.log_format)
    # uvloop's StreamWriter.start_tls never completes a server-side handshake
    # (seen with uvloop 0.23), so TLS interception runs on the stdlib loop.
    if not os.environ.get("RINGFENCE_NO_UVLOOP") and not config.tls.intercept:
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
    try:
        return asyncio.run(_serve(config, writer, host, port, resolve, args.upstream_ca, ca,
                                  args.config, early))
    finally:
        try:
            writer.close()
        finally:
            if ca is not None:
                ca.close()


def _hold_signals() -> list[int]:
    """Until the event loop takes over: remember SIGUSR1/SIGHUP instead of dying of them."""
    import signal
    got: list[int] = []
    for sig in (signal.SIGUSR1, signal.SIGHUP):
        try:
            signal.signal(sig, lambda n, _f: got.append(n))
        except (ValueError, OSError):  # not the main thread
            pass
    return got


def _ops_signals(loop, hooks, reloader, early: list[int], log) -> None:
    """SIGUSR1 toggles the kill switch; SIGHUP reloads (or says there is nothing to reload)."""
    import signal

    def usr1() -> None:
        ks = hooks.killswitch
        if ks is None:
            log.error("SIGUSR1: no kill switch in this build")
            return
        on = ks.toggle_signal()
        log.warning("SIGUSR1: kill switch signal source %s (now %s)", "on" if on else "off",
                    ks.active() or "inactive")

    def hup() -> None:
        if reloader is None:
            log.warning("SIGHUP: nothing to reload (started without --config)")
        else:
            reloader.reload()

    loop.add_signal_handler(signal.SIGUSR1, usr1)
    loop.add_signal_handler(signal.SIGHUP, hup)
    for n in early:
        (usr1 if n == signal.SIGUSR1 else hup)()
    early.clear()


def release_heap() -> None:
    """Give the heap freed during start-up (pattern compiles, config parsing, a thread's
    arena) back to the OS: an idle proxy holds what it uses, not what it once built."""
    import gc
    gc.collect()
    try:
        import ctypes
        ctypes.CDLL(None).malloc_trim(0)  # glibc; elsewhere there is nothing to call
    except (OSError, AttributeError):
        pass


async def _serve(config, writer, host, port, resolve, upstream_ca, ca, config_path, early=None) -> int:
    import asyncio
    import logging
    import signal
    import sys

    from ..engine import Engine
    from ..proxy.server import ProxyServer
    from ..proxy.state import Hooks

    log = logging.getLogger("ringfence.proxy")
    engine = Engine(config)
    # Metrics are read only on the admin port, which needs its token: without it, none are kept.
    hooks = Hooks(config, metrics=bool(os.environ.get(config.admin.token_env)))
    srv = ProxyServer(config, engine, writer, resolve=resolve, upstream_ca=upstream_ca, ca=ca, hooks=hooks)
    try:
        await srv.start(host, port)
    except OSError as e:
        import errno

        from ..cli import UsageError
        if e.errno == errno.EADDRINUSE:
            raise UsageError(f"{host}:{port} is already in use (another ringfence or another program); "
                             "stop it or choose another --listen HOST:PORT") from None
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    from ..state.killmirror import start_for  # state.backend redis/nats: one kill switch for all instances
    _kill_mirror = start_for(config, hooks.killswitch)  # noqa: F841 (runs until the loop ends)
    # "listening" is said once, on stdout (exec and tests wait for it)
    print(f"ringfence: listening on {host}:{srv.port} (TLS interception {'on' if ca is not None else 'off'})",
          flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    for delay in (0.0, 2.0, 10.0, 60.0):  # after start-up and the background pattern compiles
        loop.call_later(delay, release_heap)

    admin = None
    reloader = None

    def reload_cb(new_config=None) -> bool:
        try:
            from ..config import load_config
            cfg = new_config or load_config(config_path)
            # The kill switch first: building the new engine takes a while.
            if hooks.killswitch is not None and hasattr(hooks.killswitch, "update_config"):
                hooks.killswitch.update_config(cfg)
            srv.swap(cfg, Engine(cfg))
            loop.call_soon_threadsafe(loop.call_later, 10.0, release_heap)  # (any thread; old engine gone by then)
            log.info("config reloaded")
            return True
        except Exception as e:
            log.error("reload failed, keeping the old config: %s", e)
            return False

    admin_state = f"off (set ${config.admin.token_env} to a bearer token to turn it on)"
    try:
        if os.environ.get(config.admin.token_env):
            from ..ops.admin import start_admin  # here: aiohttp costs an idle proxy ~15 MB when unused
            admin = await start_admin(config, hooks.killswitch, hooks.metrics, reload_cb)
            admin_state = (f"on at http://{config.admin.listen} (bearer token from ${config.admin.token_env}; "
                           "/metrics, /v1/killswitch, /v1/reload)")
    except ImportError:
        admin_state = "off (not installed)"
    except Exception as e:
        admin_state = f"off (could not start: {e})"
    print(f"ringfence: admin API and metrics {admin_state}", file=sys.stderr, flush=True)
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

    _ops_signals(loop, hooks, reloader, early if early is not None else [], log)

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
    if hooks.killswitch is not None:
        hooks.killswitch.stop_watcher()
    return 0


