"""The one pipeline every transport calls.

types   Action, Finding, Decision (what crosses, what was found, what to do)
decide  findings -> Decision; the agent-facing block answer; strip-or-block
record  the only caller of the receipt writer: no receipt, no pass

Transports build an Action, hand content to the engine (ringfence.engine, the
Inspector: routing from direction and content kind to scanners, one cache),
and enforce the Decision; they decide nothing themselves."""
from .decide import BLOCK_MESSAGE, agent_answer, as_block, decide, fail_closed, finding_as_block
from .record import NullWriter, open_receipts, record, record_outcome
from .types import (SEVERITY_RANK, VERDICT_RANK, Action, Decision, Direction, Finding, Severity, Verdict,
                    redact)

__all__ = ["Action", "Decision", "Direction", "Finding", "Severity", "Verdict", "SEVERITY_RANK", "VERDICT_RANK",
           "BLOCK_MESSAGE", "agent_answer", "as_block", "decide", "fail_closed", "finding_as_block",
           "NullWriter", "open_receipts", "record", "record_outcome", "redact"]
