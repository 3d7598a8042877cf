"""Cohen's kappa against published worked examples, and between two coders in an archive.

The worked examples are those of the Wikipedia article "Cohen's kappa" (section "Examples"), which follow
Cohen (1960): 50 grant proposals read by readers A and B. Simple example: both yes 20, A yes B no 5,
A no B yes 10, both no 15: p_o = 0.70, p_e = 0.50, kappa = 0.40. "Same percentages but different
numbers": 45/15/25/15 gives kappa = 0.1304 and 25/35/5/35 gives kappa = 0.2593 (both with p_o = 0.60).
"""

from __future__ import annotations

from typing import Any

import pytest

from exhibit import coding
from exhibit.archive import Archive
from exhibit.coding.kappa import Table2x2, compare, expected, kappa, landis_koch, observed
from exhibit.errors import UserError


def test_wikipedia_simple_example() -> None:
    t = Table2x2(both=20, a_only=5, b_only=10, neither=15)
    assert observed(t) == pytest.approx(0.70)
    assert expected(t) == pytest.approx(0.50)
    assert kappa(t) == pytest.approx(0.40)
    assert landis_koch(kappa(t)) == "fair"


@pytest.mark.parametrize(("cells", "published"), [((45, 15, 25, 15), 0.1304), ((25, 35, 5, 35), 0.2593)])
def test_wikipedia_same_percentages_different_numbers(cells: tuple[int, int, int, int], published: float) -> None:
    t = Table2x2(*cells)
    assert observed(t) == pytest.approx(0.60)
    assert kappa(t) == pytest.approx(published, abs=5e-5)


def test_kappa_is_undefined_when_both_coders_never_vary() -> None:
    assert kappa(Table2x2(0, 0, 0, 10)) is None
    assert kappa(Table2x2(0, 0, 0, 0)) is None
    assert kappa(Table2x2(5, 0, 0, 5)) == pytest.approx(1.0)


def _sample(table: tuple[int, int, int, int], cat: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    both, a_only, b_only, neither = table
    a: dict[str, list[str]] = {}
    b: dict[str, list[str]] = {}
    n = 0
    for k, (in_a, in_b) in ((both, (1, 1)), (a_only, (1, 0)), (b_only, (0, 1)), (neither, (0, 0))):
        for _ in range(k):
            a[f"r{n}"] = [cat] if in_a else []
            b[f"r{n}"] = [cat] if in_b else []
            n += 1
    return a, b


def test_compare_agrees_with_scikit_learn_on_every_category() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    a, b = _sample((20, 5, 10, 15), "x")
    for i, item in enumerate(sorted(a)):  # a second category with another pattern
        if i % 3 == 0:
            a[item] = [*a[item], "y"]
        if i % 4 == 0:
            b[item] = [*b[item], "y"]
    res = compare(a, b, ["x", "y"])
    for row in res["categories"]:
        c = row["category"]
        ya = [int(c in a[i]) for i in sorted(a)]
        yb = [int(c in b[i]) for i in sorted(a)]
        assert row["kappa"] == pytest.approx(sklearn_metrics.cohen_kappa_score(ya, yb), abs=1e-4)


def test_two_coders_in_an_archive_reproduce_the_worked_example(coded_archive: Archive,
                                                                demo_records: list[dict[str, Any]]) -> None:
    """50 records hand-coded by two coders so that their `petitioning` judgements form the 20/5/10/15 table."""
    ids = [r["record_id"] for r in demo_records[:48]]
    extra = [{**demo_records[0], "record_id": f"R-extra-{k}"} for k in range(2)]
    coding.run(coded_archive, records=demo_records + extra)
    ids += [r["record_id"] for r in extra]
    a, b = _sample((20, 5, 10, 15), "petitioning")
    for rid, key in zip(ids, sorted(a, key=lambda s: int(s[1:])), strict=True):
        coding.set_codes(coded_archive, rid, a[key] or ["none"], coder="coder-a")
        coding.set_codes(coded_archive, rid, b[key] or ["none"], coder="coder-b")
    res = coding.agreement(coded_archive, "coder-a", "coder-b")
    assert res["items"] == 50
    row = next(r for r in res["categories"] if r["category"] == "petitioning")
    assert (row["both"], row["a_only"], row["b_only"], row["neither"]) == (20, 5, 10, 15)
    assert row["observed_agreement"] == pytest.approx(0.70) and row["expected_agreement"] == pytest.approx(0.50)
    assert row["kappa"] == pytest.approx(0.40)
    other = next(r for r in res["categories"] if r["category"] == "family_planning")
    assert other["kappa"] is None and other["observed_agreement"] == 1.0  # neither coder used it
    assert len(res["disagreements"]) == 15


def test_agreement_needs_two_coders_with_a_common_sample(coded_archive: Archive,
                                                         demo_records: list[dict[str, Any]]) -> None:
    with pytest.raises(UserError, match="has coded nothing"):
        coding.agreement(coded_archive, "nobody", "either")
    coding.set_codes(coded_archive, demo_records[0]["record_id"], ["petitioning"], coder="a")
    coding.set_codes(coded_archive, demo_records[1]["record_id"], ["petitioning"], coder="b")
    with pytest.raises(UserError, match="no record in common"):
        coding.agreement(coded_archive, "a", "b")
