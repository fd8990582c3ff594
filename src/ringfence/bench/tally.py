"""The per-10k report of a false-positive benchmark (`ringfence bench fp`,
benchmarks/bench_shell_fp.py): items and blocks per corpus, the rules that fired,
samples for review, blocks not counted (policy by design), a total and a table.

    t = Tally(samples); t.item(); t.block(rules, sample); t.policy(rules)
    t.report(rules_key, policy_key, top) -> {"items", "blocked", "per_10k", <rules_key>,
                                             "samples", <policy_key>}
    totals(corpora, **extra) -> {"items", "blocked", "per_10k", **extra}
    table(rep, rules_key, top, width, tail) -> str
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable


def per_10k(blocked: int, items: int) -> float | None:
    return round(blocked * 10000 / items, 1) if items else None


class Tally:
    """One corpus's counts."""

    def __init__(self, samples: int):
        self.items = self.blocked = 0
        self.rules: Counter = Counter()
        self.not_counted: Counter = Counter()
        self.samples: list[dict] = []
        self._max = samples

    def item(self) -> None:
        self.items += 1

    def block(self, rules: Iterable[str], sample: dict) -> None:
        """One item blocked: each of its rules counted once, its sample kept while there is room."""
        self.blocked += 1
        self.rules.update(set(rules))
        if len(self.samples) < self._max:
            self.samples.append(sample)

    def policy(self, rules: Iterable[str]) -> None:
        """Blocks by design (administration rules, SSRF to a docs URL's private host): not counted."""
        self.not_counted.update(set(rules))

    def report(self, rules_key: str, policy_key: str, top: int | None = None) -> dict:
        return {"items": self.items, "blocked": self.blocked, "per_10k": per_10k(self.blocked, self.items),
                rules_key: dict(self.rules.most_common(top)), "samples": self.samples,
                policy_key: dict(self.not_counted.most_common())}


def totals(corpora: dict[str, dict], **extra) -> dict:
    items = sum(v["items"] for v in corpora.values())
    blocked = sum(v["blocked"] for v in corpora.values())
    return {"items": items, "blocked": blocked, "per_10k": per_10k(blocked, items), **extra}


def table(rep: dict, rules_key: str, top: int, width: int, tail: str) -> str:
    head = "worst rules" if rules_key.startswith("worst") else "rules"
    lines = [f"{'corpus':{width}s} {'items':>7s} {'blocked':>8s} {'per 10k':>8s}  {head}"]
    for c, v in rep["corpora"].items():
        worst = ", ".join(f"{r} x{n}" for r, n in list(v[rules_key].items())[:top])
        lines.append(f"{c:{width}s} {v['items']:7d} {v['blocked']:8d} {str(v['per_10k']):>8s}  {worst}")
    t = rep["total"]
    lines.append(f"{'total':{width}s} {t['items']:7d} {t['blocked']:8d} {str(t['per_10k']):>8s}  {tail}")
    return "\n".join(lines)


__all__ = ["Tally", "per_10k", "table", "totals"]
