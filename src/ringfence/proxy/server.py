"""The listener: one port for the forward proxy, CONNECT, /fetch, /ws and /healthz."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson

from ..core import Action, Finding, decide
from .http1 import HttpError, Request, RequestReader, simple_response
from .limits import BodyBudget
from .state import Hooks, Recorder, Refused, State, error_response, kill_response, refuse_target
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
        self._own_hooks = hooks is None
        self.hooks = hooks or Hooks(config)
        self.rec = Recorder(receipts, self.hooks)
        self.resolve_map = dict(resolve or {})
        self._warned_routes: set[tuple[str, int]] = set()
        self.pool = Pool(connect_timeout=min(10.0, config.proxy.upstream_timeout_s), extra_ca=upstream_ca,
                         idle_ttl=config.proxy.upstream_idle_timeout_s)
        self.budget = BodyBudget(config.proxy.max_buffered_body_bytes)
        # Stream-path tasks in flight (relays, requests), for the kill switch:
        # task -> (transport, target, method, on_kill callback or None).
        self.relays: dict[asyncio.Task, tuple] = {}
        self.writers: dict[asyncio.Task, asyncio.StreamWriter] = {}
        self._unsub_kill: Any = None
        self.ca = ca                      # LeafCache when TLS interception is possible
        self.server: asyncio.base_events.Server | None = None
        self.tasks: set[asyncio.Task] = set()
        self.fast_conns: set = set()      # client connections on the Protocol fast path
        self.inflight: set = set()        # fast-path upstream requests awaiting their answer
        self._sweeper: asyncio.Task | None = None
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        if self.resolve_map:
            for (h, p), a in self.resolve_map.items():
                log.warning("--resolve active: %s:%s -> %s (test routing; SSRF check skipped for it)", h, p, a)

    # -- lifecycle -----------------------------------------------------
    def swap(self, config: Any, engine: Any) -> None:
        """Reload: new requests see the new pair; requests in flight finish on the old one."""
        self.state = State(config, engine)
        self.budget.cap = config.proxy.max_buffered_body_bytes
        self.pool.idle_ttl = config.proxy.upstream_idle_timeout_s

    def at_capacity(self) -> bool:
        return len(self.fast_conns) + len(self.tasks) >= self.state.config.proxy.max_connections

    # -- kill switch: traffic in flight ---------------------------------
    def mark(self, transport: str, target: str, method: str, on_kill: Any = None) -> None:
        """Say what the current stream-path task relays, for the receipt if the
        kill switch closes it (and how to close it politely: on_kill(reason))."""
        task = asyncio.current_task()
        if task is not None and task in self.tasks:
            self.relays[task] = (transport, target, method, on_kill)

    def _kill_flip(self, reason: str | None) -> None:
        """KillSwitch subscriber (any thread): forget every cached verdict (on and off),
        close everything in flight."""
        inv = getattr(self.state.engine, "invalidate", None)
        if inv is not None:
            inv()
        if reason and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.kill_inflight, reason)

    def kill_inflight(self, reason: str) -> None:
        if self.hooks.kill_reason() is None:
            return  # released again before we got here
        finding = Finding("policy", "kill_switch", "critical", reason[:80], "closed in flight", "block")
        # Busy connections and marked tasks are relaying or waiting on an upstream;
        # the others are between requests (their next request gets the 503 at dispatch).
        for c in list(self.fast_conns):
            if c.busy and c.t is not None:
                # Nothing of the answer was sent yet (the fast path writes it whole): say why.
                rid = self._kill_receipt("forward", c.t.url, c.mname, finding)
                c.closed = True  # whatever the upstream says later is dropped
                c.transport.write(kill_response(reason, rid))
                c.transport.close()
        for task, info in list(self.relays.items()):
            self.relays.pop(task, None)
            transport, target, method, on_kill = info
            self._kill_receipt(transport, target, method, finding)
            if on_kill is not None:
                try:
                    on_kill(reason)
                except Exception:
                    log.debug("kill callback failed", exc_info=True)
            w = self.writers.get(task)
            if w is not None:
                try:
                    w.transport.close()  # flushes a close frame written by on_kill
                except Exception:
                    pass
            task.cancel()

    def _kill_receipt(self, transport: str, target: str, method: str, finding: Finding) -> str:
        # The origin only: a request marked before its scan finished may carry a
        # secret in its path or query, and this receipt is not a DLP decision.
        if "://" in target:
            scheme, _, rest = target.partition("://")
            netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
            target = f"{scheme}://{netloc}/"
        else:
            target = target.split("?", 1)[0]
        self.hooks.count_kill()
        try:
            return self.rec.record(Action(transport, "outbound", target, method, kind="closed_in_flight",
                                          meta={"kill_switch": True, "closed": "in flight"}),
                                   decide([finding])).receipt_id
        except Exception:
            log.exception("kill switch receipt failed")
            return ""

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
        self._loop = loop
        ks = self.hooks.killswitch
        if ks is not None and hasattr(ks, "subscribe"):
            self._unsub_kill = ks.subscribe(self._kill_flip)
            ks.start_watcher()

    async def _sweep(self) -> None:
        """Close fast-path connections idle longer than the header timeout (as
        serve_http does between requests): one timer for all of them."""
        loop = asyncio.get_running_loop()
        while True:
            cfg = self.state.config.proxy
            limit = cfg.header_timeout_s
            await asyncio.sleep(max(0.05, min(1.0, limit / 2, cfg.upstream_timeout_s / 4,
                                                cfg.idle_timeout_s / 2)))
            now = loop.time()
            old = now - limit
            old_idle = now - cfg.idle_timeout_s
            for c in list(self.fast_conns):
                if not c.busy and not c.in_msg and not c.pending and \
                        c.last < (old_idle if c.served else old):
                    c.transport.close()
            self.pool.expire()  # idle upstream sockets go by the clock, not on next use
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
        self.writers[task] = writer
        task.add_done_callback(self.tasks.discard)

    async def _adopted(self, reader, writer, first) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.writers[task] = writer
        try:
            if first is not None:
                keep = await first
                self.relays.pop(task, None)
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
            if task is not None:
                self.writers.pop(task, None)
                self.relays.pop(task, None)
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
        if self._unsub_kill is not None:
            self._unsub_kill()
            self._unsub_kill = None
            if self._own_hooks:
                self.hooks.killswitch.stop_watcher()
        # Stream-path connections between requests close now; work in flight gets the grace.
        for task in list(self.tasks):
            if task not in self.relays:
                w = self.writers.get(task)
                if w is not None:
                    try:
                        w.transport.close()
                    except Exception:
                        pass
                task.cancel()
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
                           body_timeout=cfg.upstream_timeout_s, body_total=cfg.body_timeout_s,
                           body_min_rate=cfg.body_min_rate_bytes_s, idle_timeout=cfg.idle_timeout_s,
                           budget=self.budget)
        task = asyncio.current_task()
        try:
            while True:
                try:
                    req = await rr.read_request()
                except HttpError as e:
                    rr.release()
                    writer.write(error_response(e.status, e.rule, str(e)))
                    await _drain(writer)
                    await _linger(reader, writer)
                    return
                if req is None:
                    return
                prev = self.relays.get(task) if task is not None else None  # the tunnel, if any
                try:
                    keep = await self.dispatch(req, rr, reader, writer, tunnel)
                except HttpError as e:
                    writer.write(error_response(e.status, e.rule, str(e)))
                    keep = False
                except Refused as e:   # answered like a bad target: then the connection closes
                    writer.write(e.response)
                    keep = False
                finally:
                    rr.release(req)
                    req.body = bytearray()
                    if task is not None:
                        if prev is None:
                            self.relays.pop(task, None)
                        else:
                            self.relays[task] = prev
                await _drain(writer)
                if not keep or not req.keep_alive or rr.upgraded:
                    return
        finally:
            rr.release()

    async def dispatch(self, req: Request, rr: RequestReader, reader, writer, tunnel: Tunnel | None) -> bool:
        target = req.target.decode("latin-1")
        method = req.method
        ks = self.hooks.kill_reason()
        if ks is not None:
            self.hooks.count_kill()
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
            t = _target(self, "intercept", url, ("https", "wss"), req)
            if up:
                from .websocket import handle_upgrade
                return await handle_upgrade(self, "intercept", t, req, rr, reader, writer,
                                            vetted=tunnel.addrs, agent=tunnel.agent)
            from .forward import forward
            self.mark("intercept", t.url, method)
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
                self.mark("fetch", target[:2048], method)
                return await handle_fetch(self, req, target, writer)
            if path == "/ws":
                from .websocket import handle_ws_endpoint
                return await handle_ws_endpoint(self, req, target, rr, reader, writer)
            writer.write(error_response(404, "not_found", "unknown path; use /fetch, /ws, /healthz "
                                        "or an absolute-URI proxy request", close=False))
            return True
        lower = target[:6].lower()
        if lower.startswith(("ws://", "wss://")) or (_is_ws_upgrade(req) and lower.startswith("http")):
            t = _target(self, "forward", target, ("ws", "wss", "http", "https"), req)
            if t.scheme in ("http", "https"):
                t = Target("ws" if t.scheme == "http" else "wss", t.host, t.port, t.path, t.url)
            from .websocket import handle_upgrade
            return await handle_upgrade(self, "forward", t, req, rr, reader, writer)
        t = _target(self, "forward", target, ("http", "https"), req)
        from .forward import forward
        self.mark("forward", t.url, method)
        return await forward(self, "forward", t, method, req.headers, bytes(req.body), writer,
                             client_http10=http10)


def _target(srv: "ProxyServer", transport: str, url: str, allowed: tuple[str, ...], req: Request) -> Target:
    try:
        return parse_url(url, allowed)
    except TargetError as e:
        refuse_target(srv, transport, url, req.method, req.headers, e)


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
