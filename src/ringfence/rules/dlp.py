"""Built-in DLP rules as data: one entry per secret type.

Each pattern is written from the token's public, documented format. The secret
itself is the named group `s` when present, otherwise the whole match. The
multi-pattern pre-filter uses the same pattern with lookarounds removed (a
superset), and every pre-filter hit is confirmed with Python `re`, then with the
rule's validator, entropy gate and context keywords.

`tp` strings must be found by the rule; `tn` strings are near misses that must not.
All secrets below are synthetic.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core import Severity

# Synthetic random-looking bodies for the test strings (not real credentials).
R20 = "u8jzPde0IgxLd6GncfBA"
R24 = "epfJBd0Kh8oOOL8dKLzdocJ2"
R30 = "isAjIhKtJ0RlgLKOmxgJTeKdNnFRIB"
R32 = "XuDL7DxtpYlSXpfKtHF4vUCsMehGAkWv"
R36 = "j7FAc9QeWJKY40uvSwMFLZDe1f8rESQedUSt"
R40 = "PKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4i0"
R43 = "B3JrTAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8NPR"
R48 = "VdD53X83RZJzzzzgEOzdmenCkhvMdgaKjIg8xNbe3nNyjOq9"
R52 = "wMxEhh2FDEEtfjgVvVqE1SkHbn88HxjSI6bWHtP3fS2qHx6kwXoI"
R64 = "IXGvOoNZYW2mZp0zVZomHFwUbbYrEqmSM9wCZ7Uw9xfogoEmvnEN5N1aE6PwZPf1"
R80 = "Qh6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN0MEQ7wjJJibaZUPgHV7iB3m03nbqnsGpWLuqIA1id6"
R86 = "Vw5DQL05HA064GiIjHGb3CXlMaXZjljENUhJduRHHJEYXg4JdpmrcXgGCJbW56eCuNGMGmSrCGIZEG8pSH4487"
R100 = "q7J58m1CiAhzCueQpBenQtYh5Xj8TPQxjq4i9DoV8gz4FkQ1okTBGzvAmwufUxbvJDCTbyvHNsG9eh6Yo4gfqrc5XlrWi0B26R08"
H64 = "8c4fa2815d2802827283e0ad84173581569969e58b081006f7e3dfc967a64cb1"
H32 = H64[:32]
H40 = H64[:40]

# Word-ish boundaries that also work next to '-', '_', '/', '+'.
NB = r"\b"   # patterns compile with re.ASCII: \b before/after [A-Za-z0-9_] is a token edge
NA = r"\b"
# not followed by a base64/base64url char; '=' counts only as padding, not as the '=' of a
# `name=value` pair (a token used as a cookie or query parameter name)
NA64 = r"(?![A-Za-z0-9_+/-]|=+[^A-Za-z0-9]|=+$)"
NB64 = r"(?<![A-Za-z0-9_+/-])"


# "<kind>_key" names whose kind makes the key a secret (ALGOLIA_ADMIN_KEY, MEILI_MASTER_KEY,
# APP_KEY, SERVICE_ROLE_KEY, ENCRYPTION_KEY ...), unlike sort, cache, public or idempotency keys.
SECRET_KEY_NAMES = (r"(?:admin|master|encryption|decryption|signing|license|server|service(?:[_-]?role)?|app|hmac"
                    r"|jwt|auth|sdk|account|storage|cipher|crypto|aes|root|management|write[_-]?api)[_-]?key")


@dataclass(frozen=True)
class DlpRule:
    id: str
    name: str
    severity: Severity
    pattern: str
    validator: str = ""            # name of a function in scanners/validators.py
    context: tuple[str, ...] = ()  # one keyword must occur shortly before the match, or in `where`
    ignore_case: bool = False
    min_entropy: float = 0.0       # Shannon bits/char of the secret part
    min_classes: int = 0           # of upper/lower/digit/symbol in the secret part
    placeholder_check: bool = False
    tp: tuple[str, ...] = ()
    tn: tuple[str, ...] = ()
    prefilter: str = ""            # Hyperscan pattern when not derived from `pattern` (context rules: keywords)


def _r(*a, **k) -> DlpRule:
    return DlpRule(*a, **k)



# Synthetic WIF keys (sha256 of a label as the key, never used anywhere): Litecoin,
# Dogecoin (compressed and not), Dash, testnet, Bitcoin. Near misses: a broken checksum,
# and a 34-byte payload whose last byte is not the compression flag.
WIF_TP = ("T8rqfxMUVejKbhfeQ7u3kfMgxoNH5MYqAAgepVGWuHQrAG6zgYad", "QR5Ng4Ndj4B9iaeSadeC5vPjSEoiD5SKoQsqPknt5Qd5JE8BmY9R",
          "6JgxfJXjJgguj3e2ic35n4wYN8CwedMEmxFgxuWsze56WMJT1Yy", "XFJh3ULEn5SyhY8zvKRuSG5BokjvnqiWD3bDidneVdA3eUmPfEzr",
          "cRwpEEcy6s1suJHfqF5rjYaKp6QAEKGC6Uw8jNZEqrQT4gwZtPAu", "L3ci8fXtEbXALsWo2ecDeostKfKbfoVV5V49EezEEQvzf3udkFYx")
WIF_TN = ("QPcgyBtTvsJgkQ9pjsjMvtX2LmnWaHf6zubqMX7uzvv2u5syZAE2", "QPcgyBtTvsJgkQ9pjsjMvtX2LmnWaHf6zubqMX7uzvv2u5yimCNG")

RULES: tuple[DlpRule, ...] = (
    # ---- AI / ML providers ------------------------------------------------------
    _r("anthropic_api_key", "Anthropic API key", "critical",
       NB + r"sk-ant-(?:api|admin|sid)?\d{0,2}-?[A-Za-z0-9_-]{32,}",
       tp=(f"ANTHROPIC_API_KEY=sk-ant-api03-{R80}AA",), tn=("sk-ant-short", "the sk-ant- prefix")),
    _r("openai_project_key", "OpenAI project key", "critical", NB + r"sk-proj-[A-Za-z0-9_-]{20,}",
       tp=(f"sk-proj-{R48}", "OPENAI_API_KEY=sk-proj-" + R40[::-1] + "T3st"),
       tn=("sk-proj-abc", "task-proj-readme")),
    _r("openai_service_account_key", "OpenAI service-account / admin key", "critical",
       NB + r"sk-(?:svcacct|admin)-[A-Za-z0-9_-]{20,}", tp=(f"sk-svcacct-{R48}", f"sk-admin-{R40}"),
       tn=("sk-svcacct-", "disk-admin-panel")),
    _r("openai_legacy_key", "OpenAI legacy key", "critical", NB + r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + NA,
       tp=(f"sk-{R20}T3BlbkFJ{R20[::-1]}",), tn=(f"sk-{R20}T3BlbkFX{R20}",)),
    _r("sk_generic_key", "sk- prefixed API key (OpenAI/DeepSeek style)", "high",
       NB + r"sk-[A-Za-z0-9]{32,64}" + NA, min_entropy=3.5, min_classes=2,
       tp=(f"key: sk-{R48}", f"sk-{H32}"), tn=("sk-" + "a" * 40, "desk-" + "lamp" * 10)),
    _r("fireworks_api_key", "Fireworks AI key", "critical", NB + r"fw_[A-Za-z0-9]{24,}" + NA, min_entropy=3.5,
       tp=(f"fw_{R24}",), tn=("fw_version_number_one_two", "fw_" + "1" * 24)),
    _r("huggingface_token", "Hugging Face token", "critical", NB + r"hf_[A-Za-z0-9]{30,}" + NA,
       min_entropy=3.5, min_classes=2, tp=(f"HF_TOKEN=hf_{R36[:34]}",),
       tn=("hf_transfer_enabled_flag_for_downloads", "hf_" + "abc" * 12)),
    _r("replicate_token", "Replicate API token", "critical", NB + r"r8_[A-Za-z0-9]{30,}" + NA, min_entropy=3.5,
       tp=(f"r8_{R40[:37]}",), tn=("r8_short", "r8_" + "0" * 37)),
    _r("together_api_key", "Together AI key", "critical", NB + r"tok_[A-Za-z0-9]{40,}" + NA, min_entropy=3.8,
       tp=(f"tok_{R64}",), tn=("tok_" + "ab" * 25, "tok_count")),
    _r("groq_api_key", "Groq API key", "critical", NB + r"gsk_[A-Za-z0-9]{48,}" + NA, min_entropy=3.5,
       tp=(f"gsk_{R52}",), tn=("gsk_" + R20, "gsk_" + "x" * 52)),
    _r("xai_api_key", "xAI API key", "critical", NB + r"xai-[A-Za-z0-9]{70,}" + NA, min_entropy=3.5,
       tp=(f"xai-{R80}",), tn=(f"xai-{R40}", "xai-" + "0" * 80)),
    _r("pinecone_api_key", "Pinecone API key", "critical", NB + r"pcsk_[A-Za-z0-9_]{36,}" + NA, min_entropy=3.5,
       tp=(f"pcsk_{R20}_{R64}",), tn=("pcsk_" + R20, "pcsk_" + "_" * 40)),
    _r("perplexity_api_key", "Perplexity API key", "critical", NB + r"pplx-[A-Za-z0-9]{40,}" + NA,
       min_entropy=3.5, tp=(f"pplx-{R48}",), tn=("pplx-" + R24,)),
    _r("langsmith_api_key", "LangSmith API key", "critical", NB + r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}" + NA,
       tp=(f"lsv2_pt_{H32}_{H64[:10]}",), tn=(f"lsv2_xx_{H32}_{H64[:10]}",)),
    _r("cohere_api_key", "Cohere API key (with context)", "high", NB + r"(?P<s>[A-Za-z0-9]{40})" + NA,
       context=("cohere", "co_api_key"), min_entropy=3.8, min_classes=3,
       tp=(f"COHERE_API_KEY={R40}",), tn=(f"ITEM_ID={R40}", f"cohere model: {H40}")),
    _r("mistral_api_key", "Mistral API key (with context)", "high", NB + r"(?P<s>[A-Za-z0-9]{32})" + NA,
       context=("mistral",), min_entropy=3.8, min_classes=3,
       tp=(f"MISTRAL_API_KEY={R32}",), tn=(f"build {R32}", f"mistral digest {H32}")),

    # ---- Cloud ---------------------------------------------------------------------
    _r("aws_access_key_id", "AWS access key id", "critical",
       r"(?<![A-Z0-9])(?P<s>(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})(?![A-Z0-9])",
       tp=("aws_access_key_id = AKIA4Q7ZR2MXW5NVT3KB", "Bearer ASIAY34FZKBOKMUTVV7A"),
       tn=("AKIA4Q7ZR2MXW5NVT3K", "akia4q7zr2mxw5nvt3kb", "XAKIA4Q7ZR2MXW5NVT3KBX")),
    _r("aws_secret_access_key", "AWS secret access key (with context)", "critical",
       NB64 + r"(?P<s>[A-Za-z0-9/+]{40})" + NA64,
       context=("aws", "amz", "amazon", "secret", "s3"), min_entropy=4.0, min_classes=3,
       tp=("export AWS_SECRET_ACCESS_KEY=" + R40[:20] + "/" + R40[21:], f"aws secret: {R40}"),
       tn=(f"commit {H40}", f"note: {R40}", "aws id " + "ab" * 20)),
    _r("gcp_service_account", "GCP service-account JSON key", "critical",
       r'"type"\s{0,5}:\s{0,5}"service_account"', validator="gcp_sa_private_key",
       tp=('{"type": "service_account", "project_id": "p", "private_key_id": "' + H40
           + '", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE"}',),
       tn=('{"type": "service_account", "project_id": "p", "client_email": "a@p.iam.gserviceaccount.com"}',
           '{"type": "user_account", "private_key": "x"}')),
    _r("google_api_key", "Google API key", "high", NB + r"AIza[0-9A-Za-z_-]{35}" + NA64,
       tp=(f"key=AIzaSy{R30}ab1",), tn=(f"AIzaSy{R24}", "AIZA" + R36)),
    _r("google_oauth_client_secret", "Google OAuth client secret", "critical", NB + r"GOCSPX-[A-Za-z0-9_-]{28}",
       tp=(f"GOCSPX-{R30[:28]}",), tn=("GOCSPX-short", "gocspx " + R30)),
    _r("google_oauth_access_token", "Google OAuth access token", "critical", NB + r"ya29\.[A-Za-z0-9_-]{30,}",
       tp=(f"Authorization: Bearer ya29.a0{R64}",), tn=("ya29.short", "version ya29 release")),
    _r("google_oauth_refresh_token", "Google OAuth refresh token", "critical", NB + r"1//0[A-Za-z0-9_-]{40,}",
       tp=(f"refresh_token=1//0g{R64}",), tn=("1//0" + "a" * 10, "http://0.0.0.0")),
    _r("google_oauth_client_id", "Google OAuth client id", "medium",
       r"\b\d{6,14}-[a-z0-9]{32}\.apps\.googleusercontent\.com",
       tp=("123456789012-" + "abcdefghij0123456789klmnopqrstuv" + ".apps.googleusercontent.com",),
       tn=("apps.googleusercontent.com", "123-abc.apps.googleusercontent.com")),
    _r("azure_storage_account_key", "Azure storage account key", "critical",
       r"(?i)AccountKey\s{0,3}=\s{0,3}(?P<s>[A-Za-z0-9+/]{86}==)",
       tp=(f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={R86}==;EndpointSuffix=core.windows.net",),
       tn=("AccountKey=<your-key>", "AccountKey=" + R40)),
    _r("azure_shared_access_key", "Azure Service Bus / Event Hubs shared access key", "critical",
       r"(?i)SharedAccessKey\s{0,3}=\s{0,3}(?P<s>[A-Za-z0-9+/]{42,44}=?)",
       tp=(f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={R43}=",),
       tn=("SharedAccessKeyName=RootManageSharedAccessKey", "SharedAccessKey=${KEY}")),
    _r("azure_ad_client_secret", "Azure AD (Entra) client secret", "critical",
       r"(?<![A-Za-z0-9_~.-])(?P<s>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])",
       min_classes=3, tp=(f"client_secret=abc8Q~{R32[:34]}",), tn=(f"abc8Q-{R32[:34]}", "Q~" + R36)),
    _r("azure_sas_token", "Azure SAS token", "high",
       r"\bsv=20\d\d-\d\d-\d\d&[^\s\"'<>]{0,300}?\bsig=(?P<s>[A-Za-z0-9%+/=]{30,})",
       tp=(f"https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&sp=r&sig={R43}%3D",),
       tn=("sv=2022-11-02&ss=b&sp=r", "?sig=abc")),
    _r("digitalocean_token", "DigitalOcean token", "critical", NB + r"do[opr]_v1_[a-f0-9]{64}" + NA,
       tp=(f"dop_v1_{H64}",), tn=(f"dop_v2_{H64}", f"dop_v1_{H32}")),
    _r("databricks_token", "Databricks token", "critical", NB + r"dapi[a-f0-9]{32}(?:-\d)?" + NA,
       tp=(f"dapi{H32}", f"dapi{H32}-2"), tn=(f"dapi{H32[:20]}", "dapiversion")),
    _r("vercel_token", "Vercel token", "critical", NB + r"(?:vercel|vcp|vci|vca|vcr|vck)_[A-Za-z0-9]{24,}" + NA,
       min_entropy=3.5, tp=(f"vcp_{R30}", f"vercel_{R24}"), tn=("vercel_deployment_settings", "vcp_" + "a" * 30)),
    _r("supabase_secret_key", "Supabase secret key", "critical", NB + r"sb_secret_[A-Za-z0-9_-]{20,}",
       tp=(f"sb_secret_{R32}",), tn=("sb_publishable_" + R32, "sb_secret_x")),
    _r("hashicorp_vault_token", "HashiCorp Vault token", "critical", NB + r"hv[sbr]\.[A-Za-z0-9_-]{24,}",
       min_entropy=3.5, tp=(f"VAULT_TOKEN=hvs.{R30}",), tn=("hvs.short", "hvs." + "a" * 30)),
    _r("heroku_api_key", "Heroku API key", "critical", NB + r"HRKU-[A-Za-z0-9_-]{60}",
       tp=(f"HRKU-AA{R30}{R30[:28]}",), tn=("HRKU-" + R20,)),
    _r("heroku_api_key_legacy", "Heroku API key (legacy UUID, with context)", "high",
       r"\b(?P<s>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", context=("heroku",),
       tp=("HEROKU_API_KEY=4b3c2d1e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",),
       tn=("X-Request-Id: a3f8b2c1-4e5d-6f7a-8b9c-0d1e2f3a4b5c",)),
    _r("cloudflare_api_token", "Cloudflare API token (with context)", "critical",
       NB + r"(?P<s>[A-Za-z0-9_-]{40})" + NA64, context=("cloudflare", "cf_api", "cf-api", "cf_token"),
       min_entropy=3.8, min_classes=3, tp=(f"CLOUDFLARE_API_TOKEN={R40}",), tn=(f"token={R40}", f"cloudflare {H40}")),
    _r("cloudflare_origin_ca_key", "Cloudflare Origin CA key", "critical", r"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b",
       tp=(f"v1.0-{H64[:24]}-{H64}{H64}{H64[:18]}",), tn=(f"v1.0-{H64[:24]}-{H64}",)),
    _r("alibaba_access_key_id", "Alibaba Cloud AccessKey id", "critical", r"\bLTAI[A-Za-z0-9]{12,20}\b",
       min_classes=2, tp=(f"LTAI{R20}",), tn=("LTAI", "LTAIxx")),
    _r("datadog_api_key", "Datadog API/app key (with context)", "high",
       NB + r"(?P<s>[a-f0-9]{32}|[a-f0-9]{40})" + NA,
       context=("datadog", "dd_api", "dd_app", "dd-api", "dd-app", "application_key", "dd-application-key"),
       tp=(f"DD_API_KEY={H32}", f"datadog app key {H40}", f"?api_key={H32}&application_key={H40}"),
       tn=(f"commit {H40}", f"etag {H32}")),
    _r("new_relic_key", "New Relic key", "critical", NB + r"NR(?:AK|II|JS|AA)-[A-Za-z0-9]{27}" + NA,
       tp=(f"NRAK-{R30[:27]}",), tn=("NRAK-" + R20, "nrak-" + R30[:27])),

    # ---- Code hosting and package registries ------------------------------------------
    _r("github_token", "GitHub token", "critical", NB + r"gh[pousr]_[A-Za-z0-9]{30,255}" + NA,
       tp=(f"token ghp_{R36}", f"ghs_{R36}"), tn=("ghp_" + R24, "ghx_" + R36)),
    _r("github_fine_grained_pat", "GitHub fine-grained PAT", "critical", NB + r"github_pat_[A-Za-z0-9_]{36,}",
       tp=(f"github_pat_11ABCDEFG0_{R52}",), tn=("github_pat_", "github_pat_short")),
    _r("gitlab_pat", "GitLab personal access token", "critical", NB + r"glpat-[A-Za-z0-9_.-]{20,}",
       tp=(f"glpat-{R20}",), tn=("glpat-short", "glpat_" + R20)),
    _r("gitlab_token", "GitLab token (other kinds)", "critical",
       NB + r"gl(?:dt|ptt|rt|soat|ffct|cbt|imt|agent|oas|runner|ft|wt)-[A-Za-z0-9_-]{20,}",
       tp=(f"glptt-{R40}", f"glrt-{R24}"), tn=("glrt-short", "glxx-" + R24)),
    _r("atlassian_api_token", "Atlassian API token", "critical", NB + r"ATATT3[A-Za-z0-9_=-]{100,}",
       tp=(f"ATATT3xFfGF0{R100}",), tn=("ATATT3" + R20,)),
    _r("npm_token", "npm access token", "critical", NB + r"npm_[A-Za-z0-9]{36}" + NA,
       tp=(f"//registry.npmjs.org/:_authToken=npm_{R36}",), tn=("npm_" + R30, "npm_config_cache_dir")),
    _r("pypi_token", "PyPI API token", "critical", NB + r"pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{40,}",
       tp=(f"pypi-AgEIcHlwaS5vcmc{R64}",), tn=("pypi-AgEIcHlwaS5vcmc", "pypi-" + R64)),
    _r("docker_hub_token", "Docker Hub token", "critical", NB + r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}",
       tp=(f"dckr_pat_{R30}",), tn=("dckr_pat_short", "dckr_xyz_" + R30)),
    _r("rubygems_api_key", "RubyGems API key", "critical", NB + r"rubygems_[a-f0-9]{48}" + NA,
       tp=(f"rubygems_{H64[:48]}",), tn=(f"rubygems_{H32}",)),
    _r("nuget_api_key", "NuGet API key", "high", r"\boy2[a-z0-9]{43}\b", min_entropy=3.5,
       tp=("oy2" + "k3m9x2p7q4w8e1r5t6y0u3i9o2a7s4d8f1g5h6j0kbc",), tn=("oy2" + "a" * 43,)),
    _r("terraform_cloud_token", "Terraform Cloud token", "critical",
       r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}", tp=(f"{R20[:14]}.atlasv1.{R64}",),
       tn=("abc.atlasv1.def",)),

    # ---- SaaS ---------------------------------------------------------------------------
    _r("stripe_secret_key", "Stripe secret / restricted key", "critical",
       NB + r"(?:sk|rk)[_-](?:live|test)[_-][A-Za-z0-9_]{16,}",
       tp=(f"sk_live_{R24}", f"STRIPE_KEY=sk-test-{R32[::-1]}", f"rk_live_{R24}"),
       tn=(f"pk_live_{R24}", "sk_live_", "task_test_runner_configuration")),
    _r("stripe_webhook_secret", "Stripe webhook secret", "critical", NB + r"whsec_[A-Za-z0-9]{24,}",
       tp=(f"whsec_{R32}",), tn=("whsec_short",)),
    _r("slack_token", "Slack token", "critical", NB + r"xox[abposre]-[A-Za-z0-9-]{10,}",
       tp=("xoxb-1234567890-1234567890123-" + R24, "xoxp-" + R24), tn=("xoxb-", "xoxz-" + R24)),
    _r("slack_app_token", "Slack app-level token", "critical", NB + r"xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,}",
       tp=(f"xapp-1-A01ABCD2EFG-1234567890123-{H64}",), tn=("xapp-1-A01-12-abc",)),
    _r("slack_webhook_url", "Slack incoming webhook URL", "critical",
       r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}",
       tp=(f"https://hooks.slack.com/services/T00000000/B00000000/{R24}",),
       tn=("https://hooks.slack.com/", "https://api.slack.com/services")),
    _r("discord_bot_token", "Discord bot token", "critical",
       NB + r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}" + NA64, min_entropy=3.5,
       tp=(f"MTA{R24[:21]}.GhIjKl.{R30}",), tn=(f"MTA{R24[:21]}.{R30}", "Mozilla.Firefox.Extension")),
    _r("discord_webhook_url", "Discord webhook URL", "critical",
       r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,68}",
       tp=(f"https://discord.com/api/webhooks/123456789012345678/{R64}",),
       tn=("https://discord.com/api/webhooks/123", "https://discord.com/channels/1/2")),
    _r("telegram_bot_token", "Telegram bot token", "critical", r"(?<!\d)\d{8,10}:AA[A-Za-z0-9_-]{33}" + NA64,
       tp=(f"bot1234567890:AA{R36[:33]}",), tn=("12:30:45", f"1234567890:BB{R36[:33]}")),
    _r("twilio_api_key", "Twilio API key", "high", r"\bSK[0-9a-f]{32}\b",
       tp=(f"SK{H32}",), tn=(f"SK{H32[:30]}", f"SK{H32.upper()}Z")),
    _r("twilio_account_sid", "Twilio account SID", "high", r"\bAC[0-9a-f]{32}\b",
       tp=(f"TWILIO_ACCOUNT_SID=AC{H32}",), tn=(f"AC{H32[:31]}",)),
    _r("sendgrid_api_key", "SendGrid API key", "critical", NB + r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + NA64,
       tp=(f"SG.{R24[:22]}.{R43}",), tn=(f"SG.{R20}.{R20}", "SG.1.2")),
    _r("mailgun_api_key", "Mailgun API key", "high", NB + r"key-[0-9a-f]{32}" + NA,
       tp=(f"api:key-{H32}",), tn=(f"key-{H32[:30]}", "primary-key-value")),
    _r("mailchimp_api_key", "Mailchimp API key", "high", r"\b[0-9a-f]{32}-us\d{1,2}\b",
       tp=(f"{H32}-us14",), tn=(f"{H32}-eu14", f"{H32[:20]}-us1")),
    _r("linear_api_key", "Linear API key", "high", NB + r"lin_api_[A-Za-z0-9]{40}" + NA,
       tp=(f"lin_api_{R40}",), tn=("lin_api_" + R20,)),
    _r("notion_token", "Notion integration token", "high", NB + r"(?:ntn_[A-Za-z0-9]{40,}|secret_[A-Za-z0-9]{43})" + NA,
       min_classes=2, tp=(f"ntn_{R48}", f"secret_{R43}"), tn=("ntn_" + R20, "secret_sauce_recipe")),
    _r("sentry_token", "Sentry auth token", "high", NB + r"sntry[su]_[A-Za-z0-9_=+/-]{40,}",
       tp=(f"sntrys_{R64}",), tn=("sntrys_" + R20,)),
    _r("shopify_token", "Shopify token", "critical", NB + r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + NA,
       tp=(f"shpat_{H32}",), tn=(f"shpat_{H32[:20]}", f"shpxx_{H32}")),
    _r("square_token", "Square access token / secret", "critical",
       NB + r"(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43})",
       tp=(f"EAAA{R64[:60]}", f"sq0csp-{R43}"), tn=("EAAA" + R20, "sq0atp-short")),
    _r("braintree_access_token", "PayPal Braintree access token", "critical",
       r"access_token\$production\$[a-z0-9]{16}\$[a-f0-9]{32}",
       tp=(f"access_token$production${H32[:16]}${H32}",), tn=("access_token$sandbox$abc",)),
    _r("postman_api_key", "Postman API key", "high", r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
       tp=(f"PMAK-{H64[:24]}-{H64[:34]}",), tn=(f"PMAK-{H64[:24]}",)),
    _r("age_secret_key", "age encryption secret key", "critical",
       r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b",
       tp=("AGE-SECRET-KEY-1" + ("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" * 2)[:58],), tn=("AGE-SECRET-KEY-1ABC",)),
    _r("doppler_token", "Doppler token", "critical",
       r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}\b",
       tp=(f"dp.pt.{R43}", f"dp.st.prd.{R40}"), tn=("dp.pt.short", f"dp.xx.{R43}", "dp.st.prd.short")),
    _r("grafana_token", "Grafana service-account / cloud token", "critical",
       NB + r"(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})",
       tp=(f"glsa_{R32}_{H32[:8]}", f"glc_{R48}"), tn=("glsa_" + R20, "glc_short")),
    _r("planetscale_token", "PlanetScale token / password", "critical",
       NB + r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}", tp=(f"pscale_pw_{R40}",), tn=("pscale_pw_short",)),
    _r("figma_token", "Figma personal access token", "high", NB + r"figd_[A-Za-z0-9_-]{40,}",
       tp=(f"figd_{R48}",), tn=("figd_" + R20,)),
    _r("airtable_pat", "Airtable personal access token", "high", r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b",
       tp=(f"pat{R20[:14]}.{H64}",), tn=(f"pat{R20[:14]}.{H32}",)),
    _r("dynatrace_token", "Dynatrace token", "critical", r"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b",
       tp=(f"dt0c01.{R24.upper()}.{R64.upper()}",), tn=(f"dt0c01.{R24.upper()}",)),
    _r("okta_api_token", "Okta API token (with context)", "high", NB + r"(?P<s>00[A-Za-z0-9_-]{40})" + NA64,
       context=("okta",), min_entropy=3.8, tp=(f"OKTA_API_TOKEN=00{R40}",), tn=(f"id=00{R40}",)),

    # ---- Generic credentials -----------------------------------------------------------------
    _r("private_key_pem", "PEM private key", "critical",
       r"-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |ED25519 |OPENSSH )?PRIVATE KEY-----",
       tp=("-----BEGIN RSA PRIVATE KEY-----\nMIIEow", "key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----",
           "-----BEGIN PRIVATE KEY-----"),
       tn=("-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----", "BEGIN RSA PRIVATE")),
    _r("pgp_private_key", "PGP private key block", "critical", r"-----BEGIN PGP PRIVATE KEY BLOCK-----",
       tp=("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF",), tn=("-----BEGIN PGP PUBLIC KEY BLOCK-----",)),
    _r("putty_private_key", "PuTTY private key", "critical", r"PuTTY-User-Key-File-\d: ",
       tp=("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none",), tn=("PuTTY user key file",)),
    _r("jwt", "JSON Web Token", "high",
       NB + r"eyJ[A-Za-z0-9_-]{8,}\.ey[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}", validator="jwt",
       tp=("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQ4MjEiLCJyb2xlIjoiYWRtaW4iLCJpYXQiOjE3NjcyMjU2MDB9."
           "BFz95J7rGxh8Ip2ZQWFVYc6Zzy9Rj2x6spJK3ymTHO0",),
       tn=("eyJub3RhIjoiand0In0.eyJzdWIiOiIxMjM0In0.abcdefghijkl", "eyJhbGciOiJIUzI1NiJ9 alone")),
    # any scheme but http(s) (url_credentials): databases, queues, cloudinary://, s3://, smb:// ...
    _r("connection_string_password", "Connection string / URI with a password", "critical",
       r"\b(?:jdbc:[a-z0-9]+|(?!https?://)[a-z][a-z0-9+.-]{1,24})"
       r"://[^\s:/@\"'<>]{0,64}:(?P<s>[^\s@/\"'<>]{3,128})@[A-Za-z0-9.\[\]-]+",
       ignore_case=True, placeholder_check=True,
       tp=("PG_DSN=postgresql://svc_reports:Tq8vLm2xRw@pg.corp.test:5432/reports",
           "mongodb+srv://admin:s3cret@cluster0.example.net/db", "redis://:hunter2pass@cache:6379/0",
           "CLOUDINARY_URL=cloudinary://874837483274837:a676b67565c6767a6767d6767f676fe1@acme"),
       tn=("postgres://user@db.internal/app", "postgres://${DB_USER}:${DB_PASS}@db/app",
           "mysql://root:<password>@localhost/db")),
    _r("url_credentials", "Credentials in an http(s) URL", "high",
       r"\bhttps?://[^\s:/@\"'<>]{1,64}:(?P<s>[^\s@/\"'<>]{3,128})@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
       ignore_case=True, placeholder_check=True, min_classes=2,
       tp=("https://deploy:Xy7pQ2rT9w@git.example.com/repo.git",),
       tn=("https://user:<token>@git.example.com/r", "https://example.com/@user", "see http://a.b:8080/x@y")),
    _r("generic_secret_assignment", "Secret assigned to a sensitive name", "high",
       r"(?P<k>(?P<kw>password|passwd|passphrase|pwd|secret|api[_-]?key|apikey|access[_-]?key"
       r"|auth[_-]?token|access[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key|token|credentials?"
       r"|" + SECRET_KEY_NAMES + r")"
       r"[A-Za-z0-9_.-]{0,20})[\"']?\s{0,3}(?:=>|:=|[:=])\s{0,3}[\"']?(?P<s>[^\s\"'`,;&<>(){}\[\]]{8,200})",
       ignore_case=True, placeholder_check=True, validator="generic_secret",
       tp=("db_password: Orchid-Lantern-81!", 'config = {"api_key": "Zk3pQ9rT2vX8mN4b"}',
           f"SENDGRID_SECRET_KEY=SG.{R24}", f"client_secret={R40}", f"ALGOLIA_ADMIN_KEY={H32}",
           f"MEILI_MASTER_KEY={R32}", f"APP_KEY=base64:{R43}="),
       tn=("password: changeme", 'token = os.getenv("SERVICE_TOKEN")', "token=${GITHUB_TOKEN}",
           "api_key: <your-api-key>", "password=********", "max_tokens=4096", "api_key = settings.API_KEY",
           "tokenizer=bert-base-uncased", "csrf_token=Zk3pQ9rT2vX8mN4b", "SORT_KEY=Zk3pQ9rT2vX8mN4b",
           "ALGOLIA_ADMIN_KEY=<admin-key>")),
    _r("bearer_token", "High-entropy bearer token", "high",
       r"(?i)\bbearer\s+(?P<s>[A-Za-z0-9._~+/-]{20,}=*)", min_entropy=3.5, min_classes=2, placeholder_check=True,
       tp=(f"Authorization: Bearer {R40}",), tn=("Authorization: Bearer <token>", "Bearer YOUR_ACCESS_TOKEN_HERE",
                                              "bearer of good news is here")),
    _r("basic_auth", "HTTP Basic credentials", "high", r"(?i)\bbasic\s+(?P<s>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])",
       validator="basic_auth", tp=("Authorization: Basic YWRtaW46czNjcjN0UGFzcw==",),
       tn=("Basic usage of the tool", "Authorization: Basic dXNlcm5hbWVvbmx5")),

    # ---- Financial and crypto ----------------------------------------------------------------------
    _r("credit_card", "Payment card number", "medium",
       r"(?<![\d.-])(?P<s>\d{13,19}|\d{4}(?:[ -]\d{4}){3}[ -]\d{3}|\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{1,7}"
       r"|\d{4}[ -]\d{6}[ -]\d{4,5})(?![\d])",
       validator="credit_card",
       prefilter=r"\b(?:\d{13,19}|\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})\b",
       tp=("4532015112830366", "5500 0000 0000 0004", "card 378282246310005", "2221-0012-3412-3450",
           "4699 7746 2494 4019 195", "card 4532 0151 1283 0366 123"),
       tn=("4111111111111112", "1234 5678 9012 3456", "call +1 415 555 0123 now", "2026-03-10 09:30:00",
           "1700000000000")),
    _r("iban", "IBAN", "medium", r"\b(?P<s>[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})\b", validator="iban",
       tp=("GB29NWBK60161331926819", "iban=DE89 3704 0044 0532 0130 00"),
       tn=("GB29NWBK60161331926818", "XX29NWBK60161331926819", "US12 3456 7890 1234")),
    # WIF of any coin: the version byte names the network (0x80 Bitcoin, 0xb0 Litecoin, 0x9e
    # Dogecoin, 0xcc Dash ...); the checksum and the 32-byte key (+0x01) make it a key.
    _r("bitcoin_wif", "WIF private key (Bitcoin and every coin that uses its format)", "critical",
       r"\b[1-9A-HJ-NP-Za-km-z]{51,52}\b",
       validator="wif", tp=("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",) + WIF_TP,
       tn=("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTK",) + WIF_TN),
    _r("extended_private_key", "BIP-32 extended private key", "critical",
       r"\b[xyztuvYZUV]prv[1-9A-HJ-NP-Za-km-z]{100,112}\b", validator="extended_private_key",
       tp=("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
           "ZprvAhadJRUYsNge9SFyXyV2r8b6DmZXaiymC4yvfCV8g4ucEZxcPpQeT8rHXKuyZP1CvHcqdqWXVM6Nzu4FFV2typXKAqHAeRzQGrKFH3zA7PW"),
       tn=("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHj",
           "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8")),
    _r("eth_private_key", "Ethereum private key (with context)", "critical",
       r"(?<![A-Za-z0-9])(?P<s>(?:0x)?[a-fA-F0-9]{64})(?![A-Za-z0-9])",
       context=("private", "priv", "secret", "signer", "wallet", "mnemonic", "eth_key", "ethkey", "pk="),
       tp=(f"PRIVATE_KEY=0x{H64}", f"wallet key: {H64}"), tn=(f"tx hash 0x{H64}", f"sha256: {H64}")),
    _r("eth_address", "Ethereum address", "low", r"(?<![A-Za-z0-9])0x[a-fA-F0-9]{40}(?![A-Za-z0-9])",
       validator="eth_address",
       tp=("0x54ad7D969a56eaCe5ca128e67a72E498a2E97e68", "to=0x" + H40),
       tn=("0x54ad7D969a56eaCe5ca128e67a72E498a2E97e67", "0x" + "0" * 40, f"0x{H64}")),
    _r("btc_address", "Bitcoin address", "low",
       r"\b(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71})\b",
       validator="btc_address",
       tp=("1BJRkLzSyEKfFRdWd9nGGH3SFNA3V444yM", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
       tn=("1BJRkLzSyEKfFRdWd9nGGH3SFNA3V444yN", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx",
           "3" + "1" * 30)),
    _r("us_ssn", "US Social Security number (with context)", "medium",
       r"(?<![\d-])(?P<s>\d{3}-\d{2}-\d{4})(?![\d-])", validator="us_ssn",
       context=("ssn", "social security", "social_security", "socialsecurity", "tax id", "taxpayer"),
       tp=("SSN: 536-22-1987", "social security number 321-54-9876"),
       tn=("SSN: 000-12-3456", "SSN: 666-12-3456", "SSN: 912-12-3456", "order 536-22-1987 shipped")),
)

from .dlp_tail import TAIL_RULES  # noqa: E402 - it builds on the definitions above
from .dlp_crypto import CRYPTO_RULES  # noqa: E402
from .dlp_services import SERVICE_RULES  # noqa: E402

RULES = RULES + TAIL_RULES + CRYPTO_RULES + SERVICE_RULES

# Detectors that are code, not one regex. Listed so config and docs know their ids.
SPECIAL_RULES: dict[str, tuple[str, Severity]] = {
    "bip39_seed_phrase": ("BIP-39 seed phrase, any official wordlist (checksum verified)", "critical"),
    "electrum_seed": ("Electrum seed phrase (version prefix verified)", "critical"),
    "env_secret": ("Value of a sensitive environment variable", "critical"),
    "canary_token": ("Configured canary token", "critical"),
    "encoded_high_entropy": ("High-entropy secret inside an encoded blob", "high"),
    "secret_field": ("High-entropy value in a field with a sensitive name", "high"),
}

PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "placeholder", "your_", "your-", "yourpass", "yourkey", "yourtoken",
    "redacted", "example_", "dummy", "xxxx", "****", "....", "${", "{{", "<", "%s", "%(", "$(", "process.env",
    "os.environ", "getenv", "env(", "insert_", "replace_me", "replaceme", "todo", "fixme", "sample",
    "%3c", "%24%7b", "%7b%7b",   # '<', '${', '{{' percent-encoded (a form body)
)
