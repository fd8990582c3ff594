"""Per-registrable-domain request rate and data budget."""
import threading

from ringfence.config import Config
from ringfence.scanners.ratelimit import RateLimiter, registrable_domain, split_host
from ringfence.scanners.url import UrlScanner


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def limiter(clock=None, **url):
    return RateLimiter(Config.model_validate({"url": url}), clock=clock or Clock())


def test_registrable_domain():
    assert registrable_domain("a.b.example.co.uk") == "example.co.uk"
    assert registrable_domain("API.GitHub.com.") == "github.com"
    assert registrable_domain("203.0.113.5") == "203.0.113.5"
    assert registrable_domain("::1") == "::1"
    assert registrable_domain("localhost") == "localhost"
    assert split_host("x.y.evil.com") == ("x.y", "evil.com")
    assert split_host("evil.com") == ("", "evil.com")


def test_disabled_by_default():
    rl = RateLimiter(Config())
    assert not rl.enabled
    assert all(rl.check("example.com") is None for _ in range(1000))


def test_requests_per_minute_per_registrable_domain():
    clock = Clock()
    rl = limiter(clock, requests_per_minute=3)
    assert [rl.check(h) for h in ("a.example.com", "b.example.com", "example.com")] == [None] * 3
    f = rl.check("c.example.com")
    assert f is not None and (f.scanner, f.rule, f.action) == ("ratelimit", "requests_per_minute", "block")
    assert rl.check("other.org") is None           # another domain has its own window
    clock.t += 59
    assert rl.check("example.com") is not None      # still inside the window
    clock.t += 1.5
    assert rl.check("example.com") is None          # window slid past the first requests
    assert rl.usage("example.com")[0] == 1


def test_refused_requests_do_not_extend_the_lockout():
    clock = Clock()
    rl = limiter(clock, requests_per_minute=1)
    assert rl.check("example.com") is None
    for _ in range(50):
        clock.t += 1
        assert rl.check("example.com") is not None
    clock.t += 11
    assert rl.check("example.com") is None


def test_data_budget():
    clock = Clock()
    rl = limiter(clock, bytes_per_minute=1000)
    assert rl.check("cdn.example.com") is None
    rl.add_bytes("cdn.example.com", 600)
    assert rl.check("www.example.com") is None
    rl.add_bytes("www.example.com", 500)
    f = rl.check("example.com")
    assert f is not None and f.rule == "data_budget"
    clock.t += 61
    assert rl.check("example.com") is None
    assert rl.usage("example.com") == (0, 0)


def test_warn_action_configurable():
    rl = limiter(requests_per_minute=1, rate_limit_action="warn")
    rl.check("example.com")
    assert rl.check("example.com").action == "warn"


def test_memory_bounded():
    rl = RateLimiter(Config.model_validate({"url": {"requests_per_minute": 5, "bytes_per_minute": 10**9}}),
                     max_domains=100, clock=Clock())
    for i in range(1000):
        rl.check(f"host{i}.example{i}.com")
        rl.add_bytes(f"host{i}.example{i}.com", 10)
    assert len(rl._buckets) == 100
    for _ in range(10000):
        rl.add_bytes("big.example.com", 1)
    assert len(rl._buckets["example.com"].bytes) <= 4096
    assert rl.usage("example.com")[1] == 10000


def test_thread_safe_counts():
    rl = limiter(requests_per_minute=500)
    results = []

    def worker():
        results.extend(rl.check("example.com") for _ in range(100))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sum(r is None for r in results) == 500
    assert sum(r is not None for r in results) == 300


def test_url_scanner_applies_rate_limit_last():
    s = UrlScanner(Config.model_validate({"url": {"requests_per_minute": 2}}), None)
    assert not s.scan("https://a.example.com/").blocked
    assert not s.scan("https://b.example.com/").blocked
    assert s.scan("https://pastebin.com/x").findings[0].rule == "domain_blocklist"
    res = s.scan("https://c.example.com/")
    assert res.blocked and res.findings[-1].scanner == "ratelimit"
    assert s.scan_hostport("d.example.com", 443).blocked
