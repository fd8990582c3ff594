"""The one strict JSON parser, for every part of ringfence (see receipts.jsonstrict
for why it lives there): duplicate keys, NaN/Infinity, nesting beyond MAX_DEPTH and
trailing data are errors with a stable `rule`."""
from ..receipts.jsonstrict import MAX_DEPTH, JsonError, loads, loads_bytes

__all__ = ["MAX_DEPTH", "JsonError", "loads", "loads_bytes"]
