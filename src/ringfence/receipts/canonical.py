"""Canonical receipt bytes, the way Go's encoding/json writes the Pipelock structs.

Key order is the struct order (never sorted), `om` fields are dropped when zero,
strings use Go's HTML-safe escaping, output is compact. The same encoder makes the
signing input, the chain hash and the bytes on disk (spec sections 3 and 5).
Encoding a decoded receipt also validates it: unknown keys and wrong types raise
CanonError, so the verifier and the writer share one definition of the format.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

UINT64_MAX = 2**64 - 1


class CanonError(ValueError):
    """The object does not fit the receipt schema (unknown key, wrong type)."""


# --- strings -------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_dumps = json.encoder.encode_basestring  # C version; same output as json.dumps(s, ensure_ascii=False)


def go_string(s: str) -> str:
    """A JSON string literal byte-equal to Go's json.Marshal output (as str)."""
    if s.isascii():
        out = _dumps(s)
        if "<" in out or ">" in out or "&" in out:
            out = out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return out
    # Go writes invalid UTF-8 (here: lone surrogates) as U+FFFD.
    s = _SURROGATE.sub("\ufffd", s)
    out = _dumps(s)
    return (out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_GS_MEMO: dict[str, str] = {}
_GS_MEMO_MAX = 2048


def go_string_memo(s: str) -> str:
    """go_string for short strings that repeat (transport, verdict, rule ids): a bounded memo."""
    out = _GS_MEMO.get(s)
    if out is None:
        out = go_string(s)
        if len(s) <= 128:
            if len(_GS_MEMO) >= _GS_MEMO_MAX:
                _GS_MEMO.clear()  # crude but bounded; refills with what is hot
            _GS_MEMO[s] = out
    return out


def clean_text(s: str) -> str:
    """What Go would store for this string: lone surrogates become U+FFFD."""
    return s if s.isascii() else _SURROGATE.sub("\ufffd", s)


# --- timestamps ----------------------------------------------------------

_TS_CANON = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{0,8}[1-9]))?Z$")


def is_canonical_time(s: Any) -> bool:
    """Go RFC3339Nano in UTC: trailing fraction zeros trimmed, `Z`, a real date."""
    if not isinstance(s, str):
        return False
    m = _TS_CANON.match(s)
    if not m:
        return False
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    try:
        datetime(y, mo, d, h, mi, se, tzinfo=timezone.utc)
    except ValueError:
        return False
    return True


_last_sec: tuple = (None, "")


def format_time_ns(ns: int) -> str:
    """Unix nanoseconds -> Go RFC3339Nano UTC string."""
    global _last_sec
    secs, frac = divmod(ns, 1_000_000_000)
    cached_secs, base = _last_sec  # one tuple, swapped atomically: safe across threads
    if cached_secs != secs:
        base = datetime.fromtimestamp(secs, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        _last_sec = (secs, base)
    if frac:
        return f"{base}.{frac:09d}".rstrip("0") + "Z"
    return base + "Z"


# --- schema --------------------------------------------------------------
# Each field: (key, omitempty, kind). Kinds: str int uint uint8 bool time strlist
# strlist_null (list or null, always present), sorted_int_map, scalar (shield
# counters: str/int/bool by value), raw (unsigned ext), or a nested schema tuple
# ("obj", fields) / ("objlist", fields).

TAINT_SOURCE = (
    ("url", False, "str"), ("kind", False, "str"), ("level", False, "uint8"),
    ("timestamp", False, "time"), ("receipt_id", True, "str"), ("match_reason", True, "str"),
)
REDACTION = (
    ("profile", True, "str"), ("provider", True, "str"), ("parser", True, "str"),
    ("total_redactions", True, "int"), ("by_class", True, "sorted_int_map"),
    ("cache_boundary_kept", True, "bool"),
)
SHIELD = tuple((k, True, "scalar") for k in (
    "pipeline", "total_rewrites", "extension_probes", "tracking_beacons", "agent_traps",
    "fingerprint_shim_injected", "svg_foreign_objects", "svg_event_handlers",
    "svg_external_references", "svg_hidden_text", "svg_animation_injections", "body_bytes",
    "scanned_bytes", "partial", "adaptive_signals_recorded", "adaptive_signal_max_per_body"))
KEY_TRANSITION = (
    ("prior_signer_key", False, "str"), ("prior_chain_seq", False, "uint"),
    ("prior_chain_hash", False, "str"),
)
SESSION_OPEN = (
    ("run_nonce", False, "str"), ("open_nonce", False, "str"), ("recorder_session", False, "str"),
    ("policy_hash", False, "str"), ("signer_key_epoch", False, "str"),
    ("heartbeat_seconds", False, "int"), ("chain_open_seq", False, "uint"),
    ("prior_chain_head", True, "str"), ("prior_chain_seq", True, "uint"),
    ("genesis_hash", True, "str"), ("genesis_anchor_head", True, "str"),
    ("genesis_anchor_log", True, "str"), ("posture_capsule_sha256", True, "str"),
    ("posture_signer_key_id", True, "str"), ("containment_nonce", True, "str"),
    ("contained_uid", True, "str"), ("group_binding", True, "raw"),
)
SESSION_HEARTBEAT = (
    ("run_nonce", False, "str"), ("open_nonce", False, "str"), ("beat", False, "uint"),
    ("chain_head", False, "str"), ("chain_seq_head", False, "uint"),
    ("heartbeat_time", False, "time"), ("fsync_errors_gated", False, "uint"),
    ("durability_blocks", False, "uint"),
)
SESSION_CLOSE = (
    ("run_nonce", False, "str"), ("open_nonce", False, "str"), ("final_seq", False, "uint"),
    ("root_hash", False, "str"), ("receipt_count", False, "uint"), ("close_reason", False, "str"),
    ("fsync_errors_gated", False, "uint"), ("durability_blocks", False, "uint"),
)
SESSION_CONTROL = (
    ("kind", False, "str"), ("open", True, ("obj", SESSION_OPEN)),
    ("heartbeat", True, ("obj", SESSION_HEARTBEAT)), ("close", True, ("obj", SESSION_CLOSE)),
)

ACTION_RECORD = (
    ("version", False, "int"),
    ("action_id", False, "str"),
    ("parent_action_id", True, "str"),
    ("action_type", False, "str"),
    ("timestamp", False, "time"),
    ("principal", False, "str"),
    ("actor", False, "str"),
    ("delegation_chain", False, "strlist_null"),
    ("target", False, "str"),
    ("intent", True, "str"),
    ("data_classes_in", True, "strlist"),
    ("data_classes_out", True, "strlist"),
    ("side_effect_class", False, "str"),
    ("reversibility", False, "str"),
    ("policy_hash", False, "str"),
    ("verdict", False, "str"),
    ("decision_phase", True, "str"),
    ("defer_id", True, "str"),
    ("resolution_policy", True, "str"),
    ("resolution_source", True, "str"),
    ("session_id", True, "str"),
    ("session_id_original", True, "str"),
    ("session_taint_level", True, "str"),
    ("session_contaminated", True, "bool"),
    ("recent_taint_sources", True, ("objlist", TAINT_SOURCE)),
    ("session_task_id", True, "str"),
    ("session_task_label", True, "str"),
    ("authority_kind", True, "str"),
    ("taint_decision", True, "str"),
    ("taint_decision_reason", True, "str"),
    ("task_override_applied", True, "bool"),
    ("contract_winning_source", True, "str"),
    ("contract_live_verdict", True, "str"),
    ("contract_policy_sources", True, "strlist"),
    ("contract_rule_id", True, "str"),
    ("active_manifest_hash", True, "str"),
    ("contract_hash", True, "str"),
    ("contract_selector_id", True, "str"),
    ("contract_generation", True, "uint"),
    ("transport", False, "str"),
    ("method", True, "str"),
    ("layer", True, "str"),
    ("pattern", True, "str"),
    ("severity", True, "str"),
    ("redaction", True, ("obj", REDACTION)),
    ("shield", True, ("obj", SHIELD)),
    ("request_id", True, "str"),
    ("chain_prev_hash", False, "str"),
    ("chain_seq", False, "uint"),
    ("run_nonce", True, "str"),
    ("key_transition", True, ("obj", KEY_TRANSITION)),
    ("session_control", True, ("obj", SESSION_CONTROL)),
    ("venue", True, "str"),
    ("jurisdiction", True, "str"),
    ("rulebook_id", True, "str"),
    ("remedy_class", True, "str"),
    ("contestation_window", True, "str"),
    ("precedent_refs", True, "strlist"),
)
ENVELOPE = (
    ("version", False, "int"),
    ("action_record", False, ("obj", ACTION_RECORD)),
    ("signature", False, "str"),
    ("signer_key", False, "str"),
    ("ext", True, "raw"),
)

_ZERO = {"str": '""', "int": "0", "uint": "0", "uint8": "0", "bool": "false",
         "time": '"0001-01-01T00:00:00Z"', "strlist_null": "null", "scalar": "null", "raw": "null"}
_FIELDS_BY_SCHEMA: dict[int, frozenset[str]] = {}


def _keyset(fields: tuple) -> frozenset[str]:
    ks = _FIELDS_BY_SCHEMA.get(id(fields))
    if ks is None:
        ks = _FIELDS_BY_SCHEMA[id(fields)] = frozenset(f[0] for f in fields)
    return ks


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _enc_raw(v: Any) -> str:
    """Unsigned free JSON (ext, group_binding): compact, HTML-escaped, order kept."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return go_string(v)
    if _is_int(v):
        return str(v)
    if isinstance(v, float):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ",".join(_enc_raw(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(go_string(k) + ":" + _enc_raw(x) for k, x in v.items()) + "}"
    raise CanonError(f"unsupported JSON value {type(v).__name__}")


encode_raw = _enc_raw


def _is_zero(v: Any) -> bool:
    return v is None or v == "" or v is False or (_is_int(v) and v == 0) or v == [] or v == {}


def _enc_value(v: Any, kind: Any, key: str) -> str:
    if kind == "str":
        if not isinstance(v, str):
            raise CanonError(f"field {key!r} must be a string")
        return go_string(v)
    if kind in ("int", "uint", "uint8"):
        if not _is_int(v):
            raise CanonError(f"field {key!r} must be an integer")
        if kind == "uint" and not 0 <= v <= UINT64_MAX:
            raise CanonError(f"field {key!r} out of range for uint64")
        if kind == "uint8" and not 0 <= v <= 255:
            raise CanonError(f"field {key!r} out of range for uint8")
        if kind == "int" and not -(2**63) <= v < 2**63:
            raise CanonError(f"field {key!r} out of range for int64")
        return str(v)
    if kind == "bool":
        if not isinstance(v, bool):
            raise CanonError(f"field {key!r} must be a boolean")
        return "true" if v else "false"
    if kind == "time":
        if not is_canonical_time(v):
            raise CanonError(f"non-canonical timestamp {v!r} in {key!r} (want Go RFC3339Nano UTC)")
        return '"' + v + '"'
    if kind in ("strlist", "strlist_null"):
        if v is None:
            return "null"
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise CanonError(f"field {key!r} must be a list of strings")
        return "[" + ",".join(go_string(x) for x in v) + "]"
    if kind == "sorted_int_map":
        if v is None:
            return "null"
        if not isinstance(v, dict) or not all(_is_int(x) for x in v.values()):
            raise CanonError(f"field {key!r} must be a map of integers")
        return "{" + ",".join(go_string(k) + ":" + str(v[k]) for k in sorted(v)) + "}"
    if kind == "scalar":
        if v is None or isinstance(v, (str, bool)) or _is_int(v):
            return _enc_raw(v)
        raise CanonError(f"field {key!r} must be a scalar")
    if kind == "raw":
        return _enc_raw(v)
    if isinstance(kind, tuple):
        tag, sub = kind
        if tag == "obj":
            if not isinstance(v, dict):
                raise CanonError(f"field {key!r} must be an object")
            return encode_object(v, sub, key)
        if v is None:
            return "null"
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            raise CanonError(f"field {key!r} must be a list of objects")
        return "[" + ",".join(encode_object(x, sub, key) for x in v) + "]"
    raise CanonError(f"internal: unknown kind {kind!r}")  # pragma: no cover


def encode_object(d: dict, fields: tuple, where: str = "receipt") -> str:
    """Encode one struct in declared order; unknown keys are an error."""
    extra = d.keys() - _keyset(fields)
    if extra:
        raise CanonError(f"{where} carries unknown signed field(s): {sorted(extra)}")
    parts = []
    for key, om, kind in fields:
        v = d.get(key)
        if v is None and kind not in ("strlist_null", "raw"):
            # absent or null: Go leaves the zero value in place
            if not om:
                parts.append(go_string(key) + ":" + (_ZERO[kind] if isinstance(kind, str) else "{}"))
            continue
        if key not in d:
            if not om:
                parts.append(go_string(key) + ":" + _ZERO[kind])
            continue
        enc = _enc_value(v, kind, key)  # type-check even what omitempty drops
        if om and (v is None if isinstance(kind, tuple) and kind[0] == "obj" else _is_zero(v)):
            continue
        parts.append(go_string(key) + ":" + enc)
    return "{" + ",".join(parts) + "}"


# The v1-base fields the writer may set, in struct order: (key, "\"key\":", omitempty).
_WRITER_FIELDS = tuple((k, go_string(k) + ":", om) for k, om, kind in ACTION_RECORD if k in {
    "version", "action_id", "action_type", "timestamp", "principal", "actor", "delegation_chain", "target",
    "intent", "data_classes_in", "data_classes_out", "side_effect_class", "reversibility", "policy_hash",
    "verdict", "transport", "method", "layer", "pattern", "severity", "request_id", "chain_prev_hash",
    "chain_seq"})
WRITER_KEYS = frozenset(k for k, _, _ in _WRITER_FIELDS)


def encode_writer_record(rec: dict) -> str:
    """Fast path for records the writer builds (v1-base fields, known types).

    Produces exactly what encode_object(rec, ACTION_RECORD) produces for such records
    (tested); anything unexpected falls back to the general encoder."""
    if not rec.keys() <= WRITER_KEYS:
        return encode_object(rec, ACTION_RECORD, "action_record")
    parts = []
    for key, prefix, om in _WRITER_FIELDS:
        v = rec.get(key)
        t = type(v)
        if t is str:
            if om and not v:
                continue
            parts.append(prefix + go_string(v))
        elif t is int:
            parts.append(prefix + str(v))
        elif v is None:
            if not om:
                parts.append(prefix + ("null" if key == "delegation_chain" else '""'))
        elif t is list and all(type(x) is str for x in v):
            if om and not v:
                continue
            parts.append(prefix + "[" + ",".join(go_string(x) for x in v) + "]")
        else:
            return encode_object(rec, ACTION_RECORD, "action_record")
    if not is_canonical_time(rec.get("timestamp")):
        raise CanonError(f"non-canonical timestamp {rec.get('timestamp')!r}")
    return "{" + ",".join(parts) + "}"


def record_bytes(record: dict) -> bytes:
    """Canonical bytes of an action_record (the signing input before hashing)."""
    return encode_object(record, ACTION_RECORD, "action_record").encode("utf-8")


def receipt_bytes(receipt: dict) -> bytes:
    """Canonical bytes of the whole envelope (chain hash input and on-disk form)."""
    return encode_object(receipt, ENVELOPE, "receipt").encode("utf-8")
