"""The fast sheet reader (sheetxml) gives exactly the cells openpyxl's own reader gave, on generated sheets."""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from exhibit.config import Limits
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.formats.xlsx import SheetReader, XlsxIngestor

# openpyxl warns of a number shown with a date format beyond the dates it can make (so do we: #VALUE!)
pytestmark = pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")

FORMATS = ["General", "0", "0.00", "#,##0", "#,##0.00", "0%", "0.0%", "@", "yyyy-mm-dd", "h:mm:ss",
           "[h]:mm:ss", "mm/dd/yyyy hh:mm", '"¥"#,##0.00', "0.00E+00", "#,##0;[Red]-#,##0", "m月d日"]


def _value(rnd: random.Random) -> Any:
    kind = rnd.randrange(12)
    if kind == 0:
        return rnd.randint(-10**6, 10**6)
    if kind == 1:
        return rnd.uniform(-1e12, 1e12) * rnd.choice([1, 1e-9, 1e-3, 1e6])
    if kind == 2:  # an 18-digit ID typed as a number, and as text
        return int("65" + "".join(rnd.choice("0123456789") for _ in range(16)))
    if kind == 3:
        return "".join(rnd.choice("0123456789") for _ in range(17)) + rnd.choice("0123456789X")
    if kind == 4:
        return dt.datetime(rnd.randint(1901, 2030), rnd.randint(1, 12), rnd.randint(1, 28),
                           rnd.choice([0, rnd.randint(0, 23)]), rnd.randint(0, 59), rnd.randint(0, 59))
    if kind == 5:
        return dt.date(rnd.randint(1950, 2020), rnd.randint(1, 12), rnd.randint(1, 28))
    if kind == 6:
        return dt.time(rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59))
    if kind == 7:
        return rnd.choice([True, False])
    if kind == 8:
        return rnd.choice(["买买提·吐尔逊", "مەمەت تۇرسۇن", "Mamat Tursun", " leading space", "tab\there", "", "a\nb"])
    if kind == 9:
        return rnd.choice([0, 0.1 + 0.2, 1e-10, 123456789012.0, -0.5, 1e15, 2**53])
    if kind == 10:
        return dt.timedelta(hours=rnd.randint(0, 100), minutes=rnd.randint(0, 59))
    return None


def _openpyxl_sheet(path: Path, seed: int, write_only: bool) -> None:
    """Random cells of every type, each with a random number format; gaps, empty rows, several sheets."""
    rnd = random.Random(seed)
    wb = openpyxl.Workbook(write_only=write_only)
    sheets = [wb.create_sheet(f"表{i}") for i in range(rnd.randint(1, 3))] if write_only else \
        [wb.active] + [wb.create_sheet(f"表{i}") for i in range(rnd.randint(0, 2))]
    for ws in sheets:
        for r in range(1, rnd.randint(2, 60)):
            values = [_value(rnd) if rnd.random() < 0.8 else None for _ in range(rnd.randint(0, 14))]
            if write_only:
                from openpyxl.cell import WriteOnlyCell
                row = []
                for v in values:
                    cell = WriteOnlyCell(ws, value=v)
                    cell.number_format = rnd.choice(FORMATS)
                    row.append(cell)
                ws.append(row)
                continue
            if rnd.random() < 0.1:
                continue  # an empty row
            for c, v in enumerate(values, 1):
                if v is not None:
                    cell = ws.cell(r, c, v)
                    cell.number_format = rnd.choice(FORMATS)
    if not write_only and rnd.random() < 0.5:
        wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    wb.save(path)


INTEGER_SPELLINGS = ["0", "-0", "007", "+5", "-12", "99999999999", "100000000000", "-9999999999",
                     "-10000000000", "12345678901234567", "1E3", "00"]


def _hand_written(path: Path, seed: int) -> None:
    """Sheet XML written the way other producers write it: shared strings with rich text runs, cells
    without `r`, rows without `r`, gaps, out-of-order and repeated rows, t="str", "e", "d", "b"."""
    rnd = random.Random(seed)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    shared = ["名单", "", "Mamat", "653222198504122378"]
    sst = "".join(f"<si><t>{s}</t></si>" for s in shared) + \
        "<si><r><t>阿不都</t></r><r><rPr><b/></rPr><t>拉</t></r><rPh sb='0' eb='1'><t>x</t></rPh></si>"
    rows = []
    number = 0
    for _ in range(rnd.randint(5, 40)):
        number = max(1, number + rnd.choice([1, 1, 1, 2, 5, 0, -1]))
        cells = []
        col = 0
        for _ in range(rnd.randint(0, 8)):
            col += rnd.choice([1, 1, 2, 3])
            letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col - 1] if col <= 26 else "AA"
            ref = f' r="{letter}{number}"' if rnd.random() < 0.8 else ""
            style = f' s="{rnd.randrange(4)}"' if rnd.random() < 0.5 else ""
            kind = rnd.randrange(11)
            cells.append([
                f'<c{ref}{style}><v>{rnd.randint(-99999, 99999)}</v></c>',
                f'<c{ref}{style} t="n"><v>{rnd.uniform(-1e6, 1e6)!r}</v></c>',
                f'<c{ref} t="s"><v>{rnd.randrange(len(shared) + 1)}</v></c>',
                f'<c{ref} t="str"><f>A1</f><v>公式值</v></c>',
                f'<c{ref} t="e"><v>#DIV/0!</v></c>',
                f'<c{ref} t="b"><v>{rnd.randint(0, 1)}</v></c>',
                f'<c{ref} t="d"><v>2018-03-14T10:22:31</v></c>',
                f'<c{ref} t="inlineStr"><is><r><t>ئۇيغۇر</t></r><r><t> 2</t></r></is></c>',
                f'<c{ref}{style}/>',
                f'<c{ref}{style}><v>653222198504122378</v></c>',
                # integers as other producers write them: signs, leading zeros, at and past General's width
                f'<c{ref}{style}><v>{rnd.choice(INTEGER_SPELLINGS)}</v></c>',
            ][kind])
        attrs = f' r="{number}"' if rnd.random() < 0.9 else ""
        rows.append(f"<row{attrs}>{''.join(cells)}</row>")
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>{"".join(rows)}' \
            '</sheetData></worksheet>'
    styles = (f'<styleSheet xmlns="{ns}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
              '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.styles+xml"/></Types>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'relationships"><Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
                   '<sheet name="登记" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
                   f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" '
                   f'Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
                   '</Relationships>')
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{ns}">{sst}</sst>')
        z.writestr("xl/styles.xml", styles)
        z.writestr("xl/worksheets/sheet1.xml", sheet)


Maker = Callable[[Path, int], None]
VARIANTS: list[tuple[str, Maker]] = [
    ("openpyxl", lambda p, s: _openpyxl_sheet(p, s, write_only=False)),
    ("openpyxl-write-only", lambda p, s: _openpyxl_sheet(p, s, write_only=True)),
    ("hand-written", _hand_written),
]


def _read(path: Path, tmp_path: Path, reader: SheetReader) -> list[tuple[str, Any, list[tuple[int, Any]]]]:
    ext = XlsxIngestor(reader).ingest(path, IngestContext(workdir=tmp_path, limits=Limits()))
    return [(t.name, t.meta, [(r.number, r.cells) for r in t.rows]) for t in ext.tables]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("variant", "make"), VARIANTS, ids=[v for v, _ in VARIANTS])
def test_sheetxml_cells_equal_openpyxl_cells(variant: str, make: Maker, seed: int, tmp_path: Path) -> None:
    path = tmp_path / f"{variant}-{seed}.xlsx"
    make(path, seed)
    ours = _read(path, tmp_path, SheetReader.SHEETXML)
    reference = _read(path, tmp_path, SheetReader.OPENPYXL)
    assert sum(len(rows) for _, _, rows in reference) > 0  # the comparison is over real cells
    assert ours == reference


def test_the_default_reader_is_the_fast_one() -> None:
    assert XlsxIngestor().reader is SheetReader.SHEETXML
