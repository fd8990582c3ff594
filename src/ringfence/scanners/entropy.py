"""Entropy and shape tests for URL parts: is this a word, a hash, an image, or data?

Shannon entropy alone flags many honest things (hashes, UUIDs, slugs, search
text, image uploads) and misses short encoded data (a 16-char base32 label has
at most 4 bits/char). So each test here pairs the entropy figure with shape
checks: recognisable benign shapes pass, data-like shapes (hex, base32,
long digit/letter mixes without vowels) are flagged even under the threshold.
Pure functions, no I/O.
"""
from __future__ import annotations

import math
import re
import zlib
from collections import Counter

from ..text.blobs import b32_bytes, b64_bytes
from .der import public_key_der
from .public_ids import placeholder, public_value

_LOG2 = {n: math.log2(n) for n in range(1, 4097)}

HEX_RE = re.compile(r"[0-9a-fA-F]+")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
BASE32_RE = re.compile(r"[a-z2-7]+|[A-Z2-7]+")
WORD_RE = re.compile(r"[a-z]+|[A-Z][a-z]+|[A-Z]+")
_VOWELS = frozenset("aeiouAEIOU")
_TEXT_SPLIT = re.compile(r"[\s+]+")
_SLUG_SPLIT = re.compile(r"[-_.~]+")


def shannon(s: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(s)
    if n < 2:
        return 0.0
    log_n = _LOG2.get(n) or math.log2(n)
    # H = log2(n) - sum(c*log2(c))/n, with one log per distinct symbol
    acc = 0.0
    for c in Counter(s).values():
        if c > 1:
            acc += c * (_LOG2.get(c) or math.log2(c))
    return log_n - acc / n


def is_hex(s: str) -> bool:
    return HEX_RE.fullmatch(s) is not None


def is_uuid(s: str) -> bool:
    return len(s) == 36 and UUID_RE.fullmatch(s) is not None


_SRI = re.compile(r"sha(?:256-[A-Za-z0-9+/]{43}=|384-[A-Za-z0-9+/]{64}|512-[A-Za-z0-9+/]{86}==)")


def is_sri(s: str) -> bool:
    """A Subresource Integrity digest (sha384-<base64 of 48 bytes>): a public content hash."""
    return _SRI.fullmatch(s) is not None


# Public identifiers that look random by design: publishable keys, content ids and digests.
_PUBLIC_ID = re.compile(
    r"(?:pk_(?:live|test)_|pk\.eyJ|sha(?:1|256|384|512)[:-]|bafy|bafk)[A-Za-z0-9+/=._-]{8,}"
    r"|Qm[1-9A-HJ-NP-Za-km-z]{44}|[0-9a-df-np-sv-z]{32}-[A-Za-z0-9._+-]{1,200}"
    # Nix binary caches: <store hash>.narinfo and nar/<sha256 of the archive>.nar[.xz|.zst|...],
    # both in Nix's own base32 alphabet (no e, o, t, u)
    r"|[0-9a-df-np-sv-z]{32}\.narinfo|[0-9a-df-np-sv-z]{52}\.nar(?:\.(?:xz|bz2|zst|gz|br|lz4|lzip))?")


# A search qualifier before a value ("integrity:sha512-...", "sha:9fceb02", "digest:sha256:..."):
# the value after it is judged alone.
_QUALIFIER = re.compile(r"[A-Za-z][\w.-]{0,30}:(?!//)")


def is_public_id(s: str) -> bool:
    """A publishable key, an IPFS CID, a Nix store path name or NAR file, a Docker/SRI digest, a public
    key or certificate (base64 DER), or one of these after a search qualifier."""
    if s.startswith("Qm") and len(set(s[2:])) < 8:
        return False  # a CID is a hash: not a run of one letter
    if _PUBLIC_ID.fullmatch(s) is not None or public_value(s) or public_key_der(s):
        return True
    q = _QUALIFIER.match(s)
    if q is None:
        return False
    rest = s[q.end():]
    return is_hex(rest) or is_uuid(rest) or is_sri(rest) or (_PUBLIC_ID.fullmatch(rest) is not None
                                                             or public_value(rest) or public_key_der(rest))


def _decoded_text(value: str) -> str | None:
    """The text a base64/base64url/base32 value spells, if it spells text."""
    from ..text.unpack import bytes_to_text
    core = value.rstrip("=")
    raw = None
    if len(core) >= 16 and (core.isupper() or core.islower()) and all(c in _B32_OK for c in core.upper()):
        raw = b32_bytes(core)
    if raw is None:
        raw = b64_bytes(value[:1 << 16], whole_quads=True)
    if raw is None:
        return None
    got = bytes_to_text(raw)
    return got[1] if got is not None else None


_B32_OK = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _layered_text(value: str) -> str | None:
    """What the whole value spells through the one decoding layer (text/decode.py: Ascii85,
    Base85, Base45, MIME words, bzip2/xz/zip/brotli/CBOR containers and their stacks):
    the deepest layer that spans all of it, or None (a blob inside other text is no reading
    of the value). Bounded: a URL part, a few layers, a short deadline."""
    from ..text.decode import decode_layers
    if len(value) > _LAYERED_MAX:
        return None
    n, best, chain = len(value), None, -1
    for d in decode_layers(value, max_depth=3, max_total_bytes=1 << 16, deadline_s=0.1, max_items=16):
        if d.chain == "truncated":
            return None   # a budget stop: no reading, the value is judged as it is
        if d.start == 0 and d.end >= n - 2 and d.chain.count(">") > chain:
            best, chain = d.text, d.chain.count(">")
    return best


_LAYERED_MAX = 8192
_SECRETISH = re.compile(r"[{\[]|(?i:bearer|basic |token|secret|passw|pwd|private|credential|auth|key\b|_key)")


def benign_decoding(value: str, threshold: float, min_len: int) -> bool:
    """Whether the whole value decodes to something benign (see _benign_decoding)."""
    return _benign_decoding(value, threshold, min_len, 0)


def _benign_decoding(value: str, threshold: float, min_len: int, depth: int) -> bool:
    """An encoded value judged by what it decodes to: prose, a hash, a UUID or a public id
    is not a covert channel (a secret inside it is DLP's to find)."""
    dec = _decoded_text(value)
    if dec is None:
        dec = _layered_text(value)
    if dec is None:
        return False
    d = " ".join(dec.split())   # lines of a decoded file are words of one text
    if not d or d == value:
        return False
    if _benign_shape(d):
        return True
    if d[:1] in "{[":
        if _benign_json(dec, threshold, min_len, depth):
            return True
        whole = _layered_text(value)   # the first reading may be a bounded prefix
        return whole is not None and whole != dec and _benign_json(whole, threshold, min_len, depth)
    if _SECRETISH.search(d):
        return False   # structured data or a named secret: the opaque form stays data-like
    words = d.split(" ")
    # words (prose, a decoded file's lines, a CBOR map's key and value): each judged as it
    # would be if sent plain; anything else (one opaque token, grouped base64) only as
    # another layer that decodes to something benign
    if len(words) > 1 and len(words) <= 256 and (_texty(words) or all(_benign_shape(w) or _token_texty(w)
                                                                       for w in words)):
        return all(data_like(w, threshold, min_len, depth + 1) is None for w in words)
    return len(d) >= 16 and depth < 4 and _benign_decoding(d, threshold, min_len, depth + 1)


_SECRET_WORD = re.compile(r"(?i)bearer|basic$|token|secret|passw|pwd|private|credential")
_SECRET_NAME = re.compile(r"(?i)bearer|token|secret|passw|pwd|private|credential|auth|key$|_key|apikey|cookie|session")


def _benign_json(text: str, threshold: float, min_len: int, depth: int) -> bool:
    """A decoded JSON document (a dashboard's or diagram's compressed state in a URL) is
    benign when every key is a plain name and every value would pass if sent plain; a
    secret-naming key, a byte array (a keypair's bytes) or a data-like value keeps it data."""
    from ..core import jsonstrict
    from ..core.jsonwalk import Walk, WalkLimit
    try:
        nodes = Walk(max_nodes=512).nodes(jsonstrict.loads(text))
    except (ValueError, RecursionError, WalkLimit):
        return False   # not JSON, or too large to judge: stays data
    leaves = []
    for _path, name, value, member in nodes:
        if member:
            if _SECRET_NAME.search(name):
                return False
            leaves.append(name)
        if isinstance(value, str):
            leaves.append(value)
        elif isinstance(value, list) and len(value) >= 8 and all(
                isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 256 for x in value):
            return False
    return all(not w or data_like(w, threshold, min_len, depth + 1) is None and not _SECRET_WORD.search(w)
               for leaf in leaves for w in leaf.split())


def _benign_shape(d: str) -> bool:
    """A hash, UUID, public id, placeholder, slug or relative path of words."""
    return is_hex(d) or is_uuid(d) or is_sri(d) or is_public_id(d) or placeholder(d) or is_slug(d) or (
        "/" in d and all(is_slug(p) or is_wordlike(p) for p in d.strip("/").split("/")))


def vowel_ratio(s: str) -> float:
    letters = [c for c in s if c.isalpha()]
    if not letters:
        return 0.0
    return sum(c in _VOWELS for c in letters) / len(letters)


def is_wordlike(tok: str) -> bool:
    """A natural-language-looking word: letters only, normal casing, has a vowel."""
    if not 1 <= len(tok) <= 24:
        return False
    if WORD_RE.fullmatch(tok) is None:
        return False
    if len(tok) <= 3:
        return True
    return any(c in _VOWELS or c in "yY" for c in tok)


def is_slug(s: str) -> bool:
    """kebab/snake-case words, maybe with small numbers: how-to-fix-error-42."""
    parts = [p for p in _SLUG_SPLIT.split(s) if p]
    if len(parts) < 2:
        return False
    for p in parts:
        if p.isdigit() and len(p) <= 8:
            continue
        if not is_wordlike(p):
            return False
    return True


# -- base64 images ---------------------------------------------------------

_IMAGE_PREFIXES = ("iVBORw0KGgo", "/9j/", "R0lGODdh", "R0lGODlh", "UklGR")
_PNG_SIG = b"\x89PNG\r\n\x1a\n"


def _png_ok(raw: bytes) -> bool:
    """PNG signature and a well-formed IHDR chunk with a correct CRC."""
    if not raw.startswith(_PNG_SIG) or len(raw) < 33:
        return False
    length = int.from_bytes(raw[8:12], "big")
    if length != 13 or raw[12:16] != b"IHDR":
        return False
    crc = int.from_bytes(raw[29:33], "big")
    return zlib.crc32(raw[12:29]) == crc


def is_base64_image(s: str) -> bool:
    """Base64 (or a data: URI) that decodes to a recognisable image header.

    The header has to be real (PNG: valid IHDR with CRC; JPEG: SOI + marker;
    GIF/WebP: full signature), so a bare "iVBORw0KGgo" prefix on random data
    does not pass.
    """
    if s.startswith("data:image/"):
        comma = s.find(",")
        if comma < 0 or ";base64" not in s[:comma]:
            return False
        s = s[comma + 1:]
    if not s.startswith(_IMAGE_PREFIXES):
        return False
    raw = b64_bytes(s[:4096], whole_quads=True)  # a bounded prefix: the header is enough
    if raw is None:
        return False
    if raw.startswith(_PNG_SIG):
        return _png_ok(raw)
    if raw.startswith(b"\xff\xd8\xff") and len(raw) >= 4:
        return raw[3] in (0xE0, 0xE1, 0xE2, 0xDB, 0xEE, 0xC0, 0xC4, 0xFE)
    if raw[:6] in (b"GIF87a", b"GIF89a"):
        return len(raw) >= 10
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return raw[12:15] == b"VP8"
    return False


# -- verdicts ----------------------------------------------------------------

def _mostly_non_ascii_text(s: str) -> bool:
    non_ascii = sum(1 for c in s if ord(c) > 127)
    return non_ascii * 3 >= len(s)


def data_like(value: str, threshold: float, min_len: int, depth: int = 0) -> tuple[str, float] | None:
    """Why a path segment or query value looks like encoded data, or None.

    Returns (reason, entropy). Benign shapes are recognised before the entropy
    test fires: hex hashes and UUIDs, base64 images, slugs, natural-language
    text (judged per word), nested URLs and paths (judged per segment).
    """
    n = len(value)
    if n < min_len:
        return None
    if "+" in value and is_public_id(value):
        return None  # a digest's or public key's base64 is no text of words to split on "+"
    if depth < 2 and ("+" in value or " " in value) and value.count(" ") * 10 < n \
            and shannon(value) > threshold and _benign_decoding(value, threshold, min_len, depth):
        return None  # an encoding of something benign: its "+" or " " is a digit (base64, Base45), not a space
    if depth < 2:
        pieces = None
        if "://" in value or value.startswith("/"):
            pieces = _NESTED_SPLIT.split(value)          # a nested URL or absolute path
        elif " " in value or "+" in value:
            toks = _TEXT_SPLIT.split(value)
            if " " in value.strip() and "+" not in value or _texty(toks):
                pieces = toks                            # text: judge each word
        elif _BANG_STATE.fullmatch(value):
            pieces = [m.group(1) for m in _BANG_FIELD.finditer(value)]  # Google Maps data=!3m1!4b1...
        if pieces is not None and len(pieces) >= 2:
            for p in pieces:
                r = data_like(p.strip("\"'()[]{}<>,;:!?"), threshold, min_len, depth + 1)
                if r:
                    return r
            return None
    if is_hex(value) or is_uuid(value) or is_sri(value) or is_public_id(value):
        return None  # hashes, ids and publishable keys: public, and very common in honest URLs
    if _mostly_non_ascii_text(value):
        return None  # non-Latin text: many distinct characters, not a covert channel we judge here
    h = shannon(value)
    if h <= threshold:
        return None
    if is_slug(value) or is_base64_image(value):
        return None
    if "/" in value and all(is_slug(p) or is_wordlike(p) or len(p) < min_len // 2 for p in value.split("/")):
        return None  # a relative path of words: docs/getting-started/install
    if depth < 2 and value[:2] == "ey" and value.endswith("."):
        r = _unsigned_jwt(value, threshold, min_len, depth)
        if r is not False:
            return r
    if depth < 2 and value[:2] in ("ey", "Wy", "W3", "e3"):
        r = _b64_json(value, threshold, min_len, depth)
        if r is not False:
            return r
    if depth < 2 and _benign_decoding(value, threshold, min_len, depth):
        return None
    return ("high_entropy", h)


_B64_JSON_MAX = 8192


def _b64_json(value: str, threshold: float, min_len: int, depth: int) -> tuple[str, float] | None | bool:
    """Base64 of a JSON object/array (search filters, cursors, OAuth state) is
    judged by its string values instead of its encoded form. False: not that shape."""
    import json
    if len(value) > _B64_JSON_MAX:
        return False
    raw = b64_bytes(value, whole_quads=True)
    if raw is None:
        return False
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if not isinstance(doc, (dict, list)):
        return False
    return _json_verdict(doc, value, threshold, min_len, depth)


def _json_verdict(doc, value: str, threshold: float, min_len: int, depth: int) -> tuple[str, float] | None:
    stack, seen = [(doc, 0)], 0
    while stack:
        node, d = stack.pop()
        seen += 1
        if seen > 256 or d > 8:
            return ("high_entropy", shannon(value))  # too big to judge: keep the plain verdict
        if isinstance(node, dict):
            for k, v in node.items():
                stack.append((k, d + 1))
                stack.append((v, d + 1))
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
        elif isinstance(node, str):
            r = data_like(node, threshold, min_len, depth + 1)
            if r:
                return r
    return None


def _unsigned_jwt(value: str, threshold: float, min_len: int, depth: int) -> tuple[str, float] | None | bool:
    """An unsigned JWT (header alg "none", empty signature) is two base64url JSON documents
    that prove nothing: judged by their values like any encoded JSON. A signed one is a bearer
    credential and keeps the plain verdict. False: not that shape."""
    import json
    parts = value.split(".")
    if len(parts) != 3 or parts[2] or not parts[1] or len(value) > _B64_JSON_MAX:
        return False
    raw = [b64_bytes(p) for p in parts[:2]]
    if None in raw:
        return False
    try:
        header, claims = (json.loads(r.decode("utf-8")) for r in raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if not isinstance(header, dict) or not isinstance(claims, dict) or str(header.get("alg", "")).lower() != "none":
        return False
    return _json_verdict([header, claims], value, threshold, min_len, depth)


_NESTED_SPLIT = re.compile(r"[/?&=#]+")
# "!<field number><type letter><value>" state strings (Google Maps/Earth URLs): each value
# is judged alone, so a long state of short ids, coordinates and hex feature ids passes.
_BANG_STATE = re.compile(r"(?:[A-Za-z_]{1,12}=)?(?:![0-9]{1,3}[a-z][^!]{0,80}){3,}")
_BANG_FIELD = re.compile(r"![0-9]{1,3}[a-z]([^!]*)")
_WORD_RUN = re.compile(r"[A-Z]?[a-z]{2,}|[A-Z]{3,}")


def _token_texty(t: str) -> bool:
    t = t.strip("\"'()[]{}<>,;:!?.")
    if not t:
        return False
    if is_wordlike(t) or (t.isdigit() and len(t) <= 6):
        return True
    letters = sum(c.isalpha() for c in t)
    covered = sum(len(m.group(0)) for m in _WORD_RUN.finditer(t) if is_wordlike(m.group(0)))
    return letters >= 3 and covered * 2 >= letters and covered >= 3


def _texty(tokens: list[str]) -> bool:
    toks = [t for t in tokens if t]
    if len(toks) < 2:
        return False
    words = sum(1 for t in toks if _token_texty(t))
    return words * 10 >= len(toks) * 6


# -- DNS labels --------------------------------------------------------------

def label_data_like(label: str, threshold: float, min_len: int) -> tuple[str, float] | None:
    """Why one DNS label looks like encoded data, or None.

    Dash-separated parts that are words are removed first, so names such as
    nginx-deployment-7d4b9c8f5-x2kqp or gpu-a100-node-17 are judged on their
    random-looking remainder only.
    """
    if len(label) < min_len:
        return None
    core = label_core(label)
    if len(core) < min_len:
        return None
    h = shannon(core)
    if h > threshold:
        return ("subdomain_entropy", h)
    if len(core) >= 16 and is_hex(core) and any(c.isdigit() for c in core) and any(c.isalpha() for c in core):
        return ("hex_label", h)
    if len(core) >= 16 and BASE32_RE.fullmatch(core) and sum(c.isdigit() for c in core) >= 2 \
            and vowel_ratio(core) < 0.25:
        return ("base32_label", h)
    if len(core) >= 20 and core.isalnum() and vowel_ratio(core) < 0.2 and _transitions(core) >= 6:
        return ("random_label", h)
    return None


def label_core(label: str) -> str:
    """A label without its word-like dash-separated parts (the part that may carry data)."""
    low = label.lower()
    if "-" not in low:
        return "" if _label_word(low) else low
    return "".join(p for p in low.split("-") if p and not _label_word(p))


def _label_word(p: str) -> bool:
    if p.isdigit():
        return len(p) <= 5  # node-17, a100-style counters; long digit runs are data
    return p.isalpha() and (len(p) <= 3 or vowel_ratio(p) >= 0.2) and len(p) <= 16 or \
        (len(p) <= 6 and p.isalnum())  # short tokens such as a100, us2, v3


def _transitions(s: str) -> int:
    t = 0
    for a, b in zip(s, s[1:]):
        if a.isdigit() != b.isdigit():
            t += 1
    return t
