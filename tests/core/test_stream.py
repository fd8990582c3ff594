"""core.stream: one SSE splitter (every line ending the grammar allows, any
chunking) and one bounded tail."""
import itertools
import random

import pytest

from ringfence.core.stream import SseError, SseSplitter, Tail

EOLS = [b"\n", b"\r\n", b"\r"]


def _stream(eol_cycle):
    """Three events, each line ended by the next line ending in the cycle."""
    eols = itertools.cycle(eol_cycle)
    lines = [b"id: 1", b"event: message", b'data: {"a":', b"data: 1}", b"",
             b": comment", b"", b"data: second", b""]
    return b"".join(line + next(eols) for line in lines)


def _split_all(raw: bytes, cuts: list[int]) -> list:
    s = SseSplitter(10_000)
    out, prev = [], 0
    for c in cuts + [len(raw)]:
        out += s.feed(raw[prev:c])
        prev = c
    return out + s.finish()


# A lone CR followed by an LF-ended blank line is one CRLF by the grammar: not a
# stream anyone can split two ways, so those orders are left out.
@pytest.mark.parametrize("eols", [list(p) for p in itertools.product(EOLS, repeat=2)
                                  if p not in ((b"\r", b"\n"), (b"\n", b"\r"))])
def test_every_line_ending_and_any_chunking_give_the_same_events(eols):
    raw = _stream(eols)
    whole = _split_all(raw, [])
    assert [e.data for e in whole] == [b'{"a":\n1}', None, b"second"]
    assert whole[0].event_id == "1" and whole[0].name == "message"
    assert b"".join(e.raw for e in whole) == raw  # byte-preserving
    rng = random.Random(len(raw))
    for _ in range(30):
        cuts = sorted(rng.sample(range(1, len(raw)), rng.randint(1, 6)))
        assert _split_all(raw, cuts) == whole
    assert _split_all(raw, list(range(1, len(raw)))) == whole  # one byte at a time


def test_cr_at_chunk_end_waits_for_the_next_byte():
    s = SseSplitter(1000)
    assert s.feed(b"data: x\r") == []
    assert s.feed(b"\n") == []            # CRLF: one line end, no blank line yet
    ev = s.feed(b"\r\n")
    assert [e.data for e in ev] == [b"x"]


def test_oversize_event_raises_and_finish_flushes_a_partial_event():
    with pytest.raises(SseError):
        SseSplitter(64).feed(b"data: " + b"a" * 100)
    s = SseSplitter(1000)
    assert s.feed(b"data: tail without blank line") == []
    assert [e.data for e in s.finish()] == [b"tail without blank line"]
    assert s.finish() == []


def test_tail_joins_across_pieces_and_stays_bounded():
    t = Tail(8)
    assert t.join("abcdef") == "abcdef"
    assert t.join("ghijkl") == "abcdefghijkl"
    assert t.text == "efghijkl" and len(t.join("x" * 100)) == 108 and len(t.text) == 8
