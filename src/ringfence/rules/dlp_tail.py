"""More DLP rules as data (issue 10): unarmored private keys, credentials under any
authorization scheme, and a longer tail of documented token formats.

Each pattern is written from the format its vendor documents (a fixed prefix, a body
alphabet and length). `tp` must be found, `tn` are near misses that must not. All
secrets below are synthetic random strings in the documented shape.
"""
from __future__ import annotations

from .dlp import H32, H64, NA, NB, DlpRule

R20 = "KcBEKanD0F0rPZkcHFue"
R22 = "p88VxcA3iMwyAs0RqDlRtQ"
R26 = "xiDX3pCNycLapim86tIxX5puQJ"
R32 = "CBEePLu2Gk1oApccFt0MQeI72fjyK8x6"
R36 = "Mjh9XXgCkZm8wBACpRrjNHl3hrDtkQP80lXl"
R40 = "EXwuBoaITcv5upfqCzLky63FR5pVH6rHEMFekFRD"
R43 = "5ziAILwIyFSkJCg9A1c3aCIedwfjgMD1ZFiD3BXG7Cv"
R44 = "Uq5YSDBvPH6HjVpuNcRmP5LK1OEbZh9sB22pTs4fcM6J"
R48 = "X9g0skQEjxMz6YmwlfLmBngRt49D3VWS0HUBCQVJnrMxhOYO"
R64 = "anBNA3y3ZPmeXBZf0dwqxDBWmOVsDSsGFG6qzCOvwUrE5C2ELEfSIUxZUz6Yk9MA"
R100 = ("UKeM2U1tbLuPueVzNxsMlpktgJY07doKVe8AmKKC6Z3Lbzmv24KmH7ZKWX91u3dQSLdcKx37zuMOkXkhMY3wkbU6IGZwfzCK4wdj")
R140 = ("73CTENCUCMlw0B00v9JGDymgBPjc73lOOmKB6Y5xJy9dMdkt98odLlgOKx1lt82czMWBewWmFkkzZW9D8Xv4cl14lLTAjGP4Szgz90hp"
        "gBUOtUsIP25gw16HNEMpIsaQk9RySogGOWEg")
X40 = "c69b2602c10da51baf50649677cd04030153c20d"
X24 = "ed954c674c6fc62442ce260e"
U26 = "LKXYNPVTQJD50WVAUS6D0S3KH0"

# DER private keys in base64 (generated for these examples, never used anywhere)
EC_PKCS8 = ("MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJjKlnt57NsAox8Nh7DNqIX9KiJjGMPA1VROTS7bjdeahRANCAARoCzdPgF"
            "Q7VdPSO/fs3/SfT25qnpYjN6Rr0BrDiImCexyMrvtBH8UIucddl20VYkQ1Ij4wDbZ20EJiUwf6WvTq")
ED_PKCS8 = "MC4CAQAwBQYDK2VwBCIEICGMAOhp6ypG7G2V5BSBdeABk6uYCCvGjQXfC+KfHaS/"
RSA_PKCS1 = ("MIIEowIBAAKCAQEA1d1ksxkqo+LJ5OJoYWDg0ak4Tigr" + R100 + "AQAB")
EC_PUB = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaAs3T4BUO1XT0jv37N/0n09uap6WIzeka9Aaw4iJgnscjK77QR/FCLnHXZdtFWJENSI+"
          "MA22dtBCYlMH+lr06g==")
RSA_PUB = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1d1ksxkqo+LJ5OJoYWDg0ak4Tigr" + R40
CERT = "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYD"
SSH_V1 = ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACAD8mVTDFyw0/zSDUxvl5ad2A"
          "Y003B1iSmUTaMgGPT1SQAAAIh6r98deq/fHQ")


def _r(*a, **k) -> DlpRule:
    return DlpRule(*a, **k)


B64 = r"[A-Za-z0-9+/]"
NOT_B64_BEFORE = r"(?<![A-Za-z0-9+/_-])"
NOT_B64_AFTER = r"(?![A-Za-z0-9+/=_-])"

TAIL_RULES: tuple[DlpRule, ...] = (
    # ---- unarmored private keys ------------------------------------------------------
    _r("openssh_private_key_body", "OpenSSH private key body (no armor lines)", "critical",
       r"\bb3BlbnNzaC1rZXktdjE" + B64 + r"{40,}",
       tp=(SSH_V1, "key=" + SSH_V1[:80]), tn=("the openssh-key-v1 format", "b3BlbnNzaC1rZXktdjI" + R40)),
    _r("private_key_der_base64", "Private key as base64 DER (PKCS#8 / PKCS#1 / SEC1, no armor lines)", "critical",
       NOT_B64_BEFORE + r"(?P<s>M[C-I]" + B64 + r"{40,}={0,2})" + NOT_B64_AFTER, validator="private_key_der",
       prefilter=r"M[C-I][A-Za-z0-9+/]{40}",
       tp=(EC_PKCS8, ED_PKCS8, "signing_key: " + RSA_PKCS1),
       tn=(EC_PUB, RSA_PUB, CERT, "MIGHAgEA" + R40)),

    # ---- credentials under any authorization scheme ------------------------------------
    # Bearer and Basic have their own rules; every other scheme (SSWS, Token, ApiKey, Key,
    # GenieKey, Splunk, DeepL-Auth-Key, Negotiate ...) carries the credential the same way.
    _r("authorization_credential", "High-entropy credential under an authorization scheme", "high",
       r"(?i)(?<![A-Za-z0-9_.-])(?!(?:bearer|basic|digest|aws4-hmac-sha256|hmac-sha256|signature)\b)"
       r"(?P<k>[A-Za-z][A-Za-z0-9_.-]{1,30})\s+(?P<s>[A-Za-z0-9._~+/-]{16,}={0,2}(?::[A-Za-z0-9._~+/-]{8,}={0,2})?)"
       r"(?![A-Za-z0-9._~+/=:-])",  # `id:secret` pairs too (fal "Key <key id>:<key secret>")
       context=("authorization",), validator="authorization_scheme", min_entropy=3.5, min_classes=2,
       placeholder_check=True,
       tp=(f"Authorization: SSWS 00{R40}", f"authorization: Token {R32}", f"Authorization: ApiKey {R44}",
           f"Authorization: GenieKey {R36}", f"Authorization: Key {H32[:8]}-{H32[8:12]}-{H32[12:16]}-{H32[16:20]}-"
           f"{H32[20:]}:{X40[:32]}"),
       tn=("Authorization: Bearer <token>", "Authorization: Token YOUR_API_TOKEN_HERE",
           "Authorization: Digest username=\"a\", response=\"" + H32 + "\"",
           "authorization required before the request is sent")),

    # ---- the longer tail of documented token formats -------------------------------------
    _r("netlify_token", "Netlify access token", "critical", NB + r"nf[pcoub]_[A-Za-z0-9]{36,40}" + NA,
       min_entropy=3.5, tp=(f"nfp_{R36}", f"NETLIFY_AUTH_TOKEN=nfc_{R40}"), tn=("nfp_" + R20, "nfx_" + R36)),
    _r("asana_pat", "Asana personal access token", "critical",
       r"(?<![\w/])[12]/\d{10,20}(?:/\d{10,20})?:[a-f0-9]{32}\b",
       tp=(f"2/1999756904759850/3840858569060291:{H32}", f"1/1200123456789:{H32}"),
       tn=(f"2/19997569/38408585:{H32}", "1/2/3:4", f"a2/1999756904759850:{H32}")),
    _r("contentful_token", "Contentful personal access token", "critical", NB + r"CFPAT-[A-Za-z0-9_-]{43}",
       tp=(f"CFPAT-{R43}",), tn=("CFPAT-" + R20, "cfpat-docs")),
    _r("buildkite_token", "Buildkite API access token", "critical", NB + r"bkua_[a-f0-9]{40}" + NA,
       tp=(f"bkua_{X40}",), tn=(f"bkua_{X24}", f"bkxx_{X40}")),
    _r("tailscale_key", "Tailscale auth / API key", "critical",
       NB + r"tskey-(?:auth|api|client|webhook|scim)-[A-Za-z0-9]{8,20}-[A-Za-z0-9]{20,40}" + NA,
       tp=(f"tskey-auth-{R20[:12]}-{R32}", f"tskey-api-kX9{R20[:9]}-{R36}"), tn=("tskey-auth-xyz", "tskey-docs-page")),
    _r("circleci_token", "CircleCI personal API token", "critical", NB + r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}" + NA,
       tp=(f"CCIPAT_{R22}_{X40}",), tn=(f"CCIPAT_{R22}", "CCIPAT_docs")),
    _r("flyio_token", "Fly.io access token", "critical",
       NB + r"(?:fo1_[A-Za-z0-9_-]{39,}|fm[12][ar]?_[A-Za-z0-9+/_=-]{60,})",
       tp=(f"fo1_{R43}", f"FlyV1 fm2_{R64}{R20}"), tn=("fo1_" + R20, "fm2_short")),
    _r("render_api_key", "Render API key", "high", NB + r"rnd_[A-Za-z0-9]{32}" + NA, min_entropy=3.5,
       tp=(f"rnd_{R32}",), tn=("rnd_" + R20, "rnd_" + "a" * 32)),
    _r("prefect_api_key", "Prefect API key", "high", NB + r"pnu_[A-Za-z0-9]{36}" + NA, min_entropy=3.5,
       tp=(f"pnu_{R36}",), tn=("pnu_" + R20,)),
    _r("pulumi_token", "Pulumi access token", "critical", NB + r"pul-[a-f0-9]{40}" + NA,
       tp=(f"pul-{X40}",), tn=(f"pul-{X24}", f"pull-{X40}")),
    _r("sourcegraph_token", "Sourcegraph access token", "high", NB + r"sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40}" + NA,
       tp=(f"sgp_{X40}", f"sgp_local_{X40}"), tn=(f"sgp_{X24}",)),
    _r("sonarqube_token", "SonarQube token", "high", NB + r"sq[pua]_[a-f0-9]{40}" + NA,
       tp=(f"squ_{X40}",), tn=(f"sqx_{X40}", f"squ_{X24}")),
    _r("resend_api_key", "Resend API key", "high", NB + r"re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}" + NA, min_classes=3,
       tp=(f"re_{R20[:8]}_{R26[:24]}",), tn=("re_settings_configuration_file_value", "re_" + "a" * 8 + "_" + "b" * 24)),
    _r("hubspot_private_app_token", "HubSpot private app token", "critical",
       r"\bpat-(?:na|eu|ap)\d-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\b",
       tp=(f"pat-na1-{H32[:8]}-{H32[8:12]}-{H32[12:16]}-{H32[16:20]}-{H32[20:]}",),
       tn=("pat-na1-1234", f"pat-xx1-{H32[:8]}-{H32[8:12]}-{H32[12:16]}-{H32[16:20]}-{H32[20:]}")),
    _r("dropbox_token", "Dropbox access token", "critical", NB + r"sl\.(?:u\.)?[A-Za-z0-9_-]{130,}",
       tp=(f"sl.{R140}", f"sl.u.{R140}"), tn=("sl." + R40, "sl.example.com")),
    _r("meta_access_token", "Facebook / Meta access token", "critical", NB + r"EAA[B-Z][A-Za-z0-9]{90,}" + NA,
       min_entropy=4.0, tp=(f"EAAG{R100}",), tn=("EAAG" + R40, "EAAA" + R100)),
    _r("twitter_bearer_token", "X / Twitter app bearer token", "critical",
       r"\bAAAAAAAAAAAAAAAAAAAAA(?P<s>[A-Za-z0-9%]{40,})", min_entropy=4.0, min_classes=3,
       tp=("AAAAAAAAAAAAAAAAAAAAA" + R64 + "%3D" + R20,),
       tn=("AAAAAAAAAAAAAAAAAAAAA" + R20, "A" * 200)),
    _r("bitbucket_app_password", "Bitbucket app password / access token", "critical",
       NB + r"ATBB[A-Za-z0-9_=.-]{32,}|\bATCTT3[A-Za-z0-9_=-]{100,}", tp=(f"ATBB{R32}",), tn=("ATBB" + R20,)),
    _r("crates_io_token", "crates.io API token", "critical", NB + r"cio[A-Za-z0-9]{32}" + NA, min_entropy=3.8,
       min_classes=3, tp=(f"cio{R32}",), tn=("cio" + "a" * 32, "cioSomethingLongButOnlyLettersHere")),
    _r("shippo_token", "Shippo API token", "critical", NB + r"shippo_(?:live|test)_[a-f0-9]{40}" + NA,
       tp=(f"shippo_live_{X40}",), tn=(f"shippo_live_{X24}",)),
    _r("flutterwave_secret_key", "Flutterwave secret key", "critical", NB + r"FLWSECK(?:_TEST)?-[a-f0-9]{32}-X",
       tp=(f"FLWSECK-{H32}-X", f"FLWSECK_TEST-{H32}-X"), tn=(f"FLWPUBK-{H32}-X",)),
    _r("openrouter_api_key", "OpenRouter API key", "critical", NB + r"sk-or-v1-[a-f0-9]{64}" + NA,
       tp=(f"sk-or-v1-{H64}",), tn=(f"sk-or-v1-{H32}",)),
    _r("cerebras_api_key", "Cerebras API key", "critical", NB + r"csk-[a-z0-9]{48}" + NA, min_entropy=3.8,
       tp=("csk-" + X40 + X24[:8],), tn=("csk-" + "a" * 48,)),
    _r("neon_api_key", "Neon API key", "critical", NB + r"napi_[a-z0-9]{64}" + NA, min_entropy=3.8,
       tp=(f"napi_{H64}",), tn=(f"napi_{H32}",)),
    _r("clickup_token", "ClickUp personal token", "high", NB + r"pk_\d{5,12}_(?P<s>[A-Z0-9]{32})" + NA, min_classes=2,
       tp=(f"pk_81234567_{U26}{U26[:6]}",), tn=("pk_81234567_" + "A" * 32, f"pk_live_{U26}")),
    _r("typeform_token", "Typeform personal token", "high", NB + r"tfp_[A-Za-z0-9_-]{40,48}_[A-Za-z0-9_-]{12,16}",
       tp=(f"tfp_{R44}_{R20[:14]}",), tn=("tfp_" + R20,)),
    _r("onepassword_service_token", "1Password service-account token", "critical",
       NB + r"ops_eyJ[A-Za-z0-9+/=_-]{100,}", tp=(f"ops_eyJ{R140}",), tn=("ops_eyJhbGc",)),
    _r("onepassword_secret_key", "1Password account secret key", "critical",
       r"\bA3-[A-Z0-9]{6}-[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b", placeholder_check=True,
       tp=("A3-" + U26[:6] + "-" + U26[6:12] + "-" + U26[12:17] + "-" + U26[17:22] + "-" + U26[21:26] + "-4K9QZ",),
       tn=("A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX", "A3-123456")),
    _r("octopus_api_key", "Octopus Deploy API key", "high", r"\bAPI-[A-Z0-9]{26,32}\b", min_classes=2, min_entropy=3.5,
       tp=(f"API-{U26}",), tn=("API-REFERENCE-DOCUMENTATION", "API-" + "A" * 26)),
    _r("scaleway_access_key", "Scaleway access key", "high", r"\bSCW[A-Z0-9]{17}\b", min_classes=2, min_entropy=3.0,
       tp=("SCW" + U26[:17],), tn=("SCWXXXXXXXXXXXXXXXXX", "SCW" + U26[:10])),
    _r("tencent_secret_id", "Tencent Cloud SecretId", "high", r"\bAKID[A-Za-z0-9]{32}\b", min_classes=3,
       tp=(f"AKID{R32}",), tn=("AKID" + "a" * 32, "AKID" + R20)),
    _r("yandex_cloud_key", "Yandex Cloud API key", "critical", NB + r"AQVN[A-Za-z0-9_-]{35,38}(?![A-Za-z0-9_-])",
       min_entropy=3.5, tp=(f"AQVN{R36}",), tn=("AQVN" + R20,)),
    _r("langfuse_secret_key", "Langfuse secret key", "critical",
       NB + r"sk-lf-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\b",
       tp=(f"sk-lf-{H32[:8]}-{H32[8:12]}-{H32[12:16]}-{H32[16:20]}-{H32[20:]}",),
       tn=(f"pk-lf-{H32[:8]}-{H32[8:12]}-{H32[12:16]}-{H32[16:20]}-{H32[20:]}",)),
    _r("mapbox_secret_token", "Mapbox secret token", "critical", NB + r"sk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{16,}",
       tp=(f"sk.eyJ1IjoiYWNtZSIsImEiOiJ{R20}.{R22}",), tn=(f"pk.eyJ1IjoiYWNtZSIsImEiOiJ{R20}.{R22}",)),
    _r("aws_bedrock_api_key", "Amazon Bedrock API key", "critical", NB + r"ABSK[A-Za-z0-9+/]{100,}={0,2}",
       min_entropy=4.0, tp=(f"ABSK{R100}{R20}",), tn=("ABSK" + R40,)),
)

__all__ = ["TAIL_RULES"]
