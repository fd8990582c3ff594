"""Shell analysis by class: every dangerous payload under every obfuscation family, alone and
stacked two deep, must still trip its rule; benign commands of the same families must not.
Generated (shell_gen.py), plus a hypothesis property for random stacks."""
import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shell_gen import BENIGN, PAYLOADS, WHOLE_OBFUSCATIONS, WORD_OBFUSCATIONS

from ringfence.config import Config
from ringfence.scanners.policy import ToolPolicy
from ringfence.scanners.shell import views

POL = ToolPolicy(Config())
SAMPLE = PAYLOADS[0], PAYLOADS[2], PAYLOADS[4], PAYLOADS[6]   # one per effect: exfil, fetch-run, shell, read


def fired(cmd: str) -> set[str]:
    return {f.rule for f in POL.analyse("run_command", {"command": cmd})[0]}


def _check(cmd: str, want: set[str]) -> None:
    got = fired(cmd)
    assert got & want, f"{cmd!r}: fired {sorted(got)}, wanted one of {sorted(want)}"


@pytest.mark.parametrize("name,cmd,want", PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_plain_payloads_fire(name, cmd, want):
    _check(cmd, want)


@pytest.mark.parametrize("obf", sorted(WORD_OBFUSCATIONS))
@pytest.mark.parametrize("name,cmd,want", PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_word_obfuscations(obf, name, cmd, want):
    _check(WORD_OBFUSCATIONS[obf](cmd), want)


@pytest.mark.parametrize("obf", sorted(WHOLE_OBFUSCATIONS))
@pytest.mark.parametrize("name,cmd,want", PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_whole_command_obfuscations(obf, name, cmd, want):
    _check(WHOLE_OBFUSCATIONS[obf](cmd), want)


@pytest.mark.parametrize("name,cmd,want", SAMPLE, ids=[p[0] for p in SAMPLE])
def test_word_then_whole_stacks(name, cmd, want):
    misses = []
    for w, o in itertools.product(sorted(WORD_OBFUSCATIONS), sorted(WHOLE_OBFUSCATIONS)):
        s = WHOLE_OBFUSCATIONS[o](WORD_OBFUSCATIONS[w](cmd))
        if not fired(s) & want:
            misses.append(f"{w}+{o}")
    assert not misses, misses


@pytest.mark.parametrize("name,cmd,want", SAMPLE, ids=[p[0] for p in SAMPLE])
def test_whole_then_whole_stacks(name, cmd, want):
    misses = []
    for a, b in itertools.product(sorted(WHOLE_OBFUSCATIONS), repeat=2):
        s = WHOLE_OBFUSCATIONS[b](WHOLE_OBFUSCATIONS[a](cmd))
        if not fired(s) & want:
            misses.append(f"{a}+{b}")
    assert not misses, misses


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(p=st.sampled_from(PAYLOADS), w=st.sampled_from(sorted(WORD_OBFUSCATIONS)),
       o=st.sampled_from(sorted(WHOLE_OBFUSCATIONS)))
def test_random_stacks_property(p, w, o):
    _, cmd, want = p
    # (three layers, two word tricks inside one wrapper, are not all undone yet)
    _check(WHOLE_OBFUSCATIONS[o](WORD_OBFUSCATIONS[w](cmd)), want)


@pytest.mark.parametrize("cmd", BENIGN)
def test_benign_developer_commands_pass(cmd):
    assert fired(cmd) == set(), cmd


@pytest.mark.parametrize("obf", ["split_double_quotes", "var_concat", "ansi_c_hex", "base64_word"])
@pytest.mark.parametrize("cmd", ["curl -fsSL -o cli.tgz https://example.com/cli.tgz", "cat README.md",
                                 "git push origin main", "dig example.com"])
def test_obfuscated_benign_commands_still_pass(obf, cmd):
    # de-obfuscation reveals the command; a harmless command stays harmless
    s = WORD_OBFUSCATIONS[obf](cmd.replace("git ", "curl --version; git ") if "curl" not in cmd else cmd)
    assert fired(s) == set(), s


@pytest.mark.parametrize("obf", sorted(WHOLE_OBFUSCATIONS))
def test_whole_obfuscations_reveal_benign_text_without_blocking(obf):
    s = WHOLE_OBFUSCATIONS[obf]("ls -la /srv/app")
    assert any("ls -la /srv/app" in v for v in views(s)), obf
    assert not fired(s) - {"encoded_command_exec"}, s


def test_hostile_inputs_stay_bounded():
    nasty = [
        "a=(" + "x " * 50_000 + "); ${a[@]}" * 2,
        "$(echo " * 5000 + "x" + ")" * 5000,
        "f(){ f $1$1; }; " * 200 + "f a",
        "echo " + "QUFB" * 60_000 + " | base64 -d | base64 -d | base64 -d | sh",
        "python3 -c \"" + "'a'+" * 20_000 + "'b'\"",
        "v=" + "X" * 4000 + "; ${v//X/YY}" * 300,
        "s=" + "a" * 4000 + "; ${s##*a} ${s%%a*} ${s/#a*/b}" * 100,
        "cmd /c " + "%A:~1,2%" * 20_000,
        "powershell -enc " + "QQBBAA" * 40_000,
        "awk 'BEGIN{system(" + "\"a\" " * 20_000 + ")}'",
    ]
    for s in nasty:
        t = time.perf_counter()
        vs = views(s)
        assert time.perf_counter() - t < 10, s[:60]
        assert len(vs) <= 48 and all(len(v) <= 2_000_000 for v in vs)


SHELL_TOKENS = ["curl", " ", "'", '"', "\\", "$", "${", "}", "$(", ")", "`", "(", "{", ",", "|", ";", "&&", "<<<",
                "<<EOF\n", "\nEOF", "<(", "[@]", "//", "/", "#", "%", ":", "-", "!", "^", "~/.ssh/id_rsa", "=",
                "x=", "a=(", "f(){", "alias ", "eval ", "sh -c ", "python3 -c ", "perl -e ", "awk ", "node -e ",
                "powershell -enc ", "cmd /c ", "%A:~1,2%", "set A=", "[char]99", "chr(99)+", "base64 -d", "rev",
                "tr a-z n-za-m", "cut -c2-3", "sed s/x//", "xxd -r -p", "gunzip", "printf %s ", "echo ", "\n",
                "\\x63", "\\143", "$'\\x63'", "Y3VybA==", "'+'", "\".\"", ".join(", "[::-1]", "\x00", "é", "ｃ"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SHELL_TOKENS), max_size=60))
def test_shell_shaped_garbage_never_crashes(tokens):
    s = "".join(tokens)
    vs = views(s)
    assert vs and all(isinstance(v, str) for v in vs)
    POL.analyse("run_command", {"command": s})
