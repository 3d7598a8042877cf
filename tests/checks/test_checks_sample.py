"""`records check` finds every planted anomaly and flags no clean row (scratch catalog of the dev registers)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "records"))

from scratch import add_sample, make_archive  # noqa: E402

from exhibit.archive import Archive  # noqa: E402
from exhibit.checks import CODES, EXPLANATIONS, check, codes_for  # noqa: E402


@pytest.fixture(scope="module", params=["scratch", "dev_archive"])
def checked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            corpus_dir: Path, module_catalog_url: str | None) -> tuple[Archive, dict[str, Any]]:
    """Checks run on the dev registers: read by the format ingestors alone (scratch), or the ingested
    dev archive (copied, since extraction writes); on each engine (the dev archive moved by catalog copy)."""
    import shutil

    from pg_support import to_engine

    from exhibit.records import extract

    root = tmp_path_factory.mktemp("checks") / "archive"
    if request.param == "scratch":
        arch = make_archive(root, module_catalog_url)
        add_sample(arch, corpus_dir)
    else:
        shutil.copytree(request.getfixturevalue("dev_archive"), root)
        engine = "sqlite" if module_catalog_url is None else "postgresql"
        server = request.getfixturevalue("postgres_server") if module_catalog_url else None
        arch = Archive.open(to_engine(root, engine, server))
    extract(arch)
    return arch, check(arch).as_json()


def test_every_planted_anomaly_is_found_with_its_code(checked: tuple[Archive, dict[str, Any]],
                                                      truth: dict[str, Any]) -> None:
    _, result = checked
    for a in truth["anomalies"]:
        hits = [x for x in result["anomalies"] if x["name"] == a["name_zh"]
                and (x["id_number"] or "")[:15] == a["id"][:15] and a["type"] in x["codes"]]
        assert hits, a


def test_no_clean_row_is_flagged(checked: tuple[Archive, dict[str, Any]], truth: dict[str, Any]) -> None:
    _, result = checked
    clean = {(p["id"], p["name_zh"]) for p in truth["persons"] if not p["anomalies"]}
    wrong = [x for x in result["anomalies"] if (x["id_number"], x["name"]) in clean
             and set(x["codes"]) - {"region_retired"}]
    assert wrong == []


def test_result_has_the_contract_shape_and_every_code_explains_itself(
        checked: tuple[Archive, dict[str, Any]]) -> None:
    arch, result = checked
    assert result["records"] > 1000
    for a in result["anomalies"]:
        assert {"record_id", "id_number", "name", "codes", "source"} <= set(a)
        assert {"id", "path", "sheet", "page", "row"} <= set(a["source"])
    assert set(EXPLANATIONS) == set(CODES)
    assert codes_for(arch) == {a["record_id"]: a["codes"] for a in result["anomalies"]}


def test_as_of_moves_the_age_check(checked: tuple[Archive, dict[str, Any]]) -> None:
    arch, _ = checked
    shifted = check(arch, as_of="2030-06-30").as_json()
    assert shifted["counts"]["age_mismatch"] > 200
    back = check(arch).as_json()
    assert back["counts"]["age_mismatch"] < 10


def test_the_id_screen_leaves_out_no_record_a_rule_would_code(checked: tuple[Archive, dict[str, Any]]) -> None:
    """records.id_screen only marks records for the checks to judge: every record it leaves unmarked, judged
    in Python by the rules, has no code (duplicate_id aside: it needs every record, and is found apart)."""
    import datetime as dt

    from exhibit.checks.rules import Facts, codes

    arch, _ = checked
    if arch.catalog.dialect != "sqlite":
        # Not a hole: the screen exists on SQLite only; on PostgreSQL no record is left out, and
        # test_postgresql_stores_what_sqlite_stores pins that both engines store the same codes.
        pytest.skip("the ID screen is SQLite's bulk extraction; on PostgreSQL every record with an ID is judged")
    dates = {r[0]: r[1] for r in arch.catalog.execute("SELECT table_id, date FROM records_registers")}
    left_out = arch.catalog.execute("SELECT table_id, id_number, gender, age FROM records "
                                    "WHERE suspect IS NULL AND id_cell IS NULL").fetchall()
    marked = arch.catalog.execute("SELECT COUNT(*) FROM records WHERE suspect = 1").fetchone()[0]
    assert len(left_out) > 1000 and marked > 0  # the screen leaves most out, so this tests it
    today = dt.date.today()
    coded = [(idn, cs) for tid, idn, gender, age in left_out
             if (cs := codes(Facts(idn, idn, "s", None, gender, age), dates[tid], today))]
    assert coded == []
