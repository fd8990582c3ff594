"""The writer's fast path (record_parts + sign_body) writes exactly the bytes the reference
path (build_record + encode_writer_record + sign) writes, for every shape of Action/Decision."""
import os
import re
import time

from hypothesis import given, settings, strategies as st

from ringfence.core import Action, Decision, Finding
from ringfence.receipts.canonical import ACTION_RECORD, encode_object, encode_writer_record, format_time_ns
from ringfence.receipts.keys import load_private_key
from ringfence.receipts.writer import ChainSigner, ReceiptWriter, uuid7
from rhelp import conformance_key

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TS = "2026-04-15T12:00:00.123456789Z"


def _writer(tmp_path, keypair, **kw):
    return ReceiptWriter(str(tmp_path / "ev"), load_private_key(keypair[0]), policy_hash="sha256:" + "ab" * 32,
                         checkpoint_every_ms=0, fsync="always", **kw)


def _both(w, action, decision, prev="genesis", seq=0):
    head, tail, verdict, atype, transport = w.record_parts(action, decision, "0190-id")
    fast = f'{head}{TS}{tail},"chain_prev_hash":"{prev}","chain_seq":{seq}}}'
    rec = w.build_record(action, decision, TS, "0190-id")
    rec["chain_prev_hash"], rec["chain_seq"] = prev, seq
    assert (verdict, atype, transport) == (rec["verdict"], rec["action_type"], rec["transport"])
    return fast, encode_writer_record(rec), rec


F_DLP = Finding("dlp", "aws_access_key_id", "critical", "AKIA***LE", "url.query")
CASES_A = [
    Action("fetch", "outbound", "https://api.test/q?a=1&b=<x>&c=\u00e9\u2028z", "GET", request_id="r1"),
    Action("forward", "inbound", "http://h\u00e9.test/\u65e5?x=<y>", "POST", kind="url"),
    Action("connect", "outbound", "example.test:443", "CONNECT"),
    Action("mcp_stdio", "outbound", "run_shell", "tools/call", kind="tool_call"),
    Action("mcp_stdio", "outbound", "", "", kind="tool_call", meta={"intent": "tunnel: <not> inspected"}),
    Action("", "outbound", "", ""),
    Action("api", "outbound", "x" * 5000, "M" * 300, request_id="\ud800" + "r" * 300, meta={"intent": 5}),
    Action("ws", "outbound", "wss://x/\udfff", "WS", meta={"intent": "i" * 500}),
]
CASES_D = [
    Decision("allow"),
    Decision("allow", (F_DLP,)),
    Decision("block", (F_DLP, Finding("dlp", "github_pat", "high", "ghp_***"), Finding("dlp", "", "low"))),
    Decision("warn", (Finding("injection", "ignore", "medium", "ig\u2028n <b>", action="warn"),)),
    Decision("strip", (Finding("", "", "", "", action="strip"),)),
    Decision("block", (Finding("rug_pull", "tool_definition_changed", "critical", "description grew <by> " * 20,
                               "tools/list[0]"),)),
    Decision("weird", (Finding("ssrf", "private_ip", "critical", "10.0.0.1", "url.host"),)),
    Decision("block", (Finding("dlp", "k" * 400, "s" * 50, "e\u2029&" * 30, "host"),)),
]


def test_fast_path_equals_reference_for_all_shapes(tmp_path, keypair):
    w = _writer(tmp_path, keypair, principal="org:<p>&", actor="agent:\u00e9\u2028")
    seen = set()
    for a in CASES_A:
        for d in CASES_D:
            fast, ref, rec = _both(w, a, d, prev="ff" * 32, seq=2**63)
            assert fast == ref == encode_object(rec, ACTION_RECORD)
            seen.update(k for k in rec if rec[k] not in ("", None))
    # the cases reach every optional field the writer may set
    assert {"intent", "data_classes_in", "data_classes_out", "method", "layer", "pattern", "severity",
            "request_id"} <= seen
    w.close()


_txt = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&\u2028\u2029\"\\\x00\ud800"),
               max_size=12)
_finding = st.builds(Finding, st.sampled_from(["dlp", "injection", "", "ssrf"]) | _txt, _txt,
                     st.sampled_from(["low", "high", "critical", ""]), _txt, _txt,
                     st.sampled_from(["allow", "warn", "strip", "block"]))
_action = st.builds(Action, st.sampled_from(["fetch", "mcp_stdio", ""]) | _txt,
                    st.sampled_from(["outbound", "inbound"]),
                    st.sampled_from(["https://u:p@h.test/p?q=1#f", "h.test:443", "tool_x"]) | _txt,
                    st.sampled_from(["GET", "POST", "tools/call", ""]) | _txt, _txt, _txt,
                    st.sampled_from(["", "tool_call", "url"]) | _txt,
                    st.fixed_dictionaries({}, optional={"intent": _txt | st.integers()}))
_decision = st.builds(Decision, st.sampled_from(["allow", "warn", "strip", "block", "odd"]),
                      st.lists(_finding, max_size=3).map(tuple))


@settings(max_examples=400, deadline=None)
@given(a=_action, d=_decision, seq=st.integers(0, 2**64 - 1))
def test_fast_path_equals_reference_random(tmp_path_factory, a, d, seq):
    w = _FUZZ_WRITER[0]
    fast, ref, rec = _both(w, a, d, prev="genesis" if seq == 0 else "0a" * 32, seq=seq)
    assert fast == ref


_FUZZ_WRITER = [ReceiptWriter.__new__(ReceiptWriter)]
_FUZZ_WRITER[0].principal, _FUZZ_WRITER[0].actor, _FUZZ_WRITER[0].policy_hash = "ringfence", "", "sha256:00"


def test_sign_body_equals_sign():
    body_rec = {"version": 1, "action_id": "a", "action_type": "read", "timestamp": TS, "principal": "p",
                "actor": "", "delegation_chain": None, "target": "t<>", "side_effect_class": "none",
                "reversibility": "unknown", "policy_hash": "h", "verdict": "allow", "transport": "x"}
    a, b = ChainSigner(conformance_key()), ChainSigner(conformance_key())
    for _ in range(3):
        full = encode_writer_record(dict(body_rec))
        body = full[:full.index(',"chain_prev_hash":')]  # up to the chain fields
        assert a.sign(dict(body_rec)) == b.sign_body(body)
        assert (a.last_hash, a.chain_seq) == (b.last_hash, b.chain_seq)


def test_uuid7_format_unique_and_timed():
    t0 = time.time_ns() // 1_000_000
    ids = [uuid7() for _ in range(3000)]
    t1 = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    assert all(UUID7.match(i) for i in ids)
    ms = [int(i[:8] + i[9:13], 16) for i in ids]
    assert t0 <= min(ms) and max(ms) <= t1 and ms == sorted(ms)
    # random bits really vary (not a constant tail): every hex position of the tail takes many values
    tails = [i[15:].replace("-", "") for i in ids]
    assert all(len({t[k] for t in tails}) >= 8 for k in range(19) if k != 3)  # 3: the variant digit
    assert {t[3] for t in tails} == set("89ab")


def test_uuid7_forked_child_does_not_reuse_parent_randomness():
    uuid7()  # make sure the parent has a pool
    r, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report a few ids and leave at once
        os.write(wfd, ",".join(uuid7() for _ in range(5)).encode())
        os._exit(0)
    os.close(wfd)
    child = os.read(r, 4096).decode().split(",")
    os.close(r)
    os.waitpid(pid, 0)
    parent = [uuid7() for _ in range(5)]
    assert len(child) == 5 and not {c[14:] for c in child} & {p[14:] for p in parent}


def test_format_time_ns_is_canonical_across_seconds():
    from ringfence.receipts.canonical import is_canonical_time
    base = 1776254400 * 10**9
    for ns in (base, base + 1, base + 999_999_999, base + 10**9, base + 10**9 + 5 * 10**8):
        assert is_canonical_time(format_time_ns(ns))
    assert format_time_ns(base + 10**9 + 5 * 10**8) == "2026-04-15T12:00:01.5Z"


def test_control_parts_equal_the_reference_record(tmp_path, keypair):
    """Session, heartbeat and outcome receipts are encoded without a dict, byte-equal."""
    w = _writer(tmp_path, keypair, principal="org:<p>&", actor="agent:\u00e9")
    cases = [
        ("ringfence://session/open", "session_open", "session_open kind=run config=sha256:ab", "session",
         "receipt_session", "", "allow", "", "unclassified", "none", "unknown"),
        ("http://h.test/a?q=<1>&\u00e9", "status=200 bytes=10240", "outcome of 0190-x", "outcome", "forward",
         "GET", "allow", "0190-x", "unclassified", "none", "unknown"),
        ("x" * 5000, "p" * 400 + "\u2028", "i" * 2000, "outcome", "t" * 200, "M" * 300, "block",
         "\ud800" + "r" * 300, "read", "external", "reversible"),
        ("", "", "", "", "", "", "allow", "", "unclassified", "none", "unknown"),
    ]
    for args in cases:
        head, tail = w._control_parts("0190-id", *args)
        rec = w.control_record("0190-id", TS, *args)
        rec["chain_prev_hash"], rec["chain_seq"] = "genesis", 0
        assert f'{head}{TS}{tail},"chain_prev_hash":"genesis","chain_seq":0}}' == encode_writer_record(rec)
    w.close()
