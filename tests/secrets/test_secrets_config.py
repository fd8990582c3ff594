"""The `secrets:` and `egress:` config sections: strict validation with key and line,
sources (env, 0600 file, command with timeout), and values that never show up in
errors, dumps or reprs."""
from __future__ import annotations

import sys

import pytest

from ringfence.config import ConfigError, load_config_text
from ringfence.config.presets import preset, to_yaml

VALUE = "Zq7-not-a-real-key-Lp2w9X"


def _load(text: str, monkeypatch=None):
    return load_config_text(text)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("RF_T_TOKEN", VALUE)


def test_the_contract_example_loads():
    c = load_config_text("""\
secrets:
  demo:
    placeholder: rf-secret-demo
    value_from: {env: RF_T_TOKEN}
    hosts: [api.example.com]
egress:
  default: allow
  rules:
    - {action: allow, methods: [GET, HEAD], hosts: ["*.python.org"]}
    - {action: deny, methods: ["*"], hosts: ["*"]}
""")
    assert c.secrets["demo"].placeholder == "rf-secret-demo" and c.secrets["demo"].value() == VALUE
    assert c.egress.default == "allow" and [r.action for r in c.egress.rules] == ["allow", "deny"]
    assert VALUE not in repr(c) and VALUE not in str(c.model_dump()) and VALUE not in to_yaml(c)


@pytest.mark.parametrize("text,needle", [
    ("secrets:\n  demo:\n    value_from: {env: RF_T_TOKEN}\n    hosts: [a.test]\n    colour: red\n",
     "line 5: secrets.demo.colour: unknown key"),
    ("secrets:\n  demo:\n    value_from: {env: RF_T_TOKEN, path: x}\n    hosts: [a.test]\n",
     "secrets.demo.value_from.path: unknown key"),
    ("egress:\n  default: allow\n  rules:\n    - {action: allow, method: [GET]}\n",
     "line 4: egress.rules.0.method: unknown key"),
    ("egress:\n  defaults: deny\n", "line 2: egress.defaults: unknown key"),
    ("egress:\n  default: maybe\n", "egress.default"),
    ("egress:\n  rules:\n    - {action: permit}\n", "egress.rules.0.action"),
    ("egress:\n  rules:\n    - {action: allow, methods: [GET POST]}\n", "not an HTTP method"),
    ("secrets:\n  demo:\n    value_from: {env: RF_T_TOKEN}\n", "secrets.demo.hosts"),
    ("secrets:\n  demo:\n    value_from: {}\n    hosts: [a.test]\n", "exactly one of env, file, command"),
    ("secrets:\n  demo:\n    value_from: {env: RF_T_UNSET_VAR}\n    hosts: [a.test]\n", "RF_T_UNSET_VAR is not set"),
    ("secrets:\n  demo:\n    value_from: {env: RF_T_TOKEN}\n    hosts: [a.test]\n    inject: {header: X-Key, query: k}\n",
     "exactly one of header, query"),
    ("secrets:\n  a:\n    placeholder: same-placeholder\n    value_from: {env: RF_T_TOKEN}\n    hosts: [a.test]\n"
     "  b:\n    placeholder: same-placeholder\n    value_from: {env: RF_T_TOKEN}\n    hosts: [b.test]\n",
     "share the placeholder"),
])
def test_bad_configs_name_the_key(text, needle):
    with pytest.raises(ConfigError) as e:
        load_config_text(text)
    assert needle in str(e.value)
    assert VALUE not in str(e.value)


def test_file_source_must_be_owner_only(tmp_path):
    f = tmp_path / "key"
    f.write_text(VALUE + "\n")
    f.chmod(0o644)
    text = f"secrets:\n  demo:\n    value_from: {{file: {f}}}\n    hosts: [a.test]\n"
    with pytest.raises(ConfigError) as e:
        load_config_text(text)
    assert "mode 0644" in str(e.value) and "chmod 600" in str(e.value) and VALUE not in str(e.value)
    f.chmod(0o600)
    assert load_config_text(text).secrets["demo"].value() == VALUE  # trailing newline dropped


def test_command_source_runs_once_with_a_timeout(tmp_path):
    counter = tmp_path / "n"
    code = f"import pathlib;p=pathlib.Path({str(counter)!r});p.write_text(p.read_text()+'x' if p.exists() else 'x');print({VALUE!r})"
    text = f"secrets:\n  demo:\n    value_from: {{command: [{sys.executable}, -c, \"{code}\"]}}\n    hosts: [a.test]\n"
    c = load_config_text(text)
    assert c.secrets["demo"].value() == VALUE and counter.read_text() == "x"
    from ringfence.engine import Engine
    Engine(c).boundary  # building the boundary does not run the command again
    assert counter.read_text() == "x"
    slow = f"secrets:\n  demo:\n    value_from: {{command: [sleep, '5'], timeout_s: 0.3}}\n    hosts: [a.test]\n"
    with pytest.raises(ConfigError) as e:
        load_config_text(slow)
    assert "did not finish within 0.3 s" in str(e.value)
    leaky = (f"secrets:\n  demo:\n    value_from: {{command: [{sys.executable}, -c, "
             f"\"import sys; print({VALUE!r}); sys.stderr.write({VALUE!r}); sys.exit(3)\"]}}\n    hosts: [a.test]\n")
    with pytest.raises(ConfigError) as e:
        load_config_text(leaky)
    assert "exited with status 3" in str(e.value) and VALUE not in str(e.value)


def test_short_or_multiline_values_are_refused(monkeypatch):
    monkeypatch.setenv("RF_T_SHORT", "abc")
    with pytest.raises(ConfigError, match="shorter than 8"):
        load_config_text("secrets:\n  demo:\n    value_from: {env: RF_T_SHORT}\n    hosts: [a.test]\n")
    monkeypatch.setenv("RF_T_ML", "line-one-value\nline-two-value")
    with pytest.raises(ConfigError, match="control character"):
        load_config_text("secrets:\n  demo:\n    value_from: {env: RF_T_ML}\n    hosts: [a.test]\n")


def test_strict_preset_denies_by_default_and_allows_registries_and_model_apis():
    from ringfence.secrets.egress import EgressPolicy
    s, b = preset("strict"), preset("balanced")
    assert s.egress.default == "deny" and b.egress.default == "allow" and not b.egress.rules
    pol = EgressPolicy(s.egress)
    for method, host, path in [("GET", "pypi.org", "/simple/requests/"), ("GET", "files.pythonhosted.org", "/p/x.whl"),
                               ("GET", "registry.npmjs.org", "/left-pad"), ("GET", "crates.io", "/api/v1/crates"),
                               ("GET", "proxy.golang.org", "/x/@v/list"), ("GET", "deb.debian.org", "/debian/"),
                               ("GET", "codeload.github.com", "/a/b/tar.gz/main"),
                               ("POST", "github.com", "/a/b.git/git-upload-pack"),
                               ("POST", "api.openai.com", "/v1/chat/completions"),
                               ("POST", "api.anthropic.com", "/v1/messages"),
                               ("POST", "generativelanguage.googleapis.com", "/v1beta/models")]:
        assert pol.check(method, host, path).allowed, (method, host)
    for method, host, path in [("POST", "pypi.org", "/legacy/"), ("GET", "example.com", "/"),
                               ("POST", "github.com", "/a/b.git/git-receive-pack"),
                               ("PUT", "registry.npmjs.org", "/pkg"), ("GET", "pypi.org.evil.test", "/")]:
        assert not pol.check(method, host, path).allowed, (method, host)
    assert s.url.requests_per_minute is not None and s.mode == "strict"  # the rest of strict is unchanged
