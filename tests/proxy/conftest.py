"""Fixtures for proxy tests: a real aiohttp upstream on 127.0.0.1, a real
ProxyServer with the real Engine and a real signed receipt log."""
from __future__ import annotations

import pytest

from ringfence.config import Config
from ringfence.engine import Engine
from ringfence.proxy.server import ProxyServer
from rfproxy_util import Proxy, start_upstream


_ENGINES: dict[str, Engine] = {}


@pytest.fixture
async def upstream():
    runner, up = await start_upstream()
    yield up
    await runner.cleanup()


@pytest.fixture
def keyfile(tmp_path):
    from ringfence.receipts.keys import write_keypair
    path = str(tmp_path / "keys" / "receipt.key")
    write_keypair(path)
    return path


@pytest.fixture
async def make_proxy(tmp_path, keyfile):
    from ringfence.receipts import open_writer
    started = []

    async def make(routes: dict | None = None, config: Config | None = None, ca=None,
                   upstream_ca: str | None = None) -> Proxy:
        cfg = config or Config()
        rdir = tmp_path / f"receipts{len(started)}"
        writer = open_writer(str(rdir), keyfile, cfg, session_id="proxy-test")
        key = cfg.model_dump_json()
        if key not in _ENGINES:  # building an Engine compiles every rule: share it per config
            _ENGINES[key] = Engine(cfg)
        srv = ProxyServer(cfg, _ENGINES[key], writer, resolve=routes or {}, upstream_ca=upstream_ca, ca=ca)
        await srv.start("127.0.0.1", 0)
        p = Proxy(srv, rdir, writer)
        started.append(p)
        return p

    yield make
    for p in started:
        await p.srv.close(grace=1.0)
        p.writer.close()


