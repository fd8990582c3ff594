import subprocess
import sys

import pytest

from ringfence.config import load_config_text
from ringfence.config.presets import preset, to_yaml

RF = [sys.executable, "-m", "ringfence"]


@pytest.mark.parametrize("name", ["strict", "balanced", "audit"])
def test_presets_round_trip(name):
    c = load_config_text(to_yaml(preset(name)))
    assert c == preset(name)


def test_presets_differ_where_they_should():
    assert not preset("audit").enforce and preset("balanced").enforce
    s, b = preset("strict"), preset("balanced")
    assert s.url.entropy_threshold < b.url.entropy_threshold
    assert s.url.requests_per_minute is not None and b.url.requests_per_minute is None


def test_generate_cli_prints_loadable_yaml(tmp_path):
    out = subprocess.run(RF + ["generate", "config", "--preset", "strict"], capture_output=True, text=True)
    assert out.returncode == 0
    assert load_config_text(out.stdout).mode == "strict"
    f = tmp_path / "c.yaml"
    assert subprocess.run(RF + ["generate", "config", "-o", str(f)]).returncode == 0
    again = subprocess.run(RF + ["generate", "config", "-o", str(f)], capture_output=True, text=True)
    assert again.returncode == 2 and "exists" in again.stderr


def test_unknown_preset_is_usage_error():
    out = subprocess.run(RF + ["generate", "config", "--preset", "nope"], capture_output=True, text=True)
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_top_level_help_lists_commands():
    out = subprocess.run(RF + ["--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "check" in out.stdout and "examples:" in out.stdout


def _fields(model, prefix=""):
    from pydantic import BaseModel
    for name, f in type(model).model_fields.items() if isinstance(model, BaseModel) else model.model_fields.items():
        yield prefix + name, f
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _fields(ann, prefix + name + ".")


def test_every_setting_is_documented_in_the_generated_config():
    from ringfence.config import Config
    missing = [n for n, f in _fields(Config) if not f.description]
    assert missing == []
    text = to_yaml(preset("balanced"))
    assert "# outbound secret detection" in text and "# deny all traffic (503) while true" in text
