"""The MCP tool scanners' entry point: tools/list and other listings (poisoning
rules and rug-pull baselines), tools/call (DLP, smuggling, injection, policy,
session binding, attack chains), tool results (injection, credentials) and
their redaction. Every public method returns Findings and never raises."""
from __future__ import annotations

from ...core import Finding
from ..chains import ChainTracker, classify
from ..capabilities import of_definition
from ..content import named_values
from ..handoff import credential_handoff
from ..policy import MAX_LEAF, ToolPolicy, leaves
from ..schemes import smuggling_findings
from .arguments import keys_and_byte_lists
from .baseline import LISTINGS, Listing, ToolSession, drift
from .definitions import MAX_NODES, MAX_TEXT, collect
from .findings import internal, with_action
from .poison import PoisonRules
from .results import replace_strings, result_fields, result_texts


class ToolScanners:
    def __init__(self, config, engine=None, *, baselines=None):
        """`baselines`: approved tool definitions shared by every instance
        (state.baselines, built by the Inspector for state.backend redis/nats)."""
        self.config = config
        self.engine = engine
        self.mcp = config.mcp
        self.policy = ToolPolicy(config)
        self.rules = PoisonRules(engine)
        self._shared = baselines

    def new_session(self, server: str = "") -> ToolSession:
        m = self.mcp
        return ToolSession(server=server, max_tools=m.max_tools,
                           chains=ChainTracker(m.chain_window, m.chain_window_s, m.chain_max_gap))

    # ------------------------------------------------------------------ tools/list
    def scan_tools_list(self, tools: list[dict], session: ToolSession | None = None,
                        where: str = "tools/list", continuation: bool = False) -> list[Finding]:
        """`continuation=True` for a later page of the same listing (request had a
        cursor): its new tools join the baseline instead of counting as added."""
        try:
            return self._scan_tools_list(tools, session, where, continuation)
        except Exception as e:  # fail closed
            return [internal(e, where)]

    def _scan_tools_list(self, tools, session, where, continuation=False) -> list[Finding]:
        act = self.mcp.tool_poisoning_action
        findings: list[Finding] = []
        if not isinstance(tools, list):
            return [Finding("tool_poison", "malformed_tools_list", "high", type(tools).__name__, where, "block")]
        budget = [MAX_NODES, MAX_TEXT]
        first = session is not None and (not session.listed or (continuation and session.paging))
        seen_now: dict[str, str] = {}
        for i, tool in enumerate(tools):
            tw = f"{where}[{i}]"
            if not isinstance(tool, dict) or not isinstance(tool.get("name"), str) or not tool["name"]:
                findings.append(Finding("tool_poison", "malformed_tool", "high", "tool without a name", tw, "block"))
                continue
            name = tool["name"]
            texts, names, complete = collect(tool, tw, budget, self.mcp.max_schema_depth)
            if not complete:
                findings.append(Finding("tool_poison", "schema_too_complex", "high",
                                        f"{name[:40]}: over {self.mcp.max_schema_depth} levels or size cap", tw, "block"))
            findings += self.rules.check(name, texts, names, tw, act)
            if session is not None:
                findings += drift(self.mcp, self._shared, tool, name, session, first, tw, seen_now, complete)
                if name not in session.caps and len(session.caps) < session.max_tools:
                    session.caps[name] = of_definition(tool)
        if session is not None:
            session.listed = True
            session.paging = first
        return findings

    # ------------------------------------------------------------------ prompts, resources
    def scan_listing(self, method: str, items: list, session: ToolSession | None = None,
                     where: str = "", continuation: bool = False) -> list[Finding]:
        """A prompts/list, resources/list or resources/templates/list result's items:
        the tool-poisoning rules over every string of each item (argument names read
        as parameter names), and a rug-pull baseline per listing and session."""
        try:
            return self._scan_listing(method, items, session, where or method, continuation)
        except Exception as e:  # fail closed
            return [internal(e, where or method)]

    def _scan_listing(self, method, items, session, where, continuation) -> list[Finding]:
        member, id_keys, noun, keys = LISTINGS[method]
        act = self.mcp.tool_poisoning_action
        if not isinstance(items, list):
            return [Finding("tool_poison", f"malformed_{member}_list", "high", type(items).__name__, where, "block")]
        listing = None
        if session is not None:
            listing = session.listings.get(method)
            if listing is None:
                listing = session.listings[method] = Listing(method, noun, keys)
        first = listing is not None and (not listing.listed or (continuation and listing.paging))
        budget = [MAX_NODES, MAX_TEXT]
        findings: list[Finding] = []
        seen_now: dict[str, str] = {}
        for i, item in enumerate(items):
            iw = f"{where}[{i}]"
            name = next((item[k] for k in id_keys if isinstance(item, dict) and isinstance(item.get(k), str)
                         and item[k]), "")
            if not name:
                findings.append(Finding("tool_poison", f"malformed_{noun}", "high", f"{noun} without a name", iw, "block"))
                continue
            texts, names, complete = collect(item, iw, budget, self.mcp.max_schema_depth)
            args = item.get("arguments")
            if isinstance(args, list):   # a prompt's arguments: their names are parameter names
                names += [(f"{iw}.arguments[{j}]", a["name"]) for j, a in enumerate(args[:1000])
                          if isinstance(a, dict) and isinstance(a.get("name"), str)]
            if not complete:
                findings.append(Finding("tool_poison", "schema_too_complex", "high",
                                        f"{name[:40]}: over {self.mcp.max_schema_depth} levels or size cap", iw, "block"))
            findings += self.rules.check(name, texts, names, iw, act)
            if listing is not None:
                findings += drift(self.mcp, self._shared, item, name, session, first, iw, seen_now, complete, listing)
        if listing is not None:
            listing.listed = True
            listing.paging = first
        return findings

    # ------------------------------------------------------------------ tools/call
    def scan_tool_call(self, name: str, arguments: dict | list | str | None, session: ToolSession | None = None,
                       server: str = "") -> list[Finding]:
        try:
            return self._scan_tool_call(name, arguments, session, server)
        except Exception as e:
            return [internal(e, "params")]

    def _scan_tool_call(self, name, arguments, session, server) -> list[Finding]:
        if not isinstance(name, str) or not name:
            return [Finding("policy", "malformed_tool_call", "high", "missing tool name", "params.name", "block")]
        if arguments is None:
            arguments = {}
        server = server or (session.server if session is not None else "")
        findings: list[Finding] = []
        lv, complete = leaves(arguments, max_leaf=self.mcp.max_message_bytes)
        fields = [("params.name", name)] + [(p, v) for p, _, v in lv]
        keys, byte_lists = keys_and_byte_lists(arguments)
        if keys:  # a secret can travel as an object key at any depth, not only as a value
            fields.append(("params.arguments#keys", " ".join(keys)))
        fields += byte_lists
        fields += named_values(arguments, "params.arguments")  # {"key": "AccountKey", "value": "..."}
        eng = self.engine
        if eng is not None and getattr(eng, "dlp", None) is not None:
            findings += eng.dlp.scan_fields(fields)
        findings += smuggling_findings(fields)
        if eng is not None and self.mcp.input_injection and getattr(eng, "injection", None) is not None:
            for p, v in fields:
                if len(v) >= 16:
                    findings += [with_action(f, "block") if f.action == "strip" else f
                                 for f in eng.injection.scan(v, p)]
        for p, v in fields:   # a message that hands a credential file on to a URL, any language
            got = credential_handoff(v, p) if len(v) >= 24 else []
            if got:
                findings += got
                break
        walked = (lv, complete) if isinstance(arguments, (dict, list)) and \
            self.mcp.max_message_bytes >= MAX_LEAF else None
        pol, info = self.policy.analyse(name, arguments, walked)
        findings += pol
        findings += self.policy.server_checks(name, arguments, server)
        if session is not None:
            mode = self.mcp.session_binding_action
            if mode != "off" and session.listed and name not in session.tools:
                findings.append(Finding("session_binding", "unlisted_tool", "high", name[:80], "params.name", mode))
            call = classify(name, arguments, info, caps=session.caps.get(name))
            findings += session.chains.record(call, self.mcp.chain_action)
            if "network" in call.classes and session.chains.taints:
                src = session.chains.flows([v for _, v in fields])
                if src:   # data a sensitive read returned, on its way out (any number of calls later)
                    findings.append(Finding("chain", "data_flow_exfiltration", "critical",
                                            f"{src[:50]} -> {name[:50]}", "session", self.mcp.chain_action))
        return findings

    # ------------------------------------------------------------------ results
    def scan_tool_result(self, result: dict, where: str = "result", session: ToolSession | None = None,
                         tool: str = "") -> list[Finding]:
        """`session` and `tool`: the result answers this session's call of `tool` (a sensitive
        read's data is remembered for data-flow chains)."""
        try:
            if session is not None and tool and session.chains.awaiting:
                session.chains.result(tool, [t for _, t in result_texts(result)])
            return self._scan_tool_result(result, where)
        except Exception as e:
            return [internal(e, where)]

    def _scan_tool_result(self, result, where) -> list[Finding]:
        inj = getattr(self.engine, "injection", None) if self.engine is not None else None
        if inj is None or not isinstance(result, dict):
            return []
        texts, agent_only = result_fields(result, where)
        findings: list[Finding] = []
        dlp = getattr(self.engine, "dlp", None)
        cred = getattr(self.mcp, "tool_result_credentials", "strip")
        for w, t in texts:
            if t == "\x00":
                findings.append(Finding("tool_result", "result_too_complex", "high", "over depth or size caps", w, "block"))
                continue
            hidden = any(w == a or w.startswith(a + ".") for a in agent_only)
            # text the user never sees is read as addressed to the agent
            findings += [with_action(f, "block") if f.action == "strip" else f
                         for f in inj.scan(t, w, **({"audience": "agent"} if hidden else {}))]
            if len(t) >= 24 and not any(f.rule == "credential_handoff" for f in findings):
                findings += credential_handoff(t, w, agent_only=hidden)
            if dlp is not None:   # credentials, not public identifiers (addresses: severity low)
                findings += [with_action(f, cred) for f in dlp.scan(self._unplaceheld(t), w) if f.severity != "low"]
        return findings

    def _unplaceheld(self, text: str) -> str:
        """Managed secrets (secrets: config) taken out: a placeholder is not a credential,
        and a real value an upstream echoes is scrubbed back to its placeholder by the
        transport, so neither is redacted here."""
        b = getattr(self.engine, "boundary", None)
        return b.mask(b.scrub_text(text)) if b is not None else text

    def redact_tool_result(self, result: dict) -> dict | None:
        """`result` with every credential the DLP scanner finds in its text replaced
        by a typed placeholder, or None when that cannot be done with certainty (a
        credential only seen decoded, or one still found after redaction): the
        caller then blocks."""
        dlp = getattr(self.engine, "dlp", None)
        if dlp is None:
            return None
        secrets: dict[str, str] = {}
        for w, t in result_texts(result):
            t = self._unplaceheld(t)
            for f in dlp.scan(t, w):
                if f.severity == "low":
                    continue
                if f.span is None:
                    return None
                a, b = f.span
                value = t[a:b]
                if value.startswith("-----BEGIN"):  # a PEM block: up to its END line, or the end
                    end = t.find("-----END", b)
                    stop = t.find("-----", end + 8) if end >= 0 else -1
                    value = t[a:stop + 5] if stop >= 0 else t[a:]
                if len(value) < 6:
                    return None
                secrets[value] = f"[REDACTED:{f.scanner}:{f.rule}]"
        if not secrets:
            return None
        out = replace_strings(result, sorted(secrets.items(), key=lambda kv: -len(kv[0])))
        if any(f.severity != "low" for w, t in result_texts(out) for f in dlp.scan(self._unplaceheld(t), w)):
            return None  # something is still there: refuse rather than guess
        return out
