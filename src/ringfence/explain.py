"""Find a receipt by id, say what it means, and turn it into a narrow, expiring
exemption (`ringfence explain`, `ringfence allow`)."""
from __future__ import annotations

import glob
import json
import os
import re
import time
from urllib.parse import urlsplit

MCP_TRANSPORTS = ("mcp_stdio", "mcp_http", "mcp")
WHY = {
    "dlp": "outbound data looked like a secret or credential of this type (checked by pattern and, "
           "where the format has one, by checksum or validator)",
    "injection": "inbound content looked like an instruction aimed at the agent (prompt injection)",
    "url": "the URL matched a URL rule (blocklist, length, scheme, entropy, rate limit or data budget)",
    "ssrf": "the destination is an internal, loopback, link-local or metadata address",
    "tool_poison": "an MCP tool description carried instructions aimed at the agent",
    "tools": "an MCP tool definition changed or was poisoned",
    "policy": "an MCP tool call matched a tool-policy rule (dangerous command or file access)",
    "chains": "a sequence of tool calls matched a multi-step attack pattern",
    "content": "the content could not be decoded or was over a size limit (fail closed)",
    "mcp": "the MCP message broke the protocol or a ringfence MCP rule",
    "internal": "scanning failed internally, so ringfence blocked (fail closed)",
    "killswitch": "the kill switch was on",
}
DURATION = re.compile(r"^(\d{1,6})([smhd])$")
MAX_FOR_S = 30 * 86400


def evidence_dirs(explicit: str | None, config) -> list[str]:
    from .home import layout
    if explicit:
        return [os.path.expanduser(explicit)]
    dirs = []
    if config is not None and config.receipts.dir:
        dirs.append(os.path.expanduser(config.receipts.dir))
    dirs.append(layout().evidence)
    return list(dict.fromkeys(dirs))


def find_receipt(receipt_id: str, dirs: list[str]) -> dict | None:
    """The action_record with this action_id, scanning the evidence logs newest first."""
    if not re.fullmatch(r"[0-9A-Za-z-]{8,64}", receipt_id):
        raise ValueError(f"{receipt_id!r} does not look like a receipt id")
    needle = f'"action_id":"{receipt_id}"'.encode()
    files: list[str] = []
    for d in dirs:
        files += glob.glob(os.path.join(d, "**", "*.jsonl"), recursive=True)
    files.sort(key=lambda p: os.path.getmtime(p), reverse=True)
    for path in files:
        try:
            with open(path, "rb") as f:
                for line in f:
                    if needle in line:
                        rec = json.loads(line)
                        ar = (rec.get("detail") or {}).get("action_record") or rec.get("action_record")
                        if isinstance(ar, dict) and ar.get("action_id") == receipt_id:
                            return {**ar, "_file": path, "_seq": rec.get("seq")}
        except (OSError, ValueError):
            continue
    return None


def target_host(target: str) -> str:
    if "://" in target:
        try:
            return (urlsplit(target).hostname or "").lower()
        except ValueError:
            return ""
    host = target.rsplit(":", 1)[0] if re.fullmatch(r"[^/\s]+:\d+", target) else ""
    return host.strip("[]").lower()


def proposal(ar: dict, scope: str | None, seconds: int, now: float | None = None) -> dict:
    """The exemption `allow` would add (raises ValueError when it cannot be narrow)."""
    layer, pattern = ar.get("layer") or "", ar.get("pattern") or ""
    if ar.get("verdict") == "allow":
        raise ValueError("that receipt is an allow; there is nothing to exempt")
    if not layer or not pattern:
        raise ValueError("the receipt names no rule, so no narrow exemption can be made")
    if layer in ("internal", "killswitch"):
        raise ValueError(f"{layer} blocks cannot be exempted")
    mcp = ar.get("transport") in MCP_TRANSPORTS
    scope = scope or ("tool" if mcp else "host")
    ex: dict = {"rule": f"{layer}:{pattern}"}
    target = ar.get("target") or ""
    if scope == "host":
        host = target_host(target)
        if not host or "[redacted]" in host:
            raise ValueError("the receipt has no host to scope to (use --scope rule)")
        ex["domains"] = [host]
    elif scope == "tool":
        if not mcp or not target or target.startswith("ringfence:"):
            raise ValueError("the receipt is not about an MCP tool (use --scope host or rule)")
        ex["tools"] = [target]
    now = time.time() if now is None else now
    ex["expires"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + seconds))
    ex["note"] = f"allowed from receipt {ar.get('action_id')}"
    return ex


def parse_duration(text: str) -> int:
    m = DURATION.match(text.strip())
    if not m:
        raise ValueError(f"--for expects a duration like 30m, 1h or 2d, got {text!r}")
    n = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    if not 60 <= n <= MAX_FOR_S:
        raise ValueError("--for must be between 1m and 30d (an exemption is meant to be short)")
    return n


def add_exemption_text(text: str, ex: dict) -> str:
    """The config text with one exemption appended, comments and layout kept."""
    item = "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in ex.items()) + "}"
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if re.match(r"^exemptions:\s*\[\s*\]\s*(#.*)?$", line.rstrip("\n")):
            lines[i] = f"exemptions:\n  - {item}\n"
            return "".join(lines)
        if re.match(r"^exemptions:\s*(#.*)?$", line.rstrip("\n")):
            indent = "  "
            j = i + 1
            while j < len(lines):
                s = lines[j]
                if s.strip() and not s.lstrip().startswith("#"):
                    m = re.match(r"^(\s*)- ", s)
                    if not m:
                        break
                    indent = m.group(1)
                    # skip this item and its continuation lines
                    j += 1
                    while j < len(lines) and lines[j].strip() and (
                            lines[j].startswith(indent + " ") or lines[j].lstrip().startswith("#")):
                        j += 1
                    continue
                j += 1
            # insert after the last item of the list
            k = j
            while k > i + 1 and not lines[k - 1].strip():
                k -= 1
            lines.insert(k, f"{indent}- {item}\n")
            return "".join(lines)
        if re.match(r"^exemptions:", line):
            raise ValueError("the config's exemptions list is written inline; add the exemption by hand:\n  "
                             + item)
    sep = "" if not text or text.endswith("\n") else "\n"
    return text + sep + f"exemptions:\n  - {item}\n"
