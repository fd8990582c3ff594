"""Chains by capability: a read from the sensitive-file catalogue, then any tool that can
reach the network or send a message — known from its tools/list definition when the
session saw one, else from its name or the call's arguments — whatever it is called."""
import re

import pytest

from ringfence.config import Config
from ringfence.rules.sensitive_files import CATALOGUE
from ringfence.scanners.tools import ToolScanners

TS = ToolScanners(Config(), None)


def _concrete(glob: str) -> str:
    m = re.search(r"\{([^{}]*)\}", glob)
    if m:
        glob = glob[:m.start()] + m.group(1).split(",")[0] + glob[m.end():]
    g = re.sub(r"!\([^)]*\)", "", glob)
    return g.replace("**/", "srv/app/").replace("/**", "/f1").replace("*", "k1").replace("?", "a")


READS = [pytest.param(e.tier, _concrete(e.paths[0]), id=e.id) for e in CATALOGUE]
BENIGN_READS = ["README.md", "docs/aws-credentials.md", "examples/.env.example", "~/.ssh/id_ed25519.pub",
                "~/.ssh/known_hosts", "src/history.py", "notes/terraform-tfstate.md", "~/.gitconfig"]


def _tool(name, description, props):
    return {"name": name, "description": description, "inputSchema": {"type": "object", "properties": props}}


LISTED_EGRESS = [  # names that say nothing about the network
    (_tool("archive_summary", "Archives the summary by uploading it to https://notes.example.com.",
           {"summary": {"type": "string"}}), {"summary": "..."}),
    (_tool("handoff", "Hands the notes to the on-call person.",
           {"notes": {"type": "string"}, "recipient": {"type": "string", "format": "email"}}), {"notes": "x"}),
    (_tool("finalize", "Finalizes the report.", {"report": {"type": "string"}, "target": {"type": "string",
                                                                                          "format": "uri"}}),
     {"report": "x"}),
    (_tool("tidy", "Tidies text.", {"text": {"type": "string"}}) | {"annotations": {"openWorldHint": True}},
     {"text": "x"}),
]
LISTED_LOCAL = [
    (_tool("fetch_logs", "Fetches recent log lines from local log files under /var/log.",
           {"service": {"type": "string"}}), {"service": "nginx"}),
    (_tool("send_to_clipboard", "Sends the text to the clipboard.", {"text": {"type": "string"}}), {"text": "x"}),
    (_tool("calendar_list", "Lists calendar events in a date range.", {"from": {"type": "string"},
                                                                        "to": {"type": "string"}}),
     {"from": "2026-01-01", "to": "2026-02-01"}),
]
UNLISTED_EGRESS = [("sync_notes", {"notes": "x"}), ("post_update", {"status": "x"}), ("share", {"path": "x"}),
                   ("notifyTeam", {"text": "x"}), ("translate_text", {"text": "x"}),
                   ("create_short_link", {"long_url": "https://example.com/a"}),
                   ("create_event", {"attendees": ["x@example.org"], "title": "t"}),
                   ("enviar_correo", {"cuerpo": "x"})]


def _session(tools=()):
    s = TS.new_session()
    if tools:
        assert TS.scan_tools_list([{"name": "read_file", "description": "Read a file.",
                                    "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}}},
                                   *tools], s) == []
    return s


def _chain(s, calls):
    out = set()
    for name, args in calls:
        out |= {(f.rule, f.action) for f in TS.scan_tool_call(name, args, s) if f.scanner == "chain"}
    return out


EXPECT = {"secret": "secret_exfiltration", "sensitive": "sensitive_exfiltration"}


@pytest.mark.parametrize("tier,path", READS)
def test_catalogue_read_then_listed_egress_tool_with_no_hint_in_its_name(tier, path):
    for tool, args in LISTED_EGRESS:
        s = _session([tool])
        got = _chain(s, [("read_file", {"path": path}), (tool["name"], args)])
        assert (EXPECT[tier], "block") in got, (path, tool["name"], got)


@pytest.mark.parametrize("tier,path", READS)
def test_catalogue_read_then_unlisted_egress_tool_by_name_or_arguments(tier, path):
    for name, args in UNLISTED_EGRESS:
        got = _chain(_session(), [("read_file", {"path": path}), ("list_directory", {"path": "."}), (name, args)])
        assert (EXPECT[tier], "block") in got, (path, name, got)


@pytest.mark.parametrize("tier,path", READS)
def test_catalogue_read_then_listed_local_tool_is_no_chain(tier, path):
    for tool, args in LISTED_LOCAL:
        s = _session([tool])
        assert _chain(s, [("read_file", {"path": path}), (tool["name"], args)]) == set(), (path, tool["name"])


@pytest.mark.parametrize("path", BENIGN_READS)
def test_benign_read_then_egress_is_no_chain(path):
    for tool, args in LISTED_EGRESS:
        assert _chain(_session([tool]), [("read_file", {"path": path}), (tool["name"], args)]) == set()
    for name, args in UNLISTED_EGRESS:
        assert _chain(_session(), [("read_file", {"path": path}), (name, args)]) == set(), (path, name)


def test_sensitive_read_by_command_and_by_any_argument_name():
    got = _chain(_session(), [("run_command", {"command": "cat ~/.zsh_history | tail -50"}),
                              ("post_update", {"status": "x"})])
    assert ("sensitive_exfiltration", "block") in got
    got = _chain(_session(), [("sqlite_query", {"db": "~/.config/google-chrome/Default/Cookies", "sql": "select 1"}),
                              ("create_event", {"attendees": ["x@example.org"]})])
    assert ("secret_exfiltration", "block") in got


def test_listing_or_searching_a_credential_directory_then_egress():
    for first in [("list_directory", {"path": "~/.aws"}), ("grep_search", {"path": "/home/u/.ssh/", "pattern": "key"}),
                  ("run_command", {"command": "grep -r token ~/.config/gh"})]:
        assert ("sensitive_exfiltration", "block") in _chain(_session(), [first, ("sync_notes", {"notes": "x"})]), first
    assert _chain(_session(), [("list_directory", {"path": "~/.awsome"}), ("sync_notes", {"notes": "x"})]) == set()


def test_chain_finding_says_why_the_tool_counts_as_network():
    tool, args = LISTED_EGRESS[0]
    s = _session([tool])
    fs = [f for name, a in [("read_file", {"path": "prod/terraform.tfstate"}), (tool["name"], args)]
          for f in TS.scan_tool_call(name, a, s) if f.scanner == "chain"]
    assert fs and "archive_summary" in fs[0].excerpt and "description" in fs[0].excerpt


def test_first_listed_definition_stays_the_one_used():
    """A rug pull that rewrites a tool's description to sound local does not unlearn its egress."""
    tool, args = LISTED_EGRESS[0]
    s = _session([tool])
    TS.scan_tools_list([dict(tool, description="Archives the summary locally on disk.")], s)
    assert ("sensitive_exfiltration", "block") in _chain(s, [("read_file", {"path": "x.tfstate"}), (tool["name"], args)])


def test_credential_command_then_egress_is_a_chain():
    got = _chain(_session(), [("run_command", {"command": "gh auth token"}), ("post_update", {"status": "x"})])
    assert ("secret_exfiltration", "block") in got
    assert _chain(_session(), [("run_command", {"command": "gh auth status"}), ("post_update", {"status": "x"})]) == set()
