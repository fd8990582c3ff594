"""Many processes, one evidence trail. Each instance keeps writing its own signed,
sealed chain (no shared writer); the shipper copies each complete log line, byte for
byte and in order, to a Redis stream or a NATS JetStream stream; the collector writes
the lines back into one directory per instance, where `ringfence verify` checks them.

Message: instance, file name, line number (0-based), the exact line. Shipping progress
is kept in DIR/.shipped.json so a restarted shipper resumes; the collector skips lines
it already has, so a line shipped twice is written once."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from typing import Any, AsyncIterator

log = logging.getLogger("ringfence.ship")
_LOG = re.compile(r"^evidence-.+-\d+\.jsonl$")
_SAFE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
MAX_LINE = 1 << 20
PROGRESS = ".shipped.json"


def _stream_name(prefix: str) -> str:
    return f"{prefix}_receipts"


class Sink:
    async def send(self, instance: str, fname: str, n: int, line: bytes) -> None: ...
    async def close(self) -> None: ...


class RedisSink(Sink):
    def __init__(self, url: str, prefix: str):
        import redis.asyncio as aioredis
        self.r = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.key = f"{prefix}:receipts"

    async def send(self, instance, fname, n, line):
        await self.r.xadd(self.key, {"i": instance, "f": fname, "n": str(n), "d": line})

    async def close(self):
        await self.r.aclose()


class NatsSink(Sink):
    def __init__(self, url: str, prefix: str):
        self.url, self.prefix = url, prefix
        self.nc = self.js = None

    async def _js(self):
        if self.js is None:
            import nats
            self.nc = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=-1)
            self.js = self.nc.jetstream()
            await _ensure_stream(self.js, self.prefix)
        return self.js

    async def send(self, instance, fname, n, line):
        js = await self._js()
        body = json.dumps({"i": instance, "f": fname, "n": n, "d": line.decode("utf-8")}).encode()
        # the message id makes a re-sent line a duplicate JetStream drops
        await js.publish(f"{self.prefix}.receipts.{instance}", body,
                         headers={"Nats-Msg-Id": f"{instance}/{fname}/{n}"})

    async def close(self):
        if self.nc is not None:
            await self.nc.close()


async def _ensure_stream(js, prefix: str) -> None:
    from nats.js.errors import NotFoundError
    name = _stream_name(prefix)
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(name=name, subjects=[f"{prefix}.receipts.>"])


def open_sink(url: str, prefix: str) -> Sink:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisSink(url, prefix)
    if url.startswith(("nats://", "tls://")):
        return NatsSink(url, prefix)
    raise ValueError(f"--to/--from must be a redis:// or nats:// URL, got {url!r}")


def _logs(directory: str) -> list[str]:
    def key(name: str):
        base, _, seq = name[:-6].rpartition("-")
        return base, int(seq)
    return sorted((n for n in os.listdir(directory) if _LOG.match(n)), key=key)


async def ship(directory: str, sink: Sink, instance: str, follow: bool = False, poll_s: float = 0.5) -> int:
    """Ship every complete line not shipped yet; with follow, keep watching. Returns lines sent."""
    if not _SAFE.match(instance):
        raise ValueError("--instance: use 1-128 letters, digits, '.', '_' or '-'")
    prog_path = os.path.join(directory, PROGRESS)
    try:
        with open(prog_path) as f:
            progress: dict[str, list[int]] = json.load(f)
    except (OSError, ValueError):
        progress = {}
    sent = 0
    while True:
        for name in _logs(directory):
            off, n = progress.get(name, [0, 0])
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                f.seek(off)
                data = f.read()
            while True:
                nl = data.find(b"\n")
                if nl < 0:
                    break  # an incomplete last line: the writer is still on it
                line, data = data[:nl], data[nl + 1:]
                if len(line) > MAX_LINE:
                    raise ValueError(f"{name}: line {n} is over {MAX_LINE} bytes")
                await sink.send(instance, name, n, line)
                off += nl + 1
                n += 1
                sent += 1
                progress[name] = [off, n]
            tmp = prog_path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(progress, f)
            os.replace(tmp, prog_path)
        if not follow:
            return sent
        await asyncio.sleep(poll_s)


async def _redis_source(url: str, prefix: str, follow: bool) -> AsyncIterator[tuple[str, str, int, bytes]]:
    import redis.asyncio as aioredis
    r = aioredis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    key, last = f"{prefix}:receipts", "0-0"
    try:
        while True:
            got = await r.xread({key: last}, count=1000, block=1000 if follow else None)
            if not got:
                if not follow:
                    return
                continue
            for _, entries in got:
                for mid, fields in entries:
                    last = mid
                    yield (fields[b"i"].decode(), fields[b"f"].decode(), int(fields[b"n"]), fields[b"d"])
    finally:
        await r.aclose()


async def _nats_source(url: str, prefix: str, follow: bool) -> AsyncIterator[tuple[str, str, int, bytes]]:
    import nats
    nc = await nats.connect(url, connect_timeout=5)
    try:
        js = nc.jetstream()
        await _ensure_stream(js, prefix)
        sub = await js.subscribe(f"{prefix}.receipts.>", ordered_consumer=True)
        while True:
            try:
                msg = await sub.next_msg(timeout=2.0)
            except (asyncio.TimeoutError, nats.errors.TimeoutError):
                if follow:
                    continue
                return
            doc = json.loads(msg.data)
            yield doc["i"], doc["f"], int(doc["n"]), doc["d"].encode("utf-8")
    finally:
        await nc.close()


async def collect(url: str, prefix: str, out: str, follow: bool = False) -> dict[str, int]:
    """Write shipped lines back to OUT/<instance>/<file>. Returns lines written per instance."""
    src = _redis_source(url, prefix, follow) if url.startswith(("redis", "unix")) else \
        _nats_source(url, prefix, follow)
    have: dict[tuple[str, str], int] = {}
    written: dict[str, int] = {}
    async for instance, fname, n, line in src:
        if not _SAFE.match(instance) or not _LOG.match(fname) or "/" in fname:
            log.warning("skipping a shipped line with a bad instance or file name")
            continue
        d = os.path.join(out, instance)
        path = os.path.join(d, fname)
        k = (instance, fname)
        if k not in have:
            os.makedirs(d, exist_ok=True)
            have[k] = _count_lines(path)
        if n < have[k]:
            continue   # already there (shipped twice)
        if n > have[k]:
            log.warning("%s/%s: lines %d..%d are missing; verify will report the gap", instance, fname,
                        have[k], n - 1)
        with open(path, "ab") as f:
            f.write(line + b"\n")
        have[k] = n + 1
        written[instance] = written.get(instance, 0) + 1
    return written


def _count_lines(path: str) -> int:
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def summarize_chains(paths: list[str], keys: dict[str, str] | None = None,
                     default_key: str | None = None, roster: str | None = None) -> dict[str, Any]:
    """`ringfence verify P1 P2 ...`: each chain verified on its own (its own signer, or
    the key pinned for it by name, or any key of the roster inside its validity window),
    then the totals. Valid only if every chain is."""
    from ..receipts.verify import verify_path
    chains, totals = [], {"chains": 0, "valid": 0, "sealed": 0, "receipts": 0, "verdicts": {}}
    for p in paths:
        name = os.path.basename(os.path.normpath(p))
        key = (keys or {}).get(name) or default_key
        r = verify_path(p, key, roster=roster) if roster else verify_path(p, key)
        doc = r.to_json()
        doc["path"] = p
        chains.append(doc)
        totals["chains"] += 1
        totals["valid"] += int(r.exit_code == 0)
        totals["sealed"] += int(r.sealed)
        totals["receipts"] += r.count
        for k, v in r.verdicts.items():
            totals["verdicts"][k] = totals["verdicts"].get(k, 0) + v
    signers = {c.get("signer_key") for c in chains if c.get("signer_key")}
    totals["signers"] = len(signers)
    return {"valid": totals["valid"] == totals["chains"], "totals": totals, "chains": chains,
            "exit_code": 0 if totals["valid"] == totals["chains"] else 1}


def format_summary(s: dict) -> str:
    t = s["totals"]
    lines = [("VALID: " if s["valid"] else "INVALID: ") + f"{t['valid']} of {t['chains']} chains verify"]
    for c in s["chains"]:
        state = "ok" if c["exit_code"] == 0 else f"FAIL ({c.get('error') or c.get('tail') or 'invalid'})"
        lines.append(f"  {c['path']}: {state}, {c['count']} receipts, signer {c.get('signer_key', '')[:16]}, "
                     f"sealed {'yes' if c.get('sealed') else 'no'}")
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(t["verdicts"].items()))
    lines.append(f"  Totals: {t['receipts']} receipts from {t['signers']} signers; {verdicts}")
    return "\n".join(lines)
