"""Real Redis and NATS servers for the shared-state conformance suite."""
from __future__ import annotations

import uuid

import pytest

import rfengines


@pytest.fixture(scope="session")
def redis_srv(tmp_path_factory):
    try:
        srv = rfengines.redis_server(tmp_path_factory.mktemp("redis")).start()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def nats_srv(tmp_path_factory):
    try:
        srv = rfengines.nats_server(tmp_path_factory.mktemp("nats")).start()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    yield srv
    srv.stop()


def state_config(kind: str, port: int = 0, timeout_ms: int = 1000, prefix: str | None = None):
    from ringfence.config.state import StateConfig
    prefix = prefix or "t" + uuid.uuid4().hex[:12]
    if kind == "memory":
        return StateConfig(prefix=prefix)
    url = f"redis://127.0.0.1:{port}/0" if kind == "redis" else f"nats://127.0.0.1:{port}"
    return StateConfig(backend=kind, url=url, prefix=prefix, timeout_ms=timeout_ms)


@pytest.fixture(params=["memory", "redis", "nats"])
def backend_cfg(request):
    """A fresh namespace (prefix) on each backend: memory, a real redis-server, a real nats-server."""
    kind = request.param
    if kind == "memory":
        return state_config("memory")
    srv = request.getfixturevalue("redis_srv" if kind == "redis" else "nats_srv")
    return state_config(kind, srv.port)
