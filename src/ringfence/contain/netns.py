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
            child = subprocess.Popen(argv, env=env)
            return wait_child(child)
        finally:
            bridge.close()


def wait_child(child: subprocess.Popen) -> int:
    import signal
    old = {s: signal.signal(s, lambda sig, _f: child.send_signal(sig))
           for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        rc = child.wait()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    return 128 - rc if rc < 0 else rc
