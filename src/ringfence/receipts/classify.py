"""Action classification for HTTP and MCP, exactly as the receipt spec's section 4 tables."""
from __future__ import annotations

_HTTP = {
    **{m: ("read", "external_read", "full") for m in ("GET", "HEAD", "OPTIONS", "TRACE", "CONNECT")},
    **{m: ("write", "external_write", "compensatable") for m in ("POST", "PUT", "PATCH")},
    "DELETE": ("write", "external_write", "irreversible"),
}
_UNCLASSIFIED = ("unclassified", "none", "unknown")

MCP_READ_METHODS = frozenset({"tools/list", "resources/list", "prompts/list", "resources/read", "prompts/get"})
_TOOL_PREFIXES = (
    ("read", ("get", "list", "read", "search", "find", "query", "fetch", "show", "describe", "check")),
    ("write", ("set", "create", "update", "delete", "remove", "write", "put", "post", "add", "modify",
               "edit", "patch")),
    ("delegate", ("run", "exec", "execute", "spawn", "invoke", "call")),
)
SIDE_EFFECT = {"read": "external_read", "write": "external_write", "commit": "external_write",
               "delegate": "external_write", "spend": "financial", "actuate": "physical"}
ACTION_TYPES = frozenset({"read", "derive", "write", "delegate", "authorize", "spend", "commit",
                          "actuate", "unclassified"})
MCP_KINDS = frozenset({"tool_call", "tool_result", "tools_list", "mcp"})


def _prefix_match(name: str, prefix: str) -> bool:
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix):]
    return rest == "" or rest[0] in "_-" or ("A" <= rest[0] <= "Z")


_TOOL_MEMO: dict[str, str] = {}


def tool_action_type(name: str) -> str:
    atype = _TOOL_MEMO.get(name)
    if atype is None:
        atype = _tool_action_type(name)
        if len(name) <= 128:  # tool names repeat; bounded memo
            if len(_TOOL_MEMO) >= 4096:
                _TOOL_MEMO.clear()
            _TOOL_MEMO[name] = atype
    return atype


def _tool_action_type(name: str) -> str:
    for atype, prefixes in _TOOL_PREFIXES:
        for p in prefixes:
            if _prefix_match(name, p):
                return atype
    return "unclassified"


def classify_http(method: str) -> tuple[str, str, str]:
    return _HTTP.get(method.upper(), _UNCLASSIFIED)


def classify_mcp(method: str, tool_name: str = "") -> tuple[str, str, str]:
    if method in MCP_READ_METHODS:
        atype = "read"
    elif method == "tools/call":
        atype = tool_action_type(tool_name)
    else:
        atype = "unclassified"
    return atype, SIDE_EFFECT.get(atype, "none"), "unknown"


def is_mcp(transport: str, method: str, kind: str) -> bool:
    return transport.startswith("mcp") or kind in MCP_KINDS or "/" in method


def classify(transport: str, method: str, target: str, kind: str = "") -> tuple[str, str, str]:
    """(action_type, side_effect_class, reversibility) for one Action."""
    if is_mcp(transport, method, kind):
        if kind == "tool_call" and not method:
            method = "tools/call"
        return classify_mcp(method, target)
    return classify_http(method)
