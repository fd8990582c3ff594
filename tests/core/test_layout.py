"""Test modules must have unique basenames: the suite has no __init__.py files, so
pytest imports them by basename and a duplicate breaks collection."""
from collections import Counter
from pathlib import Path


def test_test_module_basenames_are_unique():
    root = Path(__file__).resolve().parents[1]
    names = Counter(p.name for p in root.rglob("test_*.py"))
    assert [n for n, c in names.items() if c > 1] == []


# -- import rules (issue 9): transports build Actions and enforce Decisions ----
import ast  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src" / "ringfence"
TRANSPORTS = ("proxy", "mcp", "ops", "commands", "bench", "envoy")
SCANNING = ("scanners", "rules", "match")


def _imports(path: Path, root: Path = SRC):
    """(imported ringfence module relative to the package root, imported names)."""
    pkg = path.relative_to(root).parts[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg[:len(pkg) - node.level + 1])
                mod = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "ringfence":
                mod = node.module.removeprefix("ringfence").removeprefix(".")
            else:
                continue  # not ringfence's own
            yield mod, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("ringfence."):
                    yield a.name.removeprefix("ringfence."), []


def _files(*pkgs):
    for p in pkgs:
        yield from (SRC / p).rglob("*.py") if (SRC / p).is_dir() else ()


def test_transports_never_import_scanners_rules_or_match():
    bad = []
    for f in _files(*TRANSPORTS):
        for mod, _ in _imports(f):
            if mod.split(".")[0] in SCANNING:
                bad.append(f"{f.relative_to(SRC)} imports {mod}")
    assert bad == []


def test_receipts_import_nothing_else_from_ringfence():
    bad = [f"{f.relative_to(SRC)} imports {mod}" for f in _files("receipts")
           for mod, _ in _imports(f) if mod and mod.split(".")[0] != "receipts"]
    assert bad == []


def test_no_private_name_crosses_a_package():
    bad = []
    for f in SRC.rglob("*.py"):
        here = f.relative_to(SRC).parts[0] if len(f.relative_to(SRC).parts) > 1 else ""
        for mod, names in _imports(f):
            there = mod.split(".")[0] if "." in mod or (SRC / mod).is_dir() else ""
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and there != here:
                bad.append(f"{f.relative_to(SRC)} imports {private} from {mod}")
    assert bad == []


def test_layout_checker_sees_violations(tmp_path):
    # The checker must be able to fail: a synthetic transport importing a scanner
    # and a private name, relatively and absolutely.
    (tmp_path / "proxy").mkdir()
    f = tmp_path / "proxy" / "bad.py"
    f.write_text("from ..scanners.dlp import DlpScanner\nfrom ringfence.engine import _host\nimport re\n")
    got = list(_imports(f, tmp_path))
    assert got == [("scanners.dlp", ["DlpScanner"]), ("engine", ["_host"])]


def test_scanners_never_reach_into_state_or_transports():
    """Shared state (rate windows, tool baselines) is built by the Inspector and
    handed to scanners; scanners import neither ringfence.state nor a transport."""
    bad = [f"{f.relative_to(SRC)} imports {mod}" for f in _files("scanners")
           for mod, _ in _imports(f) if mod.split(".")[0] in ("state",) + TRANSPORTS]
    assert bad == []


SCANNER_HANDLES = ("tools", "dlp", "injection", "a2a", "url")


def _scanner_calls(path: Path):
    """`<x>.engine.<scanner>.<method>` / `engine.<scanner>.<method>` uses: a transport
    reaching past the Inspector to a scanner object."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                and node.value.attr in SCANNER_HANDLES):
            owner = node.value.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "engine":
                yield f"engine.{node.value.attr}.{node.attr}"


def test_transports_route_mcp_tools_through_the_inspector():
    """MCP tool calls, listings and results are Content kinds in ROUTES: transports
    call Inspector.inspect, never the tool scanners themselves."""
    bad = [f"{f.relative_to(SRC)}: {use}" for f in _files(*TRANSPORTS)
           for use in _scanner_calls(f)]
    assert bad == []
    from ringfence.core.inspect import ROUTES
    assert {("outbound", "tool_call"), ("inbound", "tools_list"), ("inbound", "tool_result")} <= set(ROUTES)


def test_scanner_call_checker_sees_violations(tmp_path):
    f = tmp_path / "t.py"
    f.write_text("self.engine.tools.scan_tool_call(n, a)\nengine.dlp.scan(x)\nengine.inspect(a, c)\n")
    assert list(_scanner_calls(f)) == ["engine.tools.scan_tool_call", "engine.dlp.scan"]


# -- one decoding layer (issue 9): scanners decode through text/, never privately ---
_RAW_DECODERS = {
    "base64": {"b64decode", "urlsafe_b64decode", "standard_b64decode", "b32decode", "b32hexdecode", "b16decode",
               "b85decode", "a85decode", "z85decode", "decodebytes", "decodestring"},
    "binascii": {"a2b_base64", "a2b_hex", "unhexlify", "a2b_qp", "a2b_uu"},
    "quopri": {"decodestring", "decode"},
    "urllib.parse": {"unquote", "unquote_plus", "unquote_to_bytes"},  # text/percent.py owns %XX
    # text/inflate.py owns every decompressor (bounds on output and ratio in one place)
    "zlib": {"decompress", "decompressobj"},
    "gzip": {"decompress", "GzipFile", "open"},
    "bz2": {"decompress", "BZ2Decompressor", "open"},
    "lzma": {"decompress", "LZMADecompressor", "open"},
    "brotli": {"decompress", "Decompressor"},
    "zstandard": {"ZstdDecompressor"},
}
_CODEC_OK = {"utf-8", "utf8", "latin-1", "ascii"}  # text codecs, not byte decoders; ROT13 is text/chars.rot13


def _raw_decodes(path: Path):
    """Direct calls of the standard library's byte decoders (base64, hex, quoted-printable)
    that text/blobs.py and text/unpack.py exist to own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    consts = {g.target.id for g in ast.walk(tree) if isinstance(g, ast.comprehension)
              and isinstance(g.target, ast.Name) and isinstance(g.iter, ast.Tuple)
              and all(isinstance(e, ast.Constant) for e in g.iter.elts)}  # `for h in ("2a86", ...)`
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in _RAW_DECODERS:
            for a in node.names:
                if a.name in _RAW_DECODERS[node.module]:
                    yield f"from {node.module} import {a.name}"
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner, name = getattr(node.func.value, "id", ""), node.func.attr
        if isinstance(node.func.value, ast.Attribute):  # urllib.parse.unquote(x)
            owner = f"{getattr(node.func.value.value, 'id', '')}.{node.func.value.attr}"
        elif owner == "parse":  # from urllib import parse; parse.unquote(x)
            owner = "urllib.parse"
        if name in _RAW_DECODERS.get(owner, ()):
            yield f"{owner}.{name}"
        elif owner == "bytes" and name == "fromhex" and not all(
                isinstance(a, ast.Constant) or getattr(a, "id", None) in consts for a in node.args):
            yield "bytes.fromhex"  # (a constant, e.g. an OID or a magic number, is data, not decoding)
        elif owner == "unicodedata" and name == "normalize" and node.args and getattr(
                node.args[0], "value", None) in ("NFKC", "NFKD"):
            yield "unicodedata.normalize"  # text/forms.py: nfkc / bare
        elif owner == "codecs" and name in ("decode", "encode") and len(node.args) > 1 and not (
                isinstance(node.args[1], ast.Constant) and str(node.args[1].value).lower() in _CODEC_OK):
            yield f"codecs.{name}"


def test_scanners_decode_through_the_shared_layer():
    """No private twin of text/blobs.py, text/percent.py or text/inflate.py: a scanner that
    needs base64/base32/hex/quoted-printable bytes calls b64_bytes / b32_bytes / hex_bytes /
    decode_blob (with a parameter for a stricter or looser reading), percent_decode for
    %XX, inflate / decompress (with a bound) for compressed bytes, text.chars.rot13, and
    text/forms.py nfkc / bare for NFKC / NFKD, so bounds and fixes live in one place."""
    bad = [f"{f.relative_to(SRC)}: {use}" for f in _files(*SCANNING) for use in _raw_decodes(f)]
    assert bad == []


def test_raw_decode_checker_sees_violations(tmp_path):
    f = tmp_path / "t.py"
    f.write_text("import base64, binascii, codecs\nfrom base64 import b64decode\nbase64.b64decode(x)\n"
                 "binascii.unhexlify(x)\nbytes.fromhex(s)\nbytes.fromhex('2a86')\n[bytes.fromhex(h) for h in ('2a', '2b')]\n"
                 "codecs.decode(x, 'hex')\n"
                 "codecs.decode(x, 'rot13')\nbase64.b64encode(x)\n"
                 "from urllib.parse import unquote, urlsplit\nimport urllib.parse\nfrom urllib import parse\n"
                 "urllib.parse.unquote_plus(x)\nparse.unquote(x)\nurllib.parse.quote(x)\n"
                 "import zlib, gzip\nzlib.decompressobj(47).decompress(b)\nzlib.crc32(b)\ngzip.decompress(b)\n"
                 "from zlib import decompress\ncodecs.encode(s, 'rot_13')\ncodecs.encode(s, 'utf-8')\n"
                 "unicodedata.normalize('NFKC', s)\nunicodedata.normalize('NFC', s)\n")
    assert sorted(_raw_decodes(f)) == sorted(["from base64 import b64decode", "base64.b64decode",
                                              "binascii.unhexlify", "bytes.fromhex", "codecs.decode",
                                              "from urllib.parse import unquote", "urllib.parse.unquote_plus",
                                              "urllib.parse.unquote", "zlib.decompressobj", "gzip.decompress",
                                              "from zlib import decompress", "codecs.decode", "codecs.encode",
                                              "unicodedata.normalize"])
