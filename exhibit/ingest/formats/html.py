"""HTML: the visible text as page 1 (no script/style), the title, the tables; decoded with the declared
charset when the bytes agree with it, else with the one they show (the decision is in the metadata)."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from exhibit.config import Limits
from exhibit.ingest.formats import IngestContext, charset
from exhibit.ingest.types import Cell, Extraction, Page, Row, Table, TableKind

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_INVISIBLE = {"script", "style", "noscript", "template", "svg", "object"}
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
          "header", "footer", "blockquote", "pre", "hr", "dt", "dd", "ul", "ol", "title", "body", "td", "th"}
# WHATWG: these labels mean a superset in browsers; decoding with the superset loses nothing.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs",
             "iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


class HtmlIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("text/html", "application/xhtml+xml")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".html", ".htm", ".xhtml")
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        data = path.read_bytes()
        encoding, declared, overruled = _encoding(data)
        parser = _TextParser(ctx.limits.span_cells)
        parser.feed(data.decode(encoding, errors="replace").lstrip("\ufeff"))
        parser.close()
        metadata: dict[str, object] = {"encoding": encoding}
        if declared:
            metadata["declared_charset"] = declared
        if overruled:
            metadata["charset_overruled"] = overruled
        title = " ".join("".join(parser.title).split())
        if title:
            metadata["title"] = title
        # Tables come out as tables too: Chinese government systems export registers as HTML tables
        # saved with an .xls name, and those rows must reach the records like a sheet's.
        tables = [Table(name=f"table {i}", rows=[Row(n, tuple(Cell(v) for v in cells))
                                                 for n, cells in enumerate(rows, 1)], kind=TableKind.HTML)
                  for i, rows in enumerate(parser.tables, 1)]
        ext = Extraction(media_type="text/html", pages=[Page(1, parser.text())], tables=tables,
                         metadata=metadata)
        if parser.spans_cut:
            ext.status = "expansion_limit"
            ext.reason = (f"the tables' colspan/rowspan would repeat cells more than {ctx.limits.span_cells:,} times "
                          "(the span-cell limit, --max-span-cells); beyond it each cell is kept once, and all "
                          "the page's text is kept")
        return ext


def _encoding(data: bytes) -> tuple[str, str | None, dict[str, str] | None]:
    """(codec to decode with, charset the page declares, the overruling of the declaration or None). A BOM
    wins, then the declaration when the bytes can be in it, then detection, as browsers do."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return charset.detect_encoding(data[:4]), None, None
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if m:
        declared = m.group(1).decode("ascii").lower()
        try:
            name = codecs.lookup(_SUPERSET.get(declared, declared)).name
        except LookupError:
            name = None
        if name:
            why = charset.contradiction(data[: 1 << 20], name)
            if why is None:
                return name, declared, None
            used = charset.detect_encoding(data[: 1 << 20])
            return used, declared, {"declared": declared, "used": used, "why": why}
    return charset.detect_encoding(data[: 1 << 20]), None, None


class _Grid:
    """One <table> being read: cells placed on a grid, colspan and rowspan repeated as the user sees them."""

    _MAX_SPAN = 1000  # browsers clamp colspan to 1,000 too

    def __init__(self, spans: _SpanBudget) -> None:
        self.spans = spans
        self.rows: list[list[str]] = []
        self.row: list[tuple[str, int, int]] | None = None
        self.cell: list[str] | None = None
        self.span = (1, 1)
        self.carry: dict[int, tuple[str, int]] = {}

    @classmethod
    def _int(cls, value: str | None) -> int:
        try:
            return max(1, min(cls._MAX_SPAN, int(value or 1)))
        except ValueError:
            return 1

    def open_cell(self, attrs: dict[str, str | None]) -> None:
        self.close_cell()
        if self.row is None:
            self.row = []
        self.cell = []
        self.span = (self._int(attrs.get("colspan")), self._int(attrs.get("rowspan")))

    def close_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append((" ".join("".join(self.cell).split()), *self.span))
        self.cell = None

    def close_row(self) -> None:
        self.close_cell()
        if self.row is None:
            return
        out: list[str] = []
        col = 0
        for text, colspan, rowspan in self.row:
            while col in self.carry:
                out.append(self._take(col))
                col += 1
            if not self.spans.take((colspan - 1) + colspan * (rowspan - 1)):
                colspan, rowspan = 1, 1  # past the span-cell limit: the cell keeps its text once
            for j in range(colspan):
                out.append(text)
                if rowspan > 1:
                    self.carry[col + j] = (text, rowspan - 1)
            col += colspan
        while col in self.carry:
            out.append(self._take(col))
            col += 1
        self.rows.append(out)
        self.row = None

    def _take(self, col: int) -> str:
        text, left = self.carry[col]
        if left <= 1:
            del self.carry[col]
        else:
            self.carry[col] = (text, left - 1)
        return text


class _SpanBudget:
    """The cells a page's colspan/rowspan may still add by repeating a cell (Limits.span_cells)."""

    def __init__(self, cells: int) -> None:
        self.left = cells
        self.cut = False

    def take(self, n: int) -> bool:
        if n <= self.left:
            self.left -= n
            return True
        self.cut = True
        return False


class _TextParser(HTMLParser):
    """Collects the text a reader sees, and the tables; stdlib's parser never fetches or expands anything
    external."""

    def __init__(self, span_cells: int = Limits.span_cells) -> None:
        super().__init__(convert_charrefs=True)
        self._spans = _SpanBudget(span_cells)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._grids: list[_Grid] = []
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _INVISIBLE:
            self._hidden += 1
        elif tag == "table":
            self._grids.append(_Grid(self._spans))
        elif tag == "tr" and self._grids:
            self._grids[-1].close_row()
            self._grids[-1].row = []
        elif tag in ("td", "th") and self._grids:
            self._grids[-1].open_cell(dict(attrs))
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _INVISIBLE and self._hidden:
            self._hidden -= 1
        elif tag in ("td", "th") and self._grids:
            self._grids[-1].close_cell()
        elif tag == "tr" and self._grids:
            self._grids[-1].close_row()
        elif tag == "table" and self._grids:
            grid = self._grids.pop()
            grid.close_row()
            if len(grid.rows) >= 2 and max(len(r) for r in grid.rows) >= 2:
                self.tables.append(grid.rows)
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self.parts.append(data)
            if self._grids and self._grids[-1].cell is not None:
                self._grids[-1].cell.append(data)

    def close(self) -> None:
        super().close()
        while self._grids:  # tables the page never closed
            self.handle_endtag("table")

    @property
    def spans_cut(self) -> bool:
        return self._spans.cut

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)
