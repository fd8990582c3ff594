"""Validators that read around a match: field names that name a secret, placeholders,
the generic-assignment gate, and the per-rule checks (checksums, Authorization schemes,
GCP service-account keys, cards) keyed by a rule's `validator`.
"""
from __future__ import annotations

import re
from typing import Callable

from ...rules.dlp import PLACEHOLDER_WORDS, SECRET_KEY_NAMES
from ...text.blobs import decode_blob_cached
from .. import financial, public_ids
from .. import validators as V
from ..der import private_key_der
from ..entropy import is_public_id

_HEX_CHARS = "0123456789abcdefABCDEF"


def _only(s: str, chars: str) -> bool:
    return not s.strip(chars)


# ---------------------------------------------------------------------------
# validators that need the surrounding text

_SENSITIVE_KEY = re.compile(
    r"(?i)(password|passwd|passphrase|pwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|access[_-]?token"
    r"|refresh[_-]?token|client[_-]?secret|private[_-]?key|token|credential|session[_-]?key|x-api-key|"
    + SECRET_KEY_NAMES + r")")
# every match of _SENSITIVE_KEY contains one of these (lowercase)
_SENSITIVE_HINTS = ("pass", "pwd", "secret", "key", "token", "credential")
_NOT_SECRET_KEY = re.compile(
    r"(?i)(csrf|xsrf|_?(type|expiry|expires(_at|_in)?|url|uri|path|file|name|length|count|limit|size|endpoint|header"
    r"|policy|format|version|id|ids|prefix|hint|usage|ttl|timeout)$|tokeni[sz]er|max_?tokens|tokens_?used)")
_DOTTED_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$")
_CONST_IDENT = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_DATEISH = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d+(\.\d+)+([-+][A-Za-z0-9.]+)?$|^v\d")


# A request header whose name ends in "key" carries one (X-Custom-Key, Ocp-Apim-Subscription-Key),
# except the headers that name public or per-request values.
_HEADER_KEY = re.compile(r"(?i)^header\.[a-z0-9-]*[-_]key$")
_HEADER_KEY_PUBLIC = re.compile(r"(?i)[-_.](?:idempotency|public|publishable|site|cache|sort|routing|dedup|partition"
                                r"|request|trace|correlation|websocket)[-_]key$")


def _field_key_sensitive(where: str) -> bool:
    """The last name component of a field ("body.json.$.db.password") names a secret."""
    key = re.split(r"[.\[\]/:\s\"']+", where.strip(".[]/:\"' "))[-1] if where else ""
    if key and _HEADER_KEY.match(where) and not _HEADER_KEY_PUBLIC.search(where):
        return True
    return bool(key) and bool(_SENSITIVE_KEY.search(key)) and not _NOT_SECRET_KEY.search(key) \
        and not public_ids.cursor_name(key)


# whole values that documentation and test fixtures use in place of a secret ("uri://user:pass@host");
# in plain text only: the same word encoded into a hostname or a blob was put there on purpose
_DUMMY_VALUES = frozenset((
    "pass", "pwd", "pw", "foo", "bar", "baz", "qux", "test", "user", "username", "admin", "root", "guest", "demo",
    "example", "mypassword", "mysecret", "letmein", "passw0rd", "p@ssw0rd", "p4ssw0rd"))


def is_dummy(value: str) -> bool:
    return value.lower() in _DUMMY_VALUES


def is_placeholder(value: str) -> bool:
    low = value.lower()
    if len(set(low)) <= 2:
        return True
    if low in ("password", "passwd", "secret", "token", "apikey", "api_key", "none", "null", "undefined"):
        return True
    return any(w in low for w in PLACEHOLDER_WORDS)


# A version or version range (package manifests): "^1.2.1", ">=2.0.0 <3", "1.2.3-beta.1".
_VERSIONISH = re.compile(r"(?:[\^~>=<v]{0,3}\d+(?:\.[\dxX*]+){1,3}(?:[-+][\w.]+)?[\s,|]*){1,4}")


def secret_like(value: str) -> bool:
    """Gate for values found by name only (generic assignments, sensitive fields)."""
    v = value.strip().strip("\"'")
    if len(v) < 8 or len(v) > 512 or v.isdigit() or is_placeholder(v) or is_dummy(v):
        return False
    if "://" in v or v[0] in "/~." or v.startswith("$") or _CONST_IDENT.match(v):
        return False
    if _DOTTED_IDENT.match(v) and not any(c.isdigit() for c in v):  # settings.API_KEY, os.environ
        return False
    if _DATEISH.match(v) or _VERSIONISH.fullmatch(v):
        return False
    cls = V.char_classes(v)
    ent = V.shannon(v)
    if len(v) >= 32 and ent >= 3.0 and _only(v, _HEX_CHARS):
        return True  # a long hex value named as a key or secret (the format of many API keys)
    return (cls >= 3 and ent >= 2.5) or (cls >= 2 and ent >= 3.5 and len(v) >= 16)


_KEY_HEAD = re.compile(r"[A-Za-z0-9_.-]{0,40}\Z")
_NEXT_FIELD = re.compile(r"[+&;,|]?[A-Za-z_][\w-]{1,40}=(?=[^=])")


def _v_generic(secret: str, view: str, m: re.Match, where: str) -> bool:
    # the pattern starts at the keyword (fast); the rest of the name is just before it
    head = _KEY_HEAD.search(view, max(0, m.start() - 40), m.start())
    key = (head.group() if head else "") + (m.group("k") or "")
    if _NOT_SECRET_KEY.search(key) or public_ids.cursor_name(key):
        return False
    # In a join of `name=value` fields, the value ends where the next field's name begins.
    return secret_like(_NEXT_FIELD.split(secret, 1)[0])


def _v_gcp(secret: str, view: str, m: re.Match, where: str) -> bool:
    win = view[max(0, m.start() - 8192): m.end() + 8192]
    return '"private_key"' in win or "'private_key'" in win


def _v_btc(secret: str, view: str, m: re.Match, where: str) -> bool:
    return V.bech32_address(secret) if secret[:3].lower() == "bc1" else V.btc_base58_address(secret)


_JWK_KTY = re.compile(r'\\{0,2}"kty\\{0,2}"\s{0,3}:\s{0,3}\\{0,2}"(?:RSA|EC|OKP|oct)\\{0,2}"')


def _v_jwk(secret: str, view: str, m: re.Match, where: str) -> bool:
    """A private JWK member: the same object (no '}' between) names a key type."""
    a = view.rfind("{", max(0, m.start() - 2048), m.start())
    b = view.find("}", m.end(), m.end() + 2048)
    if a < 0:
        return False
    obj = view[a:b if b >= 0 else m.end() + 2048]
    return "}" not in view[a:m.start()] and _JWK_KTY.search(obj) is not None


_AUTH_BEFORE = re.compile(r"(?i)authorization[\"']?\s{0,3}[:=]\s{0,3}[\"']?\Z")


# schemes whose documented credential is a UUID (Splunk HEC tokens, Opsgenie API keys)
_UUID_SCHEMES = frozenset(("splunk", "geniekey"))
_UUID_SHAPE = re.compile(r"[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}")


def _v_auth_scheme(secret: str, view: str, m: re.Match, where: str) -> bool:
    """The scheme is the value of an Authorization header or field (right after its
    name, or first in a field named so), and the value is no id-shaped or public value
    and does not decode to a placeholder."""
    if not (_AUTH_BEFORE.search(view, max(0, m.start() - 24), m.start())
            or (m.start() == len(view) - len(view.lstrip())
                and where.lower().removesuffix(" (decoded)").endswith("authorization"))):
        return False
    if (_UUID_SHAPE.fullmatch(secret) and m.group("k").lower() not in _UUID_SCHEMES) or is_public_id(secret) or (len(secret) == 64 and _only(secret, _HEX_CHARS)):
        return False  # ids, public ids and SHA-256 digests are what a scheme may sign or name, not a credential
    return not any(is_placeholder(t.strip()) for t in decode_blob_cached(secret.encode("ascii", "ignore")))


_VALIDATORS: dict[str, Callable[[str, str, re.Match, str], bool]] = {
    "generic_secret": _v_generic,
    "gcp_sa_private_key": _v_gcp,
    "jwk_private": _v_jwk,
    "btc_address": _v_btc,
    "eth_address": lambda s, v, m, w: V.eth_address_mixed_valid(s),
    "credit_card": lambda s, v, m, w: (financial.card_number(s) and _card_separators_ok(s)
                                       and not financial.labelled_not_card(s, v, m.start("s"), w)),
    "iban": lambda s, v, m, w: V.iban(s),
    "wif": lambda s, v, m, w: V.wif(s),
    "extended_private_key": lambda s, v, m, w: V.extended_private_key(s),
    "mini_private_key": lambda s, v, m, w: V.mini_private_key(s),
    "card_track": lambda s, v, m, w: V.card_track(s),
    "nostr_nsec": lambda s, v, m, w: V.bech32_secret(s, "nsec", 52),
    "stellar_secret_seed": lambda s, v, m, w: V.stellar_secret_seed(s),
    "solana_secret_b58": lambda s, v, m, w: V.solana_secret_b58(s),
    "jwt": lambda s, v, m, w: V.jwt(s),
    "basic_auth": lambda s, v, m, w: V.basic_auth(s),
    "us_ssn": lambda s, v, m, w: V.us_ssn(s),
    "private_key_der": lambda s, v, m, w: private_key_der(s),
    "authorization_scheme": _v_auth_scheme,
    "ed25519_keypair_array": lambda s, v, m, w: financial.keypair_array(s, v, m.start(), w),
    "web3_keystore": lambda s, v, m, w: financial.web3_keystore(v, m.start(), m.end()),
}


def _card_separators_ok(s: str) -> bool:
    """One separator kind at most (4111 1111-1111 1111 is not how cards are written)."""
    seps = {c for c in s if not c.isdigit()}
    return len(seps) <= 1


