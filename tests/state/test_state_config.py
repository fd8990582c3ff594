"""The `state:` config section is validated strictly, with the key and line in the error."""
from __future__ import annotations

import pytest

from ringfence.config import ConfigError, load_config_text


def test_default_is_memory_and_needs_nothing():
    c = load_config_text("mode: balanced\n")
    assert (c.state.backend, c.state.url, c.state.prefix, c.state.timeout_ms) == ("memory", "", "ringfence", 250)


@pytest.mark.parametrize("text,needle", [
    ("state: {backend: redis}\n", "state.url is required"),
    ("state: {backend: nats, url: 'redis://x:6379'}\n", "must start with nats://"),
    ("state: {backend: redis, url: 'nats://x:4222'}\n", "must start with redis://"),
    ("state: {backend: memory, url: 'redis://x'}\n", "only used with backend redis or nats"),
    ("state: {backend: etcd, url: 'x'}\n", "state.backend"),
    ("state: {backend: redis, url: 'redis://x', prefix: 'a b'}\n", "state.prefix"),
    ("state: {backend: redis, url: 'redis://x', timeout_ms: 1}\n", "timeout_ms"),
    ("state: {backend: redis, url: 'redis://x', timeout_ms: '250'}\n", "timeout_ms"),
    ("mode: balanced\nstate:\n  backend: redis\n  url: 'redis://x'\n  colour: blue\n", "line 5"),
])
def test_bad_state_config_is_a_clear_error(text, needle):
    with pytest.raises(ConfigError) as e:
        load_config_text(text)
    assert needle in str(e.value)


def test_password_in_url_is_not_printed():
    from ringfence.state import open_state
    c = load_config_text("state: {backend: redis, url: 'redis://:s3cr3t-pw@db.internal:6379/0'}\n")
    st = open_state(c.state)
    assert "s3cr3t-pw" not in st.describe() and "db.internal" in st.describe()
