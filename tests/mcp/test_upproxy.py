"""Which proxy the stdio-to-HTTP bridge uses for its upstream."""
from ringfence.mcp.upproxy import proxy_for


def test_proxy_env_and_no_proxy():
    env = {"HTTPS_PROXY": "http://127.0.0.1:8888", "HTTP_PROXY": "http://127.0.0.1:8889",
           "NO_PROXY": "localhost,127.0.0.1,::1,.corp.example,10.0.0.0/8"}
    assert proxy_for("https", "mcp.example.com", env) == ("127.0.0.1", 8888)
    assert proxy_for("http", "mcp.example.com", env) == ("127.0.0.1", 8889)
    for direct in ("localhost", "127.0.0.1", "::1", "a.corp.example", "corp.example", "10.1.2.3"):
        assert proxy_for("https", direct, env) is None
    assert proxy_for("https", "notcorp.example", env) == ("127.0.0.1", 8888)
    assert proxy_for("https", "x.example", {}) is None
    assert proxy_for("https", "x.example", {"ALL_PROXY": "127.0.0.1:3128"}) == ("127.0.0.1", 3128)
    assert proxy_for("https", "x.example", {"HTTPS_PROXY": "socks5://127.0.0.1:1080"}) is None
    assert proxy_for("https", "x.example", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}) is None
