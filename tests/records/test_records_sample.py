"""The dev registers become records with the right IDs, provenance and family (scratch catalog)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from exhibit.archive import Archive
from exhibit.records import get, iter_records


def _by_file(arch: Archive) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in iter_records(arch):
        out[r["source"]["path"].split("/")[-1]].append(r)
    return out


def _mangled(truth: dict[str, Any]) -> set[str]:
    return {a["id"] for a in truth["anomalies"] if a["type"] == "float_mangled"}


def test_every_register_row_becomes_a_record_with_its_id_and_provenance(sample_archive: Archive,
                                                                         truth: dict[str, Any]) -> None:
    got = _by_file(sample_archive)
    mangled = _mangled(truth)
    for key, rows in truth["registers"].items():
        if key.endswith(".docx"):
            continue
        recs = got[key.split("/")[-1]]
        index = {(r["source"].get("sheet"), r["source"].get("page"), r["source"]["row"]): r for r in recs}
        assert len(recs) == len(rows), key
        for t in rows:
            where = (t.get("sheet"), t.get("page"), t["row"])
            assert where in index, (key, where)
            r = index[where]
            if t["id"] in mangled:  # a float kept the first 15 digits only; the rest is lost for good
                assert r["id_number"][:15] == t["id"][:15]
            else:
                assert r["id_number"] == t["id"], (key, where)
            assert r["source"]["path"] == key


def test_docx_family_table_gives_relation_name_and_status(sample_archive: Archive, truth: dict[str, Any]) -> None:
    recs = _by_file(sample_archive)["家庭成员情况表.docx"]
    family = {(r["id_number"], m["name"], m["relation"]) for r in recs for m in r["family"]}
    statuses = {m["status"] for r in recs for m in r["family"]}
    for t in truth["registers"]["registers/家庭成员情况表.docx"]:
        assert (t["id"], t["relative"], t["relation"]) in family
    assert None not in statuses
    # one record per person, each relative row cited
    assert len({r["id_number"] for r in recs}) == len(recs)
    assert sum(len(r["source"]["rows"]) for r in recs) == len(truth["registers"]["registers/家庭成员情况表.docx"])


def test_free_text_family_column_is_parsed(sample_archive: Archive, truth: dict[str, Any]) -> None:
    recs = {(r["id_number"], r["name"]): r for r in _by_file(sample_archive)["墨玉县学员花名册_2018.xlsx"]}
    checked = 0
    for p in truth["persons"]:
        r = recs.get((p["id"], p["name_zh"]))
        if r is None or not p.get("relatives"):
            continue
        got = [(m["relation"], m["name"], m["status"]) for m in r["family"]]
        want = [(x["relation"], x["name_zh"], x["status"]) for x in p["relatives"]]
        assert got == want, p["id"]
        checked += 1
    assert checked > 250


def test_pdf_register_rows_count_across_pages_with_whole_names(sample_archive: Archive,
                                                                truth: dict[str, Any]) -> None:
    names = {p["id"]: p["name_zh"] for p in truth["persons"]}
    recs = _by_file(sample_archive)["收押人员名单_扫描件前打印稿.pdf"]
    assert [r["source"]["row"] for r in recs] == list(range(1, len(recs) + 1))
    assert {r["source"]["page"] for r in recs} == {1, 2, 3}
    assert all(r["name"] == names[r["id_number"]] for r in recs)
    assert all(r["address"] and "\n" not in r["address"] for r in recs)


def test_record_ids_are_stable_and_get_returns_the_same_record(sample_archive: Archive) -> None:
    from exhibit.records import extract

    first = [r["record_id"] for r in iter_records(sample_archive)]
    extract(sample_archive)
    assert [r["record_id"] for r in iter_records(sample_archive)] == first
    r = get(sample_archive, first[5])
    assert r["record_id"] == first[5] and r["cells"]


def test_testimonies_are_not_records_but_readable_through_a_mapping(sample_archive: Archive) -> None:
    from exhibit.records import read_table, registers

    regs = {r["path"]: r for r in registers(sample_archive)}
    t = regs["testimonies/testimonies.csv"]
    assert t["status"] == "no_id_column" and "--mapping" in t["reason"]
    people = list(read_table(sample_archive, t["table_id"], {
        "victim_name": "name", "birth_year": "birth_year", "hometown": "address", "testimony_id": "seq",
        "statement": "statement", "relation_of_reporter": "reporter_relation"}))
    assert len(people) == 60
    first = people[0]
    assert first["seq"] == "T0013" and first["name"] == "Nurnisa Ruzi" and first["birth_year"] == 1973
    assert first["gender"] == "F" and first["statement"].startswith("My relative")
    assert first["source"]["row"] == 2 and first["cells"]["victim_name"] == "Nurnisa Ruzi"
