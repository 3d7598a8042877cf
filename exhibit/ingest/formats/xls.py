"""XLS (Excel 97-2003): every sheet a table; cells as the user sees them, with the stored type and value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import xlrd
from openpyxl.utils import get_column_letter

from exhibit.errors import CorruptFile
from exhibit.ingest.formats import IngestContext, cellformat
from exhibit.ingest.formats.office import decrypted_child, ole_metadata
from exhibit.ingest.types import Cell, Extraction, Row, Table, TableKind


class XlsIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/vnd.ms-excel",)
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".xls",)
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        try:
            book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
        except xlrd.XLRDError as e:
            if "encrypt" in str(e).lower():
                return Extraction(media_type=XlsIngestor.MEDIA_TYPES[0], metadata={"encrypted": True},
                                  children=[decrypted_child(path, ctx, "workbook")])
            raise CorruptFile(f"not a readable Excel 97-2003 workbook: {e}") from e
        except (xlrd.compdoc.CompDocError, AssertionError, IndexError, KeyError, ValueError) as e:
            raise CorruptFile(f"not a readable Excel 97-2003 workbook: {e}") from e
        metadata: dict[str, Any] = {}
        try:
            metadata = ole_metadata(path)
        except CorruptFile:
            metadata = {}
        if book.user_name and "last_modified_by" not in metadata:
            metadata["last_modified_by"] = book.user_name
        metadata["sheets"] = book.sheet_names()
        ext = Extraction(media_type=XlsIngestor.MEDIA_TYPES[0], metadata=metadata)
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            merged = [f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1)}{r1}"
                      for r0, r1, c0, c1 in sheet.merged_cells]
            visible = {0: "visible", 1: "hidden", 2: "veryHidden"}.get(sheet.visibility, "visible")
            ext.tables.append(Table(name=sheet.name, rows=_rows(book, sheet), kind=TableKind.SHEET,
                                    meta={"merged": merged, "state": visible}))
        return ext


def _rows(book: Any, sheet: Any) -> Iterator[Row]:
    for r in range(sheet.nrows):
        row = tuple(_cell(book, sheet.cell(r, c)) for c in range(sheet.row_len(r)))
        while row and row[-1].type == "":
            row = row[:-1]
        if row:
            yield Row(r + 1, row)


def _cell(book: Any, cell: Any) -> Cell:
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return Cell("", "")
    if kind == xlrd.XL_CELL_TEXT:
        return Cell(str(value), "s")
    if kind == xlrd.XL_CELL_BOOLEAN:
        return Cell("TRUE" if value else "FALSE", "b")
    if kind == xlrd.XL_CELL_ERROR:
        return Cell(xlrd.error_text_from_code.get(value, "#ERR"), "e")
    raw = cellformat.stored(float(value))
    if kind == xlrd.XL_CELL_DATE:
        try:
            return Cell(cellformat.when(xlrd.xldate.xldate_as_datetime(value, book.datemode)), "d", raw)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return Cell(raw, "d", raw)
    fmt = None
    if cell.xf_index is not None and cell.xf_index < len(book.xf_list):
        key = book.xf_list[cell.xf_index].format_key
        fmt = book.format_map[key].format_str if key in book.format_map else None
    shown = cellformat.number(value, fmt)
    return Cell(shown, "n", None if shown == raw else raw)
