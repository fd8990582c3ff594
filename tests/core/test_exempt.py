"""core.exempt: one place where exemptions take findings out, for every transport.
Host-scoped entries match the host as sent, tool-scoped ones the MCP tool, unscoped
ones everywhere; expired ones never; a watched config file is followed while running."""
import os
import time

import pytest

from ringfence.config import Config, load_config
from ringfence.core import Action, Content, Finding, decide, exempt
from ringfence.engine import Engine

KEY = "AKIA" + "IOSFODNN7EXAMPLE"
F = Finding("dlp", "aws_access_key_id", "critical", "AKIA…", "body", "block")
OTHER = Finding("dlp", "github_pat", "critical", "ghp_…", "body", "block")


def _cfg(**entry) -> Config:
    return Config.model_validate({"exemptions": [{"rule": "dlp:aws_access_key_id", **entry}]})


@pytest.mark.parametrize("entry,host,tool,covered", [
    ({}, "", "", True),                                           # unscoped: everywhere
    ({}, "api.example.com", "notes", True),
    ({"domains": ["*.example.com"]}, "api.example.com", "", True),
    ({"domains": ["*.example.com"]}, "example.com", "", True),
    ({"domains": ["*.example.com"]}, "example.com.evil.net", "", False),
    ({"domains": ["*.example.com"]}, "", "", False),              # host-scoped needs a host
    ({"tools": ["notes"]}, "", "notes", True),
    ({"tools": ["notes"]}, "", "fetch", False),
    ({"tools": ["notes"]}, "api.example.com", "", False),         # tool-scoped needs the tool
    ({"expires": "2001-01-01T00:00:00Z"}, "", "", False),         # expired: never
    ({"expires": "2999-01-01T00:00:00Z"}, "", "", True),
])
def test_scopes(entry, host, tool, covered):
    kept = exempt.keep([F, OTHER], _cfg(**entry), host, tool)
    assert (F not in kept) is covered
    assert OTHER in kept   # another rule is never taken out


def test_apply_re_decides_and_keeps_identity_when_nothing_changes():
    cfg = _cfg()
    d = decide([F, OTHER])
    out = exempt.apply(d, cfg)
    assert out.verdict == "block" and out.findings == (OTHER,)
    only = decide([F])
    assert exempt.apply(only, cfg).verdict == "allow"
    untouched = decide([OTHER])
    assert exempt.apply(untouched, cfg) is untouched


@pytest.mark.parametrize("kind,data", [("tool_call", ("notes", {"text": f"x {KEY} y"})),
                                       ("tool_result", {"content": [{"type": "text", "text": f"x {KEY} y"}]})])
def test_inspector_applies_tool_scoped_entries_to_tool_kinds(kind, data):
    direction = "outbound" if kind == "tool_call" else "inbound"
    for tools, blocked in ((["notes"], False), (["other"], True)):
        e = Engine(_cfg(tools=tools))
        d = e.inspect(Action("mcp_stdio", direction, "notes", "tools/call", kind=kind),
                      Content(kind, data, session=e.tool_session("srv") if kind == "tool_call" else None))
        assert (d.verdict not in ("allow", "warn")) is blocked, (tools, d)


def test_a_watched_file_is_followed(tmp_path):
    path = tmp_path / "ringfence.yaml"
    path.write_text("exemptions: []\n")
    cfg = load_config(str(path))
    exempt.watch_config(str(path))
    try:
        assert F in exempt.keep([F], cfg)
        path.write_text("exemptions:\n  - rule: dlp:aws_access_key_id\n")
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
        exempt._live["checked"] = 0.0           # do not wait out the once-a-second re-read
        assert exempt.keep([F], cfg) == []
        path.write_text("exemptions: [ {rule: \n")   # invalid: what was loaded stays
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
        exempt._live["checked"] = 0.0
        assert exempt.keep([F], cfg) == []
    finally:
        exempt.watch_config(None)
