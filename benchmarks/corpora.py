"""Realistic, secret-free corpora for the benchmarks, built from files on the machine
where they exist (licence texts, Python stdlib sources, minified JS) and generated with a
fixed seed otherwise. `corpus(name, size)` -> bytes of exactly `size` bytes (UTF-8 safe).
"""
from __future__ import annotations

import base64
import glob
import json
import os
import random
import sysconfig

NAMES = ("english", "source", "minjs", "json_api", "html", "base64", "nonlatin")

_WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at which but have an "
          "they you were her all she there would their we him been has when who will more no if out so said what up "
          "its about into than them can only other new some could time these two may then do first any my now such "
          "like our over man me even most made after also did many before must through back years where much your "
          "way well down should because each just those people how too little state good very make world still own "
          "see men work long get here between both life being under never day same another know while last might "
          "us great old year off come since against go came right used take three").split()
_RU = ("и в не на я быть он с что а по это она этот к но они мы как из у который то за свой весь год от так о для "
       "ты же все тот мочь вы человек такой его сказать только или еще бы себя один как уже до время если сам когда "
       "другой вот говорить наш мой знать стать при чтобы дело жизнь кто первый очень два день её новый рука даже "
       "во со раз где там под можно ну какой после их работа без самый потом надо хотеть ли слово идти большой "
       "должен место иметь ничто").split()
_ZH = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴"
_JA = "これはテストの文章ですが日本語の文字を含みます。今日は天気が良いので公園を散歩しました。東京の人口はとても多いです。"


def _stdlib_dir() -> str:
    return sysconfig.get_paths()["stdlib"]


def _fill(chunks, size: int) -> bytes:
    out = bytearray()
    chunks = [c for c in chunks if c]
    if not chunks:
        raise RuntimeError("empty corpus")
    i = 0
    while len(out) < size:
        out += chunks[i % len(chunks)]
        i += 1
    return _cut(bytes(out), size)


def _cut(b: bytes, size: int) -> bytes:
    b = b[:size].decode("utf-8", "ignore").encode("utf-8")  # never end mid UTF-8 sequence
    return b + b" " * (size - len(b))


def _read_files(paths, limit: int) -> list[bytes]:
    out, total = [], 0
    for p in paths:
        try:
            with open(p, "rb") as f:
                b = f.read()
            b.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.append(b + b"\n")
        total += len(b)
        if total >= limit:
            break
    return out


def _english(size: int, rng: random.Random) -> bytes:
    files = sorted(glob.glob("/usr/share/common-licenses/*"))
    chunks = _read_files([f for f in files if os.path.isfile(f)], size)
    if not chunks:  # no licence texts here: generated prose
        chunks = [(" ".join(rng.choice(_WORDS) for _ in range(2000)) + ".\n").encode()]
    return _fill(chunks, size)


def _source(size: int, rng: random.Random) -> bytes:
    files = sorted(glob.glob(os.path.join(_stdlib_dir(), "*.py")))
    return _fill(_read_files(files, size), size)


def _minjs(size: int, rng: random.Random) -> bytes:
    files = sorted(glob.glob("/usr/share/javascript/**/*.min.js", recursive=True)
                   + glob.glob("/usr/lib/node_modules/**/*.min.js", recursive=True))
    chunks = _read_files(files, size)
    if not chunks:
        body = ";".join(f"function f{i}(a,b){{return a*{i}+b.length>{i}?a:b}}var v{i}=f{i}({i},'{rng.choice(_WORDS)}')"
                        for i in range(5000))
        chunks = [body.encode()]
    return _fill(chunks, size)


def _json_api(size: int, rng: random.Random) -> bytes:
    out = []
    n = 0
    while n < size:
        items = [{"id": rng.randrange(10**9), "uuid": f"{rng.getrandbits(128):032x}",
                  "name": " ".join(rng.choice(_WORDS) for _ in range(3)).title(),
                  "email": f"{rng.choice(_WORDS)}.{rng.choice(_WORDS)}@example.com",
                  "url": f"https://api.example.com/v2/items/{rng.randrange(10**6)}",
                  "created_at": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:{rng.randint(0, 59):02d}:00Z",
                  "price": round(rng.random() * 1000, 2), "active": rng.random() < 0.5,
                  "tags": [rng.choice(_WORDS) for _ in range(4)],
                  "description": " ".join(rng.choice(_WORDS) for _ in range(30))}
                 for _ in range(20)]
        b = json.dumps({"data": items, "page": len(out), "has_more": True}).encode() + b"\n"
        out.append(b)
        n += len(b)
    return _cut(b"".join(out), size)


def _html(size: int, rng: random.Random) -> bytes:
    parts, n = [], 0
    while n < size:
        paras = "".join(f'<p class="c{rng.randrange(9)}">' + " ".join(rng.choice(_WORDS) for _ in range(60))
                        + f' <a href="/wiki/{rng.choice(_WORDS)}">{rng.choice(_WORDS)}</a>.</p>\n' for _ in range(12))
        page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{rng.choice(_WORDS)}</title>'
                f'<link rel="stylesheet" href="/s.css"><script>window.dataLayer=window.dataLayer||[];</script></head>'
                f'<body><nav><ul>' + "".join(f'<li><a href="/{w}">{w}</a></li>' for w in rng.sample(_WORDS, 8))
                + f'</ul></nav><main><article><h1>{rng.choice(_WORDS).title()}</h1>\n{paras}</article></main>'
                f'<footer><div class="x">&copy; 2026 Example &amp; Co</div></footer></body></html>\n')
        b = page.encode()
        parts.append(b)
        n += len(b)
    return _cut(b"".join(parts), size)


def _base64(size: int, rng: random.Random) -> bytes:
    parts, n = [], 0
    while n < size:
        blob = base64.b64encode(rng.randbytes(rng.randint(2000, 20000))).decode()
        b = (json.dumps({"file": f"{rng.choice(_WORDS)}.png", "mime": "image/png", "data": blob,
                         "caption": " ".join(rng.choice(_WORDS) for _ in range(12))}) + "\n").encode()
        parts.append(b)
        n += len(b)
    return _cut(b"".join(parts), size)


def _nonlatin(size: int, rng: random.Random) -> bytes:
    parts, n = [], 0
    while n < size:
        ru = " ".join(rng.choice(_RU) for _ in range(80)) + ".\n"
        zh = "".join(rng.choice(_ZH) for _ in range(120)) + "。\n"
        b = (ru + zh + _JA + "\n").encode()
        parts.append(b)
        n += len(b)
    return _cut(b"".join(parts), size)


_BUILDERS = {"english": _english, "source": _source, "minjs": _minjs, "json_api": _json_api, "html": _html,
             "base64": _base64, "nonlatin": _nonlatin}


def corpus(name: str, size: int) -> bytes:
    return _BUILDERS[name](size, random.Random(12))


def source_of(name: str) -> str:
    return {"english": "/usr/share/common-licenses/* (generated prose if absent)",
            "source": "Python stdlib *.py", "minjs": "*.min.js under /usr/share/javascript, /usr/lib/node_modules",
            "json_api": "generated (seeded) API pages", "html": "generated (seeded) article pages",
            "base64": "generated JSON with base64 image blobs", "nonlatin": "generated Russian+Chinese+Japanese",
            }[name]
