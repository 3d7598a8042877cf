"""Plain data that format ingestors hand to the pipeline: pages, tables, metadata, children."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

PageSource = Literal["text", "ocr"]


@dataclass(frozen=True)
class Page:
    """One page of text. `number` is 1-based. For OCR pages `meta` holds engine, lang, confidence, boxes."""

    number: int
    text: str
    source: PageSource = "text"
    lang: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """A cell as the user sees it (`value`), its type as stored (`type`), and the stored value (`raw`).

    type: "s" text, "n" number, "d" date, "b" boolean, "f" formula, "e" error, "" empty.
    raw: the stored value as text when it differs from what is shown (e.g. a float 6.53222198504122e+17).
    """

    value: str
    type: str = "s"
    raw: str | None = None


@dataclass(frozen=True)
class Row:
    """A row with its number in the source: the Excel row, the CSV line's record number (header = 1),
    the DOCX/PDF table's row index (1-based)."""

    number: int
    cells: tuple[Cell, ...]


@dataclass
class Table:
    """A sheet, a CSV file, a DOCX table or a table on a PDF page. `rows` may be a one-shot iterator
    so that a million-row sheet streams into the catalog."""

    name: str
    rows: Iterable[Row]
    page: int | None = None
    kind: str = "sheet"  # sheet | csv | docx | pdf
    meta: dict[str, Any] = field(default_factory=dict)  # merged cells, header hints, dimensions


@dataclass(frozen=True)
class Child:
    """A member of a container (zip member, mail attachment), spooled to a temporary file.

    `name` is its path inside the container with "/" separators, already made safe; `status` is set
    when the member itself is hostile (path_traversal) and `reason` says why.
    """

    name: str
    path: str
    status: str | None = None
    reason: str | None = None


@dataclass
class Extraction:
    """What an ingestor found in one file. A problem that does not stop extraction goes in `status`
    and `reason` (e.g. mislabelled, path_traversal on a zip with a bad member)."""

    media_type: str
    pages: list[Page] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    status: str = "ok"
    reason: str | None = None
