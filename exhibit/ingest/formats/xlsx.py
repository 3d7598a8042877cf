"""XLSX: every sheet a streamed table; cells as the user sees them, with the stored type and value."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

import openpyxl
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import InvalidFileException

from exhibit.errors import CorruptFile
from exhibit.ingest.formats import IngestContext, cellformat, sheetxml
from exhibit.ingest.formats.ooxml import PACKAGE_ERRORS, check_package
from exhibit.ingest.types import Cell, Extraction, Row, Table, TableKind

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"')
_CHUNK = 1 << 20


class SheetReader(Enum):
    """How sheet rows are read: SHEETXML for ingest; OPENPYXL, openpyxl's own (slower) cell reader, is
    kept as the reference the fast reader is tested against."""

    SHEETXML = "sheetxml"
    OPENPYXL = "openpyxl"


class XlsxIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm")
    SCORE: ClassVar[int] = 10

    def __init__(self, reader: SheetReader = SheetReader.SHEETXML) -> None:
        self.reader = reader

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        check_package(path, ctx.limits, ratio=False)
        fh = open(path, "rb")  # noqa: SIM115 - closed when the last sheet's rows are consumed
        try:
            # Read-only: the sheet XML is streamed; data_only gives the values Excel last computed for
            # formulas, i.e. what the user saw. Given a file object because openpyxl refuses a path
            # without an .xlsx extension, and the blob store's paths have none; the streamed rows keep
            # it open until they are consumed.
            if self.reader is SheetReader.SHEETXML:
                wb, shared, parts = _workbook(fh)
            else:
                wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
                shared = []
                parts = [_SheetPart(ws.title, ws.sheet_state, ws._worksheet_path, ws) for ws in wb.worksheets
                         if hasattr(ws, "_worksheet_path")]
            styles = sheetxml.SheetStyles.of(wb)
        except (InvalidFileException, *PACKAGE_ERRORS) as e:
            fh.close()
            raise CorruptFile(f"not a readable Excel workbook: {e}") from e
        ext = Extraction(media_type=XlsxIngestor.MEDIA_TYPES[0], metadata=_properties(wb))
        ext.metadata["sheets"] = [p.title for p in parts]
        pending = _Pending(len(parts), wb, fh)
        for part in parts:
            merged = merged_ranges(path, part.path)
            meta: dict[str, Any] = {"merged": merged, "state": part.state}
            rows = _streamed(path, part, styles, shared, pending) if part.sheet is None \
                else openpyxl_rows(part.sheet, pending)
            ext.tables.append(Table(name=part.title, rows=rows, kind=TableKind.SHEET, meta=meta))
        if not parts:
            pending.done()
        return ext


@dataclass(frozen=True)
class _SheetPart:
    """A worksheet of the workbook: its title, visibility, zip part, and openpyxl's sheet when read by it."""

    title: str
    state: str
    path: str
    sheet: Any = None


class _WorkbookReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's workbook reader (manifest, shared strings, workbook, properties, styles) without its
    read_worksheets: a read-only sheet sizes itself on opening, and a sheet without a <dimension>
    (openpyxl's own write-only files) is then parsed to its end once before a single row is read."""

    def sheets(self) -> list[_SheetPart]:
        self.read_manifest()
        self.read_strings()
        self.read_workbook()
        self.read_properties()
        apply_stylesheet(self.archive, self.wb)
        return [_SheetPart(sheet.name, sheet.state or "visible", rel.target)
                for sheet, rel in self.parser.find_sheets()
                if rel.target in self.valid_files and "chartsheet" not in rel.Type]


def _workbook(fh: Any) -> tuple[Any, list[Any], list[_SheetPart]]:
    reader = _WorkbookReader(fh, read_only=True, data_only=True)
    with contextlib.ExitStack() as on_failure:  # the zip is closed if reading the workbook fails, kept if not
        on_failure.callback(reader.archive.close)
        parts = reader.sheets()
        on_failure.pop_all()
    return reader.wb, reader.shared_strings, parts


class _Pending:
    """Closes the workbook once every sheet's row stream has been read to its end."""

    def __init__(self, count: int, wb: Any, fh: Any) -> None:
        self.count, self.wb, self.fh = count, wb, fh

    def done(self) -> None:
        self.count -= 1
        if self.count <= 0:
            self.close()

    def close(self) -> None:
        self.wb.close()
        self.fh.close()


def _streamed(path: Path, part: _SheetPart, styles: sheetxml.SheetStyles, shared: list[Any],
              pending: _Pending) -> Iterator[Row]:
    """The sheet's non-empty rows, one at a time (a million-row sheet never sits in memory), read by
    sheetxml at several times openpyxl's pace."""
    try:
        yield from sheetxml.rows(path, part.path, styles, shared, pending.done)
    except PACKAGE_ERRORS as e:
        raise CorruptFile(f"sheet {part.title!r} cannot be read: {e}") from e


def openpyxl_rows(ws: Any, pending: _Pending) -> Iterator[Row]:
    """The same rows through openpyxl's own cell reader: the reference sheetxml is tested against."""
    ws.reset_dimensions()  # trust the rows in the file, not a possibly wrong <dimension>
    try:
        for number, cells in enumerate(ws.iter_rows(min_row=1), 1):
            row = tuple(_cell(c) for c in cells)
            while row and row[-1].type == "":
                row = row[:-1]
            if row:
                yield Row(number, row)
    except PACKAGE_ERRORS as e:
        raise CorruptFile(f"sheet {ws.title!r} cannot be read: {e}") from e
    pending.done()


def _cell(c: Any) -> Cell:
    value = getattr(c, "value", None)
    if value is None:
        return Cell("", "")
    if isinstance(value, bool):
        return Cell("TRUE" if value else "FALSE", "b")
    if isinstance(value, (int, float)):
        shown = cellformat.number(value, getattr(c, "number_format", None))
        stored = cellformat.stored(float(value)) if isinstance(value, float) else str(value)
        return Cell(shown, "n", None if stored == shown else stored)
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        serial = None
        if isinstance(value, (dt.datetime, dt.date)):
            serial = cellformat.stored(float(to_excel(value)))
        return Cell(cellformat.when(value), "d", serial)
    if getattr(c, "data_type", "s") == "e":
        return Cell(str(value), "e")
    return Cell(str(value), "s")


def merged_ranges(path: Path, part: str) -> list[str]:
    """The <mergeCell ref> ranges of one sheet part. openpyxl's read-only mode does not report merged
    cells, so the part is streamed once and scanned for the element (no XML tree is built, so no entity
    can be expanded and memory stays flat)."""
    found: dict[str, None] = {}
    try:
        with zipfile.ZipFile(path) as zf, zf.open(part.lstrip("/")) as f:
            tail = b""
            while chunk := f.read(_CHUNK):
                buf = tail + chunk
                for m in _MERGE.finditer(buf):
                    found[m.group(1).decode("ascii").upper()] = None
                tail = buf[-256:]
    except PACKAGE_ERRORS as e:
        raise CorruptFile(f"sheet part {part} cannot be read: {e}") from e
    return list(found)


def _properties(wb: Any) -> dict[str, Any]:
    props = wb.properties
    out: dict[str, Any] = {}
    for key in ("title", "subject", "creator", "lastModifiedBy", "keywords", "description", "category"):
        value = getattr(props, key, None)
        if value:
            out["author" if key == "creator" else "last_modified_by" if key == "lastModifiedBy" else key] = value
    for attr, key in (("created", "creation_date"), ("modified", "modification_date")):
        value = getattr(props, attr, None)
        if isinstance(value, dt.datetime):
            out[key] = value.isoformat()
    return out
