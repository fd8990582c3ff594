"""Values that look like secrets but are public by design, declared as data.

Each entry is a public fact from the issuer's documentation: publishable keys that
ship in every web page, documented test card numbers, anonymous-role JWTs, SigV4
credential scopes, JSON-RPC chain queries, documentation placeholders. The DLP
scanner asks `benign_hit` after a rule matched; the engine asks `issuer_use` for the
few shapes that are only public at their own issuer (a key whose shape is shared with
a secret one): there only the finding for the field the key travels in is dropped, so
anything else in the same request is still judged. Every hook runs after a rule matched:
no decoder or pattern is weakened.
Pure functions, no I/O.
"""
from __future__ import annotations

import json
import re

from ..text.blobs import b64_bytes
from ..text.chars import rot13

# -- 1. values public anywhere (the whole token has this shape) ---------------------------
# Stripe and Clerk publishable keys (pk_live_/pk_test_), Mapbox public tokens (pk.eyJ...),
# PostHog project keys (phc_), Google Analytics / Tag Manager / Ads ids, Cloudflare Turnstile
# site keys (0x4AAAAAAA...), Datadog RUM client tokens (pub...), Plaid public tokens, Google OAuth client ids, Sentry DSNs
# (public key only: the DSN's secret part was removed from the format years ago), Stripe
# object ids.
PUBLIC_VALUE = re.compile(
    r"pk_(?:live|test)_[A-Za-z0-9$_=-]{16,256}"
    r"|pk\.eyJ[A-Za-z0-9_-]{10,200}\.[A-Za-z0-9_-]{10,100}"
    r"|phc_[A-Za-z0-9]{32,64}"
    r"|G-[A-Z0-9]{6,12}|GTM-[A-Z0-9]{4,9}|UA-\d{4,10}-\d{1,4}|AW-\d{6,12}"
    r"|0x4AAAAAAA[A-Za-z0-9_-]{10,30}"
    r"|public-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\d{6,20}-[a-z0-9]{32}\.apps\.googleusercontent\.com"
    r"|https://[0-9a-f]{32}@(?:o\d+\.)?(?:ingest\.(?:[a-z]{2}\.)?)?sentry\.io/\d+"
    # Datadog browser client tokens ("pub" + 32 hex; API keys have no prefix)
    r"|pub[0-9a-f]{32}"
    # Stripe object ids (customers, payment methods, charges...): names of records, not keys
    r"|(?:cus|pm|pi|ch|in|ii|il|sub|si|price|prod|evt|acct|txn|seti|src|tok|card|ba|py|po|tr|cs|plan|file"
    r"|link|cn|dp|du|sched|prv|ipi|iauth|ich)_(?:(?:live|test)_)?[A-Za-z0-9]{10,64}")


def public_value(s: str) -> bool:
    return PUBLIC_VALUE.fullmatch(s.strip().strip("\"'")) is not None


# -- 2. documentation placeholders -------------------------------------------------------
# A matched token at least 40% filler (XXXX, ****, ..., <...>, YOUR_...) is a placeholder,
# but only when what is left holds no random run of 16+ characters: a real key with filler
# appended still matches. Zero-filled fakes ("sk-proj-FAKE000...") are what leak tests use
# for real keys: they still match.
_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}")
_FILLER = re.compile(r"(?i)x{4,}|\*{3,}|\.{3,}|\u2026|<[^<>]{1,40}>|your[_-]?[a-z_-]{0,20}"
                     r"|placeholder|redacted|changeme|replace[_-]?me")


def placeholder(s: str) -> bool:
    if len(s) < 4:
        return False
    covered = sum(m.end() - m.start() for m in _FILLER.finditer(s))
    if covered * 10 < len(s) * 4:
        return False
    rest = _FILLER.sub(" ", s)
    return not any(len(set(r)) > 4 for r in _RUN.findall(rest))


# -- 3. documented test card numbers -----------------------------------------------------
# Published by card networks and payment processors for sandboxes; never a real account.
TEST_PANS = frozenset((
    "4242424242424242", "4000056655665556", "4111111111111111", "4012888888881881", "4222222222222",
    "4000000000000002", "4000000000009995", "4000000000000069", "4000000000000127", "4000002500003155",
    "4000000000003220", "4000000000000077", "4000000000000341", "4000000000000101", "4000000760000002",
    "5555555555554444", "2223003122003222", "5200828282828210", "5105105105105100", "5454545454545454",
    "2222400070000005", "5500000000000004", "5431111111111111",
    "378282246310005", "371449635398431", "378734493671000", "340000000000009", "370000000000002",
    "6011111111111117", "6011000990139424", "6011000000000004", "6011981111111113",
    "3056930009020004", "36227206271667", "30569309025904", "38520000023237",
    "3566002020360505", "3530111333300000", "3566111111111113",
    "6200000000000005", "6200000000000047", "6205500000000000004",
))


# AWS's documented example key id and these numbers are also what leak tests use as
# stand-ins for real ones, so a value alone is never enough: a test number passes only in a
# test-mode request (see benign_hit).
_TEST_CARD_DOC = re.compile(r"(?i)(?:\b|\\n)(?:test(?:ing)?|sandbox)\s+(?:mode\b|cards?\b|card\s+numbers?\b|numbers?\b|PANs?\b)"
                            r"|\b(?:test|sandbox)\s+environment\b")


_PAN = re.compile(r"\d[\d \-]{11,22}\d")  # the card number of a track (it ends at "=", "^" or "D")


def test_pan(value: str) -> bool:
    """A documented test number, or a sandbox-style one: after the 6-digit issuer prefix the
    account digits use at most two distinct values (4242..., 5555...4444, 6011 0000...0004).
    A real account number drawn at random does that about once in 50,000."""
    d = "".join(c for c in value if c.isdigit())
    if d in TEST_PANS:
        return True
    body = d[6:-1]
    return len(body) >= 6 and len(set(body)) <= 2


# -- 4. anonymous-role JWTs --------------------------------------------------------------
# A Supabase anon key (role "anon") is the publishable key of a project: it ships in the
# browser bundle and grants only what row-level security allows anonymous users.
# service_role keys and every JWT without that claim stay secret.
_ANON_ROLES = frozenset(("anon", "anonymous", "public"))


def _b64json(seg: str) -> dict | None:
    raw = b64_bytes(seg)
    if raw is None:
        return None
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def anon_jwt(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 4096:
        return False
    claims = _b64json(parts[1])
    if claims is None:
        return False
    role = claims.get("role")
    return isinstance(role, str) and role.lower() in _ANON_ROLES and "service_role" not in json.dumps(claims)


# -- 5. AWS SigV4 credential scopes ------------------------------------------------------
# `Credential=AKID/date/region/service/aws4_request` carries the key *id* (an identifier)
# next to a per-request signature; the secret access key never travels. A bare key id
# elsewhere still matches the aws_access_key_id rule.
_SIGV4_SCOPE = re.compile(r"/\d{8}/[a-z0-9-]{2,30}/[a-z0-9-]{2,30}/aws4_request")
_SIGV4_VALUE = re.compile(r"(?:AKIA|ASIA)[A-Z2-7]{16}" + _SIGV4_SCOPE.pattern)


def sigv4_scope(view: str, end: int) -> bool:
    """The key id that ends at `end` in `view` is followed by a credential scope."""
    return _SIGV4_SCOPE.match(view, end) is not None or \
        (view[end: end + 3] in ("%2F", "%2f") and re.match(r"%2F\d{8}%2F", view[end: end + 14], re.I) is not None)


# -- 6. chain addresses in chain queries -------------------------------------------------
# An address inside a JSON-RPC call of a chain's read API (eth_getBalance, eth_call, ...)
# is a query about a public ledger, not a leak.
_CHAIN_RPC = re.compile(r'"method"\s{0,3}:\s{0,3}"(?:eth|net|web3|erc20|alchemy|trace|debug|txpool|ots)_[A-Za-z]+"'
                        r'|"method"\s{0,3}:\s{0,3}"(?:getbalance|getaddressinfo|getreceivedbyaddress|scantxoutset'
                        r'|validateaddress|getAccountInfo|getBalance|getSignaturesForAddress)"')


# A page's own donation addresses ("Donate: BTC bc1...", "tip jar", "sponsor"): published to
# be paid, not a leak.
_DONATE = re.compile(r"(?i)(?:\b|\\n)(?:donat(?:e|ions?|ing)|tip\s?jar|tips?\b|sponsor|support\s+(?:this|the|our|my)\s+"
                     r"(?:project|work|development)|buy\s+me\s+a\s+coffee)")


# A payment request (BIP 21 `bitcoin:<address>?amount=&label=`, EIP 681 `ethereum:[pay-]<address>`,
# the same scheme for other chains): the address is the one the payer is asked to pay, published
# for that. Only the address right after the scheme passes; a key beside it is its own finding.
_PAY_URI = re.compile(r"(?i)(?:bitcoin|bitcoincash|litecoin|dogecoin|dash|zcash|ethereum):(?:pay-)?$")


def payment_uri(view: str, start: int) -> bool:
    return _PAY_URI.search(view, max(0, start - 20), start) is not None


def chain_query(view: str, start: int, end: int) -> bool:
    lo, hi = view.rfind("{", 0, start), view.find("}", end)
    win = view[max(0, start - 2000): end + 2000] if lo < 0 or hi < 0 else view[max(lo - 200, 0): hi + 200]
    return bool(_CHAIN_RPC.search(win))


def drop_chain_query_hits(fields: list[tuple[str, str]], found: list) -> list:
    """A JSON body split into leaves: an address under `params` of a chain RPC `method`."""
    if not any(f.rule in ("eth_address", "btc_address") for f in found):
        return found
    rpc = any(w.endswith(".method") and _CHAIN_RPC.search(f'"method": "{v.rsplit("=", 1)[-1].strip()}"')
              for w, v in fields)
    if not rpc:
        return found
    return [f for f in found if not (f.rule in ("eth_address", "btc_address") and ".params" in f.where)]


_NEXT_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+=")
_GLUED = re.compile(r"[+&;,|]?[A-Za-z_$][\w$.-]{0,40}(?:=|:|$)")


# -- 7. Firebase web configs ------------------------------------------------------------
# `firebaseConfig = {apiKey: "AIza...", authDomain: "x.firebaseapp.com", projectId: ...}` is
# pasted into every web app's bundle: Firebase documents that this key only identifies the
# project (access is governed by security rules). A Google key alone, or with one config
# field beside it, is judged as any Google key.
_FIREBASE_FIELD = re.compile(r"(?i)(authDomain|projectId|storageBucket|messagingSenderId|appId|measurementId|databaseURL)"
                             r"\\{0,2}[\"']?\s{0,3}[:=]")


_GOOGLE_KEY = re.compile(r"AIza[0-9A-Za-z_-]{35}")


def firebase_web_config(view: str, start: int, end: int) -> bool:
    win = view[max(0, start - 600): end + 600]
    fields = {m.group(1).lower() for m in _FIREBASE_FIELD.finditer(win)}
    return len(fields) >= 3 and ("authdomain" in fields or ".firebaseapp.com" in win)


# -- 8. search-only keys -----------------------------------------------------------------
# Algolia, Typesense and Meilisearch issue search-only keys for the browser (their docs put
# them in front-end code); the admin/write keys have the same shape but other names. Only a
# hex/alphanumeric value under a name that says search-only passes, and only the shape and
# name rules: the same value under any other name still blocks.
# a name ending in search(-only)(-api)-key: searchKey, algoliaSearchOnlyApiKey, ALGOLIA_SEARCH_API_KEY
_SEARCH_NAME = re.compile(r"(?:(?<![A-Za-z])[Ss]earch|(?<=[a-z])Search|(?<![A-Za-z])SEARCH)[_-]?(?:[Oo]nly[_-]?|ONLY[_-]?)?"
                          r"(?:[Aa]pi[_-]?|API[_-]?)?(?:[Kk]ey|KEY)$")
_SEARCH_BEFORE = re.compile(_SEARCH_NAME.pattern[:-1] + r"\\{0,2}[\"']?\s{0,3}[:=]\s{0,3}\\{0,2}[\"']?$")
_SEARCH_VALUE = re.compile(r"[0-9a-f]{32}|[A-Za-z0-9]{32,64}")


def search_only_key(value: str, where: str, before: str) -> bool:
    if _SEARCH_VALUE.fullmatch(value) is None:
        return False
    name = where.rsplit(".", 1)[-1] if where else ""
    return _SEARCH_NAME.search(name) is not None or _SEARCH_BEFORE.search(before) is not None


# -- the DLP hook ------------------------------------------------------------------------
# Rules that judge by shape or name, not by a documented secret format: a public value
# passes them wherever it goes.
_GENERIC = frozenset(("generic_secret_assignment", "bearer_token", "secret_field", "encoded_high_entropy",
                      "basic_auth", "google_api_key_context"))


def benign_hit(rule: str, secret: str, view: str, start: int, end: int, where: str = "") -> bool:
    """True when a rule's match is a public-by-design value (see the sections above)."""
    if rule in ("canary_token", "env_secret"):
        return False
    if rule == "aws_secret_access_key" and "url.host" in where and "+url.path" in where:
        # a host is lowercased by DNS and a path starts with "/": a 40-character run across
        # both with no capital is a bucket name and a path, not a secret cut at a "/"
        return not any(c.isupper() for c in secret)
    if rule in ("credit_card", "card_track_data"):  # a test number in test mode (a pk_test_ key beside it) or in docs about testing
        pan = _PAN.search(secret)
        return pan is not None and test_pan(pan.group()) and ("pk_test_" in view[max(0, start - 4096): end + 4096]
                                     or _TEST_CARD_DOC.search(view, max(0, start - 200), start) is not None)
    if rule == "jwt":
        return anon_jwt(secret)
    if rule == "google_api_key":
        return firebase_web_config(view, start, end)
    if rule == "aws_access_key_id":
        return placeholder(secret[4:]) or sigv4_scope(view, end)
    if rule in ("eth_address", "btc_address"):
        return chain_query(view, start, end) or payment_uri(view, start) \
            or _DONATE.search(view, max(0, start - 120), start) is not None
    if rule in _GENERIC:
        v = secret.strip().strip("\"'")
        if _NEXT_NAME.fullmatch(v):
            return True   # `STRIPE_SECRET_KEY=` then the next line's `SLACK_BOT_TOKEN=`: names with empty values
        if search_only_key(v, where, view[max(0, start - 60):start]):
            return True
        if public_value(v) or _SIGV4_VALUE.fullmatch(v) or anon_jwt(v):
            return True
        if _GOOGLE_KEY.search(v) and firebase_web_config(view, start, end):
            return True
        # joined fields: a public value glued to the next field's "name=" or "X-Name:"
        m = PUBLIC_VALUE.match(v)
        if m and len(v) <= 512:
            for k in range(m.end(), m.start() + 8, -1):
                if _GLUED.match(v, k) and public_value(v[:k]):
                    return True
    return placeholder(secret)


# -- names of cursor and paging fields ---------------------------------------------------
# "token" in these names is a position in a list, not a credential (Microsoft Graph
# $skiptoken/$deltatoken, Google pageToken/nextPageToken, AWS NextToken, sync tokens).
CURSOR_NAME = re.compile(r"(?i)(?:skip|delta|page|next|prev(?:ious)?|continuation|sync|pagination|cursor|resume"
                         r"|change|watermark)_?token$")


def cursor_name(name: str) -> bool:
    return CURSOR_NAME.search(name.lstrip("$")) is not None


# -- issuer use (the engine's hook) ------------------------------------------------------
# Keys whose shape is shared with secret keys, public only at their own service: a Google
# API key sent to Google (Firebase web keys, Maps keys), an Algolia key sent to Algolia
# with its application id, a Segment write key as Segment's Basic user, a reCAPTCHA /
# hCaptcha site key in the widget's own request, a card number at a payment processor's
# API, chain addresses at block explorers.
# Only shape/name-based rules are dropped, and only at the issuer's hosts: the same value
# sent anywhere else still blocks.
ISSUER_USE: tuple[tuple[frozenset, re.Pattern, tuple[str, ...]], ...] = (
    (frozenset({"google_api_key", "generic_secret_assignment", "secret_field"}),
     re.compile(r"header\.x-goog-api-key(?:\+.*)?|url\.query\.key"),
     ("googleapis.com", "firebaseio.com", "firebaseapp.com", "google.com")),
    (frozenset({"generic_secret_assignment", "secret_field"}),
     re.compile(r"header\.x-algolia-api-key(?:\+.*)?|url\.query\.x-algolia-api-key"),
     ("algolia.net", "algolianet.com", "algolia.io")),
    (frozenset({"encoded_high_entropy", "basic_auth", "secret_field"}),
     re.compile(r"header\.authorization"),
     ("api.segment.io", "segmentapis.com", "segment.io")),
    (frozenset({"query_entropy", "secret_field"}),
     re.compile(r"url\.query\.(?:k|sitekey|render|site_key)"),
     ("google.com", "recaptcha.net", "gstatic.com", "hcaptcha.com", "challenges.cloudflare.com")),
    # analytics project tokens, sent to the analytics service (they ship in every page's tag)
    (frozenset({"generic_secret_assignment", "secret_field", "query_entropy"}),
     re.compile(r"body\..*(?:token|api_key|apikey|write_?key)(?:\+.*)?|url\.query\.(?:token|api_key|writekey)"
                r"|header\.(?:authorization|x-api-key|api-key|x-write-key)"),
     ("mixpanel.com", "amplitude.com", "posthog.com", "segment.io", "segment.com", "heapanalytics.com",
      "rudderstack.com", "customer.io")),
    # an OAuth client id in the provider's own authorization or token request
    (frozenset({"google_oauth_client_id", "query_entropy", "secret_field"}),
     re.compile(r"url\.query\.client_id|body\..*client_id"),
     ("accounts.google.com", "oauth2.googleapis.com", "www.googleapis.com")),
    # media and share ids at the sites that issued them
    (frozenset({"query_entropy", "path_entropy"}),
     re.compile(r"url\.query\.(?:v|list|si|pp|feature|index|t|context)|url\.path\[\d\]"),
     ("youtube.com", "youtu.be", "youtube-nocookie.com", "open.spotify.com", "spotify.link")),
    # compressed diagram sources: the diagram service renders them, nobody else reads them
    (frozenset({"path_entropy", "query_entropy"}), re.compile(r"url\.path\[\d+\]|url\.query\..*"),
     ("mermaid.ink", "mermaid.live", "kroki.io", "plantuml.com", "excalidraw.com", "app.diagrams.net",
      "viewer.diagrams.net")),
    # signed URLs at the storage/CDN that checks the signature: per-request capabilities
    # with an expiry, made to travel in URLs (a SAS quoted in a body elsewhere still blocks)
    (frozenset({"query_entropy", "azure_sas_token", "secret_field"}),
     re.compile(r"url\.query\.(?:sig|signature|policy|key-pair-id)|url\.query\*?|url\.query\..*\+.*"),
     ("core.windows.net", "cloudfront.net", "azureedge.net")),
    # the session token of a SigV4 presigned URL (temporary credentials sign it) at AWS itself:
    # useless without the secret key, which never travels; the same token sent elsewhere blocks
    (frozenset({"secret_field", "query_entropy", "generic_secret_assignment"}),
     re.compile(r"url\.query\.x-amz-security-token"), ("amazonaws.com", "amazonaws.com.cn")),
    # README badge tokens (Codecov graph tokens: read-only, published in badge URLs) and
    # Google Drive/Docs file ids in share-link paths
    (frozenset({"secret_field", "query_entropy", "generic_secret_assignment"}),
     re.compile(r"url\.query\.token"), ("codecov.io",)),
    (frozenset({"path_entropy"}), re.compile(r"url\.path\[\d\]"), ("docs.google.com", "drive.google.com")),
    # a card number sent to a payment processor's API is a payment (or a sandbox test), not a leak
    (frozenset({"credit_card", "card_track_data"}),
     re.compile(r"body\..*|url\.query\..*|params\..*"),
     ("api.stripe.com", "api.braintreegateway.com", "api.sandbox.braintreegateway.com", "checkout-test.adyen.com",
      "checkout-live.adyen.com", "api.checkout.com", "api.sandbox.checkout.com", "connect.squareup.com",
      "connect.squareupsandbox.com", "api-m.paypal.com", "api-m.sandbox.paypal.com")),
    (frozenset({"eth_address", "btc_address"}),
     re.compile(r"url\..*"),
     ("mempool.space", "blockstream.info", "etherscan.io", "blockchair.com", "blockchain.com", "btcscan.org",
      "bscscan.com", "polygonscan.com", "arbiscan.io", "basescan.org", "optimistic.etherscan.io", "ethplorer.io",
      "blockcypher.com", "tronscan.org", "solscan.io", "explorer.solana.com", "oklink.com", "live.blockcypher.com")),
)


def _host_in(host: str, suffixes: tuple[str, ...]) -> bool:
    h = host.lower().rstrip(".")
    return any(h == s or h.endswith("." + s) for s in suffixes)


def issuer_use(rule: str, where: str, host: str) -> bool:
    if not host:
        return False
    w = re.sub(r" \([^()]*\)$", "", where.lower())  # "header.authorization (decoded)"
    return any(rule in rules and rx.fullmatch(w) and _host_in(host, hosts) for rules, rx, hosts in ISSUER_USE)


# -- public blobs (the encoded-entropy hook) -------------------------------------------
# A random-looking token in decoded text that is public by role: a digest or nonce named just
# before it, a server challenge (WebAuthn clientDataJSON, OAuth PKCE), the body of a PEM
# block that holds a public key or a certificate, or the DER of one (a key's public half
# ships in every TLS handshake, WebAuthn registration and transparency-log entry).
_PUBLIC_ROLE = re.compile(r"(?i)(?:sha\d{1,3}-|integrity|nonce|challenge)"
                          r"[\"']?\s{0,3}[:=]?\s{0,3}[\"']?$")
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:RSA |EC |SSH2 |OPENSSH )?PUBLIC KEY|CERTIFICATE|X509 CRL|PGP PUBLIC KEY BLOCK)"
                        r"-----|-----(?:BEGIN|END) [A-Z0-9 ]{1,40}-----")


def public_blob(text: str, start: int, token: str) -> bool:
    from .der import public_key_der
    pre = text[max(0, start - 24):start]
    if _PUBLIC_ROLE.search(pre):
        return True
    window = text[max(0, start - 8192):start]
    if "-----" in window:
        # the DLP also reads a ROT13 view of decoded text: a PEM block's labels read the same way there
        for w in (window, rot13(window)):
            last = None
            for m in _PEM_BEGIN.finditer(w):
                last = m
            if last is not None and last.group(1):
                return True   # inside a public-key or certificate PEM block (no END or other BEGIN since)
    return public_key_der(token)
