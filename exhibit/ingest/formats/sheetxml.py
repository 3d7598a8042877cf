"""One XLSX sheet part streamed row by row with lxml, cells rendered exactly as the openpyxl path did."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601, to_excel

from exhibit.ingest.formats import cellformat
from exhibit.ingest.types import Cell, Row

# Why not python-calamine, which parses a sheet ~3x faster still: it reads error cells (#DIV/0!) as empty
# strings, does not tell an empty cell from an empty string, returns every number as a float (an integer
# written as 18 digits loses its digits) and gives no number formats, so "25%" or "1,234.50" could not
# be shown as Excel shows them. Cells here must equal openpyxl's reading of them (tests compare both), so
# the sheet XML is parsed with lxml directly: openpyxl's own reader builds a dict and a cell object per
# cell, which is where its time goes.

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _IS, _T, _R = (_NS + n for n in ("row", "c", "v", "is", "t", "r"))
_EMPTY = Cell("", "")
_DIGITS = "0123456789"


@dataclass(frozen=True)
class SheetStyles:
    """What a cell's style index decides: its number format, and whether its serial is a date or a
    duration (openpyxl's workbook reader has already worked these out from styles.xml)."""

    formats: tuple[str, ...]
    dates: frozenset[int]
    durations: frozenset[int]
    epoch: dt.datetime

    @classmethod
    def of(cls, wb: Any) -> SheetStyles:
        formats = []
        for style in wb._cell_styles:
            fid = style.numFmtId
            if fid < BUILTIN_FORMATS_MAX_SIZE:
                formats.append(BUILTIN_FORMATS.get(fid, "General"))
            else:
                formats.append(wb._number_formats[fid - BUILTIN_FORMATS_MAX_SIZE])
        return cls(tuple(formats), frozenset(wb._date_formats), frozenset(wb._timedelta_formats), wb.epoch)


def rows(path: Path, part: str, styles: SheetStyles, shared: Sequence[Any],
         on_end: Callable[[], None]) -> Iterator[Row]:
    """The sheet's non-empty rows, numbered as Excel numbers them; `on_end` once the part is read.
    `shared` is the workbook's shared-string table."""
    columns: dict[str, int] = {}
    render = _Renderer(styles, shared)
    counter = 1
    with zipfile.ZipFile(path) as zf, zf.open(part.lstrip("/")) as f:
        # no DTD, no entities, no network: the part is untrusted input
        parser = etree.iterparse(f, events=("end",), tag=_ROW, resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False)
        row_counter = 0
        for _, el in parser:
            r = el.get("r")
            row_counter = _row_number(r) if r is not None else row_counter + 1
            cells = _cells(el, row_counter, columns, render)
            el.clear()
            # drop the rows already read so that the tree lxml builds stays one row deep
            while el.getprevious() is not None:
                del el.getparent()[0]
            # as openpyxl: a row numbered below one already read is not read again
            if row_counter < counter:
                continue
            counter = row_counter + 1
            if cells:
                yield Row(row_counter, cells)
    on_end()


def _row_number(r: str) -> int:
    try:
        return int(r)
    except ValueError:
        val = float(r)
        if val.is_integer():
            return int(val)
        raise ValueError(f"{r} is not a valid row number") from None


def _cells(row: Any, number: int, columns: dict[str, int], render: _Renderer) -> tuple[Cell, ...]:
    # A list, not a dict by column: cells nearly always come in column order, so a cell is appended.
    out: list[Cell] = []
    col = last = 0
    cell = render.cell
    # iterchildren(tag) picks the <c> children in C: reading each child's .tag in Python cost half a
    # microsecond a cell (the tag string is built anew each time)
    for c in row.iterchildren(_C):
        coord = c.get("r")
        if coord:
            letters = coord.rstrip(_DIGITS)
            col = columns.get(letters) or columns.setdefault(letters, column_index_from_string(letters))
        else:
            col += 1
        n = len(out)
        if col == n + 1:
            out.append(cell(c))
        elif col > n:
            out.extend([_EMPTY] * (col - n - 1))
            out.append(cell(c))
        else:
            out[col - 1] = cell(c)
        last = col
    # openpyxl sizes a row by its last cell (a cell right of it is dropped); trailing empty cells go
    del out[last:]
    while out and out[-1].type == "":
        out.pop()
    return tuple(out)


def _short_integer(v: str) -> bool:
    """An integer written without a sign or leading zero (or "-" and such), of at most 11 characters."""
    digits = v[1:] if v[:1] == "-" else v
    return (len(v) <= 11 and digits.isascii() and digits.isdigit()
            and (digits[0] != "0" or v == "0"))


class _Renderer:
    """Turns one <c> element into the Cell the openpyxl path made of it (see xlsx._cell)."""

    def __init__(self, styles: SheetStyles, shared: Sequence[Any]) -> None:
        self.styles, self.shared = styles, shared
        self.numbers: dict[tuple[str, int], Cell] = {}
        # per style: a number shown as General shows it, so a short integer is shown as it is stored
        self.plain = tuple(sid not in styles.dates and cellformat.shows_general(f) for sid, f in enumerate(styles.formats))
        self.texts: dict[str, Cell] = {}

    def cell(self, c: Any) -> Cell:
        t = c.get("t")
        if t == "inlineStr":
            if not len(c):
                return _EMPTY
            inline = c[0]
            if inline.tag != _IS:
                inline = c.find(_IS)
                if inline is None:
                    return _EMPTY
            if len(inline) == 1:
                first = inline[0]
                if first.tag == _T:
                    return self.text(first.text or "")
            parts = [inline.findtext(_T)] + [r.findtext(_T) for r in inline.iterfind(_R)]
            return self.text("".join(p for p in parts if p is not None))
        # <v> is nearly always the only child: indexing it costs a tenth of findtext's path lookup
        if not len(c):
            return _EMPTY
        first = c[0]
        v = first.text if first.tag == _V else c.findtext(_V)
        if not v:
            return _EMPTY
        if t is None or t == "n":
            s = c.get("s")
            return self.number(v, int(s) if s else 0)
        if t == "s":
            value = self.shared[int(v)]
            return _EMPTY if value is None else self.text(str(value))
        if t == "b":
            return Cell("TRUE" if int(v) else "FALSE", "b")
        if t == "d":
            return self.when(from_ISO8601(v))
        if t == "e":
            return Cell(v, "e")
        return Cell(v, "s")

    def text(self, value: str) -> Cell:
        # registers repeat their texts (reasons, places, decisions): one Cell per distinct text
        hit = self.texts.get(value)
        if hit is None:
            hit = Cell(value, "s")
            if len(self.texts) < 100_000:
                self.texts[value] = hit
        return hit

    def number(self, v: str, sid: int) -> Cell:
        if sid < len(self.plain) and self.plain[sid] and _short_integer(v):
            # a serial number or a count: General shows an integer of up to 11 characters as it is written
            # (cellformat.general; the tests compare with openpyxl's reading on random numbers)
            return Cell(v, "n")
        key = (v, sid)
        hit = self.numbers.get(key)
        if hit is not None:
            return hit
        value: int | float = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
        styles = self.styles
        if sid in styles.dates:
            try:
                when = from_excel(value, styles.epoch, timedelta=sid in styles.durations)
            except (OverflowError, ValueError):
                return Cell("#VALUE!", "e")
            out = self.when(when)
        else:
            fmt = styles.formats[sid] if sid < len(styles.formats) else "General"
            shown = cellformat.number(value, fmt)
            stored = cellformat.stored(float(value)) if isinstance(value, float) else str(value)
            out = Cell(shown, "n", None if stored == shown else stored)
        # registers repeat values (ages, years, codes); a bounded memo spares their formatting
        if len(self.numbers) < 100_000:
            self.numbers[key] = out
        return out

    @staticmethod
    def when(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> Cell:
        serial = None
        if isinstance(value, (dt.datetime, dt.date)):
            serial = cellformat.stored(float(to_excel(value)))
        return Cell(cellformat.when(value), "d", serial)
