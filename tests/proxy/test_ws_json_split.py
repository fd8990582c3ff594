"""WebSocket: a secret split across two JSON messages' string values is caught."""
from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest
import websockets

from rfproxy_util import routes_for

pytestmark = pytest.mark.timeout(60)

# Shaped like Stripe's documented example key; each half alone is clean.
KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zd"
HALF1, HALF2 = KEY[:14], KEY[14:]


def ws_url(p, up) -> str:
    return f"ws://127.0.0.1:{p.port}/ws?url={quote(up.url('/ws', 'ws'), safe='')}"


async def _send_pair(p, up, first: str, second: str):
    """Send two messages; the first must echo. Returns the close frame, or None
    when the second echoed too."""
    async with websockets.connect(ws_url(p, up), compression=None) as ws:
        await ws.send(first)
        assert await asyncio.wait_for(ws.recv(), 5) == first  # the first half alone is delivered
        await ws.send(second)
        try:
            got = await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as e:
            return e.rcvd
        assert got == second
        return None


@pytest.mark.parametrize("first,second", [
    ('{"k":"%s"}' % HALF1, '{"k2":"%s"}' % HALF2),
    ('{"a":{"b":["x","%s"]}}' % HALF1, '[{"c":"%s","d":1}]' % HALF2),
    ('{"k":"%s"}' % HALF1, HALF2),              # JSON then plain text
    (f"token {HALF1}", '{"rest":"%s"}' % HALF2),  # plain text then JSON
    ('{"k":"%s","z":"done"}' % HALF1, '{"k2":"%s"}' % HALF2),  # halves not adjacent (issue 10: still one secret)
], ids=["flat", "nested", "json-then-text", "text-then-json", "not-adjacent"])
async def test_secret_split_across_json_messages_closes_1008(upstream, make_proxy, first, second):
    p = await make_proxy(routes_for(upstream))
    close = await _send_pair(p, upstream, first, second)
    assert close is not None and close.code == 1008 and "dlp" in close.reason
    assert {"ws": second} not in upstream.log  # never delivered
    text = p.receipts_text()
    assert "stripe_secret_key" in text and KEY not in text
    rid = close.reason.rsplit(" ", 1)[-1]
    assert rid and rid in text


@pytest.mark.parametrize("first,second", [
    ('{"k":"%s"}' % HALF1, '{"k2":"hello world"}'),               # half a key, then no rest
    ('{"op":"subscribe","ch":"prices"}', '{"op":"ping","n":2}'),  # unrelated clean messages
    ('{"id":"Ab3dE5gH","z":"done"}', '{"id":"Xy9zW8vU"}'),          # ids in several messages
], ids=["no-second-half", "clean", "ids"])
async def test_near_miss_json_messages_pass(upstream, make_proxy, first, second):
    p = await make_proxy(routes_for(upstream))
    assert await _send_pair(p, upstream, first, second) is None
    assert {"ws": second} in upstream.log
