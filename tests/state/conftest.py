"""Real Redis and NATS servers for the shared-state conformance suite."""
from __future__ import annotations

import pytest

import rfengines
from rfengines import state_config


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


@pytest.fixture(params=["memory", "redis", "nats"])
def backend_cfg(request):
    """A fresh namespace (prefix) on each backend: memory, a real redis-server, a real nats-server."""
    kind = request.param
    if kind == "memory":
        return state_config("memory")
    srv = request.getfixturevalue("redis_srv" if kind == "redis" else "nats_srv")
    return state_config(kind, srv.port)
