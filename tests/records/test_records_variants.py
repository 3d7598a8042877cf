"""Registers made by other hands: every combination of the generator's grid (header spellings x decorations x
layouts x datings x value forms x formats, pairwise) maps to the right fields and values, and the checks find
every planted anomaly and flag no clean row."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import gen_registers as gen  # noqa: E402
from scratch import add_file, make_archive  # noqa: E402

from exhibit.archive import Archive  # noqa: E402
from exhibit.checks import check  # noqa: E402
from exhibit.records import extract, iter_records, registers  # noqa: E402

REGISTERS = list(gen.registers())


@pytest.fixture(scope="module")
def grid_archive(tmp_path_factory: pytest.TempPathFactory,
                 module_catalog_url: str | None) -> Iterator[tuple[Archive, dict[str, Any]]]:
    """Every register of the grid written to its file, read by the real format ingestors, extracted and
    checked once, on each engine."""
    root = tmp_path_factory.mktemp("variants")
    files = root / "files"
    files.mkdir()
    arch = make_archive(root / "archive", module_catalog_url)
    for reg in REGISTERS:
        add_file(arch, gen.write(reg, files), reg.filename, root / "work")
    summary = extract(arch)
    result = check(arch).as_json()
    yield arch, {"summary": summary, "check": result, "records": list(iter_records(arch))}
    arch.close()


def _mine(data: dict[str, Any], reg: gen.Register) -> list[dict[str, Any]]:
    return [r for r in data["records"] if r["source"]["path"] == reg.filename]


@pytest.mark.parametrize("reg", REGISTERS, ids=[r.variant.key for r in REGISTERS])
def test_every_column_maps_to_its_field(grid_archive: tuple[Archive, dict[str, Any]], reg: gen.Register) -> None:
    arch, _ = grid_archive
    tables = [r for r in registers(arch) if r["path"] == reg.filename]
    assert tables and all(t["status"] == "register" for t in tables), [(t["status"], t["reason"]) for t in tables]
    for t in tables:
        assert list(t["columns"].values()) == reg.fields, t["columns"]
        assert t["date"] == reg.date, (t["title"], t["date"])


@pytest.mark.parametrize("reg", REGISTERS, ids=[r.variant.key for r in REGISTERS])
def test_every_row_reads_as_its_person(grid_archive: tuple[Archive, dict[str, Any]], reg: gen.Register) -> None:
    _, data = grid_archive
    recs = _mine(data, reg)
    assert len(recs) == len(reg.people)
    by_id = {r["id_number"]: r for r in recs}
    for p in reg.people:
        r = by_id.get(p.id_number)
        assert r is not None, (p.id_number, [x["id_number_raw"] for x in recs])
        got = (r["name"], r["gender"], r["age"], r["birth_date"], r["address"], r["reason"])
        assert got == (p.name, p.gender, p.age, gen.birth_truth(p.birth, reg.variant.date_form), p.address,
                       p.reason), r["cells"]
        assert r["birth_date_from"] == "stated"
        if reg.variant.fmt == "pdf":
            assert r["source"]["row"] == p.row
        elif reg.variant.fmt == "docx":  # a DOCX table's rows count from its first (header) row
            assert r["source"]["row"] == reg.at[p.row] - reg.header_rows[0] + 1
        else:
            assert r["source"]["row"] == reg.at[p.row] + 1
        if reg.variant.layout == "two_row_family":
            assert [(m["name"], m["relation"], m["status"]) for m in r["family"]] == [
                (p.relative, p.relation[1], p.relative_status)]


@pytest.mark.parametrize("reg", REGISTERS, ids=[r.variant.key for r in REGISTERS])
def test_checks_find_every_planted_anomaly_and_no_clean_row(grid_archive: tuple[Archive, dict[str, Any]],
                                                          reg: gen.Register) -> None:
    _, data = grid_archive
    found = {a["id_number"]: set(a["codes"]) for a in data["check"]["anomalies"]
             if a["source"]["path"] == reg.filename}
    for p in reg.people:
        assert found.get(p.id_number, set()) == ({p.anomaly} if p.anomaly else set()), (p.anomaly, p.id_number)


def test_the_grid_covers_every_value_of_every_axis_in_pairs() -> None:
    seen = {(a, getattr(r.variant, a)) for r in REGISTERS for a in ("spelling", "decoration", "layout", "dating",
                                                                     "age_form", "date_form", "fmt")}
    assert {v for a, v in seen if a == "fmt"} == set(gen.FORMATS)
    assert {v for a, v in seen if a == "spelling"} == set(gen.SPELLINGS)
    assert {v for a, v in seen if a == "date_form"} == set(gen.DATE_FORMS)
    assert {v for a, v in seen if a == "layout"} == set(gen.LAYOUTS)
    pairs = {(r.variant.fmt, r.variant.layout) for r in REGISTERS}
    assert pairs == {(f, lay) for f in gen.FORMATS for lay in gen.LAYOUTS}


def test_records_check_on_the_command_line_finds_exactly_the_planted_anomalies(
        grid_archive: tuple[Archive, dict[str, Any]]) -> None:
    import json
    import subprocess

    arch, _ = grid_archive
    out = subprocess.run([sys.executable, "-c", "from exhibit.cli.main import main; main()", "records", "check",
                          "--json", "--archive", str(arch.root)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = {(a["source"]["path"], a["id_number"], tuple(a["codes"])) for a in json.loads(out.stdout)["anomalies"]}
    planted = {(reg.filename, p.id_number, (p.anomaly,)) for reg in REGISTERS for p in reg.people if p.anomaly}
    assert got == planted
