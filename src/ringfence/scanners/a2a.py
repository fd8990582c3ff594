"""A2A (Agent2Agent) scanning, sans-io.

Detection: content type application/a2a+json, the A2A JSON-RPC methods
(message/send, message/stream, tasks/*, and the v1 names SendMessage,
SendStreamingMessage, GetTask, ...), or the REST paths (/message:send,
/message:stream, /tasks...). Anything else returns None (not A2A).

What is scanned:
  requests   message parts: text (DLP + injection), data (DLP on every leaf
             and on siblings joined, injection on strings), file (bytes
             base64-decoded under a cap, then DLP + injection; uri through
             the URL scanner without DNS), metadata and ids (DLP).
  responses  every message/artifact part reachable from the result
             (injection); SSE bodies event by event.
  cards      /.well-known/agent-card.json (and agent.json): injection and
             poisoning checks over the descriptive fields, and drift between
             fetches of the same URL (bounded LRU of fingerprints).
Walks are bounded (depth 32, 20,000 nodes); overflow is a blocking finding.
"""
from __future__ import annotations

import collections
import hashlib
import json
import re
from typing import Any

from ..core import Finding, jsonstrict
from ..core.jsonwalk import Walk, WalkLimit, strings_of
from ..text.blobs import b64_bytes
from .handoff import credential_handoff
from .shell import fold

_WS = re.compile(r"\s+")

A2A_METHODS = frozenset({
    "message/send", "message/stream", "tasks/get", "tasks/cancel", "tasks/resubscribe",
    "tasks/pushNotificationConfig/set", "tasks/pushNotificationConfig/get",
    "tasks/pushNotificationConfig/list", "tasks/pushNotificationConfig/delete",
    "agent/getAuthenticatedExtendedCard",
    "SendMessage", "SendStreamingMessage", "GetTask", "ListTasks", "CancelTask", "SubscribeToTask",
    "TaskSubscription", "CreateTaskPushNotificationConfig", "SetTaskPushNotificationConfig",
    "GetTaskPushNotificationConfig", "ListTaskPushNotificationConfig", "DeleteTaskPushNotificationConfig",
    "GetExtendedAgentCard", "GetAuthenticatedExtendedCard",
})
_PATH = re.compile(r"(?:^|/)(?:message:(?:send|stream)|tasks(?:/[^/]*)?(?::(?:cancel|subscribe))?|extendedAgentCard)/?$")
CARD_PATHS = ("/.well-known/agent-card.json", "/.well-known/agent.json")

MAX_NODES = 20_000
MAX_DEPTH = 32
MAX_FILE_BYTES = 4 * 1024 * 1024
CARD_CACHE = 1000

# Poisoning checks for descriptive text (agent cards). Each rule is one entry:
# (rule id, severity, pattern). Written for intent, not for single words, so a
# security tool that mentions "SQL injection" is not flagged.
_SENSITIVE_PATH = (r"(?:/etc/(?:shadow|passwd|sudoers)|~?/?\.ssh/|id_(?:rsa|ed25519|ecdsa)\b|\.aws/credentials"
                   r"|\.env\b|\.netrc|\.git-credentials|\.kube/config|\.docker/config\.json|private[ _-]?key"
                   r"|wallet\.dat|keychain)")
POISON_RULES: list[tuple[str, str, re.Pattern[str]]] = [
    ("instruction_tag", "high", re.compile(
        r"<\s*(?:/\s*)?(?:important|system|instructions?|admin|override)\s*>|\[\s*(?:system|important|admin)\s*\]"
        r"|(?:^|\n)[^\S\n]*(?:system|assistant)\s*:\s*\S", re.I)),
    ("file_exfiltration", "critical", re.compile(
        r"\b(?:read|cat|open|load|access|include|attach|upload|send|copy|collect)\b[^.\n]{0,80}" + _SENSITIVE_PATH, re.I)),
    ("data_routing", "high", re.compile(
        r"\b(?:send|post|upload|forward|transmit|exfiltrate|report|copy)\b[^.\n]{0,60}"
        r"\b(?:output|contents?|results?|data|it|them|everything|responses?|keys?|secrets?|credentials?|tokens?)\b"
        r"[^.\n]{0,40}\bto\s+(?:https?://|wss?://|ftp://|[\w.-]+@[\w-]+\.)", re.I)),
    ("cross_tool_manipulation", "high", re.compile(
        r"\b(?:before|after|instead of|prior to)\s+(?:calling|using|invoking|running)\s+(?:this|any|the|other)\b"
        r"[^.\n]{0,40}\b(?:first|always|must|you should|secretly)\b", re.I)),
    ("concealment", "high", re.compile(
        r"\b(?:do not|don't|never)\s+(?:tell|mention|reveal|inform|show)\b[^.\n]{0,30}\b(?:user|human|operator)\b", re.I)),
    # A card telling connecting agents to drop their own principal's instructions,
    # or to hand it every message: hijacks the caller, not a description of a skill.
    ("agent_hijack", "high", re.compile(
        r"\b(?:ignore|disregard|override|bypass|abandon|forget)\s+(?:all\s+)?(?:of\s+)?(?:their|your|its|the)\s+"
        r"(?:own\s+)?(?:(?:users?'?s?|operators?'?s?|owners?'?s?|humans?'?s?|principals?'?s?|original|previous|prior|system)\s*)?"
        r"(?:instructions?|guidelines|rules|polic(?:y|ies)|prompts?|directives?|orders?)\b", re.I)),
    ("message_forwarding", "high", re.compile(
        r"\b(?:forward|relay|send|copy|mirror|route)\s+(?:a\s+copy\s+of\s+)?(?:every|all|each|any)\s+(?:\w+\s+)?"
        r"(?:messages?|requests?|conversations?|prompts?|inputs?|tasks?)\b[^.\n]{0,60}\bto\s+(?:me|us|this\s+agent)\b", re.I)),
    ("name_injection", "high", re.compile(
        r"[\"'`]\s*\)?\s*;\s*(?:drop|delete|insert|update|alter|truncate|exec)\b|;\s*--\s*$|[\r\n\x00]", re.I)),
]
_NAME_FIELDS = ("name", "id", "tags")

# Directives to the calling agent without trigger words (shared with the tool scanner;
# they match folded, lower-cased text).
from ..rules import agent_directives as _ad  # noqa: E402
DIRECTIVE_RULES: list[tuple[str, str, re.Pattern[str]]] = [
    (rule, "high", re.compile("|".join(f"(?:{p})" for p in pats))) for rule, pats in (
        ("credential_path_to_url", _ad.CRED_PATH_TO_URL), ("credential_read_directive", _ad.CRED_READ),
        ("agent_authority_claim", _ad.AUTHORITY),
        ("agent_solicitation", _ad.SOLICIT), ("concealment", _ad.CONCEAL), ("tool_shadowing", _ad.SHADOWING))]
_I18N_SOLICIT = [(re.compile(p), re.compile(n)) for p, n in _ad.i18n_solicit()]


# Members of a form or UI schema whose text speaks to the person filling it in.
_FORM_COPY_KEYS = frozenset({"placeholder", "hint", "label", "helptext", "help_text", "help", "tooltip",
                             "errormessage", "error_message"})


def _form_copy(f: Finding) -> bool:
    """A request for a credential in a form field's own copy ("paste your token here"):
    the form asks the person who fills it, which is what a sign-up form is for."""
    last = f.where.rsplit(".", 1)[-1].split("[")[0].lower()
    return f.rule == "credential_solicitation" and last in _FORM_COPY_KEYS


def _handoff(fields: list[tuple[str, str]]) -> list[Finding]:
    """A credential file to hand on to a URL or mail address, in any language (first hit)."""
    for w, v in fields:
        got = credential_handoff(v, w)
        if got:
            return got
    return []


def _strict_json(data: bytes | str) -> Any:
    return jsonstrict.loads_bytes(data)  # JsonError is a ValueError


def _budget() -> Walk:
    """One walk budget per message: nodes and depth, shared by every walk of it."""
    return Walk(MAX_DEPTH, MAX_NODES)


def _tick(budget: Walk, depth: int) -> None:
    budget.count += 1
    if budget.count > budget.max_nodes or depth > budget.max_depth:
        raise WalkLimit("too many or too deeply nested fields")


def _leaves(value: Any, path: str, out: list[tuple[str, str]], budget: Walk, depth: int = 0) -> None:
    """Strings, keys of 8+ characters and numbers of 8+ digits (the shared walker)."""
    _tick(budget, depth)  # the step into this subtree counts against the outer depth too
    out.extend(budget.strings(value, path, key_min=8, num_min=8))


def _prose_leaves(value: Any, path: str, dlp: list, inj: list, budget: Walk) -> None:
    """Leaves of metadata-like fields: all go to DLP; sentence-like ones also to injection,
    since an instruction hidden in nested metadata reaches the receiving agent all the same."""
    fields: list[tuple[str, str]] = []
    _leaves(value, path, fields, budget)
    dlp += fields
    inj += [(w, v) for w, v in fields if len(v) >= 16 and " " in v]


def _data_fields(value: Any, path: str, budget: Walk) -> list[tuple[str, str]]:
    """A data part's leaves (as `_leaves`), then for each object its direct string
    values joined (a secret split across keys), from one walk."""
    _tick(budget, 0)
    nodes = budget.nodes(value, path)
    out = list(strings_of(nodes, key_min=8, num_min=8))
    for p, _, v, _ in nodes:
        if isinstance(v, dict):
            strs = [x for x in v.values() if isinstance(x, str)]
            if len(strs) > 1:
                out.append((f"{p}.<joined>", "".join(strs)))
    return out


def _sentence_of(text: str, a: int, b: int) -> str:
    start = max(text.rfind(c, 0, a) for c in ".!?\n;") + 1
    ends = [i for i in (text.find(c, b) for c in ".!?\n;") if i >= 0]
    return text[start:min(ends) if ends else len(text)]


MAX_DECODED_FIELDS = 64


def _decoded_fields(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The decoded layers of a card's strings (the tool scanner's reading: base64/hex/
    percent/entities/compressed/Base85/grouped/ROT13 ...), bounded in number."""
    from .tools.poison import decoded_layers
    out: list[tuple[str, str]] = []
    for where, value in fields:
        for t in decoded_layers(value):
            out.append((where + " (decoded)", t))
            if len(out) >= MAX_DECODED_FIELDS:
                return out
    return out


class A2aScanner:
    def __init__(self, config: Any, engine: Any):
        self.config = config
        self.engine = engine
        self.action = config.a2a.action
        self._cards: collections.OrderedDict[str, str] = collections.OrderedDict()

    # -- helpers ----------------------------------------------------------
    def _f(self, rule: str, excerpt: str = "", where: str = "", severity: str = "high") -> Finding:
        return Finding("a2a", rule, severity, excerpt[:80], where, self.action)

    def _dlp(self, fields: list[tuple[str, str]]) -> list[Finding]:
        return list(self.engine.scan_fields(fields, "outbound").findings) if fields else []

    def _injection(self, fields: list[tuple[str, str]], audience: str = "") -> list[Finding]:
        return list(self.engine.scan_fields(fields, "inbound", audience=audience).findings) if fields else []

    def _poison(self, fields: list[tuple[str, str]]) -> list[Finding]:
        from ..core import redact
        out = []
        for where, text in fields:
            for rule, sev, pat in POISON_RULES:
                if rule == "name_injection" and not where.rsplit(".", 1)[-1].split("[")[0] in _NAME_FIELDS:
                    continue
                m = pat.search(text)
                if m:
                    out.append(Finding("a2a_poison", rule, sev, redact(m.group(0), 12), where, self.action))
            low = _WS.sub(" ", fold(text)).lower()
            for rule, sev, pat in DIRECTIVE_RULES:
                m = pat.search(low)
                if m:
                    out.append(Finding("a2a_poison", rule, sev, redact(m.group(0), 12), where, self.action))
            for pat, neg in _I18N_SOLICIT:
                m = pat.search(low)
                if m and not neg.search(_sentence_of(low, m.start(), m.end())):
                    out.append(Finding("a2a_poison", "agent_solicitation", "high", redact(m.group(0), 12), where,
                                       self.action))
                    break
        return out

    @staticmethod
    def is_a2a(content_type: str, path: str, msg: Any = None) -> bool:
        ct = content_type.split(";")[0].strip().lower()
        if ct == "application/a2a+json":
            return True
        if isinstance(msg, dict) and msg.get("method") in A2A_METHODS:
            return True
        p = path.split("?", 1)[0]
        return bool(_PATH.search(p))

    # -- requests ------------------------------------------------------------
    def scan_request(self, body: bytes, content_type: str = "", path: str = "") -> list[Finding] | None:
        if not self.config.a2a.enabled:
            return None
        try:
            msg = _strict_json(body) if body.strip() else None
        except (ValueError, UnicodeDecodeError) as e:
            if getattr(e, "rule", "") == "too_deep":  # too deep to tell what it is: hostile either way
                return [Finding("a2a", "too_large", "high", "too many or too deeply nested fields", "body", "block")]
            if self.is_a2a(content_type, path):
                rule = "duplicate_key" if "duplicate" in str(e) else "invalid_json"
                return [Finding("a2a", rule, "high", str(e)[:80], "body", "block")]
            return None
        if not self.is_a2a(content_type, path, msg):
            return None
        if msg is None:
            return []
        try:
            return self._scan_request_msg(msg)
        except WalkLimit:
            return [Finding("a2a", "too_large", "high", "too many or too deeply nested fields", "body", "block")]

    def _scan_request_msg(self, msg: Any) -> list[Finding]:
        if isinstance(msg, list):  # JSON-RPC batch: every element
            out: list[Finding] = []
            for i, m in enumerate(msg[:100]):
                out += self._scan_request_msg(m)
            if len(msg) > 100:
                out.append(Finding("a2a", "batch_too_large", "high", str(len(msg)), "body", "block"))
            return out
        if not isinstance(msg, dict):
            return [Finding("a2a", "invalid_request", "high", type(msg).__name__, "body", "block")]
        params = msg.get("params") if "method" in msg else msg   # JSON-RPC, or a REST body
        if not isinstance(params, dict):
            params = {}
        budget = _budget()
        dlp: list[tuple[str, str]] = []
        inj: list[tuple[str, str]] = []
        findings: list[Finding] = []
        message = params.get("message") or params.get("request")
        if isinstance(message, dict):
            findings += self._message(message, "params.message", dlp, inj, budget)
        for k, v in params.items():
            if k in ("message", "request"):
                continue
            if k in ("pushNotificationConfig", "pushNotification", "config") and isinstance(v, dict):
                url = v.get("url")
                if isinstance(url, str):
                    findings += self._url(url, f"params.{k}.url")
            _prose_leaves(v, f"params.{k}", dlp, inj, budget)
        findings += self._dlp(dlp)
        findings += [f for f in self._injection(inj) if not _form_copy(f)]
        findings += _handoff(inj)
        return findings

    def _message(self, message: dict, where: str, dlp: list, inj: list, budget: Walk) -> list[Finding]:
        findings: list[Finding] = []
        parts = message.get("parts") or message.get("content") or []
        for k, v in message.items():
            if k not in ("parts", "content"):
                _prose_leaves(v, f"{where}.{k}", dlp, inj, budget)
        if not isinstance(parts, list):
            parts = [parts]
        for i, part in enumerate(parts):
            pw = f"{where}.parts[{i}]"
            if isinstance(part, str):
                dlp.append((pw, part))
                inj.append((pw, part))
                continue
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str):
                dlp.append((f"{pw}.text", part["text"]))
                inj.append((f"{pw}.text", part["text"]))
            if "data" in part:
                data_fields = _data_fields(part["data"], f"{pw}.data", budget)
                dlp += data_fields
                inj += [(w, v) for w, v in data_fields if len(v) >= 16 and " " in v]
                findings += self._metadata_urls(data_fields)
            file = part.get("file") if isinstance(part.get("file"), dict) else part
            for key in ("bytes", "raw"):
                if isinstance(file.get(key), str):
                    findings += self._file_bytes(file[key], f"{pw}.file.{key}", dlp, inj)
            for key in ("uri", "url"):
                if isinstance(file.get(key), str):
                    findings += self._url(file[key], f"{pw}.file.{key}")
            if file is not part:   # name, mimeType, metadata: a file name can carry a directive too
                for k, v in file.items():
                    if k not in ("bytes", "raw", "uri", "url"):
                        _prose_leaves(v, f"{pw}.file.{k}", dlp, inj, budget)
            for k, v in part.items():
                if k in ("text", "data", "file", "bytes", "raw", "uri", "url", "kind", "type"):
                    continue
                _prose_leaves(v, f"{pw}.{k}", dlp, inj, budget)
        return findings

    def _file_bytes(self, b64: str, where: str, dlp: list, inj: list) -> list[Finding]:
        if len(b64) > MAX_FILE_BYTES * 4 // 3 + 4:
            return [Finding("a2a", "file_too_large", "high", f"{len(b64)} chars", where, "block")]
        raw = b64_bytes(b64, loose=True)
        if raw is None:
            return [Finding("a2a", "invalid_base64", "medium", "", where, self.action)]
        text = raw.decode("utf-8", "replace")
        dlp.append((where, text))
        inj.append((where, text))
        return []

    def _metadata_urls(self, fields: list[tuple[str, str]]) -> list[Finding]:
        """URLs in data parts that point at a cloud metadata service: the receiving agent
        would fetch them. Only metadata rules count here; localhost or private URLs in data
        are common in honest dev chatter and are judged when actually fetched."""
        out: list[Finding] = []
        urls = [(w, v) for w, v in fields if v[:8].lower().startswith(("http://", "https://")) and len(v) < 4096]
        for w, v in urls[:32]:
            out += [f for f in self._url(v, w) if f.rule in ("metadata", "metadata_host") or f.scanner == "internal"]
        return out

    def _url(self, url: str, where: str) -> list[Finding]:
        try:
            d, _ = self.engine.check_url(url, "POST", resolve=False)
        except Exception as e:
            return [Finding("internal", "scan_error", "high", str(e)[:80], where, "block")]
        return [f if f.where else Finding(f.scanner, f.rule, f.severity, f.excerpt, where, f.action, f.span)
                for f in d.findings]

    # -- responses -----------------------------------------------------------
    def scan_response(self, body: bytes, content_type: str = "", path: str = "") -> list[Finding] | None:
        if not self.config.a2a.enabled:
            return None
        ct = content_type.split(";")[0].strip().lower()
        docs: list[Any] = []
        try:
            if ct == "text/event-stream":
                from ..core.stream import SseSplitter
                split = SseSplitter(len(body) + 1)
                for _, data, _ in split.feed(body) + split.finish():
                    if data is not None and data.strip():
                        docs.append(_strict_json(data))
            elif body.strip():
                docs.append(_strict_json(body))
        except (ValueError, UnicodeDecodeError) as e:
            if getattr(e, "rule", "") == "too_deep":
                return [Finding("a2a", "too_large", "high", "too many or too deeply nested fields", "response", "block")]
            if ct == "application/a2a+json" or _PATH.search(path.split("?", 1)[0]):
                return [Finding("a2a", "invalid_json", "high", str(e)[:80], "response", "block")]
            return None
        if not docs:
            return [] if self.is_a2a(content_type, path) else None
        budget = _budget()
        fields: list[tuple[str, str]] = []
        seen_a2a = self.is_a2a(content_type, path)
        try:
            for i, doc in enumerate(docs):
                seen_a2a |= self._collect_parts(doc, f"event[{i}]", fields, budget)
        except WalkLimit:
            return [Finding("a2a", "too_large", "high", "too many or too deeply nested fields", "response", "block")]
        if not seen_a2a:
            return None
        return self._injection(fields) + _handoff(fields)

    def _collect_parts(self, value: Any, where: str, out: list, budget: Walk, depth: int = 0) -> bool:
        """Text of every part list found anywhere in a response. True when A2A shapes were seen."""
        _tick(budget, depth)
        found = False
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "parts" and isinstance(v, list):
                    found = True
                    for i, p in enumerate(v):
                        _leaves(p, f"{where}.parts[{i}]", out, budget, depth + 1)
                elif k in ("kind", "type") and v in ("task", "message", "status-update", "artifact-update"):
                    found = True
                elif isinstance(v, (dict, list)):
                    found |= self._collect_parts(v, f"{where}.{k}", out, budget, depth + 1)
                elif k in ("error",) and isinstance(v, str):
                    out.append((f"{where}.{k}", v))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                found |= self._collect_parts(v, f"{where}[{i}]", out, budget, depth + 1)
        return found

    # -- agent cards -----------------------------------------------------------
    def scan_agent_card(self, url: str, card: Any) -> list[Finding]:
        if not isinstance(card, dict):
            return [Finding("a2a", "invalid_card", "high", type(card).__name__, "card", "block")]
        fields: list[tuple[str, str]] = []
        budget = _budget()
        try:
            for key in ("name", "description", "version", "documentationUrl"):
                if isinstance(card.get(key), str):
                    fields.append((f"card.{key}", card[key]))
            prov = card.get("provider")
            if isinstance(prov, dict):
                for key in ("organization", "url"):
                    if isinstance(prov.get(key), str):
                        fields.append((f"card.provider.{key}", prov[key]))
            skills = card.get("skills")
            if isinstance(skills, list):
                for i, s in enumerate(skills[:1000]):
                    if not isinstance(s, dict):
                        continue
                    for key in ("id", "name", "description"):
                        if isinstance(s.get(key), str):
                            fields.append((f"card.skills[{i}].{key}", s[key]))
                    for key in ("examples", "tags"):
                        if isinstance(s.get(key), list):
                            for j, t in enumerate(s[key][:200]):
                                if isinstance(t, str):
                                    fields.append((f"card.skills[{i}].{key}[{j}]" if key == "examples"
                                                   else f"card.skills[{i}].tags", t))
                    # one sentence split over a skill's name and description is read whole too
                    joined = " ".join(s[k] for k in ("name", "description") if isinstance(s.get(k), str))
                    if " " in joined:
                        fields.append((f"card.skills[{i}].<joined>", joined))
            schemes = card.get("securitySchemes")
            if isinstance(schemes, dict):
                for name, sch in list(schemes.items())[:100]:
                    if isinstance(sch, dict):
                        _leaves({k: v for k, v in sch.items() if k in ("description", "name")},
                                f"card.securitySchemes.{name}", fields, budget)
            # Every other string in the card (a skill's other members, extensions and their
            # params, every part of a security scheme) gets the same scans: the connecting
            # agent reads all of it.
            rest: list[tuple[str, str]] = []
            _leaves({k: v for k, v in card.items() if k not in ("name", "description")}, "card", rest, budget)
            have = set(fields)
            rest = [f for f in rest if f not in have]
        except WalkLimit:
            return [Finding("a2a", "too_large", "high", "card is too large or too deep", "card", "block")]
        # a card is read by the connecting agent only: an instruction in it needs no addressee
        said = fields + [(w, v) for w, v in rest if " " in v]
        said += _decoded_fields(fields + rest)   # what its encoded strings spell, as a tool definition's
        findings = self._injection(said, audience="agent")
        findings += self._poison(said)
        for w, v in fields + rest:   # a credential file handed on, in any language
            if not any(f.rule == "credential_handoff" for f in findings):
                findings += credential_handoff(v, w, agent_only=True)
        findings += self._drift(url, card)
        return findings

    def _drift(self, url: str, card: dict) -> list[Finding]:
        fp = hashlib.sha256(json.dumps(card, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                            .encode("utf-8", "surrogatepass")).hexdigest()
        key = url.split("#", 1)[0]
        old = self._cards.get(key)
        self._cards[key] = old or fp   # keep the first-seen card as the baseline
        self._cards.move_to_end(key)
        while len(self._cards) > CARD_CACHE:
            self._cards.popitem(last=False)
        if old is not None and old != fp:
            return [Finding("a2a", "card_drift", "high", f"{old[:12]} -> {fp[:12]}", "card", self.action)]
        return []
