"""Request-smuggling scheme URLs (gopher, dict, ldap, tftp, jar, netdoc, phar, expect)
inside outbound content block in every carrier; prose naming the protocols, and http(s)
URLs on hosts named after them, allow."""
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from ringfence.bench.cases import Case
from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine
from ringfence.scanners.schemes import SCHEMES, smuggling_findings

E = make_engine()


def _v(input_type, payload):
    c = Case(Path("t.json"), {"id": "t", "input_type": input_type, "payload": payload, "requires": [],
                              "expected_verdict": "block"})
    return actual_verdict(evaluate(c, fresh(E)))


def _url(scheme):
    return {"jar": "jar:http://files.example.net/app.jar!/META-INF/x", "netdoc": "netdoc:///etc/passwd",
            "phar": "phar:///tmp/upload.jpg/x.php", "expect": "expect://id"}.get(
        scheme, f"{scheme}://127.0.0.1:6379/_CONFIG%20SET%20dir%20%2Ftmp")


CARRIERS = {
    "mcp_arg": lambda u: _v("mcp_tool_call", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                                                     "params": {"name": "fetch_url",
                                                                                "arguments": {"target": u}}}]}),
    "json_body": lambda u: _v("request_body", {"method": "POST", "url": "https://render.example.com/v1",
                                               "content_type": "application/json",
                                               "body": json.dumps({"image": {"src": u}})}),
    "form_body": lambda u: _v("request_body", {"method": "POST", "url": "https://hooks.example.com/test",
                                               "content_type": "application/x-www-form-urlencoded",
                                               "body": urlencode({"callback": u})}),
    "text_body": lambda u: _v("request_body", {"method": "POST", "url": "https://paste.example.com/new",
                                               "content_type": "text/plain", "body": "fetch this: " + u}),
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("carrier", CARRIERS)
def test_smuggling_scheme_urls_block(scheme, carrier):
    assert CARRIERS[carrier](_url(scheme).upper() if scheme == "dict" else _url(scheme)) == "block"


@pytest.mark.parametrize("text", [
    "The gopher protocol predates the web; dict servers listen on port 2628.",
    "Configure the LDAP server (ldap.example.com) and the TFTP root for PXE boot.",
    "Download https://jar.example.com/lib.jar and https://gopher.example.org/",
    "the jar: prefix is Java's; see RFC 4266 for gopher URIs",
    "mydict://not-a-real-scheme and xgopher://nope",
])
@pytest.mark.parametrize("carrier", CARRIERS)
def test_prose_and_http_urls_allow(text, carrier):
    assert CARRIERS[carrier](text) == "allow"


def test_bounded_findings():
    fields = [(f"f{i}", "gopher://10.0.0.1:25/_x") for i in range(100)]
    assert len(smuggling_findings(fields)) == 8


def test_quick_precheck_never_drops_a_regex_match():
    # the substring pre-check must pass every value the regex matches: random casings,
    # the non-ASCII letters `re` matches with i/s/k, and surrounding text of every kind
    import random

    from ringfence.scanners.schemes import _URL, _may_hold
    rng = random.Random(3)
    alt = {"i": "iIıİ", "s": "sSſ", "k": "kKK"}
    for _ in range(3000):
        name = rng.choice(SCHEMES)
        spelled = "".join(rng.choice(alt.get(c, c + c.upper())) for c in name)
        value = rng.choice(["", "see ", "x=", "(", "é "]) + spelled + rng.choice([":", "://"]) + \
            rng.choice(["//h/x", "a:b", "x", ""]) + rng.choice(["", " tail", "\n"])
        if _URL.search(value):
            assert _may_hold(value), value


def test_may_hold_agrees_with_a_case_insensitive_search_whatever_the_colon_count():
    """The colon-window gate answers as `re` IGNORECASE over the whole text would, in
    prose with few colons and in text with many, ASCII or with the characters `re` folds."""
    import random
    import re

    from ringfence.scanners.schemes import SCHEMES, _may_hold
    _FEW_COLONS = 64
    ref = re.compile("(?i)(?:" + "|".join(SCHEMES) + "):")
    rnd = random.Random(7)
    alphabet = list("abcdefghijklmnopqrstuvwxyz:/ .") + ["\u017f", "\u212a", "\u0130", "\u0131", "é"]
    for n_colons in (1, 5, _FEW_COLONS + 10):
        for _ in range(300):
            words = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 8))) for _ in range(40)]
            if rnd.random() < 0.5:
                s = rnd.choice(SCHEMES)
                words.insert(rnd.randint(0, 40), "".join(c.upper() if rnd.random() < 0.5 else c for c in s) + ":x")
            text = " ".join(words) + " a:" * n_colons
            assert _may_hold(text) == bool(ref.search(text)), text
