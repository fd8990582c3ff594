"""MCP tool scanning (sans-io): tool poisoning, rug-pulls, tool-call policy,
session binding and attack chains. Transports call `engine.tools`.

definitions walks a definition; poison applies the poisoning rules to it;
baseline keeps the rug-pull fingerprints; arguments and results walk calls and
results; scanner is the entry point. Every public method returns Findings and
never raises: an internal error becomes an `internal:scan_error` block finding
(fail closed).
"""

from .baseline import LISTINGS, ToolSession, canonical
from .definitions import expand_name
from .scanner import ToolScanners

__all__ = ["LISTINGS", "ToolScanners", "ToolSession", "canonical", "expand_name"]
