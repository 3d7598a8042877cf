"""XLSX ingestor: sheets as streamed tables, cells as the user sees them, stored types kept, merges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from exhibit.config import Limits
from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.formats.xlsx import XlsxIngestor
from exhibit.ingest.types import Extraction

REGISTER = "registers/墨玉县学员花名册_2018.xlsx"


def _ingest(path: Path, tmp_path: Path, limits: Limits | None = None) -> Extraction:
    return XlsxIngestor().ingest(path, IngestContext(workdir=tmp_path, limits=limits or Limits()))


def test_every_register_id_is_in_its_sheet_and_row(corpus_dir: Path, truth: dict[str, Any], tmp_path: Path) -> None:
    ext = _ingest(corpus_dir / REGISTER, tmp_path)
    sheets = {t.name: {r.number: r for r in t.rows} for t in ext.tables}
    mangled = {a["id"] for a in truth["anomalies"] if a["file"] == REGISTER and a["type"] == "float_mangled"}
    assert mangled
    seen_mangled = set()
    for entry in truth["registers"][REGISTER]:
        row = sheets[entry["sheet"]][entry["row"]]
        if entry["id"] in mangled:
            cell = next(c for c in row.cells if c.type == "n" and c.raw and "e+17" in c.raw)
            # shown as Excel's General format shows it, stored with Excel's 15 significant digits
            assert cell.value == f"{float(entry['id']):.5E}"  # e.g. 6.53222E+17, as Excel shows it
            assert cell.raw == f"{float(entry['id'][:15] + '000'):.15g}"
            seen_mangled.add(entry["id"])
        else:
            assert any(c.value == entry["id"] and c.type == "s" for c in row.cells), entry
    assert seen_mangled == mangled


def test_sheet_titles_and_merged_title_rows(corpus_dir: Path, truth: dict[str, Any], tmp_path: Path) -> None:
    ext = _ingest(corpus_dir / REGISTER, tmp_path)
    expected = list(dict.fromkeys(e["sheet"] for e in truth["registers"][REGISTER]))
    assert [t.name for t in ext.tables] == expected == ext.metadata["sheets"]
    for t in ext.tables:
        assert t.kind == "sheet" and t.meta["merged"] == ["A1:K1"]
        assert not isinstance(t.rows, list)  # streamed, not materialised


def _make(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    rows: list[list[Any]] = [
        ["花名册"],
        ["姓名", "身份证号", "入学时间", "比例"],
        ["艾山·阿布来提", 653222198504122378, dt.datetime(2017, 12, 5), 0.25],
        ["阿米娜·努尔", "653222195902177960", dt.datetime(2018, 3, 14, 10, 22, 31), True],
        [None, 1234.5],
    ]
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values, 1):
            if value is not None:
                ws.cell(r, c, value)
    ws["D3"].number_format = "0%"
    ws["B5"].number_format = "#,##0.00"
    ws["A9"] = 0.1 + 0.2
    ws.merge_cells("A1:D1")
    ws.merge_cells("C5:D6")
    ws2 = wb.create_sheet("空白")
    ws2["A1"] = None
    path = tmp_path / "made.xlsx"
    wb.save(path)
    return path


def test_values_types_and_raw_of_a_made_workbook(tmp_path: Path) -> None:
    ext = _ingest(_make(tmp_path), tmp_path)
    table = ext.tables[0]
    assert table.meta["merged"] == ["A1:D1", "C5:D6"]
    rows = {r.number: r.cells for r in table.rows}
    assert rows[1][0].value == "花名册"
    name, ident, date, share = rows[3]
    assert (ident.value, ident.type, ident.raw) == ("6.53222E+17", "n", "6.53222198504122e+17")
    assert (date.value, date.type) == ("2017-12-05", "d") and date.raw == "43074"
    assert (share.value, share.type, share.raw) == ("25%", "n", "0.25")
    assert [c.value for c in rows[4]] == ["阿米娜·努尔", "653222195902177960", "2018-03-14T10:22:31", "TRUE"]
    assert rows[4][1].type == "s" and rows[4][3].type == "b"
    assert rows[5][1].value == "1,234.50"
    assert (rows[9][0].value, rows[9][0].raw) == ("0.3", None)  # 0.30000000000000004 as Excel shows it
    assert 7 not in rows and 8 not in rows  # empty rows are left out, numbers stay Excel's
    assert [t.name for t in ext.tables] == ["名单", "空白"]
    assert list(ext.tables[1].rows) == []


def test_a_large_sheet_streams_row_by_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("big")
    for i in range(20000):
        ws.append([i, f"name {i}", "653222198108166678"])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    ext = _ingest(path, tmp_path)
    rows = ext.tables[0].rows
    assert isinstance(rows, Iterator)
    first = next(rows)
    assert first.number == 1 and first.cells[0].value == "0"
    assert sum(1 for _ in rows) == 19999


def test_a_part_over_the_member_limit_is_refused(tmp_path: Path) -> None:
    path = _make(tmp_path)
    with pytest.raises(LimitExceeded):
        _ingest(path, tmp_path, Limits(member_bytes=100))


def test_a_broken_workbook_is_corrupt(tmp_path: Path, corpus_dir: Path) -> None:
    data = (corpus_dir / REGISTER).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile):
        _ingest(path, tmp_path)
