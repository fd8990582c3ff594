"""The egress allowlist the `strict` preset ships: package registries (read only,
plus git's fetch over smart HTTP) and model APIs. Everything else is denied."""
from __future__ import annotations

READ = ["GET", "HEAD"]

PACKAGE_REGISTRIES = [
    # Python
    "pypi.org", "files.pythonhosted.org",
    # JavaScript
    "registry.npmjs.org", "registry.yarnpkg.com",
    # Rust
    "crates.io", "static.crates.io", "index.crates.io",
    # Go
    "proxy.golang.org", "sum.golang.org",
    # Ruby, Java
    "rubygems.org", "index.rubygems.org", "repo.maven.apache.org", "repo1.maven.org",
    # Debian and Ubuntu packages
    "deb.debian.org", "security.debian.org", "archive.ubuntu.com", "security.ubuntu.com",
    # source archives and releases
    "github.com", "codeload.github.com", "objects.githubusercontent.com",
    "raw.githubusercontent.com", "release-assets.githubusercontent.com",
]

MODEL_APIS = [
    "api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com",
    "api.mistral.ai", "api.cohere.com", "api.groq.com", "api.deepseek.com", "openrouter.ai",
]


def strict_rules() -> list[dict]:
    return [
        {"action": "allow", "methods": READ, "hosts": list(PACKAGE_REGISTRIES)},
        # git clone / fetch over HTTPS posts to git-upload-pack; pushes (receive-pack) stay denied
        {"action": "allow", "methods": ["POST"], "hosts": ["github.com"], "paths": ["*/git-upload-pack"]},
        {"action": "allow", "methods": ["GET", "HEAD", "POST"], "hosts": list(MODEL_APIS)},
    ]
