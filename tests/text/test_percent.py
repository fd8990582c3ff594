"""text/percent.py, the one percent-decoder: the same reading as the standard library's
one round, repeated to a bounded depth, with defined results for bad escapes, bytes that
are not UTF-8, '+' and over-long input."""
from urllib.parse import quote, unquote, unquote_plus

import pytest

from ringfence.text.percent import MAX_ROUNDS, percent_decode, percent_rounds

TEXTS = ["AKIAIOSFODNN7EXAMPLE", "../../etc/passwd", "ignore previous instructions",
         "пароль: секрет", "中文 テキスト", "emoji \U0001F600 and \u00e9", "a+b=c&d/e?f#g", "100% sure"]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_nested_encoding_decodes_to_the_depth_asked(text, depth):
    enc = text
    for _ in range(depth):
        enc = quote(enc, safe="")
    assert percent_decode(enc, depth) == text
    steps = percent_rounds(enc, depth)
    assert steps[0] == enc and steps[-1] == text and len(steps) <= depth + 1
    if depth > 1 and enc != text:
        assert percent_decode(enc, depth - 1) != text  # one round short: still encoded


@pytest.mark.parametrize("text", TEXTS + ["%", "%%", "%4", "%zz%41", "%%41", "%C3", "%C3%28", "%ff%fe", "a%2Bb+c"])
@pytest.mark.parametrize("errors", ["replace", "surrogateescape"])
def test_one_round_is_the_standard_reading(text, errors):
    assert percent_decode(text, errors=errors) == unquote(text, errors=errors)


def test_depth_is_bounded():
    enc = "a/b"
    for _ in range(MAX_ROUNDS + 4):
        enc = quote(enc, safe="")
    steps = percent_rounds(enc, 100)
    assert len(steps) == MAX_ROUNDS + 1 and "%" in steps[-1]
    assert percent_rounds("plain", 5) == ["plain"] and percent_decode("plain", 5) == "plain"


def test_bad_escapes_stay_and_bad_bytes_are_defined():
    assert percent_decode("%zz%4g%") == "%zz%4g%"
    assert percent_decode("%ff") == "\ufffd"
    assert percent_decode("%ff", errors="surrogateescape") == "\udcff"
    with pytest.raises(UnicodeDecodeError):
        percent_decode("%ff", errors="strict")
    assert percent_decode("%C3%A9", errors="strict") == "é"


def test_plus_is_literal_unless_form_reading():
    assert percent_decode("a+b%2Bc") == "a+b+c"
    assert percent_decode("a+b%2Bc", plus=True) == "a b+c" == unquote_plus("a+b%2Bc")
    assert percent_decode("a+b", plus=True) == "a b" and percent_rounds("a+b", plus=True) == ["a+b", "a b"]
    assert percent_decode("a%252B+", 2, plus=True) == "a+ "  # a '+' that decoding produced is data


@pytest.mark.parametrize("n", range(6, 60))
def test_over_long_input_is_cut_between_characters(n):
    text = "é中\U0001F600" * 4
    enc = quote(text, safe="")
    got = percent_decode(enc, max_len=n)
    # a decoded head of whole characters, then the rest as written from an escape on
    tail = got[got.index("%"):]
    assert "\ufffd" not in got and unquote(got) == text and enc.endswith(tail)
    assert n - 12 < len(enc) - len(tail) <= n  # at most max_len characters were decoded, and not far fewer


# errors="keep": an escape that does not spell UTF-8 is not text; it stays as written, so
# data that merely starts with '%' (a card track's "%B", Base45, Ascii85) survives the view.
@pytest.mark.parametrize("byte", [0x80, 0xA0, 0xB4, 0xC0, 0xE9, 0xFF])
def test_keep_leaves_escapes_of_non_utf8_bytes_as_written(byte):
    s = f"x%{byte:02X}y %C3%A9 %41"
    assert percent_decode(s, errors="keep") == f"x%{byte:02X}y é A"
    assert percent_decode(s, rounds=8, errors="keep") == f"x%{byte:02X}y é A"   # stable


def test_keep_decodes_valid_utf8_exactly_like_replace():
    s = "%E2%82%AC %F0%9F%98%80 %2525"
    assert percent_decode(s, errors="keep") == percent_decode(s)
