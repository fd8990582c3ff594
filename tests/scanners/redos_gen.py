"""Adversarial inputs for every pattern of a rule set, and a growth check (see test_injection_redos.py).

For each pattern: sample strings it matches (every alternative of every alternation taken
at least once, optional parts both taken and skipped), cut each sample at every
whitespace, and append a long run (spaces, tabs and newlines, NBSP, zero-width spaces,
a repeated word, a letter). A linear pattern takes about 4x as long on a run 4x as long;
a quadratic one 16x, a cubic one 64x. Times are CPU times of this thread, so a loaded
machine slows both runs alike. Run as a script: `python redos_gen.py SET` prints JSON
[[label, sample prefix, run, growth, ms]] for the patterns that grow faster than linear.
"""
from __future__ import annotations

import json
import re
import sys
import time
from re import _constants as C, _parser as P

_CANDS = ["a", "e", "1", "x", ".", "-", "_", "/", ":", "'", '"', "(", ")", ",", "!", "A", "Z", "0", "é", "中", " ", "\n"]
_CATS = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s", C.CATEGORY_NOT_SPACE: r"\S",
         C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}
RUNS = {"space": " ", "newline": "\n", "tab": "\t ", "nbsp": "\xa0", "zwsp": "\u200b", "word": "ab ", "letter": "a"}
N = 300          # run length of the first look; suspects are timed again at 4N
GROWTH = 10.0    # linear: ~4; quadratic: ~16; cubic: ~64


def _in_class(items, ch: str) -> bool:
    o = ord(ch)
    for op, av in items:
        if (op is C.LITERAL and o == av) or (op is C.RANGE and av[0] <= o <= av[1]):
            return True
        if op is C.CATEGORY and av in _CATS and re.fullmatch(_CATS[av], ch):
            return True
    return False


def _class_char(items, k: int) -> str:
    neg = any(op is C.NEGATE for op, _ in items)
    opts = [c for c in _CANDS if _in_class(items, c) != neg]
    if not neg:
        opts += [chr(av) for op, av in items if op is C.LITERAL] + [chr(av[0]) for op, av in items if op is C.RANGE]
    return opts[k % len(opts)] if opts else "a"


def _gen(sub, k: int, take: bool) -> str:
    """Sample k: alternative k (mod its count) of every alternation; optional parts taken or not."""
    out = []
    for op, av in sub:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append("x" if av != ord("x") else "y")
        elif op is C.ANY:
            out.append("x")
        elif op is C.IN:
            out.append(_class_char(av, k))
        elif op is C.CATEGORY:
            out.append(_class_char([(op, av)], k))
        elif op is C.BRANCH:
            alts = av[1]
            out.append(_gen(alts[k % len(alts)], k, take))
        elif op is C.SUBPATTERN:
            out.append(_gen(av[3], k, take))
        elif op is C.ATOMIC_GROUP:
            out.append(_gen(av, k, take))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, item = av
            n = max(lo, 1 if take else 0)
            out.append("".join(_gen(item, k, take) for _ in range(min(n, hi, 8))))
            runs = _runs_taken(item) if hi > 1 else 0
            if runs:
                out.append(CUT + chr(0xE000 + runs))   # a run it takes can be stretched here
        elif op is C.GROUPREF_EXISTS:
            out.append(_gen(av[1], k, take))
    return "".join(out)


CUT = "\x00"


def _runs_taken(item) -> int:
    """Which RUNS the repeated item can take (a bit per run, by its first character)."""
    if len(item) != 1:
        return 0
    op, av = item[0]
    if op in (C.ANY, C.NOT_LITERAL, C.SUBPATTERN, C.BRANCH):
        return (1 << len(RUNS)) - 1   # a group: any run may start what it repeats
    if op is C.IN:
        neg = any(o is C.NEGATE for o, _ in av)
        takes = lambda c: _in_class(av, c) != neg   # noqa: E731
    elif op is C.CATEGORY:
        takes = lambda c: _in_class([(op, av)], c)   # noqa: E731
    elif op is C.LITERAL:
        takes = lambda c: ord(c) == av   # noqa: E731
    else:
        return 0
    return sum(1 << i for i, run in enumerate(RUNS.values()) if takes(run[0]))
    op, av = item[0]
    if op in (C.ANY, C.NOT_LITERAL):
        return True
    if op is C.IN:
        neg = any(o is C.NEGATE for o, _ in av)
        return any(_in_class(av, c) != neg for c in (" ", "\xa0", "\u200b"))
    if op is C.CATEGORY:
        return any(_in_class([(op, av)], c) for c in (" ", "\xa0", "\u200b"))
    if op in (C.SUBPATTERN, C.BRANCH):
        return True   # a group: cut after it too (cheap, and it may hold blanks)
    return False


def _width(sub) -> int:
    """The largest alternation in the pattern: how many samples cover every alternative."""
    best = 1
    for op, av in sub:
        if op is C.BRANCH:
            best = max(best, len(av[1]), *(_width(a) for a in av[1]))
        elif op is C.SUBPATTERN:
            best = max(best, _width(av[3]))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            best = max(best, _width(av[2]))
        elif op is C.ATOMIC_GROUP:
            best = max(best, _width(av))
    return best


def _marked(pattern: str, flags: int, limit: int = 80) -> list[str]:
    tree = P.parse(pattern, flags)
    n = min(_width(tree), limit)
    return sorted({_gen(tree, k, take) for k in range(n) for take in (False, True)})


def samples(pattern: str, flags: int) -> list[str]:
    return sorted({re.sub(CUT + ".", "", s, flags=re.S) for s in _marked(pattern, flags)})


def cases(pattern: str, flags: int) -> list[tuple[str, str]]:
    """(prefix, run name): every sample cut after each repeat, with each run that repeat takes."""
    out: set[tuple[str, str]] = set()
    names = list(RUNS)
    for s in _marked(pattern, flags):
        parts = s.split(CUT)
        for i in range(1, len(parts)):
            bits = ord(parts[i][0]) - 0xE000
            pre = "".join(p[1:] if k else p for k, p in enumerate(parts[:i]))
            out.update((pre, names[j]) for j in range(len(names)) if bits >> j & 1)
    return sorted(out)


def _cpu(rx: re.Pattern, text: str, tries: int = 3) -> float:
    best = float("inf")
    for _ in range(tries):
        t0 = time.thread_time()
        rx.search(text)
        best = min(best, time.thread_time() - t0)
        if best < 2e-4:
            break
    return best


def superlinear(label: str, rx: re.Pattern, prep=None, n: int = N) -> list:
    """[label, prefix, run, growth, ms] of the first input on which rx grows faster than linear
    (`prep`: what the scanner does to text before matching, applied to the runs as well)."""
    for pre, name in cases(rx.pattern, rx.flags):
        run = RUNS[name]
        if True:
            small, big = pre + run * (n // len(run)), pre + run * (4 * n // len(run))
            if prep is not None:
                small, big = prep(small), prep(big)
            t1 = _cpu(rx, small)
            if t1 < 2e-4:      # too quick to matter at 4N either, unless cubic: then 64x of 0.2 ms
                continue
            t2 = _cpu(rx, big, 1)
            # (a high ratio is timed again, unless far beyond noise: a cubic run is slow to repeat)
            if t2 / t1 > GROWTH and (t2 / t1 > 3 * GROWTH or _cpu(rx, big, 5) / _cpu(rx, small, 5) > GROWTH):
                return [label, pre[-60:], name, round(t2 / t1, 1), round(t2 * 1000, 1)]
    return []


def pattern_sets() -> dict[str, list[tuple[str, re.Pattern]]]:
    """Every rule set's patterns, compiled with the flags their scanner uses."""
    from ringfence.rules import dlp, injection as R, injection_markup as M, policy, tool_poison as tp
    from ringfence.rules.injection_addressee import ADDRESSEE_I18N
    from ringfence.rules.injection_labels import ADDRESSED
    from ringfence.scanners import a2a
    from ringfence.scanners.shell import code
    from ringfence.scanners.injection.chars import FLAGS
    inj = [(f"{f.id}[{k}]", p) for f in R.FAMILIES for k, (p, _) in enumerate(f.patterns)]
    inj += [(f"{f.id}:{n}", rx) for f in R.FAMILIES for n, rx, _ in f.parts if rx]
    inj += [(name, getattr(R, name)) for name in ("HIDDEN_TRIGGER", "HIDDEN_TAG", "HIDDEN_DIRECTIVE", "DISCUSSION",
                                                  "VOCATIVE", "DIRECTIVE")]
    inj += [("HIDDEN_TRIGGER_MORE", M.HIDDEN_TRIGGER_MORE), ("HIDDEN_TAG_MORE", M.HIDDEN_TAG_MORE),
            ("ADDRESSEE_I18N", ADDRESSEE_I18N), ("ADDRESSED", ADDRESSED)]
    sets = {
        "injection": [(label, re.compile(p, FLAGS)) for label, p in dict(inj).items()],
        "tool_poison": [(f"{f.id}[{k}]", re.compile(p)) for f in tp.FAMILIES + tp.WEAK_FAMILIES
                        for k, p in enumerate(f.patterns)],
        "shell": [(f"code:{k}", rx) for k, rx in enumerate(_patterns_of(code))],
        "a2a": [(rule, rx) for rule, _, rx in a2a.POISON_RULES],
        "a2a_directives": [(rule, rx) for rule, _, rx in a2a.DIRECTIVE_RULES],
        "dlp": [(r.id, re.compile(r.pattern, re.ASCII | (re.I if r.ignore_case else 0))) for r in dlp.RULES],
        "policy": [(f"{r.id}.{part}", re.compile(p)) for r in policy.RULES
                   for part in ("command", "read_path", "write_path", "command_with", "command_unless")
                   if (p := getattr(r, part))],
    }
    return sets


# Sets whose scanner folds (NFKC: NBSP is a space; invisibles dropped), collapses blanks
# (not newlines) and lower-cases before matching.
FOLDED = {"tool_poison", "a2a_directives"}
_BLANKS = re.compile(r"[ \t\r\f\v]+")


def _patterns_of(module) -> list[re.Pattern]:
    """Every compiled pattern a module holds at top level, in a list, tuple or dict value too."""
    out: list[re.Pattern] = []
    for v in vars(module).values():
        items = v.values() if isinstance(v, dict) else v if isinstance(v, (list, tuple)) else (v,)
        for item in items:
            for x in item if isinstance(item, tuple) else (item,):
                if isinstance(x, re.Pattern) and isinstance(x.pattern, str) and x not in out:
                    out.append(x)
    return out


def main(name: str) -> None:
    if name in FOLDED:
        from ringfence.scanners.shell import fold
        prep = lambda t: _BLANKS.sub(" ", fold(t)).lower()   # noqa: E731
    else:
        prep = None
    bad = [got for label, rx in pattern_sets()[name] if (got := superlinear(label, rx, prep=prep))]
    print(json.dumps(bad, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
