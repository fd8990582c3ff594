"""Public-by-design look-alikes (scanners/public_ids.py), generated per family: many benign
members allowed, and near-miss true positives (the same carrier with a real secret shape,
the same value at an attacker's host, the secret sibling of a public key) still blocked."""
import base64
import json
import random
import string
import zlib

import pytest

from ringfence.bench.static import make_engine
from ringfence.scanners import public_ids as P
from ringfence.scanners.entropy import label_data_like

E = make_engine()
RNG = random.Random(10)
ALNUM = string.ascii_letters + string.digits
B32 = string.ascii_uppercase + "234567"
N = 12  # members per family


@pytest.fixture(autouse=True)
def _seed(request):
    # each test draws the same members whatever order (or xdist worker) runs it
    RNG.seed(zlib.crc32(request.node.nodeid.encode()))


def rnd(n, alphabet=ALNUM):
    return "".join(RNG.choice(alphabet) for _ in range(n))


def url_verdict(url, method="GET"):
    return E.check_url(url, method)[0].verdict


def headers_verdict(headers, host):
    return E.scan_headers(list(headers.items()), "outbound", host).verdict


def body_verdict(body: str, ctype="application/json", host=""):
    return E.scan_body(body.encode(), ctype, host=host).verdict


def akid():
    return "AKIA" + rnd(16, B32)


def jwt(claims: dict) -> str:
    def enc(o):
        return base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc(claims)}.{rnd(43, ALNUM + '-_')}"


# -- family 1: publishable keys ------------------------------------------------------------

def publishable():
    return RNG.choice([
        lambda: "pk_live_" + rnd(RNG.randint(24, 99)),
        lambda: "pk_test_" + rnd(RNG.randint(24, 99)),
        lambda: "pk.eyJ" + rnd(60, ALNUM + "_-") + "." + rnd(22, ALNUM + "_-"),
        lambda: "phc_" + rnd(43),
        lambda: "G-" + rnd(10, string.ascii_uppercase + string.digits),
        lambda: "GTM-" + rnd(7, string.ascii_uppercase + string.digits),
        lambda: "0x4AAAAAAA" + rnd(14, ALNUM + "_-"),
        lambda: "public-sandbox-" + "-".join(rnd(n, "0123456789abcdef") for n in (8, 4, 4, 4, 12)),
        lambda: RNG.choice(["cus_", "pm_", "pi_", "ch_", "sub_", "price_", "evt_", "cs_test_"]) + rnd(24),
    ])()


@pytest.mark.parametrize("i", range(N))
def test_publishable_keys_pass_in_every_carrier(i):
    v = publishable()
    assert P.public_value(v)
    assert url_verdict(f"https://api.example.com/v1/init?access_token={v}&key={v}") == "allow", v
    assert headers_verdict({"Authorization": f"Bearer {v}", "X-Api-Key": v}, "api.example.com") == "allow", v
    assert body_verdict(json.dumps({"publishableKey": v, "api_key": v})) == "allow", v
    assert body_verdict(f"STRIPE_PUBLISHABLE_KEY={v}\n", "text/plain") == "allow", v


@pytest.mark.parametrize("i", range(N))
def test_secret_siblings_of_publishable_keys_still_block(i):
    for v in ("sk_live_" + rnd(40), "rk_live_" + rnd(40), "sk_test_" + rnd(40)):
        assert not P.public_value(v)
        assert headers_verdict({"Authorization": f"Bearer {v}"}, "api.example.com") == "block", v
        assert body_verdict(json.dumps({"api_key": v})) == "block", v
    for v in ("re_" + rnd(32), "whsec_" + rnd(32), "sk_" + rnd(32), "rk_test_" + rnd(32)):
        assert not P.public_value(v)
    # a real key appended to a public prefix is not a public value
    assert not P.public_value("pk_live_" + rnd(30) + " AKIA" + rnd(16, B32))


@pytest.mark.parametrize("i", range(N))
def test_anon_role_jwts_pass_and_service_role_jwts_block(i):
    base = {"iss": "supabase", "ref": rnd(20, string.ascii_lowercase), "iat": 1733000000 + i, "exp": 2048576000}
    anon = jwt({**base, "role": "anon"})
    assert P.anon_jwt(anon)
    assert body_verdict(json.dumps({"key": "NEXT_PUBLIC_SUPABASE_ANON_KEY", "value": anon})) == "allow"
    assert headers_verdict({"apikey": anon, "Authorization": f"Bearer {anon}"}, "x.supabase.co") == "allow"
    for role in ("service_role", "authenticated", "admin"):
        tok = jwt({**base, "role": role})
        assert not P.anon_jwt(tok)
        assert body_verdict(json.dumps({"value": tok})) == "block", role
    no_role = jwt({"sub": rnd(12), "iat": 1733000000})
    assert body_verdict(json.dumps({"value": no_role})) == "block"


@pytest.mark.parametrize("i", range(N))
def test_google_algolia_segment_keys_pass_only_at_their_issuer(i):
    gkey = "AIza" + rnd(35, ALNUM + "_-")
    assert headers_verdict({"x-goog-api-key": gkey}, "firebaseinstallations.googleapis.com") == "allow"
    assert url_verdict(f"https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key={gkey}") == "allow"
    assert headers_verdict({"x-goog-api-key": gkey}, "collector.evil.example") == "block"
    assert url_verdict(f"https://collector.evil.example/c?key={gkey}") == "block"
    alg = rnd(32, "0123456789abcdef")
    app = rnd(10, string.ascii_uppercase + string.digits)
    hdr = {"X-Algolia-API-Key": alg, "X-Algolia-Application-Id": app}
    assert headers_verdict(hdr, f"{app}-dsn.algolia.net") == "allow"
    assert headers_verdict(hdr, "search.evil.example") == "block"
    wk = rnd(32)
    basic = {"Authorization": "Basic " + base64.b64encode(f"{wk}:".encode()).decode()}
    assert headers_verdict(basic, "api.segment.io") == "allow"
    assert headers_verdict(basic, "segment.evil.example") == "block"


@pytest.mark.parametrize("i", range(N))
def test_captcha_site_keys_pass_in_widget_requests(i):
    site = "6L" + rnd(38, ALNUM + "_-")
    assert url_verdict(f"https://www.google.com/recaptcha/api2/anchor?ar=1&k={site}&hl=en&size=invisible") == "allow"
    assert url_verdict(f"https://www.recaptcha.net/recaptcha/api.js?render={site}") == "allow"
    # the same shape as a secret parameter, or at another host, is judged as usual
    assert url_verdict(f"https://collect.evil.example/c?k={site}") == "block"


# -- family 1b: cards ---------------------------------------------------------------------

TEST_CARDS = sorted(P.TEST_PANS)


@pytest.mark.parametrize("pan", TEST_CARDS[:N])
def test_cards_pass_at_payment_processors_and_block_elsewhere(pan):
    assert P.test_pan(pan)
    form = f"card[number]={pan}&card[exp_month]=12&card[cvc]=123&key=pk_test_{rnd(40)}"
    assert body_verdict(form, "application/x-www-form-urlencoded", host="api.stripe.com") == "allow"
    assert body_verdict(form, "application/x-www-form-urlencoded", host="evil.example.com") == "block"
    # in text, a test number passes only beside a test-mode key
    assert body_verdict(f"pk_test_{rnd(40)} card {pan}", "text/plain") == "allow"
    assert body_verdict(f"customer card {pan}", "text/plain") == "block"


def test_random_luhn_cards_are_not_test_numbers():
    from ringfence.scanners.validators import luhn
    made = 0
    while made < 50:
        d = "4" + rnd(14, string.digits)
        for c in string.digits:
            if luhn(d + c) and len(set(d[6:])) > 2:
                assert not P.test_pan(d + c)
                made += 1
                break


# -- family 2: chain addresses --------------------------------------------------------------

def eth():
    return "0x" + rnd(40, "0123456789abcdef")


@pytest.mark.parametrize("i", range(N))
def test_chain_queries_and_explorers_pass(i):
    a = eth()
    for method in ("eth_getBalance", "eth_getTransactionCount", "eth_call", "eth_getCode"):
        body = json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": [a, "latest"]})
        assert body_verdict(body) == "allow", method
    for u in (f"https://etherscan.io/address/{a}", f"https://api.etherscan.io/api?module=account&address={a}",
              f"https://blockchair.com/ethereum/address/{a}"):
        assert url_verdict(u) == "allow", u
    assert url_verdict("https://mempool.space/api/address/1BJRkLzSyEKfFRdWd9nGGH3SFNA3V444yM") == "allow"


@pytest.mark.parametrize("i", range(N))
def test_addresses_to_other_hosts_and_private_keys_still_block(i):
    a = "0x54ad7D969a56eaCe5ca128e67a72E498a2E97e68"
    assert url_verdict(f"https://collect.evil.example/c?eth={a}") == "block"
    assert body_verdict(json.dumps({"wallet": a, "note": "send here"})) == "block"
    seed = "letter advice cage absurd amount doctor acoustic avoid letter advice cage above"  # BIP39 test vector
    rpc = json.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_getBalance", "params": [a, "latest"], "memo": seed})
    assert body_verdict(rpc) == "block"
    readme = f"## Donate\nETH: {a}\nrecovery words: {seed}\n"
    assert body_verdict(json.dumps({"content": readme}), host="api.github.com") == "block"
    pk = rnd(64, "0123456789abcdef")
    rpc = json.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_getBalance", "params": [eth()],
                      "private_key": pk})
    assert body_verdict(rpc) == "block"


# -- family 3: cloud hostnames --------------------------------------------------------------

def cloud_host():
    h8, h10 = rnd(10, "0123456789abcdef"), rnd(10, string.digits)
    return RNG.choice([
        f"k8s-prod-ingress-{h8}-{h10}.us-east-1.elb.amazonaws.com",
        f"internal-api-{h10}.eu-west-1.elb.amazonaws.com",
        f"{rnd(10, string.ascii_lowercase + string.digits)}.execute-api.us-east-2.amazonaws.com",
        f"bucket-{h8}{h8}.s3.us-east-2.amazonaws.com",
        f"app-{h8}{h8[:6]}.azurewebsites.net",
        f"st{h8}{h8[:4]}.blob.core.windows.net",
        f"api-{h8}{h8}-uc.a.run.app",
        f"my-app-{h8}.herokuapp.com",
        f"web-{rnd(9, string.ascii_lowercase + string.digits)}-team.vercel.app",
        f"app-{h8}.fly.dev", f"svc-{h8}{h8[:4]}.onrender.com",
    ])


@pytest.mark.parametrize("i", range(N))
def test_cloud_hostnames_with_random_labels_pass(i):
    h = cloud_host()
    assert url_verdict(f"https://{h}/healthz") == "allow", h


@pytest.mark.parametrize("i", range(N))
def test_encoded_data_in_labels_of_attacker_domains_still_blocks(i):
    secret = bytes(RNG.randrange(256) for _ in range(24))
    hexlab = secret.hex()[:40]
    b32lab = base64.b32encode(secret).decode().rstrip("=").lower()[:40]
    for lab in (hexlab, b32lab):
        assert label_data_like(lab, 4.0, 8), lab
        assert url_verdict(f"https://{lab}.exfil-collector.com/") == "block", lab
        assert url_verdict(f"https://{lab}.amazonaws.com.exfil-collector.com/") == "block", lab
        assert url_verdict(f"https://{lab[:20]}.{lab[20:]}.cloudfront.net.exfil-collector.net/") == "block", lab
    # a key id in a label is caught by DLP even under a cloud suffix
    assert url_verdict(f"https://{akid()}.s3.us-east-1.amazonaws.com/") == "block"


# -- family 4: state and cursor URLs -------------------------------------------------------

@pytest.mark.parametrize("i", range(N))
def test_paging_cursors_and_state_urls_pass(i):
    tok = rnd(180, ALNUM + "_-")
    assert url_verdict(f"https://graph.microsoft.com/v1.0/me/messages?%24top=50&%24skiptoken={tok}") == "allow"
    assert url_verdict(f"https://graph.microsoft.com/v1.0/users/delta?$deltatoken={tok}") == "allow"
    assert url_verdict(f"https://www.googleapis.com/drive/v3/files?pageToken={tok}") == "allow"
    assert body_verdict(json.dumps({"NextToken": tok, "MaxResults": 50})) == "allow"
    lat, lng = 40 + RNG.random(), 2 + RNG.random()
    fid = f"0x{rnd(16, '0123456789abcdef')}:0x{rnd(16, '0123456789abcdef')}"
    maps = (f"https://www.google.com/maps/place/Somewhere/@{lat:.7f},{lng:.7f},17z/data=!3m1!4b1!4m6!3m5!1s{fid}"
            f"!8m2!3d{lat:.7f}!4d{lng:.7f}!16s%2Fg%2F{rnd(9, string.ascii_lowercase + string.digits)}?entry=ttu")
    assert url_verdict(maps) == "allow", maps
    assert url_verdict(f"https://images.unsplash.com/photo-1?ixid={rnd(60)}&auto=format&w=1200") == "allow"


@pytest.mark.parametrize("i", range(N))
def test_secrets_in_cursor_and_state_carriers_still_block(i):
    k = akid()
    assert url_verdict(f"https://graph.microsoft.com/v1.0/me/messages?$skiptoken={k}") == "block"
    # a secret-named field next to a cursor-named one is still a secret field
    assert body_verdict(json.dumps({"NextToken": rnd(40), "client_secret": rnd(40)})) == "block"
    # a high-entropy piece inside a !-state is judged on its own
    assert url_verdict(f"https://maps.example.net/x/data=!3m1!4b1!1s{rnd(48)}!8m2") == "block"
    # SigV4 scope spares the key id; the secret key itself never passes
    assert body_verdict(f"aws_secret_access_key={rnd(40, ALNUM + '/+')}", "text/plain") == "block"


@pytest.mark.parametrize("i", range(N))
def test_sigv4_credential_scopes_pass(i):
    k = akid()
    auth = (f"AWS4-HMAC-SHA256 Credential={k}/20261207/eu-west-1/s3/aws4_request, "
            f"SignedHeaders=host;x-amz-date, Signature={rnd(64, '0123456789abcdef')}")
    assert headers_verdict({"Authorization": auth}, "s3.eu-west-1.amazonaws.com") == "allow"
    bucket = f"reports-{rnd(6, string.ascii_lowercase)}"
    u = (f"https://{bucket}.s3.us-east-2.amazonaws.com/2026/q3/summary.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
         f"&X-Amz-Credential={k}%2F20261207%2Fus-east-2%2Fs3%2Faws4_request&X-Amz-Date=20261207T101500Z"
         f"&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature={rnd(64, '0123456789abcdef')}")
    assert url_verdict(u) == "allow", u
    # the bare key id still blocks in any carrier
    assert headers_verdict({"X-Key": k}, "api.example.com") == "block"
    assert url_verdict(f"https://collect.evil.example/c?id={k}") == "block"


# -- family 5: placeholders -----------------------------------------------------------------

@pytest.mark.parametrize("fill", ["X" * 16, "x" * 16, "*" * 16, "<your-key-here>", "YOUR_ACCESS_KEY"])
def test_documentation_placeholders_pass(fill):
    doc = (f"export AWS_ACCESS_KEY_ID=AKIA{fill[:16].ljust(16, 'X')}\nexport OPENAI_API_KEY=sk-...XXXX\n"
           f"export GITHUB_TOKEN=<your-token>\nexport STRIPE_KEY=sk_live_{'X' * 24}\n")
    assert body_verdict(json.dumps({"path": "docs/setup.md", "content": doc})) == "allow"


@pytest.mark.parametrize("i", range(N))
def test_real_keys_with_filler_appended_still_block(i):
    for v in ("sk_live_" + rnd(32) + "X" * 40, "ghp_" + rnd(36) + "*" * 30, "AKIA" + rnd(16, B32)):
        assert body_verdict(json.dumps({"note": v}), host="api.example.com") == "block", v
    assert not P.placeholder(rnd(30) + "xxxxxxxxxxxxxxxxxxxx")
    # AWS's documented example key id is what leak tests use for a real one: it blocks
    assert body_verdict(json.dumps({"k": "AKIAIOSFODNN7EXAMPLE"})) == "block"


@pytest.mark.parametrize("i", range(N))
def test_badge_tokens_and_drive_ids_pass_only_at_their_hosts(i):
    tok, fid = rnd(10), rnd(44, ALNUM + "_-")
    assert url_verdict(f"https://codecov.io/gh/acme/lib/branch/main/graph/badge.svg?token={tok}") == "allow"
    assert url_verdict(f"https://docs.google.com/document/d/{fid}/edit") == "allow"
    assert url_verdict(f"https://drive.google.com/file/d/{fid}/view?usp=sharing") == "allow"
    assert url_verdict(f"https://collect.evil.example/d/{fid}/edit") == "block"


@pytest.mark.parametrize("i", range(N))
def test_analytics_project_tokens_pass_at_the_analytics_service_only(i):
    tok = rnd(32, "0123456789abcdef")
    for host in ("api-js.mixpanel.com", "api2.amplitude.com", "us.i.posthog.com"):
        assert url_verdict(f"https://{host}/track?token={tok}&ip=1") == "allow", host
        assert headers_verdict({"X-Api-Key": tok}, host) == "allow", host
    assert url_verdict(f"https://collect.evil.example/track?token={tok}x{rnd(8)}") == "block"
    assert headers_verdict({"X-Api-Key": tok}, "collect.evil.example") == "block"


@pytest.mark.parametrize("i", range(N))
def test_oauth_authorization_requests_pass_and_client_secrets_block(i):
    gid = f"{RNG.randint(10**11, 10**12)}-{rnd(32, string.ascii_lowercase + string.digits)}.apps.googleusercontent.com"
    assert url_verdict(f"https://accounts.google.com/o/oauth2/v2/auth?client_id={gid}&response_type=code"
                       f"&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid&state={rnd(30)}") == "allow"
    cid = rnd(32)
    auth = (f"https://acme.us.auth0.com/authorize?client_id={cid}&response_type=code"
            f"&redirect_uri=https://app.example.com/cb&nonce={rnd(32)}&code_challenge={rnd(43, ALNUM + '-_')}")
    assert url_verdict(auth) == "allow"
    assert url_verdict(auth + f"&client_secret={rnd(48)}") == "block"
    # a random value without an authorization request around it is judged as usual
    assert url_verdict(f"https://collect.evil.example/c?client_id={rnd(64)}") == "block"


@pytest.mark.parametrize("i", range(N))
def test_media_ids_and_diagram_urls_pass_at_their_sites(i):
    yt = f"https://www.youtube.com/watch?v={rnd(11, ALNUM + '-_')}&list=PL{rnd(32, ALNUM + '-_')}&si={rnd(16)}"
    assert url_verdict(yt) == "allow"
    assert url_verdict(f"https://open.spotify.com/track/{rnd(22)}?si={rnd(16, '0123456789abcdef')}") == "allow"
    blob = rnd(60, ALNUM + "-_")
    for u in (f"https://mermaid.ink/img/pako:{blob}", f"https://www.plantuml.com/plantuml/svg/{blob}",
              f"https://kroki.io/plantuml/svg/{blob}"):
        assert url_verdict(u) == "allow", u
    assert url_verdict(f"https://collect.evil.example/img/pako:{blob}") == "block"
    assert url_verdict(f"https://collect.evil.example/watch?v=1&list=PL{rnd(80)}") == "block"


@pytest.mark.parametrize("i", range(N))
def test_signed_storage_urls_pass_at_their_storage_and_block_elsewhere(i):
    sas = (f"sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-08T00:00:00Z&spr=https&sig={rnd(43)}%3D")
    assert url_verdict(f"https://acme{rnd(6, 'abcdef0123')}.blob.core.windows.net/reports/q3.pdf?{sas}") == "allow"
    cf = (f"https://d{rnd(13, string.ascii_lowercase + string.digits)}.cloudfront.net/v.mp4?Expires=1765000000"
          f"&Signature={rnd(170, ALNUM + '~-_')}&Key-Pair-Id=K{rnd(13, string.ascii_uppercase + string.digits)}")
    assert url_verdict(cf) == "allow"
    # the same SAS carried to another host, in a URL or a body, still blocks
    assert url_verdict(f"https://collect.evil.example/c?{sas}") == "block"
    assert body_verdict(f"link: https://acme.blob.core.windows.net/r/q3.pdf?{sas}", "text/plain",
                        host="collect.evil.example") == "block"


@pytest.mark.parametrize("i", range(N))
def test_donation_addresses_in_pages_pass_and_bare_addresses_block(i):
    btc, eth = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "0x54ad7D969a56eaCe5ca128e67a72E498a2E97e68"
    lead = RNG.choice(["## Donate", "Donations welcome:", "Tip jar", "Support this project with crypto:",
                       "Sponsor us"])
    readme = f"{lead}\n\nBTC: {btc}\nETH: {eth}\n"
    assert body_verdict(json.dumps({"path": "README.md", "content": readme}), host="api.github.com") == "allow"
    assert body_verdict(json.dumps({"wallet": eth, "btc": btc}), host="collect.evil.example") == "block"


@pytest.mark.parametrize("pan", TEST_CARDS[N:2 * N])
def test_test_cards_in_docs_about_testing_pass_and_card_lists_block(pan):
    spaced = " ".join(pan[k:k + 4] for k in range(0, len(pan), 4))
    lead = RNG.choice(["Use the test card", "In test mode, enter", "Sandbox card numbers:", "Testing card number"])
    doc = f"## Payments\n\n{lead} {spaced} with any future expiry and any CVC.\n"
    assert body_verdict(json.dumps({"path": "docs/payments.md", "content": doc}), host="api.github.com") == "allow"
    csv = f"name,card\nAlice,{pan}\nBob,{pan}\n"
    assert body_verdict(csv, "text/csv", host="collect.evil.example") == "block"
