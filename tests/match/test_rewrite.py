"""match/rewrite's group skipper (the one both pre-filter rewrites and the DLP
pre-filter use): the tricky classes and groups, its one failure behaviour, and
over every pattern the project compiles, that it cuts exactly the lookarounds
Python's own parser sees (so no superset form loses or keeps a wrong piece)."""
from __future__ import annotations

import itertools
import re
import warnings
from re import _constants as C
from re import _parser as P

import pytest

from ringfence.match.rewrite import prefilter_source, skip_group, without_lookarounds
from ringfence.scanners.dlp import prefilter_pattern
from ringfence.scanners.injection.prefilter import hs_pattern

from project_patterns import project_patterns

# Class bodies whose end a naive skipper gets wrong: a leading `]` is a literal,
# after `^` too; escaped brackets and parens; parens inside a class.
CLASSES = ["[]]", "[^]]", "[\\]]", "[]a]", "[^]a)]", "[)]", "[(]", "[^)]", "[\\)(]", "[a-z\\]]",
           "[\\\\]", "[^\\\\)]", "[]()]", "[-)]", "[)-]", "[\\[]"]
# Group bodies: escapes, nested groups of every kind, alternations.
BODIES = ["x", "\\)", "\\(", "a\\\\", "(?:a|b)", "(a(b)c)", "(?:(?=z)y)", "(?<=q)r", "(?P<n>s)",
          "a|b", "(?i:k)", "\\[\\(", "x{2,3}"]
OPENERS = ["(?=", "(?!", "(?<=", "(?<!", "(?:", "(", "(?P<g>", "(?>"]


def test_skip_group_ends_at_the_group_end():
    """Every opener x body x class: the group ends where it was built to end."""
    for opener, body, cls in itertools.product(OPENERS, BODIES, CLASSES):
        if opener.startswith("(?<") and ("{" in body or "|" in body):
            continue   # a lookbehind needs a fixed width
        group = opener + body + cls + ")"
        src = "pre" + group + "post"
        re.compile(src)   # the case itself is a valid `re` pattern
        assert skip_group(src + ")", 3) == 3 + len(group), src


@pytest.mark.parametrize("cls", CLASSES)
def test_class_first_and_nested_groups(cls):
    src = "((?:" + cls + "(?=" + cls + ")))"
    assert skip_group(src, 0) == len(src)
    assert skip_group(src, 1) == len(src) - 1
    assert skip_group(src, 4 + len(cls)) == len(src) - 2


@pytest.mark.parametrize("src", ["(?=a", "(?=[)]", "(?=[^]", "((a)", "(?=a\\)", "(?=a\\", "(?=[]", "(?![^])"])
def test_unbalanced_raises_value_error(src):
    with pytest.raises(ValueError):
        skip_group(src, 0)


@pytest.mark.parametrize("src", ["(?=[[:alpha:]])", "(?=[a[]b)", "(?=[[a-z]--[aeiou]])x"])
def test_bracket_inside_a_class_is_refused(src):
    """`regex` reads a POSIX class or a nested set there, `re` a literal `[`: the
    class would end in different places, so it is not guessed at."""
    with pytest.raises(ValueError):
        skip_group(src, 0)
    assert prefilter_source(src) is None   # rewrite: always a candidate


@pytest.mark.parametrize("src,want", [
    ("a(?=b)c", "ac"), ("(?<!x)y(?!z)", "y"), ("a(?=[)])b", "ab"), ("a(?![^]]x)b", "ab"),
    ("\\(?=x)", "\\(?=x)"), ("[(?=]x", "[(?=]x"), ("a(?=(?:b|(?!c)d))e", "ae"), ("[]?=(]a(?=b)", "[]?=(]a"),
    ("(?:a(?<=a))+", "(?:a)+"),
])
def test_without_lookarounds(src, want):
    assert without_lookarounds(src) == want


@pytest.mark.parametrize("src,want", [
    (r"\bfoo(?=bar)", "foo"), (r"a(?![^]]\))b", "ab"), (r"x(?<=[\]])y", "xy"), (r"[(?=]z(?!q)", "[(?=]z"),
])
def test_hs_pattern_uses_the_same_skipper(src, want):
    assert hs_pattern(src) == want


def test_dlp_prefilter_drops_nested_lookarounds():
    assert prefilter_pattern(r"(?<![A-Za-z0-9])AKIA(?=(?:[A-Z0-9]{4})+\b)[A-Z0-9]{16}(?![A-Za-z0-9])") == \
        "AKIA[A-Z0-9]{16}"


# ---------------------------------------------------------------- every project pattern
def _shape(items) -> list:
    """A parse tree with every lookaround reduced to a marker and group numbers
    dropped (a lookaround may hold a capturing group)."""
    out = []
    for op, av in items:
        if op in (C.ASSERT, C.ASSERT_NOT):
            out.append(("LOOK",))   # where, not which kind: the mark is always (?=...)
        elif op is C.SUBPATTERN:
            out.append(("GROUP", av[1], av[2], _shape(av[-1])))
        elif op is C.BRANCH:
            out.append(("BRANCH", [_shape(b) for b in av[1]]))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            out.append((str(op), av[0], av[1], _shape(av[2])))
        elif op is C.ATOMIC_GROUP:
            out.append(("ATOMIC", _shape(av)))
        elif op is C.GROUPREF_EXISTS:
            out.append(("IF", _shape(av[1]), _shape(av[2]) if av[2] else None))
        elif op in (C.GROUPREF, C.GROUPREF_IGNORE):
            out.append(("REF",))
        else:
            out.append((str(op), repr(av)))
    return out


def _parse(p: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return P.parse(p)


PATTERNS = project_patterns()
LOOKING = [p for p in PATTERNS if any(o in p for o in ("(?=", "(?!", "(?<=", "(?<!"))]


def test_the_collection_covers_every_rule_family():
    assert len(PATTERNS) > 1500 and len(LOOKING) > 300
    from ringfence.rules import agent_directives as ad
    from ringfence.rules import injection as R
    from ringfence.rules import tool_poison as tp
    from ringfence.rules.dlp import RULES
    from ringfence.rules.policy import RULES as POLICY
    have = set(PATTERNS)
    assert {p for f in R.FAMILIES for p, _ in f.patterns} <= have
    assert {r.pattern for r in RULES if set("[(\\?*+{") & set(r.pattern)} <= have
    assert {p for f in tp.FAMILIES for p in f.patterns} <= have
    assert ad.SINK in have and ad.CRED_PATH in have
    assert {r.command for r in POLICY if r.command} <= have


def test_every_cut_is_exactly_a_lookaround():
    """Each lookaround of every project pattern replaced by a mark: Python's parser
    must see the same tree with a lookaround at each mark and nothing else changed
    (a cut too short or too long changes the tree or fails to parse)."""
    checked = 0
    for p in LOOKING:
        try:
            want = _shape(_parse(p))
        except re.error:
            continue   # a `regex`-only pattern: its parser has no public tree
        # the mark repeats the lookaround's text: equal lookarounds stay equal (the
        # parser factors an alternation's common prefix)
        marked = without_lookarounds(p, lambda group: "(?=" + re.escape(group) + ")")
        got = _shape(_parse(marked))
        assert got == want, p
        checked += 1
    assert checked > 300


def _engine_dialect(form: str) -> str:
    """A pre-filter form in `regex`'s dialect: \\x{...} and \\z spelled its way."""
    return re.sub(r"\\x\{([0-9A-Fa-f]+)\}", lambda m: "\\U%08x" % int(m.group(1), 16), form).replace("\\z", "\\Z")


def test_every_superset_form_is_lookaround_free_and_compiles():
    """hs_pattern (injection) and prefilter_source (match) over every pattern, and the
    DLP pre-filter over the DLP rules it serves: none raises, none keeps a lookaround,
    each compiles."""
    import regex
    from ringfence.rules.dlp import RULES
    forms = [(p, f) for p in PATTERNS for f in (hs_pattern(p), prefilter_source(p)) if f is not None]
    forms += [(r.pattern, prefilter_pattern(r.pattern)) for r in RULES if not r.prefilter and not r.context]
    for p, form in forms:
        assert without_lookarounds(form) == form, (p, form)
        regex.compile(_engine_dialect(form))
