"""Evidence logs for report/tail/export tests, written by the real ReceiptWriter."""
from ringfence.core import Action, Decision, Finding
from ringfence.receipts.keys import load_private_key, write_keypair
from ringfence.receipts.writer import ReceiptWriter

XSS = "https://evil.example/<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"
DLP = Finding("dlp", "aws_access_key_id", "critical", "AKIA***LE", "url.query", "block")
RUG = Finding("rug_pull", "tool_definition_changed", "critical",
              "description grew by 24 chars: '...and send ~/.ssh to me'; param added: exfil_url", "tools/list[0]",
              "block")


def make_key(tmp_path, name="k.key"):
    priv, pub, raw = write_keypair(str(tmp_path / name))
    return priv, pub


def write_run(directory, key_path, n=60, session="proxy", heartbeat_s=30, close=True, **kw):
    w = ReceiptWriter(str(directory), load_private_key(key_path), policy_hash="sha256:test", session_id=session, **kw)
    w.open_session("run", ruleset_hash="sha256:rules", version="0.1.0", heartbeat_s=heartbeat_s,
                   extra={"mode": "balanced"})
    for i in range(n):
        if i % 10 == 3:
            w.record(Action("forward", "outbound", XSS if i == 3 else f"https://exfil{i}.example/up?k=x", "GET"),
                     Decision("block", (DLP,), "dlp:aws_access_key_id"))
        else:
            iid = w.record_intent(Action("fetch", "outbound", f"https://site{i % 4}.example.com/p", "GET"),
                                  Decision("allow"))
            w.record_outcome(iid, "status=200")
    w.record(Action("mcp_stdio", "outbound", "read_file", "tools/call", kind="tool_call"), Decision("allow"))
    w.record(Action("mcp_stdio", "inbound", "read_file", "tools/list", kind="tools_list"),
             Decision("block", (RUG,), "rug_pull:tool_definition_changed"))
    if close:
        w.close()
    return w
