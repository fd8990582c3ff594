"""`ringfence envoy serve`: the ext_proc and ext_authz services on one gRPC port."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from typing import Any

log = logging.getLogger("ringfence.envoy")
TUNNEL_NOTE = ("ringfence: CONNECT tunnels through Envoy get an ext_authz decision on their host only; "
               "tunnel bodies are NOT inspected (use reverse listeners or `ringfence run --intercept` for that)")


async def build_gate(config: Any, writer: Any):
    """The Gate with its shared state, limits, baselines and kill-switch mirror."""
    from ..engine import Engine
    from ..proxy.state import Hooks
    from ..state import open_state
    from ..state.baselines import SharedBaselines
    from ..state.killmirror import KillMirror
    from ..state.limits import SharedLimits
    from .gate import Gate

    state = open_state(config.state)
    # Shared limits are counted here, asynchronously: the engine's own (synchronous)
    # limiter stays off so nothing is counted twice.
    engine = Engine(config.model_copy(update={
        "state": config.state.model_copy(update={"backend": "memory", "url": ""}),
        "url": config.url.model_copy(update={"requests_per_minute": None, "bytes_per_minute": None}),
    })) if state.shared else Engine(config)
    hooks = Hooks(config)
    limits = mirror = None
    if state.shared:
        lim = SharedLimits(config, state)
        limits = lim if lim.enabled else None
        if hooks.killswitch is not None:
            mirror = KillMirror(state, hooks.killswitch).start()
    gate = Gate(config, engine, writer, hooks, state=state, limits=limits, mirror=mirror,
                baselines=SharedBaselines(config, state))
    return gate


async def serve(config: Any, writer: Any, host: str, port: int, config_path: str | None = None) -> int:
    import grpc

    from .grpcsvc import add_services

    gate = await build_gate(config, writer)
    max_msg = config.proxy.max_body_bytes + (1 << 20)
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", max_msg),
                                      ("grpc.max_send_message_length", max_msg),
                                      ("grpc.max_concurrent_streams", 1024),
                                      ("grpc.so_reuseport", 0)])
    add_services(server, gate)
    bound = server.add_insecure_port(f"{host}:{port}" if ":" not in host else f"[{host}]:{port}")
    if not bound:
        print(f"ringfence: cannot listen on {host}:{port}", file=sys.stderr)
        return 2
    await server.start()
    print(f"ringfence: envoy ext_proc + ext_authz listening on {host}:{bound} "
          f"(state: {gate.state.describe()})", flush=True)
    print(TUNNEL_NOTE, file=sys.stderr, flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    admin = None
    if os.environ.get(config.admin.token_env):
        try:
            from ..ops.admin import start_admin
            admin = await start_admin(config, gate.hooks.killswitch, gate.hooks.metrics, None)
        except Exception as e:
            log.error("admin API not started: %s", e)
    await stop.wait()
    await server.stop(grace=5)
    if gate.mirror is not None:
        await gate.mirror.stop()
    await gate.state.close()
    if admin is not None:
        try:
            await admin.cleanup()
        except Exception:
            pass
    return 0
