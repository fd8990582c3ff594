"""One request through the static bench tier's forward path: the verdict a live proxy gives
a URL with optional JSON body and headers (shared by the false-positive family tests)."""
import json

from ringfence.bench.static import _request, actual_verdict, make_engine

E = make_engine()


def verdict(url: str, body: dict | None = None, headers: dict | None = None) -> str:
    h = dict(headers or {})
    raw = b""
    if body is not None:
        raw = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    return actual_verdict(_request(E, "forward", url, "POST" if body is not None else "GET", h, raw))
