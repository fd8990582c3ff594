"""Seed phrases beyond English: every other official BIP-39 wordlist (in NFC, NFD and
accent-stripped spellings, under the separators people use) and Electrum seeds are
caught; wrong checksums, word soup longer than a phrase, and prose are not."""
import hashlib
import hmac
import json
import random
import unicodedata
from urllib.parse import quote

import pytest
from mnemonic import Mnemonic

from ringfence.config import Config
from ringfence.engine import Engine
from ringfence.scanners import mnemonics
from ringfence.scanners import validators as V
from ringfence.scanners.dlp import DlpScanner

LANGS = mnemonics.LATIN + mnemonics.CJK
RULE = "bip39_seed_phrase"


@pytest.fixture(scope="module")
def s():
    return DlpScanner(Config.model_validate({"dlp": {"scan_env": False}}))


@pytest.fixture(scope="module")
def engine():
    return Engine(Config.model_validate({"dlp": {"scan_env": False}}))


def words_of(lang: str, bits: int, seed: int) -> list[str]:
    """A real phrase's words (the package joins Japanese with U+3000), no word twice."""
    m, rnd = Mnemonic(lang), random.Random(seed)
    while True:
        w = m.to_mnemonic(rnd.randbytes(bits // 8)).replace("\u3000", " ").split()
        if len(set(w)) == len(w):
            return w


def rules(found):
    return {f.rule for f in found}


def strip_accents(t: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))


SEPARATED = {
    "space": lambda w, lang: " ".join(w),
    "ideographic_space": lambda w, lang: "\u3000".join(w),
    "comma": lambda w, lang: ", ".join(w),
    "lines": lambda w, lang: "\n".join(w) + "\n",
    "numbered": lambda w, lang: " ".join(f"{i + 1}. {x}" for i, x in enumerate(w)),
    "json_array": lambda w, lang: json.dumps({"words": w}, ensure_ascii=False),
    "json_escaped": lambda w, lang: json.dumps({"seed": " ".join(w)}),
    "label": lambda w, lang: "backup phrase: " + " ".join(w),
    "nfd": lambda w, lang: unicodedata.normalize("NFD", " ".join(w)),
    "stripped": lambda w, lang: strip_accents(" ".join(w)) if lang in mnemonics.LATIN else " ".join(w),
    "upper": lambda w, lang: " ".join(w).upper(),
}
CASES = [(lang, bits, seed) for lang in LANGS for bits, seed in ((128, 1), (256, 2), (192, 3))]


@pytest.mark.parametrize("form", sorted(SEPARATED))
@pytest.mark.parametrize("lang,bits,seed", CASES, ids=[f"{a}-{b}" for a, b, _ in CASES])
def test_phrases_in_every_wordlist_caught(s, lang, bits, seed, form):
    text = SEPARATED[form](words_of(lang, bits, seed), lang)
    assert RULE in rules(s.scan(text, "body")), text[:80]


@pytest.mark.parametrize("lang", LANGS)
def test_phrases_caught_in_urls_headers_and_bodies(engine, lang):
    w = words_of(lang, 128, 7)
    p = unicodedata.normalize("NFD", " ".join(w))
    d, _ = engine.check_url("https://sync.example.net/save?k=" + quote(p), resolve=False)
    assert d.blocked and RULE in rules(d.findings)
    d = engine.scan_headers([("X-Backup-Phrase", " ".join(w))])
    assert d.blocked and RULE in rules(d.findings)
    d = engine.scan_body(json.dumps({"label": "wallet", "secret": " ".join(w)}).encode(), "application/json")
    assert d.blocked and RULE in rules(d.findings)


def with_bad_checksum(lang: str, w: list[str]) -> list[str]:
    index = mnemonics.wordlists()[lang]
    base = [index[mnemonics.fold(x)] for x in w[:-1]]
    for cand in Mnemonic(lang).wordlist:
        if cand not in w and not V.bip39_indices_checksum(base + [index[mnemonics.fold(cand)]]):
            return w[:-1] + [cand]
    raise AssertionError


@pytest.mark.parametrize("lang", LANGS)
def test_wrong_checksum_passes(s, lang):
    for bits, seed in ((128, 11), (256, 12)):
        bad = with_bad_checksum(lang, words_of(lang, bits, seed))
        for form in ("space", "comma", "lines", "nfd"):
            assert RULE not in rules(s.scan(SEPARATED[form](bad, lang))), (lang, form)


@pytest.mark.parametrize("lang", LANGS)
def test_partial_phrases_and_long_runs_pass(s, lang):
    w = words_of(lang, 256, 21)
    assert RULE not in rules(s.scan(" ".join(w[:11])))
    # word soup from the list, longer than any phrase (the checksum alone passes 1 in 16)
    rnd = random.Random(lang)
    wl = Mnemonic(lang).wordlist
    for _ in range(20):
        assert RULE not in rules(s.scan(" ".join(rnd.sample(wl, rnd.randint(30, 60)))))


def test_chinese_without_separators_passes(s):
    """Chinese text is made of the list's 2,048 common characters: without separators
    between them, twelve of them are a sentence, not a phrase."""
    rnd = random.Random(5)
    wl = Mnemonic("chinese_simplified").wordlist
    text = "。".join("".join(rnd.sample(wl, rnd.randint(12, 40))) for _ in range(300))
    assert RULE not in rules(s.scan(text))


PROSE = {
    "spanish": "La ciudad tiene un parque grande con árboles y una fuente; los niños juegan allí cada tarde "
               "mientras sus padres hablan del trabajo, del clima y de las noticias de la semana.",
    "french": "Le matin, nous prenons un café au bord du canal, puis nous marchons jusqu'au marché pour "
              "acheter du pain, des fruits et un journal avant de rentrer travailler.",
    "italian": "Ogni estate la famiglia parte per il mare con la macchina carica di valigie, ombrelloni "
               "e un cesto pieno di panini preparati dalla nonna la sera prima.",
    "portuguese": "O barco saiu do porto ao amanhecer e os pescadores voltaram à tarde com a rede cheia, "
                  "cansados mas felizes com o resultado do dia no mar aberto.",
    "czech": "Ráno jsme šli na nádraží, koupili jízdenky a vlakem odjeli do hor, kde jsme celý den "
             "chodili po lese a večer se vrátili unavení domů.",
    "japanese": "きょうは あさから あめが ふって いたので、 いえで ほんを よんだり おんがくを きいたり して すごしました。",
    "korean": "오늘은 아침부터 비가 와서 집에서 책을 읽고 음악을 들으면서 조용히 하루를 보냈습니다 그리고 저녁에는 친구와 통화를 했습니다",
}


@pytest.mark.parametrize("lang", sorted(PROSE))
def test_prose_passes(s, lang):
    assert RULE not in rules(s.scan(PROSE[lang] * 20))


# -- Electrum ----------------------------------------------------------------------------

EN = Mnemonic("english").wordlist


def electrum_like(prefix: str, seed: int) -> list[str]:
    rnd = random.Random(seed)
    while True:
        w = rnd.sample(EN, 12)
        mac = hmac.new(b"Seed version", " ".join(w).encode(), hashlib.sha512).hexdigest()
        if mac.startswith(prefix) and not V.bip39_checksum(w):
            return w


@pytest.mark.parametrize("prefix", V.ELECTRUM_PREFIXES)
def test_electrum_seeds_caught(s, prefix):
    w = electrum_like(prefix, len(prefix) * 7)
    for text in (" ".join(w), "electrum seed: " + " ".join(w), ", ".join(w), "\n".join(w)):
        assert "electrum_seed" in rules(s.scan(text)), text


def test_twelve_words_without_either_checksum_pass(s):
    rnd = random.Random(3)
    n = 0
    while n < 40:
        w = rnd.sample(EN, 12)
        if V.bip39_checksum(w) or V.electrum_seed(w):
            continue
        n += 1
        assert not rules(s.scan(" ".join(w))) & {RULE, "electrum_seed"}


def test_electrum_rule_can_be_disabled():
    s2 = DlpScanner(Config.model_validate({"dlp": {"scan_env": False, "disabled_rules": ["electrum_seed"]}}))
    assert not s2.scan(" ".join(electrum_like("01", 1)))
