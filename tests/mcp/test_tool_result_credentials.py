"""Credentials in tools/call results (issue 10, deliverable 5): local data on its way to
the model provider. By default each is replaced with a typed placeholder (strip, with a
receipt naming the rule); `mcp.tool_result_credentials: block|warn` changes that. A
credential that cannot be removed with certainty (only seen decoded) blocks the result.
Real `ringfence mcp proxy` over stdio, driven by the official SDK client."""
import base64
import glob
import json
import os

import anyio
import pytest

from conftest import PY, SDK_SERVER, engine_or_skip

pytestmark = pytest.mark.timeout(120)

# Token shapes built from their documented formats (random characters; none is real).
CREDENTIALS = {
    "aws_access_key_id": "AKIA" + "Q7ZR2KX9LMN4PW3T",
    "github_token": "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
    "slack": "xoxb-" + "1234567890-1234567890123-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7",
}
PEM = ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" * 3
       + "-----END OPENSSH PRIVATE KEY-----\n")


@pytest.fixture(scope="module", autouse=True)
def _engine():
    engine_or_skip()


def _session(tmp_path, config: str):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    from ringfence.receipts import write_keypair
    key = str(tmp_path / "r.key")
    write_keypair(key)
    cfg = tmp_path / "rf.yaml"
    cfg.write_text(config)
    args = ["-m", "ringfence", "mcp", "proxy", "--config", str(cfg), "--receipts", str(tmp_path / "rc"),
            "--signing-key", key, "--", PY, SDK_SERVER, "clean"]
    return Client(StdioServerParameters(command=PY, args=args, env=dict(os.environ)))


async def _read(c, path):
    from mcp.shared.exceptions import MCPError
    try:
        r = await c.call_tool("read_text_file", {"path": str(path)})
        return r.content[0].text
    except MCPError as e:
        return e


def _receipts(tmp_path) -> str:
    return "\n".join(open(f).read() for f in glob.glob(str(tmp_path / "rc" / "**" / "*.jsonl"), recursive=True))


def test_credentials_are_replaced_by_typed_placeholders(tmp_path):
    files = {}
    for rule, value in CREDENTIALS.items():
        p = tmp_path / f"{rule}.env"
        p.write_text(f"# deploy settings\nREGION=eu-west-1\nTOKEN={value}\nRETRIES=3\n")
        files[rule] = (p, value)
    pem = tmp_path / "handover-notes.txt"
    pem.write_text("key below\n" + PEM + "done\n")
    clean = tmp_path / "notes.txt"
    clean.write_text("AKIA is the prefix of AWS key ids; see the IAM docs. Region eu-west-1.\n")

    async def main():
        async with _session(tmp_path, "mcp: {}\n") as c:
            for rule, (p, value) in files.items():
                text = await _read(c, p)
                assert isinstance(text, str), text
                assert value not in text and "[REDACTED:dlp:" in text, text
                assert "REGION=eu-west-1" in text and "RETRIES=3" in text   # the rest is intact
            text = await _read(c, pem)
            assert isinstance(text, str) and "b3BlbnNzaC1rZXktdjEA" not in text and "done" in text, text
            assert await _read(c, clean) == clean.read_text()          # near miss: nothing to redact
    anyio.run(main)
    rc = _receipts(tmp_path)
    assert '"strip"' in rc or "strip" in rc
    for _, value in CREDENTIALS.items():
        assert value not in rc  # receipts name the rule, never hold the value


def test_block_and_warn_modes(tmp_path):
    p = tmp_path / "a.env"
    value = CREDENTIALS["github_token"]
    p.write_text(f"TOKEN={value}\n")

    async def block():
        async with _session(tmp_path / "b", "mcp: {tool_result_credentials: block}\n") as c:
            r = await _read(c, p)
            assert not isinstance(r, str) and r.error.code == -32001 and r.error.data["scanner"] == "dlp"
            assert value not in json.dumps(r.error.data)

    async def warn():
        async with _session(tmp_path / "w", "mcp: {tool_result_credentials: warn}\n") as c:
            assert await _read(c, p) == p.read_text()
    (tmp_path / "b").mkdir()
    (tmp_path / "w").mkdir()
    anyio.run(block)
    anyio.run(warn)


def test_credential_seen_only_decoded_blocks(tmp_path):
    # base64 of a key: DLP finds it only in a decoded view, so it cannot be cut out
    # with certainty; the result is refused instead.
    p = tmp_path / "blob.txt"
    p.write_text("payload=" + base64.b64encode(CREDENTIALS["aws_access_key_id"].encode()).decode() + "\n")

    async def main():
        async with _session(tmp_path, "mcp: {}\n") as c:
            r = await _read(c, p)
            assert not isinstance(r, str) and r.error.code == -32001
    anyio.run(main)
