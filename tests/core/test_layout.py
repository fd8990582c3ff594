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
