"""`ringfence exec`: run a command (an agent) behind ringfence."""
from __future__ import annotations

import argparse
import sys

HELP = """\
Starts the proxy (or reuses a healthy ringfence already listening at --listen), points the
command at it with HTTP(S)_PROXY / ALL_PROXY (NO_PROXY for loopback) and, with TLS
interception, every CA-trust variable the common runtimes read (SSL_CERT_FILE,
REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, GIT_SSL_CAINFO, PIP_CERT: system CAs plus ringfence's
CA; NODE_EXTRA_CA_CERTS: ringfence's CA). Runs the command, returns its exit status, and
stops the proxy it started.

--contain (Linux) runs the command in its own network namespace whose only way out is
ringfence: no other interface, no direct sockets, no DNS. It uses a user namespace where
the kernel allows one, and needs root otherwise; where neither works it exits 2.

examples:
  ringfence exec -- curl https://example.com
  ringfence exec --contain -- claude
  ringfence exec --intercept --contain -- python agent.py

exit status: the command's; 2 for a usage error or when --contain is impossible here
"""


def register(sub) -> None:
    from .common import add_config_option, add_receipt_options
    from .runtime import add_no_receipts
    p = sub.add_parser("exec", help="run a command (an agent) behind ringfence; --contain: no other way out",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_option(p)
    p.add_argument("--listen", metavar="HOST:PORT", help="proxy address (default: proxy.listen, 127.0.0.1:8888)")
    add_receipt_options(p)
    add_no_receipts(p)
    p.add_argument("--resolve", metavar="HOST:PORT:ADDR", action="append", default=[],
                   help="as for `ringfence run` (tests and local development only)")
    p.add_argument("--upstream-ca", metavar="FILE", help="as for `ringfence run`")
    p.add_argument("--intercept", action="store_true", help="intercept TLS (default: tls.intercept from config)")
    p.add_argument("--ca-dir", metavar="DIR", help="CA directory (default: tls.ca_dir)")
    p.add_argument("--contain", action="store_true",
                   help="run the command in a network namespace whose only way out is ringfence (Linux)")
    p.add_argument("-q", "--quiet", action="store_true", help="proxy logs warnings only")
    from .runtime import add_console_options
    add_console_options(p)
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS...")
    p.set_defaults(func=handler)


def _healthy(host: str, port: int) -> bool:
    import http.client
    import json
    try:
        c = http.client.HTTPConnection(host, port, timeout=2)
        c.request("GET", "/healthz")
        r = c.getresponse()
        ok = r.status == 200 and json.loads(r.read(4096) or b"{}").get("service") == "ringfence"
        c.close()
        return ok
    except (OSError, ValueError, http.client.HTTPException):
        return False


def _run_args(args, config_path: str | None, listen: str) -> list[str]:
    out = ["run", "--listen", listen]
    if config_path:
        out += ["--config", config_path]
    for flag in ("receipts", "signing_key", "upstream_ca", "ca_dir"):
        v = getattr(args, flag)
        if v:
            out += ["--" + flag.replace("_", "-"), v]
    for r in args.resolve:
        out += ["--resolve", r]
    if args.no_receipts:
        out.append("--no-receipts")
    if args.intercept:
        out.append("--intercept")
    if args.quiet:
        out.append("-q")
    if args.verbose:
        out.append("-v")
    out += ["--log-format", args.log_format]
    return out


def _start_proxy(argv: list[str], timeout: float = 180.0):
    """Start `ringfence run`; wait for its "listening" line. (process, port) or UsageError."""
    import re
    import subprocess
    import threading

    from ..cli import UsageError
    # its own session: Ctrl-C goes to the command, and the proxy is stopped after it
    proc = subprocess.Popen([sys.executable, "-m", "ringfence", *argv], stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    found: list[int] = []
    ready = threading.Event()

    def read():
        for line in proc.stdout:
            m = re.search(r"listening on \S+:(\d+)", line)
            if m and not found:
                found.append(int(m.group(1)))
                ready.set()
            elif found:
                sys.stdout.write(line)
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    ready.wait(timeout)
    if not found:
        if proc.poll() is None:
            proc.terminate()
        rc = proc.wait(10)
        raise UsageError(f"the proxy did not start (exit {rc}); see its message above")
    return proc, found[0]


def _stop(proc) -> None:
    import subprocess
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def handler(args) -> int:
    import os
    import tempfile

    from ..cli import UsageError
    from ..contain.env import build_env, combined_bundle
    from .runtime import parse_listen, runtime_config

    cmd = list(args.command or [])
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise UsageError("nothing to run: ringfence exec [flags] -- COMMAND ARGS...")
    config, config_path = runtime_config(args.config, quiet=args.quiet)
    listen = args.listen or config.proxy.listen
    host, port = parse_listen(listen)
    intercept = args.intercept or config.tls.intercept
    ca_pem = None
    if intercept:
        ca_pem = os.path.join(os.path.expanduser(args.ca_dir or config.tls.ca_dir), "ca.pem")
        if not os.path.isfile(ca_pem):
            raise UsageError(f"TLS interception needs a CA: no {ca_pem} (run `ringfence init` or `ringfence tls init`)")
    if args.contain:
        from ..contain.netns import ContainError, unshare_argv
        try:
            unshare_argv()  # fail before starting anything
        except ContainError as e:
            raise UsageError(str(e)) from None
    proc = None
    if _healthy(host, port):
        print(f"ringfence: reusing the proxy already running on {host}:{port} (its own flags apply)",
              file=sys.stderr)
    else:
        proc, port = _start_proxy(_run_args(args, config_path, f"{host}:{port}"))
    try:
        with tempfile.TemporaryDirectory(prefix="ringfence-exec-") as d:
            bundle = combined_bundle(ca_pem, os.path.join(d, "ca-bundle.pem")) if ca_pem else None
            proxy_host = "127.0.0.1" if host in ("0.0.0.0", "::", "localhost") else host
            url = f"http://{proxy_host if ':' not in proxy_host else '[' + proxy_host + ']'}:{port}"
            if args.contain:
                from ..contain.netns import run_contained
                env = build_env(dict(os.environ), f"http://127.0.0.1:{port}", ca_pem, bundle)
                return run_contained(cmd, env, proxy_host, port)
            env = build_env(dict(os.environ), url, ca_pem, bundle)
            from ..contain.netns import run_forwarding
            try:
                return run_forwarding(cmd, env)
            except OSError as e:
                print(f"ringfence: cannot run {cmd[0]}: {e.strerror or e}", file=sys.stderr)
                return 127
    finally:
        if proc is not None:
            _stop(proc)
