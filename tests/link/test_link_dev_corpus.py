"""Acceptance on the dev corpus, read straight from its files: testimonies -> register, and cross-register."""

from __future__ import annotations

from typing import Any

import pytest

from exhibit.link.compare import id_number
from exhibit.link.engine import LinkResult, link


@pytest.fixture(scope="module")
def result(corpus_mentions: list[dict[str, Any]]) -> LinkResult:
    return link(corpus_mentions)


def _ids(mentions: list[dict[str, Any]]) -> dict[str, str | None]:
    return {m["unique_id"]: id_number(m.get("id_number")) for m in mentions}


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b and a[:16] == b[:16])  # the register's Excel-float IDs keep 16 digits


def test_testimonies_link_to_the_register_with_precision_and_recall(
        result: LinkResult, corpus_mentions: list[dict[str, Any]], truth: dict[str, Any]) -> None:
    ids = _ids(corpus_mentions)
    testimonies = {m["unique_id"] for m in corpus_mentions if m["kind"] == "mention"}
    karakax = {m["unique_id"] for m in corpus_mentions if m["unique_id"].startswith("K:")}
    tp = fp = 0
    for a, b in result.linked_pairs():
        t, r = (a, b) if a in testimonies else (b, a)
        if t not in testimonies or r not in karakax:
            continue
        if _same(truth["testimonies"][t], ids[r]):
            tp += 1
        else:
            fp += 1
    positives = sum(1 for v in truth["testimonies"].values() if v)
    precision, recall = tp / max(1, tp + fp), tp / positives
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)


def test_near_namesakes_in_testimonies_stay_unlinked(result: LinkResult, truth: dict[str, Any]) -> None:
    unmatched = {t for t, v in truth["testimonies"].items() if v is None}
    linked = {x for pair in result.linked_pairs() for x in pair}
    assert unmatched and not (unmatched & linked)


def test_people_in_both_registers_are_linked(result: LinkResult, corpus_mentions: list[dict[str, Any]],
                                             truth: dict[str, Any]) -> None:
    ids = _ids(corpus_mentions)
    cross = set(truth["cross_register_ids"])
    found = set()
    fp = 0
    for a, b in result.linked_pairs():
        if {a[:2], b[:2]} != {"K:", "P:"}:
            continue
        if _same(ids[a], ids[b]) and any(_same(ids[a], c) for c in cross):
            found.add(next(c for c in cross if _same(ids[a], c)))
        else:
            fp += 1
    precision, recall = len(found) / max(1, len(found) + fp), len(found) / len(cross)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    assert f1 >= 0.98, (precision, recall)
