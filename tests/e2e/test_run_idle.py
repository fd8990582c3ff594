"""What an idle `ringfence run` holds (issue 12: at most 60 MB idle): no admin web stack
and no metrics registry unless the admin port is on, and the heap freed by start-up is
given back. And a one-shot command builds only its own part of the CLI."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from rfrun_util import free_port

WRAP = textwrap.dedent("""
    import sys
    from ringfence import cli
    rc = cli.main(sys.argv[2:])
    open(sys.argv[1], "w").write("\\n".join(sorted(sys.modules)))
    sys.exit(rc)
""")


def _modules_of_an_idle_proxy(tmp_path, env_extra: dict) -> set[str]:
    # a free port can be taken by another process before the proxy binds it: try again
    for attempt in range(3):
        mods = _try_idle_proxy(tmp_path / f"modules-{attempt}.txt", env_extra)
        if mods is not None:
            return mods
    raise AssertionError("the proxy never started (three ports tried)")


def _try_idle_proxy(out, env_extra: dict) -> set[str] | None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "RINGFENCE_ADMIN_TOKEN"}
    env.update(env_extra)
    p = subprocess.Popen([sys.executable, "-c", WRAP, str(out), "run", "-q", "--listen", f"127.0.0.1:{port}"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        for line in p.stdout:
            if "listening on" in line:
                break
        p.send_signal(signal.SIGTERM)
        p.wait(60)
    finally:
        if p.poll() is None:
            p.kill()
    return set(out.read_text().split()) if out.exists() else None


def test_idle_proxy_without_admin_loads_no_web_stack_or_metrics(tmp_path):
    mods = _modules_of_an_idle_proxy(tmp_path, {})
    assert "ringfence.proxy.server" in mods and "ringfence.engine" in mods
    assert not {m for m in mods if m.split(".")[0] in ("aiohttp", "prometheus_client")}
    assert "ringfence.ops.admin" not in mods and "ringfence.ops.metrics" not in mods


def test_metrics_exist_only_where_they_can_be_read():
    from ringfence.config import Config
    from ringfence.core import decide
    from ringfence.proxy.state import Hooks
    assert Hooks(Config(), metrics=False).metrics is None
    assert Hooks(Config()).metrics is not None          # the admin port (or a caller) reads them
    Hooks(Config(), metrics=False).observe("forward", decide([]), 10)  # a no-op, never an error


def test_release_heap_never_raises():
    from ringfence.commands.run import release_heap
    release_heap()


def test_one_shot_command_builds_only_its_parser_and_keeps_its_interface():
    from ringfence import cli
    only = cli.build_parser("check")
    sub = next(a for a in only._actions if a.dest == "command")
    assert list(sub.choices) == ["check"]
    full = cli.build_parser()
    assert {"check", "run", "serve-api", "mcp", "verify"} <= set(next(
        a for a in full._actions if a.dest == "command").choices)
    # a command registered under another name than its module, or none at all: the whole parser
    assert "serve-api" in next(a for a in cli.build_parser("serve-api")._actions if a.dest == "command").choices
    assert len(next(a for a in cli.build_parser("nosuch")._actions if a.dest == "command").choices) > 10
    r = subprocess.run([sys.executable, "-m", "ringfence", "check", "--text", "-"], input=b"hello world",
                       capture_output=True, timeout=120)
    assert r.returncode == 0 and b"ALLOW" in r.stdout
    r = subprocess.run([sys.executable, "-m", "ringfence", "nosuch"], capture_output=True, timeout=120)
    assert r.returncode == 2 and b"invalid choice" in r.stderr
