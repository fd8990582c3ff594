"""Shell analysis on real shell text nobody wrote for ringfence: policy blocks per 10,000 commands.

Corpora, from what is installed on this machine:
  debian_lines    logical lines (continuations joined, comments dropped) of the shell scripts
                  Debian ships: maintainer scripts (/var/lib/dpkg/info), /usr/bin, /usr/sbin,
                  /usr/share, /usr/lib, /etc (files whose first line is a sh/bash/dash shebang)
  debian_scripts  the same scripts whole (an agent often sends a multi-line script)
  readme_blocks   shell code blocks (```bash/sh/shell/console/powershell, rst code-block) in the
                  README and docs of installed Python packages and npm packages, one block at a time

Each item is sent as the `command` of a `run_command` tool call through the tool policy (the
same code that judges MCP calls). A block by a detection rule (exfiltration, download-and-run,
encoded or obfuscated execution, credential reads, reverse shells) is a false positive: this
text is benign. Administration rules (deleting system paths, enabling services, setuid, ...)
are policy by design, and maintainer scripts do exactly that; they are counted apart, like
SSRF blocks of docs URLs in `ringfence bench fp`. Prints a table and writes JSON with the
rules that fired and samples for review.

    python benchmarks/bench_shell_fp.py [--limit N] [--seed S] [--json FILE] [--show K]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHEBANG = re.compile(rb"^#!\s*/(?:usr/)?bin/(?:env\s+)?(?:ba|da|k|z|)sh\b")
SCRIPT_DIRS = ("/var/lib/dpkg/info", "/usr/bin", "/usr/sbin", "/usr/share", "/usr/lib", "/etc")
MAX_FILE = 64 * 1024
# Names a shell script has (no suffix, .sh, maintainer scripts); everything else is not opened.
SCRIPT_SUFFIXES = frozenset({"", ".sh", ".bash", ".postinst", ".preinst", ".postrm", ".prerm", ".config", ".in"})
FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*(bash|sh|shell|console|zsh|shell-session|sh-session|powershell|ps1|pwsh"
                   r"|bat|cmd|batch)\b[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S | re.I)
RST = re.compile(r"^\.\. (?:code-block|code|sourcecode)::[ \t]*(bash|sh|shell|console|powershell|bat)[ \t]*\n"
                 r"(?:[ \t]+:[^\n]*\n)*\n((?:[ \t]+[^\n]*\n|[ \t]*\n)+)", re.M | re.I)


# Rules about what an administrator does on purpose; blocking them for an agent is the policy.
ADMIN_RULES = frozenset({"destructive_delete", "find_delete", "secure_wipe", "recursive_permission_change",
                         "world_writable_or_setuid", "disk_wipe", "destructive_git", "cron_persistence",
                         "service_persistence", "persistence_path_write", "shell_profile_edit", "detached_process",
                         "audit_log_tampering", "privilege_escalation", "security_tool_kill", "firewall_disable",
                         "account_database_read", "remote_package_install", "authorized_keys_write"})


def _scripts(rnd: random.Random, limit: int) -> list[tuple[str, str]]:
    paths: list[Path] = []
    for d in SCRIPT_DIRS:
        base = Path(d)
        if not base.is_dir():
            continue
        flat = d in ("/usr/bin", "/usr/sbin", "/var/lib/dpkg/info", "/etc")
        it = base.iterdir() if flat else base.rglob("*.sh")   # deep trees: only *.sh (opening 100k files is slow)
        for p in it:
            if p.suffix not in SCRIPT_SUFFIXES:
                continue
            try:
                if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_FILE:
                    with open(p, "rb") as f:
                        if SHEBANG.match(f.read(64)):
                            paths.append(p)
            except OSError:
                continue
    paths = sorted(set(paths))
    if len(paths) > limit:
        paths = sorted(rnd.sample(paths, limit))
    out = []
    for p in paths:
        try:
            out.append((str(p), p.read_text("utf-8", "replace")))
        except OSError:
            continue
    return out


def logical_lines(script: str) -> list[str]:
    """Lines with backslash continuations joined; comments, blank lines and the shebang dropped."""
    out, buf = [], []
    for line in script.splitlines():
        if line.rstrip().endswith("\\"):
            buf.append(line.rstrip()[:-1])
            continue
        buf.append(line)
        s = " ".join(x.strip() for x in buf).strip()
        buf = []
        if s and not s.startswith("#"):
            out.append(s)
    return out


def _doc_files() -> list[Path]:
    files: list[Path] = []
    for sp in {Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()}:
        files += [p for p in sp.rglob("*") if p.is_file() and (p.suffix in (".md", ".rst") or p.name == "METADATA")
                  and not p.parent.name.startswith("ringfence")]
    nm = ROOT / "tests" / "node" / "node_modules"
    if nm.is_dir():
        files += [p for p in nm.rglob("*") if p.is_file() and p.name.lower() in ("readme.md", "readme")]
    return sorted(set(files))


def _blocks(text: str) -> list[str]:
    out = []
    for m in FENCE.finditer(text):
        body = m.group(3)
        if m.group(2).lower() in ("console", "shell-session", "sh-session"):
            body = "\n".join(line[2:] for line in body.splitlines() if line.startswith(("$ ", "% ", "# ")))
        out.append(body)
    for m in RST.finditer(text):
        body = "\n".join(line.strip() for line in m.group(2).splitlines())
        if m.group(1).lower() == "console":
            body = "\n".join(line[2:] for line in body.splitlines() if line.startswith("$ "))
        out.append(body)
    return [b.strip() for b in out if b.strip()]


def _readme_blocks(rnd: random.Random, limit: int) -> list[tuple[str, str]]:
    items = []
    for p in _doc_files():
        try:
            t = p.read_text("utf-8", "replace")[:512 * 1024]
        except OSError:
            continue
        for i, b in enumerate(_blocks(t)):
            items.append((f"{p}#{i}", b))
    if len(items) > limit:
        items = sorted(rnd.sample(items, limit))
    return items


def run(limit: int = 2000, seed: int = 0, samples: int = 20) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from ringfence.bench.tally import Tally, totals
    from ringfence.config import Config
    from ringfence.scanners.policy import ToolPolicy
    pol = ToolPolicy(Config())
    rnd = random.Random(seed)
    t0 = time.time()
    scripts = _scripts(rnd, limit)
    lines = [(f"{n}:{i}", ln) for n, t in scripts for i, ln in enumerate(logical_lines(t))]
    if len(lines) > limit * 5:
        lines = sorted(rnd.sample(lines, limit * 5))
    corpora = {"debian_lines": lines, "debian_scripts": scripts, "readme_blocks": _readme_blocks(rnd, limit)}
    rep: dict = {"seed": seed, "limit": limit, "corpora": {}}
    for name, items in corpora.items():
        t = Tally(samples)
        for ident, cmd in items:
            t.item()
            fs = pol.analyse("run_command", {"command": cmd})[0]
            t.policy(f.rule for f in fs if f.rule in ADMIN_RULES)
            fs = [f for f in fs if f.rule not in ADMIN_RULES]
            if fs:
                t.block((f.rule for f in fs), {"item": ident[-120:], "rules": sorted({f.rule for f in fs}),
                                              "excerpt": fs[0].excerpt[:120]})
        rep["corpora"][name] = t.report("rules", "admin_rules_not_counted")
    rep["total"] = totals(rep["corpora"])
    rep["seconds"] = round(time.time() - t0, 1)
    return rep


def table(rep: dict) -> str:
    from ringfence.bench.tally import table as tally_table
    return tally_table(rep, "rules", 4, 15, f"({rep['seconds']} s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=2000, help="scripts and README blocks per corpus (fixed-seed sample)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write the full report (with samples) here")
    ap.add_argument("--show", type=int, default=0, help="print K samples per corpus")
    a = ap.parse_args()
    rep = run(a.limit, a.seed)
    print(table(rep))
    for c, v in rep["corpora"].items():
        for s in v["samples"][:a.show]:
            print(f"  {c}: {s['rules']} {s['item']}\n      {s['excerpt']!r}")
    if a.json:
        Path(a.json).write_text(json.dumps(rep, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
