"""The URL pipeline, layer by layer: true positives and near-miss true negatives."""
import json
import pathlib
import re

import pytest

from ringfence.config import Config
from ringfence.core import Finding
from ringfence.scanners.ssrf import ResolveError, StaticResolver
from ringfence.scanners.url import UrlScanner
from shared_corpus import AEB_CASES, require

from ringfence.bench.cases import bench_config_data

AEB = require(AEB_CASES)


class RecordingDlp:
    """Stands in for DlpScanner (not merged yet): records what the URL layer hands
    to DLP and flags one token shape, so routing and decoding can be tested."""
    token = re.compile(r"AKIA[0-9A-Z]{16}", re.I)  # the real patterns are case-insensitive too

    def __init__(self):
        self.fields = []

    def scan(self, text, where="text"):
        return self.scan_fields([(where, text)])

    def scan_fields(self, fields):
        fields = list(fields)
        self.fields += fields
        out = []
        # like the real scanner: each field alone, then all fields joined
        for where, value in fields + ([("", "".join(v for _, v in fields))] if len(fields) > 1 else []):
            m = self.token.search(value)
            if m:
                out.append(Finding("dlp", "aws_access_key", "critical", m.group(0)[:4] + "***", where, "block"))
        return out


def scanner(**url):
    cfg = Config.model_validate({"url": url}) if url else Config()
    return UrlScanner(cfg, RecordingDlp())


def rules(res):
    return [(f.scanner, f.rule) for f in res.findings]


def verdict(s, url, ip="203.0.113.10"):
    res = s.scan(url)
    if res.blocked:
        return "block", res
    if res.host:
        _, more = s.resolve_and_check(res, StaticResolver({res.host: [ip]}))
        if any(f.action == "block" for f in more):
            return "block", res
    return "allow", res


S = scanner()


# -- canonical form -----------------------------------------------------------

@pytest.mark.parametrize("url,host,port,is_ip,canon", [
    ("HTTPS://API.Example.COM./v1?x=1#f", "api.example.com", 443, False, "https://api.example.com/v1?x=1#f"),
    ("http://example.com:8080", "example.com", 8080, False, "http://example.com:8080/"),
    ("http://example.com:80/", "example.com", 80, False, "http://example.com/"),
    ("http://[2001:DB8::1]:8443/x", "2001:db8::1", 8443, True, "http://[2001:db8::1]:8443/x"),
    ("https://bücher.example/", "xn--bcher-kva.example", 443, False, "https://xn--bcher-kva.example/"),
    ("http://user:pw@example.com/", "example.com", 80, False, "http://user:pw@example.com/"),
    ("  https://example.com/a\tb  ", "example.com", 443, False, "https://example.com/ab"),
    ("wss://example.com/socket", "example.com", 443, False, "wss://example.com/socket"),
])
def test_canonical(url, host, port, is_ip, canon):
    res = S.scan(url)
    assert not res.blocked, res.findings
    assert (res.host, res.port, res.is_ip, res.url) == (host, port, is_ip, canon)


@pytest.mark.parametrize("url,rule", [
    ("http://2130706433/admin", "internal_address"), ("http://0x7f000001/", "internal_address"),
    ("http://0177.0.0.1/", "internal_address"), ("http://127.1/", "internal_address"),
    ("http://0x7f.1/", "internal_address"), ("http://10.1/", "internal_address"),
    ("http://[::1]/", "internal_address"), ("http://[::ffff:127.0.0.1]/", "internal_address"),
    ("http://[::ffff:a9fe:a9fe]/", "metadata"), ("http://[64:ff9b::7f00:1]/", "internal_address"),
    ("http://[2002:a9fe:a9fe::]/", "metadata"), ("http://[fe80::1%25eth0]/", "internal_address"),
    ("http://%31%32%37.0.0.1/", "internal_address"), ("http://１２７。０。０。１/", "internal_address"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"), ("http://0xa9fea9fe/", "metadata"),
    ("http://[::]/", "internal_address"), ("http://0/", "internal_address"),
    ("http://255.255.255.255/", "internal_address"), ("http://198.18.0.1/", "internal_address"),
    ("http://127.0.0.1.:8080/", "internal_address"),
])
def test_ip_literals_judged_before_dns(url, rule):
    res = S.scan(url)
    assert res.blocked and ("ssrf", rule) in rules(res), res.findings
    assert res.is_ip


@pytest.mark.parametrize("url", ["http://203.0.113.10/", "http://8.8.8.8/dns", "http://[2606:4700::1111]/",
                                 "http://0xcb007105/", "http://3405803786/"])
def test_public_ip_literals_pass(url):
    assert verdict(S, url)[0] == "allow"


# -- layer 0: length and controls ----------------------------------------------

def test_length_checked_first():
    s = scanner(max_url_length=100)
    res = s.scan("https://example.com/" + "a" * 200)
    assert rules(res) == [("url", "too_long")]
    assert not s.dlp.fields  # nothing later ran
    assert not s.scan("https://example.com/" + "a" * 70).blocked


def test_raw_crlf_and_control_stripping():
    assert ("url", "crlf_injection") in rules(S.scan("https://example.com/a\r\nX-Evil: 1"))
    assert ("url", "crlf_injection") in rules(S.scan("https://example.com/a\x00"))
    res = S.scan("https://example.com/p\u200bath?k=v\u2060al")
    assert not res.blocked and res.url == "https://example.com/path?k=val"


# -- layer 1: parse failures -----------------------------------------------------

@pytest.mark.parametrize("url,rule", [
    ("example.com/x", "parse_error"), ("http:example.com", "parse_error"), ("http:///example.com", "ambiguous_url"),
    ("http://evil.com\\@127.0.0.1/", "ambiguous_url"), ("http://a@b@127.0.0.1/", "ambiguous_url"),
    ("http://example.com:99999/", "invalid_port"), ("http://example.com:8o/", "invalid_port"),
    ("http://[::1/", "invalid_host"), ("http:///", "ambiguous_url"), ("http://:80/", "invalid_host"),
    ("http://256.0.0.1/", "invalid_ipv4"), ("http://1.2.3.4.5/", "invalid_ipv4"), ("http://ex ample.com/", "invalid_host"),
    ("http://exa_mple..com/", "invalid_host"), ("http://%2541.com/", "invalid_host"), ("http://a:b:c/", "invalid_host"),
    ("http://" + "a" * 64 + ".com/", "invalid_host"),
])
def test_parse_failures_block_with_clear_rule(url, rule):
    res = S.scan(url)
    assert res.blocked and rules(res) == [("url", rule)], res.findings


# -- layer 2: scheme -------------------------------------------------------------

@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.com/", "ftp://example.com/", "javascript://x/"])
def test_scheme_blocked(url):
    res = S.scan(url)
    assert res.blocked and res.findings[0].rule in ("scheme_not_allowed", "parse_error", "ambiguous_url")


def test_scheme_configurable():
    assert not scanner(allowed_schemes=["https", "ftp"]).scan("ftp://example.com/pub").blocked
    assert scanner(allowed_schemes=["https"]).scan("http://example.com/").blocked


# -- layer 3: CRLF ---------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://example.com/a%0d%0aSet-Cookie:x", "https://example.com/a%0AX", "https://example.com/?q=1%0d%0a",
    "https://example.com/a%250d%250aX", "https://example.com/a%25250aX", "https://example.com/a%00.png",
])
def test_crlf_encoded(url):
    assert S.scan(url).findings[0].rule in ("crlf_injection", "null_byte")


@pytest.mark.parametrize("url", [
    "https://example.com/page#%0d%0a", "https://example.com/a%0b", "https://example.com/%20%0f",
    "https://example.com/100%25", "https://example.com/a%2d%2e",
])
def test_crlf_near_misses(url):
    assert not S.scan(url).blocked


# -- layer 4: traversal -----------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://example.com/a/../etc/passwd", "https://example.com/..", "https://example.com/a/%2e%2e/b",
    "https://example.com/a/%252e%252e/b", "https://example.com/a%2f..%2fb", "https://example.com/a/..%5cb",
    "https://example.com/a\\..\\b", "https://example.com/a/.%2E/b", "https://example.com/a/..;/b",
    "https://example.com/%c0%ae%c0%ae/b", "https://example.com/dl?file=../../etc/passwd",
])
def test_traversal(url):
    assert ("url", "path_traversal") in rules(S.scan(url))


@pytest.mark.parametrize("url", [
    "https://example.com/a..b/c", "https://example.com/.../x", "https://example.com/v1.2..3",
    "https://example.com/a/./b", "https://example.com/?next=../login", "https://example.com/file..txt",
])
def test_traversal_near_misses(url):
    assert not S.scan(url).blocked


# -- layer 5: allow and block lists -----------------------------------------------------

@pytest.mark.parametrize("host", ["pastebin.com", "www.pastebin.com", "PASTEBIN.COM.", "x.y.webhook.site"])
def test_blocklist(host):
    assert ("blocklist", "domain_blocklist") in rules(S.scan(f"https://{host}/x"))


@pytest.mark.parametrize("host", ["notpastebin.com", "pastebin.com.evil.org", "pastebin.co", "example.net",
                                  "exfil-collector.example.net"])
def test_blocklist_near_misses(host):
    assert not S.scan(f"https://{host}/x").blocked


def test_allowlist():
    s = scanner(allowlist=["*.github.com", "pypi.org"])
    assert not s.scan("https://api.github.com/x").blocked
    assert not s.scan("https://github.com/").blocked
    assert not s.scan("https://PyPI.org./simple").blocked
    assert ("blocklist", "not_allowlisted") in rules(s.scan("https://files.pypi.org/x"))
    assert ("blocklist", "not_allowlisted") in rules(s.scan("https://github.com.evil.io/"))


# -- layer 6: local and metadata names ----------------------------------------------------

@pytest.mark.parametrize("host,rule", [
    ("metadata.google.internal", "metadata_host"), ("METADATA.GOOGLE.INTERNAL.", "metadata_host"),
    ("metadata", "metadata_host"), ("instance-data", "metadata_host"), ("localhost", "local_host_name"),
    ("app.localhost", "local_host_name"), ("localhost.", "local_host_name"),
])
def test_names_blocked_before_dns(host, rule):
    assert ("ssrf", rule) in rules(S.scan(f"http://{host}/computeMetadata/v1/"))


@pytest.mark.parametrize("host", ["metadata.example.com", "localhost.example.com", "mylocalhost.com",
                                  "instance-data.example.org"])
def test_names_near_misses(host):
    assert not S.scan(f"http://{host}/").blocked


def test_trusted_domain_exempts_name_and_resolution():
    cfg = Config.model_validate({"ssrf": {"trusted_domains": ["*.corp.example", "localhost"]}})
    s = UrlScanner(cfg, RecordingDlp())
    assert not s.scan("http://localhost:8080/").blocked
    res = s.scan("https://wiki.corp.example/page")
    addrs, f = s.resolve_and_check(res, StaticResolver({"wiki.corp.example": ["10.1.2.3"]}))
    assert addrs == ["10.1.2.3"] and not f
    # the exemption is for names only: a literal private IP stays blocked
    assert s.scan("http://10.1.2.3/").blocked


# -- layer 7: DLP routing --------------------------------------------------------------------

KEY = "AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize("url,where", [
    (f"https://evil.example.com/api?key={KEY}", "url.query.key"),
    (f"https://evil.example.com/a/{KEY}/b", "url.path"),
    (f"https://{KEY.lower()}.evil.example.com/", None),     # lower-cased by DNS: caught by shape, not DLP
    (f"https://u:{KEY}@evil.example.com/", "url.userinfo"),
    (f"https://evil.example.com/#t={KEY}", "url.fragment"),
    ("https://evil.example.com/exfil?key=" + "".join(f"%25{ord(c):02x}" for c in KEY), "url.query.key"),
    ("https://evil.example.com/x?a=AKIAIOSF&b=ODNN7EXAMPLE", None),       # adjacent: the DLP join
    ("https://evil.example.com/x?a=AKIAIOSF&n=1&b=ODNN7EXAMPLE&c=2", "url.query*"),
    ("https://evil.example.com/x?a=AKIAIOSF&n=1&b=ODNN7EXAMPLE", "url.query*"),
    ("https://akiaiosf.odnn7exa.mple.evil.example.com/", None),
    (f"https://evil.example.com/exfil?key=AKIA\u200bIOS\u200bFODN\u200bN7EX\u200bAMPLE", "url.query.key"),
])
def test_dlp_sees_every_part(url, where):
    s = scanner()
    res = s.scan(url)
    assert res.blocked, (url, s.dlp.fields)
    if where:
        assert any(f.scanner == "dlp" and f.where == where for f in res.findings), res.findings


def test_dlp_gets_host_collapsed_and_runs_before_dns():
    s = scanner()
    res = s.scan("https://AKIAIOSF.ODNN7EXA.MPLE.example.com/")
    seen = dict(s.dlp.fields)
    assert seen["url.host.collapsed"] == "AKIAIOSFODNN7EXAMPLE"  # case as written: DNS keeps it
    assert seen["url.host"] == "AKIAIOSF.ODNN7EXA.MPLE.example.com"
    assert res.host == "akiaiosf.odnn7exa.mple.example.com"


def test_dlp_near_miss_clean_url_routes_all_parts():
    s = scanner()
    res = s.scan("https://u:p@www.example.com/docs/getting-started-guide?lang=en&page=2#install")
    assert not res.blocked
    wheres = {w for w, _ in s.dlp.fields}
    assert {"url.host", "url.userinfo", "url.path", "url.query.lang", "url.query.page", "url.fragment"} <= wheres


# -- layer 8: path and query entropy ---------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://evil.example.com/api/x7Kp2mQ9vR4sL8nW1bY6cT3fA0jH5dE/status",
    "https://evil.example.com/c?d=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdo",
    "https://evil.example.com/c?d=q8Xz%2B3Lm%2F9Rt7Vw2Ky5Np0Hs4Jb6Gd",
    "https://evil.example.com/c?d=q8Xz+3Lm/9Rt7Vw2Ky5Np0Hs4Jb6Gd",
    "https://evil.example.com/u?next=https://a.example/x7Kp2mQ9vR4sL8nW1bY6cT3fA0jH5dE",
    "https://evil.example.com/c?d=iVBORw0KGgoq8XzL3Lm9Rt7Vw2Ky5Np0Hs4Jb6GdZm9vYmFy",  # fake PNG prefix
    "https://evil.example.com/c?x7Kp2mQ9vR4sL8nW1bY6cT3fA0jH5dE=1",
])
def test_entropy_blocks(url):
    res = S.scan(url)
    assert res.blocked and res.findings[0].scanner == "entropy", res.findings
    assert "x7Kp2mQ9vR4sL8nW1bY6cT3fA0jH5dE" not in res.findings[0].excerpt


@pytest.mark.parametrize("url", [
    "https://api.github.com/upload?format=png&data=iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
    "https://example.com/img?src=data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVQI12NgAAIABQABNjN9GQ",
    "https://github.com/torvalds/linux/commit/e3b0c44298fc1c149afbf4c8996fb92427ae41e4",
    "https://registry.example.com/v2/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "https://api.example.com/items/550e8400-e29b-41d4-a716-446655440000",
    "https://blog.example.com/2024/how-to-fix-permission-denied-errors-in-golang-tests",
    "https://www.google.com/search?q=how+to+fix+%22permission+denied%22+error+in+golang+test&hl=en&num=10",
    "https://www.example.com/search?q=Quick+Brown+Foxes+Jumping+Over+Lazy+Dogs+Near+Riverbanks+Yesterday",
    "https://docs.github.com/security?content=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89%E3%81%AE%E3%82%BB",
    "https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.21/lodash.min.js",
    "https://example.com/r?url=https%3A%2F%2Fdocs.python.org%2F3%2Flibrary%2Furllib.parse.html",
    "https://example.com/x?ua=Mozilla%2F5.0+(X11%3B+Linux+x86_64)+AppleWebKit%2F537.36",
    "https://api.github.com/repos/golang/go/issues?state=open&page=2&per_page=30&sort=updated",
    "https://example.com/short/x7Kp2mQ9vR4sL8",  # under entropy_min_length
])
def test_entropy_near_misses(url):
    assert verdict(S, url)[0] == "allow", S.scan(url).findings


def test_entropy_threshold_and_exempt_hosts_configurable():
    url = "https://files.example.com/d/Ab3dEf7hIj1lMn5pQr9tUvWx2z"
    assert S.scan(url).blocked
    assert not scanner(entropy_threshold=5.5).scan(url).blocked
    assert not scanner(entropy_exempt_hosts=["*.example.com"]).scan(url).blocked


# -- layer 9: subdomain shape ------------------------------------------------------------------

@pytest.mark.parametrize("host", [
    "JBSWY3DPEHPK3PXP.exfil.evil.com", "706f7374677265733a2f2f757365723a70617373406462.exfil.evil.com",
    "a1b2c3d4.e5f6a7b8.c9d0e1f2.a3b4c5d6.e7f8a9b0.c1d2e3f4.a5b6c7d8.e9f0a1b2.c3d4e5f6.a7b8c9d0.exfil.evil.com",
    "mzxw6ytboi.gezdgnbv.gy3tqojq.evil.com", "x7kp2mq9vr4sl8nw1by6ct3fa0jh5de.evil.co.uk",
    "3a9f1c7e.b2d4e6f8.0a1b2c3d.4e5f6a7b.t.evil.com",
    "ORSXG5A.MFRGGZDF.MZTWQ2LK.evil.com",
])
def test_subdomain_exfil(host):
    res = S.scan(f"https://{host}/")
    assert res.blocked and res.findings[0].scanner == "entropy", res.findings


@pytest.mark.parametrize("host", [
    "d1a2b3c4d5e6f7.cloudfront.net", "cdnjs.cloudflare.com", "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws",
    "nginx-deployment-7d4b9c8f5-x2kqp.default.svc.example.com", "gpu-a100-node-17.cluster.example.com",
    "my-loadbalancer-1234567890.us-west-2.elb.amazonaws.com", "ec2-203-0-113-25.compute-1.amazonaws.com",
    "sleepy-meadow-12345.herokuapp.com", "storage-account-prod.blob.core.windows.net",
    "my-app-git-feature-branch-myteam.vercel.app", "5f3a1b2c3d4e5f6a7b8c9d0e--mysite.netlify.app",
    "www.bbc.co.uk", "raw.githubusercontent.com", "a.b.c.example.com", "us-east-1.console.aws.amazon.com",
    "international-business-machines.example.com",
])
def test_subdomain_near_misses(host):
    assert verdict(S, f"https://{host}/")[0] == "allow", S.scan(f"https://{host}/").findings


# -- layer 10: resolution ------------------------------------------------------------------------

def test_every_answer_checked_and_pinned():
    res = S.scan("https://rebind.example.com/")
    addrs, f = S.resolve_and_check(res, StaticResolver({"rebind.example.com": ["203.0.113.10", "127.0.0.1"]}))
    assert addrs == [] and f[0].rule == "internal_address" and "rebind.example.com" in f[0].excerpt
    addrs, f = S.resolve_and_check(res, StaticResolver({"rebind.example.com": ["203.0.113.10", "2001:db8::5"]}))
    assert addrs == ["203.0.113.10", "2001:db8::5"] and f == []
    addrs, f = S.resolve_and_check(res, StaticResolver({"rebind.example.com": ["::ffff:10.0.0.1"]}))
    assert addrs == [] and f


def test_dns_failure_is_clear_and_blocks():
    res = S.scan("https://nxdomain.example.com/")
    addrs, f = S.resolve_and_check(res, StaticResolver({}))
    assert addrs == [] and [(x.scanner, x.rule, x.action) for x in f] == [("ssrf", "dns_failure", "block")]
    assert f[0].excerpt.startswith("could not resolve nxdomain.example.com")

    class Broken:
        def resolve(self, host, port):
            raise RuntimeError("boom")

    addrs, f = S.resolve_and_check(res, Broken())
    assert addrs == [] and f[0].rule == "dns_failure"


@pytest.mark.parametrize("answer", ["not-an-ip", "0x7f000001", "127.1", ""])
def test_strange_dns_answers_block(answer):
    res = S.scan("https://odd.example.com/")
    addrs, f = S.resolve_and_check(res, StaticResolver({"odd.example.com": [answer]}))
    assert addrs == [] and f


def test_literal_not_resolved():
    class NoCalls:
        def resolve(self, host, port):
            raise AssertionError("must not resolve a literal")
    res = S.scan("http://203.0.113.7:8080/")
    assert S.resolve_and_check(res, NoCalls()) == (["203.0.113.7"], [])


# -- CONNECT targets ------------------------------------------------------------------------------

def test_scan_hostport():
    r = S.scan_hostport("API.Example.com.", 443)
    assert not r.blocked and (r.host, r.port, r.url) == ("api.example.com", 443, "api.example.com:443")
    assert S.scan_hostport("0x7f.1", 443).blocked
    assert S.scan_hostport("pastebin.com", 443).findings[0].rule == "domain_blocklist"
    assert S.scan_hostport("metadata.google.internal", 80).findings[0].rule == "metadata_host"
    assert S.scan_hostport("JBSWY3DPEHPK3PXP.exfil.evil.com", 443).blocked
    assert S.scan_hostport("example.com", 0).findings[0].rule == "invalid_port"
    assert S.scan_hostport("exa mple.com", 443).blocked
    assert S.scan_hostport("::1", 443).host == "::1"
    assert not S.scan_hostport("[2001:db8::1]", 443).blocked


# -- the agent-egress-bench URL cases (DLP-dependent ones are in test_url_dlp.py) ----------------------

def _cases():
    out = []
    for f in sorted(AEB.glob("*/*.json")):
        d = json.loads(f.read_text())
        if d.get("input_type") == "url" and d["id"] not in DLP_CASES:
            out.append(pytest.param(d, id=d["id"]))
    return out


# These need the real DLP scanner: test_url_dlp.py runs them.
DLP_CASES = {"url-dlp-aws-key-001", "url-dlp-jwt-003", "enc-double-url-003", "enc-hex-delimiter-002", "crypto-iban-007"}
BENCH_S = scanner(**bench_config_data()["url"])  # the runner's setup (its collector on the blocklist)


@pytest.mark.skipif(not AEB.exists(), reason="bench cases not available")
@pytest.mark.parametrize("case", _cases())
def test_aeb_url_cases(case):
    got, res = verdict(BENCH_S, case["payload"]["url"])
    assert got == case["expected_verdict"], res.findings


@pytest.mark.parametrize("url", ["http://169.254.169.254.nip.io/latest/meta-data/", "http://10-0-0-1.sslip.io/",
                                 "http://api.localtest.me:8080/"])
def test_wildcard_dns_to_internal_blocks(url):
    assert ("ssrf", "wildcard_dns_internal") in rules(scanner().scan(url))


def test_wildcard_dns_to_public_passes():
    assert ("ssrf", "wildcard_dns_internal") not in rules(scanner().scan("http://8.8.8.8.nip.io/"))


@pytest.mark.parametrize("url", ["https://eo1a2b3c4d5e6f7.m.pipedream.net/", "https://abc123.oast.fun/x",
                                 "https://x.requestcatcher.com/", "https://a-b-c.trycloudflare.com/"])
def test_capture_services_blocked_built_in(url):
    assert ("blocklist", "capture_service") in rules(scanner().scan(url))


def test_capture_service_near_misses_and_allowlist_wins():
    assert rules(scanner().scan("https://pipedream.com/docs")) == []
    assert rules(scanner().scan("https://notoast.fun.example.com/")) == []
    assert ("blocklist", "capture_service") not in rules(
        scanner(allowlist=["*.pipedream.net"]).scan("https://eo1.m.pipedream.net/"))


def test_base64_json_query_values_judged_by_content():
    import base64
    import json as _json
    benign = base64.b64encode(_json.dumps({"category": "lamps", "price": {"max": 80}, "page": 2}).encode()).decode()
    assert not [r for r in rules(scanner().scan(f"https://shop.example.com/s?filter={benign}")) if r[0] == "entropy"]
    secretish = base64.b64encode(_json.dumps({"k": "Zk3xQ9pLm2VbN8rT6yW1cF4hJ7sD0aGe"}).encode()).decode()
    assert ("entropy", "query_entropy") in rules(scanner().scan(f"https://shop.example.com/s?filter={secretish}"))
