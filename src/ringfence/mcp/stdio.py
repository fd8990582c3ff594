"""`ringfence mcp proxy -- CMD ARGS`: wrap a stdio MCP server.

The agent's MCP client starts ringfence instead of the server. ringfence
starts the server as a child with a reduced environment, relays
newline-delimited JSON-RPC in both directions through the Guard, and forwards
allowed lines byte for byte. The child's stderr is inherited (passes through).

Shutdown: when the client closes stdin, the child's stdin is closed and its
remaining responses are still relayed until its stdout ends (bounded wait),
then it is terminated if needed. Requests that never got an answer get a
JSON-RPC error. The exit code is the child's.
"""
from __future__ import annotations

import asyncio
import collections
import os
import re
import shlex
import signal
import sys
import uuid
from typing import Any

from .bridge import Guard
from .jsonrpc import LineSplitter

CHUNK = 65536
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def child_env(allowlist: list[str], extra: list[str], environ: dict[str, str] | None = None) -> dict[str, str]:
    """Only the allowlisted names (and --env names) reach the server."""
    environ = os.environ if environ is None else environ
    out = {}
    for name in list(allowlist) + list(extra):
        if not _ENV_NAME.match(name):
            raise ValueError(f"not an environment variable name: {name!r}")
        if name in environ:
            out[name] = environ[name]
    return out


class _Out:
    """Non-blocking writer for our stdout (pipe/tty); blocking writes for files."""

    def __init__(self) -> None:
        self.writer: asyncio.StreamWriter | None = None
        self.fd = sys.stdout.fileno()
        self.broken = False

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await loop.connect_write_pipe(
                lambda: asyncio.streams.FlowControlMixin(loop=loop), os.fdopen(os.dup(self.fd), "wb", 0))
            self.writer = asyncio.StreamWriter(transport, protocol, None, loop)
        except (ValueError, OSError):
            self.writer = None

    async def write(self, data: bytes) -> None:
        if self.broken or not data:
            return
        try:
            if self.writer is not None:
                self.writer.write(data)
                await self.writer.drain()
            else:
                view = memoryview(data)
                while view:
                    n = os.write(self.fd, view)
                    view = view[n:]
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.broken = True

    async def close(self) -> None:
        if self.writer is not None:
            try:
                await asyncio.wait_for(self.writer.drain(), 5)
                self.writer.close()
            except Exception:
                pass


async def _open_stdin() -> tuple[asyncio.StreamReader | None, Any]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=CHUNK, loop=loop)
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop),
                                     os.fdopen(os.dup(sys.stdin.fileno()), "rb", 0))
        return reader, None
    except (ValueError, OSError):
        return None, sys.stdin.buffer  # a regular file: read it in a thread


class _ToServer:
    """The server's stdin behind one writer task and a bounded queue, so that a
    server which stops reading never blocks the relay (the deadlock: the server
    blocks writing its stdout while we block writing its stdin).

    ringfence's own answers to blocked server requests may fill only half the
    queue; past that they are dropped (the server stopped reading them), so a
    flood of blocked requests never crowds out the client's next call. When the
    whole queue is full, a client request is answered at once with error -32002
    (rule server_not_reading) instead of waiting. Nothing here ever awaits the server."""

    MAX_BYTES = 16 * 1024 * 1024
    MAX_ITEMS = 4096

    def __init__(self, proc: Any):
        self.proc = proc
        self.queue: collections.deque[bytes] = collections.deque()
        self.size = 0
        self.wake = asyncio.Event()
        self.closing = False
        self.broken = False
        self.dropped = 0

    def offer(self, data: bytes, own: bool = False) -> bool:
        if self.broken or self.closing:
            return False
        cap_bytes, cap_items = (self.MAX_BYTES // 2, self.MAX_ITEMS // 2) if own else (self.MAX_BYTES, self.MAX_ITEMS)
        if self.queue and (self.size + len(data) > cap_bytes or len(self.queue) >= cap_items):
            return False   # one message always fits in an empty queue
        self.queue.append(data)
        self.size += len(data)
        self.wake.set()
        return True

    def close(self) -> None:
        """Close the server's stdin once what is queued is written."""
        self.closing = True
        self.wake.set()

    async def run(self) -> None:
        stdin = self.proc.stdin
        try:
            while True:
                while self.queue:
                    data = self.queue.popleft()
                    self.size -= len(data)
                    stdin.write(data)
                    await stdin.drain()
                if self.closing:
                    break
                self.wake.clear()
                await self.wake.wait()
        except (BrokenPipeError, ConnectionResetError, OSError, AttributeError):
            self.broken = True
            self.queue.clear()
            self.size = 0
            return
        try:
            stdin.close()
        except Exception:
            pass


async def relay(engine: Any, writer: Any, command: list[str], env: dict[str, str],
                shutdown_timeout: float = 5.0) -> int:
    from .kill import kill_switch, on_sigusr1, reason_of, watch
    cfg = engine.config
    session_id = uuid.uuid4().hex
    guard = Guard(engine, writer, "mcp_stdio", session_id, server=shlex.join(command)[:200])
    ks = kill_switch(cfg)
    guard.kill = reason_of(ks)
    from .boundary import child_env as secret_env
    from .boundary import refuse_real_values, scrub
    env = secret_env(engine, env)  # placeholders in our environment -> real values for the server
    try:
        proc = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None, env=env)
    except OSError as e:
        print(f"ringfence: cannot start MCP server {command[0]!r}: {e}", file=sys.stderr)
        return 127 if isinstance(e, FileNotFoundError) else 126
    out = _Out()
    await out.open()
    stdin_reader, stdin_file = await _open_stdin()
    loop = asyncio.get_running_loop()
    server_done = asyncio.Event()
    limit = cfg.mcp.max_message_bytes
    to_server = _ToServer(proc)

    async def send_client_message(data: bytes, key: Any) -> None:
        if server_done.is_set() or to_server.broken:
            rule, text = "server_exited", "MCP server exited"
        elif to_server.offer(data):
            return
        else:
            rule, text = "server_not_reading", "MCP server is not reading its input"
        for err in guard.fail_pending(rule, text, [key] if key else []):
            await out.write(err)

    async def client_side() -> None:
        split = LineSplitter(limit)
        while True:
            if stdin_reader is not None:
                chunk = await stdin_reader.read(CHUNK)
            else:
                chunk = await asyncio.to_thread(stdin_file.read1, CHUNK)
            lines = split.feed(chunk) if chunk else split.finish()
            for line in lines:
                refused = refuse_real_values(engine, writer, "mcp_stdio", session_id, line)  # secrets
                if refused is not None:
                    await out.write(refused)
                    continue
                o = guard.from_client(line)
                if o.to_server is not None:
                    await send_client_message(o.to_server, o.request_key)
                if o.to_client is not None:
                    await out.write(o.to_client)
            if not chunk:
                break
        # The client is done sending: let the server finish what it has.
        to_server.close()

    async def server_side() -> None:
        split = LineSplitter(limit)
        assert proc.stdout is not None
        while True:
            try:
                chunk = await proc.stdout.read(CHUNK)
            except Exception:
                chunk = b""
            lines = split.feed(chunk) if chunk else split.finish()
            for line in lines:
                o = guard.from_server(line)
                if o.to_client is not None:
                    await out.write(scrub(engine, o.to_client))  # echoed real secret values -> placeholders
                for err in o.answers:
                    await out.write(err)
                if o.to_server is not None and not to_server.offer(o.to_server, own=True):
                    to_server.dropped += 1   # the server is not reading: our answer is dropped
            if not chunk:
                break
        server_done.set()

    async def on_kill(reason: str) -> None:
        for err in guard.kill_pending(reason):
            await out.write(err)

    def on_signal(sig: int) -> None:
        if proc.returncode is None:
            try:
                proc.send_signal(sig)
            except ProcessLookupError:
                pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            loop.add_signal_handler(sig, on_signal, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    on_sigusr1(ks)

    writer_task = asyncio.create_task(to_server.run())
    watch_task = asyncio.create_task(watch(guard.kill_reason, on_kill))
    server_task = asyncio.create_task(server_side())
    client_task = asyncio.create_task(client_side())
    done, _ = await asyncio.wait({server_task, client_task}, return_when=asyncio.FIRST_COMPLETED)
    if client_task in done and not server_task.done():
        # Client closed stdin: wait (bounded) for the server's last answers,
        # then give it a short grace to exit by itself.
        deadline = loop.time() + shutdown_timeout
        while not server_task.done() and guard.pending and loop.time() < deadline:
            await asyncio.wait({server_task}, timeout=min(0.05, max(0.0, deadline - loop.time())))
        if not server_task.done():
            await asyncio.wait({server_task}, timeout=min(1.0, max(0.0, deadline - loop.time())))
    if not client_task.done():
        client_task.cancel()
    watch_task.cancel()
    if proc.returncode is None:
        try:
            await asyncio.wait_for(proc.wait(), 0.5 if server_task.done() else 0)
        except asyncio.TimeoutError:
            pass
    if proc.returncode is None:
        try:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 2.0)
        except (ProcessLookupError, asyncio.TimeoutError):
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            await proc.wait()
    if not server_task.done():
        try:
            await asyncio.wait_for(server_task, 2.0)
        except (asyncio.TimeoutError, Exception):
            server_task.cancel()
    writer_task.cancel()
    for err in guard.fail_pending("server_exited", "MCP server exited before answering"):
        await out.write(err)
    await out.close()
    for t in (client_task, writer_task, watch_task):
        try:
            await t
        except (asyncio.CancelledError, Exception):
            pass
    if to_server.dropped:
        print(f"ringfence: dropped {to_server.dropped} answers to blocked server requests "
              "(the MCP server was not reading its input)", file=sys.stderr)
    rc = proc.returncode if proc.returncode is not None else 1
    return 128 - rc if rc < 0 else rc


def run(engine: Any, writer: Any, command: list[str], env: dict[str, str], shutdown_timeout: float = 5.0) -> int:
    """Blocking entry point. The stdlib loop is used on purpose: uvloop aborts
    the process when a pipe end it watches is closed under it at EOF."""
    with asyncio.Runner() as runner:
        return runner.run(relay(engine, writer, command, env, shutdown_timeout))
