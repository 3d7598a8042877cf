"""A spreadsheet damaged halfway through a sheet is preserved, keeps the rows read so far, and gets a
status with a reason naming the sheet; the ingest goes on."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.ingest import ingest


def _damaged_xlsx(path: Path, rows: int) -> None:
    good = path.with_suffix(".good.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["序号", "姓名", "公民身份号码"])
    for i in range(rows):
        ws.append([i + 1, f"名字{i}", f"65322219800101{i % 10000:04d}"])
    wb.save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("worksheets/sheet1.xml"):
                data = data[: len(data) // 2]  # the sheet's XML stops in the middle of a row
            dst.writestr(info, data)
    good.unlink()


def test_a_sheet_cut_halfway_keeps_its_first_rows_and_says_where_it_stopped(tmp_path: Path) -> None:
    src = tmp_path / "cache"
    src.mkdir()
    _damaged_xlsx(src / "register.xlsx", 3000)
    (src / "after.txt").write_text("收押 the ingest went on", encoding="utf-8")
    root = tmp_path / "archive"
    arch = Archive.init(root)
    summary = ingest(arch, [src], Config(jobs=1, ocr=False))
    by_path = {p: e for e in (x.as_json() for x in arch.exhibits()) for p in e["paths"]}
    reg = by_path["register.xlsx"]
    assert reg["status"] in ("corrupt", "failed") and "名单" in (reg["reason"] or "")
    (table,) = arch.tables(arch.resolve(reg["id"]))
    assert 0 < table.row_count < 3001
    assert by_path["after.txt"]["status"] == "ok"
    assert summary.new_exhibits == 2
    arch.close()
