"""Tool capability classifier: generated across name vocabularies and spellings, tool
definitions whose name gives no hint, and near misses (local tools whose names or
descriptions use network verbs)."""
import pytest

from ringfence.config import Config
from ringfence.rules import tool_caps as V
from ringfence.scanners.capabilities import of_arguments, of_call, of_definition, of_name, segments
from ringfence.scanners.policy import ToolPolicy


def _styles(verb: str, obj: str) -> list[str]:
    return [f"{verb}_{obj}", f"{verb}-{obj}", f"{verb}{obj.capitalize()}", f"{verb.upper()}_{obj.upper()}",
            f"{obj}.{verb}", f"{obj.capitalize()}{verb.capitalize()}"]


@pytest.mark.parametrize("cap", [V.REACHES_NETWORK, V.SENDS_MESSAGES, V.RUNS_COMMANDS, V.READS_ENV])
def test_every_strong_name_segment_in_every_spelling(cap):
    for seg in sorted(V.STRONG_SEGS[cap]):
        if "_" in seg:
            continue
        for name in _styles(seg, "item"):
            assert cap in of_name(name).caps, (cap, name)


@pytest.mark.parametrize("cap", sorted(V.WEAK_SEGS))
def test_every_weak_name_segment_counts_without_a_definition(cap):
    for seg in sorted(V.WEAK_SEGS[cap]):
        for name in _styles(seg, "item"):
            c = of_name(name)
            assert cap in c.caps and name[:40] in c.why(cap), (cap, name)


def test_segments_fold_case_accents_and_separators():
    assert segments("télécharger_Fichier") == ("telecharger", "fichier")
    assert segments("postUpdate") == segments("post-update") == segments("POST_UPDATE") == ("post", "update")
    assert segments("fs.readFile") == ("fs", "read", "file")
    assert segments("HTTPRequest") == ("http", "request")
    assert segments("\u0455\u0435nd_\u0435mail") == ("send", "email")  # Cyrillic look-alikes
    assert segments("ｕｐｌｏａｄ_file") == ("upload", "file")  # full-width


@pytest.mark.parametrize("name", ["create_jira_ticket", "notionAddPage", "append-to-gsheets", "sentry_capture",
                                  "report_issue", "submit_feedback", "ask_openai", "zapier_trigger", "google_search",
                                  "nmap_scan", "send_invite", "rclone_copy", "mention_user"])
def test_hosted_service_names_are_egress(name):
    assert of_name(name).egress, name


@pytest.mark.parametrize("name", ["enviar_correo", "envoyerMessage", "datei_hochladen", "télécharger_fichier",
                                  "compartir-archivo", "nachricht_senden", "partager_document", "subirArchivo"])
def test_other_languages_egress_by_name(name):
    assert of_name(name).egress, name


@pytest.mark.parametrize("name", ["read_file", "list_directory", "write_file", "calculate_sum", "get_time",
                                  "format_code", "run_tests", "git_status", "search_files", "edit_notebook",
                                  "lire_fichier", "datei_lesen", "sort_lines", "count_words", "notify_local",
                                  "send_to_clipboard", "post_to_console", "share_offline_cache"])
def test_local_names_are_not_egress(name):
    c = of_name(name)
    assert not c.egress, (name, c.reasons)


def _tool(name, description="", props=None, **extra):
    t = {"name": name, "description": description,
         "inputSchema": {"type": "object", "properties": props or {"notes": {"type": "string"}}}}
    t.update(extra)
    return t


NEUTRAL = ["sync_notes", "share", "post_update", "archive_summary", "handoff", "tidy", "backupNow", "finalize"]
PLACES = ["https://notes.example.com/api/v1", "a remote server", "the team's Slack channel", "the cloud bucket",
          "a webhook", "our hosted service", "an external API", "the internet"]
VERBS = ["Uploads the notes to {}", "Sends the text to {}", "Posts a status update to {}",
         "Synchronises your notes with {}", "Pushes the summary to {}", "Delivers the report to {}"]


@pytest.mark.parametrize("name", NEUTRAL)
def test_description_says_it_leaves_the_machine(name):
    for verb in VERBS:
        for place in PLACES:
            c = of_definition(_tool(name, verb.format(place) + "."))
            assert c.egress, (name, verb.format(place))
            assert c.why(V.REACHES_NETWORK) or c.why(V.SENDS_MESSAGES)


@pytest.mark.parametrize("prop,schema", [
    ("url", {"type": "string"}), ("endpoint", {"type": "string"}), ("webhookUrl", {"type": "string"}),
    ("callback_url", {"type": "string"}), ("target", {"type": "string", "format": "uri"}),
    ("dest", {"type": "string", "format": "hostname"}), ("recipients", {"type": "array", "items": {"type": "string"}}),
    ("to", {"type": "string", "format": "email"}), ("channel", {"type": "string"}),
    ("where", {"type": "string", "description": "HTTPS URL the archive is uploaded to"}),
    ("options", {"type": "object", "properties": {"server": {"type": "string"}}}),
])
def test_schema_facts_make_a_tool_egress_whatever_its_name(prop, schema):
    c = of_definition(_tool("finalize", "Finalizes the document.", {prop: schema, "text": {"type": "string"}}))
    assert c.egress, (prop, c.reasons)


def test_open_world_annotation_counts():
    c = of_definition(_tool("tidy", "Tidies notes.", annotations={"openWorldHint": True}))
    assert c.has(V.REACHES_NETWORK) and "openWorldHint" in c.why(V.REACHES_NETWORK)
    assert not of_definition(_tool("tidy", "Tidies notes.", annotations={"openWorldHint": False})).egress


LOCAL_TOOLS = [
    _tool("fetch_logs", "Fetches recent log lines from local log files under /var/log.",
          {"service": {"type": "string"}, "lines": {"type": "integer"}}),
    _tool("send_signal", "Sends a signal (SIGTERM, SIGHUP) to a local process.", {"pid": {"type": "integer"}}),
    _tool("send_to_clipboard", "Sends the formatted text to the clipboard.", {"text": {"type": "string"}}),
    _tool("sync_index", "Syncs the search index with files on disk; works offline.", {"dir": {"type": "string"}}),
    _tool("share_state", "Shares state between steps, kept in memory.", {"key": {"type": "string"}}),
    _tool("post_process", "Post-processes the output and writes it to stdout.", {"input": {"type": "string"}}),
    _tool("calendar_list", "Lists calendar events in a date range.",
          {"from": {"type": "string"}, "to": {"type": "string"}}),
    _tool("format_message", "Formats a commit message. Does not send anything over the network.",
          {"message": {"type": "string"}}),
]


@pytest.mark.parametrize("tool", LOCAL_TOOLS, ids=lambda t: t["name"])
def test_local_tools_with_network_words_are_not_egress(tool):
    c = of_definition(tool)
    assert not c.egress, c.reasons


def test_a_local_description_does_not_hide_schema_facts():
    t = _tool("fetch_logs", "Fetches recent log lines from local log files.",
              {"url": {"type": "string", "format": "uri"}})
    assert of_definition(t).has(V.REACHES_NETWORK)


def test_other_capabilities_and_reasons():
    c = of_definition(_tool("run_shell", "Runs a shell command.", {"command": {"type": "string"}}))
    assert c.has(V.RUNS_COMMANDS) and "shell" in c.why(V.RUNS_COMMANDS)
    assert of_name("read_text_file").has(V.READS_FILES)
    assert of_name("write_file").has(V.WRITES_FILES)
    assert of_name("get_env").has(V.READS_ENV)


@pytest.mark.parametrize("args,cap", [
    ({"long_url": "https://example.com/x"}, V.REACHES_NETWORK),
    ({"target": "wss://example.com/socket"}, V.REACHES_NETWORK),
    ({"to": "someone@example.org"}, V.SENDS_MESSAGES),
    ({"attendees": ["a@example.org", "b@example.org"]}, V.SENDS_MESSAGES),
    ({"phone": "+44 20 7946 0000"}, V.SENDS_MESSAGES),
    ({"channel": "#random"}, V.SENDS_MESSAGES),
    ({"endpoint": "collector.example.net/ingest"}, V.REACHES_NETWORK),
    ({"host": "10.2.3.4:8080"}, V.REACHES_NETWORK),
])
def test_arguments_show_egress(args, cap):
    assert cap in of_arguments(args).caps


@pytest.mark.parametrize("args", [{"to": "2026-12-01"}, {"path": "/tmp/x"}, {"text": "see https://example.com"},
                                  {"channel": "stable"}, {"email_template": "welcome"},
                                  {"server": "default"}, {"file": "notes.txt"}, {"host": "localhost"}])
def test_arguments_near_misses(args):
    assert not of_arguments(args).egress


def test_known_definition_replaces_the_name_guess():
    local = of_definition(LOCAL_TOOLS[0])
    assert of_call("fetch_logs", {"service": "nginx"}).egress          # name only: fetch
    assert not of_call("fetch_logs", {"service": "nginx"}, local).egress  # listed as local
    assert of_call("fetch_logs", {"url": "https://x.example"}, local).egress  # but this call has a URL


def test_policy_exposes_capabilities():
    tp = ToolPolicy(Config())
    c = tp.capabilities("archive_summary", {"summary": "x"},
                        _tool("archive_summary", "Uploads the summary to https://notes.example.com."))
    assert c.egress and "description" in c.why(V.REACHES_NETWORK)
    assert not tp.capabilities("archive_summary", {"summary": "x"}).egress
