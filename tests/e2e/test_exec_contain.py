"""`ringfence exec` (and `--contain`): real proxy process, real clients inside
(curl, Python urllib/requests, Node), TLS interception with the CA variables it sets."""
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from procs import free_port

pytestmark = pytest.mark.timeout(300)


class _H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello from upstream {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    import trustme
    tmp = tmp_path_factory.mktemp("exec")
    home = tmp / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=os.path.expanduser("~/.cache"))
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(k, None)
    r = subprocess.run([sys.executable, "-m", "ringfence", "init"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    ca = trustme.CA()
    upstream_ca = tmp / "upstream-ca.pem"
    ca.cert_pem.write_to_path(str(upstream_ca))
    plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _H)
    tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("app.test").configure_cert(ctx)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    for s in (plain, tls):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    yield {"env": env, "home": home, "tmp": tmp, "upstream_ca": str(upstream_ca),
           "plain": plain.server_address[1], "tls": tls.server_address[1]}
    plain.shutdown()
    tls.shutdown()


def _exec(world, *flags, script, timeout=240):
    port = free_port()
    argv = [sys.executable, "-m", "ringfence", "exec", "--listen", f"127.0.0.1:{port}",
            "--resolve", f"plain.test:{world['plain']}:127.0.0.1", "--resolve", f"app.test:{world['tls']}:127.0.0.1",
            "--upstream-ca", world["upstream_ca"], *flags, "--", "sh", "-c", script]
    r = subprocess.run(argv, env=world["env"], capture_output=True, text=True, timeout=timeout)
    return r, port


NODE_CONNECT = r"""
const http = require('http'), tls = require('tls');
const p = new URL(process.env.HTTPS_PROXY), [host, port] = process.argv[2].split(':');
const req = http.request({host: p.hostname, port: p.port, method: 'CONNECT', path: `${host}:${port}`});
req.on('connect', (res, sock) => {
  const t = tls.connect({socket: sock, servername: host}, () => {
    t.write(`GET /node HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
  let out = ''; t.on('data', d => out += d); t.on('end', () => { console.log(out.split('\r\n\r\n')[1]); });
  t.on('error', e => { console.log('NODE-ERR ' + e.code); process.exit(3); });
});
req.end();
"""


def test_exec_sets_env_runs_command_and_stops_proxy(world):
    script = ("env | grep -E '^(HTTPS_PROXY|NO_PROXY|SSL_CERT_FILE|NODE_EXTRA_CA_CERTS|REQUESTS_CA_BUNDLE|"
              "CURL_CA_BUNDLE|GIT_SSL_CAINFO|PIP_CERT)=' | sort; "
              f"curl -s --max-time 20 https://app.test:{world['tls']}/x; echo; exit 7")
    r, port = _exec(world, script=script)
    assert r.returncode == 7, r.stderr
    env = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
    assert env["HTTPS_PROXY"] == f"http://127.0.0.1:{port}"
    assert "127.0.0.1" in env["NO_PROXY"]
    assert env["NODE_EXTRA_CA_CERTS"] == str(world["home"] / ".ringfence" / "ca" / "ca.pem")
    for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "PIP_CERT"):
        assert env[k] == env["SSL_CERT_FILE"]
    assert "hello from upstream /x" in r.stdout  # intercepted and verified with the bundle
    # the proxy it started is gone, and so is the bundle
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert not os.path.exists(env["SSL_CERT_FILE"])


def test_exec_reuses_a_running_proxy(world):
    port = free_port()
    proxy = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}",
                              "--no-receipts", "--resolve", f"plain.test:{world['plain']}:127.0.0.1"],
                             env=world["env"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "listening" in proxy.stdout.readline()
        r = subprocess.run([sys.executable, "-m", "ringfence", "exec", "--listen", f"127.0.0.1:{port}", "--",
                            "curl", "-s", "--max-time", "20", f"http://plain.test:{world['plain']}/r"],
                           env=world["env"], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and "hello from upstream /r" in r.stdout, r.stderr
        assert "reusing the proxy" in r.stderr
        assert proxy.poll() is None  # not ours to stop
    finally:
        proxy.terminate()
        proxy.wait(20)


def test_exec_usage_errors(world):
    r = subprocess.run([sys.executable, "-m", "ringfence", "exec", "--listen", "127.0.0.1:70000", "--", "true"],
                       env=world["env"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "outside 1-65535" in r.stderr
    r = subprocess.run([sys.executable, "-m", "ringfence", "exec"], env=world["env"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and "nothing to run" in r.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("unshare"),
                    reason="network namespaces are Linux-only")
@pytest.mark.parametrize("userns", ["0", "1"])
def test_contained_command_only_reaches_ringfence(world, tmp_path, userns):
    world = dict(world, env=dict(world["env"], RINGFENCE_CONTAIN_USERNS=userns))
    node = tmp_path / "connect.js"
    node.write_text(NODE_CONNECT)
    p, t = world["plain"], world["tls"]
    script = f"""
echo "A:$(curl -s --max-time 20 http://plain.test:{p}/proxied)"
curl -s --noproxy '*' --max-time 5 http://127.0.0.1:{p}/direct; echo "B:$?"
echo "C:$(curl -s --max-time 20 https://app.test:{t}/tls)"
echo "D:$({sys.executable} -c "import urllib.request;print(urllib.request.urlopen('https://app.test:{t}/urllib',timeout=20).read().decode())")"
echo "E:$({sys.executable} -c "import requests;print(requests.get('https://app.test:{t}/requests',timeout=20).text)")"
{sys.executable} -c "import socket;socket.getaddrinfo('example.com',443)" 2>/dev/null; echo "F:$?"
echo "G:$(node {node} app.test:{t})"
echo "H:$({sys.executable} -c "import socket;print(' '.join(n for _, n in socket.if_nameindex()))")"
curl -s --max-time 20 "http://plain.test:{p}/?k=AKIAIOSFODNN7EXAMPLE" | sed 's/^/I:/'; echo
exit 5
"""
    r, _ = _exec(world, "--contain", script=script)
    out = dict(l.split(":", 1) for l in r.stdout.splitlines() if len(l) > 1 and l[1] == ":")
    assert r.returncode == 5, r.stdout + r.stderr
    assert out["A"] == "hello from upstream /proxied"
    assert out["B"] == "7"                          # direct: nothing listens in the namespace
    assert out["C"] == "hello from upstream /tls"   # intercepted, verified, no -k
    assert out["D"] == "hello from upstream /urllib"
    assert out["E"] == "hello from upstream /requests"
    assert out["F"] != "0"                          # no DNS
    if shutil.which("node"):
        assert out["G"] == "hello from upstream /node"
    assert out["H"].split() == ["lo"]
    blocked = json.loads(out["I"])
    assert blocked["blocked"] is True and blocked["scanner"] == "dlp" and blocked["receipt_id"]


def test_contain_impossible_is_a_clear_exit_2(world, tmp_path):
    env = dict(world["env"], PATH=str(tmp_path))  # no unshare on PATH
    r = subprocess.run([sys.executable, "-m", "ringfence", "exec", "--contain", "--listen",
                        f"127.0.0.1:{free_port()}", "--", "true"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "--contain needs" in r.stderr and "Traceback" not in r.stderr


MCP_SERVER = r"""
import sys, anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
server = MCPServer(name="remote")

@server.tool(description="Add two integers.")
def add(a: int, b: int) -> int:
    return a + b

anyio.run(lambda: server.run_streamable_http_async(host="127.0.0.1", port=int(sys.argv[1]),
    transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False)))
"""

MCP_CLIENT = r"""
import os, sys, anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters
async def main():
    p = StdioServerParameters(command=sys.executable, env=dict(os.environ),
                              args=["-m", "ringfence", "mcp", "proxy", "--no-receipts", "--upstream", sys.argv[1]])
    async with Client(p) as c:
        print("SUM:" + (await c.call_tool("add", {"a": 20, "b": 22})).content[0].text)
anyio.run(main)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("unshare"),
                    reason="network namespaces are Linux-only")
def test_contained_agent_reaches_a_remote_mcp_server_through_ringfence(world, tmp_path):
    """A wrapped remote MCP server (`mcp proxy --upstream URL`) inside --contain: the
    bridge tunnels through the proxy, the only way out."""
    srv, cli = tmp_path / "srv.py", tmp_path / "cli.py"
    srv.write_text(MCP_SERVER)
    cli.write_text(MCP_CLIENT)
    port = free_port()
    server = subprocess.Popen([sys.executable, str(srv), str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        import time
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        r, _ = _exec(world, "--contain", "--resolve", f"mcp.test:{port}:127.0.0.1",
                     script=f"{sys.executable} {cli} http://mcp.test:{port}/mcp")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "SUM:42" in r.stdout
    finally:
        server.terminate()
        server.wait(10)


def _terminal_like():
    import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def test_exec_forwards_ctrl_c_to_the_command_then_stops_the_proxy(world):
    import signal
    import time
    port = free_port()
    p = subprocess.Popen([sys.executable, "-m", "ringfence", "exec", "--no-receipts", "--listen", f"127.0.0.1:{port}",
                          "--", "sh", "-c", 'trap "echo got-int; exit 3" INT; echo ready; while :; do sleep 0.1; done'],
                         env=world["env"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         # as from a terminal: SIGINT not ignored (a background test runner may ignore it)
                         preexec_fn=_terminal_like)
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert p.returncode == 3 and "got-int" in out
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            break
        assert time.monotonic() < deadline, "the proxy was left running"
        time.sleep(0.2)
