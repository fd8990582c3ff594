"""Slow-body attacks against a running proxy (used by tests and for measuring RSS).

    python tests/e2e/slowbody_attacks.py PORT PID partial|trickle
"""
from __future__ import annotations

import asyncio
import sys
import time


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def partial_bodies(port: int, n: int = 40, size: int = 10 * 1024 * 1024, sent: int = 9 * 1024 * 1024,
                         host: str = "site.test:80") -> list:
    """n connections each declare a `size` body and send `sent` bytes of it, then wait.
    Returns the open (reader, writer) pairs; the caller closes them."""
    conns = []
    chunk = b"a" * 65536
    for _ in range(n):
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(f"POST http://{host}/echo HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {size}\r\n\r\n".encode())
        conns.append((r, w))
    for r, w in conns:
        left = sent
        try:
            while left > 0 and not r.at_eof() and not w.is_closing():
                w.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
                await asyncio.wait_for(w.drain(), 5)
        except (ConnectionError, OSError, asyncio.TimeoutError):
            pass
    return conns


async def trickle(port: int, n: int = 500, seconds: float = 10.0, host: str = "site.test:80") -> dict:
    """n connections each send a body one byte per second. Returns how they ended."""
    conns = []
    for _ in range(n):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            continue
        w.write(f"POST http://{host}/echo HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: 100000\r\n\r\n".encode())
        conns.append([r, w, None])
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for c in conns:
            if c[2] is None:
                try:
                    c[1].write(b"x")
                except (ConnectionError, OSError, RuntimeError):
                    c[2] = "reset"
        await asyncio.sleep(1.0)
        for c in conns:
            if c[2] is None and c[0]._buffer:  # an answer arrived
                head = bytes(c[0]._buffer[:12])
                c[2] = head.decode(errors="replace")
    out: dict = {}
    for r, w, how in conns:
        out[how or "open"] = out.get(how or "open", 0) + 1
        w.close()
    return out


async def _main(port: int, pid: int, what: str) -> None:
    before = rss_mib(pid)
    if what == "partial":
        conns = await partial_bodies(port)
        await asyncio.sleep(1.0)
        peak = rss_mib(pid)
        answered = sum(1 for r, _ in conns if r._buffer)
        for _, w in conns:
            w.close()
        print(f"partial bodies: RSS {before:.0f} -> {peak:.0f} MiB; {answered}/{len(conns)} answered early")
    else:
        res = await trickle(port)
        print(f"trickle: RSS {before:.0f} -> {rss_mib(pid):.0f} MiB; outcomes after 10 s: {res}")


if __name__ == "__main__":
    asyncio.run(_main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
