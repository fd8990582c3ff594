"""DLP rules for the long tail of documented token formats (issue 10), one per secret type:
SaaS, CI, payments, observability and AI-tool keys whose vendor documents a fixed prefix,
alphabet and length; webhook URLs whose path is the credential; wallet and signing secrets
confirmed by their checksum or key pair. `tp` must be found, `tn` are near misses that must
not. Every value below is a synthetic random string in the documented shape.
"""
from __future__ import annotations

from .dlp import H32, H64, NA, NA64, NB, R20, R24, R30, R32, R36, R40, R43, R48, R52, R64, R86, R100, DlpRule
from .dlp_tail import R22, R26, R44, U26, X24, X40

UUID = f"{H32[:8]}-{H32[8:12]}-{H32[12:16]}-{H32[16:20]}-{H32[20:]}"
LOW70 = (X40 + H32)[:70]
# wallet and signing secrets, generated for these examples from a fixed hash (never used anywhere)
STELLAR_SEED = "SBRRESW5RI2KR5GS74FRFML4E6D24HVSR3Z7YUZRYIY2PJ4CWJM76D5Z"
NSEC = "nsec1vvfy4hv2xj50f5hlpvftzlp8s7hpav5w7079xvwzxxn60q4jt8lsyx2kg7"
SOL_B58 = "2ytGD1CmLy9fajRZRstdLAL7fNo9ktyksM3hxFwhbXHX48sgR9d97MjZHhSaD9VpCkgTLDy3m18MBXY83CDbzjZR"


def _r(*a, **k) -> DlpRule:
    return DlpRule(*a, **k)


SERVICE_RULES: tuple[DlpRule, ...] = (
    # ---- developer platforms, CI and registries -----------------------------------------
    _r("supabase_access_token", "Supabase personal access token", "critical", NB + r"sbp_(?:oauth_)?[a-f0-9]{40}" + NA,
       tp=(f"sbp_{X40}", f"SUPABASE_ACCESS_TOKEN=sbp_oauth_{X40}"), tn=(f"sbp_{X24}", "sbp_" + "g" * 40)),
    _r("azure_devops_pat", "Azure DevOps personal access token (84 characters, AZDO signature)", "critical",
       r"\b[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}\b", min_entropy=4.0,
       tp=(f"{R64}{R20[:12]}AZDO{R20[12:16]}",), tn=(f"{R64}{R20[:12]}AZDX{R20[12:16]}", "A" * 76 + "AZDO" + "AAAA")),
    _r("azure_devops_pat_legacy", "Azure DevOps personal access token (52 characters, with context)", "critical",
       NB + r"(?P<s>[a-z2-7]{52})" + NA, min_entropy=4.0,
       context=("azure devops", "azure_devops", "azdo", "ado_pat", "vsts", "dev.azure.com", "visualstudio.com",
                "system_accesstoken"),
       tp=("AZURE_DEVOPS_EXT_PAT=" + "".join(c for c in (R100 + R64).lower() if c in "abcdefghijklmnopqrstuvwxyz234567")[:52],),
       tn=("azdo build " + "a" * 52, "note: " + "".join(c for c in (R100 + R64).lower()
                                                       if c in "abcdefghijklmnopqrstuvwxyz234567")[:52])),
    _r("jfrog_token", "JFrog Artifactory API key / reference token", "critical",
       NB + r"(?:AKCp[A-Za-z0-9]{69}|cmVmdGtuOjAx[A-Za-z0-9]{40,60})" + NA, min_entropy=4.0,
       tp=(f"AKCp{R64}{R20[:5]}", f"cmVmdGtuOjAx{R52}"), tn=(f"AKCp{R40}", "cmVmdGtuOjAx" + "A" * 52)),
    _r("clojars_token", "Clojars deploy token", "critical", NB + r"CLOJARS_[a-f0-9]{60}" + NA,
       tp=(f"CLOJARS_{H64[:60]}",), tn=(f"CLOJARS_{H32}",)),
    _r("readme_api_key", "ReadMe API key", "high", NB + r"rdme_[a-z0-9]{70}" + NA, tp=(f"rdme_{LOW70}",),
       tn=(f"rdme_{X40}",)),
    _r("infracost_api_key", "Infracost API key", "high", NB + r"ico-[A-Za-z0-9]{32}" + NA, min_entropy=3.5,
       tp=(f"ico-{R32}",), tn=("ico-" + "a" * 32, "ico-" + R20)),
    _r("scalingo_token", "Scalingo API token", "critical", NB + r"tk-us-[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])",
       tp=(f"tk-us-{R48}",), tn=(f"tk-us-{R20}",)),
    _r("harness_token", "Harness personal / service-account token", "critical",
       r"\b(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}\b",
       tp=(f"pat.{R22}.{R24}.{R20}", f"sat.{R22}.{R24}.{R20}"), tn=(f"pat.{R22}.{R24}", "pat.example.com.local")),
    _r("e2b_api_key", "E2B API key", "critical", NB + r"e2b_[a-f0-9]{40}" + NA, tp=(f"e2b_{X40}",),
       tn=(f"e2b_{X24}",)),
    _r("akamai_edgegrid_token", "Akamai EdgeGrid client / access token", "critical",
       NB + r"akab-[a-z0-9]{16}-[a-z0-9]{16}" + NA, tp=(f"client_token = akab-{X24[:16]}-{X40[:16]}",),
       tn=("akab-" + X24[:16], "akab-docs-example")),

    # ---- AI and data tools used by agents ------------------------------------------------------
    _r("tavily_api_key", "Tavily API key", "critical", NB + r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{24,40}" + NA,
       min_entropy=3.5, tp=(f"tvly-{R32}", f"TAVILY_API_KEY=tvly-dev-{R32}"), tn=("tvly-" + "a" * 32, "tvly-short")),
    _r("firecrawl_api_key", "Firecrawl API key", "critical", NB + r"fc-[a-f0-9]{32}" + NA, min_entropy=3.0, tp=(f"fc-{H32}",),
       tn=(f"fc-{H32[:20]}", "fc-" + "0" * 32)),
    _r("posthog_personal_key", "PostHog personal API key", "critical", NB + r"phx_[A-Za-z0-9]{40,50}" + NA,
       min_entropy=3.5, tp=(f"phx_{R43}",), tn=(f"phc_{R43}", "phx_" + R20)),
    _r("nightfall_api_key", "Nightfall API key", "high", NB + r"NF-[A-Za-z0-9]{32}" + NA, min_entropy=3.5,
       min_classes=2, tp=(f"NF-{R32}",), tn=("NF-" + "A" * 32,)),
    _r("honeycomb_api_key", "Honeycomb ingest / management key", "critical",
       NB + r"hc[ax](?:ik|mk)_[a-z0-9]{20,70}" + NA, min_entropy=3.5, tp=(f"hcaik_{LOW70[:58]}", f"hcxmk_{X40}"),
       tn=("hcaik_" + "0" * 40, "hcaik_short")),
    _r("launchdarkly_key", "LaunchDarkly API access token / server SDK key (with context)", "critical",
       r"\b(?P<s>(?:api|sdk)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
       context=("launchdarkly", "launch_darkly", "ld_sdk", "ld_api", "ld-sdk", "ld-api", "ldclient"),
       tp=(f"LAUNCHDARKLY_SDK_KEY=sdk-{UUID}", f"ldclient.set_config(Config('sdk-{UUID}'))"),
       tn=(f"request id api-{UUID}", f"launchdarkly mobile key mob-{UUID}")),
    _r("adafruit_io_key", "Adafruit IO key", "high", NB + r"aio_[A-Za-z0-9]{28}" + NA, min_entropy=3.5,
       min_classes=2, tp=(f"aio_{R30[:28]}",), tn=("aio_" + "a" * 28, "aio_" + R20)),

    # ---- email, messaging, CRM ----------------------------------------------------------------
    _r("brevo_api_key", "Brevo (Sendinblue) API / SMTP key", "critical",
       NB + r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}" + NA,
       tp=(f"xkeysib-{H64}-{R20[:16]}", f"xsmtpsib-{H64}-{R24[:16]}"), tn=(f"xkeysib-{H32}-{R20[:16]}",)),
    _r("zoho_oauth_token", "Zoho OAuth access / refresh token", "critical", r"\b1000\.[a-f0-9]{32}\.[a-f0-9]{32}\b",
       tp=(f"Zoho-oauthtoken 1000.{H32}.{X40[:32]}",), tn=(f"1000.{H32}", "1000.00.10")),
    _r("salesforce_access_token", "Salesforce access token / session id", "critical",
       r"\b00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?![A-Za-z0-9._]{80,}", min_entropy=4.0,
       tp=(f"00D5g000004bCdE!AQ{R100}", f"sid=00D5g000004bCdEEAW!AR{R86}"), tn=("00D5g000004bCdE!short", "00D!" + R100)),
    _r("twilio_auth_token", "Twilio auth token (with context)", "critical", NB + r"(?P<s>[a-f0-9]{32})" + NA,
       context=("twilio",), min_entropy=3.0, tp=(f"twilio auth token: {H32}",), tn=(f"twilio sid AC{H32}", f"md5 {H32}")),
    _r("teams_webhook_url", "Microsoft Teams / Power Automate webhook URL", "critical",
       r"https://[a-z0-9-]{1,63}\.webhook\.office\.com/webhookb2/[0-9a-f-]{36}@[0-9a-f-]{36}/IncomingWebhook/[0-9a-f]{32}"
       r"/[0-9a-f-]{36}|https://[a-z0-9.-]{1,80}\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/triggers/"
       r"[^\s\"'<>]{1,200}?[?&]sig=[A-Za-z0-9_%-]{30,}",
       tp=(f"https://acme.webhook.office.com/webhookb2/{UUID}@{UUID}/IncomingWebhook/{H32}/{UUID}",
           f"https://prod-12.westus.logic.azure.com:443/workflows/{H32}/triggers/manual/paths/invoke?api-version=2016-06-01"
           f"&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={R43}"),
       tn=("https://acme.webhook.office.com/webhookb2/", f"https://prod-12.westus.logic.azure.com/workflows/{H32}")),
    _r("zapier_webhook_url", "Zapier catch-hook URL", "high",
       r"https://hooks\.zapier\.com/hooks/catch/\d{4,12}/[a-z0-9]{5,12}\b",
       tp=("https://hooks.zapier.com/hooks/catch/1234567/b3xk9qz/",), tn=("https://hooks.zapier.com/hooks/catch/",)),

    # ---- payments and commerce ----------------------------------------------------------------------
    _r("woocommerce_key", "WooCommerce REST API consumer key / secret", "critical", NB + r"c[ks]_[a-f0-9]{40}" + NA,
       tp=(f"consumer_key=ck_{X40}", f"cs_{H64[:40]}"), tn=(f"ck_{X24}", f"cs_live_{R40}")),
    _r("plaid_access_token", "Plaid access token", "critical",
       r"\baccess-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
       tp=(f"access-production-{UUID}", f"access-sandbox-{UUID}"), tn=(f"public-sandbox-{UUID}", f"access-staging-{UUID}")),
    _r("paddle_api_key", "Paddle API key", "critical",
       NB + r"pdl_(?:live|sdbx)_apikey_[a-z0-9]{26}_[A-Za-z0-9]{22}_[A-Za-z0-9]{3}" + NA,
       tp=(f"pdl_live_apikey_{X40[:26]}_{R22}_{R20[:3]}",), tn=(f"pdl_live_apikey_{X40[:26]}",)),
    _r("checkout_secret_key", "Checkout.com secret key", "critical",
       NB + r"sk_(?:sbox_[a-z0-9]{26,30}|(?:test_)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})" + NA,
       min_entropy=3.0, tp=(f"sk_sbox_{U26.lower()}", f"sk_test_{UUID}"), tn=(f"pk_sbox_{U26.lower()}", "sk_sbox_short")),
    _r("duffel_token", "Duffel access token", "critical", NB + r"duffel_(?:live|test)_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
       tp=(f"duffel_test_{R43}",), tn=("duffel_test_" + R20,)),
    _r("easypost_api_key", "EasyPost API key", "critical", NB + r"EZ[AT]K[A-Za-z0-9]{54}" + NA, min_entropy=3.8,
       tp=(f"EZAK{R52}9x",), tn=("EZAK" + R40,)),
    _r("lob_api_key", "Lob secret API key", "critical", NB + r"(?:live|test)_[a-f0-9]{35}" + NA,
       tp=(f"live_{H64[:35]}",), tn=(f"live_pub_{H64[:32]}", f"test_{H32}")),
    _r("mollie_api_key", "Mollie API key", "critical", NB + r"(?:live|test)_[A-Za-z0-9]{30}" + NA, min_entropy=4.3,
       min_classes=3, tp=(f"live_{R30}",), tn=("test_userAuthenticationFlowWith2FA"[:35], "live_" + "ab1" * 10)),

    # ---- media and content -----------------------------------------------------------------------------
    _r("frameio_token", "Frame.io developer token", "critical", NB + r"fio-u-[A-Za-z0-9_=-]{64}" + NA64,
       tp=(f"fio-u-{R64}",), tn=(f"fio-u-{R32}",)),
    _r("firebase_fcm_server_key", "Firebase Cloud Messaging server key", "critical",
       NB + r"AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}", tp=(f"key=AAAA{R20[:7]}:APA91b{R100}{R36[:34]}",),
       tn=(f"AAAA{R20[:7]}:APA91b{R40}",)),

    # ---- wallet and signing secrets (checksum or key pair verified) ---------------------------------------
    _r("stellar_secret_seed", "Stellar secret seed (StrKey CRC16 verified)", "critical", r"\bS[A-Z2-7]{55}\b",
       validator="stellar_secret_seed", tp=(STELLAR_SEED,), tn=(STELLAR_SEED[:-1] + "A", "G" + STELLAR_SEED[1:])),
    _r("nostr_secret_key", "Nostr secret key (nsec, bech32 verified)", "critical", r"\bnsec1[02-9ac-hj-np-z]{58}\b",
       validator="nostr_nsec", tp=(NSEC,), tn=(NSEC[:-1] + "q", "npub1" + NSEC[5:])),
    _r("solana_secret_key_b58", "Solana secret key in base58 (ed25519 seed and its public key)", "critical",
       r"\b[1-9A-HJ-NP-Za-km-z]{86,88}\b", validator="solana_secret_b58",
       tp=(SOL_B58,), tn=(SOL_B58[:-1] + "1", SOL_B58[:44])),
    _r("lnd_macaroon", "Lightning (LND) macaroon", "critical",
       r"\b0201036c6e64[0-9a-fA-F]{100,}|\bAgEDbG5k[A-Za-z0-9+/_-]{100,}",
       tp=("0201036c6e6402" + H64 + H64, "AgEDbG5kAvgB" + R100), tn=("0201036c6e64" + H32, "AgEDbG5k" + R20)),
    _r("tor_onion_private_key", "Tor v3 onion service private key", "critical", r"\bED25519-V3:[A-Za-z0-9+/]{86}==",
       tp=(f"ADD_ONION ED25519-V3:{R86}== Port=80",), tn=("ADD_ONION NEW:ED25519-V3 Port=80", "ED25519-V3:" + R40)),
    _r("minisign_secret_key", "minisign / signify secret key", "critical",
       r"\bRW(?:RTY0Iy|QAAEIy|RCS)[A-Za-z0-9+/]{80,}={0,2}",
       tp=(f"untrusted comment: minisign encrypted secret key\nRWRTY0Iy{R100}",
           f"untrusted comment: signify secret key\nRWRCSwAAACq{R86}"),
       tn=(f"untrusted comment: minisign public key\nRWQ{R40}", "RWRTY0Iy" + R20)),
)

__all__ = ["SERVICE_RULES"]
