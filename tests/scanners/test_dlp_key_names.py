"""Secrets named by the kind of key they are (issue 10): `<kind>_KEY` names whose kind makes
the key a secret (admin, master, encryption, signing, app, service-role ...) carry one in env
files, JSON, YAML and form bodies and MCP arguments, whatever the vendor prefix before the name;
keys of kinds that are not secrets (sort, cache, partition, public, publishable, site,
idempotency) and placeholders under secret names pass."""
import json
from urllib.parse import urlencode

import pytest
from carriers import CARRIERS, _body

KINDS = ["ADMIN_KEY", "MASTER_KEY", "ENCRYPTION_KEY", "SIGNING_KEY", "APP_KEY", "SERVICE_ROLE_KEY", "HMAC_KEY",
         "JWT_KEY", "LICENSE_KEY", "SDK_KEY", "ACCOUNT_KEY", "STORAGE_KEY", "ROOT_KEY", "MANAGEMENT_KEY"]
VENDORS = ["", "ALGOLIA_", "MEILI_", "SUPABASE_", "ACME_"]
VALUES = ["88aa8a29c1124a32e3d2cdae9f333b92", "Qm9XkLp2Rt7vYz4Wb8Nc3Hd6Jf1Gs5Ta", "base64:Zk3pQ9rT2vX8mN4bL7cW1yH5dJ0sA6eR"]
PUBLIC = ["SORT_KEY", "CACHE_KEY", "PARTITION_KEY", "PUBLIC_KEY", "PUBLISHABLE_KEY", "SITE_KEY", "IDEMPOTENCY_KEY",
          "PRIMARY_KEY", "ROUTING_KEY", "I18N_KEY"]


def _forms(name: str, value: str):
    low = name.lower()
    yield "env", _body("text/plain", f"# .env\nDEBUG=false\n{name}={value}\n")
    yield "json", _body("application/json", json.dumps({"settings": {low: value}}))
    yield "yaml", _body("application/yaml", f"search:\n  {low}: {value}\n")
    yield "form", _body("application/x-www-form-urlencoded", urlencode({low: value, "x": "1"}))
    yield "mcp", CARRIERS["mcp_args"](f"{name}={value}")


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("kind", KINDS)
def test_secret_kinds_of_key_block(kind, vendor, value):
    got = dict(_forms(vendor + kind, value))
    assert set(got.values()) == {"block"}, got


@pytest.mark.parametrize("value", VALUES[:2])
@pytest.mark.parametrize("kind", PUBLIC)
def test_other_kinds_of_key_pass(kind, value):
    got = dict(_forms("ACME_" + kind, value))
    assert set(got.values()) == {"allow"}, got


@pytest.mark.parametrize("value", ["<admin-key>", "${ALGOLIA_ADMIN_KEY}", "changeme", "your_master_key_here",
                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "process.env.ADMIN_KEY"])
@pytest.mark.parametrize("kind", KINDS[:6])
def test_placeholders_under_secret_names_pass(kind, value):
    got = dict(_forms("ALGOLIA_" + kind, value))
    assert set(got.values()) == {"allow"}, got
