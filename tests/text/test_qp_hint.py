"""text.blobs.QP_RX, the quoted-printable hint, is spelt with '=' first for speed; it must
find exactly what its plain spelling (lookbehinds first) finds."""
import random
import re

import pytest

from ringfence.text.blobs import QP_RX

PLAIN = re.compile(r"=(?:[0-9A-F]{2}[^=\s]{0,16}=[0-9A-F]{2}|\r?\n)|(?<=[\w:])=3D(?=[\w+/\"'])"
                   r"|(?<=\w)=(?:20|09)(?=[A-Za-z])|(?<=:)=(?:20|09)(?=\w)")
EDGES = ["x=3Dy", "a=20b", "k:=20v", "=\n", "=\r\n", "=41zz=42", " =3Dy", "Bearer=20AKIA", "SSN:=20536", "v=2022",
         "a =20b", "=3D", ":=3Dx", "w=09T", "=3D=3D", "a==20b", "é=20x", "_=3D'"]


@pytest.mark.parametrize("seed", range(8))
def test_same_matches_as_the_plain_spelling(seed):
    rnd = random.Random(seed)
    samples = list(EDGES) + ["".join(rnd.choice("ab_:=3D20 9F\n\r\"'é") for _ in range(rnd.randint(1, 24)))
                             for _ in range(2000)]
    for s in samples:
        assert [m.span() for m in QP_RX.finditer(s)] == [m.span() for m in PLAIN.finditer(s)], s
