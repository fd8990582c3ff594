"""Benign look-alike families of blind round 5 (issue 10), generated: each family's members
must pass, and the attacks right beside them must keep blocking.

Families: project refs of hosted backends as subdomains; content-addressed Nix/Guix store
names and NAR hashes in cache URLs; unsigned JWTs (alg "none") carrying only public claims;
a public receiving address in a payment-request URI; a PATH entry, alias or plain setting
appended to a shell profile."""
import base64
import json
import random
import string

import pytest

from ringfence.bench.static import _request, actual_verdict, make_engine

E = make_engine()
RND = random.Random(5)


def verdict(url: str, body: dict | None = None, headers: dict | None = None) -> str:
    h = dict(headers or {})
    raw = b""
    if body is not None:
        raw = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    return actual_verdict(_request(E, "forward", url, "POST" if body is not None else "GET", h, raw))


def rand(alphabet: str, n: int) -> str:
    return "".join(RND.choice(alphabet) for _ in range(n))


# -- project refs of hosted backends --------------------------------------------------------
BACKENDS = ("{r}.supabase.co", "{r}.supabase.in", "{r}.auth.eu-central-1.nhost.run", "{r}-default-rtdb.firebaseio.com",
            "ep-{r}.us-east-2.aws.neon.tech")


@pytest.mark.parametrize("host", BACKENDS)
@pytest.mark.parametrize("i", range(4))
def test_backend_project_refs_pass(host, i):
    # refs are 20 random letters; half drawn without repeats (the highest-entropy ones)
    ref = "".join(RND.sample(string.ascii_lowercase, 20)) if i % 2 else rand(string.ascii_lowercase, 20)
    assert verdict(f"https://{host.format(r=ref)}/rest/v1/feedback?select=*") == "allow"


AWS = "AKIA" + "QWERTYUIOP234567"


@pytest.mark.parametrize("host", BACKENDS)
def test_secrets_and_lookalike_hosts_still_block(host):
    # a key id as a label of the platform's own domain: hostname DLP still reads it
    assert verdict(f"https://{host.format(r=AWS.lower())}/x") == "block" or \
        verdict(f"https://{AWS}.{host.format(r='abc')}/x") == "block"
    # random data labels under an attacker's domain named like the platform
    data = RND.randbytes(16).hex()
    assert verdict(f"https://{data}.supabase.co.exfil-{rand(string.ascii_lowercase, 5)}.net/") == "block"
    assert verdict(f"https://{data}.supabase-co.example.net/") == "block"


# -- content-addressed store names ------------------------------------------------------------
NIX32 = "0123456789abcdfghijklmnpqrsvwxyz"   # Nix's base32: no e, o, t, u
NAMES = ("hello-2.12.1", "glibc-2.39-52", "python3-3.12.4-env", "source", "openssl-3.0.14-dev")


def _store_urls(i: int) -> list[str]:
    h32, h52, name = rand(NIX32, 32), rand(NIX32, 52), NAMES[i % len(NAMES)]
    return [f"https://cache.nixos.org/{h32}.narinfo",
            f"https://cache.nixos.org/nar/{h52}.nar.xz",
            f"https://cache.nixos.org/nar/{h52}.nar.zst",
            f"https://nix-community.cachix.org/nar/{h52}.nar",
            f"https://ci.guix.gnu.org/{h32}.narinfo",
            f"https://ci.guix.gnu.org/nar/lzip/{h32}-{name}",
            f"https://hydra.example.org/nix/store/{h32}-{name}/bin",
            f"https://mirror.example.org/search?path=/gnu/store/{h32}-{name}"]


@pytest.mark.parametrize("i", range(6))
def test_store_hashes_and_nar_files_pass(i):
    for url in _store_urls(i):
        assert verdict(url) == "allow", url


@pytest.mark.parametrize("i", range(6))
def test_data_dressed_as_nar_files_still_blocks(i):
    secret = RND.randbytes(39)
    carriers = [base64.urlsafe_b64encode(secret).decode().rstrip("="),           # mixed case: not Nix base32
                rand(string.ascii_lowercase + string.digits, 52),                # e/o/t/u present
                base64.b32encode(secret).decode().rstrip("=")]                   # RFC 4648 base32, upper case
    for c in carriers:
        assert verdict(f"https://cache.nixos.org.example.net/nar/{c}.nar.xz") == "block", c
    assert verdict(f"https://cache.example.net/nar/{AWS}{rand(NIX32, 32)}.nar.xz") == "block"


# -- unsigned JWTs with public claims --------------------------------------------------------
def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def jwt(claims: dict, alg: str = "none", sig: bytes = b"") -> str:
    return f'{b64u(json.dumps({"alg": alg, "typ": "JWT"}).encode())}.{b64u(json.dumps(claims).encode())}.{b64u(sig)}'


def _public_claims(i: int) -> dict:
    c = {"sub": RND.choice(["guest", "anonymous", "visitor-%d" % RND.randrange(10 ** 6)]),
         "scope": RND.choice(["read:public", "maps:view tiles:read", "embed"]),
         "exp": 1767225600 + RND.randrange(10 ** 7), "iat": 1700000000 + RND.randrange(10 ** 7)}
    if i % 2:
        c.update(iss="https://viewer.example-maps.com", aud="embed", locale="nb-NO")
    return c


@pytest.mark.parametrize("i", range(8))
def test_unsigned_public_jwts_pass(i):
    t = jwt(_public_claims(i), alg=["none", "None", "NONE"][i % 3])
    for key in ("t", "jwt", "guest", "embed"):
        assert verdict(f"https://viewer.example-maps.com/embed?map=oslo&{key}={t}") == "allow", (key, t)


@pytest.mark.parametrize("i", range(8))
def test_signed_or_secret_bearing_jwts_still_block(i):
    c = _public_claims(i)
    signed = jwt(c, alg="HS256", sig=RND.randbytes(32))
    with_secret = jwt(dict(c, session=b64u(RND.randbytes(32))))
    with_key = jwt(dict(c, aws=AWS, aws_secret="wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + b64u(RND.randbytes(8))))
    for t in (signed, with_secret, with_key):
        assert verdict(f"https://viewer.example-maps.com/embed?map=oslo&t={t}") == "block", t
