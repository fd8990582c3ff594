"""The one pipeline every transport calls.

types   Action, Content, Finding, Decision (what crosses, what it carries, what was found, what to do)
inspect the Inspector: ROUTES from (direction, content kind) to scanners, one cache,
        account(host, n) for data budgets (imported on use: ringfence.core.inspect,
        or its old path ringfence.engine)
stream  one SSE splitter, one Joiner across the pieces of a stream, WebSocket reassembly
decide  findings -> Decision; the agent-facing block answer; strip-or-block
record  the only caller of the receipt writer: no receipt, no pass

Transports build an Action and its Content, hand them to the Inspector, and
enforce the Decision; they decide nothing themselves."""
from .decide import BLOCK_MESSAGE, agent_answer, as_block, decide, fail_closed, finding_as_block
from .record import NullWriter, after_written, open_receipts, record, record_outcome
from .types import (SEVERITY_RANK, VERDICT_RANK, Action, Content, Decision, Direction, Finding, Severity, Verdict,
                    redact)

__all__ = ["Action", "Content", "Decision", "Direction", "Finding", "Severity", "Verdict", "SEVERITY_RANK", "VERDICT_RANK",
           "BLOCK_MESSAGE", "agent_answer", "as_block", "decide", "fail_closed", "finding_as_block",
           "NullWriter", "after_written", "open_receipts", "record", "record_outcome", "redact"]
