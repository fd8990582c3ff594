"""Query-string request signing (S3 SigV4, GCS V4), click-tracking ids and OAuth
authorization responses are random by design: spared from DLP/entropy only in their
documented shape; look-alikes and other parameters are still scanned."""
import pytest

import ringfence.scanners.dlp as dlp_mod  # noqa: E402

from ringfence.config import Config  # noqa: E402
from ringfence.scanners.url import UrlScanner, entropy_exempt_params, signed_params  # noqa: E402

CFG = Config.model_validate({"dlp": {"scan_env": False}})
S = UrlScanner(CFG, dlp_mod.DlpScanner(CFG))
AKID = "AKIAQ7ZLW4K2M3N5P6R2"
SIG = "3b1f0c9a7d5e2b4c6a8f0e1d3c5b7a9f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0c1b"
S3 = ("https://acme.s3.eu-west-1.amazonaws.com/q3.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      f"&X-Amz-Credential={AKID}%2F20261125%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261125T120000Z"
      f"&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}")
GCS = ("https://storage.googleapis.com/b/o.csv?X-Goog-Algorithm=GOOG4-RSA-SHA256"
       "&X-Goog-Credential=svc%40p.iam.gserviceaccount.com%2F20261125%2Fauto%2Fstorage%2Fgoog4_request"
       f"&X-Goog-Date=20261125T120000Z&X-Goog-Expires=3600&X-Goog-SignedHeaders=host&X-Goog-Signature={SIG * 8}")


def blocked(url):
    return [f for f in S.scan(url).findings if f.action == "block"]


@pytest.mark.parametrize("url", [
    S3, GCS,
    "https://shop.example.com/p?utm_source=news&gclid=Cj0KCQiA4Lq8BhCoARIsAB7xK2dkpCzr9Xw3uTq1vQm8hYp5nB2sLm0aZ&fbclid=IwAR3kD9pQ7rT2vX5yZ8wB1cE4fG6hJ9kL0mN3oP5qR7sT",
    "https://app.example.com/auth/callback?code=EXGg7Rk2pQ9wZx4Lm1Nv8Bt5Yc3Hs6Jd0Fa2Ke7jX&state=q8Wn3Rt6Yp1Zm4Kx9Lv2Bc5",
])
def test_signed_and_tracking_urls_allow(url):
    assert blocked(url) == [], S.scan(url).findings


@pytest.mark.parametrize("url", [
    S3.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256&", ""),                       # no algorithm: not a signed URL
    S3.replace("%2Faws4_request", "%2Fnot_aws"),                                # credential not in SigV4 shape
    S3 + "&x=wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYzQ9mT3vLp8",                       # secret key elsewhere
    f"https://evil.example.net/u?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={AKID}",
    "https://evil.example.net/x?code=ghp_R8mZ2kQ7vT1xW4pL9sN3bY6cF0hJ5dG2aE8u",    # DLP still runs on code
])
def test_look_alikes_still_block(url):
    assert blocked(url), S.scan(url).findings


def test_exempt_sets_are_exact():
    pairs = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Signature", SIG), ("X-Amz-Credential", AKID)]
    assert signed_params(pairs) == {"x-amz-signature"}
    assert entropy_exempt_params([("code", "x")]) == set()
    assert entropy_exempt_params([("code", "x"), ("state", "y"), ("utm_campaign", "z")]) == {"code", "state", "utm_campaign"}


def test_lone_path_segment_is_decoded():
    secret = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYzQ9mT3vLp8Qa"
    assert blocked("https://paste.example.net/" + secret.encode().hex())
    # near misses: a lone commit sha or content hash segment
    assert blocked("https://github.com/" + "9fceb02d0ae598e95dc970b74767f19372d61af8") == []
    assert blocked("https://cdn.example.com/" + "3b1f0c9a7d5e2b4c6a8f0e1d3c5b7a9f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0c1b") == []


def test_sri_digest_is_not_data():
    from ringfence.scanners.entropy import is_sri
    sri = "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"
    assert is_sri(sri) and not is_sri(sri[:-1]) and not is_sri("sha384-" + "A" * 70)
    assert blocked("https://cdn.example.com/app.js?integrity=" + sri.replace("+", "%2B").replace("/", "%2F")) == []
    # same randomness without the digest shape is still judged
    assert blocked("https://collect.example.net/c?integrity=" + sri[7:].replace("+", "%2B").replace("/", "%2F"))
