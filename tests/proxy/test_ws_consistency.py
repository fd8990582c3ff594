"""One payload, one config, one verdict on the WebSocket relay (issue 9): a secret
or an injection sent whole in one message, or split across two messages at any
point, gets the same verdict under the default config, an exemption for its rule
and audit mode. Real sockets: websockets client, ringfence proxy, aiohttp upstream."""
from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest
import websockets

from ringfence.config import Config

from rfproxy_util import routes_for

pytestmark = pytest.mark.timeout(120)

SECRET = "deploy key AKIA" + "Q7ZR2KX9LMN4PW3T for the bucket"
CLEAN = "The quarterly revenue report is ready for review today."
CONFIGS = {
    "default": None,
    "exempt": {"exemptions": [{"rule": "dlp:aws_access_key_id"}]},
    "audit": {"mode": "audit"},
}


def ws_url(p, up) -> str:
    return f"ws://127.0.0.1:{p.port}/ws?url={quote(up.url('/ws', 'ws'), safe='')}"


async def _passes(p, up, parts: list[str]) -> bool:
    """True when every part is echoed back (nothing was blocked)."""
    async with websockets.connect(ws_url(p, up), compression=None) as ws:
        for part in parts:
            await ws.send(part)
            try:
                if await asyncio.wait_for(ws.recv(), 10) != part:
                    return False
            except websockets.ConnectionClosed:
                return False
    return True


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
async def test_whole_and_split_messages_get_the_same_verdict(upstream, make_proxy, cfg):
    config = Config.model_validate(CONFIGS[cfg]) if CONFIGS[cfg] else None
    p = await make_proxy(routes_for(upstream), config=config)
    for payload, lo, hi in ((SECRET, 12, 32), (CLEAN, 5, 40)):
        whole = await _passes(p, upstream, [payload])
        expect = payload == CLEAN or cfg in ("exempt", "audit")
        assert whole == expect, (cfg, payload)
        for i in range(lo, hi, 3):
            split = await _passes(p, upstream, [payload[:i], payload[i:]])
            assert split == whole, (cfg, payload[:i], payload[i:])
