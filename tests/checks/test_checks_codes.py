"""Each anomaly code on records made for it, and its absence on a consistent record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "records"))

from scratch import add_exhibit, add_table, make_archive, text_rows  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from exhibit.checks import check, codes_for, summary  # noqa: E402
from exhibit.records import extract  # noqa: E402
from exhibit.records.idnumber import decode  # noqa: E402


def _id(prefix17: str) -> str:
    """A valid 18-character ID from its first 17 digits (checksum by python-stdnum)."""
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


GOOD = _id("65322219810816667")         # male, born 1981-08-16, 墨玉县


def _codes(tmp_path: Path, url: str | None, rows: list[list[Any]], title: str = "名单（2018年6月）",
           as_of: str | None = None, header: list[str] | None = None) -> list[list[str]]:
    arch = make_archive(tmp_path / "a", url)
    seq = add_exhibit(arch, "list.xlsx")
    head = header or ["姓名", "性别", "年龄", "身份证号"]
    add_table(arch, seq, "Sheet1", text_rows([[title, None, None, None], head, *rows]), "sheet")
    extract(arch)
    res = check(arch, as_of=as_of).as_json()
    by_row = {a["source"]["row"]: a["codes"] for a in res["anomalies"]}
    arch.close()
    return [by_row.get(i + 3, []) for i in range(len(rows))]


def _another(url: str | None) -> str | None:
    """A second fresh catalog on the same engine (a second archive in one test)."""
    if url is None:
        return None
    from pg_support import new_database

    return new_database(url.rsplit("/", 1)[0])


def test_a_consistent_record_has_no_code(tmp_path: Path, catalog_url: str | None) -> None:
    assert _codes(tmp_path, catalog_url, [["买买提", "男", 36, GOOD]]) == [[]]


def test_each_code_on_a_record_made_for_it(tmp_path: Path, catalog_url: str | None) -> None:
    bad_check = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
    rows = [
        ["买买提", "男", 36, GOOD[:17]],                       # bad_length
        ["买买提", "男", 36, bad_check],                        # bad_checksum
        ["买买提", "男", 36, _id("65329919810816667")],         # unknown_region
        ["买买提", "男", 36, _id("65322219810230667")],         # impossible_date (30 February)
        ["买买提", "女", 36, GOOD],                             # gender_mismatch
        ["买买提", "男", 55, _id("65322219810816667")],         # age_mismatch
        ["买买提", "男", 2, _id("65322220250816667")],          # born after the register's date
    ]
    got = _codes(tmp_path, catalog_url, rows)
    assert got == [["bad_length"], ["bad_checksum"], ["unknown_region"], ["impossible_date"],
                   ["gender_mismatch"], ["age_mismatch"], ["impossible_date"]]


def test_age_tolerance_is_one_year_around_the_register_date(tmp_path: Path, catalog_url: str | None) -> None:
    # born 1981-08-16: 36 all through June 2018; 35..37 pass (one year either side), 34 and 38 do not
    got = _codes(tmp_path, catalog_url, [["a", "男", a, GOOD] for a in (34, 35, 36, 37, 38)])
    assert got == [["age_mismatch"], [], [], [], ["age_mismatch"]]
    # a register dated by its year only: 36 or 37 in 2018, so 35..38 pass
    got = _codes(tmp_path / "y", _another(catalog_url), [["a", "男", a, GOOD] for a in (34, 35, 38, 39)], title="名单 2018")
    assert got == [["age_mismatch"], [], [], ["age_mismatch"]]


def test_as_of_overrides_the_register_date(tmp_path: Path, catalog_url: str | None) -> None:
    assert _codes(tmp_path, catalog_url, [["a", "男", 36, GOOD]], as_of="2030-01-01") == [["age_mismatch"]]


def test_a_retired_region_is_informational_only(tmp_path: Path, catalog_url: str | None) -> None:
    # 652921 阿克苏县 was retired in 1983
    got = _codes(tmp_path, catalog_url, [["a", "男", 28, _id("65292119900101123")]])
    assert got == [["region_retired"]]
    assert decode(_id("65292119900101123")).region.name == "阿克苏县"  # type: ignore[union-attr]


def test_first_generation_15_digit_ids_are_read(tmp_path: Path, catalog_url: str | None) -> None:
    got = _codes(tmp_path, catalog_url, [["a", "男", 36, "653222810816667"], ["a", "女", 36, "653222810816667"]])
    assert got == [[], ["gender_mismatch"]]


def test_an_id_stored_as_a_float_is_float_mangled(tmp_path: Path, catalog_url: str | None) -> None:
    arch = make_archive(tmp_path / "a", catalog_url)
    seq = add_exhibit(arch, "f.xlsx")
    add_table(arch, seq, "S", [
        (1, [("姓名", "s", None), ("身份证号", "s", None)]),
        (2, [("a", "s", None), ("6.53222E+17", "n", "6.53222198108167e+17")]),
        (3, [("b", "s", None), (GOOD, "s", None)]),
    ])
    extract(arch)
    res = check(arch).as_json()
    assert [(a["source"]["row"], a["codes"]) for a in res["anomalies"]] == [(2, ["float_mangled"])]
    assert res["anomalies"][0]["id_number"] == "653222198108167000"


def test_duplicate_id_marks_the_rows_that_do_not_fit_the_number(tmp_path: Path, catalog_url: str | None) -> None:
    got = _codes(tmp_path, catalog_url, [["买买提", "男", 36, GOOD], ["阿依古丽", "女", 52, GOOD], ["买买提", "男", 36, GOOD]])
    assert got == [[], ["gender_mismatch", "age_mismatch", "duplicate_id"], []]


def test_duplicate_id_with_nothing_to_tell_them_apart_marks_all(tmp_path: Path, catalog_url: str | None) -> None:
    got = _codes(tmp_path, catalog_url, [["买买提", "男", 36, GOOD], ["吐尔逊", "男", 36, GOOD]])
    assert got == [["duplicate_id"], ["duplicate_id"]]


def test_same_name_written_differently_is_not_a_duplicate(tmp_path: Path, catalog_url: str | None) -> None:
    got = _codes(tmp_path, catalog_url, [["买买提·吐尔逊", "男", 36, GOOD], ["买买提 吐尔逊", "男", 36, GOOD]])
    assert got == [[], []]


def test_summary_lists_rows_per_code_per_register(tmp_path: Path, catalog_url: str | None) -> None:
    arch = make_archive(tmp_path / "a", catalog_url)
    seq = add_exhibit(arch, "list.xlsx")
    add_table(arch, seq, "S", text_rows([["姓名", "性别", "身份证号"], ["a", "女", GOOD], ["b", "女", GOOD[:17]],
                                         ["买买提", "男", GOOD]]))
    extract(arch)
    s = summary(arch)
    assert s[0]["records"] == 3
    assert s[0]["anomalies"] == {"bad_length": [3], "gender_mismatch": [2], "duplicate_id": [2]}
    assert codes_for(arch)  # computed on demand after an extract


@pytest.mark.parametrize("title,expected", [("墨玉县名单（2017年12月）", "2017-12"), ("名单_2018", "2018"),
                                            ("名单 2018.03.15", "2018-03-15")])
def test_register_date_from_the_title(tmp_path: Path, title: str, expected: str) -> None:
    arch = make_archive(tmp_path / "a")
    seq = add_exhibit(arch, "x.xlsx")
    add_table(arch, seq, "S", text_rows([[title, None], ["姓名", "身份证号"], ["a", GOOD]]))
    s = extract(arch)
    assert s["registers"][0]["date"] == expected
