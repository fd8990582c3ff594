"""Config for receipts and the evidence log."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Section


class ReceiptsConfig(Section):
    dir: str = Field("", description="evidence log directory; empty = no receipts")
    signing_key: str = Field("~/.ringfence/receipt.key", description="Ed25519 private key (mode 0600)")
    fsync: Literal["always", "batch"] = Field("batch", description="fsync every receipt, or batched")
    fsync_interval_ms: int = Field(50, ge=1, le=60_000, description="batched fsync bound")
    max_entries_per_file: int = Field(10_000, ge=10, description="rotate the evidence log after this many entries")
    checkpoint_interval: int = Field(1000, ge=1, description="signed checkpoint every N entries")
    checkpoint_every_ms: int = Field(1000, ge=0, le=3_600_000,
                                     description="also seal new entries with a signed checkpoint this often; 0 = off")
    max_file_bytes: int = Field(64 << 20, ge=4096, description="rotate an evidence file after this many bytes")
    queue_max: int = Field(0, ge=0, le=1_000_000,
                           description="sign and append on a writer thread with this bounded queue; "
                                       "0 = in the caller (nothing queued can be lost in a crash)")
    wait_written: bool = Field(True, description="with a writer thread (queue_max > 0): a proxied response "
                               "waits until its receipt is written (true), or leaves at once (false: a "
                               "receipt that then cannot be written makes every later action fail closed)")
    intent_durability: Literal["fsync", "batch", "disabled"] = Field(
        "batch", description="the intent receipt of every egress (forward, fetch, CONNECT, WebSocket, MCP "
                             "tools/call) is written before a byte leaves; fsync: fsync'd before it leaves too; "
                             "batch: fsync'd within fsync_interval_ms (a ringfence crash loses none, an OS crash "
                             "at most that window); disabled: no intent/outcome receipts, only the decision receipt")
    heartbeat_s: int = Field(30, ge=1, le=86_400, description="session heartbeat receipt every N seconds")
