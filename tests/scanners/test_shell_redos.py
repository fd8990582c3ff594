"""The shell and script analysis is linear in its input: argument lists that never close,
numbers with and without separators, literals repeated to the caps. Each input is run in a
child process with a generous deadline, so a regression (exponential backtracking) fails the
test instead of hanging the suite; a linear run takes milliseconds."""
import json
import subprocess
import sys

import pytest

from ringfence.scanners.shell import code as C

HEADS = sorted({k for kws in C._DECODER_WORDS for k in kws} |
               {"String.fromCharCode(", "pack('C*',", "[char[]](", "-join(", "chr(", "[char]("})
BODIES = [",".join(["73"] * 60), "7" * 300, ", ".join(["0x41"] * 60), "73 " * 100,
          "+".join(["'a'"] * 200), ",".join(["'ab'"] * 200), "(" * 200]
TAILS = ["", " -join", ")", "; & $n -Uri https://x.example/u"]


def _programs() -> list[str]:
    return [f"$n={h}{b}{t}" for h in HEADS for b in BODIES for t in TAILS]


def test_decoders_are_linear_on_unclosed_and_ambiguous_lists():
    code = (
        "import json, sys\n"
        "from ringfence.scanners.shell import code as C, views\n"
        "progs = json.load(sys.stdin)\n"
        "for p in progs:\n"
        "    C.fold_literals(p)\n"
        "    C.windows_views(p)\n"
        "    views(p)\n"
        "print(len(progs))\n")
    progs = _programs()
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(progs), capture_output=True,
                         text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == str(len(progs))


@pytest.mark.parametrize("codes,text", [("72,105", "Hi"), ("0x48, 0x69", "Hi"), ("72 , 105 ,", "Hi")])
def test_char_code_lists_still_decode(codes, text):
    assert C._lit_value(C.fold_literals(f"[char[]]({codes}) -join ''").strip()) == text
    assert C._lit_value(C.fold_literals(f"String.fromCharCode({codes})").strip()) == text
