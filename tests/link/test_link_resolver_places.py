"""Decisions on scored pairs (thresholds, best candidate, ties, judgements) and the gazetteer."""

from __future__ import annotations

import pytest

from exhibit.link.places import county_code, parse_place, township_key
from exhibit.link.resolver import clusters, decide


def _pair(a: str, b: str, p: float, da: str = "reg", db: str = "tes") -> dict[str, object]:
    return {"unique_id_l": a, "unique_id_r": b, "dataset_l": da, "dataset_r": db, "match_probability": p,
            "match_weight": 0.0}


def test_only_the_single_best_candidate_above_threshold_links() -> None:
    ds = {(d.a, d.b): d.decision for d in decide([_pair("r1", "t1", 0.95), _pair("r2", "t1", 0.85)], {}, 0.8, 0.5)}
    assert ds == {("r1", "t1"): "link", ("r2", "t1"): "review"}


def test_two_equally_good_candidates_go_to_review() -> None:
    ds = decide([_pair("r1", "t1", 0.95), _pair("r2", "t1", 0.95)], {}, 0.8, 0.5)
    assert {d.decision for d in ds} == {"review"}


def test_judgements_outrank_the_model() -> None:
    judged = {("r1", "t1"): "reject", ("r9", "t9"): "accept"}
    ds = {(d.a, d.b): d for d in decide([_pair("r1", "t1", 0.99)], judged, 0.8, 0.5)}
    assert ds[("r1", "t1")].decision == "none" and ds[("r9", "t9")].decision == "link"
    groups = clusters(["r1", "t1", "r9", "t9"], ds.values())
    assert sorted(map(sorted, groups.values())) == [["r1"], ["r9", "t9"], ["t1"]]


def test_pairs_within_one_source_are_not_linked() -> None:
    assert decide([_pair("r1", "r2", 0.99, "reg", "reg")], {}, 0.8, 0.5) == []


@pytest.mark.parametrize("name", ["墨玉", "墨玉县", "Moyu", "Karakax", "Qaraqash", "karakash"])
def test_county_names_in_every_script_give_one_code(name: str) -> None:
    assert county_code(name) == "653222"


@pytest.mark.parametrize("a,b", [("喀拉喀什镇", "Qaraqash"), ("阔依其乡", "Köyche"), ("英也尔乡", "Yengiyer"),
                                 ("萨依巴格乡", "Saybagh"), ("托胡拉乡", "Tohula")])
def test_township_keys_agree_across_scripts(a: str, b: str) -> None:
    assert township_key(a, "653222") == township_key(b, "653222") is not None


def test_addresses_parse_to_county_and_township() -> None:
    assert parse_place("墨玉县喀拉喀什镇23村") == parse_place("Karakax, Qaraqash") == parse_place("墨玉, Qaraqash")
    assert parse_place("扎瓦镇7村", "653222199601031368")[0] == "653222"  # county from the ID's region code
