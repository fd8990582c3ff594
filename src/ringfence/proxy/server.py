"""The listener: one port for the forward proxy, CONNECT, /fetch, /ws and /healthz."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson

from ..core import Action, decide
from .http1 import HttpError, Request, RequestReader, simple_response
from .state import Hooks, Recorder, State, error_response, kill_response
from .target import Target, TargetError, parse_url
from .upstream import Pool

log = logging.getLogger("ringfence.proxy")


@dataclass(frozen=True, slots=True)
class Tunnel:
    """An intercepted CONNECT: inner requests go to this host, on these vetted addresses."""
    host: str
    port: int
    addrs: list[str]
    agent: str = ""       # who opened it (X-Agent or proxy user name on CONNECT), for egress rules


def parse_resolve(items: list[str]) -> dict[tuple[str, int], str]:
    """curl-style HOST:PORT:ADDR entries."""
    out: dict[tuple[str, int], str] = {}
    for item in items or []:
        if item.startswith("["):  # [IPv6]:PORT:ADDR
            host, sep, rest = item[1:].partition("]:")
        else:
            host, sep, rest = item.partition(":")
        port_s, sep2, addr = rest.partition(":")
        if not (sep and sep2 and host and port_s.isdigit() and addr):
            raise ValueError(f"--resolve expects HOST:PORT:ADDR, got {item!r}")
        out[(host.lower().rstrip("."), int(port_s))] = addr.strip("[]")
    return out


class ProxyServer:
    def __init__(self, config: Any, engine: Any, receipts: Any, *,
                 resolve: dict[tuple[str, int], str] | None = None,
                 upstream_ca: str | None = None, ca: Any = None,
                 hooks: Hooks | None = None):
        self.state = State(config, engine)
        self.hooks = hooks or Hooks(config)
        self.rec = Recorder(receipts, self.hooks)
        self.resolve_map = dict(resolve or {})
        self._warned_routes: set[tuple[str, int]] = set()
        self.pool = Pool(connect_timeout=min(10.0, config.proxy.upstream_timeout_s), extra_ca=upstream_ca)
        self.ca = ca                      # LeafCache when TLS interception is possible
        self.server: asyncio.base_events.Server | None = None
        self.tasks: set[asyncio.Task] = set()
        self.fast_conns: set = set()      # client connections on the Protocol fast path
        self.inflight: set = set()        # fast-path upstream requests awaiting their answer
        self._sweeper: asyncio.Task | None = None
        self.port = 0
        if self.resolve_map:
            for (h, p), a in self.resolve_map.items():
                log.warning("--resolve active: %s:%s -> %s (test routing; SSRF check skipped for it)", h, p, a)

    # -- lifecycle -----------------------------------------------------
    def swap(self, config: Any, engine: Any) -> None:
        """Reload: new requests see the new pair; requests in flight finish on the old one."""
        self.state = State(config, engine)

    async def start(self, host: str | None = None, port: int | None = None) -> None:
        if host is None or port is None:
            h, _, p = self.state.config.proxy.listen.rpartition(":")
            host = host if host is not None else h.strip("[]")
            port = port if port is not None else int(p)
        from .fastpath import FastClient
        loop = asyncio.get_running_loop()
        # Connections start on the Protocol fast path; anything else is handed to
        # serve_http on streams (see fastpath.py).
        self.server = await loop.create_server(lambda: FastClient(self), host, port,
                                               backlog=1024, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]
        self._sweeper = asyncio.ensure_future(self._sweep())

    async def _sweep(self) -> None:
        """Close fast-path connections idle longer than the header timeout (as
        serve_http does between requests): one timer for all of them."""
        loop = asyncio.get_running_loop()
        while True:
            cfg = self.state.config.proxy
            limit = cfg.header_timeout_s
            await asyncio.sleep(max(0.05, min(1.0, limit / 2, cfg.upstream_timeout_s / 4)))
            now = loop.time()
            old = now - limit
            for c in list(self.fast_conns):
                if not c.busy and not c.in_msg and not c.pending and c.last < old:
                    c.transport.close()
            # Upstream read timeouts of the fast path (each read renews the deadline).
            for up in [u for u in self.inflight if u.deadline <= now]:
                try:
                    up.timed_out()
                except Exception:
                    log.exception("upstream timeout handling failed")

    def adopt(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: Any) -> None:
        """Serve a connection the fast path handed over (after `first`, a coroutine
        answering the request in flight, when given)."""
        task = asyncio.ensure_future(self._adopted(reader, writer, first))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _adopted(self, reader, writer, first) -> None:
        try:
            if first is not None:
                keep = await first
                await _drain(writer)
                if not keep:
                    return
            await self.serve_http(reader, writer, None)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("connection handler failed")
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def close(self, grace: float = 5.0) -> None:
        """Stop accepting, let connections finish for `grace` seconds, then close them."""
        if self.server is not None:
            self.server.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
        await self._close_fast(grace)
        if self.tasks:
            _, pending = await asyncio.wait(list(self.tasks), timeout=grace)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2.0)
        if self.server is not None:
            try:
                await asyncio.wait_for(self.server.wait_closed(), 2.0)
            except asyncio.TimeoutError:
                pass
        self.pool.close()

    async def _close_fast(self, grace: float) -> None:
        """Idle fast-path connections close now; busy ones get `grace` seconds."""
        loop = asyncio.get_running_loop()
        end = loop.time() + grace
        while True:
            for c in list(self.fast_conns):
                if not c.busy:
                    c.transport.close()
                    self.fast_conns.discard(c)
            if not self.fast_conns or loop.time() >= end:
                break
            await asyncio.sleep(0.05)
        for c in list(self.fast_conns):
            c.transport.abort()
        self.fast_conns.clear()

    def warn_route_once(self, host: str, port: int, mapped: str) -> None:
        """The --resolve warning, once per host and port (not per request: it costs)."""
        key = (host, port)
        if key not in self._warned_routes:
            self._warned_routes.add(key)
            log.warning("--resolve: dialing %s for %s:%s (test routing, SSRF check skipped)",
                        mapped, host, port)

    def route(self, host: str, port: int) -> str | None:
        return self.resolve_map.get((host, port)) if self.resolve_map else None

    # -- connections ---------------------------------------------------
    async def serve_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         tunnel: Tunnel | None) -> None:
        cfg = self.state.config.proxy
        rr = RequestReader(reader, writer, max_header_bytes=cfg.max_header_bytes,
                           max_body_bytes=cfg.max_body_bytes, header_timeout=cfg.header_timeout_s,
                           body_timeout=cfg.upstream_timeout_s)
        while True:
            try:
                req = await rr.read_request()
            except HttpError as e:
                writer.write(error_response(e.status, e.rule, str(e)))
                await _drain(writer)
                await _linger(reader, writer)
                return
            if req is None:
                return
            try:
                keep = await self.dispatch(req, rr, reader, writer, tunnel)
            except HttpError as e:
                writer.write(error_response(e.status, e.rule, str(e)))
                keep = False
            await _drain(writer)
            if not keep or not req.keep_alive or rr.upgraded:
                return

    async def dispatch(self, req: Request, rr: RequestReader, reader, writer, tunnel: Tunnel | None) -> bool:
        target = req.target.decode("latin-1")
        method = req.method
        ks = self.hooks.kill_reason()
        if ks is not None:
            d = decide([])
            from ..core import Finding
            d = decide([Finding("policy", "kill_switch", "critical", ks[:80], "", "block")])
            d = self.rec.record(Action("forward", "outbound", target, method, kind="request",
                                       meta={"kill_switch": True}), d)
            writer.write(kill_response(ks, d.receipt_id))
            return False
        http10 = req.version == "1.0"
        if tunnel is not None:
            if not target.startswith("/"):
                raise HttpError(400, "inside a tunnel, requests must use origin-form", "bad_target")
            scheme = "https"
            up = _is_ws_upgrade(req)
            host = f"[{tunnel.host}]" if ":" in tunnel.host else tunnel.host
            url = f"{'wss' if up else scheme}://{host}{'' if tunnel.port == 443 else f':{tunnel.port}'}{target}"
            t = _target(url, ("https", "wss"))
            if up:
                from .websocket import handle_upgrade
                return await handle_upgrade(self, "intercept", t, req, rr, reader, writer,
                                            vetted=tunnel.addrs, agent=tunnel.agent)
            from .forward import forward
            return await forward(self, "intercept", t, method, req.headers, bytes(req.body), writer,
                                 vetted=tunnel.addrs, client_http10=http10, agent=tunnel.agent)
        if method == "CONNECT":
            from .connect import handle_connect
            return await handle_connect(self, req, rr, reader, writer)
        if target.startswith("/"):
            path = target.split("?", 1)[0]
            if path == "/healthz":
                body = orjson.dumps({"ok": True, "service": "ringfence"})
                writer.write(simple_response(200, body))
                return True
            if path == "/fetch":
                from .fetch import handle_fetch
                return await handle_fetch(self, req, target, writer)
            if path == "/ws":
                from .websocket import handle_ws_endpoint
                return await handle_ws_endpoint(self, req, target, rr, reader, writer)
            writer.write(error_response(404, "not_found", "unknown path; use /fetch, /ws, /healthz "
                                        "or an absolute-URI proxy request", close=False))
            return True
        lower = target[:6].lower()
        if lower.startswith(("ws://", "wss://")) or (_is_ws_upgrade(req) and lower.startswith("http")):
            t = _target(target, ("ws", "wss", "http", "https"))
            if t.scheme in ("http", "https"):
                t = Target("ws" if t.scheme == "http" else "wss", t.host, t.port, t.path, t.url)
            from .websocket import handle_upgrade
            return await handle_upgrade(self, "forward", t, req, rr, reader, writer)
        t = _target(target, ("http", "https"))
        from .forward import forward
        return await forward(self, "forward", t, method, req.headers, bytes(req.body), writer,
                             client_http10=http10)


def _target(url: str, allowed: tuple[str, ...]) -> Target:
    try:
        return parse_url(url, allowed)
    except TargetError as e:
        raise HttpError(400, str(e), "bad_target") from None


def _is_ws_upgrade(req: Request) -> bool:
    return req.upgrade and req.header("upgrade").strip().lower() == "websocket"


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Half-close and discard what the client is still sending (bounded), so the
    error response is read instead of lost to a TCP reset."""
    try:
        if writer.can_write_eof():
            writer.write_eof()
        loop = asyncio.get_running_loop()
        end = loop.time() + 1.0
        budget = 4 * 1024 * 1024
        while budget > 0 and loop.time() < end:
            data = await asyncio.wait_for(reader.read(65536), end - loop.time())
            if not data:
                break
            budget -= len(data)
    except (ConnectionError, OSError, asyncio.TimeoutError, RuntimeError):
        pass


async def _drain(writer: asyncio.StreamWriter) -> None:
    try:
        if not writer.transport.get_write_buffer_size() and not writer.transport.is_closing():
            return  # all sent already: no need to wait (nor to start a timer)
        await asyncio.wait_for(writer.drain(), 30.0)
    except (ConnectionError, OSError, asyncio.TimeoutError, RuntimeError):
        pass
