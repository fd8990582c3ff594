"""The built-in default config without pydantic (config/frozen.py): the same values as
Config(), field by field, and every model operation still answered (by the real model)."""
from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys

import pytest
from pydantic import BaseModel, ValidationError

from ringfence.config import Config, load_config, load_config_text
from ringfence.config.frozen import FrozenSection, default_config


def _walk(view, model, path=""):
    """Every field (recursively) and every public property of every section."""
    assert isinstance(view, FrozenSection), path
    for name in type(model).model_fields:
        want, got = getattr(model, name), getattr(view, name)
        if isinstance(want, BaseModel):
            _walk(got, want, f"{path}.{name}")
        else:
            assert got == want and type(got) is type(want), (f"{path}.{name}", got, want)
            if isinstance(want, (list, dict)):
                for a, b in zip(want if isinstance(want, list) else want.items(),
                                got if isinstance(got, list) else got.items()):
                    assert type(a) is type(b), (f"{path}.{name}", a, b)
    for klass in type(model).__mro__:
        for name, attr in vars(klass).items():
            if isinstance(attr, property) and not name.startswith(("_", "model_")):
                assert getattr(view, name) == getattr(model, name), (f"{path}.{name}",)
    assert view.model_dump_json() == model.model_dump_json(), path


def test_default_view_equals_config_field_by_field():
    _walk(default_config(), Config())


def test_load_config_without_a_file_or_with_an_empty_file_is_the_default_view():
    for got in (load_config(None), load_config_text("", "empty.yaml"), load_config_text("# nothing\n")):
        assert isinstance(got, FrozenSection)
        _walk(got, Config())


def test_every_section_of_a_file_config_is_still_a_pydantic_model():
    got = load_config_text("mode: strict\n")
    assert isinstance(got, Config) and got.mode == "strict" and not isinstance(got.dlp, FrozenSection)


def test_model_operations_are_answered_by_the_real_model():
    view, model = default_config(), Config()
    assert view == model and model == view and view.dlp == model.dlp and view.dlp != model.injection
    assert view.model_dump() == model.model_dump()
    assert view.model_dump_json(indent=2) == model.model_dump_json(indent=2)
    changed = view.model_copy(update={"tls": view.tls.model_copy(update={"intercept": True})})
    assert isinstance(changed, Config) and changed.tls.intercept and not view.tls.intercept
    assert pickle.loads(pickle.dumps(view)) == model
    assert copy.deepcopy(view) == model and copy.copy(view.url) == model.url
    assert dict(view.dlp) == dict(model.dlp)
    assert repr(view.receipts) == repr(model.receipts)
    with pytest.raises(ValidationError):
        view.mode = "audit"
    with pytest.raises(ValidationError):
        view.dlp.enabled = False
    assert view.mode == "balanced" and view.dlp.enabled
    with pytest.raises(AttributeError):
        view.no_such_field


def test_an_absent_setting_is_absent_without_building_the_model():
    view = default_config()
    assert getattr(view.mcp, "no_such_setting", 7) == 7 and not hasattr(view, "no_such_section")
    assert view._model is None and view.mcp._model is None
    assert callable(view.model_copy) and view._model is not None   # a model method builds it


def test_views_do_not_share_mutable_values():
    a, b = default_config(), default_config()
    a.url.blocklist.append("*.mine.test")
    assert "*.mine.test" not in b.url.blocklist and "*.mine.test" not in Config().url.blocklist
    assert a.url is a.url   # one section object per view, as a model has


def _child(code: str, cache: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    env.pop("RINGFENCE_NO_CACHE", None)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


CHECK = """
import sys
sys.argv = ["ringfence", "check", {args}]
from ringfence.cli import main
try:
    main()
except SystemExit:
    pass
print("PYDANTIC", sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core", "yaml")))
"""


@pytest.mark.parametrize("args", ['"--text", "/dev/null"', '"--text", "/dev/null", "--direction", "inbound"',
                                  '"--url", "https://example.com/x", "--no-dns"'])
def test_check_without_a_config_file_never_imports_pydantic_once_the_default_is_cached(tmp_path, args):
    code = CHECK.format(args=args)
    first = _child(code, str(tmp_path))   # a fresh cache: the default is taken from Config() once
    assert "ALLOW" in first.stdout, first.stderr[-500:]
    again = _child(code, str(tmp_path))
    assert "ALLOW" in again.stdout and "PYDANTIC []" in again.stdout, again.stdout + again.stderr[-500:]


def test_a_tampered_default_snapshot_is_ignored(tmp_path):
    code = ("from ringfence.config import load_config\nc = load_config(None)\n"
            "print(c.dlp.enabled, c.mode, c.model_dump_json() == __import__('ringfence.config', "
            "fromlist=['Config']).Config().model_dump_json())")
    assert _child(code, str(tmp_path)).stdout.split() == ["True", "balanced", "True"]
    files = [p for p in (tmp_path / "ringfence").iterdir() if p.name.startswith("js-")]
    assert files
    for p in files:   # flip the defaults inside the file, keep its header: the checksum no longer matches
        blob = p.read_bytes()
        p.write_bytes(blob.replace(b'\\"enabled\\":true', b'\\"enabled\\":false'))
    assert any(b'\\"enabled\\":false' in p.read_bytes() for p in files)
    got = _child(code, str(tmp_path))
    assert got.stdout.split() == ["True", "balanced", "True"], got.stderr[-500:]


def test_snapshot_is_json_with_no_model_left_inside():
    from ringfence.config.frozen import _make
    doc = json.loads(_make())
    assert doc["f"]["mode"] == "balanced" and doc["p"] == {"enforce": True}
