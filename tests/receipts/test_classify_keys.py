"""Action classification tables and key files."""
import os
import stat

import pytest

from rhelp import run_cli
from ringfence.receipts.classify import classify, tool_action_type
from ringfence.receipts.errors import KeyError_
from ringfence.receipts.keys import (PRIVATE_HEADER, PUBLIC_HEADER, load_private_key, load_public_key,
                                     public_bytes, write_keypair)


@pytest.mark.parametrize("method,want", [
    ("GET", ("read", "external_read", "full")), ("HEAD", ("read", "external_read", "full")),
    ("OPTIONS", ("read", "external_read", "full")), ("TRACE", ("read", "external_read", "full")),
    ("CONNECT", ("read", "external_read", "full")),
    ("POST", ("write", "external_write", "compensatable")), ("PUT", ("write", "external_write", "compensatable")),
    ("PATCH", ("write", "external_write", "compensatable")),
    ("DELETE", ("write", "external_write", "irreversible")),
    ("WS", ("unclassified", "none", "unknown")), ("PROPFIND", ("unclassified", "none", "unknown")),
    ("", ("unclassified", "none", "unknown")),
])
def test_http_classification(method, want):
    assert classify("forward", method, "https://x.test/") == want


@pytest.mark.parametrize("m", ["tools/list", "resources/list", "prompts/list", "resources/read", "prompts/get"])
def test_mcp_read_methods(m):
    assert classify("mcp_stdio", m, "srv") == ("read", "external_read", "unknown")


@pytest.mark.parametrize("m", ["initialize", "notifications/initialized", "resources/subscribe"])
def test_mcp_other_methods_unclassified(m):
    assert classify("mcp_stdio", m, "srv") == ("unclassified", "none", "unknown")


@pytest.mark.parametrize("tool,want", [
    ("get_user", "read"), ("getUser", "read"), ("get", "read"), ("list-files", "read"), ("searchDocs", "read"),
    ("check_status", "read"), ("describe", "read"),
    ("set_value", "write"), ("createIssue", "write"), ("delete_repo", "write"), ("patch", "write"),
    ("add-comment", "write"), ("post_message", "write"),
    ("run_shell", "delegate"), ("exec", "delegate"), ("executeQuery", "delegate"), ("spawn-agent", "delegate"),
    ("invoke", "delegate"), ("callTool", "delegate"),
    # near misses: the prefix must end at _, -, an uppercase letter or the end
    ("getaway", "unclassified"), ("settle", "unclassified"), ("runner", "unclassified"),
    ("listen", "unclassified"), ("address_book", "unclassified"), ("Get_user", "unclassified"),
    ("executor", "unclassified"), ("calligraphy", "unclassified"), ("", "unclassified"),
])
def test_tool_prefixes(tool, want):
    assert tool_action_type(tool) == want


def test_tools_call_side_effects():
    assert classify("mcp_http_upstream", "tools/call", "run_job") == ("delegate", "external_write", "unknown")
    assert classify("mcp_stdio", "tools/call", "write_file") == ("write", "external_write", "unknown")
    assert classify("mcp_stdio", "", "read_file", kind="tool_call") == ("read", "external_read", "unknown")
    assert classify("mcp_stdio", "tools/call", "frobnicate") == ("unclassified", "none", "unknown")


def test_keygen_files_and_modes(tmp_path):
    priv, pub_path, pub = write_keypair(str(tmp_path / "k.key"))
    assert pub_path == str(tmp_path / "k.pub")
    assert stat.S_IMODE(os.stat(priv).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(pub_path).st_mode) == 0o644
    text = open(priv).read()
    assert text.startswith(PRIVATE_HEADER + "\n") and text.endswith("\n")
    assert open(pub_path).read().startswith(PUBLIC_HEADER + "\n")
    key = load_private_key(priv)
    assert public_bytes(key) == pub == load_public_key(pub_path) == load_public_key(pub.hex())


def test_keygen_refuses_overwrite(tmp_path):
    p = tmp_path / "k.key"
    write_keypair(str(p))
    before = p.read_bytes()
    with pytest.raises(KeyError_, match="already exists"):
        write_keypair(str(p))
    assert p.read_bytes() == before
    q = tmp_path / "only.key"
    (tmp_path / "only.pub").write_text("x")
    with pytest.raises(KeyError_, match="already exists"):
        write_keypair(str(q))
    assert not q.exists()  # nothing half-made


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_unsafe_private_key_mode_refused(tmp_path, mode):
    priv, _, _ = write_keypair(str(tmp_path / "k.key"))
    os.chmod(priv, mode)
    with pytest.raises(KeyError_, match=f"chmod 600 {priv}"):
        load_private_key(priv)


def test_safe_modes_accepted_and_symlink_followed(tmp_path):
    priv, _, _ = write_keypair(str(tmp_path / "k.key"))
    os.chmod(priv, 0o400)
    load_private_key(priv)
    link = tmp_path / "link.key"
    link.symlink_to(priv)
    load_private_key(str(link))
    os.chmod(priv, 0o644)
    with pytest.raises(KeyError_, match="chmod 600"):
        load_private_key(str(link))


@pytest.mark.parametrize("content", ["", "garbage\n", f"{PRIVATE_HEADER}\n!!!notbase64\n",
                                     f"{PRIVATE_HEADER}\nAAAA\n", f"{PUBLIC_HEADER}\nAAAA\n"])
def test_bad_private_key_files(tmp_path, content):
    p = tmp_path / "bad.key"
    p.write_text(content)
    os.chmod(p, 0o600)
    with pytest.raises(KeyError_):
        load_private_key(str(p))


def test_missing_private_key_message(tmp_path):
    with pytest.raises(KeyError_, match="ringfence keygen"):
        load_private_key(str(tmp_path / "nope.key"))


@pytest.mark.parametrize("val", ["abc", "zz" * 32, "4655a7e6" * 7, "/no/such/file.pub", ""])
def test_bad_public_keys(val):
    with pytest.raises(KeyError_):
        load_public_key(val)


def test_public_key_rejects_private_file(tmp_path):
    priv, _, _ = write_keypair(str(tmp_path / "k.key"))
    with pytest.raises(KeyError_, match="private key"):
        load_public_key(priv)


def test_cli_keygen(tmp_path):
    out = tmp_path / "sub" / "r.key"
    p = run_cli("keygen", "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "public hex:" in p.stdout and out.exists()
    p2 = run_cli("keygen", "--out", str(out))
    assert p2.returncode == 2 and "already exists" in p2.stderr and "Traceback" not in p2.stderr
