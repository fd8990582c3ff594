"""Fill the pattern-database disk cache: `python -m ringfence.core.prefill [CONFIG]`.

What `make setup` runs, and what a long-running process (the proxy) starts as a child on
its first cache miss (start_child): a fresh machine's compile (~40 s of CPU, a ~300 MB
memory peak, nearly all of it the injection databases, which do not depend on the
config) then happens in a child at low priority, which ends when done; the proxy serves
meanwhile (the injection scanner matches without its database until the file appears,
as it did while a thread built it) and keeps only the databases it loads. Small
databases (DLP, decoders; under a second in all) the proxy still compiles itself.
"""
from __future__ import annotations

import os
import subprocess
import sys

# Texts that reach every database a proxy or an MCP wrapper builds: ASCII and UTF-8
# (the wide injection database, the fold tables), both directions.
CHILD_ENV = "RINGFENCE_PREFILL_CHILD"
SAMPLES = ("hello world", "caf\u00e9 \u0442\u0435\u043a\u0441\u0442 \uff21\uff22 \u0391\u03b2 x\u200by")


def fill(config=None, timeout: float = 900.0) -> bool:
    """Build (or load) every database into the cache; False when not all were built in time."""
    from ..scanners.injection import wait_for_databases
    from .inspect import Engine
    e = Engine(config)   # URL, DLP and injection scanners, built now
    for text in SAMPLES:
        for direction in ("outbound", "inbound"):
            e.scan_text(text, direction)
    e.tools   # the MCP tool scanners
    return wait_for_databases(timeout)


def start_child() -> None:
    """From now on, the large databases this process misses are built by a child process
    (match.hscache.build_in_child), stopped when this process exits."""
    import atexit

    from ..match import hscache
    if os.environ.get(CHILD_ENV):
        return   # never a child of a child

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "ringfence.core.prefill", "--child"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, close_fds=True)
    hscache.build_in_child(start)
    atexit.register(hscache.stop_child)


def _die_with_parent() -> None:
    """End when the process that started us ends (no orphaned compile). A thread that
    watches the parent's pid: PR_SET_PDEATHSIG would fire when the parent's *thread* that
    started us ends, and that is often a short-lived build thread."""
    import threading
    import time
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)
    threading.Thread(target=watch, name="prefill-parent", daemon=True).start()


def main(argv: list[str]) -> int:
    config = None
    if argv[:1] == ["--child"]:
        os.environ[CHILD_ENV] = "1"
        _die_with_parent()
        try:
            os.nice(10)   # the proxy that started us serves first
        except OSError:
            pass
    elif argv:
        from ..config import load_config
        config = load_config(argv[0])
    return 0 if fill(config) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
