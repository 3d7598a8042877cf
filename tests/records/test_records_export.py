"""Exports: pseudonymised by default and stable, identified only with a purpose, every export logged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from scratch import add_exhibit, add_table, make_archive, text_rows

from exhibit.archive import Archive
from exhibit.errors import UserError
from exhibit.records import export, extract, iter_records, pseudonymise
from exhibit.records.store import secret

ROWS = [["序号", "姓名", "性别", "身份证号", "户籍地址", "家庭情况", "收押原因"],
        [1, "买买提·吐尔逊", "男", "653222198108166678", "墨玉县扎瓦镇7村", "父亲玉素甫·伊布拉音（在校）",
         "买买提·吐尔逊境外有亲属"],
        [2, "阿依古丽·艾山", "女", "65322219840410202X", "墨玉县奎牙镇12村", "", "超生"]]


@pytest.fixture()
def arch(tmp_path: Path, catalog_url: str | None) -> Archive:
    a = make_archive(tmp_path / "archive", catalog_url)
    seq = add_exhibit(a, "list.xlsx")
    add_table(a, seq, "S", text_rows(ROWS))
    extract(a)
    return a


SENSITIVE = ("买买提·吐尔逊", "653222198108166678", "玉素甫·伊布拉音", "65322219840410202X", "1981-08-16", "7村")


def test_default_export_is_pseudonymised_everywhere_including_cells(arch: Archive) -> None:
    buf = io.StringIO()
    res = export(arch, "csv", stream=buf)
    text = buf.getvalue()
    assert res["records"] == 2
    for s in SENSITIVE:
        assert s not in text, s
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["id_number"] == "6532221981********" and rows[0]["name"].startswith("P-")
    assert rows[0]["county"] == "墨玉县" and rows[0]["source_row"] == "2"
    rec = pseudonymise(next(iter_records(arch)), secret(arch.catalog))
    assert all(s not in json.dumps(rec, ensure_ascii=False) for s in SENSITIVE)


def test_pseudonyms_are_stable_per_archive_and_differ_between_archives(arch: Archive, tmp_path: Path) -> None:
    r = next(iter_records(arch))
    a = pseudonymise(r, secret(arch.catalog))["name"]
    assert a == pseudonymise(dict(r, name="买买提 吐尔逊"), secret(arch.catalog))["name"]
    other = make_archive(tmp_path / "other")
    assert a != pseudonymise(r, secret(other.catalog))["name"]


def test_identified_export_needs_a_purpose_and_is_logged(arch: Archive, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="--purpose"):
        export(arch, "csv", tmp_path / "x.csv", identified=True)
    out = tmp_path / "x.csv"
    export(arch, "csv", out, identified=True, purpose="tribunal submission", actor="analyst1")
    assert "653222198108166678" in out.read_text(encoding="utf-8")
    ev = [e for e in arch.custody_events() if e.event == "exported"]
    assert len(ev) == 1
    details = ev[0].details
    assert details["purpose"] == "tribunal submission" and details["count"] == 2 and details["identified"]
    assert ev[0].actor == "analyst1"
    export(arch, "csv", tmp_path / "y.csv")
    assert len([e for e in arch.custody_events() if e.event == "exported"]) == 2


def test_xlsx_export_keeps_id_numbers_as_text(arch: Archive, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    export(arch, "xlsx", out, identified=True, purpose="check")
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("id_number") + 1)
    assert cell.value == "653222198108166678" and cell.data_type == "s"


def test_ftm_export_gives_valid_person_entities_with_provenance(arch: Archive, tmp_path: Path) -> None:
    from followthemoney import model

    out = tmp_path / "r.ftm.json"
    export(arch, "ftm", out)
    entities = [model.get_proxy(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines()]
    people = [e for e in entities if e.schema.name == "Person" and "-rel" not in (e.id or "")]
    docs = [e for e in entities if e.schema.name == "Documentation"]
    assert len(people) == 2 and len(docs) == 2
    assert len([e for e in entities if e.schema.name == "Document"]) == 1
    assert people[0].get("idNumber") == ["6532221981********"]
    assert "row 2" in docs[0].get("summary")[0]
    assert [e for e in entities if e.schema.name == "Family"]
