"""BIP-39 seed phrases: real phrases in the ways people write them are caught;
word soup and prose made of wordlist words are not (the checksum alone lets 1 in
16 random 12-word windows through, so candidates must be phrase-shaped runs)."""
import json
import random
import re

import pytest
from mnemonic import Mnemonic

from ringfence.config import Config
from ringfence.engine import Engine
from ringfence.scanners import validators as V
from ringfence.scanners.dlp import DlpScanner, seed_candidates

M = Mnemonic("english")
WORDS = M.wordlist
RULE = "bip39_seed_phrase"


@pytest.fixture(scope="module")
def s():
    return DlpScanner(Config.model_validate({"dlp": {"scan_env": False}}))


@pytest.fixture(scope="module")
def engine():
    return Engine(Config.model_validate({"dlp": {"scan_env": False}}))


def phrase(bits: int, seed: int) -> str:
    """A real mnemonic from deterministic entropy; retried until no word repeats twice
    (what a generated phrase almost always looks like)."""
    rnd = random.Random(seed)
    while True:
        p = M.to_mnemonic(rnd.randbytes(bits // 8))
        w = p.split()
        if len(w) - len(set(w)) <= 1:
            return p


def bad_checksum(p: str) -> str:
    w = p.split()
    for cand in WORDS:
        if cand not in w and not V.bip39_checksum(w[:-1] + [cand]):
            return " ".join(w[:-1] + [cand])
    raise AssertionError


def rules(found):
    return {f.rule for f in found}


P12 = [phrase(128, i) for i in range(4)]
P24 = [phrase(256, 100 + i) for i in range(4)]
PHRASES = P12 + P24


# -- caught ------------------------------------------------------------------------

FORMS = {
    "bare": lambda p: p,
    "prose": lambda p: f"Please back up my wallet now. The recovery words are {p} and keep them offline.",
    "label": lambda p: f"seed phrase: {p}\n",
    "label_words_before": lambda p: f"my seed phrase {p}",    # 'seed' and 'phrase' are wordlist words
    "upper": lambda p: "MNEMONIC=" + p.upper(),
    "numbered_inline": lambda p: " ".join(f"{i + 1}. {w}" for i, w in enumerate(p.split())),
    "numbered_lines": lambda p: "\n".join(f"{i + 1}) {w}" for i, w in enumerate(p.split())),
    "one_per_line": lambda p: "words:\n" + "\n".join(p.split()) + "\n",
    "comma": lambda p: ", ".join(p.split()),
    "json_value": lambda p: json.dumps({"note": "backup", "seed": p}),
    "json_array": lambda p: json.dumps({"seed": p.split()}),
    "quoted": lambda p: "'" + "' '".join(p.split()) + "'",
}


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("p", PHRASES, ids=[f"{len(p.split())}w{i}" for i, p in enumerate(PHRASES)])
def test_real_phrases_caught(s, p, form):
    assert RULE in rules(s.scan(FORMS[form](p), "body"))


@pytest.mark.parametrize("p", [P12[0], P24[0]])
def test_real_phrases_caught_in_bodies(engine, p):
    for body, ct in ((json.dumps({"seed": p}), "application/json"),
                     (json.dumps({"items": list(range(100)), "seed": p.split()}), "application/json"),
                     ("note=hi&seed=" + p.replace(" ", "+"), "application/x-www-form-urlencoded"),
                     (p, "text/plain")):
        d = engine.scan_body(body.encode(), ct)
        assert d.blocked and RULE in rules(d.findings), (body[:80], ct)


def test_two_phrases_on_two_lines(s):
    text = P12[0] + "\n" + P12[1] + "\n"
    assert RULE in rules(s.scan(text))


def test_test_vectors_still_caught(s):
    for p in ("abandon " * 11 + "about", "zoo " * 23 + "vote",
              "legal winner thank year wave sausage worth useful legal winner thank yellow",
              "letter advice cage absurd amount doctor acoustic avoid letter advice cage above"):
        assert RULE in rules(s.scan("backup: " + p)), p


# -- not caught --------------------------------------------------------------------

@pytest.mark.parametrize("p", PHRASES, ids=[f"{len(p.split())}w{i}" for i, p in enumerate(PHRASES)])
def test_invalid_checksum_passes(s, p):
    bad = bad_checksum(p)
    assert RULE not in rules(s.scan(bad))
    assert RULE not in rules(s.scan(", ".join(bad.split())))


def test_partial_phrase_passes(s):
    assert RULE not in rules(s.scan(" ".join(P24[0].split()[:11])))


BRIEF_VOCAB = ("the quick brown fox jumps over lazy dog agent proxy network request response server "
               "client data value").split()
# Every word below is in the BIP-39 list, so random text from it is one endless run.
ALL_WORDLIST = ("quick brown fox over lazy dog agent network response client wallet account "
                "access danger ability able about above").split()


def soup(vocab, size, seed):
    rnd = random.Random(seed)
    out, n = [], 0
    while n < size:
        w = rnd.choice(vocab)
        out.append(w)
        n += len(w) + 1
    return " ".join(out)


def test_one_mb_of_vocabulary_words_passes(engine):
    body = soup(BRIEF_VOCAB, 1 << 20, 7).encode()
    d = engine.scan_body(body, "text/plain")
    assert not d.blocked, d.findings


@pytest.mark.parametrize("seed", range(3))
def test_wordlist_soup_passes(s, seed):
    assert RULE not in rules(s.scan(soup(ALL_WORDLIST, 200_000, seed)))
    assert RULE not in rules(s.scan(soup(BRIEF_VOCAB, 200_000, seed + 10)))
    lines = "\n".join(soup(ALL_WORDLIST, 120, seed * 1000 + i) for i in range(1000))
    assert RULE not in rules(s.scan(lines))


def test_real_english_passes(s):
    """Python's own documentation (hundreds of KB of English) is clean."""
    from pydoc_data.topics import topics
    text = "\n".join(topics.values())
    assert RULE not in rules(s.scan(text))


@pytest.mark.parametrize("seed", range(3))
def test_long_sentences_of_wordlist_words_pass(s, seed):
    """Sentences made only of wordlist words, longer than any phrase, are prose."""
    rnd = random.Random(seed)
    vocab = [w for w in WORDS if len(w) <= 7]
    sentences = []
    for _ in range(2000):
        words = [rnd.choice(vocab) for _ in range(rnd.randint(27, 60))]
        sentences.append(words[0].capitalize() + " " + " ".join(words[1:]) + rnd.choice([".", "!", "?"]))
    assert RULE not in rules(s.scan(" ".join(sentences)))


@pytest.mark.parametrize("seed", range(3))
def test_short_sentences_of_wordlist_words_pass(s, seed):
    """Sentence case: an 11-word sentence after a capitalised first word is 11 words, not 12."""
    rnd = random.Random(seed)
    vocab = [w for w in WORDS if len(w) <= 7]
    sentences = []
    for _ in range(3000):
        words = [rnd.choice(vocab) for _ in range(rnd.randint(3, 11))]
        sentences.append(words[0].capitalize() + " " + " ".join(words[1:]) + rnd.choice([".", "!", "?"]))
    assert RULE not in rules(s.scan(" ".join(sentences)))


def test_mixed_separators_split_runs():
    p = P12[0].split()
    text = " ".join(p[:6]) + ", " + ", ".join(p[6:])   # prose-like: one comma among spaces
    assert seed_candidates(text) == []
    assert [c[0] for c in seed_candidates(", ".join(p))] == [p]


def test_small_vocab_lines_pass(s):
    rnd = random.Random(5)
    text = "\n".join(" ".join(rnd.choice(BRIEF_VOCAB) for _ in range(rnd.randint(10, 40))) for _ in range(20000))
    assert RULE not in rules(s.scan(text))


def test_seed_candidates_shape():
    p = P12[0]
    assert seed_candidates(p) == [(p.split(), 0, len(p))]
    assert seed_candidates(" ".join([p] * 3)) == []                 # a 36-word run is not a phrase
    assert p.split() in [c[0] for c in seed_candidates("able " + p)]
    assert seed_candidates(" ".join(sorted(set(p.split())))) == []   # wordlist order


def test_phrase_shape_validator():
    assert V.bip39_phrase_shape(P12[0].split())
    assert V.bip39_phrase_shape(("abandon " * 11 + "about").split())
    assert not V.bip39_phrase_shape("dog fox dog lazy fox dog over dog fox lazy dog over".split())
    assert not V.bip39_phrase_shape(WORDS[:12])


@pytest.mark.parametrize("seed", range(6))
def test_long_run_path_equals_word_by_word(seed):
    """Runs over 4 KB take the C-level path (split at non-wordlist words, tokenise only
    stretches of 12+ words); it gives exactly the windows of tokenising everything."""
    from ringfence.scanners import dlp as D
    rnd = random.Random(seed)
    wl = Mnemonic("english").wordlist
    vocab = rnd.sample(wl, 40) + ["quick", "proxy", "zzz", "network", "dataxyz"][: 1 + seed % 5]
    seps = [" ", " ", " ", ", ", "\n", " 3. ", "\t", "\u00a0", " | "]
    parts = []
    while sum(map(len, parts)) < 6000 + 3000 * seed:
        if rnd.random() < 0.02:
            parts.append(" ".join(Mnemonic("english").generate(128).split()) + rnd.choice(seps))
        else:
            w = rnd.choice(vocab)
            parts.append((w.upper() if rnd.random() < 0.02 else w) + rnd.choice(seps[: 3 + seed]))
    text = "".join(parts)
    assert len(text) > 4096
    low = text.lower()
    runs = []
    D._member_runs(low, 0, len(low), V.bip39_words(), runs)
    want = D._windows_of(runs)
    if not set(re.findall("[a-z]+", low)) - V.bip39_words().keys():
        want = []  # a long run of wordlist words only is prose or soup: no windows at all
    else:
        assert want  # the generated phrases are there to be found
    assert seed_candidates(text) == want


def test_published_vectors_beside_their_entropy_pass(s):
    """A phrase printed next to the entropy it encodes is a test vector (BIP-39's list,
    library fixtures); the same phrase alone, or beside other hex, is still a phrase."""
    for p in P12 + P24:
        ent = M.to_entropy(p).hex()
        assert RULE not in rules(s.scan(json.dumps({"english": [[ent, p, "c55257c360c07c72029aebc1b53c05ed"]]}))), p
        assert RULE not in rules(s.scan(f"entropy: {ent.upper()}\nmnemonic: {p}\n"))
        assert RULE in rules(s.scan(f"backup: {p}"))
        other = M.to_entropy(P12[0] if p != P12[0] else P12[1]).hex()
        assert RULE in rules(s.scan(json.dumps([[other, p]])))
