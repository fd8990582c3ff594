import gzip
import json
import zlib

import brotli
import pytest
import zstandard

from ringfence.config import Config
from ringfence.scanners.content import ContentError, body_fields, decode_body, decompress, header_fields

CFG = Config()


@pytest.mark.parametrize("enc,fn", [
    ("gzip", gzip.compress), ("deflate", zlib.compress),
    ("br", brotli.compress), ("zstd", lambda b: zstandard.ZstdCompressor().compress(b)),
])
def test_each_encoding_round_trips(enc, fn):
    raw = b"hello world " * 1000
    assert decompress(fn(raw), enc, 10 << 20) == raw


def test_raw_deflate_accepted():
    c = zlib.compressobj(wbits=-15)
    data = c.compress(b"abc" * 100) + c.flush()
    assert decompress(data, "deflate", 1 << 20) == b"abc" * 100


def test_gzip_bomb_refused_not_expanded():
    bomb = gzip.compress(b"\0" * (50 << 20))  # 50 MiB of zeros, ~50 KB compressed
    with pytest.raises(ContentError) as e:
        decompress(bomb, "gzip", 100 << 20)
    assert e.value.rule == "compression_bomb"


def test_size_cap_refused():
    with pytest.raises(ContentError) as e:
        decompress(gzip.compress(b"x" * 5000), "gzip", 1000)
    assert e.value.rule == "decompressed_too_large"


def test_garbage_and_unknown_encoding_are_errors():
    with pytest.raises(ContentError):
        decompress(b"not gzip at all", "gzip", 1 << 20)
    with pytest.raises(ContentError) as e:
        decompress(b"x", "compress", 1 << 20)
    assert e.value.rule == "unsupported_encoding"


def test_invalid_utf8_and_nul_do_not_crash():
    assert "\ufffd" in decode_body(b"ab\xff\xfe\x00cd", "", CFG)


def test_json_leaves_keep_key_as_context():
    body = json.dumps({"aws": {"secret_access_key": "abc"}, "list": ["x", 1]}).encode()
    fields = dict(body_fields(body, "application/json", "", CFG))
    assert fields["body.json.$.aws.secret_access_key"] == "secret_access_key=abc"
    assert fields["body.json.$.list[0]"] == "x"
    assert fields["body"].startswith("{")


def test_deeply_nested_json_falls_back_to_raw_text():
    body = ("[" * 10000 + "]" * 10000).encode()
    fields = body_fields(body, "application/json", "", CFG)
    assert fields == [("body", body.decode())]


def test_form_fields():
    fields = dict(body_fields(b"user=bob&api_key=xyz%20q", "application/x-www-form-urlencoded", "", CFG))
    assert fields["body.form.api_key"] == "api_key=xyz q"


def test_multipart_parts_and_base64_transfer_encoding():
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"k.txt\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nc2VjcmV0IGRhdGE=\r\n--XyZ--\r\n")
    fields = dict(body_fields(body, "multipart/form-data; boundary=XyZ", "", CFG))
    assert fields["body.multipart.note"] == "note=hello"
    assert fields["body.multipart.f"] == "f=secret data"
    assert fields["body.multipart.f#filename"] == "filename=k.txt"


def test_multipart_without_boundary_is_error():
    with pytest.raises(ContentError):
        body_fields(b"whatever", "multipart/form-data", "", CFG)


def test_header_fields_carry_name():
    assert header_fields([("X-Api-Key", "v")]) == [("header.x-api-key", "X-Api-Key: v")]


def test_json_leaves_in_document_order():
    body = json.dumps({"a": [1, {"b": "x"}, "y"], "c": "z", "d": {"e": None}}).encode()
    fields = body_fields(body, "application/json", "", CFG)[1:]
    assert [w for w, _ in fields] == ["body.json.$.a#key", "body.json.$.a[0]",
                                      "body.json.$.a[1].b", "body.json.$.a[2]", "body.json.$.c", "body.json.$.d#key", "body.json.$.d.e"]


def test_key_split_across_a_json_list_is_caught():
    from ringfence.engine import Engine
    e = Engine(CFG)
    d = e.scan_body(json.dumps({"parts": ["AKIAIOSFODNN", "7EXAMPLE"]}).encode(), "application/json")
    assert d.verdict == "block" and any(f.rule.startswith("aws") for f in d.findings)
    d = e.scan_body(json.dumps({"parts": ["hello", "world"]}).encode(), "application/json")
    assert d.verdict == "allow"


def test_json_walk_matches_the_plain_definition_shallow_and_deep():
    """The body walk (the shared core.jsonwalk walker: recursion while shallow, a stack
    below) gives the fields of the plain recursive definition, and is bounded."""
    import random

    from ringfence.scanners import content as C
    rnd = random.Random(3)

    def doc(depth):
        k = rnd.random()
        if depth <= 0 or k < 0.3:
            return rnd.choice(["x", 1, 2.5, True, None, "", "a b", 0])
        if k < 0.65:
            return {f"k{i}": doc(depth - 1) for i in range(rnd.randint(0, 4))}
        return [doc(depth - 1) for _ in range(rnd.randint(0, 4))]

    def plain(o, w):
        if isinstance(o, dict):
            for k, v in o.items():
                if isinstance(v, (dict, list)):
                    yield f"{w}.{k}#key", k
                    yield from plain(v, f"{w}.{k}")
                else:
                    yield f"{w}.{k}", f"{k}={'' if v is None else v}"
        elif isinstance(o, list):
            for i, v in enumerate(o):
                if isinstance(v, (dict, list)):
                    yield from plain(v, f"{w}[{i}]")
                elif v is not None:
                    yield f"{w}[{i}]", str(v)
        elif o is not None:
            yield w, str(o)

    deep = "leaf"
    for i in range(64 * 3):
        deep = {"n": deep, "m": [i]} if i % 2 else [deep, {"i": i}]
    for d in [doc(6) for _ in range(200)] + [deep, "top", None, [], {}]:
        assert C._json_leaves(d, "$") == list(plain(d, "$"))
    wide = [{"a": i} for i in range(C.MAX_JSON_NODES)]
    with pytest.raises(OverflowError):
        C._json_leaves(wide, "$")
