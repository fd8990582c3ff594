import pytest

from ringfence.config import Config, ConfigError, load_config_text


def test_defaults_are_balanced():
    c = load_config_text("")
    assert c.mode == "balanced" and c.enforce and c.dlp.action == "block"


def test_unknown_key_names_key_and_line():
    with pytest.raises(ConfigError) as e:
        load_config_text("mode: balanced\ndlp:\n  enabled: true\n  nonsense: 3\n")
    assert "dlp.nonsense" in str(e.value) and "line 4" in str(e.value) and "unknown key" in str(e.value)


def test_wrong_type_is_error_with_line():
    with pytest.raises(ConfigError) as e:
        load_config_text("url:\n  max_url_length: lots\n")
    assert "url.max_url_length" in str(e.value) and "line 2" in str(e.value)


def test_zero_is_rejected_not_defaulted():
    with pytest.raises(ConfigError):
        load_config_text("url:\n  max_url_length: 0\n")


def test_duplicate_key_rejected():
    with pytest.raises(ConfigError) as e:
        load_config_text("mode: audit\nmode: strict\n")
    assert "duplicate key" in str(e.value)


def test_multi_document_rejected():
    with pytest.raises(ConfigError):
        load_config_text("mode: audit\n---\nmode: strict\n")


def test_malformed_yaml_is_clear_error():
    with pytest.raises(ConfigError) as e:
        load_config_text("dlp: [unclosed\n")
    assert "invalid YAML" in str(e.value)


def test_audit_mode_does_not_enforce():
    assert not load_config_text("mode: audit\n").enforce
    assert Config().enforce
