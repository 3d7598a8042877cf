"""Agreement between two coders: Cohen's kappa per category (present/absent) and pooled over categories.

Cohen, J. (1960). "A coefficient of agreement for nominal scales". Educational and Psychological
Measurement 20(1): 37-46. kappa = (p_o - p_e) / (1 - p_e), where p_o is the observed share of agreement
and p_e the agreement expected by chance from each coder's own marginal rates.
Interpretation bands: Landis, J. R. & Koch, G. G. (1977). "The measurement of observer agreement for
categorical data". Biometrics 33(1): 159-174.

Written out here rather than taken from scikit-learn (`cohen_kappa_score`): it is four lines over a 2x2
table, and we report the table, p_o and p_e alongside kappa, which the library call does not give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Table2x2:
    """Counts of items: both coders say present, only A, only B, neither."""

    both: int
    a_only: int
    b_only: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.a_only + self.b_only + self.neither

    def __add__(self, o: Table2x2) -> Table2x2:
        return Table2x2(self.both + o.both, self.a_only + o.a_only, self.b_only + o.b_only,
                        self.neither + o.neither)


def observed(t: Table2x2) -> float:
    return (t.both + t.neither) / t.n


def expected(t: Table2x2) -> float:
    a_yes = (t.both + t.a_only) / t.n
    b_yes = (t.both + t.b_only) / t.n
    return a_yes * b_yes + (1 - a_yes) * (1 - b_yes)


def kappa(t: Table2x2) -> float | None:
    """Cohen's kappa, or None where it is undefined (no items, or both coders constant so p_e = 1)."""
    if t.n == 0:
        return None
    pe = expected(t)
    if pe >= 1.0:
        return None
    return (observed(t) - pe) / (1 - pe)


def landis_koch(k: float | None) -> str | None:
    if k is None:
        return None
    if k < 0:
        return "poor"
    for bound, label in ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial")):
        if k <= bound:
            return label
    return "almost perfect"


def table(a: Mapping[str, Iterable[str]], b: Mapping[str, Iterable[str]], category: str,
          items: Iterable[str]) -> Table2x2:
    both = a_only = b_only = neither = 0
    for item in items:
        in_a, in_b = category in set(a[item]), category in set(b[item])
        both += in_a and in_b
        a_only += in_a and not in_b
        b_only += in_b and not in_a
        neither += not in_a and not in_b
    return Table2x2(both, a_only, b_only, neither)


def _row(t: Table2x2) -> dict[str, Any]:
    k = kappa(t)
    return {"both": t.both, "a_only": t.a_only, "b_only": t.b_only, "neither": t.neither, "n": t.n,
            "observed_agreement": round(observed(t), 4) if t.n else None,
            "expected_agreement": round(expected(t), 4) if t.n else None,
            "kappa": round(k, 4) if k is not None else None, "interpretation": landis_koch(k)}


def compare(a: Mapping[str, Iterable[str]], b: Mapping[str, Iterable[str]], categories: list[str]) -> dict[str, Any]:
    """Kappa per category over the items both coders judged, and pooled over all (item, category) pairs."""
    items = sorted(set(a) & set(b))
    per = {c: table(a, b, c, items) for c in categories}
    pooled = sum(per.values(), Table2x2(0, 0, 0, 0))
    defined = [k for k in (kappa(t) for t in per.values()) if k is not None]
    return {
        "items": len(items),
        "only_a": len(set(a) - set(b)), "only_b": len(set(b) - set(a)),
        "categories": [{"category": c, **_row(t)} for c, t in per.items()],
        "overall": {"method": "pooled over every (record, category) decision", **_row(pooled)},
        "mean_kappa": round(sum(defined) / len(defined), 4) if defined else None,
        "disagreements": [i for i in items if set(a[i]) != set(b[i])],
    }
