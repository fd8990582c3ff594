"""URL entropy judges an encoded value by what the whole of it decodes to, through every
decoder of the one decoding layer (Ascii85, Base85, Base45, MIME words, bzip2/xz/zip/
brotli/CBOR/MessagePack, UTF-16, stacked): public ids, placeholders and prose pass; data
(random tokens, prose with a token inside) still blocks, however it is encoded."""
import random

import pytest

from ringfence.bench import matrix as M
from ringfence.bench.static import make_engine

E = make_engine()
ENCODINGS = ["a85", "a85>gzip", "b85", "b85>zlib", "b45", "b45>gzip", "pct>b45", "mimeb", "b64>bz2", "b64u>xz",
             "b64>zip", "b64>cbor", "b64>msgpack", "b64>brotli", "b64>b64g4>utf16",
             "b64>gzip>utf16", "b64>gzip", "b64>b64", "b64"]
CARRIERS = ["url_query", "url_path"]
_rnd = random.Random(10)
_ALNUM = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TOKENS = ["".join(_rnd.choice(_ALNUM) for _ in range(n)) for n in (32, 40, 48)]
# near misses: benign words around a token; tokens as a path
DATA = TOKENS + [f"build passed, ref {TOKENS[2]} ok", f"{TOKENS[0]}/{TOKENS[1]}"]
PUBLIC = [t for t in M.BENIGN_OUT if not t.startswith("pk_live")] + [
    "sha512-" + "A" * 10 + "q8Xz+3Lm/9Rt7Vw2Ky5Np0Hs4Jb6Gd" + "B" * 45 + "==",
    "Release notes: the parser now accepts trailing commas.", "docs/getting-started/install"]


def _verdict(carrier, chain, value):
    return M._judge(E, M.build("dlp", carrier, chain, value))


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("chain", ENCODINGS)
def test_encoded_public_values_and_prose_allow(carrier, chain):
    for value in PUBLIC:
        v, rule = _verdict(carrier, chain, value)
        assert v == "allow", (chain, carrier, value, rule)


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("chain", ENCODINGS)
def test_encoded_data_still_blocks(carrier, chain):
    for value in DATA:
        v, rule = _verdict(carrier, chain, value)
        assert v == "block", (chain, carrier, value[-40:], rule)


@pytest.mark.parametrize("value", TOKENS)
def test_percent_rounds_are_no_escape(value):
    """A token percent-encoded twice or three times (an earlier round looks tame) blocks."""
    from urllib.parse import quote
    once = quote(value, safe="")
    for enc in (quote(once, safe=""), quote(quote(once, safe=""), safe=""), quote(quote(value.encode().hex())),):
        for url in (f"https://api.example.com/v1/files/{enc}/meta", f"https://api.example.com/s?d={enc}"):
            d, _ = E.check_url(url, resolve=False)
            assert d.verdict == "block", url


def test_a_long_decoded_text_is_not_waved_through():
    import base64
    from ringfence.scanners import entropy as ent
    prose = "the quick brown fox jumps over the lazy dog " * 70 + TOKENS[2]
    assert not ent.benign_decoding(base64.b64encode(prose.encode()).decode(), 4.5, 20)
    assert ent.benign_decoding(base64.b64encode(b"the quick brown fox jumps over the lazy dog").decode(), 4.5, 20)


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("chain", ["a85", "a85>gzip", "b85", "b85>zlib", "b45>gzip"])
def test_decoded_structured_data_or_named_secrets_still_block(carrier, chain):
    """Low-entropy words can still be a secret: a named credential or structured data
    (a keypair's byte list) decoded from an opaque URL part is not waved through."""
    for value in ("Bearer ASIAY34FZKBOKMUTVV7A", "db_password: Orchid-Lantern-81!",
                  '{"keypair": [68, 157, 53, 161, 210, 173, 196, 29, 6, 159, 60, 11]}'):
        assert _verdict(carrier, chain, value)[0] == "block", (chain, carrier, value)


# Compressed application state in a URL (dashboards, diagrams, playgrounds): a JSON document
# whose keys are plain names and whose values would pass plain. A secret-naming key, a byte
# array or a random token among the values keeps it data.
STATES = ['{"filters": {"country": "NO", "year": 2026}, "sort": "-date", "page": 3}',
          '{"panes": [{"datasource": "loki", "expr": "rate(errors[5m])", "range": {"from": "now-1h"}}]}',
          '[{"type": "rectangle", "x": 120, "y": 48, "label": "Load balancer"}]']
STATE_DATA = ['{"filters": {"country": "NO"}, "access_token": "' + TOKENS[0] + '"}',
              '{"view": "map", "ref": "' + TOKENS[1] + '"}',
              '{"seed": [68, 157, 53, 161, 210, 173, 196, 29, 6, 159, 60, 11]}']
STATE_CHAINS = ["b64>gzip", "b64u>xz", "b64>brotli", "b64u>brotli", "a85>gzip", "b45>gzip", "b64>zlib"]


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("chain", STATE_CHAINS)
def test_compressed_json_state_allows(carrier, chain):
    for value in STATES:
        v, rule = _verdict(carrier, chain, value)
        assert v == "allow", (chain, carrier, value, rule)


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("chain", STATE_CHAINS)
def test_compressed_json_with_a_secret_key_token_or_bytes_blocks(carrier, chain):
    for value in STATE_DATA:
        v, rule = _verdict(carrier, chain, value)
        assert v == "block", (chain, carrier, value, rule)
