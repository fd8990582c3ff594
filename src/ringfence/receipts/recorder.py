"""Flight-recorder JSONL (spec section 10): entries v:1, hash-linked, rotated, sealed.

One Recorder per writer. It is not thread-safe by itself; ReceiptWriter holds the lock.
"""
from __future__ import annotations

import hashlib
import os
import time

from .canonical import clean_text, format_time_ns, go_string, go_string_memo
from .errors import ReceiptError

_sha = hashlib.sha256


def entry_hash(v: int, seq: int, ts: str, session_id: str, trace_id: str, etype: str,
               event_kind: str | None, transport: str, summary: str, detail: str,
               raw_ref: str, prev_hash: str) -> str:
    """SHA-256 over the entry fields joined by NUL; detail is the exact bytes written."""
    parts = [str(v), str(seq), ts, session_id, trace_id, etype]
    if v >= 2:
        parts.append(event_kind or "")
    parts += [transport, summary, detail, raw_ref, prev_hash]
    return _sha("\x00".join(parts).encode("utf-8")).hexdigest()


def file_name(session_id: str, seq_start: int) -> str:
    return f"evidence-{session_id}-{seq_start}.jsonl"


class Recorder:
    def __init__(self, directory: str, session_id: str, sign, *, max_entries: int = 10_000,
                 checkpoint_interval: int = 1000, max_bytes: int = 64 << 20, fsync_always: bool = False):
        self.dir = directory
        self.session_id = session_id = clean_text(session_id)
        self._sid_json = go_string(session_id)
        self._sign = sign                      # bytes -> 64-byte signature
        self.max_entries = max(3, max_entries)
        self.checkpoint_interval = max(1, checkpoint_interval)
        self.max_bytes = max(4096, max_bytes)
        self.bytes_in_file = 0
        self.fsync_always = fsync_always
        self.seq = 0                           # next entry seq
        self.prev_hash = "genesis"
        self.fd: int | None = None
        self.path = ""
        self.paths: list[str] = []
        self.in_file = 0                       # entries in the current file
        self.since_checkpoint = 0
        self.first_unsealed = 0                # first entry seq not yet covered by a checkpoint
        self.dirty = False
        self.writes = 0                        # writes so far (sync_begin/sync_end tell them apart)
        self.closed = False
        self.last_checkpoint = time.monotonic()
        self._buf: list[bytes] | None = None   # hold(): lines wait here for one write(2)
        self._snap: tuple = ()                 # state at the last durable point while holding
        self.on_durable = None                 # called after each successful held write

    # -- one write(2) per batch ---------------------------------------------
    def _state(self) -> tuple:
        return (self.seq, self.prev_hash, self.in_file, self.since_checkpoint, self.first_unsealed,
                self.bytes_in_file, self.last_checkpoint)

    def hold(self) -> None:
        """Buffer the entries that follow until release(): one write(2) for them all.
        A failed write undoes every held entry (file truncated, seq and hash restored)."""
        self._buf = []
        self._snap = self._state()

    def release(self) -> None:
        try:
            self._flush_held()
        finally:
            self._buf = None

    def drop(self) -> None:
        """Forget the held entries (an error before they were written)."""
        if self._buf is not None:
            self._buf = None
            self._restore()

    def _restore(self) -> None:
        (self.seq, self.prev_hash, self.in_file, self.since_checkpoint, self.first_unsealed,
         self.bytes_in_file, self.last_checkpoint) = self._snap

    def _flush_held(self) -> None:
        buf = self._buf
        if buf:
            data = b"".join(buf)
            buf.clear()
            try:
                self._put(data, self._snap[5])
            except OSError as e:
                self._buf = None
                self._restore()
                raise ReceiptError(f"writing evidence file {self.path}: {e.strerror}") from None
        if self._buf is not None:
            self._snap = self._state()
            if self.on_durable is not None:
                self.on_durable()

    # -- files ----------------------------------------------------------
    def _open(self) -> None:
        os.makedirs(self.dir, mode=0o750, exist_ok=True)
        path = os.path.join(self.dir, file_name(self.session_id, self.seq))
        try:
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except FileExistsError:
            raise ReceiptError(f"evidence file {path} already exists; refusing to append to another run") \
                from None
        except OSError as e:
            raise ReceiptError(f"cannot create evidence file {path}: {e.strerror}") from None
        self.path = path
        self.paths.append(path)
        self.in_file = 0
        self.bytes_in_file = 0

    def _put(self, data: bytes, undo_to: int) -> None:
        """Append `data` whole, then fsync it or count it for the batched fsync. A failed
        write leaves no trace: the file is cut back to `undo_to`, so the next entry (which
        takes the same seq) follows a whole line; the OSError goes on to the caller."""
        try:
            n = os.write(self.fd, data)
            while n < len(data):  # regular files rarely short-write; finish anyway
                n += os.write(self.fd, data[n:])
            if self.fsync_always:
                os.fsync(self.fd)
            else:
                self.dirty = True
                self.writes += 1
        except OSError:
            try:
                os.ftruncate(self.fd, undo_to)
            except OSError:
                pass
            raise

    def _write(self, line: str) -> None:
        if self.fd is None:
            self._open()
        data = line.encode("utf-8")
        if self._buf is not None:
            self._buf.append(data)
            self.bytes_in_file += len(data)
            return
        try:
            self._put(data, self.bytes_in_file)
        except OSError as e:
            raise ReceiptError(f"writing evidence file {self.path}: {e.strerror}") from None
        self.bytes_in_file += len(data)

    def sync_begin(self) -> tuple[int, int] | None:
        """For an fsync without the writer lock: (a duplicate of the fd, the write count
        it covers), or None when nothing is dirty. The caller fsyncs, closes the
        duplicate, and calls sync_end(count) under the lock again."""
        if self.fd is None or not self.dirty:
            return None
        return os.dup(self.fd), self.writes

    def sync_end(self, writes: int) -> None:
        if self.writes == writes:  # nothing written while the fsync ran
            self.dirty = False

    def sync(self) -> None:
        if self.fd is not None and self.dirty:
            try:
                os.fsync(self.fd)
            except OSError as e:
                raise ReceiptError(f"fsync {self.path}: {e.strerror}") from None
            self.dirty = False

    # -- entries ----------------------------------------------------------
    def _append(self, etype: str, transport: str, summary: str, detail: str,
                ts: str | None = None) -> str:
        seq = self.seq
        ts = ts or format_time_ns(time.time_ns())
        transport, summary = clean_text(transport), clean_text(summary)
        # entry_hash(1, seq, ts, session, "", etype, None, transport, summary, detail, "", prev), inline
        h = _sha(f"1\x00{seq}\x00{ts}\x00{self.session_id}\x00\x00{etype}\x00{transport}\x00{summary}"
                 f"\x00{detail}\x00\x00{self.prev_hash}".encode("utf-8")).hexdigest()
        line = (f'{{"v":1,"seq":{seq},"ts":"{ts}","session_id":{self._sid_json},"type":"{etype}",'
                f'"transport":{go_string_memo(transport)},"summary":{go_string_memo(summary)},'
                f'"detail":{detail},"prev_hash":"{self.prev_hash}","hash":"{h}"}}\n')
        if self.fd is None:
            self._open()  # named after the seq of its first entry
        # Advance only once persisted: a failed write leaves neither a gap nor a fork.
        self._write(line)
        self.seq += 1
        self.prev_hash = h
        self.in_file += 1
        return h

    def append_receipt(self, receipt_json: str, transport: str, summary: str, ts: str) -> None:
        if self.fd is not None and (self.in_file >= self.max_entries - 1
                                    or self.bytes_in_file >= self.max_bytes):
            self.rotate()
        self._append("action_receipt", transport, summary, receipt_json, ts)
        self.since_checkpoint += 1
        if self.since_checkpoint >= self.checkpoint_interval:
            try:
                self.checkpoint()
            except ReceiptError:
                pass   # the receipt is written; the checkpoint is retried on the next one

    def checkpoint(self) -> None:
        """Signed checkpoint over the entry-chain head (covers every entry so far)."""
        if self.since_checkpoint == 0:
            return
        first, last = self.first_unsealed, self.seq - 1
        sig = self._sign(self.prev_hash.encode("ascii")).hex()
        detail = (f'{{"entry_count":{last - first + 1},"first_seq":{first},"last_seq":{last},'
                  f'"signature":"{sig}"}}')
        self._append("checkpoint", "", f"checkpoint: {last - first + 1} entries [seq {first}-{last}]", detail)
        self.first_unsealed = self.seq
        self.since_checkpoint = 0
        self.last_checkpoint = time.monotonic()

    def rotate(self) -> None:
        self.checkpoint()
        self._close_file()

    def transcript_root(self, final_seq: int, root_hash: str, count: int, start: str, end: str) -> None:
        detail = (f'{{"session_id":{self._sid_json},"final_seq":{final_seq},"root_hash":"{root_hash}",'
                  f'"receipt_count":{count},"start_time":"{start}","end_time":"{end}"}}')
        self._append("transcript_root", "", f"transcript_root: {count} receipts, root={root_hash[:16]}",
                     detail)
        self.since_checkpoint += 1

    def _close_file(self) -> None:
        if self.fd is None:
            return
        try:
            if self._buf is not None:
                self._flush_held()  # rotation while holding: the held entries go first
            self.sync()
            os.fsync(self.fd)
        except OSError as e:  # a clear error, never a traceback
            raise ReceiptError(f"fsync {self.path}: {e.strerror}") from None
        finally:
            os.close(self.fd)
            self.fd = None
            self.in_file = self.bytes_in_file = 0
            if self._buf is not None:
                self._snap = self._state()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._close_file()
