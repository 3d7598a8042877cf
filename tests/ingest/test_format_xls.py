"""XLS (Excel 97-2003) ingestor: sheets as tables, shown values, stored types, merged ranges, OLE2 detection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exhibit.errors import CorruptFile
from exhibit.ingest.detect import XLS, detect
from exhibit.ingest.formats import IngestContext, choose
from exhibit.ingest.formats.xls import XlsIngestor

xlwt = pytest.importorskip("xlwt")


def _make(tmp_path: Path, name: str = "名单.xls") -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("扎瓦镇")
    ws.write_merge(0, 0, 0, 3, "墨玉县学员花名册")
    for c, h in enumerate(["姓名", "身份证号", "入学时间", "年龄"]):
        ws.write(1, c, h)
    ws.write(2, 0, "艾山·阿布来提")
    ws.write(2, 1, 653222198504122378.0)
    ws.write(2, 2, dt.datetime(2017, 12, 5), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    ws.write(2, 3, 33)
    ws.write(3, 0, "阿米娜·努尔")
    ws.write(3, 1, "653222195902177960")
    ws.write(3, 3, 1234.5, xlwt.easyxf(num_format_str="#,##0.00"))
    wb.add_sheet("第二页").write(4, 1, True)
    path = tmp_path / name
    wb.save(str(path))
    return path


def test_xls_is_detected_from_its_ole2_directory(tmp_path: Path) -> None:
    path = _make(tmp_path, "名单.dat")
    d = detect(path, path.name)
    assert d.media_type == XLS and not d.mislabelled
    assert type(choose(d.media_type, path.name)).__name__ == "XlsIngestor"


def test_cells_as_shown_with_their_stored_type(tmp_path: Path) -> None:
    ext = XlsIngestor().ingest(_make(tmp_path), IngestContext(workdir=tmp_path))
    assert [t.name for t in ext.tables] == ["扎瓦镇", "第二页"] == ext.metadata["sheets"]
    first = ext.tables[0]
    assert first.meta["merged"] == ["A1:D1"]
    rows = {r.number: r.cells for r in first.rows}
    assert rows[1][0].value == "墨玉县学员花名册"
    name, ident, date, age = rows[3]
    assert (ident.value, ident.type, ident.raw) == ("6.53222E+17", "n", "6.53222198504122e+17")
    assert (date.value, date.type) == ("2017-12-05", "d")
    assert (age.value, age.type, age.raw) == ("33", "n", None)
    assert rows[4][1].value == "653222195902177960" and rows[4][1].type == "s"
    assert rows[4][3].value == "1,234.50"
    second = {r.number: r.cells for r in ext.tables[1].rows}
    assert second[5][1].value == "TRUE" and second[5][1].type == "b"


def test_garbage_ole_file_is_corrupt(tmp_path: Path) -> None:
    path = _make(tmp_path)
    data = path.read_bytes()
    broken = tmp_path / "broken.xls"
    broken.write_bytes(data[:600])
    with pytest.raises(CorruptFile):
        XlsIngestor().ingest(broken, IngestContext(workdir=tmp_path))
