"""Start a command in a fresh network namespace that can only reach the proxy."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from .bridge import UnixToTcp


class ContainError(Exception):
    """Containment is not possible here; the message says why and what to do."""


def unshare_argv() -> list[str]:
    """The unshare prefix: a new network namespace, and a user namespace unless root."""
    if not sys.platform.startswith("linux"):
        raise ContainError("--contain needs Linux network namespaces; this is " + sys.platform)
    exe = shutil.which("unshare")
    if not exe:
        raise ContainError("--contain needs the `unshare` program (util-linux); install it "
                           "(apt-get install util-linux) or run without --contain")
    # root: a network namespace is enough; otherwise (or with RINGFENCE_CONTAIN_USERNS=1) a user
    # namespace too, where the command runs as a mapped root with no power outside it
    userns = os.geteuid() != 0 or os.environ.get("RINGFENCE_CONTAIN_USERNS") == "1"
    argv = [exe, "--user", "--map-root-user", "--net"] if userns else [exe, "--net"]
    try:
        probe = subprocess.run(argv + ["--", "true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ContainError(f"--contain: cannot start unshare: {e}") from None
    if probe.returncode != 0:
        why = (probe.stderr or "").strip().splitlines()[-1:] or ["unknown error"]
        hint = ("this kernel does not allow unprivileged user namespaces "
                "(sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces, or AppArmor's "
                "kernel.apparmor_restrict_unprivileged_userns); run as root or allow them"
                if os.geteuid() != 0 else "the container or seccomp policy forbids new namespaces")
        raise ContainError(f"--contain: cannot create a network namespace ({why[0]}): {hint}")
    return argv


def run_contained(cmd: list[str], env: dict[str, str], proxy_host: str, proxy_port: int) -> int:
    prefix = unshare_argv()
    with tempfile.TemporaryDirectory(prefix="ringfence-contain-") as d:
        os.chmod(d, 0o700)
        path = os.path.join(d, "proxy.sock")
        bridge = UnixToTcp(path, proxy_host, proxy_port).start()
        try:
            argv = prefix + ["--", sys.executable, "-m", "ringfence.contain.inner", path, str(proxy_port),
                             "--", *cmd]
            return run_forwarding(argv, env)
        finally:
            bridge.close()


def wait_polling(child: subprocess.Popen) -> int:
    """child.wait(), waking up often: Python runs signal handlers only on the main thread,
    which a signal delivered to another thread would not interrupt in a blocking wait."""
    while True:
        try:
            return child.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue


def run_forwarding(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Run argv; SIGINT/SIGTERM/SIGHUP go to it (the handlers are in place before it
    starts, so an early Ctrl-C is not lost). Exit status as a shell reports it."""
    import signal
    child: subprocess.Popen | None = None
    early: list[int] = []

    def forward(sig, _frame):
        if child is None:
            early.append(sig)
        else:
            child.send_signal(sig)
    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        child = subprocess.Popen(argv, env=env)
        for sig in early:
            child.send_signal(sig)
        rc = wait_polling(child)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if child is not None and child.poll() is None:  # never leave it running behind us
            child.kill()
            child.wait()
    return 128 - rc if rc < 0 else rc
