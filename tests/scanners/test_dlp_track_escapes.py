"""Card track data whose name field carries an escape (quoted-printable =20, an HTML entity,
a JSON \\u escape): the track-1 sentinel "%B" followed by hex digits must not be eaten as a
percent escape by the unescaped view."""
import pytest

from ringfence.config import Config
from ringfence.engine import Engine

E = Engine(Config())
PANS = ["4539578763621486", "5425233430109903", "374245455400126"]   # Luhn-valid, not test PANs
SPACES = ["=20", "&#32;", "\\u0020", "%20"]


@pytest.mark.parametrize("pan", PANS)
@pytest.mark.parametrize("space", SPACES)
def test_track1_with_an_escaped_space_in_the_name_is_found(pan, space):
    track = f"%B{pan}^DOE/JANE{space}A^28121010000000000000?"
    assert "card_track_data" in {f.rule for f in E.dlp.scan(f'{{"data": "{track}"}}')}


@pytest.mark.parametrize("space", SPACES)
def test_a_percent_b_word_that_is_no_track_stays_quiet(space):
    text = f"progress %B4 of 10{space}done, 100%B complete"
    assert "card_track_data" not in {f.rule for f in E.dlp.scan(text)}
